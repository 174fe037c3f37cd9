package org.caviar.search.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.caviar.search.Stats;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.junit.jupiter.api.Test;

/**
 * Draws of the random sampler are uniform on each parameter's own scale. Each test uses a fixed seed
 * and tests at significance 0.01, and checks that the same test rejects draws on the wrong scale,
 * so that it has the power to fail.
 */
class ScaleProperties {
  private static final int N = 4000;
  private static final long SEED = 20251125L;

  private static double[] draws(SearchSpace space, String name) {
    RandomSampler sampler = new RandomSampler();
    History empty = History.empty(Direction.MINIMIZE);
    double[] out = new double[N];
    for (int i = 0; i < N; i++) out[i] = sampler.propose(space, empty, i, SEED).getDouble(name);
    return out;
  }

  @Test
  void logUniformDrawsAreUniformInTheExponent() {
    double[] lr = draws(SearchSpace.of(Parameter.logUniform("lr", 1e-4, 1)), "lr");
    double[] exponent = new double[N];
    for (int i = 0; i < N; i++) {
      assertTrue(lr[i] >= 1e-4 && lr[i] <= 1, "lr " + lr[i] + " outside [1e-4, 1]");
      exponent[i] = Math.log10(lr[i]);
    }
    double d = Stats.ksUniform(exponent, -4, 0);
    assertTrue(d < Stats.ksCritical01(N), "KS D = " + d + " rejects a uniform exponent at 0.01");
    // Power: draws uniform in the value itself are far from uniform in the exponent.
    double[] linear = draws(SearchSpace.of(Parameter.uniform("lr", 1e-4, 1)), "lr");
    for (int i = 0; i < N; i++) linear[i] = Math.log10(linear[i]);
    assertTrue(Stats.ksUniform(linear, -4, 0) > Stats.ksCritical01(N));
  }

  @Test
  void oneMinusLogDrawsLandInRangeAndAreUniformInTheHorizon() {
    double[] beta = draws(SearchSpace.of(Parameter.oneMinusLog("beta", 0.9, 0.999)), "beta");
    double[] r = new double[N];
    for (int i = 0; i < N; i++) {
      assertTrue(beta[i] >= 0.9 && beta[i] <= 0.999, "beta " + beta[i] + " outside [0.9, 0.999]");
      r[i] = Math.log10(1 - beta[i]);
    }
    double d = Stats.ksUniform(r, -3, -1);
    assertTrue(d < Stats.ksCritical01(N), "KS D = " + d + " rejects a uniform log10(1 - beta) at 0.01");
    double[] logBeta = draws(SearchSpace.of(Parameter.logUniform("beta", 0.9, 0.999)), "beta");
    for (int i = 0; i < N; i++) logBeta[i] = Math.log10(1 - logBeta[i]);
    assertTrue(Stats.ksUniform(logBeta, -3, -1) > Stats.ksCritical01(N));
  }

  @Test
  void intLogDrawsGiveEachIntegerItsLogWidth() {
    SearchSpace s = SearchSpace.of(Parameter.intLog("n", 1, 8));
    RandomSampler sampler = new RandomSampler();
    History empty = History.empty(Direction.MINIMIZE);
    long[] counts = new long[8];
    for (int i = 0; i < N; i++) counts[sampler.propose(s, empty, i, SEED).getInt("n") - 1]++;
    double[] p = new double[8];
    double[] flat = new double[8];
    double total = Math.log(8.5) - Math.log(0.5);
    for (int v = 1; v <= 8; v++) {
      p[v - 1] = (Math.log(v + 0.5) - Math.log(v - 0.5)) / total;
      flat[v - 1] = 1.0 / 8;
    }
    // Chi-square with 7 degrees of freedom: 18.475 is its 0.99 quantile.
    double chi = Stats.chiSquare(counts, p);
    assertTrue(chi < 18.475, "chi-square " + chi + " rejects log-width shares at 0.01");
    assertTrue(Stats.chiSquare(counts, flat) > 18.475, "equal shares should be rejected");
  }

  @Test
  void intUniformDrawsAreEquallyLikely() {
    SearchSpace s = SearchSpace.of(Parameter.intUniform("n", -2, 3));
    RandomSampler sampler = new RandomSampler();
    History empty = History.empty(Direction.MINIMIZE);
    long[] counts = new long[6];
    for (int i = 0; i < N; i++) {
      int n = sampler.propose(s, empty, i, SEED).getInt("n");
      assertTrue(n >= -2 && n <= 3, "n " + n + " outside [-2, 3]");
      counts[n + 2]++;
    }
    double[] p = {1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0, 1 / 6.0};
    // 5 degrees of freedom: 15.086 is the 0.99 quantile.
    double chi = Stats.chiSquare(counts, p);
    assertTrue(chi < 15.086, "chi-square " + chi + " rejects equal shares at 0.01");
    // Power: rounding a draw on [-2, 3] instead of [-2.5, 3.5] gives the two ends half a share each.
    double[] halfEnds = {0.1, 0.2, 0.2, 0.2, 0.2, 0.1};
    assertTrue(Stats.chiSquare(counts, halfEnds) > 15.086, "half shares at the ends should be rejected");
  }

  /**
   * An integer's share, which TPE scores a candidate by, is exactly where valueAt gives it: the
   * shares tile [0, 1] in order, each maps to its value just inside both ends, and the next value
   * starts at its end (linear, log, negative bounds).
   */
  @Test
  void integerSharesAreWhereValueAtGivesTheValue() {
    for (IntParameter p : new IntParameter[] {Parameter.intUniform("k", 1, 3), Parameter.intUniform("k", -4, 7),
        Parameter.intLog("k", 1, 1000), Parameter.intLog("k", 16, 512)}) {
      assertEquals(0, p.shareStart(p.lo()), 0);
      assertEquals(1, p.shareEnd(p.hi()), 1e-15);
      for (int v = p.lo(); v <= p.hi(); v++) {
        double a = p.shareStart(v);
        double b = p.shareEnd(v);
        assertTrue(a < b, p + ": share of " + v);
        assertEquals(v, p.valueAt(a + 1e-9 * (b - a)), p + ": start of " + v);
        assertEquals(v, p.valueAt(b - 1e-9 * (b - a)), p + ": end of " + v);
        assertEquals(v, p.valueAt(p.unitOf(v)), p + ": position of " + v);
        if (v < p.hi()) assertEquals(b, p.shareStart(v + 1), 1e-15, p + ": after " + v);
      }
    }
  }
}
