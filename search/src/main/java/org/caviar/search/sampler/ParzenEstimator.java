package org.caviar.search.sampler;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A univariate Parzen estimator on [0, 1] as in TPE (Bergstra et al. 2011; Optuna's defaults): one
 * Gaussian per observation plus a prior N(0.5, 1) of weight {@code priorWeight}, each truncated to
 * [0, 1]. A kernel's bandwidth adapts to the data: the larger gap to its neighbours in sorted order
 * (the first and last take their only inner gap), clipped to [1 / min(100, 1 + m), 1] for m kernels
 * ("magic clip"), so that dense regions get narrow kernels and no kernel collapses.
 *
 * <p>All per-kernel constants are precomputed into flat arrays, so {@link #density} is one
 * multiply-add and one exp per kernel with no allocation.
 */
final class ParzenEstimator {
  private static final int INDEX_BITS = 20;
  private static final long INDEX_MASK = (1L << INDEX_BITS) - 1;
  private static final double QUANTUM = 0x1p40;

  private final int m;
  private final double[] mu;
  private final double[] sigma;
  private final double[] invSigma;
  /** Normalized weight / (sigma * mass inside [0, 1] * sqrt(2 pi)). */
  private final double[] amp;
  /** Normalized weight / (mass inside [0, 1]): a kernel's share per unit of its untruncated mass. */
  private final double[] massShare;
  /** Cumulative normalized weights, for picking a kernel to sample. */
  private final double[] cumulative;

  /**
   * @param obs observations in [0, 1], the first {@code n} entries used
   * @param weights their weights
   */
  ParzenEstimator(double[] obs, double[] weights, int n, double priorWeight) {
    if (n > INDEX_MASK) throw new IllegalArgumentException("too many observations: " + n);
    m = n + 1;
    int[] order = sortedByMean(obs, n);
    mu = new double[m];
    double[] w = new double[m];
    int priorAt = -1;
    for (int k = 0; k < m; k++) {
      int i = order[k];
      if (i == n) {
        priorAt = k;
        mu[k] = 0.5;
        w[k] = priorWeight;
      } else {
        mu[k] = obs[i];
        w[k] = weights[i];
      }
    }
    sigma = new double[m];
    if (m == 1) {
      sigma[0] = 1;
    } else {
      for (int k = 0; k < m; k++) {
        double left = k == 0 ? 0 : mu[k] - mu[k - 1];
        double right = k == m - 1 ? 0 : mu[k + 1] - mu[k];
        sigma[k] = Math.max(left, right);
      }
    }
    double minSigma = 1.0 / Math.min(100, 1 + m);
    for (int k = 0; k < m; k++) sigma[k] = Math.min(1, Math.max(minSigma, sigma[k]));
    sigma[priorAt] = 1;

    double total = 0;
    for (int k = 0; k < m; k++) total += w[k];
    invSigma = new double[m];
    amp = new double[m];
    massShare = new double[m];
    cumulative = new double[m];
    double acc = 0;
    for (int k = 0; k < m; k++) {
      invSigma[k] = 1 / sigma[k];
      double p = w[k] / total;
      double inside = Gaussians.massInUnit(mu[k], sigma[k]);
      massShare[k] = p / inside;
      amp[k] = massShare[k] / (sigma[k] * Gaussians.SQRT_2PI);
      acc += p;
      cumulative[k] = acc;
    }
    cumulative[m - 1] = 1; // guard against rounding in the sum
  }

  /**
   * The density at x in [0, 1]; always > 0 thanks to the prior. Kernels more than
   * {@link Gaussians#CUTOFF_SIGMAS} sigmas away are skipped: each would add less than 1e-17 of its
   * peak, while the prior alone keeps the density above 0.1 / (total weight), so the skipped sum
   * is below 1e-13 of the result even with a thousand kernels. With n observations the narrow
   * kernels (sigma near 1 / 100) make most of them skippable, so most of the loop is a compare.
   */
  double density(double x) {
    double s = 0;
    for (int k = 0; k < m; k++) {
      double z = (x - mu[k]) * invSigma[k];
      double z2 = z * z;
      if (z2 < Gaussians.CUTOFF_Z2) s += amp[k] * Math.exp(-0.5 * z2);
    }
    return s;
  }

  /**
   * The probability of [lo, hi], a sub-interval of [0, 1]: the share of one integer value, which is
   * how TPE scores an integer candidate (as Optuna's discrete kernels do), not by the density at
   * the unrounded draw. Always > 0 for lo < hi, thanks to the prior. Kernels whose nearest end is
   * more than {@link Gaussians#CUTOFF_SIGMAS} sigmas away are skipped, as in {@link #density}.
   */
  double mass(double lo, double hi) {
    double s = 0;
    for (int k = 0; k < m; k++) {
      double zl = (lo - mu[k]) * invSigma[k];
      double zh = (hi - mu[k]) * invSigma[k];
      if (zl > Gaussians.CUTOFF_SIGMAS || zh < -Gaussians.CUTOFF_SIGMAS) continue;
      s += massShare[k] * Gaussians.massBetween(mu[k], sigma[k], lo, hi);
    }
    return s;
  }

  /**
   * The kernel indices 0..n (n being the prior, at 0.5) ordered by mean, ties by index: a bucket
   * sort, O(n) for spread-out means, with a primitive sort for any crowded bucket (its keys hold the
   * mean quantized to 2^-40 above the index, so no boxing).
   */
  static int[] sortedByMean(double[] obs, int n) {
    int m = n + 1;
    int[] start = new int[m + 1];
    int[] bucket = new int[m];
    for (int k = 0; k < m; k++) {
      double x = k == n ? 0.5 : obs[k];
      int b = Math.min(m - 1, (int) (x * m));
      bucket[k] = b;
      start[b + 1]++;
    }
    for (int b = 0; b < m; b++) start[b + 1] += start[b];
    int[] order = new int[m];
    int[] fill = new int[m];
    System.arraycopy(start, 0, fill, 0, m);
    for (int k = 0; k < m; k++) order[fill[bucket[k]]++] = k; // index order within a bucket
    long[] keys = null;
    for (int b = 0; b < m; b++) {
      int lo = start[b];
      int hi = start[b + 1];
      if (hi - lo <= 1) continue;
      if (hi - lo <= 16) {
        for (int i = lo + 1; i < hi; i++) { // stable insertion sort: ties keep index order
          int k = order[i];
          double x = k == n ? 0.5 : obs[k];
          int j = i - 1;
          while (j >= lo && (order[j] == n ? 0.5 : obs[order[j]]) > x) {
            order[j + 1] = order[j];
            j--;
          }
          order[j + 1] = k;
        }
      } else {
        if (keys == null) keys = new long[m];
        for (int i = lo; i < hi; i++) {
          int k = order[i];
          keys[i] = ((long) ((k == n ? 0.5 : obs[k]) * QUANTUM) << INDEX_BITS) | k;
        }
        Arrays.sort(keys, lo, hi);
        for (int i = lo; i < hi; i++) order[i] = (int) (keys[i] & INDEX_MASK);
      }
    }
    return order;
  }

  /** A draw from the mixture. */
  double sample(SplittableRandom r) {
    double p = r.nextDouble();
    int k = Arrays.binarySearch(cumulative, p);
    if (k < 0) k = -k - 1;
    if (k >= m) k = m - 1;
    return Gaussians.sampleInUnit(mu[k], sigma[k], r);
  }

  /** The bandwidth of the kernel with the given sorted position (for tests). */
  double sigmaAt(int sortedIndex) {
    return sigma[sortedIndex];
  }

  int kernels() {
    return m;
  }
}
