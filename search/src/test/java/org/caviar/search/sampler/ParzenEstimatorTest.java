package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ParzenEstimatorTest {
  /**
   * Midpoint rule over [0, 1] with 200k cells: a kernel has sigma >= 0.01 = 2000 cells, so the rule's
   * error (h^2 / 24 f'') is below 1e-8; the normalizing masses come from an erfc with fractional
   * error 1.2e-7, hence the 1e-6 tolerance.
   */
  private static double integrate(java.util.function.DoubleUnaryOperator f) {
    int cells = 200_000;
    double h = 1.0 / cells;
    double s = 0;
    for (int i = 0; i < cells; i++) s += f.applyAsDouble((i + 0.5) * h);
    return s * h;
  }

  @Test
  void densityIntegratesToOneOnTheUnitInterval() {
    SplittableRandom r = new SplittableRandom(3);
    for (int n : new int[] {0, 1, 2, 7, 40}) {
      double[] x = new double[n];
      double[] w = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = i % 5 == 0 ? 0 : r.nextDouble(); // kernels right at the edge lose half their mass
        w[i] = 0.5 + r.nextDouble();
      }
      ParzenEstimator p = new ParzenEstimator(x, w, n, 1.0);
      assertEquals(1.0, integrate(p::density), 1e-6, "n = " + n);
    }
  }

  /**
   * The probability of an integer's share is the density's integral over it, for wide shares (a
   * kernel's bulk), narrow ones (the midpoint branch) and far ones (tails): 1e-6 relative, the
   * erfc's error (1.2e-7) with margin, against the midpoint rule with 200k cells per share.
   */
  @Test
  void massIsTheIntegralOfTheDensityOverTheInterval() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 30;
    double[] x = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextDouble() * 0.3; // crowded low: narrow kernels, so the high end sees only tails
      w[i] = 0.5 + r.nextDouble();
    }
    ParzenEstimator p = new ParzenEstimator(x, w, n, 1.0);
    double[][] shares = {{0, 1}, {0, 0.25}, {0.1, 0.1004}, {0.6, 0.8}, {0.9999, 1}, {0.2, 0.2 + 1e-7}};
    for (double[] s : shares) {
      double lo = s[0];
      double hi = s[1];
      int cells = 200_000;
      double h = (hi - lo) / cells;
      double sum = 0;
      for (int i = 0; i < cells; i++) sum += p.density(lo + (i + 0.5) * h);
      double expected = sum * h;
      assertEquals(expected, p.mass(lo, hi), 1e-6 * expected, "[" + lo + ", " + hi + "]");
    }
  }

  @Test
  void bandwidthsFollowNeighbourGapsWithinTheMagicClip() {
    // Sorted with the prior at 0.5: 0.1, 0.2, 0.5 (prior), 0.9. Four kernels: the clip is
    // [1 / min(100, 5), 1] = [0.2, 1].
    ParzenEstimator p = new ParzenEstimator(new double[] {0.9, 0.1, 0.2}, new double[] {1, 1, 1}, 3, 1.0);
    assertEquals(4, p.kernels());
    assertEquals(0.2, p.sigmaAt(0), 1e-15); // first: its only inner gap, 0.1, clipped up
    assertEquals(0.3, p.sigmaAt(1), 1e-15); // max(0.1, 0.3)
    assertEquals(1.0, p.sigmaAt(2), 0); // the prior
    assertEquals(0.4, p.sigmaAt(3), 1e-15); // last: its only inner gap
    // Sixteen kernels spaced 0.06 apart: clip at 1/17 = 0.0588, so the gaps themselves show.
    double[] spaced = new double[15];
    double[] ones = new double[15];
    for (int i = 0; i < 15; i++) {
      spaced[i] = 0.02 + 0.06 * i + (i >= 8 ? 0.06 : 0); // leaves a place at 0.5 for the prior
      ones[i] = 1;
    }
    ParzenEstimator q = new ParzenEstimator(spaced, ones, 15, 1.0);
    assertEquals(0.06, q.sigmaAt(0), 1e-12);
    // Many close points: the gaps are tiny, the clip holds them at 1 / min(100, 1 + m).
    int n = 500;
    double[] x = new double[n];
    double[] w = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = 0.3 + i * 1e-6;
      w[i] = 1;
    }
    ParzenEstimator dense = new ParzenEstimator(x, w, n, 1.0);
    assertEquals(0.01, dense.sigmaAt(0), 1e-15);
  }

  @Test
  void samplesFollowTheDensity() {
    ParzenEstimator p = new ParzenEstimator(new double[] {0.2, 0.25, 0.8}, new double[] {1, 1, 1}, 3, 1.0);
    SplittableRandom r = new SplittableRandom(5);
    int n = 20_000;
    long[] counts = new long[10];
    for (int i = 0; i < n; i++) {
      double x = p.sample(r);
      assertTrue(x >= 0 && x <= 1);
      counts[Math.min(9, (int) (x * 10))]++;
    }
    double[] prob = new double[10];
    for (int b = 0; b < 10; b++) {
      double lo = b / 10.0;
      prob[b] = integrate(u -> p.density(lo + u / 10)) / 10;
    }
    // 9 degrees of freedom: 21.666 is the 0.99 quantile.
    double chi = org.caviar.search.Stats.chiSquare(counts, prob);
    assertTrue(chi < 21.666, "chi-square " + chi);
  }

  @Test
  void categoricalEstimatorIsAProperSmoothedDistribution() {
    CategoricalEstimator c = new CategoricalEstimator(new int[] {0, 0, 2}, new double[] {1, 1, 1}, 3, 4, 1.0);
    double sum = 0;
    for (int k = 0; k < 4; k++) {
      assertTrue(c.probability(k) > 0);
      sum += c.probability(k);
    }
    assertEquals(1, sum, 1e-12);
    assertTrue(c.probability(0) > c.probability(2) && c.probability(2) > c.probability(1));
    assertEquals(c.probability(1), c.probability(3), 1e-15);
  }

  @Test
  void multivariateDensityIntegratesToOne() {
    double[] obs = {0.1, 0.9, 0.5, 0.5, 0.95, 0.05};
    MultivariateParzen m = new MultivariateParzen(obs, new double[] {1, 2, 1}, 3, new int[] {0, 0}, new org.caviar.search.space.IntParameter[2], 1.0);
    int cells = 600;
    double h = 1.0 / cells;
    double s = 0;
    double[] x = new double[2];
    for (int i = 0; i < cells; i++) {
      for (int j = 0; j < cells; j++) {
        x[0] = (i + 0.5) * h;
        x[1] = (j + 0.5) * h;
        s += Math.exp(m.logDensity(x));
      }
    }
    // Bandwidth 0.2 * 3^(-1/6) = 0.17 = 100 cells: midpoint error ~1e-6; erfc error 1e-6.
    assertEquals(1.0, s * h * h, 1e-5);
    // With a categorical dimension, the sum over choices of the marginal is one too.
    MultivariateParzen c = new MultivariateParzen(new double[] {0, 2, 2}, new double[] {1, 1, 1}, 3, new int[] {3}, new org.caviar.search.space.IntParameter[1], 1.0);
    double total = 0;
    for (int k = 0; k < 3; k++) total += Math.exp(c.logDensity(new double[] {k}));
    assertEquals(1.0, total, 1e-12);
  }

  @Test
  void optunaGammaAndWeights() {
    assertEquals(1, TpeSampler.gamma(10));
    assertEquals(10, TpeSampler.gamma(100));
    assertEquals(25, TpeSampler.gamma(1000));
    double[] w = new double[30];
    TpeSampler.weights(30, w);
    // numpy.linspace(1 / 30, 1, 5) then 25 ones.
    assertEquals(1.0 / 30, w[0], 1e-15);
    assertEquals(1.0 / 30 + (1 - 1.0 / 30) / 4, w[1], 1e-15);
    assertEquals(1.0, w[4], 1e-15);
    assertEquals(1.0, w[29], 0);
  }
}
