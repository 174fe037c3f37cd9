package org.caviar.search.sampler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.caviar.search.space.CategoricalParameter;
import org.caviar.search.space.FixedParameter;
import org.caviar.search.space.IntParameter;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * Rounds of random search, each in a box zoomed onto the best region found so far, as the practice
 * of tuning by hand suggests: search coarsely, then look closer where it went well.
 *
 * <p>Trial n belongs to round n / roundSize. Round 0 draws from the whole space. Round k draws
 * uniformly, on each parameter's scale, inside the bounding box of the best {@code keepFraction} of
 * the completed trials (at least two), widened on each side by a quarter of its width and by at least
 * {@code 0.5 / roundSize} so that it never collapses to a point, and for an integer at least to the
 * integers next to those the best trials used, so that it never collapses to one value; categorical
 * parameters draw among the choices that those best trials used. A conditional parameter no best trial used keeps its
 * whole range.
 */
public final class CoarseToFineSampler implements Sampler {
  private final int roundSize;
  private final double keepFraction;

  public CoarseToFineSampler(int roundSize, double keepFraction) {
    if (roundSize < 2) throw new IllegalArgumentException("roundSize must be >= 2, got " + roundSize);
    if (!(keepFraction > 0 && keepFraction <= 1)) {
      throw new IllegalArgumentException("keepFraction must be in (0, 1], got " + keepFraction);
    }
    this.roundSize = roundSize;
    this.keepFraction = keepFraction;
  }

  /** Rounds of 20 trials, zooming on the best 20%. */
  public CoarseToFineSampler() {
    this(20, 0.2);
  }

  @Override
  public Point propose(SearchSpace space, History history, int number, long seed) {
    SplittableRandom random = Seeds.forTrial(seed, number);
    int round = number / roundSize;
    List<TrialRecord> best = round == 0 ? List.of() : best(history, round * roundSize);
    double[] u = RandomSampler.draw(space.size(), random);
    if (best.size() < 2) return space.pointFromUnit(u);
    double margin = 0.5 / roundSize;
    for (int i = 0; i < space.size(); i++) {
      Parameter p = space.get(i);
      if (p instanceof FixedParameter) continue;
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      boolean[] usedChoice = p instanceof CategoricalParameter c ? new boolean[c.size()] : null;
      int used = 0;
      for (TrialRecord t : best) {
        double x = t.params().unit(i);
        if (Double.isNaN(x)) continue;
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
        if (usedChoice != null) {
          int k = ((CategoricalParameter) p).indexAt(x);
          if (!usedChoice[k]) used++;
          usedChoice[k] = true;
        }
      }
      if (lo > hi) continue; // no best trial had it active: keep the whole range
      if (usedChoice != null) {
        int pick = (int) (u[i] * used); // the u[i]-quantile among the used choices
        for (int k = 0; k < usedChoice.length; k++) {
          if (usedChoice[k] && pick-- == 0) {
            u[i] = ((CategoricalParameter) p).unitOfIndex(k);
            break;
          }
        }
        continue;
      }
      double widen = Math.max(0.25 * (hi - lo), margin);
      double a = Math.max(0, lo - widen);
      double b = Math.min(1, hi + widen);
      if (p instanceof IntParameter n) {
        // Out to the centres of the integers next to those used: a box of 1 / roundSize can lie
        // inside one integer's share (a third of the interval for int(1, 3)), which froze it.
        a = Math.min(a, n.unitOf((int) Math.max(n.lo(), (long) n.valueAt(lo) - 1)));
        b = Math.max(b, n.unitOf((int) Math.min(n.hi(), (long) n.valueAt(hi) + 1)));
      }
      u[i] = a + u[i] * (b - a);
    }
    return space.pointFromUnit(u);
  }

  /** The best keepFraction (at least 2) of the COMPLETE trials numbered below {@code before}. */
  private List<TrialRecord> best(History history, int before) {
    Direction d = history.direction();
    List<TrialRecord> done = new ArrayList<>();
    for (TrialRecord t : history.trials()) {
      if (t.number() < before && t.state() == TrialState.COMPLETE && t.params() != null) done.add(t);
    }
    done.sort(Comparator.comparingDouble((TrialRecord t) -> d.loss(t.value())).thenComparingInt(TrialRecord::number));
    int keep = Math.max(2, (int) Math.ceil(keepFraction * done.size()));
    return done.subList(0, Math.min(keep, done.size()));
  }

  @Override
  public String name() {
    return "coarse-to-fine";
  }
}
