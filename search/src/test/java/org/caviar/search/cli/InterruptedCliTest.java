package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.caviar.model.Model;
import org.caviar.model.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs stopped by a signal (a plain kill; Ctrl-C takes the same path): {@code train} ends the
 * epoch under way and saves what it trained, and its report; {@code tune} says where its trials are and how to
 * resume. The command line runs in a second JVM, the one the signal stops.
 */
class InterruptedCliTest {
  @TempDir Path dir;

  /**
   * The child's output; once a line passes {@code stop}, the child gets SIGTERM (through its handle:
   * {@link Process#destroy} would also close the stream read here).
   */
  private static String stopAfter(Process p, Predicate<String> stop) throws Exception {
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      boolean sent = false;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (!sent && stop.test(line)) {
          p.toHandle().destroy();
          sent = true;
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    return out.toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void aStoppedRunSavesTheModelItTrained() throws Exception {
    Path model = dir.resolve("m.caviar");
    Path report = dir.resolve("report");
    Process p = CliRun.startChild(List.of("-Djava.awt.headless=true"), "train", "--epochs", "1000000", "--threads", "1",
        "--out", model.toString(), "--report", report.toString());
    int[] seen = {0};
    // A few epochs in, so that there is a model to save.
    String out = stopAfter(p, line -> line.startsWith("epoch ") && ++seen[0] == 3);
    assertTrue(out.contains("caviar train: interrupted; stopping after this epoch to save the model"), out);
    String ended = out.lines().filter(l -> l.startsWith("interrupted after ")).findFirst().orElseThrow(() -> new AssertionError(out));
    int epochs = Integer.parseInt(ended.split(" ")[2]);
    assertTrue(epochs >= 3 && epochs < 1_000_000, ended);
    assertTrue(out.contains("saved: " + model.toAbsolutePath()), out);
    Model saved = ModelFile.load(model);
    assertEquals(10, saved.classNames().size());
    // The report too, drawn while the JVM shuts down: every epoch trained is in it.
    assertTrue(out.contains("report: " + report.resolve("index.html").toAbsolutePath()), out);
    assertTrue(Files.readString(report.resolve("index.html")).contains("interrupted after " + epochs + " epochs"));
    assertEquals(1 + epochs, Files.readAllLines(report.resolve("epochs.csv")).size());
    // Killed by the signal, after its hook: the shell's 128 + 15.
    assertEquals(143, p.exitValue(), out);
  }

  /**
   * Killed outright (SIGKILL: no hook runs), a run leaves the model of its best epoch so far, saved
   * when that epoch ended.
   */
  @Test
  void aKilledRunLeavesItsBestEpochSoFar() throws Exception {
    Path model = dir.resolve("k.caviar");
    Process p = CliRun.startChild(List.of(), "train", "--epochs", "1000000", "--threads", "1", "--out", model.toString());
    int[] seen = {0};
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (line.startsWith("epoch ") && ++seen[0] == 5) {
          p.destroyForcibly();
          break;
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end: " + out);
    assertEquals(137, p.exitValue(), out.toString()); // 128 + SIGKILL
    assertTrue(!out.toString().contains("saved: "), "no hook ran: " + out);
    // The file is the model of one of the epochs printed: on the validation rows (train's default
    // split) it scores that epoch's val_acc exactly.
    Model saved = ModelFile.load(model);
    var validation = org.caviar.model.data.Split.stratified(org.caviar.model.data.Datasets.digits(), 0.6, 0.2, 42).validation();
    String accuracy = String.format(java.util.Locale.ROOT, "val_acc %.4f", saved.evaluate(validation).accuracy());
    assertTrue(out.toString().lines().filter(l -> l.startsWith("epoch ")).anyMatch(l -> l.contains(accuracy)), accuracy + " not in\n" + out);
  }

  @Test
  void aStoppedSearchSaysHowToResumeIt() throws Exception {
    Path study = dir.resolve("study");
    Process p = CliRun.startChild(List.of(), "tune", "--trials", "100000", "--no-progress", "--no-report", "--study", study.toString());
    String out = stopAfter(p, line -> {
      if (!line.startsWith("study: ")) return false;
      sleep(1000); // a few trials in
      return true;
    });
    assertTrue(out.contains("caviar tune: interrupted; the finished trials are kept in " + study.resolve("journal.jsonl")
        + "; resume with: caviar tune --study " + study), out);
    assertEquals(143, p.exitValue(), out);
    CliRun resumed = CliRun.run("tune", "--trials", "1", "--no-progress", "--no-report", "--study", study.toString());
    assertTrue(resumed.out().contains("resuming the study " + study.resolve("journal.jsonl")), resumed.out() + resumed.err());
  }
}
