package org.caviar.search.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.caviar.search.pruner.AshaPruner;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.StudyInfo;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResumeTest {
  @TempDir Path dir;

  /** A learning curve per trial of every kind of parameter, reported for ASHA at steps 1..9. */
  private static double curve(Trial t) {
    Point p = t.params();
    double v = Math.pow(Math.log10(p.getDouble("lr")) + 2, 2) + Math.abs(Math.log(p.getInt("units") / 100.0))
        + p.getDouble("dropout") + ("adam".equals(p.getString("optimizer")) ? -Math.log10(1 - p.getDouble("beta2")) / 3 : 1);
    for (int step = 1; step <= 9; step++) t.reportAndMaybePrune(step, v * (1 + 1.0 / step));
    return v;
  }

  /**
   * With one worker a study is the same from run to run, and a study stopped and resumed is the
   * same as one that ran through: every sampler proposes from the seed, the trial number and the
   * stored history alone, keeping nothing of its own that a resume would lose (pruned trials and
   * both directions included).
   */
  @Test
  void aStudyStoppedAndResumedProposesAsOneThatRanThrough() {
    List<java.util.function.Supplier<org.caviar.search.sampler.Sampler>> samplers = List.of(
        org.caviar.search.sampler.RandomSampler::new, () -> new org.caviar.search.sampler.GridSampler(3),
        () -> new org.caviar.search.sampler.CoarseToFineSampler(8, 0.25), org.caviar.search.sampler.TpeSampler::new,
        () -> org.caviar.search.sampler.GpSampler.builder().startupTrials(5).candidates(50).build());
    for (var sampler : samplers) {
      for (Direction d : Direction.values()) {
        Path journal = dir.resolve(sampler.get().name() + "-" + d + ".jsonl");
        java.util.function.Function<org.caviar.search.storage.Storage, Study> study = storage -> Study
            .builder(org.caviar.search.Spaces.everyKind()).direction(d).sampler(sampler.get())
            .pruner(new AshaPruner(1, 3, 9)).storage(storage).seed(7).workers(1).build();
        try (Study s = study.apply(new JournalStorage(journal))) {
          s.optimize(ResumeTest::curve, Budget.trials(12));
        }
        List<TrialRecord> resumed;
        try (Study s = study.apply(new JournalStorage(journal))) {
          resumed = s.optimize(ResumeTest::curve, Budget.trials(30)).trials();
        }
        List<TrialRecord> through;
        try (Study s = study.apply(new org.caviar.search.storage.InMemoryStorage())) {
          through = s.optimize(ResumeTest::curve, Budget.trials(30)).trials();
        }
        String what = sampler.get().name() + ", " + d;
        assertEquals(30, through.size(), what);
        assertEquals(through.size(), resumed.size(), what);
        for (int n = 0; n < through.size(); n++) {
          assertEquals(through.get(n).params(), resumed.get(n).params(), what + ": trial " + n);
          assertEquals(through.get(n).state(), resumed.get(n).state(), what + ": trial " + n);
        }
      }
    }
  }

  /**
   * What resuming must guarantee: every trial that finished before the crash is still there,
   * unchanged, and was not run again; every trial that was running is marked interrupted and its
   * parameters were run once more; the budget counts the study's trials but not the interrupted ones.
   */
  private static void assertResumedCleanly(List<TrialRecord> beforeCrash, History after, int budget) {
    Map<Integer, TrialRecord> byNumber = new HashMap<>();
    for (TrialRecord t : after.trials()) byNumber.put(t.number(), t);
    Map<Point, Integer> runs = new HashMap<>();
    for (TrialRecord t : after.trials()) {
      assertTrue(t.state().isFinished(), "left running: " + t);
      if (!t.isInterrupted()) runs.merge(t.params(), 1, Integer::sum);
    }
    int interrupted = 0;
    for (TrialRecord old : beforeCrash) {
      TrialRecord now = byNumber.get(old.number());
      if (old.state().isFinished()) {
        assertEquals(old, now, "a finished trial changed or was lost");
        assertEquals(1, runs.get(old.params()), "finished trial " + old.number() + " was run again");
      } else {
        interrupted++;
        assertTrue(now.isInterrupted(), "trial " + old.number() + " should be interrupted: " + now);
        if (old.params() == null) {
          // Killed between its claim and its parameters (a narrow window, hit under load): nothing to re-run.
          assertEquals(0, after.trials().stream().filter(t -> t.retryOf() == old.number()).count());
          continue;
        }
        long retries = after.trials().stream().filter(t -> t.retryOf() == old.number()).count();
        assertEquals(1, retries, "interrupted trial " + old.number() + " re-run once");
        TrialRecord retry = after.trials().stream().filter(t -> t.retryOf() == old.number()).findFirst().orElseThrow();
        assertEquals(old.params(), retry.params());
        assertEquals(TrialState.COMPLETE, retry.state());
      }
    }
    long counted = after.trials().stream().filter(t -> !t.isInterrupted()).count();
    assertEquals(budget, counted);
    assertEquals(budget + interrupted, after.size());
  }

  @Test
  void resumeAfterASimulatedCrashLosesNothingAndRepeatsNothing() throws IOException {
    Path journal = dir.resolve("journal.jsonl");
    Study first = Study.builder(org.caviar.search.bench.TestFunction.BRANIN.space()).name("crash")
        .storage(new JournalStorage(journal)).seed(77).workers(1).build();
    first.optimize(CrashingStudyMain::objective, Budget.trials(10));
    first.close();
    // Cut the journal as a crash during trial 6 would: its claim, parameters and first report made
    // it, its finish did not, and the next line was torn halfway.
    List<String> lines = Files.readAllLines(journal);
    int cut = 0;
    while (!lines.get(cut).contains("\"op\":\"report\",\"trial\":6")) cut++;
    Files.write(journal, lines.subList(0, cut + 1));
    Files.writeString(journal, "{\"op\":\"report\",\"trial\":6,\"step\":2,\"va", StandardOpenOption.APPEND);
    List<TrialRecord> beforeCrash;
    try (JournalStorage peek = new JournalStorage(dir.resolve("copy.jsonl"))) {
      Files.copy(journal, dir.resolve("copy.jsonl"));
      peek.open(first.info());
      beforeCrash = new ArrayList<>();
      for (TrialRecord t : peek.trials()) {
        // The peek itself marks running trials interrupted: undo that to see what the crash left.
        beforeCrash.add(t.isInterrupted() ? reopenAsRunning(t) : t);
      }
    }
    assertEquals(7, beforeCrash.size());
    Study resumed = CrashingStudyMain.study(journal);
    resumed.optimize(CrashingStudyMain::objective, Budget.trials(10));
    resumed.close();
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(first.info());
      assertResumedCleanly(beforeCrash, new History(s.trials(), first.direction()), 10);
    }
  }

  /**
   * Fixed text that looks like a number stays text through the journal's space and parameters, so
   * the study reopens and resumes: "1e-3" once came back as the number 0.001 (a different space) and
   * "30" as the number 30 (the space matched, the trials' "30" did not).
   */
  @Test
  void aStudyWithFixedTextThatLooksLikeANumberResumes() {
    for (String fixed : new String[] {"30", "1e-3"}) {
      SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.fixed("epochs", fixed));
      Path journal = dir.resolve("fixed-" + fixed + ".jsonl");
      Objective objective = t -> {
        assertEquals(fixed, t.get("epochs"));
        return t.getDouble("x");
      };
      try (Study s = Study.builder(space).name("fixed").storage(new JournalStorage(journal)).seed(3).workers(1).build()) {
        s.optimize(objective, Budget.trials(3));
      }
      try (Study s = Study.builder(space).name("fixed").storage(new JournalStorage(journal)).seed(3).workers(1).build()) {
        History h = s.optimize(objective, Budget.trials(6));
        assertEquals(6, h.size());
        for (TrialRecord t : h.trials()) assertEquals(fixed, t.params().get("epochs"));
      }
    }
  }

  /**
   * An interrupted trial is re-run once, as on PostgreSQL: a configuration that brings the process
   * down (or hangs it until Ctrl-C) would otherwise come back first on every resume, forever.
   */
  @Test
  void anInterruptedReRunIsNotRunAgain() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    Path journal = dir.resolve("journal.jsonl");
    Point p = space.pointFromValues(Map.of("x", 0.5));
    StudyInfo info;
    try (Study s = Study.builder(space).name("crashy").storage(new JournalStorage(journal)).seed(9).workers(1).build()) {
      info = s.info();
    }
    // The first run died in trial 0; the resume died in its re-run, trial 1.
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(info);
      s.recordParams(s.claimTrial(1000).number(), p, -1);
    }
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(info);
      s.recordParams(s.claimTrial(2000).number(), p, 0);
    }
    List<Point> seen = new ArrayList<>();
    try (Study s = Study.builder(space).name("crashy").storage(new JournalStorage(journal)).seed(9).workers(1).build()) {
      History h = s.optimize(t -> {
        seen.add(t.params());
        return t.getDouble("x");
      }, Budget.trials(3));
      assertEquals(5, h.size());
      assertTrue(h.trials().get(1).isInterrupted(), h.trials().get(1).toString());
      for (TrialRecord t : h.trials().subList(2, 5)) assertEquals(-1, t.retryOf(), t.toString());
    }
    assertEquals(3, seen.size());
    assertFalse(seen.contains(p), seen.toString());
  }

  /**
   * Which interrupted trials ran and were interrupted while they ran (a strike against their point,
   * if a re-run), and which never ran, by the reasons each writer records: a listener failing as
   * the trial started, a PostgreSQL worker giving back a claim as it stopped. Interrupted while it
   * ran is every other interrupted reason, whatever stopped the trial (a kill, a crash, an interrupt
   * of optimize, a worker releasing it as it stopped), and an older Caviar's or an unknown one.
   */
  @Test
  void trialsThatNeverRanAreToldApartByTheirReason() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    TrialRecord running = TrialRecord.claimed(0, 1).withParams(space.pointFromUnit(new double[] {0.5}), -1);
    Map<String, Boolean> ran = new java.util.LinkedHashMap<>();
    ran.put("interrupted: the process stopped while this trial ran", true);
    ran.put("interrupted: worker lost, host:12 sent no heartbeat for 0:01:02", true);
    ran.put("interrupted: worker lost, host:12 sent no heartbeat for 0:01:02; late result, not counted: COMPLETE 0.5 from host:12", true);
    ran.put("interrupted: killed", true);
    ran.put("interrupted", true);
    ran.put("interrupted: the study was interrupted while this trial ran", true);
    ran.put("interrupted: worker host:12 stopped while this trial ran", true);
    ran.put("interrupted: worker host:12 stopped while this trial ran; late result, not counted: COMPLETE 0.5 from host:12", true);
    ran.put("interrupted: a listener failed as the trial started: java.lang.IllegalStateException: bug", false);
    ran.put("interrupted: worker host:12 stopped before this trial ran", false);
    ran.forEach((reason, expected) -> {
      TrialRecord t = running.withOutcome(TrialState.FAILED, Double.NaN, reason, 2);
      assertTrue(t.isInterrupted(), reason);
      assertEquals(expected, t.isInterruptedWhileRunning(), reason);
    });
    assertFalse(running.withOutcome(TrialState.FAILED, Double.NaN, "java.lang.RuntimeException: interrupted: x", 2).isInterruptedWhileRunning());
    assertFalse(running.isInterruptedWhileRunning());
  }

  /**
   * ASHA's rung holds an interrupted trial once, by its re-run: the first attempt's reports stay in
   * the journal, and counted beside the re-run's they would let more trials through the rung.
   */
  @Test
  void ashaCountsAnInterruptedTrialOnceAfterItsReRun() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    Path journal = dir.resolve("journal.jsonl");
    StudyInfo info;
    try (Study s = Study.builder(space).name("asha").direction(Direction.MAXIMIZE).storage(new JournalStorage(journal)).seed(5)
        .workers(1).build()) {
      info = s.info();
    }
    // The first run finished trial 0 at 0.9, then died in trial 1 after its first epoch, at 0.1.
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(info);
      s.recordParams(s.claimTrial(1000).number(), space.pointFromValues(Map.of("x", 0.9)), -1);
      s.recordIntermediate(0, 1, 0.9);
      s.recordOutcome(0, TrialState.COMPLETE, 0.9, null, 1500);
      s.recordParams(s.claimTrial(2000).number(), space.pointFromValues(Map.of("x", 0.1)), -1);
      s.recordIntermediate(1, 1, 0.1);
    }
    Map<Integer, Boolean> prune = new HashMap<>();
    try (Study s = Study.builder(space).name("asha").direction(Direction.MAXIMIZE).storage(new JournalStorage(journal)).seed(5)
        .workers(1).pruner(new AshaPruner(1, 2)).build()) {
      History h = s.optimize(t -> {
        double v = t.getDouble("x") == 0.1 ? 0.1 : 0.5; // the re-run repeats its first attempt
        t.report(1, v);
        prune.put(t.number(), t.shouldPrune());
        return v;
      }, Budget.trials(3));
      assertEquals(1, h.trials().get(2).retryOf(), h.trials().toString());
    }
    // Trial 3 meets 0.9 and the re-run's 0.1 at rung 0: the best of three goes on, and 0.5 is not it.
    assertEquals(Map.of(2, true, 3, true), prune);
  }

  private static TrialRecord reopenAsRunning(TrialRecord t) {
    TrialRecord r = TrialRecord.claimed(t.number(), t.startMillis()).withParams(t.params(), t.retryOf());
    for (int i = 0; i < t.reportCount(); i++) r = r.withIntermediate(t.stepAt(i), t.intermediateAt(i));
    return r;
  }

  /** The real thing: a child JVM running a study on two workers, killed with SIGKILL mid-trial. */
  @Test
  void resumeAfterKillDashNine() throws Exception {
    Path journal = dir.resolve("journal.jsonl");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-cp", classPath(),
        CrashingStudyMain.class.getName(), journal.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (finishedLines(journal) < 8) {
        assertTrue(System.nanoTime() < deadline, "child made no progress: " + Files.readString(dir.resolve("child.log")));
        assertTrue(child.isAlive(), "child died: " + Files.readString(dir.resolve("child.log")));
        Thread.sleep(5);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL: no shutdown hook, no flush, no finally
      child.waitFor(10, TimeUnit.SECONDS);
    }
    Files.copy(journal, dir.resolve("copy.jsonl"));
    List<TrialRecord> beforeCrash = new ArrayList<>();
    try (JournalStorage peek = new JournalStorage(dir.resolve("copy.jsonl"))) {
      peek.open(CrashingStudyMain.study(dir.resolve("info.jsonl")).info());
      for (TrialRecord t : peek.trials()) beforeCrash.add(t.isInterrupted() ? reopenAsRunning(t) : t);
    }
    long finished = beforeCrash.stream().filter(t -> t.state().isFinished()).count();
    assertTrue(finished >= 8, "finished before the kill: " + finished);
    // Two workers were busy when the kill came: some trial was cut off mid-run.
    assertTrue(beforeCrash.stream().anyMatch(t -> t.state() == TrialState.RUNNING), "nothing was running");
    int budget = (int) finished + 4;
    Study resumed = CrashingStudyMain.study(journal);
    History after = resumed.optimize(CrashingStudyMain::objective, Budget.trials(budget));
    resumed.close();
    assertResumedCleanly(beforeCrash, after, budget);
  }

  /** This JVM's class path, including a launcher's own class loader (surefire passes it as is). */
  private static String classPath() {
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    if (ResumeTest.class.getClassLoader() instanceof java.net.URLClassLoader u) {
      for (java.net.URL url : u.getURLs()) {
        try {
          cp.append(java.io.File.pathSeparator).append(Path.of(url.toURI()));
        } catch (java.net.URISyntaxException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return cp.toString();
  }

  private static long finishedLines(Path journal) throws IOException {
    if (!Files.exists(journal)) return 0;
    return Files.readAllLines(journal).stream().filter(l -> l.contains("\"op\":\"finish\"")).count();
  }
}
