package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
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
  private static final long UNLIMITED = Long.MAX_VALUE;

  private static Point point(double x, double y) {
    return SPACE.pointFromUnit(new double[] {x, y});
  }

  private static PostgresStorage open(String url, PostgresStorage.Settings settings) {
    PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), settings);
    s.open(INFO);
    return s;
  }

  /** A worker whose first heartbeat comes after the test is over: silent, as if dead, but still able to write. */
  private static PostgresStorage.Settings silent() {
    return new PostgresStorage.Settings(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(10));
  }

  /** Sleeps past the fast settings' grace, so that a silent worker's trials count as lost. */
  private static void outlastGrace() throws InterruptedException {
    Thread.sleep(TestPostgres.fastSettings().grace().toMillis() + 300);
  }

  @Test
  void roundTripsEveryEventAndResumesWithTheStoredSeed() {
    String url = TestPostgres.newDatabase();
    Point a = point(0.25, 0.5);
    Point b = point(0.75, 0.125);
    List<TrialRecord> written;
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(INFO, s.open(INFO));
      TrialRecord t0 = s.claimNext(1000, 10, UNLIMITED);
      assertEquals(TrialRecord.claimed(0, 1000), t0); // fresh: the caller proposes
      s.recordParams(0, a, -1);
      s.recordIntermediate(0, 1, 3.5);
      s.recordIntermediate(0, 2, 2.5);
      s.recordIntermediate(0, 1, 3.25); // replaces step 1, keeps the report order
      s.recordOutcome(0, TrialState.COMPLETE, 2.0, null, 2000);
      TrialRecord t1 = s.claimTrial(3000);
      s.recordParams(1, b, 0);
      s.recordOutcome(1, TrialState.FAILED, Double.NaN, "boom", 4000);
      s.claimNext(5000, 10, UNLIMITED);
      written = s.trials();
      assertEquals(1, t1.number());
      assertEquals(3, written.size());
    }
    TrialRecord expected0 = TrialRecord.claimed(0, 1000).withParams(a, -1).withIntermediate(1, 3.5)
        .withIntermediate(2, 2.5).withIntermediate(1, 3.25).withOutcome(TrialState.COMPLETE, 2.0, null, 2000);
    TrialRecord expected1 = TrialRecord.claimed(1, 3000).withParams(b, 0).withOutcome(TrialState.FAILED, Double.NaN, "boom", 4000);
    TrialRecord expected2 = TrialRecord.claimed(2, 5000); // claimed, no parameters yet: pending without a point
    assertEquals(List.of(expected0, expected1, expected2), written);
    // A second process (here: a second pool) sees the same study; its seed wins over a new one.
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(INFO, s.open(new StudyInfo("round-trip", Direction.MINIMIZE, SPACE, 7)));
      assertEquals(written, s.trials());
      assertThrows(IllegalStateException.class, () -> s.open(new StudyInfo("round-trip", Direction.MAXIMIZE, SPACE, 42)));
    }
  }

  /**
   * A storage closed and opened again (a study closed, then resumed on the same storage, as a
   * journal can be) works as a new one would: it reads the study afresh, with what other workers
   * wrote meanwhile, claims again (a closed study released its trials, which must not stop the
   * next one's claims), beats for the trials it runs, and closes again.
   */
  @Test
  void aClosedStorageReopens() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
    s.open(INFO);
    s.claimNext(1000, 10, UNLIMITED);
    s.recordParams(0, point(0.1, 0.1), -1);
    s.recordOutcome(0, TrialState.COMPLETE, 1.0, null, 1500);
    s.claimNext(2000, 10, UNLIMITED); // still running when its study closes: released
    assertEquals(new SharedStorage.Released(1, 0), s.releaseHeld()); // no parameters yet: no re-run among them
    s.close();
    try (PostgresStorage other = open(url, TestPostgres.fastSettings())) {
      other.claimNext(3000, 10, UNLIMITED);
      other.recordOutcome(2, TrialState.FAILED, Double.NaN, "boom", 3500);
    }
    assertEquals(INFO, s.peek(INFO.name()), "a closed storage looks up a study as a new one does, before its open");
    assertEquals(null, s.trialBudget(INFO.name()));
    assertEquals(INFO, s.open(INFO));
    List<TrialRecord> trials = s.trials();
    assertEquals(3, trials.size(), trials::toString);
    assertTrue(trials.get(1).isInterrupted(), trials.get(1)::toString);
    assertEquals("boom", trials.get(2).reason());
    TrialRecord next = s.claimNext(4000, 10, UNLIMITED);
    assertEquals(3, next.number(), "claims again after a release");
    // Its heartbeat runs again: the trial outlives the grace.
    Thread.sleep(TestPostgres.fastSettings().grace().toMillis() + 500);
    try (PostgresStorage reaper = open(url, TestPostgres.fastSettings())) {
      reaper.claimNext(5000, 10, UNLIMITED);
      assertEquals(TrialState.RUNNING, reaper.trials().get(3).state(), "reaped: no heartbeat after the reopen");
    }
    s.recordOutcome(3, TrialState.COMPLETE, 0.5, null, 6000);
    s.close();
    s.close(); // twice is harmless
    try (PostgresStorage check = open(url, TestPostgres.fastSettings())) {
      assertEquals(TrialState.COMPLETE, check.trials().get(3).state());
    }
  }

  @Test
  void claimsStopAtTheBudgetAndFreshOnesAtTheFreshLimit() {
    try (PostgresStorage s = open(TestPostgres.newDatabase(), TestPostgres.fastSettings())) {
      assertNull(s.claimNext(1, 0, UNLIMITED));
      assertEquals(0, s.claimNext(1, 3, 2).number());
      assertEquals(1, s.claimNext(1, 3, 2).number());
      assertNull(s.claimNext(1, 3, 2), "the fresh limit (e.g. a grid's size) is reached");
      s.recordOutcome(0, TrialState.COMPLETE, 1.0, null, 2);
      assertNull(s.claimNext(1, 2, UNLIMITED), "finished trials count against the budget");
      assertEquals(2, s.claimNext(1, 3, UNLIMITED).number());
      assertNull(s.claimNext(1, 3, UNLIMITED));
      assertEquals(3, s.trials().size());
      assertThrows(IllegalArgumentException.class, () -> s.claimNext(1, -1, UNLIMITED));
    }
  }

  /**
   * A claim checks the budget stored with the study as it is at the claim, whatever budget its
   * process started with: another process (tune --trials N elsewhere) that raises it lets this one
   * claim up to the new budget, one that lowers it stops this one at the new one. The budget given
   * is the fallback for a study that stores none.
   */
  @Test
  void claimsFollowTheStoredBudgetAsAnotherProcessChangesIt() {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage worker = open(url, TestPostgres.fastSettings()); PostgresStorage other = open(url, TestPostgres.fastSettings())) {
      assertEquals(7, worker.budget(7), "no stored budget: the fallback");
      worker.recordTrialBudget(2);
      for (int n = 0; n < 2; n++) worker.recordOutcome(worker.claimNext(1, 2, UNLIMITED).number(), TrialState.COMPLETE, n, null, 2);
      assertNull(worker.claimNext(1, 2, UNLIMITED));
      other.recordTrialBudget(4);
      assertEquals(4, worker.budget(2));
      TrialRecord past = worker.claimNext(1, 2, UNLIMITED);
      assertTrue(past != null && past.number() == 2, "raised elsewhere: this worker claims past its own budget, got " + past);
      worker.recordOutcome(2, TrialState.COMPLETE, 2, null, 2);
      other.recordTrialBudget(3);
      assertNull(worker.claimNext(1, 4, UNLIMITED), "lowered elsewhere: this worker stops at the new budget");
      assertEquals(3, worker.budget(4));
      assertEquals(3, worker.trials().size());
    }
  }

  /** A trial longer than the grace survives on heartbeats alone; once they stop it is reaped. */
  @Test
  void heartbeatsKeepALongTrialAliveAndTheirSilenceGetsItReaped() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresStorage.Settings fast = TestPostgres.fastSettings();
    try (PostgresStorage other = open(url, fast)) {
      PostgresStorage busy = open(url, fast);
      busy.claimNext(1, 10, UNLIMITED);
      busy.recordParams(0, point(0.5, 0.5), -1);
      Thread.sleep(fast.grace().toMillis() + 1000); // no reports: only the heartbeat thread speaks
      assertNull(other.claimNext(2, 0, UNLIMITED)); // claims nothing, but looks for lost trials first
      assertEquals(TrialState.RUNNING, other.trials().getFirst().state(), () -> other.trials().toString());
      busy.close(); // the machine is gone: no outcome, no more heartbeats
      Thread.sleep(fast.grace().toMillis() + 500);
      assertNull(other.claimNext(3, 0, UNLIMITED));
      TrialRecord lost = other.trials().getFirst();
      assertTrue(lost.isInterrupted() && lost.reason().contains("worker lost") && lost.reason().contains("no heartbeat"),
          lost::toString);
      // Lost trials do not count against the budget; this one's parameters come back once.
      TrialRecord rerun = other.claimNext(4, 1, UNLIMITED);
      assertEquals(point(0.5, 0.5), rerun.params());
      assertEquals(0, rerun.retryOf());
      assertEquals(rerun, other.trials().get(1));
    }
  }

  /**
   * Several storages (each its own pool, as separate processes would be) claim at once: numbers
   * are dense and unique, and the budget is exact.
   */
  @Test
  void concurrentClaimsNeverDuplicateANumberOrOvershootTheBudget() throws Exception {
    String url = TestPostgres.newDatabase();
    int budget = 60;
    List<Integer> claimed = claimConcurrently(url, 4, budget, n -> point(n / (double) budget, 0.5));
    assertEquals(budget, claimed.size());
    assertEquals(budget, new HashSet<>(claimed).size(), "a trial claimed twice: " + claimed);
    try (PostgresStorage s = open(url, TestPostgres.fastSettings())) {
      List<TrialRecord> all = s.trials();
      assertEquals(budget, all.size());
      for (TrialRecord t : all) assertEquals(TrialState.COMPLETE, t.state(), t::toString);
    }
  }

  /** A lost worker's trials with parameters are each re-run exactly once, however many claim at once; one without parameters is not. */
  @Test
  void lostTrialsAreRerunOnceEachUnderConcurrentClaims() throws Exception {
    String url = TestPostgres.newDatabase();
    List<Point> lostPoints = List.of(point(0.1, 0.1), point(0.2, 0.2), point(0.3, 0.3));
    try (PostgresStorage dead = open(url, silent())) {
      for (int n = 0; n < 3; n++) {
        dead.claimNext(1, 10, UNLIMITED);
        dead.recordParams(n, lostPoints.get(n), -1);
      }
      dead.claimNext(1, 10, UNLIMITED); // trial 3: died before its parameters were recorded
    }
    outlastGrace();
    try (PostgresStorage reaper = open(url, TestPostgres.fastSettings())) {
      assertNull(reaper.claimNext(1, 0, UNLIMITED));
    }
    int budget = 6; // the four lost trials do not count
    List<Integer> claimed = claimConcurrently(url, 4, budget, n -> point(0.9, n / 100.0));
    assertEquals(budget, claimed.size());
    try (PostgresStorage s = open(url, TestPostgres.fastSettings())) {
      List<TrialRecord> all = s.trials();
      assertEquals(4 + budget, all.size(), all::toString);
      List<Integer> retried = new ArrayList<>();
      for (TrialRecord t : all.subList(4, all.size())) {
        assertEquals(TrialState.COMPLETE, t.state(), t::toString);
        if (t.retryOf() >= 0) {
          retried.add(t.retryOf());
          assertEquals(lostPoints.get(t.retryOf()), t.params(), t::toString);
        }
      }
      retried.sort(null);
      assertEquals(List.of(0, 1, 2), retried, all::toString);
    }
  }

  /** A new database whose study has trial 0, of parameters {@code lost}, lost with its process: its re-run waits. */
  private static String databaseWithALostTrial(Point lost) throws Exception {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage dead = open(url, silent())) {
      dead.claimNext(1, 10, UNLIMITED);
      dead.recordParams(0, lost, -1);
    }
    outlastGrace();
    return url;
  }

  /**
   * The race behind a rare failure of the test above: one claim holds a waiting re-run's row
   * (here a transaction of the test's own, as a claim between its lock and its commit would) while
   * another claims with one slot of budget left. That slot is the re-run's: the second claim must
   * not take it for a fresh trial (the re-run would then never run), but wait and take the re-run
   * once the row is free.
   */
  @Test
  void aFreshClaimDoesNotTakeTheSlotOfAReRunAnotherClaimHolds() throws Exception {
    Point lost = point(0.4, 0.4);
    String url = databaseWithALostTrial(lost);
    try (PostgresStorage s = open(url, TestPostgres.fastSettings());
        Connection holder = TestPostgres.connect(url)) {
      assertNull(s.claimNext(1, 0, UNLIMITED)); // reaps trial 0: lost, waiting for its re-run
      holder.setAutoCommit(false);
      try (Statement st = holder.createStatement()) {
        st.executeQuery("SELECT number FROM caviar_trial WHERE requeued FOR UPDATE").close();
      }
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<TrialRecord> claim = pool.submit(() -> s.claimNext(System.currentTimeMillis(), 1, UNLIMITED));
        Thread.sleep(500);
        assertFalse(claim.isDone(), () -> "claimed while the re-run was held: " + claim.resultNow());
        holder.rollback();
        TrialRecord t = claim.get(30, TimeUnit.SECONDS);
        assertEquals(0, t.retryOf(), t::toString);
        assertEquals(lost, t.params());
        assertNull(s.claimNext(System.currentTimeMillis(), 1, UNLIMITED), "the budget of one is spent");
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /**
   * A claim with a limit on fresh trials (a grid's points) counts the points given up itself, in a
   * snapshot taken once it holds the study row. Counted in the claim statement's own snapshot, taken
   * before it waited for the row, they missed a re-run that a reaper gave up meanwhile, while the
   * row it then read counted that re-run lost (no longer against the limit) and another worker's
   * fresh trial claimed meanwhile: with one point left for two claims, both took a fresh trial, one
   * past the grid. Here the other worker's claim and the reaper are transactions of the test's own,
   * which hold the study row as theirs do.
   */
  @Test
  void aLimitedClaimCountsAReRunGivenUpWhileItWaitedForTheStudyRow() throws Exception {
    String url = databaseWithALostTrial(point(0.9, 0.9));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (PostgresStorage dead = open(url, silent());
        PostgresStorage s = open(url, TestPostgres.fastSettings());
        Connection claimer = TestPostgres.connect(url);
        Connection reaper = TestPostgres.connect(url)) {
      assertNull(s.claimNext(1, 0, UNLIMITED)); // reaps trial 0: lost, waiting for its re-run
      TrialRecord rerun = dead.claimNext(1, 10, UNLIMITED); // trial 1, on a worker that then falls silent
      assertEquals(0, rerun.retryOf(), rerun::toString);
      for (int n = 2; n < 5; n++) {
        assertEquals(n, s.claimNext(1, 10, UNLIMITED).number());
        s.recordParams(n, point(0.1 * n, 0.5), -1);
        s.recordOutcome(n, TrialState.COMPLETE, n, null, 2);
      }
      // A grid of 5 points: 3 have run, trial 0's is re-run by trial 1, and one is left.
      int grid = 5;
      // Another worker claims it (trial 5), holding the study row until it commits.
      holdStudyRowClaiming(claimer, 5);
      // A reaper finishes trial 1 as lost (its point is given up), and waits for the study row.
      reaper.setAutoCommit(false);
      Future<Integer> reap = pool.submit(() -> {
        try (Statement st = reaper.createStatement()) {
          st.executeUpdate("UPDATE caviar_trial SET state = 'FAILED', end_millis = 3, changed_xid = pg_current_xact_id(),"
              + " reason = 'interrupted: worker lost, w:1 sent no heartbeat for 0:01:00' WHERE number = 1");
          return st.executeUpdate("UPDATE caviar_study SET lost = lost + 1");
        }
      });
      Thread.sleep(300);
      assertFalse(reap.isDone(), "the reaper did not wait for the study row");
      Future<TrialRecord> claim = pool.submit(() -> s.claimNext(System.currentTimeMillis(), 100, grid));
      Thread.sleep(500);
      assertFalse(claim.isDone(), () -> "claimed while the study row was held: " + claim.resultNow());
      claimer.commit();
      assertEquals(1, reap.get(30, TimeUnit.SECONDS));
      reaper.commit();
      assertNull(claim.get(30, TimeUnit.SECONDS), () -> "a fresh trial past the grid: " + s.trials());
      assertEquals(6, s.trials().size(), () -> s.trials().toString());
      // Given up, a point counts against the grid's points, not the budget: 4 trials count of 5.
      assertEquals(6, s.claimNext(System.currentTimeMillis(), 5, 100).number());
      assertNull(s.claimNext(System.currentTimeMillis(), 5, 100), "the budget of 5 is spent");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * The budget's race, for any claim: a reaper that re-queues a lost trial commits, with another
   * worker's fresh claim, while a claim waits for the study row. The claim's statement had counted
   * the waiting re-runs in its own snapshot, taken before it waited (none), and the study row it
   * then read counted the lost trial out: it took the last slot for a fresh trial, and the re-run
   * waited for a slot that never came (the study ended with the lost point never re-run). Locked
   * first, the study row is read, and the re-runs counted, after the others committed.
   */
  @Test
  void aClaimCountsAReRunQueuedWhileItWaitedForTheStudyRow() throws Exception {
    Point lost = point(0.3, 0.7);
    String url = databaseWithALostTrial(lost); // trial 0, RUNNING on a silent worker
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (PostgresStorage s = open(url, TestPostgres.fastSettings());
        Connection claimer = TestPostgres.connect(url);
        Connection reaper = TestPostgres.connect(url)) {
      // A reaper finishes trial 0 as lost and re-queues it (holding its row, which the claim's own
      // reap then skips), then waits for the study row, which another worker's claim holds.
      reaper.setAutoCommit(false);
      try (Statement st = reaper.createStatement()) {
        st.executeUpdate("UPDATE caviar_trial SET state = 'FAILED', end_millis = 3, changed_xid = pg_current_xact_id(), requeued = true,"
            + " reason = 'interrupted: worker lost, w:1 sent no heartbeat for 0:01:00' WHERE number = 0");
      }
      holdStudyRowClaiming(claimer, 1);
      Future<Integer> reap = pool.submit(() -> {
        try (Statement st = reaper.createStatement()) {
          return st.executeUpdate("UPDATE caviar_study SET lost = lost + 1");
        }
      });
      Thread.sleep(300);
      assertFalse(reap.isDone(), "the reaper did not wait for the study row");
      // A budget of 2: trial 1 and the re-run of trial 0 (trial 0, lost, does not count).
      Future<TrialRecord> claim = pool.submit(() -> s.claimNext(System.currentTimeMillis(), 2, UNLIMITED));
      Thread.sleep(500);
      assertFalse(claim.isDone(), () -> "claimed while the study row was held: " + claim.resultNow());
      claimer.commit();
      assertEquals(1, reap.get(30, TimeUnit.SECONDS));
      reaper.commit();
      TrialRecord t = claim.get(30, TimeUnit.SECONDS);
      assertEquals(0, t.retryOf(), () -> "took the re-run's slot for a fresh trial: " + t);
      assertEquals(lost, t.params());
      assertNull(s.claimNext(System.currentTimeMillis(), 2, UNLIMITED), "the budget of 2 is spent");
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Another worker's claim of trial {@code number}, left uncommitted on {@code claimer}: it holds
   * the study row (its counter incremented) until the test commits or rolls it back.
   */
  private static void holdStudyRowClaiming(Connection claimer, int number) throws java.sql.SQLException {
    claimer.setAutoCommit(false);
    try (Statement st = claimer.createStatement()) {
      st.executeUpdate("UPDATE caviar_study SET next_number = next_number + 1");
      st.executeUpdate("INSERT INTO caviar_trial (study_id, number, state, start_millis, worker) SELECT id, " + number
          + ", 'RUNNING', 4, 'other:1' FROM caviar_study");
    }
  }

  /**
   * What the claim's lock rests on: the driver sends the statements of one prepared statement in
   * one message (one Sync), which the server runs as one implicit transaction even in autocommit,
   * so the study row locked by the first is held until the claim after it has committed.
   */
  @Test
  void twoStatementsOfOnePreparedStatementRunInOneTransaction() throws Exception {
    try (Connection c = TestPostgres.connect(TestPostgres.newDatabase());
        PreparedStatement ps = c.prepareStatement("SELECT pg_current_xact_id()::text WHERE ? = 1;\nSELECT pg_current_xact_id()::text WHERE ? = 2")) {
      assertTrue(c.getAutoCommit());
      ps.setInt(1, 1);
      ps.setInt(2, 2);
      ps.execute();
      String first;
      try (ResultSet r = ps.getResultSet()) {
        assertTrue(r.next());
        first = r.getString(1);
      }
      assertTrue(ps.getMoreResults(), "the second statement's rows");
      try (ResultSet r = ps.getResultSet()) {
        assertTrue(r.next());
        assertEquals(first, r.getString(1), "the two statements ran in two transactions");
      }
    }
  }

  /**
   * Claims with {@code clients} storages, two threads each, until the budget is spent; fresh trials
   * get {@code propose(number)}. Returns every claimed number.
   */
  private static List<Integer> claimConcurrently(String url, int clients, int budget, java.util.function.IntFunction<Point> propose)
      throws Exception {
    List<PostgresStorage> storages = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(clients * 2);
    try {
      for (int i = 0; i < clients; i++) storages.add(open(url, TestPostgres.fastSettings()));
      List<Future<List<Integer>>> futures = new ArrayList<>();
      for (int i = 0; i < clients * 2; i++) {
        PostgresStorage s = storages.get(i % clients);
        Callable<List<Integer>> claimer = () -> {
          List<Integer> mine = new ArrayList<>();
          while (true) {
            TrialRecord t = s.claimNext(System.currentTimeMillis(), budget, UNLIMITED);
            if (t == null) return mine;
            mine.add(t.number());
            if (t.params() == null) s.recordParams(t.number(), propose.apply(t.number()), -1);
            s.recordOutcome(t.number(), TrialState.COMPLETE, t.number(), null, System.currentTimeMillis());
          }
        };
        futures.add(pool.submit(claimer));
      }
      List<Integer> all = new ArrayList<>();
      for (Future<List<Integer>> f : futures) all.addAll(f.get());
      return all;
    } finally {
      pool.shutdownNow();
      for (PostgresStorage s : storages) s.close();
    }
  }

  /**
   * Reads are incremental: a change committed after the reader's last read by a transaction that
   * began before a newer, already seen, change must still be read. A "version greater than the last
   * seen" rule would skip it.
   */
  @Test
  void incrementalReadsSeeAnOlderTransactionCommittedAfterANewerOne() throws Exception {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage reader = open(url, TestPostgres.fastSettings());
        PostgresStorage writer = open(url, TestPostgres.fastSettings());
        Connection older = TestPostgres.connect(url)) {
      for (int n = 0; n < 2; n++) {
        writer.claimNext(1, 10, UNLIMITED);
        writer.recordParams(n, point(0.5, n / 2.0), -1);
      }
      assertEquals(2, reader.trials().size());
      older.setAutoCommit(false);
      try (Statement st = older.createStatement()) { // finishes trial 0 as recordOutcome does, but stays open
        assertEquals(1, st.executeUpdate("UPDATE caviar_trial SET state = 'COMPLETE', value = 7, end_millis = 9,"
            + " changed_xid = pg_current_xact_id() WHERE number = 0"));
      }
      writer.recordOutcome(1, TrialState.COMPLETE, 5.0, null, 8); // a newer transaction, committed first
      List<TrialRecord> middle = reader.trials();
      assertEquals(TrialState.RUNNING, middle.get(0).state());
      assertEquals(TrialState.COMPLETE, middle.get(1).state());
      older.commit();
      List<TrialRecord> after = reader.trials();
      assertEquals(TrialState.COMPLETE, after.get(0).state(), "the older transaction's change was skipped");
      assertEquals(7.0, after.get(0).value());
      try (PostgresStorage fresh = open(url, TestPostgres.fastSettings())) {
        assertEquals(fresh.trials(), after, "an incremental read differs from a full one");
      }
    }
  }

  /** The result of a trial declared lost meanwhile is not counted, but noted in its reason (once) and logged. */
  @Test
  void aLateResultOfALostTrialIsNotedNotCounted() throws Exception {
    String url = TestPostgres.newDatabase();
    List<LogRecord> logged = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (logged) {
          logged.add(r);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger log = Logger.getLogger(PostgresStorage.class.getName());
    log.addHandler(capture);
    try (PostgresStorage slow = open(url, silent()); PostgresStorage other = open(url, TestPostgres.fastSettings())) {
      slow.claimNext(1, 10, UNLIMITED);
      slow.recordParams(0, point(0.5, 0.5), -1);
      outlastGrace();
      assertNull(other.claimNext(2, 0, UNLIMITED)); // reaps trial 0
      slow.recordIntermediate(0, 1, 4.0); // dropped: the trial is no longer running
      slow.recordOutcome(0, TrialState.COMPLETE, 1.25, null, 3);
      slow.recordOutcome(0, TrialState.COMPLETE, 1.25, null, 3); // a retried write: noted once
      TrialRecord lost = other.trials().getFirst();
      assertTrue(lost.isInterrupted(), lost::toString);
      assertEquals(0, lost.reportCount());
      String reason = lost.reason();
      int at = reason.indexOf(PostgresStorage.LATE_RESULT);
      assertTrue(at > 0 && reason.indexOf(PostgresStorage.LATE_RESULT, at + 1) < 0, reason);
      assertTrue(reason.substring(at).contains("COMPLETE 1.25"), reason);
      synchronized (logged) {
        assertEquals(1, logged.size(), logged::toString);
        assertTrue(logged.getFirst().getLevel() == java.util.logging.Level.WARNING);
      }
      // Still re-run once: the late result is not counted.
      TrialRecord rerun = other.claimNext(4, 1, UNLIMITED);
      assertEquals(0, rerun.retryOf());
    } finally {
      log.removeHandler(capture);
    }
  }

  /**
   * A claim that commits as the storage is released (Ctrl-C while a worker thread is inside
   * claimNext) gives its trial back and claims nothing more: one unrun trial, not one per pass of
   * the claim loop until the process halts, and the re-run it took waits for another worker.
   */
  @Test
  void aClaimCommittedAsTheStorageIsReleasedGivesBackItsReRunAndClaimsNoMore() throws Exception {
    Point lost = point(0.4, 0.4);
    String url = databaseWithALostTrial(lost);
    PostgresStorage stopping = open(url, TestPostgres.fastSettings());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (PostgresStorage other = open(url, TestPostgres.fastSettings())) {
      assertNull(other.claimNext(1, 0, UNLIMITED)); // reaps trial 0: lost, waiting for its re-run
      java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
      stopping.afterClaimCommit = () -> {
        if (first.getAndSet(false)) stopping.releaseHeld(); // the hook of Ctrl-C, between the commit and the claim's end
      };
      Future<TrialRecord> claim = pool.submit(() -> stopping.claimNext(System.currentTimeMillis(), 1, UNLIMITED));
      assertNull(claim.get(10, TimeUnit.SECONDS));
      assertNull(stopping.claimNext(System.currentTimeMillis(), 1, UNLIMITED), "a released storage claims nothing");
      List<TrialRecord> all = other.trials();
      assertEquals(2, all.size(), all::toString);
      TrialRecord unrun = all.get(1);
      assertTrue(unrun.isInterrupted(), unrun::toString);
      assertEquals(-1, unrun.retryOf(), () -> "counted as trial 0's re-run, which never ran: " + unrun);
      assertFalse(unrun.isInterruptedWhileRunning(), unrun::toString);
      TrialRecord rerun = other.claimNext(System.currentTimeMillis(), 1, UNLIMITED);
      assertEquals(0, rerun.retryOf(), rerun::toString);
      assertEquals(lost, rerun.params());
    } finally {
      stopping.close(); // also ends a claim loop that did not stop
      pool.shutdownNow();
    }
  }

  /**
   * A re-run that a stopping worker releases while it ran (Ctrl-C of tune or worker) gives its point
   * up, as a re-run reaped after its worker's kill does: interrupted while it ran, whatever stopped
   * it (a hang answered by Ctrl-C would otherwise come back on every resume, and a journal, which
   * finds tune's Ctrl-C as a kill, gives it up). It was put back in the queue for another re-run.
   */
  @Test
  void aReRunReleasedWhileItRanIsNotReRunAgain() throws Exception {
    String url = databaseWithALostTrial(point(0.4, 0.4));
    try (PostgresStorage other = open(url, TestPostgres.fastSettings());
        PostgresStorage stopping = open(url, TestPostgres.fastSettings())) {
      assertNull(other.claimNext(1, 0, UNLIMITED)); // reaps trial 0: lost, waiting for its re-run
      TrialRecord rerun = stopping.claimNext(2, 10, UNLIMITED);
      assertEquals(0, rerun.retryOf(), rerun::toString);
      assertEquals(new SharedStorage.Released(1, 1), stopping.releaseHeld());
      TrialRecord released = other.trials().get(1);
      assertTrue(released.isInterruptedWhileRunning(), released::toString);
      TrialRecord next = other.claimNext(3, 10, UNLIMITED);
      assertEquals(-1, next.retryOf(), () -> "trial 0 re-run again: " + next);
      assertNull(next.params(), next::toString);
      assertEquals(1, org.caviar.search.study.Study.givenUpPoints(other.trials()));
    }
  }

  /** A statement on a connection whose network silently drops packets fails within the retry window, not after TCP gives up. */
  @Test
  void connectionsTimeOutAndKeepAlive() throws Exception {
    try (PostgresStorage s = open(TestPostgres.newDatabase(), PostgresStorage.Settings.defaults());
        Connection c = s.connection()) {
      assertEquals(30_000, c.getNetworkTimeout(), "socket timeout in ms");
      assertEquals("true", s.dataSourceProperty("tcpKeepAlive"));
    }
    // Half the grace, within [10 s, 30 s].
    assertEquals(Duration.ofSeconds(10), TestPostgres.fastSettings().socketTimeout());
    assertEquals(Duration.ofSeconds(20), new PostgresStorage.Settings(Duration.ofSeconds(5), Duration.ofSeconds(40), Duration.ZERO).socketTimeout());
  }

  /** An Error in one heartbeat (e.g. OutOfMemoryError) does not stop the next ones: the trial is not reaped while it runs. */
  @Test
  void theHeartbeatSurvivesAnError() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresStorage.Settings fast = TestPostgres.fastSettings();
    try (PostgresStorage busy = open(url, fast); PostgresStorage other = open(url, fast)) {
      java.util.concurrent.atomic.AtomicInteger beats = new java.util.concurrent.atomic.AtomicInteger();
      busy.beforeBeat = () -> {
        if (beats.incrementAndGet() == 1) throw new OutOfMemoryError("test: the first heartbeat fails");
      };
      busy.claimNext(1, 10, UNLIMITED);
      busy.recordParams(0, point(0.5, 0.5), -1);
      Thread.sleep(fast.grace().toMillis() + 1000); // only the heartbeat thread speaks
      assertTrue(beats.get() > 2, "heartbeats after the Error: " + (beats.get() - 1));
      assertNull(other.claimNext(2, 0, UNLIMITED)); // looks for lost trials
      assertEquals(TrialState.RUNNING, other.trials().getFirst().state(), () -> other.trials().toString());
    }
  }

  /**
   * A stored study this Caviar cannot read (a space a newer one wrote, say): the error names the
   * study and the database, so that it is not taken for a mistake in the user's own --space.
   */
  @Test
  void aStoredSpaceThatDoesNotParseNamesTheStudyAndDatabase() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresUrl u = PostgresUrl.parse(url);
    new PostgresStorage(u, TestPostgres.fastSettings()).close();
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO caviar_study (name, direction, space, seed) VALUES ('warped', 'MINIMIZE', 'x = warped(1, 2)', 1)");
    }
    String expected = "the study 'warped' in " + u + " has a stored space this Caviar cannot read: space spec line 1:"
        + " 'x = warped(1, 2)': unknown kind 'warped'";
    for (PostgresStorage s : List.of(new PostgresStorage(u, TestPostgres.fastSettings()), PostgresStorage.readOnly(u, TestPostgres.fastSettings()))) {
      try (s) {
        IllegalStateException peek = assertThrows(IllegalStateException.class, () -> s.peek("warped"));
        assertTrue(peek.getMessage().startsWith(expected), peek.getMessage());
        IllegalStateException open = assertThrows(IllegalStateException.class,
            () -> s.open(new StudyInfo("warped", Direction.MINIMIZE, SPACE, 1)));
        assertTrue(open.getMessage().startsWith(expected), open.getMessage());
      }
    }
  }
}
