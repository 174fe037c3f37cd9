package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class TpeSamplerTest {
  private static double bestOf(Sampler s, TestFunction f, long seed, int trials) {
    Study study = Study.builder(f.space()).sampler(s).seed(seed).workers(1).build();
    return study.optimize(t -> f.evaluate(t.params()), Budget.trials(trials)).best().value();
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
  }

  @Test
  void defaultTpeBeatsRandomOnBraninInMedian() {
    int seeds = 7;
    double[] tpe = new double[seeds];
    double[] random = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      tpe[s] = bestOf(new TpeSampler(), TestFunction.BRANIN, s, 60);
      random[s] = bestOf(new RandomSampler(), TestFunction.BRANIN, s, 60);
    }
    assertTrue(median(tpe) < median(random),
        "TPE median best " + median(tpe) + " should beat random's " + median(random));
  }

  @Test
  void optunasTpeBeatsRandomOnHartmann6InMedian() {
    int seeds = 5;
    double[] tpe = new double[seeds];
    double[] random = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      tpe[s] = bestOf(TpeSampler.optunaDefaults(), TestFunction.HARTMANN6, s, 60);
      random[s] = bestOf(new RandomSampler(), TestFunction.HARTMANN6, s, 60);
    }
    assertTrue(median(tpe) < median(random),
        "TPE median best " + median(tpe) + " should beat random's " + median(random));
  }

  /**
   * Eight proposals in a row, each left RUNNING as parallel workers would leave them. With the
   * constant liar the pending points count as bad, so the proposals spread out; without it they pile
   * onto the current favourite. Compared by the median over seeds of the mean distance to the
   * nearest other pending proposal, in the unit square.
   */
  @Test
  void constantLiarKeepsParallelProposalsApart() {
    int seeds = 9;
    double[] withLiar = new double[seeds];
    double[] without = new double[seeds];
    for (int s = 0; s < seeds; s++) {
      withLiar[s] = pendingSpread(TpeSampler.builder().constantLiar(true).build(), s);
      without[s] = pendingSpread(TpeSampler.builder().constantLiar(false).build(), s);
    }
    assertTrue(median(withLiar) > 1.5 * median(without),
        "spread with liar " + median(withLiar) + " vs without " + median(without));
  }

  private static double pendingSpread(TpeSampler tpe, long seed) {
    TestFunction f = TestFunction.BRANIN;
    SearchSpace space = f.space();
    List<TrialRecord> trials = new ArrayList<>();
    RandomSampler random = new RandomSampler();
    for (int n = 0; n < 30; n++) {
      Point p = random.propose(space, History.empty(Direction.MINIMIZE), n, seed);
      trials.add(TrialRecord.claimed(n, 0).withParams(p, -1).withOutcome(TrialState.COMPLETE, f.evaluate(p), null, 0));
    }
    List<Point> pending = new ArrayList<>();
    for (int n = 30; n < 38; n++) {
      trials.add(TrialRecord.claimed(n, 0));
      Point p = tpe.propose(space, new History(trials, Direction.MINIMIZE), n, seed);
      trials.set(n, trials.get(n).withParams(p, -1));
      pending.add(p);
    }
    double sum = 0;
    for (Point a : pending) {
      double nearest = Double.POSITIVE_INFINITY;
      for (Point b : pending) {
        if (a == b) continue;
        nearest = Math.min(nearest, Math.hypot(a.unit(0) - b.unit(0), a.unit(1) - b.unit(1)));
      }
      sum += nearest;
    }
    return sum / pending.size();
  }
}
