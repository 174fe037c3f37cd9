package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Vector array operations against the scalar reference (and, for axpy, dot and sumOfSquares,
 * against the exact value), over lengths around the lane count.
 */
class ArrayOpsProperties {
  private static final ArrayOps SCALAR = ArrayOps.scalar();
  private static final ArrayOps VECTOR = ArrayOps.vector();
  private static final double U = 0x1p-24;
  private static final float SENTINEL = -12345.5f;

  @Provide
  Arbitrary<Integer> sizes() {
    return Shapes.sizes(300);
  }

  @Provide
  Arbitrary<Integer> rows() {
    return Shapes.sizes(12);
  }

  /**
   * Finite values spread over magnitudes 2^-20 .. 2^20 with exact zeros and repeats of a
   * neighbour's negation (cancellation), but no product or sum of a few hundred that overflows or
   * lands in the subnormals: rounding stays relative, as the bounds below assume.
   */
  static float[] spread(Random rnd, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      int kind = rnd.nextInt(10);
      if (kind == 0) a[i] = 0f;
      else if (kind == 1 && i > 0) a[i] = -a[i - 1];
      else a[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.scalb(1 + rnd.nextDouble(), rnd.nextInt(41) - 20));
    }
    return a;
  }

  /** Anything, NaN and infinities included: for operations whose bits must match exactly. */
  static float[] extreme(Random rnd, int len) {
    float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE, 1e-30f};
    float[] a = spread(rnd, len);
    for (int i = 0; i < len; i++) if (rnd.nextInt(8) == 0) a[i] = specials[rnd.nextInt(specials.length)];
    return a;
  }

  private static float[] padded(float[] a) {
    float[] out = Arrays.copyOf(a, a.length + 3);
    Arrays.fill(out, a.length, out.length, SENTINEL);
    return out;
  }

  private static void assertSameBits(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        fail(what + " at " + i + ": expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  // ---- same bits: addBias, columnSums, scale ----

  @Property(tries = 60)
  void addBiasMatchesScalarBitForBit(@ForAll("rows") int rows, @ForAll("sizes") int cols, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] bias = extreme(rnd, cols);
    float[] x = padded(extreme(rnd, rows * cols));
    float[] xs = x.clone();
    SCALAR.addBias(rows, cols, bias, xs);
    VECTOR.addBias(rows, cols, bias, x);
    assertSameBits(xs, x, "addBias");
    for (int i = rows * cols; i < x.length; i++) assertEquals(SENTINEL, x[i], "addBias wrote past the matrix");
    // The reference itself: every row got the bias.
    float[] again = new float[rows * cols];
    Arrays.fill(again, -0f); // -0 + b = b for every b, -0 and NaN included
    SCALAR.addBias(rows, cols, bias, again);
    for (int r = 0; r < rows; r++) {
      assertSameBits(Arrays.copyOf(bias, cols), Arrays.copyOfRange(again, r * cols, (r + 1) * cols), "row " + r);
    }
  }

  /**
   * One rounded addition per element in both: the same bits, NaN and infinities included, for
   * blocks at offsets inside wider matrices; nothing outside the block of c is written, and the
   * in-place form (c is a) gives what the out-of-place one does.
   */
  @Property(tries = 60)
  void addMatchesScalarBitForBitAndWritesOnlyItsBlock(
      @ForAll("rows") int rows, @ForAll("sizes") int cols, @ForAll("rows") int pad, @ForAll long seed) {
    Random rnd = new Random(seed);
    int lda = cols + pad, ldb = cols + 2 * pad, ldc = cols + 3 * pad;
    int aOff = pad, bOff = 2 * pad + 1, cOff = 3;
    float[] a = extreme(rnd, aOff + rows * lda);
    float[] b = extreme(rnd, bOff + rows * ldb);
    float[] c = padded(spread(rnd, cOff + rows * ldc));
    float[] before = c.clone();
    float[] cs = c.clone();
    SCALAR.add(rows, cols, a, aOff, lda, b, bOff, ldb, cs, cOff, ldc);
    VECTOR.add(rows, cols, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
    assertSameBits(cs, c, "add");
    for (int i = 0; i < c.length; i++) {
      int rel = i - cOff;
      boolean inside = rel >= 0 && rel / ldc < rows && rel % ldc < cols;
      if (inside) {
        int r = rel / ldc, j = rel % ldc;
        assertSameBits(new float[] {a[aOff + r * lda + j] + b[bOff + r * ldb + j]}, new float[] {c[i]}, "add at " + r + "," + j);
      } else {
        assertEquals(before[i], c[i], 0f, "add wrote outside its block at " + i);
      }
    }
    float[] inPlace = Arrays.copyOf(a, a.length);
    VECTOR.add(rows, cols, inPlace, aOff, lda, b, bOff, ldb, inPlace, aOff, lda);
    for (int r = 0; r < rows; r++) {
      assertSameBits(
          Arrays.copyOfRange(c, cOff + r * ldc, cOff + r * ldc + cols),
          Arrays.copyOfRange(inPlace, aOff + r * lda, aOff + r * lda + cols), "in-place add, row " + r);
    }
  }

  /**
   * A block stored from an offset with padded rows needs {@code off + (rows - 1) ld + cols} floats:
   * an array of exactly that many is taken (the sum of exactly those elements), one float shorter
   * is an IllegalArgumentException naming it, before anything is written.
   */
  @Property(tries = 100)
  void addTakesBlocksOfExactlyTheirExtentAndNamesOneFloatShorter(
      @ForAll("rows") int rows, @ForAll("sizes") int cols, @ForAll("rows") int off, @ForAll long seed) {
    Random rnd = new Random(seed);
    int lda = cols + off % 4, ldb = cols + (off + 1) % 4, ldc = cols + (off + 2) % 4;
    int aOff = off, bOff = (off + 5) % 13, cOff = (off + 9) % 13;
    float[] a = spread(rnd, aOff + (rows - 1) * lda + cols);
    float[] b = spread(rnd, bOff + (rows - 1) * ldb + cols);
    float[] c = spread(rnd, cOff + (rows - 1) * ldc + cols);
    for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
      float[] sum = c.clone();
      impl.add(rows, cols, a, aOff, lda, b, bOff, ldb, sum, cOff, ldc);
      for (int r = 0; r < rows; r++) {
        for (int j = 0; j < cols; j++) {
          assertEquals(a[aOff + r * lda + j] + b[bOff + r * ldb + j], sum[cOff + r * ldc + j], "element " + r + "," + j);
        }
      }
      float[] shortA = Arrays.copyOf(a, a.length - 1), shortB = Arrays.copyOf(b, b.length - 1);
      float[] shortC = Arrays.copyOf(c, c.length - 1), out = c.clone();
      rejects("a", out, () -> impl.add(rows, cols, shortA, aOff, lda, b, bOff, ldb, out, cOff, ldc));
      rejects("b", out, () -> impl.add(rows, cols, a, aOff, lda, shortB, bOff, ldb, out, cOff, ldc));
      rejects("c", shortC, () -> impl.add(rows, cols, a, aOff, lda, b, bOff, ldb, shortC, cOff, ldc));
    }
  }

  /**
   * c in a's array: refused exactly where the sum would read an element of a that it has already
   * written, i.e. where the blocks share an element other than in place (same offset, and same
   * leading dimension or a single row); accepted blocks (side by side, or rows apart) give the sum
   * of separate copies. With two leading dimensions too: blocks whose rows interleave without
   * sharing an element were refused as overlapping, the check comparing their spans.
   */
  @Property(tries = 400)
  void cInAsArrayIsRefusedExactlyWhereTheyShareAnElement(
      @ForAll @IntRange(min = 0, max = 30) int aOff, @ForAll @IntRange(min = 0, max = 30) int cOff,
      @ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 5) int cols,
      @ForAll @IntRange(min = 0, max = 6) int ldExtra, @ForAll @IntRange(min = 0, max = 6) int ldcExtra,
      @ForAll boolean sameLd, @ForAll long seed) {
    int lda = cols + ldExtra, ldc = sameLd ? lda : cols + ldcExtra;
    java.util.Set<Integer> held = new java.util.HashSet<>();
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) held.add(aOff + r * lda + j);
    boolean shared = false;
    for (int r = 0; r < rows; r++) for (int j = 0; j < cols; j++) shared |= held.contains(cOff + r * ldc + j);
    boolean inPlace = aOff == cOff && (lda == ldc || rows == 1);
    float[] x = spread(new Random(seed), Math.max(aOff + (rows - 1) * lda, cOff + (rows - 1) * ldc) + cols);
    float[] b = spread(new Random(~seed), rows * cols);
    for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
      float[] same = x.clone();
      boolean refused = false;
      try {
        impl.add(rows, cols, same, aOff, lda, b, 0, cols, same, cOff, ldc);
      } catch (IllegalArgumentException e) {
        refused = true;
        assertArrayEquals(x, same, "written before the error");
      }
      String at = "a from " + aOff + " ld " + lda + ", c from " + cOff + " ld " + ldc + ", " + rows + " x " + cols;
      if (shared && !inPlace) assertTrue(refused, "accepted, sharing an element: " + at);
      if (!shared || inPlace) {
        assertTrue(!refused, "refused, apart or in place: " + at);
        float[] expected = x.clone();
        SCALAR.add(rows, cols, x.clone(), aOff, lda, b, 0, cols, expected, cOff, ldc);
        assertArrayEquals(expected, same, "not the sum of separate copies: " + at);
      }
    }
  }

  /** Each column adds its rows top to bottom in both, so even the rounding is the same. */
  @Property(tries = 60)
  void columnSumsMatchScalarBitForBit(@ForAll("rows") int rows, @ForAll("sizes") int cols, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = extreme(rnd, rows * cols);
    float[] sums = new float[cols + 3];
    Arrays.fill(sums, 99f); // overwritten, not accumulated into; untouched past cols
    float[] sumsScalar = sums.clone();
    SCALAR.columnSums(rows, cols, x, sumsScalar);
    VECTOR.columnSums(rows, cols, x, sums);
    assertSameBits(sumsScalar, sums, "columnSums");
    for (int j = 0; j < cols; j++) {
      float expected = 0f;
      for (int r = 0; r < rows; r++) expected += x[r * cols + j];
      assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(sums[j]), "column " + j);
    }
  }

  @Example
  void columnSumsOfNoRowsAreZeros() {
    for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
      float[] sums = new float[3 * Shapes.LANES + 5];
      Arrays.fill(sums, 7f);
      impl.columnSums(0, sums.length, new float[0], sums);
      for (float s : sums) assertEquals(0f, s);
    }
  }

  @Property(tries = 60)
  void scaleMatchesScalarBitForBit(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] special = {0f, -0f, 1e30f, -1e-30f};
    float alpha = rnd.nextBoolean() ? (float) rnd.nextGaussian() : special[rnd.nextInt(special.length)];
    float[] x = padded(extreme(rnd, len));
    float[] xs = x.clone();
    SCALAR.scale(len, alpha, xs);
    VECTOR.scale(len, alpha, x);
    assertSameBits(xs, x, "scale");
  }

  // ---- axpy: one rounding against two ----

  /**
   * The vector axpy is one FMA per element: the exact {@code alpha x + y} rounded once, which
   * BigDecimal gives us. The reference rounds {@code alpha x} first: with p = alpha x exact,
   * |scalar - vector| <= u|p| + 2u|p + y| (first rounding, then both final roundings).
   */
  @Property(tries = 60)
  void axpyIsOneRoundingAndNearTheScalar(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float alpha = (float) (rnd.nextGaussian() * Math.scalb(1.0, rnd.nextInt(11) - 5));
    float[] x = spread(rnd, len);
    float[] y = padded(spread(rnd, len));
    float[] ys = y.clone();
    float[] y0 = y.clone();
    SCALAR.axpy(len, alpha, x, ys);
    VECTOR.axpy(len, alpha, x, y);
    for (int i = 0; i < len; i++) {
      float exact = new BigDecimal(alpha).multiply(new BigDecimal(x[i])).add(new BigDecimal(y0[i])).floatValue();
      // == rather than assertEquals: BigDecimal has no -0, and the sign of a zero sum is not at issue.
      assertTrue(exact == y[i], "axpy at " + i + ": " + y[i] + " is not alpha x + y rounded once, " + exact);
      double p = (double) alpha * x[i];
      double tolerance = U * Math.abs(p) + 2 * U * Math.abs(p + y0[i]) + Float.MIN_VALUE;
      assertTrue(Math.abs((double) y[i] - ys[i]) <= tolerance, "axpy at " + i + ": " + y[i] + " vs scalar " + ys[i]);
    }
    for (int i = len; i < y.length; i++) assertEquals(SENTINEL, y[i], "axpy wrote past len");
  }

  // ---- dot and sumOfSquares: a different summation order ----

  /**
   * Any order of summing n products, each product and each partial sum rounded once, is within
   * gamma_n * sum |x_i y_i| of the exact dot product, gamma_n = n u / (1 - n u) (Higham, Accuracy
   * and Stability, 3.1). The reference sums left to right, the vector kernel in four lane-wise
   * accumulators then across lanes and the tail; both are such an order (the vector's products
   * are fused, which only removes roundings). So each is within gamma_n S of the exact value
   * (computed here in double, whose own error, n 2^-53 S, is added) and within 2 gamma_n S of
   * the other.
   */
  @Property(tries = 80)
  void dotWithinTheSummationBound(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = spread(rnd, len);
    float[] y = spread(rnd, len);
    double exact = 0;
    double absolute = 0;
    for (int i = 0; i < len; i++) {
      exact += (double) x[i] * y[i];
      absolute += Math.abs((double) x[i] * y[i]);
    }
    assertSummed("dot", len, exact, absolute, SCALAR.dot(len, x, y), VECTOR.dot(len, x, y));
  }

  @Property(tries = 80)
  void sumOfSquaresWithinTheSummationBound(@ForAll("sizes") int len, @ForAll long seed) {
    float[] x = spread(new Random(seed), len);
    double exact = 0;
    for (int i = 0; i < len; i++) exact += (double) x[i] * x[i];
    assertSummed("sumOfSquares", len, exact, exact, SCALAR.sumOfSquares(len, x), VECTOR.sumOfSquares(len, x));
  }

  private static void assertSummed(String what, int n, double exact, double absolute, float scalar, float vector) {
    double gamma = n * U / (1 - n * U);
    double exactError = n * 0x1p-53 * absolute;
    double bound = gamma * absolute + exactError;
    assertTrue(Math.abs(scalar - exact) <= bound, what + " scalar " + scalar + ", exact " + exact + ", bound " + bound);
    assertTrue(Math.abs(vector - exact) <= bound, what + " vector " + vector + ", exact " + exact + ", bound " + bound);
    assertTrue(Math.abs((double) vector - scalar) <= 2 * gamma * absolute,
        what + " vector " + vector + " vs scalar " + scalar + ", bound " + 2 * gamma * absolute);
  }

  /**
   * Small integers: every product and partial sum is an integer below 2^24, so every order is
   * exact. A skipped, doubled or misplaced element (in the unrolled body, the single-vector loop or
   * the tail) shows as an exact mismatch, which the rounding bounds above might absorb.
   */
  @Property(tries = 80)
  void dotAndSumOfSquaresAreExactOnSmallIntegers(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[len];
    float[] y = new float[len];
    long dot = 0;
    long squares = 0;
    for (int i = 0; i < len; i++) {
      x[i] = rnd.nextInt(129) - 64;
      y[i] = rnd.nextInt(129) - 64;
      dot += (long) x[i] * (long) y[i];
      squares += (long) x[i] * (long) x[i];
    }
    for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
      assertEquals((float) dot, impl.dot(len, x, y), "dot");
      assertEquals((float) squares, impl.sumOfSquares(len, x), "sumOfSquares");
    }
  }

  @Example
  void nonFiniteValuesPropagateThroughReductions() {
    int n = 4 * Shapes.LANES + 3;
    for (int at : new int[] {0, n - 1, n / 2}) {
      for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
        float[] x = new float[n];
        Arrays.fill(x, 1f);
        x[at] = Float.NaN;
        assertTrue(Float.isNaN(impl.dot(n, x, x)));
        assertTrue(Float.isNaN(impl.sumOfSquares(n, x)));
        x[at] = Float.NEGATIVE_INFINITY;
        assertEquals(Float.POSITIVE_INFINITY, impl.sumOfSquares(n, x));
        float[] ones = new float[n];
        Arrays.fill(ones, 1f);
        assertEquals(Float.NEGATIVE_INFINITY, impl.dot(n, x, ones));
      }
    }
  }

  // ---- bad input ----

  @Example
  void badArgumentsAreRejectedBeforeAnyWrite() {
    for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
      int n = Shapes.LANES + 1;
      float[] x = new float[n], y = new float[n], shorter = new float[n - 1];
      Arrays.fill(x, 3f);
      Arrays.fill(y, 5f);
      rejects("rows", x, () -> impl.addBias(-1, n, y, x));
      rejects("cols", x, () -> impl.addBias(1, -1, y, x));
      rejects("bias", x, () -> impl.addBias(1, n, shorter, x));
      rejects("x", shorter, () -> impl.addBias(1, n, y, shorter));
      rejects("x", x, () -> impl.addBias(2, n, y, x));
      // bias as x: row 0 added the bias to itself, and every later row got it twice, with no error.
      float[] twoRowsOfX = new float[2 * n];
      Arrays.fill(twoRowsOfX, 3f);
      rejects("bias must not be x", twoRowsOfX, () -> impl.addBias(2, n, twoRowsOfX, twoRowsOfX));
      // One row is the formula elementwise: x[j] += x[j].
      impl.addBias(1, n, x, x);
      assertEquals(6f, x[n - 1]);
      Arrays.fill(x, 3f);
      rejects("rows", y, () -> impl.columnSums(-2, n, x, y));
      rejects("x", y, () -> impl.columnSums(2, n, x, y));
      rejects("sums", shorter, () -> impl.columnSums(1, n, x, shorter));
      // In place the reference summed over a cleared row 0, the vector kernel did not: refused.
      rejects("sums must not be x", x, () -> impl.columnSums(1, n, x, x));
      // Both null is a missing x first, not an aliasing of the two.
      rejects("x", y, () -> impl.columnSums(1, n, null, null));
      rejects("rows", y, () -> impl.add(-1, n, x, 0, n, x, 0, n, y, 0, n));
      rejects("a", y, () -> impl.add(1, n, shorter, 0, n, x, 0, n, y, 0, n));
      rejects("b", y, () -> impl.add(1, n, x, 0, n, x, 1, n, y, 0, n));
      rejects("c", shorter, () -> impl.add(1, n, x, 0, n, x, 0, n, shorter, 0, n));
      // c may be a or b in place, or apart in the same array, but not shifted over them.
      float[] wide = new float[2 * n + 1];
      rejects("c overlaps a", wide, () -> impl.add(1, n, wide, 0, n, y, 0, n, wide, 1, n));
      float[] twoRows = new float[2 * n];
      rejects("c overlaps b", wide, () -> impl.add(2, n, twoRows, 0, n, wide, 0, n, wide, 0, n + 1));
      impl.add(1, n, wide, 0, n, y, 0, n, wide, n, n); // apart: allowed
      assertEquals(5f, wide[n]);
      // Side by side in the same rows (a in columns 0-1, c in 2-3 of rows 4 floats apart): allowed.
      float[] grid = {1, 2, 0, 0, 3, 4, 0, 0};
      impl.add(2, 2, grid, 0, 4, new float[] {10, 20, 30, 40}, 0, 2, grid, 2, 4);
      assertArrayEquals(new float[] {1, 2, 11, 22, 3, 4, 33, 44}, grid);
      rejects("len", y, () -> impl.axpy(-1, 1f, x, y));
      rejects("alpha", y, () -> impl.axpy(n, Float.NaN, x, y));
      rejects("alpha", y, () -> impl.axpy(n, Float.NEGATIVE_INFINITY, x, y));
      rejects("x", y, () -> impl.axpy(n, 1f, shorter, y));
      rejects("y", shorter, () -> impl.axpy(n, 1f, x, shorter));
      rejects("y", x, () -> impl.axpy(n, 1f, x, null));
      rejects("len", x, () -> impl.scale(-1, 2f, x));
      rejects("alpha", x, () -> impl.scale(n, Float.POSITIVE_INFINITY, x));
      rejects("x", shorter, () -> impl.scale(n, 2f, shorter));
      rejects("len", x, () -> impl.dot(-1, x, y));
      rejects("y", x, () -> impl.dot(n, x, shorter));
      rejects("x", x, () -> impl.sumOfSquares(n, shorter));
      rejects("len", x, () -> impl.sumOfSquares(-5, x));
    }
  }

  private static void rejects(String argument, float[] watched, Runnable call) {
    BadArguments.rejects(argument, call::run, watched);
  }

  @Example
  void emptyInputs() {
    for (ArrayOps impl : new ArrayOps[] {SCALAR, VECTOR}) {
      assertEquals(0f, impl.dot(0, new float[0], new float[0]));
      assertEquals(0f, impl.sumOfSquares(0, new float[0]));
      float[] y = {SENTINEL};
      impl.axpy(0, 2f, new float[0], y);
      impl.scale(0, 2f, y);
      impl.addBias(5, 0, new float[0], y);
      assertEquals(SENTINEL, y[0]);
    }
  }
}
