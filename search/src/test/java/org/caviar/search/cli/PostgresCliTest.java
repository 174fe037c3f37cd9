package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tune --storage} and {@code worker} on a real (embedded) PostgreSQL, and their errors. */
class PostgresCliTest {
  @TempDir Path dir;


  /** Exit code 2 (bad usage) and exactly one line on stderr, starting with the command and containing {@code expected}. */
  private static void assertOneLineError(CliRun r, String command, String expected) {
    assertOneLine(2, r, command, expected);
  }

  /** Exit code {@code code} and exactly one line on stderr, starting with the command and containing {@code expected}. */
  private static void assertOneLine(int code, CliRun r, String command, String expected) {
    assertEquals(code, r.code(), r.out() + r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "more than one line: " + err);
    assertTrue(err.startsWith("caviar " + command + ": ") && err.contains(expected), err);
  }

  @Test
  void workerHasHelp() {
    CliRun r = run("worker", "--help");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Usage: caviar worker") && r.out().contains("--storage") && r.out().contains("--study"), r.out());
  }

  @Test
  void badUrlsUnreachableServersAndWrongCredentialsAreOneLineErrors() {
    String study = dir.resolve("s").toString();
    assertOneLineError(run("tune", "--storage", "mysql://localhost/db", "--study", study), "tune", "bad storage URL 'mysql://localhost/db'");
    assertOneLineError(run("tune", "--storage", "postgresql://localhost:5432", "--study", study), "tune", "one database name");
    assertOneLineError(run("tune", "--storage", "postgresql://u:secret@localhost/db", "--study", study), "tune", "PGPASSWORD");
    assertFalse(run("tune", "--storage", "postgresql://u:secret@localhost/db", "--study", study).err().contains("secret"),
        "the password was printed");
    // Port 1 on the loopback: nothing listens there, so the connection is refused at once. What the
    // server refuses is a failed run (1), not bad usage (2): the URL itself was read.
    assertOneLine(1, run("worker", "--storage", "postgresql://127.0.0.1:1/db", "--study", "s"), "worker",
        "cannot reach PostgreSQL at 127.0.0.1:1");
    String url = TestPostgres.newDatabase();
    String port = url.replaceAll(".*:(\\d+)/.*", "$1");
    assertOneLine(1, run("worker", "--storage", "postgresql://nobody@localhost:" + port + "/postgres", "--study", "s"), "worker",
        "refused user 'nobody'");
    assertOneLine(1, run("worker", "--storage", "postgresql://postgres@localhost:" + port + "/no_such_db", "--study", "s"), "worker",
        "has no database 'no_such_db'");
    // Without --storage or --study: CaviarCliTest.workerShowsStorageAndStudyAsRequired.
  }

  @Test
  void tuneAndWorkerShareAStudyInTheDatabase() {
    String url = TestPostgres.newDatabase();
    String[] small = small(url, dir.resolve("shared").toString(), 1, true);
    CliRun tune = run(concat(new String[] {"tune", "--trials", "2", "--no-report"}, small));
    assertEquals(0, tune.code(), tune.err());
    assertTrue(tune.out().contains("study: 'shared' in postgresql://postgres@localhost:"), tune.out());
    CliRun worker = run(concat(new String[] {"worker", "--trials", "3"}, small));
    assertEquals(0, worker.code(), worker.err());
    assertTrue(worker.out().contains("resuming the study 'shared'") && worker.out().contains("2 trials done before"), worker.out());
    // What it prints is about a worker: it goes on as one.
    assertTrue(worker.out().contains("caviar worker on ") && worker.out().contains("resume or extend: caviar worker --study "), worker.out());
    // The budget is the study's: a worker without --trials runs until the stored one (3) is spent.
    CliRun idle = run(concat(new String[] {"worker"}, small));
    assertEquals(0, idle.code(), idle.err());
    assertTrue(idle.out().contains("3 trials of up to 1 epoch;") && idle.out().contains("for no trial;"), idle.out());
    // tune on the same study, from anywhere, reports it.
    CliRun watch = run(concat(new String[] {"tune"}, small));
    assertEquals(0, watch.code(), watch.err());
    assertTrue(watch.out().contains("3 trials done before") && watch.out().contains("for no trial;"), watch.out());
    assertTrue(watch.out().contains("best: trial"), watch.out());
    // And the best trial trains again from the database, as from a journal.
    CliRun train = run("train", "--from-study", "shared", "--storage", url, "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("best.caviar").toString());
    assertEquals(0, train.code(), train.err());
    assertTrue(train.out().contains("from 'shared' in postgresql://") && train.out().contains("test: accuracy"), train.out());
    // Without --threads, on the threads the database recorded for the trial (caviar mode: one).
    CliRun own = run("train", "--from-study", "shared", "--storage", url, "--epochs", "1", "--out", dir.resolve("own.caviar").toString());
    assertEquals(0, own.code(), own.err());
    assertTrue(own.out().contains("threads: 1, the trial's own (--threads to change)"), own.out());
    assertOneLineError(run("train", "--from-study", "nope", "--storage", url, "--out", dir.resolve("x.caviar").toString()), "train",
        "no study 'nope' in postgresql://");
  }

  /**
   * The closing "search time ... for N trials" counts this process's trials: on a shared study it
   * counted every trial numbered after this run began, those other workers ran meanwhile too (and
   * their epochs), as if this run had run them in its time. Another worker runs a trial while this
   * tune is between its first look at the study and its own trials (the hook {@link TuneCommand#at}).
   */
  @Test
  void theSearchTimeLineCountsThisProcesssTrials() {
    String url = TestPostgres.newDatabase();
    String[] small = small(url, "mine", 2, false);
    CliRun first = run(concat(new String[] {"tune", "--trials", "1"}, small));
    assertEquals(0, first.code(), first.out() + first.err());
    java.util.concurrent.atomic.AtomicReference<CliRun> other = new java.util.concurrent.atomic.AtomicReference<>();
    java.util.function.Consumer<String> was = TuneCommand.at;
    TuneCommand.at = point -> {
      if (point.equals(TuneCommand.BEFORE_BUDGET) && other.get() == null) {
        other.set(new CliRun(-1, "", "")); // the other worker's own run passes here too
        other.set(run(concat(new String[] {"worker", "--trials", "2"}, small)));
      }
    };
    CliRun again;
    try {
      again = run(concat(new String[] {"tune", "--trials", "3"}, small));
    } finally {
      TuneCommand.at = was;
    }
    assertEquals(0, other.get().code(), other.get().out() + other.get().err());
    assertTrue(other.get().out().contains("for 1 trial;"), other.get().out());
    assertEquals(0, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("1 trial done before"), again.out());
    assertTrue(again.out().contains(" s for 1 trial (1 more by other workers meanwhile); 3 trials: 3 complete, 0 pruned, 0 failed; "
        + "2 epochs trained of 2 without pruning (100%)"), again.out());
  }

  /**
   * On a shared study the workers capped at the budget are capped for now: a budget another process
   * raises meanwhile starts more, up to --workers (Study.optimize), and the line says so. A grid's
   * points left are not raised by a budget, and a journal's budget is this run's alone
   * (CaviarCliTest), so neither says it.
   */
  @Test
  void theWorkersCapOnASharedStudySaysARaiseStartsMore() {
    String url = TestPostgres.newDatabase();
    String[] small = small(url, "capped", 1, false);
    int w = java.util.Arrays.asList(small).indexOf("--workers");
    small[w + 1] = "4";
    CliRun r = run(concat(new String[] {"tune", "--trials", "2"}, small));
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 2 workers in caviar mode (--workers 4, capped at the budget's 2 trials; more start if the budget "
        + "is raised meanwhile)"), r.out());
  }

  /**
   * A tune running on a shared study follows a budget another process changes meanwhile (tune
   * --trials N elsewhere): raised, it claims up to the new budget, and its progress lines and its
   * closing "resume or extend" count against the new one; lowered, it stops there. It claimed
   * against the budget it started with, and printed that one. The other process changes the budget
   * as this run's first trial starts (the hook {@link TuneCommand#at}).
   */
  @Test
  void aRunningTuneFollowsABudgetChangedElsewhere() {
    String url = TestPostgres.newDatabase();
    // With plain progress lines (the output is no terminal): --no-progress left out.
    String[] small = java.util.Arrays.stream(small(url, "moving", 1, false)).filter(o -> !o.equals("--no-progress")).toArray(String[]::new);
    CliRun raised = runWhileBudgetSet(url, "moving", 3, concat(new String[] {"tune", "--trials", "1"}, small));
    assertEquals(0, raised.code(), raised.out() + raised.err());
    assertTrue(raised.out().contains(" s for 3 trials;") && raised.out().contains("trials 3/3 |"), raised.out());
    assertFalse(raised.out().contains("trials 1/1"), raised.out());
    assertTrue(raised.out().contains("resume or extend: caviar tune --study moving --storage " + url + " --trials 43"), raised.out());
    CliRun lowered = runWhileBudgetSet(url, "moving", 4, concat(new String[] {"tune", "--trials", "6"}, small));
    assertEquals(0, lowered.code(), lowered.out() + lowered.err());
    assertTrue(lowered.out().contains(" s for 1 trial;") && lowered.out().contains("trials 4/4 |"), lowered.out());
    assertTrue(lowered.out().contains("--trials 44"), lowered.out());
  }

  /** Runs {@code args} while another storage sets the budget of {@code study} to {@code budget} as the run's first trial starts. */
  private static CliRun runWhileBudgetSet(String url, String study, int budget, String... args) {
    java.util.function.Consumer<String> was = TuneCommand.at;
    java.util.concurrent.atomic.AtomicBoolean set = new java.util.concurrent.atomic.AtomicBoolean();
    TuneCommand.at = point -> {
      if (!point.equals(TuneCommand.TRIAL_STARTED) || set.getAndSet(true)) return;
      try (PostgresStorage other = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
        other.open(other.peek(study));
        other.recordTrialBudget(budget);
      }
    };
    try {
      return run(args);
    } finally {
      TuneCommand.at = was;
    }
  }

  /**
   * A worker without --trials runs to the study's budget as it is when its trials start: it read
   * the budget before loading its data, and then wrote that back, so that a 'tune --trials 3' that
   * raised it meanwhile (seconds, for a large file) was silently undone, for every worker, and this
   * one stopped at the old budget. The other process raises it here between the two (the hook
   * {@link TuneCommand#at}).
   */
  @Test
  void aWorkerWithoutTrialsDoesNotUndoABudgetRaisedWhileItLoaded() throws Exception {
    String url = TestPostgres.newDatabase();
    String[] small = small(url, "raised", 1, false);
    CliRun first = run(concat(new String[] {"tune", "--trials", "1"}, small));
    assertEquals(0, first.code(), first.out() + first.err());
    java.util.function.Consumer<String> was = TuneCommand.at;
    TuneCommand.at = point -> {
      if (!point.equals(TuneCommand.BEFORE_BUDGET)) return;
      try (PostgresStorage other = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
        other.open(other.peek("raised"));
        other.recordTrialBudget(3);
      }
    };
    CliRun worker;
    try {
      worker = run(concat(new String[] {"worker"}, small));
    } finally {
      TuneCommand.at = was;
    }
    assertEquals(0, worker.code(), worker.out() + worker.err());
    assertEquals(3, budget(url, "raised"));
    assertTrue(worker.out().contains("3 trials of up to 1 epoch;") && worker.out().contains("for 2 trials;"), worker.out());
  }

  /**
   * A worker's --trials below the study's finished trials is refused as tune's is: it silently
   * replaced the shared budget (10 became 3). Equal runs nothing and keeps it.
   */
  @Test
  void aWorkerCannotLowerTheBudgetBelowTheFinishedTrials() throws Exception {
    String url = TestPostgres.newDatabase();
    String[] small = {"--epochs", "1", "--workers", "1", "--no-progress", "--storage", url, "--study", "lower", "--pruner", "none",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};
    CliRun tune = run(concat(new String[] {"tune", "--trials", "10", "--no-report"}, small));
    assertEquals(0, tune.code(), tune.out() + tune.err());
    CliRun lower = run(concat(new String[] {"worker", "--trials", "3"}, small));
    assertOneLineError(lower, "worker", "the study has 10 finished trials: --trials 3 would lower its budget; give --trials 10 or more");
    assertEquals(10, budget(url, "lower"));
    CliRun same = run(concat(new String[] {"worker", "--trials", "10"}, small));
    assertEquals(0, same.code(), same.out() + same.err());
    assertTrue(same.out().contains("10 trials done before") && same.out().contains("for no trial;"), same.out());
    assertEquals(10, budget(url, "lower"));
  }

  /**
   * A --trials below the finished trials is refused before the data is read, as on a journal: on
   * PostgreSQL it was refused only after the data loaded (after hashing it against the study's
   * stored fingerprint, minutes for a large file), and a dataset changed meanwhile was reported
   * first, for a run that was to be refused anyway.
   */
  @Test
  void aTooLowTrialsIsRefusedBeforeTheDataIsRead() throws Exception {
    String url = TestPostgres.newDatabase();
    Path csv = dir.resolve("data.csv");
    StringBuilder rows = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 60; i++) rows.append(i % 3).append(',').append(i % 7).append(',').append(i % 3).append('\n');
    java.nio.file.Files.writeString(csv, rows);
    String[] small = {"--epochs", "1", "--workers", "1", "--no-progress", "--no-report", "--storage", url, "--study", "early",
        "--pruner", "none", "--csv", csv.toString(), "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)",
        "--param", "layers = fixed(1)"};
    CliRun tune = run(concat(new String[] {"tune", "--trials", "2"}, small));
    assertEquals(0, tune.code(), tune.out() + tune.err());
    java.nio.file.Files.writeString(csv, rows.toString().replace("0,0,0", "0,1,0")); // changed in place: not the study's data
    assertOneLineError(run(concat(new String[] {"worker", "--trials", "1"}, small)), "worker",
        "the study has 2 finished trials: --trials 1 would lower its budget; give --trials 2 or more");
  }

  private static Integer budget(String url, String study) {
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      return s.trialBudget(study);
    }
  }

  /** A mistyped --study must not start a new study with the default space and budget. */
  @Test
  void workerRefusesAStudyThatDoesNotExist() throws Exception {
    String url = TestPostgres.newDatabase();
    CliRun r = run("worker", "--storage", url, "--study", "mlpp", "--epochs", "1", "--no-progress");
    assertOneLineError(r, "worker", "no study 'mlpp' in postgresql://postgres@localhost:");
    assertTrue(r.err().contains("create it with caviar tune --storage " + url + " --study mlpp"), r.err());
    try (java.sql.Connection c = TestPostgres.connect(url); java.sql.Statement q = c.createStatement();
        java.sql.ResultSet rows = q.executeQuery("SELECT count(*) FROM caviar_study")) {
      rows.next();
      assertEquals(0, rows.getInt(1), "a study was created");
    }
  }

  /**
   * A run that finds the budget spent by trials another worker holds (their heartbeat recent: a live
   * worker, or one killed less than the grace ago) runs nothing, and says why rather than exiting
   * as if the study were done.
   */
  @Test
  void aRunThatFindsTheBudgetHeldByRunningTrialsSaysSo() {
    String url = TestPostgres.newDatabase();
    String[] small = small(url, "held", 1, false);
    CliRun first = run(concat(new String[] {"tune", "--trials", "1"}, small));
    assertEquals(0, first.code(), first.out() + first.err());
    // Another worker, whose first heartbeat would come after the test: its trials are fresh, not lost.
    try (PostgresStorage other = new PostgresStorage(PostgresUrl.parse(url),
        new PostgresStorage.Settings(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(10)))) {
      other.open(other.peek("held"));
      other.recordTrialBudget(3); // as a 'worker --trials 3' does: the claims check the study's budget
      for (int n = 1; n <= 2; n++) assertEquals(n, other.claimNext(System.currentTimeMillis(), 3, Long.MAX_VALUE).number());
      CliRun again = run(concat(new String[] {"tune", "--trials", "3"}, small));
      assertEquals(0, again.code(), again.out() + again.err());
      assertTrue(again.out().contains("for no trial;") && again.out().contains("2 running"), again.out());
      assertTrue(again.out().contains("2 trials are still held by another worker (or one stopped less than 60 s ago); "
          + "run again after that to re-run them if it stopped"), again.out());
    }
  }

  /**
   * Stopped by a signal (a plain kill; Ctrl-C takes the same path), tune releases the trial it was
   * running, so that a resume at once re-runs it (instead of a claim after the grace, a minute).
   */
  @Test
  void aStoppedTuneReleasesItsTrialUnderWay() throws Exception {
    String url = TestPostgres.newDatabase();
    // Trials of 100000 epochs: the one under way when the signal comes is still running.
    Process p = CliRun.startChild(List.of(), "tune", "--trials", "5", "--epochs", "100000", "--workers", "1", "--no-progress",
        "--no-report", "--storage", url, "--study", "stopped", "--sampler", "random", "--pruner", "none",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)");
    String out = CliRun.stopAfter(p, line -> line.startsWith("study: ") && trialUnderWay(url, "stopped"));
    assertEquals(143, p.exitValue(), out);
    assertTrue(out.contains("the trial under way was released: the resume re-runs it"), out);
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      s.open(s.peek("stopped"));
      List<TrialRecord> all = s.trials();
      assertEquals(1, all.size(), all::toString);
      TrialRecord t = all.getFirst();
      assertTrue(t.isInterrupted() && t.reason().contains("stopped while this trial ran"), t::toString);
      // Its parameters wait for their re-run: the next claim takes them, within the budget of one.
      TrialRecord rerun = s.claimNext(System.currentTimeMillis(), 1, Long.MAX_VALUE);
      assertEquals(0, rerun.retryOf(), rerun::toString);
      assertEquals(t.params(), rerun.params());
    }
  }

  /**
   * Waits (up to a minute) until the study holds a running trial with its parameters: a fixed wait
   * after the "study:" line was sometimes too short for the first claim. Read with the default
   * settings, whose grace is the child's: this reader declares none of its trials lost.
   */
  private static boolean trialUnderWay(String url, String study) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (PostgresStorage s = new PostgresStorage(url)) {
        s.open(s.peek(study));
        if (s.trials().stream().anyMatch(t -> t.state() == TrialState.RUNNING && t.params() != null)) {
          CliRun.sleep(300); // into its first epochs
          return true;
        }
      }
      CliRun.sleep(100);
    }
    throw new AssertionError("no trial of '" + study + "' started within a minute");
  }

  private static String[] concat(String[] a, String[] b) {
    String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  /**
   * The options of a small random search of one worker on study {@code study} at {@code url}: two
   * parameters, one hidden layer, {@code epochs} epochs, no progress bar, no report unless asked.
   */
  private static String[] small(String url, String study, int epochs, boolean report) {
    List<String> options = new java.util.ArrayList<>(List.of("--epochs", Integer.toString(epochs), "--workers", "1", "--no-progress"));
    if (!report) options.add("--no-report");
    options.addAll(List.of("--storage", url, "--study", study, "--sampler", "random", "--pruner", "none",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"));
    return options.toArray(new String[0]);
  }
}
