package org.caviar.search.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
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

  /**
   * A A^-1 = I, for the gradient's C^-1. The spd matrices here have eigenvalues in [1, 1 + n], so
   * ||A^-1|| <= 1 and each entry of A^-1 is off by at most about n eps times the sizes of L^-1's
   * entries (each below 1, as L's diagonal is >= 1) per solve and product; the residual's row sums
   * multiply that by at most 1 + n. Hence 4 n (1 + n) eps, symmetric exactly.
   */
  @Property(tries = 30)
  void choleskyInverseInverts(@ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
    double[] a = spd(n, new Random(seed));
    double[] inv = Cholesky.factor(a, n).inverse();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int k = 0; k < n; k++) s += a[i * n + k] * inv[k * n + j];
        assertEquals(i == j ? 1 : 0, s, 4 * n * (1 + n) * EPS, "entry " + i + ", " + j);
        assertEquals(inv[i * n + j], inv[j * n + i], 0);
      }
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
   * apart (2.3 length scales of 0.3: correlation 0.08), under a large relative noise, g = 1 (the
   * fit allows up to 10). Taken as a noisy observation the lie would leave variance about
   * s2 g / (1 + g) = s2 / 2 at the pending point and a mean pulled halfway to the prior's 0: an
   * expected improvement of about 0.08, with s2 about 0.8 (the prior's maximum a posteriori for
   * q = 1/2, n = 1: (1 + sqrt(5)) / 4). Taken as the exact value, the variance there is
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

  /** Standardized as GpSampler does: mean 0 and sample standard deviation 1 (1 if all are equal). */
  static double[] standardized(double[] v) {
    int n = v.length;
    double mean = 0;
    for (double a : v) mean += a / n;
    double var = 0;
    for (double a : v) var += (a - mean) * (a - mean);
    double sd = n > 1 && var > 0 ? Math.sqrt(var / (n - 1)) : 1;
    double[] out = new double[n];
    for (int i = 0; i < n; i++) out[i] = (v[i] - mean) / sd;
    return out;
  }

  /**
   * The best log posterior of one length scale and the noise over a 161 x 161 grid of the whole
   * box, log-spaced: length scales [0.01, 20] by steps of 4.7%, g in [1e-6, 10] by steps of 10.6%.
   */
  static double fineGridBest(GaussianProcess.Posterior p) {
    double best = Double.NEGATIVE_INFINITY;
    double lo = -2 * Math.log(20);
    double hi = -2 * Math.log(0.01);
    double gLo = Math.log(1e-6);
    double gHi = Math.log(10);
    for (int a = 0; a <= 160; a++) {
      for (int b = 0; b <= 160; b++) {
        double v = p.value(new double[] {lo + (hi - lo) * a / 160, gLo + (gHi - gLo) * b / 160}, null);
        if (v > best) best = v;
      }
    }
    return best;
  }

  /**
   * The analytic gradient of the log posterior against central differences, on random data, groups
   * and parameters (length scales 0.05 to 2.7, g from 1e-3 to 1). Central differences with h = 1e-5
   * are off by h^2 / 6 times the third derivative (about 2e-11 of it) and by the value's rounding
   * over 2h: the Cholesky factor is exact for C + dC with |dC| <= gamma(n + 1) |L| |L^T| (Higham,
   * Thm 10.3), which moves log det C and y^T C^-1 y by about n gamma(n + 1) ||C^-1|| (1 + g) <=
   * 12 * 13 * 1.1e-16 * 1e3 * 2 = 3.4e-11 each, or 3.4e-6 in the difference quotient. Hence
   * 1e-5 (1 + |f'|); measured at most 1.2e-7 relative. A term of the gradient dropped or mis-scaled
   * moves a component by far more: the smallest, the noise prior's 0.1, is 1e4 times the tolerance
   * at |f'| ~ 1.
   */
  @Property(tries = 40)
  void posteriorGradientMatchesCentralDifferences(@ForAll @IntRange(min = 2, max = 12) int n,
      @ForAll @IntRange(min = 1, max = 3) int d, @ForAll long seed) {
    Random r = new Random(seed);
    int groups = 1 + r.nextInt(d);
    int[] groupOf = new int[d];
    for (int f = 0; f < d; f++) groupOf[f] = f < groups ? f : r.nextInt(groups);
    double[] x = new double[n * d];
    for (int i = 0; i < x.length; i++) x[i] = r.nextDouble();
    double[] y = new double[n];
    for (int i = 0; i < n; i++) y[i] = r.nextGaussian();
    double[] theta = new double[groups + 1];
    for (int k = 0; k < groups; k++) theta[k] = -2 + 8 * r.nextDouble(); // length scales 0.05 to 2.7
    theta[groups] = Math.log(1e-3) * r.nextDouble(); // g from 1e-3 to 1
    GaussianProcess.Posterior p = new GaussianProcess.Posterior(x, y, n, d, groupOf, groups);
    double[] grad = new double[groups + 1];
    assertTrue(Double.isFinite(p.value(theta, grad)));
    double h = 1e-5;
    for (int k = 0; k <= groups; k++) {
      double[] up = theta.clone();
      double[] down = theta.clone();
      up[k] += h;
      down[k] -= h;
      double fd = (p.value(up, null) - p.value(down, null)) / (2 * h);
      assertEquals(fd, grad[k], 1e-5 * (1 + Math.abs(fd)), "component " + k + " at " + Arrays.toString(theta));
    }
  }

  private static GaussianProcess fit1d(double[] x, double[] y) {
    return GaussianProcess.fit(x, y, x.length, 1, new int[] {0}, 1);
  }

  private static double fineGridBest(double[] x, double[] y) {
    return fineGridBest(new GaussianProcess.Posterior(x, y, x.length, 1, new int[] {0}, 1));
  }

  /**
   * sin(6x) plus noise of standard deviation 0.3 at 30 random points, five seeds: the old grid and
   * sweep fell 1.5 to 2.9 nats short of a fine grid's log likelihood on such data. The MAP fit
   * must reach at least the fine grid's best log posterior (measured: 0.001 to 0.006 nats above
   * it, the grid's steps being coarser than where the optimizer stops).
   */
  @Test
  void mapFitReachesAFineGridOnNoisyData() {
    for (long seed = 0; seed < 5; seed++) {
      double[] x = new double[30];
      double[] raw = noisySine(seed, 0.3, x);
      double[] y = standardized(raw);
      double map = fit1d(x, y).logPosterior();
      double grid = fineGridBest(x, y);
      assertTrue(map >= grid, "seed " + seed + ": MAP " + map + " below the fine grid's " + grid);
    }
  }

  /**
   * Two observations, where widening the old grid went wrong (GpSamplerTest's integer cases): at
   * the centres of int(1, 3)'s values 1 and 3, of int(1, 8)'s 1 and 2, and 1 and 8, and at two
   * close points, with different values (standardized to -+0.71) and equal ones (all 0). The MAP
   * fit reaches at least the fine grid's best log posterior (measured: 9e-7 to 1.2e-4 nats above).
   */
  @Test
  void mapFitReachesAFineGridOnTwoObservations() {
    double[][] xs = {{1 / 6.0, 5 / 6.0}, {1 / 16.0, 3 / 16.0}, {1 / 16.0, 15 / 16.0}, {0.3, 0.35}};
    double[][] values = {{0, 1}, {1, 0}, {0, 0}};
    for (double[] x : xs) {
      for (double[] raw : values) {
        double[] y = standardized(raw);
        double map = fit1d(x, y).logPosterior();
        double grid = fineGridBest(x, y);
        assertTrue(map >= grid, Arrays.toString(x) + " " + Arrays.toString(raw) + ": MAP " + map + " below the fine grid's " + grid);
      }
    }
  }

  /**
   * sin(6x) plus noise of variance 0.64 at 80 random points, five seeds (the signal's variance over
   * [0, 1] is about 0.5): the fitted noise variance, s2 g in standardized units times the targets'
   * variance, is within a factor 1.5 of 0.64 (measured 0.54 to 0.73), and g is above the most the
   * old grid and sweep could reach, 1e-2 * 8 = 0.08 (measured 0.13 to 0.14).
   */
  @Test
  void noiseOfClearlyNoisyDataIsNearTheGeneratingNoise() {
    for (long seed = 0; seed < 5; seed++) {
      int n = 80;
      double[] x = new double[n];
      double[] raw = noisySine(seed, 0.8, x);
      double mean = 0;
      for (double v : raw) mean += v / n;
      double var = 0;
      for (double v : raw) var += (v - mean) * (v - mean) / (n - 1);
      GaussianProcess gp = fit1d(x, standardized(raw));
      double noiseVariance = gp.signalVariance() * gp.noise() * var;
      assertTrue(noiseVariance > 0.64 / 1.5 && noiseVariance < 0.64 * 1.5, "seed " + seed + ": noise variance " + noiseVariance);
      assertTrue(gp.noise() > 0.08, "seed " + seed + ": g = " + gp.noise());
    }
  }

  /**
   * sin(3x) + x, no noise, at 80 random points, five seeds: the noise stays small, g < 1e-4
   * (measured: the lower bound, 1e-6).
   */
  @Test
  void aNoiselessSmoothFunctionGetsASmallNoise() {
    for (long seed = 0; seed < 5; seed++) {
      Random r = new Random(seed);
      int n = 80;
      double[] x = new double[n];
      double[] raw = new double[n];
      for (int i = 0; i < n; i++) {
        x[i] = r.nextDouble();
        raw[i] = Math.sin(3 * x[i]) + x[i];
      }
      GaussianProcess gp = fit1d(x, standardized(raw));
      assertTrue(gp.noise() < 1e-4, "seed " + seed + ": g = " + gp.noise());
    }
  }

  /**
   * sin(6 x) plus Gaussian noise of standard deviation {@code sd} at x.length uniform points of
   * [0, 1], which it writes into x.
   */
  private static double[] noisySine(long seed, double sd, double[] x) {
    Random r = new Random(seed);
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextDouble();
      y[i] = Math.sin(6 * x[i]) + sd * r.nextGaussian();
    }
    return y;
  }
}
