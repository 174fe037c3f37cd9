package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** The numerical pieces of the GP sampler: Cholesky solves, the posterior, expected improvement. */
class GaussianProcessTest {
  private static final double EPS = Math.ulp(1.0);

  /** A = B B^T / n + I: symmetric, eigenvalues in [1, 1 + n] since |b_ij| < 1, so well conditioned. */
  private static double[] spd(int n, Random r) {
    double[] b = new double[n * n];
    for (int i = 0; i < b.length; i++) b[i] = 2 * r.nextDouble() - 1;
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) s += b[i * n + k] * b[j * n + k];
        a[i * n + j] = s / n + (i == j ? 1 : 0);
      }
    }
    return a;
  }

  @Property(tries = 30)
  void choleskySolvesSpdSystems(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
    Random r = new Random(seed);
    double[] a = spd(n, r);
    double[] b = new double[n];
    for (int i = 0; i < n; i++) b[i] = 2 * r.nextDouble() - 1;
    Cholesky c = Cholesky.factor(a, n);
    assertNotNull(c);
    double[] x = c.solve(b);
    // Backward stable (Higham, Thm 10.4): (A + dA) x = b with |dA| <= gamma(3n + 1) |L| |L^T|, and
    // (|L| |L^T|)_ij <= sqrt(a_ii a_jj) <= 2 here; the residual's own rounding adds n eps sum |a_ij x_j|.
    double xSum = 0;
    for (double v : x) xSum += Math.abs(v);
    for (int i = 0; i < n; i++) {
      double s = -b[i];
      for (int j = 0; j < n; j++) s += a[i * n + j] * x[j];
      double tol = ((3 * n + 1) * 2 + 2 * n) * EPS * xSum * 1.01;
      assertTrue(Math.abs(s) <= tol, "residual " + s + " at row " + i + " over " + tol);
    }
  }

  @Property(tries = 20)
  void blockedForwardSolveMatchesOneColumnAtATime(@ForAll @IntRange(min = 1, max = 30) int n,
      @ForAll @IntRange(min = 1, max = 9) int m, @ForAll long seed) {
    Random r = new Random(seed);
    Cholesky c = Cholesky.factor(spd(n, r), n);
    double[][] block = new double[n][m];
    double[][] columns = new double[m][n];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < m; k++) block[i][k] = columns[k][i] = 2 * r.nextDouble() - 1;
    }
    c.forwardSolveColumnsInPlace(block, m);
    for (int k = 0; k < m; k++) {
      c.forwardSolveInPlace(columns[k]);
      // The same sums in another order; L's diagonal is >= 1 (A >= I) and its rows are at most
      // sqrt(1 + n) long, so entries stay below 1 + n and each sum of i terms rounds within n eps of it.
      for (int i = 0; i < n; i++) assertEquals(columns[k][i], block[i][k], 2 * n * EPS * (1 + n), "row " + i + " column " + k);
    }
  }

  @Test
  void notPositiveDefiniteIsNull() {
    assertNull(Cholesky.factor(new double[] {1, 2, 2, 1}, 2)); // eigenvalues 3 and -1
  }

  /**
   * With relative noise g the latent posterior variance at a data point is at most s2 g (the data
   * point alone would leave s2 g / (1 + g)); far from the data it is the prior's s2 and the mean 0.
   */
  @Test
  void posteriorInterpolatesTheDataAndRevertsFarAway() {
    int n = 8;
    double g = 1e-6;
    double[] x = new double[n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = i / 7.0;
      y[i] = Math.sin(6 * x[i]);
    }
    // Length scale 0.05: neighbours 1/7 apart (2.9 scales) correlate at 0.035, farther ones at
    // under 1e-4, so the correlation matrix R is within 0.08 of I in every row (Gershgorin).
    GaussianProcess gp = GaussianProcess.withScales(x, y, n, 1, new double[] {0.05}, g);
    double s2 = gp.signalVariance();
    double[][] k = new double[n][n + 1];
    double[] means = new double[n + 1];
    double[] kc = new double[n];
    for (int c = 0; c <= n; c++) {
      means[c] = gp.mean(new double[] {c < n ? x[c] : 40}, kc);
      for (int i = 0; i < n; i++) k[i][c] = kc[i];
    }
    double[] var = new double[n + 1];
    gp.variances(k, n + 1, var);
    double maxAbs = 0;
    for (double v : y) maxAbs = Math.max(maxAbs, Math.abs(v));
    for (int c = 0; c < n; c++) {
      assertTrue(var[c] <= s2 * g * (1 + 1e-6) + 1e-12 * s2, "variance " + var[c] + " at data point " + c);
      // With C = R + g I (signal variance and standardization cancel): mean = (C - g I) C^-1 y'
      // = y' - g alpha, alpha = C^-1 y', and ||C^-1||_inf <= 1 / (1 - 0.08) by Gershgorin; y' is
      // y standardized, so |y'| <= 2 max|y| / sd and the error in y's units is
      // g sd |alpha| <= 2.2 g max|y|; doubles add ~1e-15.
      assertEquals(y[c], means[c], 2.2 * g * maxAbs + 1e-12, "mean at data point " + c);
    }
    assertEquals(0, means[n], 1e-15); // 40 / 0.3 scaled units away: correlation 0 (cut off)
    assertEquals(s2, var[n], 1e-15 * s2);
  }

  /**
   * One observation, at the best value -1, and one pending point with that value as its lie, 0.7
   * apart (2.3 length scales of 0.3: correlation 0.08), under the largest relative noise the model
   * allows, g = 1. Taken as a noisy observation the lie would leave variance about s2 g / (1 + g)
   * = s2 / 2 at the pending point and a mean pulled halfway to the prior's 0: an expected
   * improvement of about 0.04, with s2 about 1/2. Taken as the exact value, the variance there is
   * at most s2 1e-6, the jitter's (known), and the mean the lie, so the improvement is at most
   * 0.4 sqrt(s2 1e-6), the sampler's 0.
   */
  @Test
  void aPendingPointHasNoImprovementLeftUnderLargeNoise() {
    double best = -1;
    GaussianProcess observed = GaussianProcess.withScales(new double[] {0.2}, new double[] {best}, 1, 1, new double[] {0.3}, 1);
    GaussianProcess gp = observed.withPending(new double[] {0.9}, new double[] {best}, 1);
    assertEquals(2, gp.size());
    double[] k = new double[2];
    double mean = gp.mean(new double[] {0.9}, k);
    double[][] block = {{k[0]}, {k[1]}};
    double[] variance = new double[1];
    gp.variances(block, 1, variance);
    double s2 = gp.signalVariance();
    assertEquals(observed.signalVariance(), s2, 0, "the lies do not change the fit");
    assertTrue(gp.isKnown(variance[0]), "variance " + variance[0] + " at the pending point, s2 = " + s2);
    assertEquals(best, mean, 1e-5, "mean at the pending point");
    double ei = GpSampler.expectedImprovement(best, mean, Math.sqrt(variance[0]));
    assertTrue(ei <= 0.4 * Math.sqrt(s2 * 1e-6) + 1e-5, "expected improvement " + ei + " at the pending point");
  }

  /** EI against Simpson's rule on max(best - f, 0) N(f; mean, sd) over mean +- 12 sd. */
  @Property(tries = 40)
  void expectedImprovementMatchesIntegration(@ForAll long seed) {
    Random r = new Random(seed);
    double best = 4 * r.nextDouble() - 2;
    double mean = 4 * r.nextDouble() - 2;
    double sd = 0.05 + 2 * r.nextDouble();
    int steps = 20000;
    double lo = mean - 12 * sd;
    double h = 24 * sd / steps;
    double sum = 0;
    for (int i = 0; i <= steps; i++) {
      double f = lo + i * h;
      double z = (f - mean) / sd;
      double v = Math.max(best - f, 0) * Math.exp(-0.5 * z * z) / (sd * Gaussians.SQRT_2PI);
      sum += (i == 0 || i == steps ? 1 : i % 2 == 1 ? 4 : 2) * v;
    }
    double integral = sum * h / 3;
    // Simpson on a kink (at f = best) is only first-order there: error about h^2 times the density,
    // under 1e-6 sd for h = 24 sd / 20000; erfc's 1.2e-7 relative error adds 1.2e-7 |best - mean|.
    double tol = 1e-6 * sd + 1.2e-7 * Math.abs(best - mean) + 1e-12;
    assertEquals(integral, GpSampler.expectedImprovement(best, mean, sd), tol);
    assertEquals(Math.max(best - mean, 0), GpSampler.expectedImprovement(best, mean, 0), 0);
  }
}
