package org.caviar.kernels;

import java.util.Random;

/**
 * Inputs for the batch-norm tests. {@link #columns} gives each feature (column) its own kind:
 * N(mu, s^2) with |mu| <= 10 and s in [0.1, 10]; a large offset (1e3 to 1e4) with a spread of about
 * 1, where a one-pass variance would cancel; two values; or a constant (0, 0.1, -3, 1e4 or 1e7),
 * whose variance must come out exactly 0.
 */
final class BatchNormInputs {
  private static final float[] CONSTANTS = {0f, 0.1f, -3f, 1e4f, 1e7f};

  private BatchNormInputs() {}

  /** Row-major n x f, each column of a kind drawn at random (see the class comment). */
  static float[] columns(Random rnd, int n, int f) {
    float[] x = new float[n * f];
    for (int j = 0; j < f; j++) {
      int kind = rnd.nextInt(6);
      double mu = kind == 1 ? (rnd.nextBoolean() ? 1 : -1) * (1e3 + 9e3 * rnd.nextDouble()) : 20 * rnd.nextDouble() - 10;
      double s = 0.1 * Math.pow(100, rnd.nextDouble());
      float constant = CONSTANTS[rnd.nextInt(CONSTANTS.length)];
      float a = (float) mu;
      float b = (float) (mu + s);
      for (int i = 0; i < n; i++) {
        x[i * f + j] = switch (kind) {
          case 0, 3 -> (float) (mu + s * rnd.nextGaussian());
          case 1 -> (float) (mu + rnd.nextGaussian());
          case 2 -> rnd.nextBoolean() ? a : b;
          case 4 -> constant;
          default -> (float) (mu + s * rnd.nextGaussian());
        };
      }
    }
    return x;
  }

  /** True when every entry of column j equals the first. */
  static boolean constant(float[] x, int n, int f, int j) {
    for (int i = 1; i < n; i++) if (x[i * f + j] != x[j]) return false;
    return true;
  }

  /** Uniform in [lo, hi). */
  static float[] uniform(Random rnd, int len, double lo, double hi) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
    return a;
  }

  /** N(0, 1). */
  static float[] gaussian(Random rnd, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) a[i] = (float) rnd.nextGaussian();
    return a;
  }
}
