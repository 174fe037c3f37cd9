package org.caviar.kernels;

/**
 * Reference softmax: plain loops over each row with {@link Math#exp} and {@link Math#log}, sums in
 * float. Every row is checked before anything is written, so a bad row leaves all outputs as they
 * were (which matters when the output is the input).
 */
final class ScalarSoftmax extends Softmax {
  static final ScalarSoftmax INSTANCE = new ScalarSoftmax();

  private ScalarSoftmax() {}

  @Override
  void forwardImpl(int rows, int cols, float[] x, float[] y) {
    checkRows(rows, cols, x, "x");
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      float max = rowMax(x, base, cols);
      float sum = 0f;
      for (int j = 0; j < cols; j++) {
        float e = (float) Math.exp(x[base + j] - max);
        y[base + j] = e;
        sum += e;
      }
      for (int j = 0; j < cols; j++) y[base + j] /= sum;
    }
  }

  @Override
  void logForwardImpl(int rows, int cols, float[] x, float[] y) {
    checkRows(rows, cols, x, "x");
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      float max = rowMax(x, base, cols);
      float sum = 0f;
      for (int j = 0; j < cols; j++) sum += (float) Math.exp(x[base + j] - max);
      float logSum = (float) Math.log(sum);
      for (int j = 0; j < cols; j++) y[base + j] = (x[base + j] - max) - logSum;
    }
  }

  @Override
  float crossEntropyImpl(int rows, int cols, float[] logits, int[] labels, float[] grad) {
    checkRows(rows, cols, logits, "logits");
    double loss = 0;
    for (int r = 0; r < rows; r++) {
      int base = r * cols;
      int label = labels[r];
      float max = rowMax(logits, base, cols);
      // Read before the row of grad, which may be logits, is written.
      float target = logits[base + label] - max;
      float sum = 0f;
      float others = 0f;
      for (int j = 0; j < cols; j++) {
        float e = (float) Math.exp(logits[base + j] - max);
        grad[base + j] = e;
        sum += e;
        if (j != label) others += e;
      }
      for (int j = 0; j < cols; j++) {
        // p - 1 as -(others / sum): the subtraction would keep only p's absolute error when p ~ 1.
        float p = j == label ? 0f - others / sum : grad[base + j] / sum; // 0 - x: +0 for one class
        grad[base + j] = p / rows;
      }
      loss += Math.log(sum) - target;
    }
    return (float) (loss / rows);
  }

  /** Throws {@link Softmax#badRow} for the first row whose maximum is not finite; x is the argument name. */
  private static void checkRows(int rows, int cols, float[] x, String name) {
    for (int r = 0; r < rows; r++) {
      float max = rowMax(x, r * cols, cols);
      if (!Float.isFinite(max)) throw badRow(name, x, r, cols, max);
    }
  }

  /** The row maximum; NaN if the row holds one ({@link Math#max} propagates it). */
  private static float rowMax(float[] x, int base, int cols) {
    float max = Float.NEGATIVE_INFINITY;
    for (int j = 0; j < cols; j++) max = Math.max(max, x[base + j]);
    return max;
  }
}
