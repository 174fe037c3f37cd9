package org.caviar.kernels;

/**
 * Row-wise softmax over a row-major {@code rows x cols} matrix, its logarithm, and the fused
 * softmax + cross-entropy that a classifier's output layer trains with.
 *
 * <p>All three subtract the row maximum first, so logits of any magnitude give finite, correct
 * results, and a {@code -infinity} entry has probability exactly 0 (its log-softmax is
 * {@code -infinity}, and so is minus the cross-entropy of a label on it). A row whose entries are all
 * {@code -infinity} has no distribution and is an {@link IllegalArgumentException}; so is a NaN
 * or {@code +infinity} logit. Every row is checked before anything is written, so after such an
 * error the outputs (and, in place, the input) are as they were. Output arrays may be the input
 * array (in place).
 *
 * <p>Arguments: {@code rows, cols >= 1} (an empty matrix is refused, where the other kernels take
 * 0), arrays not null and holding {@code rows * cols} floats ({@code labels}: {@code rows} ints,
 * each in {@code [0, cols)}); otherwise an {@link IllegalArgumentException} naming the argument,
 * before anything is written.
 */
public abstract class Softmax {
  /** The plain reference. */
  public static Softmax scalar() {
    return ScalarSoftmax.INSTANCE;
  }

  /** The Vector API implementation. */
  public static Softmax vector() {
    return VectorSoftmax.INSTANCE;
  }

  /** {@code y[r][j] = exp(x[r][j] - max_r) / sum_j exp(x[r][j] - max_r)}. */
  public final void forward(int rows, int cols, float[] x, float[] y) {
    checkShape(rows, cols, x, "x", y, "y");
    forwardImpl(rows, cols, x, y);
  }

  /** {@code y[r][j] = x[r][j] - max_r - log(sum_j exp(x[r][j] - max_r))}. */
  public final void logForward(int rows, int cols, float[] x, float[] y) {
    checkShape(rows, cols, x, "x", y, "y");
    logForwardImpl(rows, cols, x, y);
  }

  /**
   * Softmax + cross-entropy with integer labels: returns the mean over rows of
   * {@code -log softmax(logits)[r][labels[r]]} and writes the gradient of that mean with respect
   * to the logits, {@code (softmax(logits) - onehot(labels)) / rows}, into {@code grad} (which may
   * be {@code logits}). A label on a {@code -infinity} logit has probability 0: the loss is
   * {@code +infinity}, the gradient stays finite.
   */
  public final float crossEntropy(int rows, int cols, float[] logits, int[] labels, float[] grad) {
    checkShape(rows, cols, logits, "logits", grad, "grad");
    Checks.length("labels", labels, rows);
    for (int r = 0; r < rows; r++) {
      if (labels[r] < 0 || labels[r] >= cols) {
        throw new IllegalArgumentException(
            "labels[" + r + "] must be in [0, " + cols + "), got " + labels[r]);
      }
    }
    return crossEntropyImpl(rows, cols, logits, labels, grad);
  }

  private static void checkShape(int rows, int cols, float[] x, String xName, float[] y, String yName) {
    Checks.positive("rows", rows);
    Checks.positive("cols", cols);
    long size = (long) rows * cols;
    Checks.length(xName, x, size);
    Checks.length(yName, y, size);
  }

  /**
   * The documented error for row {@code r} of {@code x} (the argument {@code name}, x or logits),
   * whose maximum {@code max} is not finite: {@code -infinity} (all entries are) or NaN /
   * {@code +infinity} somewhere, which the message names by its indices and value.
   * Implementations find every row's maximum in a first pass that writes nothing and throw this
   * for the first bad row, so nothing is written before the error.
   */
  static IllegalArgumentException badRow(String name, float[] x, int r, int cols, float max) {
    if (max == Float.NEGATIVE_INFINITY) {
      return new IllegalArgumentException(name + " row " + r + " is all -infinity: softmax is undefined");
    }
    for (int j = 0, base = r * cols; j < cols; j++) {
      float v = x[base + j];
      if (Float.isNaN(v) || v == Float.POSITIVE_INFINITY) {
        return new IllegalArgumentException(
            name + "[" + r + "][" + j + "] is " + v + ": softmax takes finite logits and -infinity");
      }
    }
    return new IllegalArgumentException(name + " row " + r + " has no finite maximum (" + max + ")");
  }

  abstract void forwardImpl(int rows, int cols, float[] x, float[] y);

  abstract void logForwardImpl(int rows, int cols, float[] x, float[] y);

  abstract float crossEntropyImpl(int rows, int cols, float[] logits, int[] labels, float[] grad);
}
