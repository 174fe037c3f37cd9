package org.caviar.kernels;

/**
 * Reference activations, one element at a time. tanh, sigmoid and the two output-based backward
 * formulas are evaluated in double and rounded once to float, so they are within about half an
 * ulp of the exact value and serve as the yardstick for the vector approximations.
 */
final class ScalarActivations extends Activations {
  static final ScalarActivations INSTANCE = new ScalarActivations();

  private ScalarActivations() {}

  @Override
  void reluImpl(int len, float[] x, float[] y) {
    // Math.max propagates NaN (a diverged input stays visible) and maps -0 to +0.
    for (int i = 0; i < len; i++) y[i] = Math.max(x[i], 0f);
  }

  @Override
  void reluBackwardImpl(int len, float[] x, float[] dy, float[] dx) {
    for (int i = 0; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
  }

  @Override
  void leakyReluImpl(int len, float slope, float[] x, float[] y) {
    for (int i = 0; i < len; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
  }

  @Override
  void leakyReluBackwardImpl(int len, float slope, float[] x, float[] dy, float[] dx) {
    for (int i = 0; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : slope * dy[i];
  }

  @Override
  void tanhImpl(int len, float[] x, float[] y) {
    for (int i = 0; i < len; i++) y[i] = (float) Math.tanh(x[i]);
  }

  @Override
  void tanhBackwardImpl(int len, float[] y, float[] dy, float[] dx) {
    // In double, y * y is exact, so 1 - y^2 keeps its low bits when |y| is close to 1. Outside
    // [-1, 1] (tanh never gives it) and at NaN: NaN (see Activations).
    for (int i = 0; i < len; i++) {
      double yi = y[i];
      dx[i] = Math.abs(yi) <= 1 ? (float) (dy[i] * (1.0 - yi * yi)) : Float.NaN;
    }
  }

  @Override
  void sigmoidImpl(int len, float[] x, float[] y) {
    // exp(-x) = +inf for x << 0 gives 1 / inf = 0, never NaN.
    for (int i = 0; i < len; i++) y[i] = (float) (1.0 / (1.0 + Math.exp(-x[i])));
  }

  @Override
  void sigmoidBackwardImpl(int len, float[] y, float[] dy, float[] dx) {
    // Outside [0, 1] (sigmoid never gives it) and at NaN: NaN (see Activations).
    for (int i = 0; i < len; i++) {
      double yi = y[i];
      dx[i] = yi >= 0 && yi <= 1 ? (float) (dy[i] * (yi * (1.0 - yi))) : Float.NaN;
    }
  }
}
