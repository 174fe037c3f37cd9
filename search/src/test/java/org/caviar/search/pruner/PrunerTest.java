package org.caviar.search.pruner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class PrunerTest {
  /** A trial that reported {@code curve[s - 1]} at steps 1..curve.length, finished or not. */
  private static TrialRecord trial(int number, boolean finished, double... curve) {
    TrialRecord t = TrialRecord.claimed(number, 0);
    for (int s = 1; s <= curve.length; s++) t = t.withIntermediate(s, curve[s - 1]);
    return finished ? t.withOutcome(TrialState.COMPLETE, curve[curve.length - 1], null, 0) : t;
  }

  @Test
  void ashaPromotesTheTopThirdAtEachRung() {
    AshaPruner asha = new AshaPruner(1, 3);
    assertEquals(1, asha.rungStep(0));
    assertEquals(3, asha.rungStep(1));
    assertEquals(9, asha.rungStep(2));
    List<TrialRecord> trials = new ArrayList<>();
    // Nine finished trials with losses 0..8 at every step.
    for (int i = 0; i < 9; i++) trials.add(trial(i, true, i, i, i, i));
    // A tenth at rung 0: 10 values, promotable while among the best 10 / 3 = 3, i.e. loss <= 2.
    TrialRecord good = trial(9, false, 1.5);
    TrialRecord edge = trial(9, false, 2.0);
    TrialRecord bad = trial(9, false, 5.5);
    History h = new History(trials, Direction.MINIMIZE);
    assertFalse(asha.shouldPrune(h, good));
    assertFalse(asha.shouldPrune(h, edge));
    assertTrue(asha.shouldPrune(h, bad));
    // Between rungs nothing is decided, however bad the value.
    assertFalse(asha.shouldPrune(h, trial(9, false, 1.5, 100)));
    // At rung 1 (step 3) it competes again, on its value there.
    assertTrue(asha.shouldPrune(h, trial(9, false, 1.5, 1.5, 7)));
    assertFalse(asha.shouldPrune(h, trial(9, false, 1.5, 1.5, 0.5)));
  }

  @Test
  void ashaFollowsTheDirectionAndKeepsTheBestWhileARungIsThin() {
    AshaPruner asha = new AshaPruner(1, 3);
    List<TrialRecord> trials = List.of(trial(0, true, 0.8));
    History max = new History(trials, Direction.MAXIMIZE);
    // Two values at the rung: fewer than eta, so only a new best goes on.
    assertFalse(asha.shouldPrune(max, trial(1, false, 0.9)));
    assertTrue(asha.shouldPrune(max, trial(1, false, 0.7)));
    // The first trial at a rung always goes on.
    assertFalse(asha.shouldPrune(History.empty(Direction.MAXIMIZE), trial(0, false, 0.1)));
    // Running trials compete too: ASHA does not wait for them to finish.
    History running = new History(List.of(trial(0, false, 0.8, 0.85)), Direction.MAXIMIZE);
    assertTrue(asha.shouldPrune(running, trial(1, false, 0.7)));
  }

  @Test
  void ashaLetsTheTopRungRunToTheEnd() {
    // Rungs 2, 6, 18 with 30 epochs: decisions at 2 and 6; 18 * 3 = 54 > 30, so 18 is the top.
    AshaPruner asha = new AshaPruner(2, 3, 30);
    assertTrue(asha.decidesAt(0));
    assertTrue(asha.decidesAt(1));
    assertFalse(asha.decidesAt(2));
    List<TrialRecord> trials = new ArrayList<>();
    double[] good = new double[20];
    java.util.Arrays.fill(good, 0.1);
    for (int i = 0; i < 9; i++) trials.add(trial(i, true, good));
    History h = new History(trials, Direction.MINIMIZE);
    double[] curve = new double[18];
    java.util.Arrays.fill(curve, 0.1);
    curve[17] = 9; // terrible at the top rung
    assertFalse(asha.shouldPrune(h, trial(9, false, curve)));
    assertTrue(new AshaPruner(2, 3).shouldPrune(h, trial(9, false, curve)), "without a maximum, 18 is a rung");
    double[] badAt6 = java.util.Arrays.copyOf(curve, 6);
    badAt6[5] = 9;
    assertTrue(asha.shouldPrune(h, trial(9, false, badAt6)));
  }

  /** A trial interrupted with its process after reporting {@code curve}. */
  private static TrialRecord interrupted(int number, double... curve) {
    return trial(number, false, curve).withOutcome(TrialState.FAILED, Double.NaN,
        TrialRecord.INTERRUPTED + ": the process stopped while this trial ran", 0);
  }

  /** Trial {@code number}, the re-run of {@code retryOf}, having reported {@code curve}, finished or not. */
  private static TrialRecord reRun(int number, int retryOf, boolean finished, double... curve) {
    TrialRecord t = TrialRecord.claimed(number, 0).withParams(null, retryOf);
    for (int s = 1; s <= curve.length; s++) t = t.withIntermediate(s, curve[s - 1]);
    return finished ? t.withOutcome(TrialState.COMPLETE, curve[curve.length - 1], null, 0) : t;
  }

  @Test
  void ashaCountsAnInterruptedTrialOnceBesideItsReRun() {
    AshaPruner asha = new AshaPruner(1, 2);
    // Trial 1 was interrupted after its first epoch; trial 2 re-ran it to the same value.
    History h = new History(List.of(trial(0, true, 0.9), interrupted(1, 0.1), reRun(2, 1, true, 0.1)), Direction.MAXIMIZE);
    // At rung 0: 0.9, 0.1 and its own 0.5, three values, so only the best goes on. With the
    // interrupted attempt's 0.1 counted too, four values would promote the top two, 0.5 among them.
    assertTrue(asha.shouldPrune(h, trial(3, false, 0.5)));
    // A re-run does not compete with its own first attempt (whose value may differ, e.g. on other
    // threads): against 0.5 alone, 0.8 is the best of two and goes on.
    TrialRecord running = reRun(2, 1, false, 0.8);
    History rerunning = new History(List.of(trial(0, true, 0.5), interrupted(1, 0.9), running), Direction.MAXIMIZE);
    assertFalse(asha.shouldPrune(rerunning, running));
    // The median pruner counts completed trials only: the interrupted attempt was never among them.
    assertFalse(new MedianPruner(1, 0).shouldPrune(rerunning, running));
  }

  @Test
  void medianPrunesBelowTheMedianOfCompletedTrialsAtTheSameStep() {
    MedianPruner median = new MedianPruner(3, 1);
    List<TrialRecord> trials = new ArrayList<>();
    for (int i = 0; i < 3; i++) trials.add(trial(i, true, 0.5 + 0.1 * i, 0.6 + 0.1 * i, 0.7 + 0.1 * i));
    History h = new History(trials, Direction.MAXIMIZE);
    // Median at step 2 is 0.7; the trial's best so far is what counts.
    assertTrue(median.shouldPrune(h, trial(3, false, 0.5, 0.65)));
    assertFalse(median.shouldPrune(h, trial(3, false, 0.5, 0.75)));
    assertFalse(median.shouldPrune(h, trial(3, false, 0.72, 0.6)));
    // Before the warm-up step, or with fewer completed trials than the start-up count: never.
    assertFalse(new MedianPruner(3, 2).shouldPrune(h, trial(3, false, 0.1)));
    assertFalse(new MedianPruner(4, 0).shouldPrune(h, trial(3, false, 0.1, 0.1)));
  }

  @Test
  void rejectsBadSettings() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AshaPruner(0, 3)).getMessage().contains("minResource"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AshaPruner(1, 1)).getMessage().contains("reductionFactor"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new AshaPruner(5, 3, 4)).getMessage().contains("maxResource"));
    assertEquals(Long.MAX_VALUE, new AshaPruner(1, 3).rungStep(100)); // saturates instead of overflowing
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new MedianPruner(-1, 0)).getMessage().contains("startupTrials"));
  }
}
