package org.caviar.search.pruner;

import java.util.Arrays;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * Median stopping (Golovin et al., Google Vizier, 2017, as in Optuna's MedianPruner): stop a trial
 * at step s when the best value it has reported so far is worse than the median of the values that
 * completed trials reported at step s. Nothing is pruned before {@code startupTrials} trials have
 * completed or before step {@code warmupSteps}.
 */
public final class MedianPruner implements Pruner {
  private final int startupTrials;
  private final int warmupSteps;

  public MedianPruner(int startupTrials, int warmupSteps) {
    if (startupTrials < 0) throw new IllegalArgumentException("startupTrials must be >= 0, got " + startupTrials);
    if (warmupSteps < 0) throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
    this.startupTrials = startupTrials;
    this.warmupSteps = warmupSteps;
  }

  /** Optuna's defaults: 5 startup trials, no warm-up. */
  public MedianPruner() {
    this(5, 0);
  }

  @Override
  public boolean shouldPrune(History history, TrialRecord trial) {
    int step = trial.lastStep();
    if (step < 0 || step < warmupSteps) return false;
    Direction dir = history.direction();
    double[] atStep = new double[history.size()];
    int completed = 0;
    int n = 0;
    for (TrialRecord t : history.trials()) {
      if (t.state() != TrialState.COMPLETE || t.number() == trial.number()) continue;
      completed++;
      double v = t.intermediate(step);
      if (!Double.isNaN(v)) atStep[n++] = dir.loss(v);
    }
    if (completed < startupTrials || n == 0) return false;
    Arrays.sort(atStep, 0, n);
    double median = n % 2 == 1 ? atStep[n / 2] : 0.5 * (atStep[n / 2 - 1] + atStep[n / 2]);
    double best = Double.POSITIVE_INFINITY;
    for (int i = 0; i < trial.reportCount(); i++) {
      if (trial.stepAt(i) <= step) best = Math.min(best, dir.loss(trial.intermediateAt(i)));
    }
    return best > median; // NaN best never compares greater: a NaN trial is failed elsewhere
  }

  @Override
  public String name() {
    return "median";
  }
}
