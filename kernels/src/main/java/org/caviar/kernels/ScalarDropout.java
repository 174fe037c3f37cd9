package org.caviar.kernels;

/** Reference dropout: the hash of {@link Dropout} one element at a time. */
final class ScalarDropout extends Dropout {
  static final ScalarDropout INSTANCE = new ScalarDropout();

  private ScalarDropout() {}

  @Override
  void forwardImpl(
      int from, int len, int lo, int weyl, int key, int threshold, float scale, float[] x, float[] mask, float[] y) {
    for (int i = 0; i < len; i++) {
      int h = fmix32((lo + i) * weyl + key);
      float m = (h >>> 8) < threshold ? scale : 0f;
      mask[from + i] = m;
      y[from + i] = x[from + i] * m;
    }
  }

  @Override
  void backwardImpl(int len, float[] mask, float[] dy, float[] dx) {
    for (int i = 0; i < len; i++) dx[i] = dy[i] * mask[i];
  }
}
