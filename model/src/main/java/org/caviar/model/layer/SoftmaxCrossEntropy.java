package org.caviar.model.layer;

import org.caviar.kernels.Softmax;

/**
 * The output: softmax over the logits with the mean cross-entropy loss. Training calls
 * {@link #lossAndGradient}, one fused kernel pass that also writes {@code dz = (yhat - y) / rows},
 * the gradient of the mean loss with respect to the logits.
 */
public final class SoftmaxCrossEntropy {
  private final int classes;
  private final Softmax kernel;
  private float[] gradient = new float[0];

  public SoftmaxCrossEntropy(int classes, Softmax kernel) {
    if (classes < 2) throw new IllegalArgumentException("classes must be >= 2, got " + classes);
    if (kernel == null) throw new IllegalArgumentException("kernel must not be null");
    this.classes = classes;
    this.kernel = kernel;
  }

  public int classes() {
    return classes;
  }

  public void ensureCapacity(int rows) {
    if (gradient.length < rows * classes) gradient = new float[rows * classes];
  }

  /**
   * Mean cross-entropy of {@code rows} rows of logits against {@code labels}; the gradient goes to
   * {@link #gradient()}. Logits must be finite (a diverged network is caught before this).
   */
  public float lossAndGradient(float[] logits, int[] labels, int rows) {
    ensureCapacity(rows);
    return kernel.crossEntropy(rows, classes, logits, labels, gradient);
  }

  /** The gradient of the last {@link #lossAndGradient} call, {@code rows x classes}. */
  public float[] gradient() {
    return gradient;
  }

  /** Class probabilities of {@code rows} rows of logits into {@code out}. */
  public void probabilities(float[] logits, int rows, float[] out) {
    kernel.forward(rows, classes, logits, out);
  }

  /**
   * Mean cross-entropy in double from double logits ({@code rows x classes}): the reference the
   * gradient check differentiates.
   *
   * @throws IllegalArgumentException if {@code rows} or {@code classes} is not positive, the arrays
   *     are too short for {@code rows}, or a label is not in {@code [0, classes)}
   */
  public static double referenceLoss(double[] logits, int[] labels, int rows, int classes) {
    // A label past the classes read a logit of the next row: a wrong loss, no error.
    if (rows <= 0) throw new IllegalArgumentException("rows must be > 0, got " + rows);
    if (classes <= 0) throw new IllegalArgumentException("classes must be > 0, got " + classes);
    long needed = (long) rows * classes;
    if (logits == null || logits.length < needed) {
      throw new IllegalArgumentException("logits needs " + needed + " values (" + rows + " x " + classes + "), got "
          + (logits == null ? "null" : logits.length));
    }
    org.caviar.model.Network.requireLabels(labels, rows, classes);
    double total = 0;
    for (int r = 0; r < rows; r++) total += logSumExp(logits, r * classes, classes) - logits[r * classes + labels[r]];
    return total / rows;
  }

  /** {@code log(sum_j exp(z[offset + j]))} over {@code n} entries, shifted by their max so that nothing overflows. */
  public static double logSumExp(double[] z, int offset, int n) {
    // No entries was -Infinity, silently; a range past the array an index error from the loop.
    if (n <= 0) throw new IllegalArgumentException("n must be > 0, got " + n);
    if (z == null) throw new IllegalArgumentException("z must not be null");
    if (offset < 0 || (long) offset + n > z.length) {
      throw new IllegalArgumentException("z needs " + n + " values from offset " + offset + ", has " + z.length);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < n; j++) max = Math.max(max, z[offset + j]);
    double sum = 0;
    for (int j = 0; j < n; j++) sum += Math.exp(z[offset + j] - max);
    return max + Math.log(sum);
  }
}
