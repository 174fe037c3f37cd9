package org.caviar.kernels;

/** Reference GEMM: the textbook triple loop, accumulating each dot product in float. */
final class ScalarGemm extends Gemm {
  static final ScalarGemm INSTANCE = new ScalarGemm();

  private ScalarGemm() {}

  @Override
  void compute(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        float sum = 0f;
        for (int p = 0; p < k; p++) {
          float aip = transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p];
          float bpj = transB ? b[bOff + j * ldb + p] : b[bOff + p * ldb + j];
          sum += aip * bpj;
        }
        int idx = cOff + i * ldc + j;
        c[idx] = beta == 0f ? alpha * sum : alpha * sum + beta * c[idx];
      }
    }
  }
}
