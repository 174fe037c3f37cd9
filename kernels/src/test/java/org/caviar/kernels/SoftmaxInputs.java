package org.caviar.kernels;

import java.util.Random;

/**
 * Logit matrices for the softmax tests, row by row one of: N(0, 1); N(0, 10^2) around an offset of
 * up to +-1e4 (large logits with an ordinary spread); a mix of +-1e4, 0 and N(0, 1) (differences far
 * beyond exp's range); N(0, 3^2) with a quarter of the entries -infinity. No row is all -infinity.
 */
final class SoftmaxInputs {
  private SoftmaxInputs() {}

  static float[] logits(Random rnd, int rows, int cols) {
    float[] x = new float[rows * cols];
    for (int r = 0; r < rows; r++) {
      int kind = rnd.nextInt(4);
      float offset = (float) ((rnd.nextDouble() * 2 - 1) * 1e4);
      boolean finite = false;
      for (int j = 0; j < cols; j++) {
        float v = switch (kind) {
          case 0 -> (float) rnd.nextGaussian();
          case 1 -> offset + (float) (10 * rnd.nextGaussian());
          case 2 -> switch (rnd.nextInt(4)) {
            case 0 -> 1e4f;
            case 1 -> -1e4f;
            case 2 -> 0f;
            default -> (float) rnd.nextGaussian();
          };
          default -> rnd.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : (float) (3 * rnd.nextGaussian());
        };
        x[r * cols + j] = v;
        finite |= v != Float.NEGATIVE_INFINITY;
      }
      if (!finite) x[r * cols + rnd.nextInt(cols)] = (float) rnd.nextGaussian();
    }
    return x;
  }

  /** One label per row, on an entry that is not -infinity (such a label has infinite loss). */
  static int[] labels(Random rnd, float[] x, int rows, int cols) {
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) {
      int j;
      do {
        j = rnd.nextInt(cols);
      } while (x[r * cols + j] == Float.NEGATIVE_INFINITY);
      labels[r] = j;
    }
    return labels;
  }
}
