package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The gradient of fused softmax + cross-entropy (scalar and vector) against central finite
 * differences of the mean loss computed in double precision, with relative error
 * {@code |a - n| / max(|a| + |n|, tiny)}. A logit moves only its own row's term of the mean, so
 * the difference quotient is taken of that term divided by rows (the other terms cancel exactly).
 */
class SoftmaxGradientProperties {
  private static final Softmax[] BOTH = {Softmax.scalar(), Softmax.vector()};
  private static final double U = 0x1p-24;
  private static final double H = 1e-3;
  /**
   * Logits are N(0, 1) clipped to [-4, 4], so every probability is at least e^-8 / cols >= 4.8e-6
   * for cols <= 70. Kernel: relative error at most (cols + 8) U <= 4.6e-6 on p / rows (exp, the
   * sum, the scaling; see {@link SoftmaxProperties}), which the formula halves. Finite difference:
   * truncation {@code h^2 |l'''| / (6 |l'|)} <= h^2 / 6 = 1.7e-7 (for the softmax
   * {@code |l'''| = |p (1 - p)(1 - 2p)| <= |l'|}), and rounding of the double forward, about
   * {@code 2.2e-16 |l| / (h p)} <= 4e-6 with |l| <= 10 and p >= 4.8e-6. Together under 7e-6.
   */
  private static final double THRESHOLD = 1e-5;

  @Provide
  Arbitrary<Integer> cols() {
    return Shapes.sizes(70);
  }

  @Provide
  Arbitrary<Integer> rows() {
    return Arbitraries.integers().between(1, 5);
  }

  /**
   * Every entry of the gradient. Off the label the relative error is checked as is ({@code tiny}
   * 1e-30). On the label the gradient is {@code (p - 1) / rows}, which cancels when p is near 1:
   * the kernel's p carries an absolute error of up to (cols + 8) U, so there {@code tiny} is the
   * gradient's own scale 1 / rows, and the check becomes |a - n| <= 1e-5 / rows.
   */
  @Property(tries = 40)
  void gradientMatchesFiniteDifferences(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) x[i] = (float) Math.max(-4, Math.min(4, rnd.nextGaussian()));
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) labels[r] = rnd.nextInt(cols);
    for (Softmax s : BOTH) {
      float[] grad = new float[rows * cols];
      float loss = s.crossEntropy(rows, cols, x, labels, grad);
      double exactLoss = 0;
      for (int r = 0; r < rows; r++) exactLoss += rowLoss(x, r * cols, cols, labels[r], 0, 0);
      exactLoss /= rows;
      // The loss itself: float sums of exponentials, (cols + 3) U relative on S, then rounding.
      if (!(Math.abs(loss - exactLoss) <= (cols + 3) * U + U * Math.abs(exactLoss))) {
        fail(name(s) + " loss " + loss + " exact " + exactLoss);
      }
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          double numeric = (rowLoss(x, r * cols, cols, labels[r], j, H)
              - rowLoss(x, r * cols, cols, labels[r], j, -H)) / (2 * H) / rows;
          double analytic = grad[r * cols + j];
          double tiny = j == labels[r] ? 1.0 / rows : 1e-30;
          double rel = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic) + Math.abs(numeric), tiny);
          if (!(rel <= THRESHOLD)) {
            fail(name(s) + " grad[" + r + "][" + j + "] = " + analytic + ", finite difference " + numeric
                + ", relative error " + rel + " (label " + labels[r] + ", cols " + cols + ")");
          }
        }
      }
    }
  }

  /** {@code log sum_k exp(z_k) - z_label} in double for a row with {@code z_j} moved by delta. */
  private static double rowLoss(float[] x, int base, int cols, int label, int j, double delta) {
    double max = Double.NEGATIVE_INFINITY;
    for (int k = 0; k < cols; k++) max = Math.max(max, x[base + k] + (k == j ? delta : 0));
    double sum = 0;
    for (int k = 0; k < cols; k++) sum += Math.exp(x[base + k] + (k == j ? delta : 0) - max);
    return Math.log(sum) + max - (x[base + label] + (label == j ? delta : 0));
  }

  private static String name(Softmax s) {
    return s == BOTH[0] ? "scalar" : "vector";
  }
}
