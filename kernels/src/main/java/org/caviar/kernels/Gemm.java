package org.caviar.kernels;

/**
 * General matrix multiply {@code C = alpha * op(A) * op(B) + beta * C} on row-major {@code float[]}
 * storage, with {@code op(X)} either {@code X} ({@link Op#N}) or its transpose ({@link Op#T}).
 *
 * <p>{@code op(A)} is {@code m x k}, {@code op(B)} is {@code k x n}, {@code C} is {@code m x n}.
 * Each matrix is given as an array, an offset and a leading dimension (the distance between rows
 * as stored), so a caller may pass sub-matrices. C must not share an element with A or B (blocks
 * of one array that lie apart are fine): an overlap throws {@link IllegalArgumentException}. As in
 * BLAS, when {@code beta == 0} the old contents of C are not read (NaN in C does not leak), and
 * when {@code k == 0} or {@code alpha == 0} the product is not computed.
 *
 * <p>Arguments: {@code m, n, k >= 0}; {@code alpha} and {@code beta} finite (BLAS takes any
 * value; here an infinite or NaN factor is refused); opA, opB and the arrays not null; each
 * operand's offset {@code >= 0} and leading dimension at least {@code max(1, its stored row
 * length)}, and its array holds {@code offset + (rows - 1) * ld + cols} floats of the block as
 * stored (none for an empty block). Anything else, or C overlapping A or B, is an
 * {@link IllegalArgumentException} naming the argument, thrown before anything is written.
 *
 * <p>Implementations: {@link #scalar()} (the reference), {@link #vector()} (packed panels and a
 * register-blocked FMA micro-kernel on the Vector API, one thread) and {@link #parallel(int)}
 * (the same kernel with the n or m loop split over a pool). The vector kernel sums in another
 * order than the reference and fuses each multiply-add (one rounding, not two), so the two agree
 * within float rounding, not to the bit; where a product underflows they may differ by the sign of
 * a zero or by one subnormal step. {@code parallel(t)} gives {@code vector()}'s bits.
 */
public abstract class Gemm {
  /** Whether an operand is used as stored or transposed. */
  public enum Op {
    /** As stored. */
    N,
    /** Transposed. */
    T
  }

  /**
   * A product of fewer flops ({@code 2 m n k}) than this stays on the calling thread of a
   * {@link #parallel(int)} Gemm: too small to pay for the hand-off.
   */
  public static final long MIN_PARALLEL_FLOPS = ParallelGemm.MIN_PARALLEL_FLOPS;

  /** The plain triple-loop reference. */
  public static Gemm scalar() {
    return ScalarGemm.INSTANCE;
  }

  /** The Vector API kernel on the calling thread. */
  public static Gemm vector() {
    return VectorGemm.INSTANCE;
  }

  /**
   * The Vector API kernel split over {@code threads} threads (the calling thread is one of
   * them). Products too small to pay for the hand-off run on the calling thread alone. One
   * instance, and so one pool of daemon workers, exists per thread count: asking again is cheap.
   */
  public static Gemm parallel(int threads) {
    Checks.positive("threads", threads);
    return threads == 1 ? VectorGemm.INSTANCE : ParallelGemm.withThreads(threads);
  }

  /** {@link #parallel(int)} over all available processors (at most {@link Workers#MAX_THREADS}). */
  public static Gemm parallel() {
    return parallel(Workers.allProcessors());
  }

  /** Full form with offsets and leading dimensions. */
  public final void gemm(
      Op opA, Op opB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc) {
    if (opA == null) throw new IllegalArgumentException("opA must not be null");
    if (opB == null) throw new IllegalArgumentException("opB must not be null");
    Checks.nonNegative("m", m);
    Checks.nonNegative("n", n);
    Checks.nonNegative("k", k);
    Checks.finite("alpha", alpha);
    Checks.finite("beta", beta);
    if (opA == Op.N) Checks.matrix("a", a, aOff, m, k, lda);
    else Checks.matrix("a", a, aOff, k, m, lda);
    if (opB == Op.N) Checks.matrix("b", b, bOff, k, n, ldb);
    else Checks.matrix("b", b, bOff, n, k, ldb);
    Checks.matrix("c", c, cOff, m, n, ldc);
    // The kernels write C while they still read A and B (the scalar one element by element, the
    // packed one after each k block, ParallelGemm's other shares): an overlap reads results as operands.
    if (c == a) Checks.apart("c", cOff, m, n, ldc, "a", aOff, opA == Op.N ? m : k, opA == Op.N ? k : m, lda);
    if (c == b) Checks.apart("c", cOff, m, n, ldc, "b", bOff, opB == Op.N ? k : n, opB == Op.N ? n : k, ldb);
    if (m == 0 || n == 0) return;
    if (k == 0 || alpha == 0f) {
      scaleC(m, n, beta, c, cOff, ldc);
      return;
    }
    compute(opA == Op.T, opB == Op.T, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
  }

  /** Dense form: every matrix starts at 0 and its leading dimension is its stored row length. */
  public final void gemm(
      Op opA, Op opB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c) {
    int lda = opA == Op.N ? k : m;
    int ldb = opB == Op.N ? n : k;
    gemm(opA, opB, m, n, k, alpha, a, 0, Math.max(1, lda), b, 0, Math.max(1, ldb), beta, c, 0, Math.max(1, n));
  }

  /** {@code C = beta * C}, with {@code beta == 0} writing zeros without reading C. */
  static void scaleC(int m, int n, float beta, float[] c, int cOff, int ldc) {
    if (beta == 1f) return;
    for (int i = 0; i < m; i++) {
      int row = cOff + i * ldc;
      if (beta == 0f) java.util.Arrays.fill(c, row, row + n, 0f);
      else for (int j = 0; j < n; j++) c[row + j] *= beta;
    }
  }

  /**
   * The product itself, for {@code m, n, k >= 1} and arguments already checked.
   *
   * @param transA whether A is stored {@code k x m}
   * @param transB whether B is stored {@code n x k}
   */
  abstract void compute(
      boolean transA, boolean transB, int m, int n, int k, float alpha,
      float[] a, int aOff, int lda,
      float[] b, int bOff, int ldb,
      float beta, float[] c, int cOff, int ldc);
}
