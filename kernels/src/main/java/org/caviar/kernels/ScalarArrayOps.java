package org.caviar.kernels;

/** Reference array operations: plain loops, float arithmetic, sums accumulated left to right. */
final class ScalarArrayOps extends ArrayOps {
  static final ScalarArrayOps INSTANCE = new ScalarArrayOps();

  private ScalarArrayOps() {}

  @Override
  void addBiasImpl(int rows, int cols, float[] bias, float[] x) {
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      for (int j = 0; j < cols; j++) x[base + j] += bias[j];
    }
  }

  @Override
  void columnSumsImpl(int rows, int cols, float[] x, float[] sums) {
    for (int j = 0; j < cols; j++) sums[j] = 0f;
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      for (int j = 0; j < cols; j++) sums[j] += x[base + j];
    }
  }

  @Override
  void addImpl(
      int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < cols; j++) c[cOff + r * ldc + j] = a[aOff + r * lda + j] + b[bOff + r * ldb + j];
    }
  }

  @Override
  void axpyImpl(int len, float alpha, float[] x, float[] y) {
    for (int i = 0; i < len; i++) y[i] += alpha * x[i];
  }

  @Override
  void scaleImpl(int len, float alpha, float[] x) {
    for (int i = 0; i < len; i++) x[i] *= alpha;
  }

  @Override
  float dotImpl(int len, float[] x, float[] y) {
    float sum = 0f;
    for (int i = 0; i < len; i++) sum += x[i] * y[i];
    return sum;
  }

  @Override
  float sumOfSquaresImpl(int len, float[] x) {
    float sum = 0f;
    for (int i = 0; i < len; i++) sum += x[i] * x[i];
    return sum;
  }
}
