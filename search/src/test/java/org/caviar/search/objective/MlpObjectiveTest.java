package org.caviar.search.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.caviar.model.data.Dataset;
import org.caviar.search.pruner.Pruner;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.study.StudyListener;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class MlpObjectiveTest {
  /** Two separable classes of 2 features, {@code rows} rows. */
  private static Dataset data(int rows) {
    float[] x = new float[2 * rows];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = i % 2;
      x[2 * i] = y[i] == 0 ? -1 - 0.01f * i : 1 + 0.01f * i;
      x[2 * i + 1] = 0.5f * (i % 3);
    }
    return Dataset.of(x, y, 2, 2);
  }

  /** A pruner that stops every trial at every report. */
  private static final Pruner ALWAYS = new Pruner() {
    @Override
    public boolean shouldPrune(History history, TrialRecord trial) {
      return true;
    }

    @Override
    public String name() {
      return "always";
    }
  };

  private static TrialRecord onlyTrial(int epochs) {
    SearchSpace space = SearchSpace.parse("units = int(2, 4)\nlayers = fixed(1)");
    History h = Study.builder(space).direction(Direction.MAXIMIZE).pruner(ALWAYS).seed(1).workers(1).build()
        .optimize(new MlpObjective(data(24), data(8), epochs), Budget.trials(1));
    return h.trials().get(0);
  }

  /**
   * After its last epoch a trial has done all its work: the pruner is not asked then, and the trial
   * is complete with its best validation accuracy. It was asked, and a trial it stopped there was
   * recorded PRUNED at its last value, as if it had been stopped early (the median pruner has no
   * maximum step; neither does a user's).
   */
  @Test
  void theLastEpochIsNotAPruningPoint() {
    TrialRecord one = onlyTrial(1);
    assertEquals(TrialState.COMPLETE, one.state(), one.toString());
    assertEquals(1, one.reportCount());
    // Before the last epoch the pruner's word still stops the trial.
    TrialRecord three = onlyTrial(3);
    assertEquals(TrialState.PRUNED, three.state(), three.toString());
    assertEquals(1, three.lastStep());
  }

  /**
   * A trial whose network cannot fit the heap fails at once with the estimate and the remedy, and
   * the study goes on: such a trial allocated for half a minute before an OutOfMemoryError failed
   * it. The heap is given (1 MB), so nothing large is allocated to find it.
   */
  @Test
  void aTrialLargerThanTheHeapFailsAtOnceWithTheEstimate() {
    SearchSpace space = SearchSpace.parse("units = categorical(2, 1000)\nlayers = fixed(2)");
    History h = Study.builder(space).direction(Direction.MAXIMIZE).seed(1).workers(1).build()
        .optimize(new MlpObjective(data(24), data(8), 1, () -> 1 << 20), Budget.trials(8));
    int failed = 0;
    for (TrialRecord t : h.trials()) {
      boolean wide = Double.parseDouble(String.valueOf(t.params().asMap().get("units"))) == 1000;
      assertEquals(wide ? TrialState.FAILED : TrialState.COMPLETE, t.state(), t.toString());
      if (!wide) continue;
      failed++;
      assertTrue(t.reason().contains("training 2-1000-1000-2 relu needs about ") && t.reason().contains(" of memory, and the Java "
          + "heap holds at most 1 MB") && t.reason().contains("The network's size comes from units=1000, layers=2;")
          && t.reason().endsWith("give the JVM a larger heap: JDK_JAVA_OPTIONS=-Xmx1g ./caviar tune ... (the JVM's option -Xmx1g)"),
          t.reason());
    }
    assertTrue(failed > 0 && failed < h.trials().size(), "both widths drawn: " + h.trials());
  }

  /** What training one trial of {@code units} units in one hidden layer holds, on {@code data(24)}. */
  private static long estimate(int units, int epochs) {
    MlpSettings s = MlpSettings.from(Map.of("units", units, "layers", 1), 2, 2, epochs, 0);
    return s.requireMemory(1, 24, Long.MAX_VALUE, 0, "", n -> "").bytes();
  }

  /** The data {@code data(24)} and {@code data(8)} hold, which the budget leaves out of the heap. */
  private static long heldByTheData() {
    return MlpObjective.dataBytes(data(24)) + MlpObjective.dataBytes(data(8));
  }

  /**
   * Polls {@code done} until it holds: a wait for another thread's step, not a measure of time
   * (the minute is only there so that a broken build fails rather than hangs).
   */
  static void awaitUntil(BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("waited a minute for " + what);
      LockSupport.parkNanos(100_000);
    }
  }

  /**
   * Two trials that each need 60% of the heap beside the data run one after the other, on two
   * workers: each passed the check against the whole heap, and together they overran it (an
   * OutOfMemoryError after allocating for long). The first to report holds its first epoch until
   * the other either reports too (trains beside it) or waits for its memory; then every report of
   * the first comes before the other's first.
   */
  @Test
  void twoTrialsThatFitOnlyAloneRunOneAfterTheOther() {
    long each = estimate(50, 2);
    long heap = heldByTheData() + each * 10 / 6; // each trial 60% of the budget
    MlpObjective objective = new MlpObjective(data(24), data(8), 2, () -> heap);
    List<String> reports = Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean first = new AtomicBoolean(true);
    StudyListener holdTheFirst = new StudyListener() {
      @Override
      public void trialReported(TrialRecord t) {
        reports.add(t.number() + "@" + t.lastStep());
        if (!first.compareAndSet(true, false)) return;
        awaitUntil(() -> objective.budget().waiting() > 0 || List.copyOf(reports).stream().anyMatch(r -> !r.startsWith(t.number() + "@")),
            "the other trial to wait for its memory or to report");
      }
    };
    History h = Study.builder(SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)")).direction(Direction.MAXIMIZE).seed(1)
        .workers(2).listener(holdTheFirst).build().optimize(objective, Budget.trials(2));
    for (TrialRecord t : h.trials()) assertEquals(TrialState.COMPLETE, t.state(), t.toString());
    String a = reports.get(0).substring(0, reports.get(0).indexOf('@'));
    String b = a.equals("0") ? "1" : "0";
    assertEquals(List.of(a + "@1", a + "@2", b + "@1", b + "@2"), reports);
    assertEquals(0, objective.budget().reserved());
  }

  /**
   * The objective tells the listener it is given of a trial's wait, by the trials' numbers: of two
   * trials that fit only alone, the second waits while the first holds its estimate, and is told
   * going on once it ends; a budget they fit together tells nothing.
   */
  @Test
  void aTrialsWaitIsToldToTheListenerGiven() {
    long each = estimate(50, 1);
    List<String> told = Collections.synchronizedList(new ArrayList<>());
    HeapBudget.Listener listener = new HeapBudget.Listener() {
      @Override
      public void waits(MemoryWait w) {
        told.add("waits " + w.trial() + " held " + w.held() + " of " + w.budget());
      }

      @Override
      public void goesOn(MemoryWait w, long waitedNanos) {
        told.add("goes on " + w.trial());
      }
    };
    long heap = heldByTheData() + each * 10 / 6; // each trial 60% of the budget
    MlpObjective objective = new MlpObjective(data(24), data(8), 1, 0, listener, () -> heap);
    List<Integer> started = Collections.synchronizedList(new ArrayList<>());
    StudyListener holdTheFirst = new StudyListener() {
      @Override
      public void trialReported(TrialRecord t) {
        started.add(t.number());
        if (started.size() == 1) awaitUntil(() -> objective.budget().waiting() > 0, "the other trial to wait for its memory");
      }
    };
    Study.builder(SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)")).direction(Direction.MAXIMIZE).seed(1)
        .workers(2).listener(holdTheFirst).build().optimize(objective, Budget.trials(2));
    int first = started.get(0);
    int other = 1 - first;
    assertEquals(List.of("waits " + other + " held {" + first + "=" + each + "} of " + (heap - heldByTheData()), "goes on " + other), told);

    told.clear();
    MlpObjective roomy = new MlpObjective(data(24), data(8), 1, 0, listener, () -> heldByTheData() + 2 * each);
    Study.builder(SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)")).direction(Direction.MAXIMIZE).seed(1)
        .workers(2).build().optimize(roomy, Budget.trials(2));
    assertEquals(List.of(), told);
  }

  /**
   * What the caller says it holds beside the training and validation sets (tune: the test split,
   * the rows as read) is left out of the budget, to the byte. It was not: the trials were given
   * memory the test split and the rows held.
   */
  @Test
  void theBudgetLeavesOutWhatTheCallerHolds() {
    long heap = 1L << 30;
    long held = 123_456_789;
    long without = new MlpObjective(data(24), data(8), 1, () -> heap).budget().bytes();
    assertEquals(heap - heldByTheData(), without);
    assertEquals(without - held, new MlpObjective(data(24), data(8), 1, held, HeapBudget.Listener.NONE, () -> heap).budget().bytes());
    assertThrows(IllegalArgumentException.class, () -> new MlpObjective(data(24), data(8), 1, -1, HeapBudget.Listener.NONE, () -> heap));
  }

  /**
   * A trial that fits the heap less the training and validation sets, but not less what the caller
   * holds beside them too, is refused at once, its message counting what the caller holds as taken
   * by the data (3 MB here, beside the sets' few hundred bytes).
   */
  @Test
  void aTrialThatFitsBesideTheSetsButNotBesideAllTheDataIsRefused() {
    long held = 3L << 20;
    long heap = estimate(50, 1) + heldByTheData() + held / 2;
    History h = Study.builder(SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)")).direction(Direction.MAXIMIZE).seed(1)
        .workers(1).build().optimize(new MlpObjective(data(24), data(8), 1, held, HeapBudget.Listener.NONE, () -> heap), Budget.trials(1));
    TrialRecord t = h.trials().get(0);
    assertEquals(TrialState.FAILED, t.state(), t.toString());
    assertTrue(t.reason().startsWith("training 2-50-2 relu needs about ") && t.reason().contains(" of memory, and the Java heap holds at "
        + "most 2 MB, 3 MB of it taken by the data: "), t.reason());
  }

  /**
   * A trial that fits the whole heap but not beside the data, which every trial shares, can never
   * run: refused at once with the estimate, as one larger than the heap is, saying what the data hold.
   */
  @Test
  void aTrialThatFitsTheHeapButNotBesideTheDataIsRefused() {
    long heap = estimate(50, 1) + heldByTheData() / 2;
    History h = Study.builder(SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)")).direction(Direction.MAXIMIZE).seed(1)
        .workers(1).build().optimize(new MlpObjective(data(24), data(8), 1, () -> heap), Budget.trials(1));
    TrialRecord t = h.trials().get(0);
    assertEquals(TrialState.FAILED, t.state(), t.toString());
    assertTrue(t.reason().startsWith("training 2-50-2 relu needs about ") && t.reason().contains(" of memory, and the Java heap holds at "
        + "most 1 MB, 1 MB of it taken by the data: "), t.reason());
  }

  /**
   * A trial's memory is released however it ends: pruned, diverged, failed (the pruner threw). Else
   * the budget shrank trial by trial until every trial waited for memory no one would release.
   */
  @Test
  void aTrialReleasesItsMemoryHoweverItEnds() {
    SearchSpace space = SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)");
    MlpObjective pruned = new MlpObjective(data(24), data(8), 3);
    TrialRecord p = Study.builder(space).direction(Direction.MAXIMIZE).pruner(ALWAYS).seed(1).workers(1).build()
        .optimize(pruned, Budget.trials(1)).trials().get(0);
    assertEquals(TrialState.PRUNED, p.state(), p.toString());
    assertEquals(0, pruned.budget().reserved());

    MlpObjective diverged = new MlpObjective(data(24), data(8), 3);
    TrialRecord d = Study.builder(SearchSpace.parse("units = fixed(50)\nlayers = fixed(1)\nlr = fixed(1e30)")).direction(Direction.MAXIMIZE)
        .seed(1).workers(1).build().optimize(diverged, Budget.trials(1)).trials().get(0);
    assertTrue(d.state() == TrialState.FAILED && d.isDiverged(), d.toString());
    assertEquals(0, diverged.budget().reserved());

    Pruner broken = new Pruner() {
      @Override
      public boolean shouldPrune(History history, TrialRecord trial) {
        throw new IllegalStateException("broken");
      }

      @Override
      public String name() {
        return "broken";
      }
    };
    MlpObjective failed = new MlpObjective(data(24), data(8), 3);
    Study study = Study.builder(space).direction(Direction.MAXIMIZE).pruner(broken).seed(1).workers(1).build();
    assertThrows(IllegalStateException.class, () -> study.optimize(failed, Budget.trials(1)));
    TrialRecord f = study.history().trials().get(0);
    assertEquals(TrialState.FAILED, f.state(), f.toString());
    assertEquals(0, failed.budget().reserved());
  }
}
