package org.caviar.search;

import java.util.Arrays;

/** Goodness-of-fit statistics for the sampling tests. */
public final class Stats {
  private Stats() {}

  /** Kolmogorov-Smirnov D of the sample against the uniform distribution on [lo, hi]. */
  public static double ksUniform(double[] x, double lo, double hi) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    double d = 0;
    for (int i = 0; i < n; i++) {
      double f = (s[i] - lo) / (hi - lo);
      d = Math.max(d, Math.max((i + 1.0) / n - f, f - (double) i / n));
    }
    return d;
  }

  /**
   * The KS critical value at significance 0.01 for n draws: 1.628 / sqrt(n) (the asymptotic
   * Kolmogorov quantile, within 1% of the exact one for n above 100).
   */
  public static double ksCritical01(int n) {
    return 1.628 / Math.sqrt(n);
  }

  /** Pearson's chi-square of observed counts against expected probabilities. */
  public static double chiSquare(long[] observed, double[] p) {
    long n = 0;
    for (long o : observed) n += o;
    double chi = 0;
    for (int i = 0; i < observed.length; i++) {
      double e = n * p[i];
      chi += (observed[i] - e) * (observed[i] - e) / e;
    }
    return chi;
  }
}
