package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class CoarseToFineSamplerTest {
  private static final SearchSpace SPACE = SearchSpace.of(Parameter.uniform("x", 0, 1), Parameter.intUniform("k", 1, 3));

  /**
   * Round 0 of ten trials: the two best (the best 20%) at x = 0.2 and 0.6 with k = 2, the others
   * elsewhere and worse, in the given direction.
   */
  private static History roundZero(Direction dir) {
    List<TrialRecord> trials = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      boolean best = n == 3 || n == 7;
      double x = best ? (n == 3 ? 0.2 : 0.6) : 0.1 * n;
      int k = best ? 2 : 1 + 2 * (n % 2);
      double loss = best ? n * 0.01 : 1 + n;
      Point p = SPACE.pointFromValues(Map.of("x", x, "k", k));
      trials.add(TrialRecord.claimed(n, 0).withParams(p, -1)
          .withOutcome(TrialState.COMPLETE, dir == Direction.MINIMIZE ? loss : -loss, null, 0));
    }
    return new History(trials, dir);
  }

  /** Proposals of trials 10..59, all in round 1, on one history: how often each k came. */
  private static Map<Integer, Integer> roundOne(History h, List<Double> xs) {
    CoarseToFineSampler s = new CoarseToFineSampler(10, 0.2);
    Map<Integer, Integer> counts = new TreeMap<>();
    for (int n = 10; n < 60; n++) {
      Point p = s.propose(SPACE, h, n, 17);
      counts.merge(p.getInt("k"), 1, Integer::sum);
      xs.add(p.getDouble("x"));
    }
    return counts;
  }

  /** Round 1 draws x in the best trials' box [0.2, 0.6] widened by a quarter of its width (0.1 > 0.5 / 10), in either direction. */
  @Test
  void roundOneZoomsOntoTheBoxOfTheBestTrials() {
    for (Direction dir : Direction.values()) {
      List<Double> xs = new ArrayList<>();
      roundOne(roundZero(dir), xs);
      for (double x : xs) assertTrue(x >= 0.1 - 1e-12 && x <= 0.7 + 1e-12, dir + ": x = " + x + " outside [0.1, 0.7]");
      double lo = xs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      double hi = xs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
      assertTrue(lo < 0.2 && hi > 0.6, dir + ": 50 draws should reach past both best points, got [" + lo + ", " + hi + "]");
    }
  }

  /**
   * An integer's box reaches the centres of its neighbours: with the best trials all at k = 2 the
   * unit box (widened by 0.5 / 10 = 0.05) lay inside the share of 2 (1/3 wide), and k was frozen at
   * 2 for the rest of the study, though the class promises the box never collapses to a point.
   * Now 1 and 3 each get a quarter of the box: 50 draws miss one with probability 2 x 0.75^50 = 1e-6.
   */
  @Test
  void anIntegerIsNotFrozenAtTheBestTrialsValue() {
    Map<Integer, Integer> counts = roundOne(roundZero(Direction.MINIMIZE), new ArrayList<>());
    assertEquals(List.of(1, 2, 3), List.copyOf(counts.keySet()), counts.toString());
    assertTrue(counts.get(2) > counts.get(1) && counts.get(2) > counts.get(3), "the best trials' value stays the likeliest: " + counts);
  }

  /**
   * The box is on each parameter's own scale: the best learning rates 1e-4 and 1e-2 on
   * log(1e-6, 1) span two decades, widened by half a decade on each side, so round 1 draws
   * log10(lr) in [-4.5, -1.5], about as often below -3 as above. A box on the values themselves,
   * [1e-6, 0.0125] (1e-4 - 0.0025 clamped), would put 12 draws in 13 above 1e-3, and the rest
   * mostly below 10^-4.5.
   */
  @Test
  void theBoxIsOnTheParametersOwnScale() {
    SearchSpace space = SearchSpace.of(Parameter.logUniform("lr", 1e-6, 1));
    List<TrialRecord> trials = new ArrayList<>();
    for (int n = 0; n < 10; n++) {
      double lr = n == 3 ? 1e-4 : n == 7 ? 1e-2 : Math.pow(10, -0.5 * n % 6);
      double loss = n == 3 || n == 7 ? 0 : 1;
      trials.add(TrialRecord.claimed(n, 0).withParams(space.pointFromValues(Map.of("lr", lr)), -1)
          .withOutcome(TrialState.COMPLETE, loss, null, 0));
    }
    History h = new History(trials, Direction.MINIMIZE);
    CoarseToFineSampler s = new CoarseToFineSampler(10, 0.2);
    int below = 0;
    for (int n = 10; n < 110; n++) {
      double e = Math.log10(s.propose(space, h, n, 5).getDouble("lr"));
      assertTrue(e >= -4.5 - 1e-12 && e <= -1.5 + 1e-12, "log10(lr) = " + e + " outside [-4.5, -1.5]");
      if (e < -3) below++;
    }
    // Binomial(100, 1/2): 30..70 holds with probability 1 - 8e-5; the value box would give about 8.
    assertTrue(below >= 30 && below <= 70, below + " of 100 draws below 1e-3");
  }
}
