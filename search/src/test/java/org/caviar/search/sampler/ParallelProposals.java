package org.caviar.search.sampler;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/** Test helpers: histories of random trials, the samplers' handling of running trials, medians over seeds. */
final class ParallelProposals {
  private ParallelProposals() {}

  /**
   * On Branin: {@code finished} random trials, then 8 proposals of {@code sampler}, each claimed
   * and left RUNNING (pending) before the next; returns the mean distance from each pending
   * proposal to its nearest other one, in the unit square. Samplers that keep parallel workers
   * apart give a larger spread.
   */
  static double pendingSpread(Sampler sampler, int finished, long seed) {
    SearchSpace space = TestFunction.BRANIN.space();
    List<TrialRecord> trials = randomBranin(finished, seed);
    List<Point> pending = new ArrayList<>();
    for (int n = finished; n < finished + 8; n++) {
      trials.add(TrialRecord.claimed(n, 0));
      Point p = sampler.propose(space, new History(trials, Direction.MINIMIZE), n, seed);
      trials.set(n, trials.get(n).withParams(p, -1));
      pending.add(p);
    }
    double sum = 0;
    for (Point a : pending) {
      double nearest = Double.POSITIVE_INFINITY;
      for (Point b : pending) {
        if (a != b) nearest = Math.min(nearest, Math.hypot(a.unit(0) - b.unit(0), a.unit(1) - b.unit(1)));
      }
      sum += nearest;
    }
    return sum / pending.size();
  }

  /** {@code finished} completed trials of random points on Branin, numbered from 0, drawn with {@code seed}. */
  static List<TrialRecord> randomBranin(int finished, long seed) {
    TestFunction f = TestFunction.BRANIN;
    List<TrialRecord> trials = new ArrayList<>();
    RandomSampler random = new RandomSampler();
    for (int n = 0; n < finished; n++) {
      Point p = random.propose(f.space(), History.empty(Direction.MINIMIZE), n, seed);
      trials.add(TrialRecord.claimed(n, 0).withParams(p, -1).withOutcome(TrialState.COMPLETE, f.evaluate(p), null, 0));
    }
    return trials;
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
  }
}
