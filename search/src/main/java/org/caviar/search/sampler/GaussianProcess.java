package org.caviar.search.sampler;

import java.util.Arrays;

/**
 * A Gaussian process with zero mean and a Matern 5/2 kernel with one length scale per feature,
 * fitted to standardized targets. Its covariance is s2 C, s2 the signal variance and C = R + g I
 * the correlation matrix plus the noise g relative to the signal.
 *
 * <p>{@link #fit} picks the kernel parameters by maximum a posteriori, as Optuna's GP sampler does
 * (optuna/_gp/gp.py and prior.py): it maximizes the log marginal likelihood plus a log prior, over
 * the log-parameters theta = (log w per length-scale group, log g), w = 1 / l^2 the inverse squared
 * length scale, with analytic gradients and a bounded quasi-Newton method ({@link Lbfgs}). The
 * priors are Optuna's but for the noise's (see below) and a tenth of the length scales' weight
 * ({@link #SCALE_PRIOR}): -(0.01 / w + 0.01 w) for each w, which favours length scales near 1
 * (the width of the unit features) and keeps a few observations from being explained by ever
 * shorter ones; Gamma(2, 1) on s2 (log s2 - s2, mode 1); and on the
 * noise an exponential prior of rate 30, -30 g, where Optuna has Gamma(1.1, 30), 0.1 log g - 30 g.
 * That one's mode, g = 1/300, is where the fit lands when the data say nothing about the noise (two
 * observations, say), and the latent variance s2 g / (1 + g) it leaves at every observation gave
 * re-evaluating the best tried value more expected improvement than an untried value between two
 * tried ones (0.020 against 0.0065 in GpSamplerTest's integer case, losses 0 and 1): with the
 * exponential the mode is the smallest noise, and noise has to be earned by the data. Bounds:
 * length scales in [0.01, 20], g in [1e-6, 10].
 *
 * <p>The noise and its prior are relative to s2, not absolute as in Optuna, so that the smallest
 * noise bounds C's conditioning (every pivot at least sqrt(1e-6)) and {@link #isKnown}'s threshold
 * whatever s2 is; with standardized targets and the prior on s2 (which held it between 1 and 5 on
 * the tests' noisy data) the two differ little. An absolute noise prior also coupled g to s2 where
 * s2 is tiny: with all targets equal, s2 shrank and the prior's pull toward an absolute 1/300 made
 * g 0.013, so every tried value looked more uncertain than the value between them.
 *
 * <p>s2 is fitted, not profiled out by maximum likelihood, because the profile y^T C^-1 y / n of a
 * zero-mean process with long length scales reached 7 to 10 on standardized noisy data (sin(6x)
 * plus noise of standard deviation 0.4 at 80 points): the prior keeps it nearer the targets' scale.
 * It needs no search of its own: for given theta the log posterior in s2, -q / (2 s2) - (n/2 - 1)
 * log s2 - s2 with q = y^T C^-1 y, is largest at the positive root of q - (n - 2) s2 - 2 s2^2 = 0
 * (floored at 1e-12, for q = 0), and since s2 is optimal there its change with theta adds nothing
 * to the gradient.
 *
 * <p>The log posterior, up to a constant, is L = -1/2 q / s2 - n/2 log s2 - 1/2 log det C + log
 * prior, and dL/dtheta_k = 1/2 tr((alpha alpha^T / s2 - C^-1) dC/dtheta_k) + dlog prior/dtheta_k,
 * alpha = C^-1 y. Off the diagonal dC/dlog w = w r2' k'(r2), r2 the scaled squared distance, r2'
 * the squared differences of the group's features, k'(r2) = -5/6 (1 + s) e^-s with s = sqrt(5 r2);
 * on the diagonal dC/dlog g = g.
 *
 * <p>Starts: the isotropic grid of length scales 0.1, 0.3 and 1 by noise levels 1e-6 and 1e-2 (six
 * factorizations, no gradients); from the grid's best point at each noise level the quasi-Newton
 * method runs until its projected gradient is below 1e-3 or after {@value #MAX_EVALUATIONS}
 * evaluations, and the better end wins. An evaluation with gradient is a factorization and an
 * inverse of C, O(n^3), plus O(n^2 d) for the pairs' derivatives; the squared feature differences
 * of every pair are computed once. Deterministic.
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
  private static final double MAX_NOISE = 10;
  /**
   * The length-scale prior's weight c: -c (1 / w + w) per inverse squared length scale w. Optuna
   * has c = 0.1, which costs 250 nats at l = 0.02: on the one-parameter test function (a well 0.01
   * wide) the fit then kept x's length scale at 0.5-0.7 and took the points in the well for noise.
   * SamplerComparison, 40 seeds x 100 trials, median trials to random's target (Branin, Hartmann-6,
   * one-parameter): c = 0.1 20 / 18 / 57, c = 0.01 21 / 19 / 22, the grid fit before 21 / 18 / 36.
   * Chosen on seeds 0-19; on seeds 20-39, held out, 20.0 / 19.5 / 20.0 against 20.5 / 18.0 / 61.0
   * (c = 0.1) and 20.5 / 17.5 / 34.5 (grid fit).
   */
  private static final double SCALE_PRIOR = 0.01;
  /** Gamma(2, 1) on the signal variance s2: (2 - 1) log s2 - s2. */
  private static final double SIGNAL_SHAPE = 2;
  private static final double SIGNAL_RATE = 1;
  /** Gamma(1, 30), the exponential, on the relative noise g: -30 g (Optuna: Gamma(1.1, 30)). */
  private static final double NOISE_SHAPE = 1;
  private static final double NOISE_RATE = 30;
  /** Evaluations of the log posterior and its gradient per start of the quasi-Newton method. */
  static final int MAX_EVALUATIONS = 40;
  private static final double GRADIENT_TOLERANCE = 1e-3;
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
  private final double logPosterior;

  private GaussianProcess(double[] x, double[] y, int n, int d, double[] inverseScale2, double noise, Cholesky chol,
      double[] alpha, double signalVariance, double logPosterior) {
    this.x = x;
    this.y = y;
    this.n = n;
    this.d = d;
    this.inverseScale2 = inverseScale2;
    this.noise = noise;
    this.chol = chol;
    this.alpha = alpha;
    this.signalVariance = signalVariance;
    this.logPosterior = logPosterior;
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
   * d matern52 / d r2: with s = sqrt(5 r2), dk/ds = -s (1 + s) e^-s / 3 and ds/dr2 = 5 / (2 s),
   * so -5/6 (1 + s) e^-s, finite at 0; 0 past the cutoff, as the correlation is.
   */
  static double matern52Derivative(double r2) {
    double r = SQRT5 * Math.sqrt(r2);
    return r > CUTOFF_R ? 0 : -5.0 / 6 * (1 + r) * Math.exp(-r);
  }

  /**
   * The process with the given length scale per feature and relative noise g, on n points of d
   * features (row-major {@code x}); null when the correlation matrix does not factor. Its log
   * posterior takes each feature as its own length-scale group.
   */
  static GaussianProcess withScales(double[] x, double[] y, int n, int d, double[] scales, double noise) {
    int[] own = new int[d];
    for (int f = 0; f < d; f++) own[f] = f;
    double[] theta = new double[d + 1];
    for (int f = 0; f < d; f++) theta[f] = -2 * Math.log(scales[f]);
    theta[d] = Math.log(noise);
    return new Posterior(x, y, n, d, own, d).process(theta);
  }

  /**
   * The process whose length scales (one per group: feature f uses group {@code groupOf[f]}'s),
   * noise and signal variance are the maximum a posteriori found as described above; null only
   * when no setting of the starting grid factors.
   */
  static GaussianProcess fit(double[] x, double[] y, int n, int d, int[] groupOf, int groups) {
    Posterior post = new Posterior(x, y, n, d, groupOf, groups);
    int m = groups + 1;
    double[] lower = new double[m];
    double[] upper = new double[m];
    Arrays.fill(lower, 0, groups, -2 * Math.log(MAX_SCALE));
    Arrays.fill(upper, 0, groups, -2 * Math.log(MIN_SCALE));
    lower[groups] = Math.log(MIN_NOISE);
    upper[groups] = Math.log(MAX_NOISE);
    double[] bestTheta = null;
    double best = Double.NEGATIVE_INFINITY;
    for (double g : NOISE_LEVELS) {
      double[] start = null;
      double startValue = Double.NEGATIVE_INFINITY;
      for (double s : ISOTROPIC_SCALES) {
        double[] theta = new double[m];
        Arrays.fill(theta, 0, groups, -2 * Math.log(s));
        theta[groups] = Math.log(g);
        double v = post.value(theta, null);
        if (v > startValue) { // false for NaN: the matrix did not factor
          start = theta;
          startValue = v;
        }
      }
      if (start == null) continue;
      Lbfgs.Result r = Lbfgs.minimize((theta, grad) -> {
        double v = post.value(theta, grad);
        for (int k = 0; k < m; k++) grad[k] = -grad[k];
        return -v;
      }, start, lower, upper, GRADIENT_TOLERANCE, MAX_EVALUATIONS);
      double[] end = r == null ? start : r.x();
      double v = r == null ? startValue : -r.value();
      if (v > best) {
        best = v;
        bestTheta = end;
      }
    }
    return bestTheta == null ? null : post.process(bestTheta);
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

  /**
   * The log posterior of the kernel's log-parameters theta = (log w per group, log g) given n
   * observations, and its gradient: the objective of {@link #fit}.
   */
  static final class Posterior {
    private final double[] x;
    private final double[] y;
    private final int n;
    private final int d;
    private final int[] groupOf;
    private final int groups;
    private final double[] diff2;

    Posterior(double[] x, double[] y, int n, int d, int[] groupOf, int groups) {
      this.x = x;
      this.y = y;
      this.n = n;
      this.d = d;
      this.groupOf = groupOf;
      this.groups = groups;
      this.diff2 = pairDifferences(x, n, d);
    }

    /**
     * The log posterior at theta, up to a constant, and its gradient in {@code gradient} unless
     * null; NaN when C does not factor.
     */
    double value(double[] theta, double[] gradient) {
      GaussianProcess gp = process(theta, gradient);
      return gp == null ? Double.NaN : gp.logPosterior;
    }

    /** The process at theta; null when C does not factor. */
    GaussianProcess process(double[] theta) {
      return process(theta, null);
    }

    private GaussianProcess process(double[] theta, double[] gradient) {
      double[] w = new double[d];
      for (int f = 0; f < d; f++) w[f] = Math.exp(theta[groupOf[f]]);
      double g = Math.exp(theta[groups]);
      double[] c = new double[n * n];
      double[] slope = gradient == null ? null : new double[n * (n - 1) / 2];
      int at = 0;
      int pair = 0;
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < i; j++) {
          double r2 = 0;
          for (int f = 0; f < d; f++) r2 += diff2[at++] * w[f];
          c[i * n + j] = matern52(r2);
          if (slope != null) slope[pair++] = matern52Derivative(r2);
        }
        c[i * n + i] = 1 + g;
      }
      Cholesky chol = Cholesky.factor(c, n);
      if (chol == null) return null;
      double[] alpha = chol.solve(y);
      double quad = 0;
      for (int i = 0; i < n; i++) quad += y[i] * alpha[i];
      // The signal variance's maximum a posteriori given theta: the positive root of
      // q - (n - 2) s2 - 2 s2^2 = 0 (see the class comment), floored for q = 0.
      double a = n - 2 * (SIGNAL_SHAPE - 1);
      double b = 2 * SIGNAL_RATE;
      double root = Math.sqrt(a * a + 4 * b * quad);
      double variance = Math.max(a > 0 ? 2 * quad / (a + root) : (root - a) / (2 * b), 1e-12); // no cancellation
      // Log likelihood, up to a constant: -1/2 q / s2 - n/2 log(s2) - 1/2 log det C.
      double ll = -0.5 * quad / variance - 0.5 * n * Math.log(variance) - 0.5 * chol.logDeterminant();
      double prior = (SIGNAL_SHAPE - 1) * Math.log(variance) - SIGNAL_RATE * variance
          + (NOISE_SHAPE - 1) * theta[groups] - NOISE_RATE * g;
      for (int k = 0; k < groups; k++) {
        double wk = Math.exp(theta[k]);
        prior -= SCALE_PRIOR * (1 / wk + wk);
      }
      if (gradient != null) gradient(chol, alpha, variance, slope, w, g, theta, gradient);
      return new GaussianProcess(x, y, n, d, w, g, chol, alpha, variance, ll + prior);
    }

    /**
     * 1/2 tr((alpha alpha^T / s2 - C^-1) dC/dtheta) and the prior's derivatives at fixed s2, into
     * out: s2 maximizes the log posterior for this theta (or is the floor, fixed), so its own
     * change with theta adds nothing.
     */
    private void gradient(Cholesky chol, double[] alpha, double variance, double[] slope, double[] w, double g,
        double[] theta, double[] out) {
      double[] inv = chol.inverse();
      Arrays.fill(out, 0, groups + 1, 0);
      int at = 0;
      int pair = 0;
      // C and dC/dtheta are symmetric: the two triangles' halves make each pair count once.
      for (int i = 1; i < n; i++) {
        for (int j = 0; j < i; j++) {
          double t = (alpha[i] * alpha[j] / variance - inv[i * n + j]) * slope[pair++];
          for (int f = 0; f < d; f++) out[groupOf[f]] += t * diff2[at++] * w[f];
        }
      }
      double trace = 0;
      for (int i = 0; i < n; i++) trace += alpha[i] * alpha[i] / variance - inv[i * n + i];
      out[groups] = 0.5 * g * trace + (NOISE_SHAPE - 1) - NOISE_RATE * g;
      for (int k = 0; k < groups; k++) {
        double wk = Math.exp(theta[k]);
        out[k] += SCALE_PRIOR * (1 / wk - wk);
      }
    }
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
    return new GaussianProcess(xs, ys, m, d, inverseScale2, noise, chol, chol.solve(ys), signalVariance, logPosterior);
  }

  /** The fitted signal variance s2 (maximum a posteriori), an upper bound of every posterior variance. */
  double signalVariance() {
    return signalVariance;
  }

  /**
   * The fit's log posterior, up to a constant: the observations' log likelihood plus the log prior
   * of its kernel parameters (pending points do not change it).
   */
  double logPosterior() {
    return logPosterior;
  }

  /** The relative noise g. */
  double noise() {
    return noise;
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
