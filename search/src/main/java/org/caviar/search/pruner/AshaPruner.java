package org.caviar.search.pruner;

import java.util.Arrays;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/**
 * Asynchronous successive halving (Li et al., "A System for Massively Parallel Hyperparameter
 * Tuning", MLSys 2020), in the stop-or-continue form of Optuna's SuccessiveHalvingPruner.
 *
 * <p>Rungs sit at steps {@code minResource * eta^k}, k = 0, 1, ... When a trial first reports at
 * or past a rung, its value there is compared with the values every other trial (running or
 * finished) had at that rung; it goes on only if it is among the best {@code floor(n / eta)} of the
 * n values (itself included), or the best of all while fewer than eta trials have reached the rung.
 * A trial interrupted with its process is not among them: its re-run, if any, counts in its place.
 * So roughly 1/eta of the trials pass each rung and compute goes to the promising ones, without any
 * worker waiting for a rung to fill.
 *
 * <p>With a maximum resource R (a trial's epochs), the rungs stop below it as in ASHA's definition:
 * decisions are taken at rungs k with {@code minResource * eta^(k+1) <= R}, and the rung after the
 * last decision is the top, where survivors run to the end. Without it, a rung at 27 epochs of 30
 * would prune trials that had done 90% of their work, saving little and losing finished candidates.
 *
 * <p>A trial's value at a rung is the one it reported at the first step at or past the rung, read
 * from the history: the pruner keeps no state.
 */
public final class AshaPruner implements Pruner {
  private final int minResource;
  private final int reductionFactor;
  private final long maxResource;

  /**
   * Rungs at steps minResource * reductionFactor^k without end. When trials have a last step, give
   * it as maxResource instead: here a rung at that step (9 of 9 epochs at 1 and 3) prunes trials
   * that have done all their work.
   */
  public AshaPruner(int minResource, int reductionFactor) {
    this(minResource, reductionFactor, Long.MAX_VALUE);
  }

  /** Rungs at steps minResource * reductionFactor^k, deciding only while the next rung fits in maxResource. */
  public AshaPruner(int minResource, int reductionFactor, long maxResource) {
    if (minResource < 1) throw new IllegalArgumentException("minResource must be >= 1, got " + minResource);
    if (reductionFactor < 2) throw new IllegalArgumentException("reductionFactor must be >= 2, got " + reductionFactor);
    if (maxResource < minResource) {
      throw new IllegalArgumentException("maxResource must be >= minResource (" + minResource + "), got " + maxResource);
    }
    this.minResource = minResource;
    this.reductionFactor = reductionFactor;
    this.maxResource = maxResource;
  }

  /** Rungs at steps 1, 3, 9, 27, ... */
  public AshaPruner() {
    this(1, 3);
  }

  /** Whether the pruner decides at rung k: the rung after it still fits in the maximum resource. */
  public boolean decidesAt(int k) {
    return maxResource == Long.MAX_VALUE || rungStep(k + 1) <= maxResource;
  }

  /** The step of rung k. */
  public long rungStep(int k) {
    long r = minResource;
    for (int i = 0; i < k; i++) {
      if (r > Long.MAX_VALUE / reductionFactor) return Long.MAX_VALUE; // saturate: beyond any budget
      r *= reductionFactor;
    }
    return r;
  }

  @Override
  public boolean shouldPrune(History history, TrialRecord trial) {
    int n = trial.reportCount();
    if (n == 0) return false;
    int step = trial.stepAt(n - 1);
    Direction dir = history.direction();
    double[] competitors = null;
    for (int k = 0; ; k++) {
      long rung = rungStep(k);
      if (rung > step || !decidesAt(k)) return false;
      // Only the rungs this report is the first to reach are decided now; earlier ones were passed.
      if (firstReportAtOrPast(trial, rung) != n - 1) continue;
      double mine = dir.loss(trial.intermediateAt(n - 1));
      if (Double.isNaN(mine)) return true;
      if (competitors == null) competitors = new double[history.size() + 1];
      int m = 0;
      for (TrialRecord t : history.trials()) {
        // An interrupted attempt's reports stay in the storage, but its re-run (a trial of its own)
        // stands for its parameters: counting both would put them in the rung twice.
        if (t.number() == trial.number() || t.isInterrupted()) continue;
        int at = firstReportAtOrPast(t, rung);
        if (at >= 0) {
          double v = dir.loss(t.intermediateAt(at));
          if (!Double.isNaN(v)) competitors[m++] = v;
        }
      }
      competitors[m++] = mine;
      Arrays.sort(competitors, 0, m);
      int promotable = Math.max(0, m / reductionFactor - 1);
      if (mine > competitors[promotable]) return true;
    }
  }

  /** The index of the first report at a step >= rung, or -1. */
  private static int firstReportAtOrPast(TrialRecord t, long rung) {
    for (int i = 0; i < t.reportCount(); i++) if (t.stepAt(i) >= rung) return i;
    return -1;
  }

  @Override
  public String name() {
    return "asha";
  }
}
