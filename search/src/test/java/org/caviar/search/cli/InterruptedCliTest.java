package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.caviar.model.Model;
import org.caviar.model.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs stopped by a signal (a plain kill; Ctrl-C takes the same path): {@code train} ends the
 * epoch under way and saves what it trained; {@code tune} says where its trials are and how to
 * resume. The command line runs in a second JVM, the one the signal stops.
 */
class InterruptedCliTest {
  @TempDir Path dir;

  @Test
  void aStoppedRunSavesTheModelItTrained() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path model = dir.resolve("m.caviar");
    Process p = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        CaviarCli.class.getName(), "train", "--epochs", "1000000", "--threads", "1", "--out", model.toString())
        .redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      int epochs = 0;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        // A few epochs in, so that there is a model to save; then SIGTERM.
        // (Through the handle: Process.destroy would also close the stream read here.)
        if (line.startsWith("epoch ") && ++epochs == 3) p.toHandle().destroy();
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    assertTrue(out.toString().contains("caviar train: interrupted; stopping after this epoch to save the model"), out.toString());
    String ended = out.toString().lines().filter(l -> l.startsWith("interrupted after ")).findFirst().orElseThrow(() -> new AssertionError(out));
    int epochs = Integer.parseInt(ended.split(" ")[2]);
    assertTrue(epochs >= 3 && epochs < 1_000_000, ended);
    assertTrue(out.toString().contains("saved: " + model.toAbsolutePath()), out.toString());
    Model saved = ModelFile.load(model);
    assertEquals(10, saved.classNames().size());
    // Killed by the signal, after its hook: the shell's 128 + 15.
    assertEquals(143, p.exitValue(), out.toString());
  }

  @Test
  void aStoppedSearchSaysHowToResumeIt() throws Exception {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Path study = dir.resolve("study");
    Process p = new ProcessBuilder(java, "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        CaviarCli.class.getName(), "tune", "--trials", "100000", "--no-progress", "--no-report", "--study", study.toString())
        .redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (line.startsWith("study: ")) {
          Thread.sleep(1000); // a few trials in
          p.toHandle().destroy();
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    assertTrue(out.toString().contains("caviar tune: interrupted; the finished trials are kept in " + study.resolve("journal.jsonl")
        + "; resume with: caviar tune --study " + study), out.toString());
    assertEquals(143, p.exitValue(), out.toString());
    CliRun resumed = CliRun.run("tune", "--trials", "1", "--no-progress", "--no-report", "--study", study.toString());
    assertTrue(resumed.out().contains("resuming the study " + study.resolve("journal.jsonl")), resumed.out() + resumed.err());
  }
}
