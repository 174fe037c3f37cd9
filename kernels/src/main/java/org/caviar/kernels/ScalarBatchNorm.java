package org.caviar.kernels;

/**
 * Reference batch normalization: the formulas of {@link BatchNorm}, one feature (column) at a time,
 * with float sums. The variance takes two passes, the mean and then the squared deviations from
 * it; the mean pass sums deviations from the column's first value, so a constant column sums to
 * exactly 0 and has a mean equal to its value, a variance of exactly 0 and an {@code xhat} of 0.
 */
final class ScalarBatchNorm extends BatchNorm {
  static final ScalarBatchNorm INSTANCE = new ScalarBatchNorm();

  private ScalarBatchNorm() {}

  @Override
  void forwardTrainingImpl(
      int n, int f, float[] x, float[] gamma, float[] beta, float eps, float momentum,
      float[] runningMean, float[] runningVar,
      float[] y, float[] xhat, float[] mean, float[] invStd) {
    for (int j = 0; j < f; j++) {
      float shift = x[j];
      float sum = 0f;
      for (int i = 0; i < n; i++) sum += x[i * f + j] - shift;
      float mu = shift + sum / n;
      float sq = 0f;
      for (int i = 0; i < n; i++) {
        float d = x[i * f + j] - mu;
        sq += d * d;
      }
      float var = sq / n;
      float is = 1f / (float) Math.sqrt(var + eps);
      mean[j] = mu;
      invStd[j] = is;
      runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mu;
      runningVar[j] = momentum * runningVar[j] + (1 - momentum) * (var * n / (n - 1));
      for (int i = 0; i < n; i++) {
        int at = i * f + j;
        float xh = (x[at] - mu) * is;
        xhat[at] = xh;
        y[at] = gamma[j] * xh + beta[j];
      }
    }
  }

  @Override
  void forwardInferenceImpl(
      int n, int f, float[] x, float[] gamma, float[] beta,
      float[] runningMean, float[] runningVar, float eps, float[] y) {
    for (int j = 0; j < f; j++) {
      float std = (float) Math.sqrt(runningVar[j] + eps);
      for (int i = 0; i < n; i++) {
        int at = i * f + j;
        y[at] = gamma[j] * (x[at] - runningMean[j]) / std + beta[j];
      }
    }
  }

  @Override
  void backwardImpl(
      int n, int f, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dx, float[] dGamma, float[] dBeta) {
    for (int j = 0; j < f; j++) backwardColumn(n, f, j, dy, xhat, gamma, invStd, dx, j, f, dGamma, dBeta);
  }

  /**
   * Column j of backward: dx's n values at {@code dxOff + i * dxStride} (column j of dx, or a
   * buffer of its own; in place over dy or xhat, each value is read before it is written), and
   * dGamma[j] and dBeta[j]. {@link VectorBatchNorm} runs it on columns whose sums overflow.
   */
  static void backwardColumn(
      int n, int f, int j, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dx, int dxOff, int dxStride, float[] dGamma, float[] dBeta) {
    float sumDy = 0f;
    float sumDyXhat = 0f;
    float sumDxhat = 0f;
    float sumDxhatXhat = 0f;
    for (int i = 0; i < n; i++) {
      int at = i * f + j;
      float dxhat = dy[at] * gamma[j];
      sumDy += dy[at];
      sumDyXhat += dy[at] * xhat[at];
      sumDxhat += dxhat;
      sumDxhatXhat += dxhat * xhat[at];
    }
    dBeta[j] = sumDy;
    dGamma[j] = sumDyXhat;
    float k = invStd[j] / n;
    for (int i = 0; i < n; i++) {
      int at = i * f + j;
      float dxhat = dy[at] * gamma[j];
      dx[dxOff + i * dxStride] = k * (n * dxhat - sumDxhat - xhat[at] * sumDxhatXhat);
    }
  }
}
