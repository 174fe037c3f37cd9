package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tune's trials that fit the heap one at a time but not two at once: the second waits for the
 * first's memory, and the output says so, once as the wait starts and once as it ends. It said
 * nothing: the waiting trial counted as running and the study looked stuck. In a second JVM with a
 * 128 MB heap, where two trials of 2-1750-1750-2 (Adam) need about 70 MB each: the heap is small
 * so that the test allocates little, and the test JVM's heap is not the one the trials share.
 */
class MemoryWaitCliTest {
  @TempDir Path dir;

  /** tune's output on a small CSV, two trials of {@code units} units in 2 layers on two workers. */
  private String tune(int units) throws Exception {
    StringBuilder csv = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 40; i++) csv.append(i % 7).append(',').append(i % 5).append(',').append(i % 2).append('\n');
    Path data = dir.resolve("d.csv");
    Files.writeString(data, csv);
    Process p = CliRun.startChild(List.of("-Xmx128m"), "tune", "--csv", data.toString(), "--study", dir.resolve("s" + units).toString(),
        "--trials", "2", "--workers", "2", "--mode", "caviar", "--epochs", "1", "--no-report",
        "--param", "units = fixed(" + units + ")", "--param", "layers = fixed(2)", "--param", "optimizer = fixed(adam)");
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  @Test
  void aTrialThatWaitsForMemorySaysSoAsItWaitsAndAsItGoesOn() throws Exception {
    String out = tune(1750);
    List<String> lines = out.lines().filter(l -> l.contains("memory")).toList();
    assertEquals(2, lines.size(), out);
    assertTrue(lines.get(0).matches("trial ([01]) waits for memory: it needs \\d+ MB, and trial [01] holds \\d+ MB of the 1\\d\\d MB "
        + "the trials share \\(the heap less the data\\)"), out);
    String waiting = lines.get(0).substring(0, lines.get(0).indexOf(" waits"));
    assertTrue(lines.get(1).matches(waiting + " has its memory after \\d+\\.\\d s of waiting, and trains"), out);
    assertTrue(out.contains("2 trials: 2 complete"), out);
  }

  @Test
  void trialsThatFitTogetherSayNothingOfMemory() throws Exception {
    String out = tune(8);
    assertEquals(List.of(), out.lines().filter(l -> l.contains("memory")).toList(), out);
    assertTrue(out.contains("2 trials: 2 complete"), out);
  }
}
