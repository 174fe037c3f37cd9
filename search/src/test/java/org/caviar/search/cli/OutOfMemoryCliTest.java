package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network larger than the heap: one line naming the heap and what to change, exit 1, and no
 * stack trace. It runs the command line in a second JVM with a 64 MB heap, since running out of
 * memory in the test JVM would disturb the other tests.
 */
class OutOfMemoryCliTest {
  @TempDir Path dir;

  @Test
  void aNetworkLargerThanTheHeapIsOneLine() throws Exception {
    Path model = dir.resolve("m.caviar");
    // 4000 x 4000 weights are 64 MB in one float[]: within NetworkSpec's array limit, beyond the heap.
    Process p = CliRun.startChild(List.of("-Xmx64m"), "train", "--spec", "64-4000-4000-10", "--epochs", "1", "--out", model.toString());
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    assertEquals(1, p.exitValue(), out);
    List<String> problems = out.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).filter(l -> l.startsWith("caviar:")).toList();
    assertEquals(1, problems.size(), out);
    String line = problems.get(0);
    assertTrue(line.startsWith("caviar: out of memory (Java heap space; the heap holds at most "), line);
    assertTrue(line.endsWith("use a smaller network or batch, or a larger -Xmx"), line);
    assertFalse(out.contains("Exception in thread") || out.contains("\tat "), "a stack trace: " + out);
    assertFalse(Files.exists(model), "no model is saved");
  }
}
