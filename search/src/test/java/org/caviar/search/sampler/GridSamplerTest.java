package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.caviar.search.Spaces;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.Storage;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GridSamplerTest {
  @TempDir Path dir;

  @Test
  void gridCoversEachAxisOnItsOwnScale() {
    SearchSpace s = SearchSpace.of(
        Parameter.logUniform("lr", 1e-4, 1),
        Parameter.uniform("x", 0, 1),
        Parameter.oneMinusLog("beta", 0.9, 0.999),
        Parameter.intUniform("layers", 1, 3),
        Parameter.categorical("act", "relu", "tanh"));
    GridSampler grid = new GridSampler(5, Map.of("beta", 3));
    Study study = Study.builder(s).sampler(grid).seed(1).workers(1).build();
    History h = study.optimize(t -> 0, Budget.trials(10_000));
    // 5 x 5 x 3 x 3 (all of 1..3) x 2 = 450 points, each once, then the study stops.
    assertEquals(450, grid.pointCount(s));
    assertEquals(450, h.size());
    Set<Point> distinct = new HashSet<>();
    TreeSet<Double> lr = new TreeSet<>();
    TreeSet<Double> x = new TreeSet<>();
    TreeSet<Double> beta = new TreeSet<>();
    TreeSet<Integer> layers = new TreeSet<>();
    TreeSet<String> act = new TreeSet<>();
    for (TrialRecord t : h.trials()) {
      Point p = t.params();
      distinct.add(p);
      lr.add(p.getDouble("lr"));
      x.add(p.getDouble("x"));
      beta.add(p.getDouble("beta"));
      layers.add(p.getInt("layers"));
      act.add(p.getString("act"));
    }
    assertEquals(450, distinct.size());
    // Powers of ten on the log scale, to the rounding of pow: a few ulps, 1e-14 relative.
    assertClose(new double[] {1e-4, 1e-3, 1e-2, 1e-1, 1}, lr);
    assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), List.copyOf(x));
    assertClose(new double[] {0.9, 0.99, 0.999}, beta);
    assertEquals(List.of(1, 2, 3), List.copyOf(layers));
    assertEquals(List.of("relu", "tanh"), List.copyOf(act));
  }

  private static void assertClose(double[] expected, TreeSet<Double> actual) {
    assertEquals(expected.length, actual.size(), actual.toString());
    int i = 0;
    for (double v : actual) {
      assertEquals(expected[i], v, 1e-14 * expected[i], actual.toString());
      i++;
    }
  }

  @Test
  void conditionalParametersBranchWithoutRepeats() {
    SearchSpace s = Spaces.everyKind();
    GridSampler grid = new GridSampler(2);
    List<double[]> points = grid.enumerate(s);
    // lr, beta1, dropout: 2 each; layers 1..3 at resolution 2 -> {1, 3}; units {16, 512};
    // optimizer: sgd (1) + momentum (2 values) + adam (2 values) = 5. 2^3 * 2 * 2 * 5 = 160.
    assertEquals(160, points.size());
    Set<Point> distinct = new HashSet<>();
    for (double[] u : points) {
      Point p = s.pointFromUnit(u);
      SamplerProperties.assertInSpace(s, p);
      distinct.add(p);
    }
    assertEquals(160, distinct.size());
    assertEquals(160, grid.pointCount(s));
  }

  /** The values of one integer parameter's grid, in order. */
  private static List<Integer> intGrid(Parameter p, int resolution) {
    SearchSpace s = SearchSpace.of(p);
    GridSampler grid = new GridSampler(resolution);
    List<Integer> values = new ArrayList<>();
    for (double[] u : grid.enumerate(s)) values.add(s.pointFromUnit(u).getInt(p.name()));
    assertEquals(values.size(), grid.pointCount(s));
    assertEquals(values.size(), new TreeSet<>(values).size(), "a value twice: " + values);
    return values;
  }

  /** On a log scale integers are evenly spaced in log(value), endpoints included; linear ones as always. */
  @Test
  void integerGridsAreEvenlySpacedOnTheirScale() {
    assertEquals(List.of(1, 10, 100, 1000), intGrid(Parameter.intLog("n", 1, 1000), 4));
    assertEquals(List.of(1, 2, 4, 8), intGrid(Parameter.intLog("n", 1, 8), 4));
    assertEquals(List.of(16, 32, 64, 128, 256), intGrid(Parameter.intLog("n", 16, 256), 5));
    // Rounding merges low values: 1, 1.41, 2, 2.83, 4 give 1, 1, 2, 3, 4.
    assertEquals(List.of(1, 2, 3, 4), intGrid(Parameter.intLog("n", 1, 16), 9).subList(0, 4));
    List<Integer> wide = intGrid(Parameter.intLog("n", 1, Integer.MAX_VALUE), 32);
    assertEquals(List.of(1, 2, 4, 8), wide.subList(0, 4));
    assertEquals(Integer.MAX_VALUE, wide.getLast());
    assertEquals(List.of(1, 4, 7, 10), intGrid(Parameter.intUniform("n", 1, 10), 4));
    assertEquals(List.of(0, 50, 100), intGrid(Parameter.intUniform("n", 0, 100), 3));
  }

  @Test
  void anIntegerRangeEndingAtIntMaxTerminates() {
    int max = Integer.MAX_VALUE;
    assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
      assertEquals(List.of(max - 2, max - 1, max), intGrid(Parameter.intUniform("n", max - 2, max), 5));
      assertEquals(List.of(max - 2, max - 1, max), intGrid(Parameter.intLog("n", max - 2, max), 3));
      assertEquals(List.of(Integer.MIN_VALUE, 0, max), intGrid(Parameter.intUniform("n", Integer.MIN_VALUE, max), 3));
    });
  }

  @Test
  void countsLargeGridsExactlyWithoutEnumeratingThem() {
    SearchSpace s = SearchSpace.of(Parameter.uniform("a", 0, 1), Parameter.uniform("b", 0, 1), Parameter.uniform("c", 0, 1),
        Parameter.categorical("opt", "x", "y"), Parameter.uniform("d", 0, 1).when("opt", "x"));
    // 1000^3 x (1000 under x + 1 under y)
    assertEquals(1_000_000_000L * 1001, new GridSampler(1000).pointCount(s));
    assertEquals(Long.MAX_VALUE, new GridSampler(Integer.MAX_VALUE).pointCount(s));
    // Integers on a log scale share the low values: the count is that of the values the grid enumerates.
    SearchSpace ints = SearchSpace.of(Parameter.intLog("n", 1, 100_000), Parameter.intUniform("m", 0, 10));
    assertEquals(new GridSampler(1000).enumerate(ints).size(), new GridSampler(1000).pointCount(ints));
    assertTrue(new GridSampler(1000).pointCount(ints) < 1000 * 11);
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new GridSampler(0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GridSampler(3, Map.of("nope", 2)).enumerate(Spaces.everyKind()));
    assertTrue(e.getMessage().contains("'nope'"));
    for (String notNumeric : new String[] {"optimizer", "epochs"}) {
      e = assertThrows(IllegalArgumentException.class,
          () -> new GridSampler(3, Map.of(notNumeric, 2)).enumerate(Spaces.everyKind()));
      assertTrue(e.getMessage().startsWith("grid resolution given for '" + notNumeric + "', a "), e.getMessage());
    }
    e = assertThrows(IllegalArgumentException.class, () -> new GridSampler(100).enumerate(Spaces.everyKind()));
    assertTrue(e.getMessage().contains("resolution"));
  }

  /**
   * An error the study does not take for the trial's failure: it stops the study, and the trial
   * ends interrupted while it ran, as after kill -9 (found RUNNING on open) or Ctrl-C.
   */
  private static final class Killed extends Error {}

  private static final SearchSpace FOUR = SearchSpace.of(Parameter.categorical("c", "a", "b", "c", "d"));

  private static Study fourPointStudy(Path journal) {
    return fourPointStudy(new JournalStorage(journal));
  }

  private static Study fourPointStudy(Storage storage) {
    return Study.builder(FOUR).name("grid").sampler(new GridSampler(3)).storage(storage).seed(5).workers(1).build();
  }

  /** The points of the trials that ran to the end (not interrupted). */
  private static List<Object> evaluated(History h) {
    List<Object> out = new ArrayList<>();
    for (TrialRecord t : h.trials()) if (!t.isInterrupted()) out.add(t.params().get("c"));
    return out;
  }

  @Test
  void aGridResumedAfterAKillStillCoversEveryPointOnce() {
    // Killed during trial 1: its parameters re-run as trial 2, so trial numbers no longer match grid positions.
    Path journal = dir.resolve("killed-mid-trial.jsonl");
    try (Study s = fourPointStudy(journal)) {
      assertThrows(Killed.class, () -> s.optimize(t -> {
        if (t.number() == 1) throw new Killed();
        return 0;
      }, Budget.trials(4)));
    }
    try (Study s = fourPointStudy(journal)) {
      History h = s.optimize(t -> 0, Budget.trials(4));
      assertEquals(5, h.size());
      List<Object> points = evaluated(h);
      assertEquals(Set.of("a", "b", "c", "d"), new HashSet<>(points), "evaluated: " + points);
      assertEquals(4, points.size());
    }
    // Killed after trial 1's claim, before its parameters: the number is used up, nothing re-runs.
    Path claimOnly = dir.resolve("killed-after-claim.jsonl");
    try (Study s = fourPointStudy(claimOnly)) {
      s.optimize(t -> 0, Budget.trials(1));
    }
    try (JournalStorage j = new JournalStorage(claimOnly)) {
      j.open(fourPointStudy(dir.resolve("info.jsonl")).info());
      j.claimTrial(0);
    }
    try (Study s = fourPointStudy(claimOnly)) {
      List<Object> points = evaluated(s.optimize(t -> 0, Budget.trials(4)));
      assertEquals(Set.of("a", "b", "c", "d"), new HashSet<>(points), "evaluated: " + points);
      assertEquals(4, points.size());
    }
  }

  /**
   * As with any sampler (ResumeTest.anInterruptedReRunIsNotRunAgain), a point whose re-run was
   * interrupted too is given up: a configuration that kills the process must not come back on
   * every resume. The grid took it again once every other point was done, and the study, still
   * one point short of the grid, claimed it on each resume: killed again, for ever.
   */
  @Test
  void aPointWhoseReRunWasKilledTooIsGivenUp() {
    Path journal = dir.resolve("killed-twice.jsonl");
    assertGivesUpAPointKilledTwice(() -> new JournalStorage(journal));
  }

  /** The same on PostgreSQL, where the storage hands out the one re-run and the study closing releases the trial. */
  @Test
  void aPointWhoseReRunWasKilledTooIsGivenUpOnPostgres() {
    assertGivesUpAPointKilledTwice(newPostgres());
  }

  /** A new PostgreSQL database, and a new storage of it (fast settings) at each call, as each resume opens one. */
  private static Supplier<Storage> newPostgres() {
    String url = TestPostgres.newDatabase();
    return () -> new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
  }

  private static void assertGivesUpAPointKilledTwice(Supplier<Storage> storage) {
    Point killer;
    // Killed in trial 0; the resume was killed in its re-run, trial 1. The study is closed: on
    // PostgreSQL that releases the re-run while it ran ("worker W stopped while this trial ran"), a
    // strike against its point as much as a kill -9's.
    try (Study s = fourPointStudy(storage.get())) {
      assertThrows(Killed.class, () -> s.optimize(t -> {
        throw new Killed();
      }, Budget.trials(4)));
      killer = s.history().trials().get(0).params();
    }
    try (Study s = fourPointStudy(storage.get())) {
      assertThrows(Killed.class, () -> s.optimize(t -> {
        throw new Killed();
      }, Budget.trials(4)));
      assertEquals(0, s.history().trials().get(1).retryOf());
    }
    for (int resume = 0; resume < 2; resume++) {
      List<Point> ran = new ArrayList<>();
      try (Study s = fourPointStudy(storage.get())) {
        History h = s.optimize(t -> {
          ran.add(t.params());
          if (t.params().equals(killer)) throw new Killed();
          return 0;
        }, Budget.trials(100));
        assertEquals(5, h.size(), h.trials().toString());
      }
      assertEquals(resume == 0 ? 3 : 0, ran.size(), "resume " + resume + " ran " + ran);
      assertFalse(ran.contains(killer), "resume " + resume + " ran " + ran);
    }
  }

  /**
   * A re-run interrupted while it ran gives its point up, whatever stopped it: an interrupt of
   * optimize (as Ctrl-C is through the API) as much as a kill. A configuration that hangs the
   * process is often answered by Ctrl-C; re-run again on every resume, it would hang every resume.
   * (A re-run stopped so was run again and again, and tune's Ctrl-C, which the journal finds as a
   * kill, did not agree with PostgreSQL's, which releases the trial.)
   */
  @Test
  void aReRunInterruptedWhileItRanGivesItsPointUp() {
    Path journal = dir.resolve("interrupted-rerun.jsonl");
    assertAReRunInterruptedWhileItRanGivesItsPointUp(() -> new JournalStorage(journal));
  }

  /** The same on PostgreSQL, where the interrupted re-run is released as the study closes. */
  @Test
  void aReRunInterruptedWhileItRanGivesItsPointUpOnPostgres() {
    assertAReRunInterruptedWhileItRanGivesItsPointUp(newPostgres());
  }

  private static void assertAReRunInterruptedWhileItRanGivesItsPointUp(Supplier<Storage> storage) {
    Point killer = killedIn(storage.get()).get(0).params();
    // Trial 1, its re-run, is interrupted while it runs: the study stops with the interrupt flag set.
    try (Study s = fourPointStudy(storage.get())) {
      History h = s.optimize(t -> {
        throw new InterruptedException("Ctrl-C");
      }, Budget.trials(100));
      assertTrue(Thread.interrupted(), "the interrupt flag is restored");
      assertEquals(2, h.size(), h.trials().toString());
    }
    List<Point> ran = new ArrayList<>();
    try (Study s = fourPointStudy(storage.get())) {
      History h = s.optimize(t -> {
        ran.add(t.params());
        return 0;
      }, Budget.trials(100));
      TrialRecord rerun = h.trials().get(1);
      assertEquals(0, rerun.retryOf(), rerun.toString());
      assertTrue(rerun.isInterruptedWhileRunning(), rerun.toString());
      assertEquals(5, h.size(), h.trials().toString());
      assertEquals(1, Study.givenUpPoints(h.trials()));
    }
    assertEquals(3, ran.size(), ran.toString());
    assertFalse(ran.contains(killer), ran.toString());
  }

  /**
   * A re-run that never ran (a listener failed as it started) is no strike against its point: the
   * next resume runs the point again, as another re-run of its first run, and a re-run of that one
   * is still a re-run of the first run (retry_of). On PostgreSQL a worker that gives back a claim as
   * it stops does the same (PostgresStorageTest.aClaimCommittedAsTheStorageIsReleasedGivesBackItsReRunAndClaimsNoMore).
   */
  @Test
  void aReRunThatNeverRanIsRunAgain() {
    Path journal = dir.resolve("never-ran.jsonl");
    assertAReRunThatNeverRanIsRunAgain(() -> new JournalStorage(journal));
  }

  /**
   * The same on PostgreSQL, where the re-run is given back as the listener fails. Left RUNNING, it
   * was released as the study closed, "worker W stopped while this trial ran", and gave its point
   * up although it never ran, where the journal re-ran it.
   */
  @Test
  void aReRunThatNeverRanIsRunAgainOnPostgres() {
    assertAReRunThatNeverRanIsRunAgain(newPostgres());
  }

  private static void assertAReRunThatNeverRanIsRunAgain(Supplier<Storage> storage) {
    Point killer = killedIn(storage.get()).get(0).params();
    // Trials 1 and 2, its re-runs, never start: a listener fails as they do.
    IllegalStateException bug = new IllegalStateException("listener bug");
    for (int attempt = 0; attempt < 2; attempt++) {
      try (Study s = Study.builder(FOUR).name("grid").sampler(new GridSampler(3)).storage(storage.get()).seed(5).workers(1)
          .listener(new org.caviar.search.study.StudyListener() {
            @Override
            public void trialStarted(TrialRecord trial) {
              throw bug;
            }
          }).build()) {
        assertSame(bug, assertThrows(IllegalStateException.class, () -> s.optimize(t -> 0, Budget.trials(100))));
      }
    }
    List<Point> ran = new ArrayList<>();
    try (Study s = fourPointStudy(storage.get())) {
      History h = s.optimize(t -> {
        ran.add(t.params());
        return 0;
      }, Budget.trials(100));
      for (TrialRecord t : h.trials().subList(1, 3)) {
        assertTrue(t.isInterrupted() && !t.isInterruptedWhileRunning(), t.toString());
        // On PostgreSQL a trial given back keeps neither parameters nor retry_of: it is nobody's re-run.
        if (t.params() != null) assertEquals(killer, t.params(), t.toString());
        if (t.params() != null) assertEquals(0, t.retryOf(), "a re-run of the first run: " + t);
      }
      TrialRecord rerun = h.trials().get(3);
      assertEquals(killer, rerun.params(), rerun.toString());
      assertEquals(0, rerun.retryOf(), "a re-run of the first run: " + rerun);
      assertEquals(7, h.size(), h.trials().toString());
      assertEquals(0, Study.givenUpPoints(h.trials()));
    }
    assertEquals(4, ran.size(), ran.toString());
    assertEquals(killer, ran.getFirst(), "the re-run comes first: " + ran);
  }

  /**
   * On PostgreSQL a point is given up by the claim that reaps its lost re-run: that claim's own
   * count of the points left must leave it out, not the count the study read just before (the
   * re-run still RUNNING there). A study resumed once every other point had run claimed one fresh
   * trial past the grid, and the grid, out of points, ran one of them again.
   */
  @Test
  void aClaimThatReapsALostReRunClaimsNoTrialPastTheGridOnPostgres() throws Exception {
    Supplier<Storage> storage = newPostgres();
    // The first worker ran three points and was killed in the fourth, the second in its re-run.
    Storage first = storage.get();
    try {
      Study s = fourPointStudy(first);
      assertThrows(Killed.class, () -> s.optimize(t -> {
        if (t.number() == 3) throw new Killed();
        return 0;
      }, Budget.trials(100)));
    } finally {
      first.close();
    }
    Thread.sleep(TestPostgres.fastSettings().grace().toMillis() + 300);
    List<TrialRecord> left = killedIn(storage.get());
    assertEquals(3, left.get(4).retryOf(), left.toString());
    List<Point> ran = new ArrayList<>();
    try (Study s = fourPointStudy(storage.get())) {
      History h = s.optimize(t -> {
        ran.add(t.params());
        return 0;
      }, Budget.trials(100));
      assertEquals(5, h.size(), h.trials().toString());
    }
    assertEquals(List.of(), ran);
  }

  /**
   * A study's trial that throws Killed (the first trial it runs: on a resume, the re-run), left as
   * kill -9 leaves it: the storage closed, the study not (it would release the trial on PostgreSQL,
   * as a worker that stops does), and on PostgreSQL the grace waited out, so that a later claim
   * reaps the trial as lost with its worker (a journal records it interrupted as Killed stops the
   * study: the same as the kill's RUNNING trial found on open). Returns the study's trials as the
   * kill left them.
   */
  private static List<TrialRecord> killedIn(Storage storage) {
    Study s = fourPointStudy(storage);
    List<Point> ran = new ArrayList<>();
    assertThrows(Killed.class, () -> s.optimize(t -> {
      ran.add(t.params());
      throw new Killed();
    }, Budget.trials(100)));
    List<TrialRecord> left = s.history().trials();
    storage.close();
    if (storage instanceof PostgresStorage) {
      try {
        Thread.sleep(TestPostgres.fastSettings().grace().toMillis() + 300);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    assertEquals(1, ran.size(), ran.toString());
    assertEquals(ran.getFirst(), left.getLast().params());
    return left;
  }

  /** Parallel workers of one study take every point once between them, and the study stops at the last. */
  @Test
  void parallelWorkersCoverEveryPointOnce() {
    SearchSpace s = Spaces.everyKind();
    GridSampler grid = new GridSampler(2);
    long points = grid.pointCount(s);
    Study study = Study.builder(s).sampler(grid).seed(8).workers(4).build();
    List<TrialRecord> run = study.optimize(t -> {
      Thread.sleep(1); // so that the workers' trials overlap
      return 0;
    }, Budget.trials(1000)).trials();
    assertEquals(points, run.size());
    Set<Point> seen = new HashSet<>();
    for (TrialRecord t : run) assertTrue(seen.add(t.params()), "taken twice: " + t);
    Set<Point> all = new HashSet<>();
    for (double[] u : grid.enumerate(s)) all.add(s.pointFromUnit(u));
    assertEquals(all, seen);
  }

  @Test
  void aCleanRunTakesTheShuffledOrderAndPendingTrialsWithoutAPointKeepTheirPlace() {
    SearchSpace s = Spaces.everyKind();
    GridSampler grid = new GridSampler(2);
    Study study = Study.builder(s).sampler(grid).seed(3).workers(1).build();
    List<TrialRecord> run = study.optimize(t -> 0, Budget.trials(20)).trials();
    // Trial n of a clean run takes position n of the order: what propose gives trial n with no history.
    for (TrialRecord t : run) {
      assertEquals(t.params(), new GridSampler(2).propose(s, History.empty(Direction.MINIMIZE), t.number(), 3));
    }
    // Two workers of a shared study propose at once, each seeing the other's claim without a point:
    // they take different points, the first the one the lower number would take alone.
    List<TrialRecord> seen = new ArrayList<>(run.subList(0, 10));
    seen.add(TrialRecord.claimed(10, 0));
    seen.add(TrialRecord.claimed(11, 0));
    History h = new History(seen, Direction.MINIMIZE);
    assertEquals(run.get(10).params(), grid.propose(s, h, 10, 3));
    assertEquals(run.get(11).params(), grid.propose(s, h, 11, 3));
  }
}
