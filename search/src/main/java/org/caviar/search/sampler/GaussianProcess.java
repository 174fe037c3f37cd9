package org.caviar.search.sampler;

import java.util.Arrays;

/**
 * A Gaussian process with zero mean and a Matern 5/2 kernel with one length scale per feature,
 * fitted to standardized targets. The signal variance is profiled out: for a correlation matrix
 * C = R + g I (g the noise relative to the signal), its maximum-likelihood value is y^T C^-1 y / n,
 * so only the length scales and g are searched.
 *
 * <p>{@link #fit} picks them by maximizing the log marginal likelihood, cheaply: an isotropic grid
 * of length scales by noise levels, then a sweep that grows, or else shrinks, each length-scale
 * group in turn and the noise, keeping what helps. That is at most 6 + 2 (groups + 1)
 * factorizations, deterministic, with the squared feature differences of every
 * pair computed once.
 *
 * <p>{@link #withPending} conditions a fitted process on made-up values at pending points (the
 * constant liar) as exact values of the latent function, not as noisy observations: a noisy lie
 * would leave variance s2 g / (1 + g) at its point and improvement with it.
 */
final class GaussianProcess {
  private static final double SQRT5 = Math.sqrt(5);
  private static final double[] ISOTROPIC_SCALES = {0.1, 0.3, 1};
  private static final double[] NOISE_LEVELS = {1e-6, 1e-2};
  private static final double MIN_SCALE = 0.01;
  private static final double MAX_SCALE = 20;
  private static final double MIN_NOISE = 1e-6;
  private static final double MAX_NOISE = 1;
  /**
   * The diagonal added for a pending point, whose value is taken as exact: the smallest noise, so
   * that the factorization stays as stable as for observations (every pivot at least sqrt(1e-6)),
   * e.g. for two pending points at one position. It leaves the latent variance there at most
   * s2 1e-6.
   */
  private static final double PENDING_JITTER = MIN_NOISE;

  private final double[] x;
  private final double[] y;
  private final int n;
  private final int d;
  private final double[] inverseScale2;
  private final double noise;
  private final Cholesky chol;
  private final double[] alpha;
  private final double signalVariance;
  private final double logLikelihood;

  private GaussianProcess(double[] x, double[] y, int n, int d, double[] inverseScale2, double noise, Cholesky chol,
      double[] alpha, double signalVariance, double logLikelihood) {
    this.x = x;
    this.y = y;
    this.n = n;
    this.d = d;
    this.inverseScale2 = inverseScale2;
    this.noise = noise;
    this.chol = chol;
    this.alpha = alpha;
    this.signalVariance = signalVariance;
    this.logLikelihood = logLikelihood;
  }

  /**
   * Beyond sqrt(5) r = 50 the correlation is below 2e-19, under the rounding of the unit diagonal
   * (1.1e-16): taken as 0. This also keeps subnormal numbers, which are very slow, out of the
   * factorization when the length scales are short.
   */
  private static final double CUTOFF_R = 50;

  /** The Matern 5/2 correlation at squared scaled distance {@code r2}. */
  static double matern52(double r2) {
    double r = SQRT5 * Math.sqrt(r2);
    return r > CUTOFF_R ? 0 : (1 + r + r * r / 3) * Math.exp(-r);
  }

  /**
   * The process with the given length scale per feature and relative noise g, on n points of d
   * features (row-major {@code x}); null when the correlation matrix does not factor.
   */
  static GaussianProcess withScales(double[] x, double[] y, int n, int d, double[] scales, double noise) {
    return build(x, y, n, d, pairDifferences(x, n, d), inverse2(scales), noise);
  }

  /**
   * The process whose length scales (one per group: feature f uses {@code scales[groupOf[f]]}) and
   * noise maximize the marginal likelihood over the search described above; null only when no
   * setting factors.
   */
  static GaussianProcess fit(double[] x, double[] y, int n, int d, int[] groupOf, int groups) {
    double[] diff2 = pairDifferences(x, n, d);
    GaussianProcess best = null;
    double[] bestScales = new double[groups];
    double bestNoise = NOISE_LEVELS[0];
    double[] scales = new double[groups];
    for (double s : ISOTROPIC_SCALES) {
      for (double g : NOISE_LEVELS) {
        Arrays.fill(scales, s);
        GaussianProcess gp = build(x, y, n, d, diff2, inverse2(expand(scales, groupOf)), g);
        if (gp != null && (best == null || gp.logLikelihood > best.logLikelihood)) {
          best = gp;
          System.arraycopy(scales, 0, bestScales, 0, groups);
          bestNoise = g;
        }
      }
    }
    if (best == null) return null;
    // One sweep: each length-scale group, then the noise, doubled or else halved (noise by 8 or 1/8).
    for (int k = 0; k <= groups; k++) {
      for (double f : new double[] {2, 0.5}) {
        System.arraycopy(bestScales, 0, scales, 0, groups);
        double g = bestNoise;
        if (k < groups) {
          scales[k] = Math.min(MAX_SCALE, Math.max(MIN_SCALE, scales[k] * f));
          if (scales[k] == bestScales[k]) continue;
        } else {
          g = Math.min(MAX_NOISE, Math.max(MIN_NOISE, g * f * f * f));
          if (g == bestNoise) continue;
        }
        GaussianProcess gp = build(x, y, n, d, diff2, inverse2(expand(scales, groupOf)), g);
        if (gp != null && gp.logLikelihood > best.logLikelihood) {
          best = gp;
          System.arraycopy(scales, 0, bestScales, 0, groups);
          bestNoise = g;
          break; // growing helped: no need to try shrinking
        }
      }
    }
    return best;
  }

  private static double[] expand(double[] groupScales, int[] groupOf) {
    double[] s = new double[groupOf.length];
    for (int f = 0; f < s.length; f++) s[f] = groupScales[groupOf[f]];
    return s;
  }

  private static double[] inverse2(double[] scales) {
    double[] w = new double[scales.length];
    for (int f = 0; f < w.length; f++) w[f] = 1 / (scales[f] * scales[f]);
    return w;
  }

  /** (x_i,f - x_j,f)^2 for every pair i > j, pair by pair in row order of the lower triangle. */
  private static double[] pairDifferences(double[] x, int n, int d) {
    double[] out = new double[n * (n - 1) / 2 * d];
    int at = 0;
    for (int i = 1; i < n; i++) {
      for (int j = 0; j < i; j++) {
        for (int f = 0; f < d; f++) {
          double t = x[i * d + f] - x[j * d + f];
          out[at++] = t * t;
        }
      }
    }
    return out;
  }

  private static GaussianProcess build(double[] x, double[] y, int n, int d, double[] diff2, double[] w, double noise) {
    double[] c = new double[n * n];
    int at = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < i; j++) {
        double r2 = 0;
        for (int f = 0; f < d; f++) r2 += diff2[at++] * w[f];
        c[i * n + j] = matern52(r2);
      }
      c[i * n + i] = 1 + noise;
    }
    Cholesky chol = Cholesky.factor(c, n);
    if (chol == null) return null;
    double[] alpha = chol.solve(y);
    double quad = 0;
    for (int i = 0; i < n; i++) quad += y[i] * alpha[i];
    double variance = Math.max(quad / n, 1e-12);
    // Profiled log likelihood, up to a constant: -n/2 log(s2) - 1/2 log det C.
    double ll = -0.5 * n * Math.log(variance) - 0.5 * chol.logDeterminant();
    return new GaussianProcess(x, y, n, d, w, noise, chol, alpha, variance, ll);
  }

  /**
   * This process conditioned also on p pending points (row-major {@code pendingX}, d features each)
   * whose latent values are exactly {@code lies}: same length scales, noise and signal variance
   * (the lies are not data to fit them to), and at a pending point the posterior mean is its lie
   * and the variance at most the jitter's s2 1e-6 ({@link #isKnown}). Null when the correlation
   * matrix does not factor.
   */
  GaussianProcess withPending(double[] pendingX, double[] lies, int p) {
    if (p == 0) return this;
    int m = n + p;
    double[] xs = Arrays.copyOf(x, m * d);
    System.arraycopy(pendingX, 0, xs, n * d, p * d);
    double[] ys = Arrays.copyOf(y, m);
    System.arraycopy(lies, 0, ys, n, p);
    double[] c = new double[m * m];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < i; j++) c[i * m + j] = correlation(xs, i * d, xs, j * d);
      c[i * m + i] = 1 + (i < n ? noise : PENDING_JITTER);
    }
    Cholesky chol = Cholesky.factor(c, m);
    if (chol == null) return null;
    return new GaussianProcess(xs, ys, m, d, inverseScale2, noise, chol, chol.solve(ys), signalVariance, logLikelihood);
  }

  /** The maximum-likelihood signal variance, an upper bound of every posterior variance. */
  double signalVariance() {
    return signalVariance;
  }

  /** The fit's log likelihood, of the observations only (pending points do not change it). */
  double logLikelihood() {
    return logLikelihood;
  }

  /** The posterior mean at {@code q} (d features); leaves q's correlations with the data in k. */
  double mean(double[] q, double[] k) {
    double m = 0;
    for (int i = 0; i < n; i++) {
      k[i] = correlation(q, 0, x, i * d);
      m += k[i] * alpha[i];
    }
    return m;
  }

  /** The kernel's correlation of the points at {@code a[ai..]} and {@code b[bi..]} (d features each). */
  private double correlation(double[] a, int ai, double[] b, int bi) {
    double r2 = 0;
    for (int f = 0; f < d; f++) {
      double t = a[ai + f] - b[bi + f];
      r2 += t * t * inverseScale2[f];
    }
    return matern52(r2);
  }

  /**
   * The posterior variances of the latent function at m points, from their correlations with the
   * data: k[i][c] for data point i and point c (as {@link #mean} leaves them); overwrites k.
   */
  void variances(double[][] k, int m, double[] out) {
    chol.forwardSolveColumnsInPlace(k, m);
    Arrays.fill(out, 0, m, 0);
    for (int i = 0; i < n; i++) {
      double[] ki = k[i];
      for (int c = 0; c < m; c++) out[c] += ki[c] * ki[c];
    }
    for (int c = 0; c < m; c++) out[c] = signalVariance * Math.max(0, 1 - out[c]);
  }

  /**
   * Whether a posterior variance is at most what the jitter leaves at a pending point (s2 1e-6), or
   * the smallest noise at an observation: the value there is known, and what the mean says beyond
   * it is the jitter's slack (a pending point's mean can drift below its lie by a share 1e-6 / v of
   * its disagreement with the data, v their variance there without it).
   */
  boolean isKnown(double variance) {
    return variance <= signalVariance * PENDING_JITTER;
  }

  /** Data points: observations and pending points. */
  int size() {
    return n;
  }
}
