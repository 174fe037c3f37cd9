package org.caviar.search.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.pruner.MedianPruner;
import org.caviar.search.space.Point;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worker processes (separate JVMs) sharing one study through a real PostgreSQL. */
class DistributedStudyTest {
  @TempDir Path dir;

  private Process worker(String url, int budget, long stepMillis, String log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", TestPostgres.classPath(),
        PostgresWorkerMain.class.getName(), url, Integer.toString(budget), Long.toString(stepMillis))
        .redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start();
  }

  private static PostgresStorage storage(String url) {
    return new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
  }

  private static List<TrialRecord> trials(String url) {
    try (PostgresStorage s = storage(url)) {
      PostgresWorkerMain.study(s);
      return s.trials();
    }
  }

  @Test
  void threeWorkerProcessesShareOneStudyExactly() throws Exception {
    String url = TestPostgres.newDatabase();
    int budget = 30;
    List<Process> workers = new ArrayList<>();
    for (int w = 0; w < 3; w++) workers.add(worker(url, budget, 15, "worker" + w + ".log"));
    Map<Integer, Double> reported = new HashMap<>();
    Map<Integer, Integer> byWorker = new HashMap<>();
    for (int w = 0; w < 3; w++) {
      Process p = workers.get(w);
      String log = dir.resolve("worker" + w + ".log").toString();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "worker " + w + " did not finish");
      assertEquals(0, p.exitValue(), () -> "worker failed: " + read(log));
      for (String line : Files.readAllLines(Path.of(log))) {
        if (!line.startsWith("reported ")) continue;
        String[] f = line.split(" ");
        int n = Integer.parseInt(f[1]);
        assertEquals(null, reported.put(n, Double.parseDouble(f[2])), "trial " + n + " reported by two workers");
        byWorker.merge(w, 1, Integer::sum);
      }
    }
    List<TrialRecord> all = trials(url);
    assertEquals(budget, all.size(), "trials: " + all);
    Set<Point> seen = new HashSet<>();
    for (TrialRecord t : all) {
      assertEquals(TrialState.COMPLETE, t.state(), t::toString);
      assertTrue(seen.add(t.params()), "parameters evaluated twice: " + t.params());
      // Stored exactly what the worker reported: the double survives the database bit for bit.
      assertEquals(reported.get(t.number()), t.value(), t::toString);
      assertEquals(TestFunction.BRANIN.evaluate(t.params()), t.value(), t::toString);
      assertEquals(3, t.reportCount());
    }
    assertEquals(budget, reported.size());
    assertTrue(byWorker.size() >= 2, "the work was not shared: " + byWorker);

    // A later run on the same study resumes it: the budget counts the stored trials.
    try (PostgresStorage s = storage(url)) {
      History h = PostgresWorkerMain.study(s).optimize(t -> PostgresWorkerMain.objective(t, 0), Budget.trials(budget + 3));
      assertEquals(budget + 3, h.trials().size());
      assertEquals(all, h.trials().subList(0, budget));
    }
  }

  @Test
  void aWorkerKilledMidTrialIsReapedAfterTheGraceAndItsTrialRerunOnce() throws Exception {
    String url = TestPostgres.newDatabase();
    int budget = 6;
    Process victim = worker(url, budget, 400, "victim.log");
    int cutOff;
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) { // kill once a trial has reported but not finished
        assertTrue(System.nanoTime() < deadline, () -> "victim made no progress: " + read(dir.resolve("victim.log").toString()));
        assertTrue(victim.isAlive(), () -> "victim died: " + read(dir.resolve("victim.log").toString()));
        TrialRecord running = trials(url).stream()
            .filter(t -> t.state() == TrialState.RUNNING && t.reportCount() > 0).findFirst().orElse(null);
        if (running != null) {
          cutOff = running.number();
          break;
        }
        Thread.sleep(100);
      }
    } finally {
      victim.destroyForcibly(); // SIGKILL: no shutdown hook, no finally, no last heartbeat
      victim.waitFor(10, TimeUnit.SECONDS);
    }
    assertEquals(TrialState.RUNNING, trials(url).get(cutOff).state(), "the trial should be stuck until the grace passes");
    Thread.sleep(TestPostgres.fastSettings().grace().toMillis() + 300);
    try (PostgresStorage s = storage(url)) {
      History h = PostgresWorkerMain.study(s).optimize(t -> PostgresWorkerMain.objective(t, 0), Budget.trials(budget));
      List<TrialRecord> all = h.trials();
      TrialRecord lost = all.get(cutOff);
      assertEquals(TrialState.FAILED, lost.state());
      assertTrue(lost.isInterrupted() && lost.reason().contains("worker lost"), lost::reason);
      List<TrialRecord> reruns = all.stream().filter(t -> t.retryOf() == cutOff).toList();
      assertEquals(1, reruns.size(), "re-run once: " + all);
      assertEquals(lost.params(), reruns.getFirst().params());
      assertEquals(TrialState.COMPLETE, reruns.getFirst().state());
      assertEquals(0, all.stream().filter(t -> t.state() == TrialState.RUNNING).count(), "still running: " + all);
      assertEquals(budget, all.stream().filter(t -> t.state() == TrialState.COMPLETE).count(), "completed: " + all);
    }
  }

  /**
   * A worker stopped with trials under way (its study closed: an error, or Ctrl-C through the CLI's
   * hook) releases them: a resume at once re-runs both, rather than finding the budget spent by two
   * RUNNING trials and running nothing until their heartbeat is older than the grace (a minute here).
   */
  @Test
  void aClosedWorkersRunningTrialsAreRerunAtOnce() {
    String url = TestPostgres.newDatabase();
    PostgresStorage.Settings longGrace = new PostgresStorage.Settings(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(10));
    List<Point> held = new ArrayList<>();
    try (PostgresStorage a = new PostgresStorage(PostgresUrl.parse(url), longGrace)) {
      Study stopped = PostgresWorkerMain.study(a);
      for (int n = 0; n < 2; n++) {
        Point p = TestFunction.BRANIN.space().pointFromUnit(new double[] {0.1 + 0.3 * n, 0.5});
        assertEquals(n, a.claimNext(System.currentTimeMillis(), 2, Long.MAX_VALUE).number());
        a.recordParams(n, p, -1);
        held.add(p);
      }
      stopped.close();
    }
    try (PostgresStorage b = new PostgresStorage(PostgresUrl.parse(url), longGrace)) {
      List<TrialRecord> all = PostgresWorkerMain.study(b).optimize(t -> PostgresWorkerMain.objective(t, 0), Budget.trials(2)).trials();
      assertEquals(0, all.stream().filter(t -> t.state() == TrialState.RUNNING).count(), "still running: " + all);
      assertEquals(4, all.size(), all::toString);
      for (int n = 0; n < 2; n++) {
        TrialRecord first = all.get(n);
        assertTrue(first.isInterrupted() && first.reason().contains("stopped while this trial ran"), first::toString);
        TrialRecord rerun = all.get(2 + n);
        assertEquals(n, rerun.retryOf(), rerun::toString);
        assertEquals(held.get(n), rerun.params());
        assertEquals(TrialState.COMPLETE, rerun.state(), rerun::toString);
      }
    }
  }

  /**
   * Pruning reads the shared history: a second worker (its own pool, as another machine would
   * have) prunes its bad trials against the median of the first worker's completed ones, which it
   * never ran itself.
   */
  @Test
  void pruningDecisionsSeeTheOtherWorkersTrials() {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage first = storage(url); PostgresStorage second = storage(url)) {
      Study good = Study.builder(TestFunction.BRANIN.space()).name("pruned").storage(first).seed(1).workers(1)
          .pruner(new MedianPruner(3, 1)).build();
      good.optimize(t -> {
        t.reportAndMaybePrune(1, 1.0);
        return 1.0;
      }, Budget.trials(4));
      Study bad = Study.builder(TestFunction.BRANIN.space()).name("pruned").storage(second).seed(1).workers(1)
          .pruner(new MedianPruner(3, 1)).build();
      History h = bad.optimize(t -> {
        t.reportAndMaybePrune(1, 100.0); // worse than the first worker's median (1.0): pruned at once
        return 100.0;
      }, Budget.trials(7));
      List<TrialRecord> all = h.trials();
      assertEquals(7, all.size());
      for (int n = 0; n < 4; n++) assertEquals(TrialState.COMPLETE, all.get(n).state());
      for (int n = 4; n < 7; n++) assertEquals(TrialState.PRUNED, all.get(n).state(), all.get(n)::toString);
    }
  }

  /**
   * Two processes' grid studies (two storages, two worker threads each) propose at once, each from
   * a history where the others' fresh claims have no point yet: still every point exactly once.
   */
  @Test
  void gridWorkersProposingAtOnceTakeDistinctPoints() throws Exception {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage first = storage(url); PostgresStorage second = storage(url)) {
      List<Thread> runs = new ArrayList<>();
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      for (PostgresStorage s : List.of(first, second)) {
        Study study = Study.builder(TestFunction.BRANIN.space()).name("grid").storage(s).seed(4).workers(2)
            .sampler(new org.caviar.search.sampler.GridSampler(5)).build();
        Thread t = new Thread(() -> {
          try {
            study.optimize(trial -> {
              Thread.sleep(5);
              return TestFunction.BRANIN.evaluate(trial.params());
            }, Budget.trials(100));
          } catch (Throwable e) {
            errors.add(e);
          }
        });
        t.start();
        runs.add(t);
      }
      for (Thread t : runs) t.join(120_000);
      assertEquals(List.of(), errors);
      List<TrialRecord> all = trials(url, "grid");
      Set<Point> seen = new HashSet<>();
      for (TrialRecord t : all) assertTrue(seen.add(t.params()), "parameters evaluated twice: " + t.params());
      assertEquals(25, seen.size(), "trials: " + all);
    }
  }

  private static List<TrialRecord> trials(String url, String name) {
    try (PostgresStorage s = storage(url)) {
      Study.builder(TestFunction.BRANIN.space()).name(name).storage(s).build();
      return s.trials();
    }
  }

  private static String read(String file) {
    try {
      return Files.readString(Path.of(file));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
