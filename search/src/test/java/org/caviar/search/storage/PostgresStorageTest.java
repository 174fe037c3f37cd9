package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

/** PostgresStorage against a real (embedded) PostgreSQL. */
class PostgresStorageTest {
  private static final SearchSpace SPACE = TestFunction.BRANIN.space();
  private static final StudyInfo INFO = new StudyInfo("round-trip", Direction.MINIMIZE, SPACE, 42);

  private static Point point(double x, double y) {
    return SPACE.pointFromUnit(new double[] {x, y});
  }

  @Test
  void roundTripsEveryEventAndResumesWithTheStoredSeed() {
    String url = TestPostgres.newDatabase();
    Point a = point(0.25, 0.5);
    Point b = point(0.75, 0.125);
    List<TrialRecord> written;
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(INFO, s.open(INFO));
      TrialRecord t0 = s.claimDecided(1000, (all, n) -> new SharedStorage.Proposal(a, -1));
      assertEquals(0, t0.number());
      s.recordIntermediate(0, 1, 3.5);
      s.recordIntermediate(0, 2, 2.5);
      s.recordIntermediate(0, 1, 3.25); // replaces step 1, keeps the report order
      s.recordOutcome(0, TrialState.COMPLETE, 2.0, null, 2000);
      TrialRecord t1 = s.claimTrial(3000);
      s.recordParams(1, b, 0);
      s.recordOutcome(1, TrialState.FAILED, Double.NaN, "boom", 4000);
      s.claimDecided(5000, (all, n) -> new SharedStorage.Proposal(a, -1));
      written = s.trials();
      assertEquals(1, t1.number());
      assertEquals(3, written.size());
    }
    TrialRecord expected0 = TrialRecord.claimed(0, 1000).withParams(a, -1).withIntermediate(1, 3.5)
        .withIntermediate(2, 2.5).withIntermediate(1, 3.25).withOutcome(TrialState.COMPLETE, 2.0, null, 2000);
    TrialRecord expected1 = TrialRecord.claimed(1, 3000).withParams(b, 0).withOutcome(TrialState.FAILED, Double.NaN, "boom", 4000);
    TrialRecord expected2 = TrialRecord.claimed(2, 5000).withParams(a, -1);
    assertEquals(List.of(expected0, expected1, expected2), written);
    // A second process (here: a second pool) sees the same study; its seed wins over a new one.
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(INFO, s.open(new StudyInfo("round-trip", Direction.MINIMIZE, SPACE, 7)));
      assertEquals(written, s.trials());
      assertThrows(IllegalStateException.class, () -> s.open(new StudyInfo("round-trip", Direction.MAXIMIZE, SPACE, 42)));
    }
  }

  @Test
  void aDecisionThatDeclinesOrThrowsLeavesNothingBehind() {
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(TestPostgres.newDatabase()), TestPostgres.fastSettings())) {
      s.open(INFO);
      assertNull(s.claimDecided(1, (all, n) -> null));
      assertThrows(ArithmeticException.class, () -> s.claimDecided(1, (all, n) -> {
        throw new ArithmeticException("sampler bug");
      }));
      assertEquals(List.of(), s.trials());
      assertEquals(0, s.claimDecided(1, (all, n) -> new SharedStorage.Proposal(point(0.5, 0.5), -1)).number());
    }
  }

  /** A trial longer than the grace survives on heartbeats alone; once they stop it is reaped. */
  @Test
  void heartbeatsKeepALongTrialAliveAndTheirSilenceGetsItReaped() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresStorage.Settings fast = TestPostgres.fastSettings();
    try (PostgresStorage other = new PostgresStorage(PostgresUrl.parse(url), fast)) {
      other.open(INFO);
      PostgresStorage busy = new PostgresStorage(PostgresUrl.parse(url), fast);
      busy.open(INFO);
      busy.claimDecided(1, (all, n) -> new SharedStorage.Proposal(point(0.5, 0.5), -1));
      Thread.sleep(fast.grace().toMillis() + 1000); // no reports: only the heartbeat thread speaks
      other.claimDecided(2, (all, n) -> {
        assertEquals(TrialState.RUNNING, all.getFirst().state(), all.getFirst()::toString);
        return null;
      });
      busy.close(); // the machine is gone: no outcome, no more heartbeats
      Thread.sleep(fast.grace().toMillis() + 500);
      other.claimDecided(3, (all, n) -> {
        TrialRecord lost = all.getFirst();
        assertTrue(lost.isInterrupted() && lost.reason().contains("worker lost") && lost.reason().contains("no heartbeat"),
            lost::toString);
        return null;
      });
    }
  }

  /**
   * Several storages (each its own pool, as separate processes would be) claim at once with a
   * budget checked inside the decision: numbers are dense and unique, and the budget is exact.
   */
  @Test
  void concurrentClaimsNeverDuplicateANumberOrOvershootTheBudget() throws Exception {
    String url = TestPostgres.newDatabase();
    int budget = 60;
    int clients = 4;
    List<PostgresStorage> storages = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients * 2);
    try {
      for (int i = 0; i < clients; i++) {
        PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
        s.open(INFO);
        storages.add(s);
      }
      List<Future<List<Integer>>> futures = new ArrayList<>();
      for (int i = 0; i < clients * 2; i++) { // two threads on each storage
        PostgresStorage s = storages.get(i % clients);
        Callable<List<Integer>> claimer = () -> {
          List<Integer> mine = new ArrayList<>();
          while (true) {
            TrialRecord t = s.claimDecided(System.currentTimeMillis(), (all, n) -> {
              // Under the lock the decision sees every earlier claim, and its number is the next one.
              assertEquals(all.size(), n);
              for (int k = 0; k < all.size(); k++) assertEquals(k, all.get(k).number());
              return all.size() >= budget ? null : new SharedStorage.Proposal(point(n / (double) budget, 0.5), -1);
            });
            if (t == null) return mine;
            mine.add(t.number());
            s.recordOutcome(t.number(), TrialState.COMPLETE, t.number(), null, System.currentTimeMillis());
          }
        };
        futures.add(pool.submit(claimer));
      }
      Set<Integer> seen = new HashSet<>();
      int total = 0;
      for (Future<List<Integer>> f : futures) {
        for (int n : f.get()) {
          assertTrue(seen.add(n), "trial " + n + " claimed twice");
          total++;
        }
      }
      assertEquals(budget, total);
      List<TrialRecord> all = storages.getFirst().trials();
      assertEquals(budget, all.size());
      for (TrialRecord t : all) assertEquals(TrialState.COMPLETE, t.state());
    } finally {
      pool.shutdownNow();
      for (PostgresStorage s : storages) s.close();
    }
  }
}
