package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.caviar.model.Model;
import org.caviar.model.io.ModelFile;
import org.caviar.search.storage.JournalStorage;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs stopped by a signal (a plain kill; Ctrl-C takes the same path): {@code train} ends the
 * epoch under way and saves what it trained, and its report; {@code tune} says where its trials are and how to
 * resume. The command line runs in a second JVM, the one the signal stops.
 */
class InterruptedCliTest {
  @TempDir Path dir;

  @Test
  void aStoppedRunSavesTheModelItTrained() throws Exception {
    Path model = dir.resolve("m.caviar");
    Path report = dir.resolve("report");
    Process p = CliRun.startChild(List.of("-Djava.awt.headless=true"), "train", "--epochs", "1000000", "--threads", "1",
        "--out", model.toString(), "--report", report.toString());
    int[] seen = {0};
    // A few epochs in, so that there is a model to save.
    String out = CliRun.stopAfter(p, line -> line.startsWith("epoch ") && ++seen[0] == 3);
    // A child of a process tree that ignores SIGINT ignores it too: no second Ctrl-C to offer then.
    String stopsAtOnce = ignoresInterrupts(ProcessHandle.current().pid()) ? "kill -9" : "Ctrl-C again";
    assertTrue(out.contains("caviar train: interrupted; stopping after this epoch to save the model (at most 120 s; " + stopsAtOnce
        + " stops at once and leaves " + model + " at epoch "), out);
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
   * Stopped when its last epoch is not its best, a run ends with the best epoch's weights, saves and
   * tests those, and says so, as a run that completes does ("restored the weights of epoch 4"). It
   * said "interrupted after 7 epochs" alone, which reads as the last epoch's model. At lr 0.01 with
   * seed 1 on one thread the validation loss is lowest at epoch 4 (0.1071), and above it at epochs
   * 5 to 11: the signal, sent once epoch 5 is printed, stops the run after one of them.
   */
  @Test
  void aStoppedRunSaysItRestoredTheBestEpoch() throws Exception {
    Path model = dir.resolve("b.caviar");
    Process p = CliRun.startChild(List.of(), "train", "--epochs", "12", "--threads", "1", "--param", "lr=0.01",
        "--out", model.toString());
    String out = CliRun.stopAfter(p, line -> line.matches("epoch +5 .*"));
    assertEquals(143, p.exitValue(), out);
    String ended = out.lines().filter(l -> l.startsWith("interrupted after ")).findFirst().orElseThrow(() -> new AssertionError(out));
    assertTrue(ended.matches("interrupted after ([6-9]|1[0-2]) epochs; restored the weights of epoch 4"), ended);
  }

  /**
   * Killed outright (SIGKILL: no hook runs), a run leaves the model of its best epoch so far, saved
   * when that epoch ended. At lr 0.01, ten times the default, the validation loss goes up and down
   * from the first epochs (with seed 1 it rises at epoch 3: 0.1394 after 0.1375), so the kill comes
   * right after an epoch that is not the best, and a file of the last epoch would not pass for the
   * best one. (At the default lr it falls at every epoch up to 23: the best epoch is the last.)
   */
  @Test
  void aKilledRunLeavesItsBestEpochSoFar() throws Exception {
    Path model = dir.resolve("k.caviar");
    Process p = CliRun.startChild(List.of(), "train", "--epochs", "1000000", "--threads", "1", "--param", "lr=0.01",
        "--out", model.toString());
    StringBuilder out = new StringBuilder();
    List<String> epochs = new ArrayList<>();
    boolean killed = false;
    boolean rose = false;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      double lowest = Double.POSITIVE_INFINITY;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (!line.startsWith("epoch ")) continue;
        epochs.add(line);
        double loss = number(line, "val_loss");
        // Killed right after the first epoch whose validation loss is above an earlier one (printed
        // values: rounding keeps their order), or after 30 epochs without one.
        if (!killed && (loss > lowest || epochs.size() == 30)) {
          rose = loss > lowest;
          p.toHandle().destroyForcibly(); // through its handle: Process#destroyForcibly would close the stream read here
          killed = true;
        }
        lowest = Math.min(lowest, loss);
        // Read on to the end: the epochs the child printed before the kill landed count too.
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end: " + out);
    assertEquals(137, p.exitValue(), out.toString()); // 128 + SIGKILL
    assertTrue(!out.toString().contains("saved: "), "no hook ran: " + out);
    assertTrue(rose, "the validation loss never rose in 30 epochs, so the best epoch was the last: " + out);
    // The file holds the last epoch printed with the lowest val_loss so far. It is saved before its
    // line is printed, so a kill between the two leaves an epoch that no line shows, better than all
    // of them; a kill during a save leaves the previous file whole (the save writes a partial file
    // and renames it), and that epoch's line never printed. Matched on the validation rows (train's
    // default split) by val_loss, printed to 4 decimals (so within 0.0001: half a unit of rounding and
    // float noise from evaluating in other chunks), and by val_acc exactly.
    Model saved = ModelFile.load(model);
    var validation = org.caviar.model.data.Split.stratified(org.caviar.model.data.Datasets.digits(), 0.6, 0.2, 42).validation();
    var e = saved.evaluate(validation);
    double lowest = epochs.stream().mapToDouble(l -> number(l, "val_loss")).min().orElseThrow();
    if (e.loss() < lowest - 1e-4) return; // the epoch saved just before the kill, not printed
    String accuracy = String.format(java.util.Locale.ROOT, "val_acc %.4f", e.accuracy());
    String match = epochs.stream().filter(l -> Math.abs(number(l, "val_loss") - e.loss()) <= 1e-4 && l.contains(accuracy))
        .findFirst().orElseThrow(() -> new AssertionError("val_loss " + e.loss() + ", " + accuracy + " not in\n" + out));
    assertEquals(lowest, number(match, "val_loss"), "the saved epoch, " + match + ", is not the lowest so far:\n" + out);
  }

  /**
   * A run whose epoch does not end within the wait after the signal (0 s here, 120 s in use) is
   * halted as it is: it says what --out holds, the last new best epoch saved as it trained, and
   * "nothing saved" only before any was. The first epoch of a wide network takes seconds (the
   * 64-2048-2048-10 network's 28 GFLOP would take 0.3 s at full speed on one thread, and a fresh
   * JVM runs far below that; 0.4 s the next ones): the signal comes 1 s into an epoch of four times
   * that work (the hook is set before the "training:" line), or right after the first epoch.
   */
  @Test
  void aRunHaltedMidEpochSaysWhatItSaved() throws Exception {
    Path model = dir.resolve("h.caviar");
    String[] args = {"train", "--epochs", "1000000", "--threads", "1", "--spec", "64-4096-4096-10 relu", "--out", model.toString()};
    String out = CliRun.stopAfter(CliRun.startChild(NoStopWaitCli.class, List.of(), args), line -> {
      if (!line.startsWith("training: ")) return false;
      CliRun.sleep(1000); // into the first epoch
      return true;
    });
    assertTrue(out.contains("caviar train: the epoch did not end within 0 s; nothing saved"), out);
    assertTrue(!out.contains("epoch   0") && !Files.exists(model), out);

    args[6] = "64-2048-2048-10 relu"; // epochs that end
    out = CliRun.stopAfter(CliRun.startChild(NoStopWaitCli.class, List.of(), args), line -> line.startsWith("epoch   0"));
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("caviar train: the epoch did not end within 0 s; \\Q" + model
        + "\\E holds epoch (\\d+), the best so far").matcher(out);
    assertTrue(m.find(), out);
    int saved = Integer.parseInt(m.group(1));
    assertTrue(out.contains(String.format(java.util.Locale.ROOT, "epoch %3d", saved)), "epoch " + saved + " was printed: " + out);
    assertEquals(10, ModelFile.load(model).classNames().size());
  }

  /**
   * A second Ctrl-C while the run waits for its epoch to end stops it at once, and says what --out
   * holds: the last new best saved, whole. It did nothing: the JVM's own handler of the second
   * signal blocked behind the shutdown under way, and the run went on to the end of its epoch.
   * Epochs of seconds here (batch 1 on a wide network): the second signal comes mid-epoch.
   */
  @Test
  void aSecondInterruptStopsAtOnce() throws Exception {
    Path model = dir.resolve("s.caviar");
    Process p = CliRun.startChild(List.of(), "train", "--epochs", "1000000", "--threads", "1", "--spec", "64-1024-1024-10 relu",
        "--param", "batch_size=1", "--out", model.toString());
    StringBuilder out = new StringBuilder();
    long secondSent = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (line.startsWith("epoch   0")) {
          Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
          interrupt(p);
        } else if (line.startsWith("caviar train: interrupted; ")) {
          interrupt(p);
          secondSent = System.nanoTime();
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end: " + out);
    assertTrue(secondSent > 0, out.toString());
    // Halted on the spot, not at the end of the epoch: no more lines of the run.
    assertEquals(130, p.exitValue(), out.toString());
    assertTrue(out.toString().contains("caviar train: stopped at once (Ctrl-C again); " + model + " holds epoch 0, its last save\n"), out.toString());
    assertTrue(!out.toString().contains("interrupted after") && !out.toString().contains("epoch   1"), out.toString());
    assertTrue(System.nanoTime() - secondSent < TimeUnit.SECONDS.toNanos(2), out.toString());
    assertEquals(10, ModelFile.load(model).classNames().size());
  }

  /**
   * A second Ctrl-C stops the run at once also when stderr is stalled (a full pipe that nobody
   * reads, a terminal paused with Ctrl-S): its message is waited for a short while, not for good.
   * It never halted: the handler printed before it halted, and the print blocked. The child's
   * stderr is a pipe this test does not read, which the child fills ({@link StalledStderrCli});
   * its stdout, read here, says when the first signal has stopped the run.
   */
  @Test
  void aSecondInterruptStopsAtOnceWhenStderrIsStalled() throws Exception {
    Path model = dir.resolve("t.caviar");
    Process p = startStalled("train", "--epochs", "1000000", "--threads", "1", "--out", model.toString());
    StringBuilder out = new StringBuilder();
    try {
      assertTrue(interruptedUntilSaved(p, out), out.toString());
      // The hook set the stop, and then the handler of a second Ctrl-C, before the "saved: " line;
      // its own message to stderr blocks, and the JVM waits for it: only a second Ctrl-C ends it.
      interrupt(p);
      long secondSent = System.nanoTime();
      assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the child JVM did not halt on the second Ctrl-C: " + out);
      assertEquals(130, p.exitValue(), out.toString());
      // The message is given a second (Stderr.WAIT_MILLIS): the halt comes soon after it.
      assertTrue(System.nanoTime() - secondSent < TimeUnit.SECONDS.toNanos(5), out.toString());
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * Stopped once (Ctrl-C) with stderr stalled, a run ends its epoch, saves, and exits by itself: the
   * stop hook's message is waited for a short while, not for good. The hook printed before it waited
   * for the epoch, the print blocked, and the JVM, which waits for its hooks, never exited: only a
   * second Ctrl-C or kill -9 ended it. The child's stdout, read here, says when the model is saved.
   */
  @Test
  void aStoppedRunExitsWhenStderrIsStalled() throws Exception {
    Path model = dir.resolve("u.caviar");
    Process p = startStalled("train", "--epochs", "1000000", "--threads", "1", "--out", model.toString());
    StringBuilder out = new StringBuilder();
    try {
      interruptedUntilSaved(p, out);
      assertTrue(out.toString().contains("interrupted after ") && out.toString().contains("saved: " + model.toAbsolutePath()),
          out.toString());
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the child JVM did not exit once the model was saved: " + out);
      assertEquals(130, p.exitValue(), out.toString()); // the JVM's own exit on SIGINT, once the hook returns
      assertEquals(10, ModelFile.load(model).classNames().size());
    } finally {
      p.destroyForcibly();
    }
  }

  /**
   * The stdout of a child {@code train} into {@code out}: Ctrl-C at its second epoch, then read up to
   * its "saved: " line, and no further (with stderr stalled, the old code's child never ended, nor
   * did its stdout). Whether that line came.
   */
  private static boolean interruptedUntilSaved(Process p, StringBuilder out) throws Exception {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (line.startsWith("epoch   2")) {
          Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
          interrupt(p);
        } else if (line.startsWith("saved: ")) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Stopped (Ctrl-C) with stderr stalled, {@code tune} exits by itself: its stop hook's message is
   * waited for a short while, as {@code train}'s. The hook printed, the print blocked, and the JVM,
   * which waits for its hooks, never exited.
   */
  @Test
  void aStoppedSearchExitsWhenStderrIsStalled() throws Exception {
    Path study = dir.resolve("stalled");
    Process p = startStalled("tune", "--trials", "100000", "--workers", "1", "--no-progress", "--no-report", "--study",
        study.toString());
    try {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null && !line.startsWith("study: ")) {
          // the trials start after this line
        }
      }
      Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
      CliRun.sleep(500);
      interrupt(p);
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the child JVM did not exit once stopped");
      assertEquals(130, p.exitValue());
      assertTrue(JournalStorage.peek(study.resolve("journal.jsonl")) != null);
    } finally {
      p.destroyForcibly();
    }
  }

  /** The command line in a child JVM whose stderr is stalled ({@link StalledStderrCli}): a pipe of its own, left unread. */
  private static Process startStalled(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), StalledStderrCli.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }

  /**
   * Where SIGINT is ignored (a script's background job, nohup-like wrappers), a second Ctrl-C cannot
   * stop the run: stopped by a plain kill, it says that kill -9 does, not Ctrl-C. sun.misc.Signal
   * refuses nothing there: it returns the old handler, SIG_IGN, and installs none.
   */
  @Test
  void whereSigintIsIgnoredTheStopSaysKillNine() throws Exception {
    Path model = dir.resolve("i.caviar");
    List<String> command = new ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$@\"", "sh",
        ProcessHandle.current().info().command().orElseThrow(), "--add-modules=jdk.incubator.vector",
        "-cp", System.getProperty("java.class.path"), CaviarCli.class.getName()));
    command.addAll(List.of("train", "--epochs", "1000000", "--threads", "1", "--out", model.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = CliRun.stopAfter(p, line -> line.startsWith("epoch "));
    assertTrue(out.contains("caviar train: interrupted; stopping after this epoch to save the model (at most 120 s; kill -9 stops at once"),
        out);
    assertEquals(143, p.exitValue(), out);
  }

  /**
   * Stopped while it loads its data, {@code tune} says that no trial started and what the study is:
   * not created (nothing is written before the data is in), or as it was and how to resume. It ended
   * with 130 and no word. The data is a named pipe the test holds open: the load waits in it.
   */
  @Test
  void aTuneStoppedWhileItLoadsItsDataSaysNothingStarted() throws Exception {
    Path study = dir.resolve("new-study");
    String out = interruptedWhileLoading(study);
    assertTrue(out.contains("caviar tune: interrupted while loading the data; no trial started and no study was created; "
        + "run the command again to start it\n"), out);
    assertTrue(!Files.exists(study), out);

    // Without --study the run creates its folder (studies/tune-DATE-TIME) at its start, to have one
    // of its own: a stop while it loads gives it back (it was left, empty, under the same words).
    Path work = Files.createDirectories(dir.resolve("work"));
    out = interruptedWhileLoading(work, "data-default.csv");
    assertTrue(out.contains("caviar tune: interrupted while loading the data; no trial started and no study was created; "
        + "run the command again to start it\n"), out);
    assertTrue(!Files.exists(work.resolve("studies")), out);

    Path existing = dir.resolve("study");
    CliRun first = CliRun.run("tune", "--trials", "1", "--epochs", "1", "--workers", "1", "--no-progress", "--no-report",
        "--study", existing.toString());
    assertEquals(0, first.code(), first.err());
    byte[] journal = Files.readAllBytes(existing.resolve("journal.jsonl"));
    out = interruptedWhileLoading(existing);
    assertTrue(out.contains("caviar tune: interrupted while loading the data; no trial started and the study "
        + existing.resolve("journal.jsonl") + " is as it was; resume with: caviar tune --study " + existing + "\n"), out);
    assertEquals(new String(journal, StandardCharsets.UTF_8), Files.readString(existing.resolve("journal.jsonl")));
  }

  /**
   * Stopped while it loads its data, {@code tune} creates no study and starts no trial also when the
   * load ends before the JVM does: the main thread runs on while the shutdown hooks run. It went on
   * to create the study folder and its journal after it had said that no study was created. The
   * shutdown is held here by a hook of the child's main ({@link SlowShutdownCli}), and the data
   * ends once the message is out.
   */
  @Test
  void aTuneStoppedWhileItLoadsCreatesNoStudyWhenTheLoadEndsBeforeTheJvm() throws Exception {
    Path study = dir.resolve("late-study");
    Path fifo = dir.resolve("late-data.csv");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    Process p = CliRun.startChild(SlowShutdownCli.class, List.of("-Dcaviar.command=caviar"), "tune", "--csv", fifo.toString(),
        "--trials", "2", "--epochs", "1", "--workers", "1", "--no-progress", "--study", study.toString());
    Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 40; i++) rows.append(i).append(',').append(i % 7).append(',').append(i % 2 == 0 ? "x" : "y").append('\n');
    byte[] data = ("a,b,label\n" + rows).getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      // Opening the pipe to write waits for the child to open it to read: then it loads, and waits for more.
      try (var pipe = Files.newOutputStream(fifo)) {
        pipe.write(data, 0, "a,b,label\n".length());
        pipe.flush();
        CliRun.sleep(200);
        interrupt(p);
        String line;
        while ((line = r.readLine()) != null) {
          out.append(line).append('\n');
          if (line.startsWith("caviar tune: interrupted while loading the data; ")) break;
        }
        pipe.write(data, "a,b,label\n".length(), data.length - "a,b,label\n".length());
      } // closed: the load ends, while the shutdown waits for the child's slow hook
      String line;
      while ((line = r.readLine()) != null) out.append(line).append('\n');
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end: " + out);
    assertEquals(130, p.exitValue(), out.toString());
    assertTrue(out.toString().contains("caviar tune: interrupted while loading the data; no trial started and no study was created; "
        + "run the command again to start it\n"), out.toString());
    assertTrue(!Files.exists(study), "the study was created: " + out);
    assertTrue(!out.toString().contains("study: ") && !out.toString().contains("caviar tune on "), out.toString());
  }

  /**
   * Stopped once the study is created and before its trials (its budget not yet recorded), {@code
   * tune} says that no trial started, where the study may be in part, and that the command run
   * again goes on from it; and it does. No hook was set from the end of the load to the trials':
   * the run ended with 130 and no word, and a study half made. The child holds the run in that
   * window ({@link HoldingCli}).
   */
  @Test
  void aTuneStoppedWhileItCreatesTheStudySaysWhatItLeaves() throws Exception {
    Path study = dir.resolve("creating");
    String[] args = oneTrial(study);
    String out = interruptedWhileHolding(TuneCommand.BEFORE_BUDGET, args);
    assertTrue(out.contains("caviar tune: interrupted while creating the study; no trial started; the study folder " + study
        + " may hold it in part: run the command again to start it (it goes on from what was created), or delete the folder\n"), out);
    // Created, with no trial and no budget: the same command goes on from it.
    Path journal = study.resolve("journal.jsonl");
    assertTrue(JournalStorage.peek(journal) != null, out);
    assertEquals(null, JournalStorage.peekTrialBudget(journal), out);
    CliRun again = CliRun.run(args);
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("resuming the study " + journal), again.out());
  }

  /**
   * Stopped between the end of the trials and the summary, {@code tune} says that the study is whole
   * and how to print the summary again. Between the trials' hook and the report's no hook was set:
   * a stop there ended with 130 and no word. Without a report (--no-report, and every worker) it
   * spoke of one: "interrupted while writing the report ...; write the report again with: caviar
   * worker ...", a command that writes none.
   */
  @Test
  void aTuneStoppedJustAfterItsTrialsSaysTheStudyIsWhole() throws Exception {
    Path study = dir.resolve("after-trials");
    String[] args = oneTrial(study);
    String out = interruptedWhileHolding(TuneCommand.AFTER_TRIALS, args);
    Path journal = study.resolve("journal.jsonl");
    assertTrue(out.contains("caviar tune: interrupted while printing the summary; the study is kept whole in " + journal
        + "; print it again with: caviar tune --study " + study + "\n"), out);
    assertFalse(out.contains("report"), out);
    assertTrue(!out.contains("search time"), out); // the summary was not printed: the run waited for the halt
    try (JournalStorage j = JournalStorage.readOnly(journal)) {
      j.open(JournalStorage.peek(journal));
      assertEquals(1, j.trials().size(), out);
      assertTrue(j.trials().get(0).state().isFinished(), out);
    }
  }

  /**
   * Stopped once its training has ended (while it tests, saves and draws its report, seconds for a
   * large network), a run said "interrupted; stopping after this epoch to save the model", as if
   * an epoch were under way; it says that it finishes the run, and does.
   */
  @Test
  void aTrainStoppedAfterItsTrainingSaysItFinishesTheRun() throws Exception {
    Path model = dir.resolve("m.caviar");
    String out = interruptedWhileHolding(TrainCommand.AFTER_TRAINING, new String[] {"train", "--epochs", "1", "--threads", "1",
        "--param", "units=8", "--out", model.toString()});
    assertTrue(out.contains("caviar train: interrupted after the training ended; finishing the run first (the test and the save; "
        + "at most 120 s;"), out);
    assertFalse(out.contains("stopping after this epoch"), out);
    assertTrue(out.contains("saved: " + model.toAbsolutePath()), out);
  }

  /** A tune of one trial of one epoch on one worker, without progress or report, in {@code study}. */
  private static String[] oneTrial(Path study) {
    return new String[] {"tune", "--trials", "1", "--epochs", "1", "--workers", "1", "--no-progress", "--no-report", "--study",
        study.toString()};
  }

  /** The output of a child tune ({@link HoldingCli}) sent SIGINT once it holds at {@code point}, once it has ended with 130. */
  private String interruptedWhileHolding(String point, String[] args) throws Exception {
    Process p = CliRun.startChild(HoldingCli.class, List.of("-Dcaviar.command=caviar", "-D" + HoldingCli.POINT + "=" + point), args);
    String out = CliRun.stopAfter(p, line -> {
      if (!line.equals(HoldingCli.holding(point))) return false;
      try {
        Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
        interrupt(p);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return false; // SIGINT sent: no SIGTERM
    });
    assertEquals(130, p.exitValue(), out);
    return out;
  }

  /** A child tune on a named pipe, sent SIGINT once it reads from it: its output, once it has ended with 130. */
  private String interruptedWhileLoading(Path study) throws Exception {
    return interruptedWhileLoading(null, "data-" + study.getFileName() + ".csv", "--study", study.toString());
  }

  /** A tune in the working directory {@code in} (null: this JVM's), with {@code more} options, stopped while it loads its data. */
  private String interruptedWhileLoading(Path in, String dataName, String... more) throws Exception {
    Path fifo = dir.resolve(dataName);
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    List<String> args = new ArrayList<>(List.of("tune", "--csv", fifo.toString(), "--trials", "2", "--epochs", "1", "--no-progress"));
    args.addAll(List.of(more));
    Process p = CliRun.startChildIn(in, CaviarCli.class, List.of("-Dcaviar.command=caviar"), args.toArray(new String[0]));
    Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
    // Opening the pipe to write waits for the child to open it to read: then it loads, and waits for more.
    try (var pipe = Files.newOutputStream(fifo)) {
      pipe.write("a,b,label\n1,2,x\n".getBytes(StandardCharsets.UTF_8));
      pipe.flush();
      CliRun.sleep(200);
      interrupt(p);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not end");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(130, p.exitValue(), out);
    return out;
  }

  /** Whether {@code p} ignores SIGINT (inherited from a background job that started the build): no Ctrl-C to test then. */
  private static boolean ignoresInterrupts(Process p) throws Exception {
    boolean ignored = ignoresInterrupts(p.pid());
    if (ignored) p.toHandle().destroyForcibly();
    return ignored;
  }

  /** Whether the process {@code pid} ignores SIGINT. */
  private static boolean ignoresInterrupts(long pid) throws Exception {
    return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
        .filter(l -> l.startsWith("SigIgn:")).anyMatch(l -> (Long.parseLong(l.substring(7).trim(), 16) & 2) != 0);
  }

  /** Sends SIGINT, as Ctrl-C in a terminal does (ProcessHandle sends only SIGTERM and SIGKILL). */
  private static void interrupt(Process p) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor());
  }

  /** The number after {@code name} in an epoch line such as {@code epoch 3 ... val_loss 0.1394 val_acc 0.9554 ...}. */
  private static double number(String epochLine, String name) {
    String[] words = epochLine.trim().split("\\s+");
    for (int i = 0; i + 1 < words.length; i++) if (words[i].equals(name)) return Double.parseDouble(words[i + 1]);
    throw new AssertionError("no " + name + " in " + epochLine);
  }

  @Test
  void aStoppedSearchSaysHowToResumeIt() throws Exception {
    Path study = dir.resolve("study");
    // As the launcher starts it: the command to resume starts as the user invoked it.
    Process p = CliRun.startChild(List.of("-Dcaviar.command=./caviar"), "tune", "--trials", "100000", "--no-progress",
        "--no-report", "--study", study.toString());
    String out = CliRun.stopAfter(p, line -> {
      if (!line.startsWith("study: ")) return false;
      CliRun.sleep(1000); // a few trials in
      return true;
    });
    assertTrue(out.contains("caviar tune: interrupted; the finished trials are kept in " + study.resolve("journal.jsonl")
        + "; resume with: ./caviar tune --study " + study), out);
    assertEquals(143, p.exitValue(), out);
    // Extended by one trial beyond those it finished (fewer is refused: it would run none).
    Path journal = study.resolve("journal.jsonl");
    long finished;
    try (JournalStorage s = JournalStorage.readOnly(journal)) {
      s.open(JournalStorage.peek(journal));
      finished = s.trials().stream().filter(t -> t.state().isFinished() && !t.isInterrupted()).count();
    }
    CliRun resumed = CliRun.run("tune", "--trials", Long.toString(finished + 1), "--no-progress", "--no-report",
        "--study", study.toString());
    assertEquals(0, resumed.code(), resumed.out() + resumed.err());
    assertTrue(resumed.out().contains("resuming the study " + journal), resumed.out() + resumed.err());
  }

  /**
   * Stopped (Ctrl-C) while a panda trial trains, {@code tune} records the trial interrupted in the
   * journal before it exits, and says so: it stayed RUNNING until the study was next opened, and
   * meanwhile a reader ({@code train --from-study}) counted "1 running" on a study no process ran.
   * The shutdown is held 3 s ({@link SlowShutdownCli}), in which the main thread trains on: its next
   * epoch's report, refused for the finished trial, ended in no error of its own, and no trial was
   * claimed after the stop.
   */
  @Test
  void aTuneStoppedMidTrialRecordsTheTrialInterrupted() throws Exception {
    Path study = dir.resolve("mid-trial");
    // Epochs enough that the trial is still training when the signal comes, and through the slow shutdown.
    Process p = CliRun.startChild(SlowShutdownCli.class, List.of("-Dcaviar.command=caviar"), "tune", "--mode", "panda",
        "--trials", "3", "--epochs", "100000", "--pruner", "none", "--no-progress", "--no-report", "--study", study.toString());
    Assumptions.assumeFalse(ignoresInterrupts(p), "SIGINT is ignored in this process tree");
    String out = CliRun.stopAfter(p, line -> {
      if (!line.startsWith("study: ")) return false;
      CliRun.sleep(1500); // into the first trial's epochs
      try {
        interrupt(p);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      return false; // SIGINT sent: no SIGTERM
    });
    assertEquals(130, p.exitValue(), out);
    assertTrue(out.contains("caviar tune: interrupted; the finished trials are kept in " + study.resolve("journal.jsonl")
        + "; resume with: caviar tune --study " + study + "\nthe trial under way was recorded interrupted: the resume re-runs it\n"), out);
    assertFalse(out.contains("cannot report"), out);
    Path journal = study.resolve("journal.jsonl");
    try (JournalStorage j = JournalStorage.readOnly(journal)) {
      j.open(JournalStorage.peek(journal));
      assertEquals(1, j.trials().size(), out);
      assertTrue(j.trials().get(0).isInterruptedWhileRunning(), j.trials().get(0) + "\n" + out);
    }
  }

  /**
   * Stopped on a terminal, panda mode's live line ends before the stop's words: the bar went on
   * redrawing until the halt, and left a frame of the trial under them, the last line on the screen.
   * The shutdown is held 3 s ({@link SlowShutdownCli}): 15 of the bar's redraws. The terminal is
   * util-linux's {@code script}; without it (another system), the test is skipped.
   */
  @Test
  void aStoppedPandaRunsLiveLineEndsBeforeTheStopsWords() throws Exception {
    Assumptions.assumeTrue(new java.io.File("/usr/bin/script").canExecute(), "no util-linux script here");
    Path study = dir.resolve("panda-terminal");
    List<String> java = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
        "--add-modules=jdk.incubator.vector", "-Dcaviar.command=caviar", "-cp", System.getProperty("java.class.path"),
        SlowShutdownCli.class.getName(), "tune", "--mode", "panda", "--trials", "3", "--epochs", "100000", "--pruner", "none",
        "--no-report", "--study", study.toString()));
    StringBuilder command = new StringBuilder("stty cols 80; exec");
    for (String word : java) command.append(" '").append(word.replace("'", "'\\''")).append('\'');
    Process p = new ProcessBuilder("/usr/bin/script", "-qfec", command.toString(), "/dev/null").redirectErrorStream(true).start();
    StringBuilder out = new StringBuilder();
    try (var in = p.getInputStream()) {
      byte[] buffer = new byte[8192];
      boolean sent = false;
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (!sent && out.indexOf("epoch 1") >= 0) { // the trial trains
          ProcessHandle child = p.descendants().filter(h -> h.info().command().orElse("").endsWith("java")).findFirst().orElseThrow();
          Assumptions.assumeFalse(ignoresInterrupts(child.pid()), "SIGINT is ignored in this process tree");
          assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(child.pid())).inheritIO().start().waitFor());
          sent = true;
        }
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the terminal did not end: " + out);
    String screen = out.toString();
    int words = screen.indexOf("caviar tune: interrupted; ");
    assertTrue(words >= 0, screen);
    String after = screen.substring(words);
    assertFalse(after.contains("\rtrials ") || after.contains("\ntrials "), after); // a frame starts "trials  0% [..."
  }

  /**
   * Stopped after its trials, while it writes the report: the study is whole in the journal, and the
   * run says so and how to write the report again (it ended without a word, its report half drawn).
   */
  @Test
  void aTuneStoppedWhileItWritesTheReportSaysHowToWriteItAgain() throws Exception {
    Path study = dir.resolve("study");
    Process p = CliRun.startChild(List.of("-Djava.awt.headless=true"), "tune", "--trials", "2", "--epochs", "2", "--workers", "1",
        "--no-progress", "--study", study.toString());
    String out = CliRun.stopAfter(p, line -> line.startsWith("train and save it: "));
    assertTrue(out.contains("caviar tune: interrupted while writing the report; the study is kept whole in "
        + study.resolve("journal.jsonl") + "; write the report again with: caviar tune --study " + study), out);
    assertEquals(143, p.exitValue(), out);
  }
  /**
   * Stopped (Ctrl-C, a plain kill) while a file is written whole (a report's chart, a model): the
   * file is left as it was, and no {@code .partial} beside it. The halted write left its temporary
   * file, e.g. {@code history.png.3smgxvj7l4956.partial} in a tune's report folder, and the report
   * written again kept it.
   */
  @Test
  void aWriteStoppedMidFileLeavesNoPartialFile() throws Exception {
    Path folder = Files.createDirectories(dir.resolve("report"));
    Path page = folder.resolve("index.html");
    Files.writeString(page, "old page");
    Process p = CliRun.startChild(StoppedWriteMain.class, List.of(), page.toString());
    String out = CliRun.stopAfter(p, line -> line.equals("writing"));
    assertEquals(143, p.exitValue(), out);
    assertEquals("old page", Files.readString(page));
    try (var files = Files.list(folder)) {
      assertEquals(List.of("index.html"), files.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }
}
