package org.caviar.search.sampler;

import java.util.SplittableRandom;

/** Normal-distribution helpers for the Parzen estimators, on the unit interval. */
final class Gaussians {
  static final double SQRT_2PI = Math.sqrt(2 * Math.PI);
  private static final double SQRT_HALF = Math.sqrt(0.5);

  private Gaussians() {}

  /** The standard normal CDF. */
  static double cdf(double x) {
    return 0.5 * erfc(-x * SQRT_HALF);
  }

  /**
   * The complementary error function, by the Chebyshev fit of Numerical Recipes (erfcc), fractional
   * error below 1.2e-7 everywhere. The estimators only divide by the mass a kernel keeps inside
   * [0, 1], which is at least 0.34 (a kernel's mean lies inside and its sigma is at most 1: the
   * least is Phi(1) - Phi(0), a mean at an edge with sigma 1), so this error stays below 1e-6 of a
   * density.
   */
  static double erfc(double x) {
    double z = Math.abs(x);
    double t = 1 / (1 + 0.5 * z);
    double r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418
        + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587
        + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? r : 2 - r;
  }

  /**
   * Beyond this many sigmas a Gaussian's tail is below 1e-19 (Phi(-9) = 1.1e-19): treated as zero,
   * far under double rounding of the sums it would join.
   */
  static final double CUTOFF_SIGMAS = 9;
  /** (CUTOFF_SIGMAS)^2, for comparing against z^2. */
  static final double CUTOFF_Z2 = CUTOFF_SIGMAS * CUTOFF_SIGMAS;

  /**
   * Tails beyond this many sigmas hold less than 5.8e-8 (Phi(-5.3)), under the 1.2e-7 error of
   * {@link #erfc} itself, so taking the mass as 1 there loses nothing.
   */
  private static final double MASS_CUTOFF_SIGMAS = 5.3;

  /** The mass of N(mu, sigma) inside [0, 1]. */
  static double massInUnit(double mu, double sigma) {
    // Most kernels sit well inside: skip the two erfc calls when both tails are negligible.
    double edge = MASS_CUTOFF_SIGMAS * sigma;
    if (mu >= edge && 1 - mu >= edge) return 1;
    return cdf((1 - mu) / sigma) - cdf(-mu / sigma);
  }

  /** The upper tail P(Z > z) of the standard normal, accurate to 1.2e-7 of itself even far out. */
  static double upperTail(double z) {
    return 0.5 * erfc(z * SQRT_HALF);
  }

  /**
   * The mass of N(mu, sigma) inside [lo, hi] (lo <= hi), for the share of one integer value. Each
   * tail is taken on its own side, so a far interval keeps the relative accuracy of {@link #erfc}
   * instead of the 1e-7 absolute error of a difference of two CDFs near 1. An interval under 1e-3
   * sigma wide takes the midpoint rule, whose relative error (width / sigma)^2 / 24 (z^2 + 1) stays
   * far below the cancellation a CDF difference would suffer there.
   */
  static double massBetween(double mu, double sigma, double lo, double hi) {
    double zl = (lo - mu) / sigma;
    double zh = (hi - mu) / sigma;
    double w = zh - zl;
    if (w < 1e-3) {
      double zm = 0.5 * (zl + zh);
      return w * Math.exp(-0.5 * zm * zm) / SQRT_2PI;
    }
    if (zl >= 0) return Math.max(0, upperTail(zl) - upperTail(zh));
    if (zh <= 0) return Math.max(0, upperTail(-zh) - upperTail(-zl));
    return Math.max(0, 1 - upperTail(-zl) - upperTail(zh));
  }

  /** A draw of N(mu, sigma) truncated to [0, 1], by rejection (at least 34% accepted, see erfc). */
  static double sampleInUnit(double mu, double sigma, SplittableRandom r) {
    for (int tries = 0; tries < 64; tries++) {
      double x = mu + sigma * r.nextGaussian();
      if (x >= 0 && x <= 1) return x;
    }
    return Math.min(1, Math.max(0, mu)); // unreachable in practice: 0.62^64 < 1e-13
  }
}
