package org.caviar.search.pruner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

/**
 * The pruners decide as the references they follow, on simulated studies: a few trials at a time
 * report noisy learning curves step by step, interleaved at random, and each report is judged by
 * the pruner and by a direct transcription of the reference, which keeps its own state as Optuna
 * does. Every decision must agree. Seeds are fixed; the settings (eta, first rung, last step,
 * start-up trials, warm-up, direction, parallelism) vary with them.
 */
class PrunerConformanceTest {
  private static final SearchSpace SPACE = SearchSpace.of(Parameter.uniform("x", 0, 1));

  /** A reference decision for trial t's latest report; it may record state of its own. */
  private interface Reference {
    boolean prune(TrialRecord[] trials, int started, int t, int step, double value);
  }

  /** Runs 30 trials of up to {@code lastStep} steps, {@code parallel} at a time; returns {decisions, prunes}. */
  private static int[] simulate(Random r, Pruner pruner, Reference reference, Direction dir, int lastStep, int parallel) {
    int n = 30;
    TrialRecord[] trials = new TrialRecord[n];
    double[] quality = new double[n];
    int[] steps = new int[n];
    for (int t = 0; t < n; t++) quality[t] = r.nextDouble();
    List<Integer> running = new ArrayList<>();
    int started = 0;
    int decisions = 0;
    int prunes = 0;
    while (true) {
      while (running.size() < parallel && started < n) {
        trials[started] = TrialRecord.claimed(started, 0).withParams(SPACE.pointFromUnit(new double[] {0.5}), -1);
        running.add(started++);
      }
      if (running.isEmpty()) return new int[] {decisions, prunes};
      int t = running.get(r.nextInt(running.size()));
      int step = ++steps[t];
      double value = quality[t] + 1.0 / step + 0.05 * r.nextGaussian(); // curves that cross
      trials[t] = trials[t].withIntermediate(step, value);
      List<TrialRecord> all = new ArrayList<>();
      for (int k = 0; k < started; k++) all.add(trials[k]);
      boolean actual = pruner.shouldPrune(new History(all, dir), trials[t]);
      boolean expected = reference.prune(trials, started, t, step, value);
      assertEquals(expected, actual, pruner.name() + ": trial " + t + " at step " + step);
      decisions++;
      if (expected) prunes++;
      if (expected || step == lastStep) {
        trials[t] = trials[t].withOutcome(expected ? TrialState.PRUNED : TrialState.COMPLETE, value, null, 0);
        running.remove((Integer) t);
      }
    }
  }

  /**
   * Optuna's SuccessiveHalvingPruner.prune (optuna/pruners/_successive_halving.py): the trial's
   * value is recorded at each rung it reaches, then compared with the values recorded there,
   * promotable while at index len / eta - 1 (0 when that is -1) of the sorted values or better;
   * plus ASHA's top rung (Li et al. 2020), which Optuna, having no maximum resource, lacks.
   */
  @Test
  void ashaDecidesAsOptunasSuccessiveHalving() {
    int prunes = 0;
    for (long seed = 0; seed < 100; seed++) {
      Random r = new Random(seed);
      int lastStep = 5 + r.nextInt(40);
      int eta = 2 + r.nextInt(3);
      AshaPruner asha = new AshaPruner(1 + r.nextInt(3), eta, lastStep);
      Direction dir = r.nextBoolean() ? Direction.MINIMIZE : Direction.MAXIMIZE;
      List<Map<Integer, Double>> rungValues = new ArrayList<>();
      for (int t = 0; t < 30; t++) rungValues.add(new HashMap<>());
      Reference optuna = (trials, started, t, step, value) -> {
        for (int rung = rungValues.get(t).size(); step >= asha.rungStep(rung) && asha.decidesAt(rung); rung++) {
          rungValues.get(t).put(rung, value);
          List<Double> competing = new ArrayList<>();
          for (int k = 0; k < started; k++) if (rungValues.get(k).containsKey(rung)) competing.add(rungValues.get(k).get(rung));
          int promotable = Math.max(0, competing.size() / eta - 1);
          Collections.sort(competing);
          boolean promoted = dir == Direction.MAXIMIZE
              ? value >= competing.get(competing.size() - 1 - promotable)
              : value <= competing.get(promotable);
          if (!promoted) return true;
        }
        return false;
      };
      prunes += simulate(r, asha, optuna, dir, lastStep, 1 + r.nextInt(5))[1];
    }
    assertTrue(prunes > 1000, "only " + prunes + " prunes: the comparison would prove little"); // 2199 measured
  }

  /**
   * Optuna's PercentilePruner at 50 (optuna/pruners/_percentile.py): nothing before
   * n_startup_trials COMPLETE trials or before step n_warmup_steps; else prune when the trial's best
   * value over its steps is worse than the median (numpy's, the mean of the middle two for an even
   * count) of the COMPLETE trials' values at this step.
   */
  @Test
  void medianDecidesAsOptunasMedianPruner() {
    int prunes = 0;
    for (long seed = 0; seed < 100; seed++) {
      Random r = new Random(seed);
      int lastStep = 5 + r.nextInt(40);
      int startup = r.nextInt(6);
      int warmup = r.nextInt(5);
      Direction dir = r.nextBoolean() ? Direction.MINIMIZE : Direction.MAXIMIZE;
      Reference optuna = (trials, started, t, step, value) -> {
        List<Double> atStep = new ArrayList<>();
        int completed = 0;
        for (int k = 0; k < started; k++) {
          if (trials[k].state() != TrialState.COMPLETE) continue;
          completed++;
          double v = trials[k].intermediate(step);
          if (!Double.isNaN(v)) atStep.add(v);
        }
        if (completed == 0 || completed < startup || step < warmup || atStep.isEmpty()) return false;
        double best = dir.worst();
        for (int i = 0; i < trials[t].reportCount(); i++) {
          if (dir.isBetter(trials[t].intermediateAt(i), best)) best = trials[t].intermediateAt(i);
        }
        Collections.sort(atStep);
        int m = atStep.size();
        double median = m % 2 == 1 ? atStep.get(m / 2) : 0.5 * (atStep.get(m / 2 - 1) + atStep.get(m / 2));
        return dir == Direction.MAXIMIZE ? best < median : best > median;
      };
      prunes += simulate(r, new MedianPruner(startup, warmup), optuna, dir, lastStep, 1 + r.nextInt(5))[1];
    }
    assertTrue(prunes > 1000, "only " + prunes + " prunes: the comparison would prove little"); // 1378 measured
  }
}
