package org.caviar.kernels;

/**
 * Reference optimizer updates: one loop per update, each operation of the documented formula
 * rounded on its own (no fused multiply-add). Adam's bias corrections come from
 * {@link #adamStepSize} and {@link #adamDenominatorScale}, which {@link VectorOptimizers} shares, so
 * the two implementations differ only in how the per-element arithmetic is rounded.
 */
final class ScalarOptimizers extends Optimizers {
  static final ScalarOptimizers INSTANCE = new ScalarOptimizers();

  private ScalarOptimizers() {}

  /**
   * {@code lr / (1 - beta1^t)}: Adam's step size with the first moment's bias correction folded in,
   * computed once per call in double (pow is accurate there, and {@code 1 - beta1^t} loses nothing
   * to cancellation when beta1 is close to 1) and rounded once to float.
   */
  static float adamStepSize(float lr, float beta1, int t) {
    return (float) (lr / (1.0 - Math.pow(beta1, t)));
  }

  /**
   * {@code 1 / sqrt(1 - beta2^t)}, so that {@code sqrt(v / (1 - beta2^t)) = sqrt(v) * scale}:
   * the per-element division becomes a multiply. Double, then one rounding to float.
   */
  static float adamDenominatorScale(float beta2, int t) {
    return (float) (1.0 / Math.sqrt(1.0 - Math.pow(beta2, t)));
  }

  @Override
  void sgdImpl(int len, float lr, float weightDecay, float[] w, float[] g) {
    for (int i = 0; i < len; i++) {
      float grad = g[i] + weightDecay * w[i];
      w[i] -= lr * grad;
    }
  }

  @Override
  void momentumImpl(int len, float lr, float beta, float weightDecay, float[] w, float[] g, float[] v) {
    float oneMinusBeta = 1f - beta;
    for (int i = 0; i < len; i++) {
      float grad = g[i] + weightDecay * w[i];
      float vi = beta * v[i] + oneMinusBeta * grad;
      v[i] = vi;
      w[i] -= lr * vi;
    }
  }

  @Override
  void rmspropImpl(
      int len, float lr, float beta, float eps, float weightDecay, float[] w, float[] g, float[] s) {
    float oneMinusBeta = 1f - beta;
    for (int i = 0; i < len; i++) {
      float grad = g[i] + weightDecay * w[i];
      float si = beta * s[i] + oneMinusBeta * grad * grad;
      s[i] = si;
      // lr * (g / d), as the vector kernel orders it: the quotient is at most 1 / sqrt(1 - beta) in
      // magnitude (d >= sqrt((1 - beta) g^2)), where (lr * g) / d overflowed from lr g > 3.4e38.
      w[i] -= lr * (grad / ((float) Math.sqrt(si) + eps));
    }
  }

  @Override
  void adamImpl(
      int len, float lr, float beta1, float beta2, float eps, float weightDecay, int t,
      float[] w, float[] g, float[] m, float[] v) {
    float oneMinusBeta1 = 1f - beta1;
    float oneMinusBeta2 = 1f - beta2;
    float stepSize = adamStepSize(lr, beta1, t);
    float denominatorScale = adamDenominatorScale(beta2, t);
    for (int i = 0; i < len; i++) {
      float grad = g[i] + weightDecay * w[i];
      float mi = beta1 * m[i] + oneMinusBeta1 * grad;
      float vi = beta2 * v[i] + oneMinusBeta2 * grad * grad;
      m[i] = mi;
      v[i] = vi;
      w[i] -= stepSize * mi / ((float) Math.sqrt(vi) * denominatorScale + eps);
    }
  }
}
