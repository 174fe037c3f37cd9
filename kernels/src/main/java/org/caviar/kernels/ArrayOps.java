package org.caviar.kernels;

/**
 * The small vector utilities that training needs around GEMM: broadcast bias add, column sums
 * (a bias gradient), the sum of two matrices, axpy, scale, dot and sum of squares. Flat arrays,
 * first {@code len} elements (or a row-major {@code rows x cols} matrix from index 0, or, for
 * {@link #add}, from an offset with a leading dimension).
 *
 * <p>Arguments: {@code rows, cols, len >= 0}; {@code alpha} finite; arrays not null and holding
 * what the shape needs (for {@link #add}, offsets and leading dimensions as in {@link Gemm}).
 * Otherwise an {@link IllegalArgumentException} naming the argument, before anything is written.
 */
public abstract class ArrayOps {
  /** The plain reference. */
  public static ArrayOps scalar() {
    return ScalarArrayOps.INSTANCE;
  }

  /** The Vector API implementation. */
  public static ArrayOps vector() {
    return VectorArrayOps.INSTANCE;
  }

  /** {@code x[r][j] += bias[j]} for every row. {@code bias} must not be {@code x} (but for one row). */
  public final void addBias(int rows, int cols, float[] bias, float[] x) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("cols", cols);
    Checks.length("bias", bias, cols);
    Checks.length("x", x, (long) rows * cols);
    // Row 0 would add the bias to itself, and the later rows the doubled bias.
    if (bias == x && rows > 1 && cols > 0) throw new IllegalArgumentException("bias must not be x (addBias reads it for every row)");
    addBiasImpl(rows, cols, bias, x);
  }

  /** {@code sums[j] = sum_r x[r][j]} (overwritten; zeros when rows is 0). {@code sums} must not be {@code x}. */
  public final void columnSums(int rows, int cols, float[] x, float[] sums) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("cols", cols);
    Checks.length("x", x, (long) rows * cols);
    Checks.length("sums", sums, cols);
    // The reference zeroes sums before it adds: in place it would sum over a cleared row 0.
    if (sums == x && rows > 0 && cols > 0) throw new IllegalArgumentException("sums must not be x (columnSums is not in place)");
    columnSumsImpl(rows, cols, x, sums);
  }

  /**
   * {@code c[r][j] = a[r][j] + b[r][j]} for a {@code rows x cols} block of each matrix, stored
   * from its offset with its leading dimension (as in GEMM). {@code c} may be {@code a} or
   * {@code b} at the same offset and leading dimension (an in-place sum), or a block of their array
   * that shares no element with theirs; any other overlap is an {@link IllegalArgumentException}.
   */
  public final void add(
      int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    Checks.nonNegative("rows", rows);
    Checks.nonNegative("cols", cols);
    Checks.matrix("a", a, aOff, rows, cols, lda);
    Checks.matrix("b", b, bOff, rows, cols, ldb);
    Checks.matrix("c", c, cOff, rows, cols, ldc);
    inPlaceOrApart("a", a, aOff, lda, c, cOff, ldc, rows, cols);
    inPlaceOrApart("b", b, bOff, ldb, c, cOff, ldc, rows, cols);
    addImpl(rows, cols, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
  }

  /**
   * c shares src's array only in place (the same offset and leading dimension) or where their
   * blocks do not overlap: a shifted overlap would read values the sum has already overwritten.
   */
  private static void inPlaceOrApart(String name, float[] src, int srcOff, int ld, float[] c, int cOff, int ldc, int rows, int cols) {
    if (src != c || rows == 0 || cols == 0 || srcOff == cOff && (ld == ldc || rows == 1)) return;
    if (Checks.share(cOff, rows, cols, ldc, srcOff, rows, cols, ld)) {
      throw new IllegalArgumentException("c overlaps " + name + " (the same array, cOff " + cOff + " and ldc " + ldc + " against "
          + name + "Off " + srcOff + " and ld" + name + " " + ld + "): it may be " + name + " only in place");
    }
  }

  /** {@code y += alpha * x}. */
  public final void axpy(int len, float alpha, float[] x, float[] y) {
    Checks.nonNegative("len", len);
    Checks.finite("alpha", alpha);
    Checks.length("x", x, len);
    Checks.length("y", y, len);
    axpyImpl(len, alpha, x, y);
  }

  /** {@code x *= alpha}. */
  public final void scale(int len, float alpha, float[] x) {
    Checks.nonNegative("len", len);
    Checks.finite("alpha", alpha);
    Checks.length("x", x, len);
    scaleImpl(len, alpha, x);
  }

  /** {@code sum_i x[i] * y[i]}. */
  public final float dot(int len, float[] x, float[] y) {
    Checks.nonNegative("len", len);
    Checks.length("x", x, len);
    Checks.length("y", y, len);
    return dotImpl(len, x, y);
  }

  /** {@code sum_i x[i]^2}. */
  public final float sumOfSquares(int len, float[] x) {
    Checks.nonNegative("len", len);
    Checks.length("x", x, len);
    return sumOfSquaresImpl(len, x);
  }

  abstract void addBiasImpl(int rows, int cols, float[] bias, float[] x);

  abstract void columnSumsImpl(int rows, int cols, float[] x, float[] sums);

  abstract void addImpl(
      int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc);

  abstract void axpyImpl(int len, float alpha, float[] x, float[] y);

  abstract void scaleImpl(int len, float alpha, float[] x);

  abstract float dotImpl(int len, float[] x, float[] y);

  abstract float sumOfSquaresImpl(int len, float[] x);
}
