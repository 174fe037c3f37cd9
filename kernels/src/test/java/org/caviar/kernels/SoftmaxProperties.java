package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.function.Executable;

/**
 * Softmax, log-softmax and softmax + cross-entropy: the vector implementation against the scalar
 * reference, the invariants of the functions for both, the vector {@code exp}'s error bound, bad
 * rows and bad arguments.
 *
 * <p>Error bounds below are first order in the unit roundoff {@code U = 2^-24}. Both
 * implementations compute {@code d = x - max} with the same single float subtraction, so they
 * differ only from there on:
 * <ul>
 *   <li>{@code e = exp(d)}: reference {@code (float) Math.exp}, relative error at most U (half an
 *       ulp plus Math.exp's double error); vector at most 0.89 ulp = 1.78 U (measured over every
 *       float in [-86.5, 0], see {@link VectorSoftmax#expStore}), or +0 where d < -86.5 and
 *       the true value is below 2.7e-38.
 *   <li>The row sum of {@code cols} positive terms: relative error at most (cols - 1) U in either
 *       summation order (Higham's bound for recursive summation).
 *   <li>{@code y = e / sum}: one rounding (U) in the reference; {@code e * (1 / sum)} two (2 U).
 * </ul>
 */
class SoftmaxProperties {
  private static final Softmax SCALAR = Softmax.scalar();
  private static final Softmax VECTOR = Softmax.vector();
  private static final Softmax[] BOTH = {SCALAR, VECTOR};
  private static final double U = 0x1p-24;
  /**
   * Absolute slack for probabilities the vector flushes to 0 (true value below exp(-86.5) =
   * 2.7e-38, divided by a sum >= 1) and for rounding in the subnormal range (2^-149).
   */
  private static final double FLUSH = 3e-38;
  private static final float SENTINEL = -12345.5f;

  @Provide
  Arbitrary<Integer> cols() {
    return Shapes.sizes(300);
  }

  @Provide
  Arbitrary<Integer> rows() {
    return Arbitraries.integers().between(1, 6);
  }

  /** Enough rows for several blocks of L and a partial one: the path across rows for few classes. */
  @Provide
  Arbitrary<Integer> manyRows() {
    return Arbitraries.integers().between(1, 5 * Shapes.LANES + 3);
  }

  @Provide
  Arbitrary<Integer> fewClasses() {
    return Arbitraries.integers().between(1, VectorSoftmax.FEW_CLASSES + 2);
  }

  /**
   * Vector forward within {@code (2 cols + 8) U} relative of the reference: exp 1.78 U + U, the two
   * sums (cols - 1) U each plus the exp errors inside them, the final scaling 2 U + U; plus
   * {@link #FLUSH}. In place ({@code y == x}) gives the same bits, in both implementations.
   */
  @Property(tries = 60)
  void forwardMatchesScalar(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    forwardAgainstScalar(rows, cols, seed);
  }

  /** As {@link #forwardMatchesScalar}, on the path across rows for few classes, over several blocks of rows. */
  @Property(tries = 60)
  void forwardOfFewClassesMatchesScalar(@ForAll("manyRows") int rows, @ForAll("fewClasses") int cols, @ForAll long seed) {
    forwardAgainstScalar(rows, cols, seed);
  }

  /**
   * Softmax and log-softmax of a row are the same bits alone as among other rows, in any place of
   * a block of rows (the path across rows for few classes computes each row in a lane of its own).
   */
  @Property(tries = 40)
  void aRowsResultDoesNotDependOnTheOtherRows(@ForAll("manyRows") int rows, @ForAll("fewClasses") int cols, @ForAll long seed) {
    rowsAloneGiveTheSameBits(rows, cols, seed);
  }

  private static void rowsAloneGiveTheSameBits(int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    for (boolean log : new boolean[] {false, true}) {
      float[] all = new float[rows * cols];
      if (log) VECTOR.logForward(rows, cols, x, all);
      else VECTOR.forward(rows, cols, x, all);
      for (int r = 0; r < rows; r++) {
        float[] one = new float[cols];
        float[] row = Arrays.copyOfRange(x, r * cols, (r + 1) * cols);
        if (log) VECTOR.logForward(1, cols, row, one);
        else VECTOR.forward(1, cols, row, one);
        assertArrayEquals(one, Arrays.copyOfRange(all, r * cols, (r + 1) * cols), (log ? "log-softmax" : "softmax") + " row " + r);
      }
    }
  }

  private static void forwardAgainstScalar(int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    float[] ys = new float[rows * cols];
    float[] yv = new float[rows * cols];
    SCALAR.forward(rows, cols, x, ys);
    VECTOR.forward(rows, cols, x, yv);
    double rel = (2.0 * cols + 8) * U;
    for (int i = 0; i < ys.length; i++) {
      if (!(Math.abs(yv[i] - ys[i]) <= rel * ys[i] + FLUSH)) {
        fail("y[" + i + "] vector " + yv[i] + " scalar " + ys[i] + " for x " + x[i] + ", cols " + cols);
      }
    }
    float[][] out = {ys, yv};
    for (int k = 0; k < 2; k++) {
      float[] inPlace = x.clone();
      BOTH[k].forward(rows, cols, inPlace, inPlace);
      assertArrayEquals(out[k], inPlace, name(BOTH[k]) + " in place");
    }
  }

  /**
   * Rows sum to 1 within {@code (cols + 2) U}: the same rounded exponentials make up the sum and
   * the numerators, so their errors cancel; what is left is the summation, (cols - 1) U, and the
   * final scaling, at most 2 U per element, i.e. 2 U on the sum. Every probability is in [0, 1].
   */
  @Property(tries = 60)
  void rowsSumToOne(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    for (Softmax s : BOTH) {
      float[] y = new float[rows * cols];
      s.forward(rows, cols, x, y);
      for (int r = 0; r < rows; r++) {
        double sum = 0;
        for (int j = 0; j < cols; j++) {
          float p = y[r * cols + j];
          if (!(p >= 0 && p <= 1)) fail(name(s) + " y[" + r + "][" + j + "] = " + p);
          sum += p;
        }
        // The double summation of at most 300 floats adds under 1e-13.
        if (!(Math.abs(sum - 1) <= (cols + 2) * U + 1e-13)) {
          fail(name(s) + " row " + r + " sums to " + sum + " (cols " + cols + ")");
        }
      }
    }
  }

  /**
   * Adding a constant c to a row leaves every output bit-identical when the float arithmetic lets
   * it: here x and c lie on a grid of 2^-8 with |x| <= 64 and |c| <= 1024, so x + c (under 2^11,
   * at most 19 significant bits) is exact, max(x + c) = max(x) + c, and (x + c) - (max + c) rounds
   * the same real number as x - max. Everything after that depends on x - max alone.
   */
  @Property(tries = 40)
  void shiftingARowChangesNothing(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[rows * cols];
    for (int i = 0; i < x.length; i++) {
      x[i] = rnd.nextInt(10) == 0 ? Float.NEGATIVE_INFINITY : (rnd.nextInt(1 << 15) - (1 << 14)) * 0x1p-8f;
    }
    for (int r = 0; r < rows; r++) x[r * cols] = (rnd.nextInt(1 << 15) - (1 << 14)) * 0x1p-8f;
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) labels[r] = 0;
    float[] shifted = x.clone();
    for (int r = 0; r < rows; r++) {
      float c = (rnd.nextInt(1 << 19) - (1 << 18)) * 0x1p-8f;
      for (int j = 0; j < cols; j++) shifted[r * cols + j] += c;
    }
    for (Softmax s : BOTH) {
      int n = rows * cols;
      float[] a = new float[n];
      float[] b = new float[n];
      s.forward(rows, cols, x, a);
      s.forward(rows, cols, shifted, b);
      assertArrayEquals(a, b, name(s) + " forward");
      s.logForward(rows, cols, x, a);
      s.logForward(rows, cols, shifted, b);
      assertArrayEquals(a, b, name(s) + " logForward");
      float la = s.crossEntropy(rows, cols, x, labels, a);
      float lb = s.crossEntropy(rows, cols, shifted, labels, b);
      assertEquals(la, lb, name(s) + " loss");
      assertArrayEquals(a, b, name(s) + " gradient");
    }
  }

  /**
   * log-softmax against the log of softmax, for both implementations. With {@code S} the float row
   * sum (the same float in both functions: same code, same order), log-softmax is
   * {@code d - log S} with roundings U |log S| and U |ly|, and log of the float softmax is
   * {@code d - log S} off by the exp error (<= 1.78 U) and the scaling (<= 2 U). So
   * {@code |ly - log y| <= U (log cols + |ly| + 4)} as {@code 1 <= S <= cols}; 5 for rounding room.
   * Where softmax is below the normal range (or flushed), log-softmax must be below -86, and
   * exactly -infinity for a -infinity logit.
   */
  @Property(tries = 60)
  void logSoftmaxIsLogOfSoftmax(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    logSoftmaxAgainstSoftmax(rows, cols, seed);
  }

  /** As {@link #logSoftmaxIsLogOfSoftmax}, on the path across rows for few classes. */
  @Property(tries = 60)
  void logSoftmaxOfFewClassesIsLogOfSoftmax(@ForAll("manyRows") int rows, @ForAll("fewClasses") int cols, @ForAll long seed) {
    logSoftmaxAgainstSoftmax(rows, cols, seed);
  }

  private static void logSoftmaxAgainstSoftmax(int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    for (Softmax s : BOTH) {
      float[] y = new float[rows * cols];
      float[] ly = new float[rows * cols];
      s.forward(rows, cols, x, y);
      s.logForward(rows, cols, x, ly);
      for (int i = 0; i < y.length; i++) {
        String at = name(s) + " [" + i + "] x " + x[i] + " y " + y[i] + " ly " + ly[i];
        if (x[i] == Float.NEGATIVE_INFINITY) {
          assertEquals(Float.NEGATIVE_INFINITY, ly[i], at);
        } else if (y[i] >= Float.MIN_NORMAL) {
          double tol = U * (Math.log(cols) + Math.abs(ly[i]) + 5);
          if (!(Math.abs(ly[i] - Math.log(y[i])) <= tol)) fail(at);
        } else if (!(ly[i] <= -86)) {
          fail(at);
        }
      }
      float[] inPlace = x.clone();
      s.logForward(rows, cols, inPlace, inPlace);
      assertArrayEquals(ly, inPlace, name(s) + " in place");
    }
  }

  /**
   * Cross-entropy, vector against reference. Loss: {@code log S - (x[label] - max)} per row in
   * double, so the loss differs by the two sums' relative errors, (2 cols + 2) U, plus each one's
   * final rounding to float, U |loss|. Gradient: as {@link #forwardMatchesScalar} plus the scaling by
   * 1 / rows (two more roundings in the vector): {@code |gv - gs| <= ((2 cols + 12) U p + 4 U |g|
   * rows) / rows + FLUSH}. The label entry, p - 1, is formed in both as -(sum of the other
   * classes' exps) / sum, whose two sums carry the same (2 cols + 2) U relative error as the
   * probabilities but relative to |p - 1|: there {@code |g| rows} replaces p in the bound. In place
   * ({@code grad == logits}) gives the same bits.
   */
  @Property(tries = 60)
  void crossEntropyMatchesScalar(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    crossEntropyAgainstScalar(rows, cols, seed);
  }

  /** The same bounds for a classifier's shapes: few classes (across rows, L rows at a time), many rows. */
  @Property(tries = 80)
  void crossEntropyOfFewClassesMatchesScalar(@ForAll("manyRows") int rows, @ForAll("fewClasses") int cols, @ForAll long seed) {
    crossEntropyAgainstScalar(rows, cols, seed);
  }

  private static void crossEntropyAgainstScalar(int rows, int cols, long seed) {
    Random rnd = new Random(seed);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    int[] labels = SoftmaxInputs.labels(rnd, x, rows, cols);
    float[] p = new float[rows * cols];
    SCALAR.forward(rows, cols, x, p);
    float[] gs = new float[rows * cols];
    float[] gv = new float[rows * cols];
    float ls = SCALAR.crossEntropy(rows, cols, x, labels, gs);
    float lv = VECTOR.crossEntropy(rows, cols, x, labels, gv);
    double lossTol = (2.0 * cols + 3) * U + 2 * U * Math.abs(ls);
    if (!(Math.abs(lv - ls) <= lossTol)) fail("loss vector " + lv + " scalar " + ls);
    for (int i = 0; i < gs.length; i++) {
      boolean label = i % cols == labels[i / cols];
      double size = label ? Math.abs(gs[i]) * rows : p[i];
      double tol = ((2.0 * cols + 12) * U * size + 4 * U * Math.abs(gs[i]) * rows) / rows + FLUSH;
      if (!(Math.abs(gv[i] - gs[i]) <= tol)) {
        fail("grad[" + i + "] vector " + gv[i] + " scalar " + gs[i] + " p " + p[i] + " label " + labels[i / cols]);
      }
    }
    float[] inPlace = x.clone();
    assertEquals(lv, VECTOR.crossEntropy(rows, cols, inPlace, labels, inPlace), "vector in-place loss");
    assertArrayEquals(gv, inPlace, "vector in-place gradient");
    inPlace = x.clone();
    assertEquals(ls, SCALAR.crossEntropy(rows, cols, inPlace, labels, inPlace), "scalar in-place loss");
    assertArrayEquals(gs, inPlace, "scalar in-place gradient");
  }

  /** Class counts on both sides of FEW_CLASSES: the path across rows and the one along them. */
  @Provide
  Arbitrary<Integer> classesEitherSide() {
    return Arbitraries.integers().between(1, 2 * VectorSoftmax.FEW_CLASSES + 3);
  }

  /**
   * Where every exponential is exact the loss must be the reference's bits. Each logit is its
   * row's maximum or 110 or more below it (on a grid of 1/4, so x - max is exact), hence
   * exp(x - max) is exactly 1 or, in float, exactly 0 in both implementations (Math.exp(-110)
   * rounds to float 0; the vector exp flushes below -86.5). Then the float sum is the count of
   * maxima whatever the order, the target x[label] - max is the same subtraction, and the loss,
   * the mean over rows of log(sum) - target with the log taken in double of the float sum, leaves
   * no room for rounding to differ: no tolerance. A float log (the Vector API's, which C2 compiles
   * to an SVML call whose last bit differs from the interpreter's on AVX2) fails this: the same
   * input gave a loss of other bits before and after the JIT.
   */
  @Property(tries = 60)
  void lossIsTheReferenceBitsWhereTheExponentialsAreExact(
      @ForAll("manyRows") int rows, @ForAll("classesEitherSide") int cols, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[rows * cols];
    int[] labels = new int[rows];
    double expected = 0;
    for (int r = 0; r < rows; r++) {
      float max = (rnd.nextInt(801) - 400) * 0.25f;
      int maxima = 0;
      for (int j = 0; j < cols; j++) {
        boolean atMax = j == 0 || rnd.nextBoolean();
        x[r * cols + j] = atMax ? max : max - 110 - rnd.nextInt(200) * 0.25f;
        if (atMax) maxima++;
      }
      // Rotate so that the forced maximum is not always in column 0.
      int shift = rnd.nextInt(cols);
      float[] row = Arrays.copyOfRange(x, r * cols, (r + 1) * cols);
      for (int j = 0; j < cols; j++) x[r * cols + (j + shift) % cols] = row[j];
      labels[r] = rnd.nextInt(cols);
      expected += Math.log(maxima) - (x[r * cols + labels[r]] - max);
    }
    float loss = (float) (expected / rows);
    for (Softmax s : BOTH) {
      float got = s.crossEntropy(rows, cols, x, labels, new float[rows * cols]);
      assertEquals(Float.floatToIntBits(loss), Float.floatToIntBits(got),
          name(s) + " loss " + got + ", expected " + loss + " (rows " + rows + ", cols " + cols + ")");
    }
  }

  /**
   * The documented error bound of the vector exp: within 1 ulp of the exact value for
   * {@code x >= EXP_MIN}, +0 below (and for -infinity). Inputs: uniform in [-100, 0], uniform
   * exponents down to 2^-40, and the boundaries; a length that leaves a partial last vector.
   */
  @Property(tries = 30)
  void vectorExpIsWithinOneUlp(@ForAll long seed) {
    Random rnd = new Random(seed);
    int len = 64 * Shapes.LANES + rnd.nextInt(Shapes.LANES);
    float[] x = new float[len];
    for (int i = 0; i < len; i++) {
      x[i] = switch (rnd.nextInt(3)) {
        case 0 -> -100 * rnd.nextFloat();
        case 1 -> (float) -Math.scalb(1 + rnd.nextDouble(), rnd.nextInt(47) - 40);
        default -> VectorSoftmax.EXP_MIN + (rnd.nextInt(64) - 32) * 0x1p-16f;
      };
    }
    x[0] = Float.NEGATIVE_INFINITY;
    x[1] = -0f;
    x[2] = 0f;
    x[3] = VectorSoftmax.EXP_MIN;
    x[4] = Math.nextDown(VectorSoftmax.EXP_MIN);
    float[] e = new float[len];
    VectorSoftmax.expStore(x, 0, len, 0f, e, 0, new float[Shapes.LANES]);
    for (int i = 0; i < len; i++) {
      double exact = Math.exp(x[i]);
      if (x[i] < VectorSoftmax.EXP_MIN) {
        assertEquals(0f, e[i], "exp(" + x[i] + ")");
      } else if (!(Math.abs(e[i] - exact) <= Math.ulp((float) exact))) {
        fail("exp(" + x[i] + ") = " + e[i] + ", exact " + exact);
      }
    }
  }

  /**
   * Rows where exp(x - max) underflows for every entry but the maxima, by hand. Every exponential
   * is exactly 1 or 0 in both implementations, so each value below is one correctly rounded
   * operation on exact operands (1 / 2, 1 / 3, (1 / 3) / 2, 0 - log 2 rounded, the loss's
   * (log 2 + log 3) / 2 in double) and must come out to the bit: no tolerance.
   */
  @Example
  void extremeLogitsGiveExactProbabilities() {
    float ninf = Float.NEGATIVE_INFINITY;
    float[] x = {1e4f, -1e4f, 0f, ninf, 1e4f, /* row 2 */ -1e4f, ninf, ninf, -1e4f, -1e4f};
    float[] expected = {0.5f, 0f, 0f, 0f, 0.5f, 1f / 3, 0f, 0f, 1f / 3, 1f / 3};
    for (Softmax s : BOTH) {
      float[] y = new float[10];
      s.forward(2, 5, x, y);
      assertArrayEquals(expected, y, name(s));
      s.logForward(2, 5, x, y);
      assertEquals(-(float) Math.log(2), y[0], name(s));
      assertEquals(-2e4f - (float) Math.log(2), y[1], name(s));
      assertEquals(ninf, y[3], name(s));
      assertEquals(-(float) Math.log(3), y[5], name(s));
      float loss = s.crossEntropy(2, 5, x, new int[] {0, 3}, y);
      assertEquals((float) ((Math.log(2) + Math.log(3)) / 2), loss, name(s));
      assertArrayEquals(new float[] {-0.25f, 0, 0, 0, 0.25f, 1f / 6, 0, 0, -1f / 3, 1f / 6}, y, name(s));
      // A label on a -infinity logit has probability 0: infinite loss, finite gradient.
      assertEquals(Float.POSITIVE_INFINITY, s.crossEntropy(2, 5, x, new int[] {3, 1}, y), name(s));
      for (float g : y) assertTrue(Float.isFinite(g), name(s));
    }
  }

  /** A row of one: probability 1, log-probability 0, loss 0, gradient 0, whatever the logit. */
  @Example
  void singleColumnRows() {
    float[] x = {-1e4f, 0f, 3.5f, 1e4f};
    for (Softmax s : BOTH) {
      float[] y = new float[4];
      s.forward(4, 1, x, y);
      assertArrayEquals(new float[] {1, 1, 1, 1}, y, name(s));
      s.logForward(4, 1, x, y);
      assertArrayEquals(new float[] {0, 0, 0, 0}, y, name(s));
      assertEquals(0f, s.crossEntropy(4, 1, x, new int[4], y), name(s));
      assertArrayEquals(new float[] {0, 0, 0, 0}, y, name(s));
    }
  }

  /**
   * A row that is all -infinity, or holds a NaN or +infinity, is an IllegalArgumentException naming
   * the argument and the row (or the entry and its value), from every function of both
   * implementations, before anything is written: the output keeps its sentinels, and in place the
   * input is unchanged.
   */
  @Property(tries = 40)
  void badRowsThrowBeforeWriting(@ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    badRowThrowsBeforeWriting(rows, cols, seed);
  }

  @Property(tries = 40)
  void badRowsOfFewClassesThrowBeforeWriting(@ForAll("manyRows") int rows, @ForAll("fewClasses") int cols, @ForAll long seed) {
    badRowThrowsBeforeWriting(rows, cols, seed);
  }

  private static void badRowThrowsBeforeWriting(int rows, int cols, long seed) {
    badRowThrowsBeforeWriting(rows, cols, seed, 0);
  }

  /** As above, the bad row drawn from rows [from, rows). */
  private static void badRowThrowsBeforeWriting(int rows, int cols, long seed, int from) {
    Random rnd = new Random(seed);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    int bad = from + rnd.nextInt(rows - from);
    int kind = rnd.nextInt(3);
    int col = rnd.nextInt(cols);
    if (kind == 0) Arrays.fill(x, bad * cols, (bad + 1) * cols, Float.NEGATIVE_INFINITY);
    else x[bad * cols + col] = kind == 1 ? Float.NaN : Float.POSITIVE_INFINITY;
    // The message starts with the argument's name, then the row, or the entry and its value.
    String where = kind == 0 ? " row " + bad + " is all -infinity" : "[" + bad + "][" + col + "] is " + x[bad * cols + col];
    int[] labels = new int[rows];
    for (Softmax s : BOTH) {
      for (int function = 0; function < 3; function++) {
        for (boolean inPlace : new boolean[] {false, true}) {
          float[] in = x.clone();
          float[] out = inPlace ? in : filled(rows * cols);
          float[] before = out.clone();
          int f = function;
          Executable call = () -> {
            switch (f) {
              case 0 -> s.forward(rows, cols, in, out);
              case 1 -> s.logForward(rows, cols, in, out);
              default -> s.crossEntropy(rows, cols, in, labels, out);
            }
          };
          String what = name(s) + " function " + function + (inPlace ? " in place" : "");
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, what);
          String expected = (f == 2 ? "logits" : "x") + where;
          assertTrue(e.getMessage().startsWith(expected), what + ": " + e.getMessage() + ", expected " + expected);
          assertArrayEquals(before, out, what + " wrote its output");
          assertArrayEquals(x, in, what + " changed its input");
        }
      }
    }
  }

  /**
   * Row counts around the chunks of {@link VectorSoftmax#CHUNK_ROWS} rows in which the path across
   * rows for few classes goes: a few short of one, one exactly, just past it, several with a
   * partial last block.
   */
  @Provide
  Arbitrary<Integer> rowsAcrossChunks() {
    int chunk = VectorSoftmax.CHUNK_ROWS;
    return Arbitraries.of(chunk - 3, chunk, chunk + 1, chunk + 5, 2 * chunk + Shapes.LANES - 1, 3 * chunk + 7);
  }

  /**
   * Across chunks, the path for few classes keeps what the tests above check over a few blocks:
   * within the same bounds of the reference, in place the same bits, each row the same bits as
   * alone, and a bad row in the last chunk rejected before the first chunk is written (in place
   * too: the input stays as it was).
   */
  @Property(tries = 12)
  void fewClassesAcrossChunks(@ForAll("rowsAcrossChunks") int rows, @ForAll("fewClasses") int cols, @ForAll long seed) {
    forwardAgainstScalar(rows, cols, seed);
    logSoftmaxAgainstSoftmax(rows, cols, seed);
    crossEntropyAgainstScalar(rows, cols, seed);
    rowsAloneGiveTheSameBits(rows, cols, seed);
    badRowThrowsBeforeWriting(rows, cols, seed, (rows - 1) / VectorSoftmax.CHUNK_ROWS * VectorSoftmax.CHUNK_ROWS);
  }

  /**
   * A call over many rows leaves the calling thread's workspace at a size independent of rows: at
   * most one chunk of rows class by class, its maxima and labels, and the few vectors of scratch.
   * (It was as large as the input, 200,000 x 10 floats here, and held for good.) On a thread of
   * its own, so that no other test's calls count.
   */
  @Example
  void workspaceStaysBoundedAfterManyRows() throws InterruptedException {
    workspaceStaysBoundedAfter(200_000, 10);
  }

  /**
   * The same for rows of more than FEW_CLASSES values: their maxima (rows floats) were kept. Up to
   * KEPT_MAXIMA rows they still are, so that a training step of a large batch allocates nothing.
   */
  @Example
  void workspaceStaysBoundedAfterManyWideRows() throws InterruptedException {
    workspaceStaysBoundedAfter(2 * VectorSoftmax.KEPT_MAXIMA, VectorSoftmax.FEW_CLASSES + 4);
  }

  private static void workspaceStaysBoundedAfter(int rows, int cols) throws InterruptedException {
    Random rnd = new Random(7);
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    int[] labels = SoftmaxInputs.labels(rnd, x, rows, cols);
    float[] y = new float[rows * cols];
    int lanes = Shapes.LANES;
    // One chunk class by class and its labels; the maxima of a chunk or of KEPT_MAXIMA wide rows;
    // a row (log-softmax's scratch), L rows of few classes, three vectors.
    long bound = (long) VectorSoftmax.CHUNK_ROWS * (VectorSoftmax.FEW_CLASSES + 1)
        + Math.max(VectorSoftmax.CHUNK_ROWS, VectorSoftmax.KEPT_MAXIMA) + cols + (VectorSoftmax.FEW_CLASSES + 3) * lanes;
    Together.run(List.of(() -> {
      VECTOR.forward(rows, cols, x, y);
      VECTOR.logForward(rows, cols, x, y);
      VECTOR.crossEntropy(rows, cols, x, labels, y);
      long kept = VectorSoftmax.workspaceFloats();
      assertTrue(kept <= bound, "the workspace keeps " + kept + " floats after " + rows + " x " + cols + ", bound " + bound);
    }));
  }

  /** Bad shapes, arrays and labels: IllegalArgumentException naming the argument, nothing written. */
  @Example
  void badArgumentsNameTheArgument() {
    float[] x = new float[12];
    float[] y = filled(12);
    int[] labels = {0, 1, 2};
    for (Softmax s : BOTH) {
      expectBad("rows", () -> s.forward(0, 4, x, y), y);
      expectBad("rows", () -> s.logForward(-1, 4, x, y), y);
      expectBad("cols", () -> s.forward(3, 0, x, y), y);
      expectBad("x", () -> s.forward(3, 5, x, filled(15)), y);
      expectBad("x", () -> s.logForward(3, 4, null, y), y);
      expectBad("y", () -> s.forward(3, 4, x, new float[11]), y);
      expectBad("y", () -> s.logForward(3, 4, x, null), y);
      expectBad("grad", () -> s.crossEntropy(3, 4, x, labels, new float[11]), y);
      expectBad("logits", () -> s.crossEntropy(3, 4, new float[11], labels, y), y);
      expectBad("labels", () -> s.crossEntropy(3, 4, x, new int[2], y), y);
      expectBad("labels", () -> s.crossEntropy(3, 4, x, null, y), y);
      expectBad("labels[1]", () -> s.crossEntropy(3, 4, x, new int[] {0, 4, 0}, y), y);
      expectBad("labels[2]", () -> s.crossEntropy(3, 4, x, new int[] {0, 1, -1}, y), y);
    }
  }

  private static void expectBad(String argument, Executable call, float[] output) {
    BadArguments.rejects(argument, call, output);
  }

  private static float[] filled(int n) {
    float[] a = new float[n];
    Arrays.fill(a, SENTINEL);
    return a;
  }

  private static String name(Softmax s) {
    return s == SCALAR ? "scalar" : "vector";
  }

  @Property(tries = 60)
  void rowsEndingTheArrayGiveTheSameBitsAsRowsWithFloatsAfterThem(
      @ForAll("rows") int rows, @ForAll("cols") int cols, @ForAll long seed) {
    // A row's last partial vector that would reach past the array's end goes by element (see
    // Lanes): the same operations as the masked loads and stores, so the same bits as when floats
    // follow the rows (which the masked path reads past the row and ignores), and nothing past
    // the rows is written.
    Random rnd = new Random(seed);
    int size = rows * cols, slack = 2 * Shapes.LANES;
    float[] x = SoftmaxInputs.logits(rnd, rows, cols);
    int[] labels = SoftmaxInputs.labels(rnd, x, rows, cols);
    float[] xFollowed = Arrays.copyOf(x, size + slack);
    Arrays.fill(xFollowed, size, xFollowed.length, 1e30f); // a max or sum that read them would show
    float[] y = new float[size];
    float[] yFollowed = new float[size + slack];
    Arrays.fill(yFollowed, size, yFollowed.length, SENTINEL);

    VECTOR.forward(rows, cols, x, y);
    VECTOR.forward(rows, cols, xFollowed, yFollowed);
    assertArrayEquals(y, Arrays.copyOf(yFollowed, size), "forward");
    VECTOR.logForward(rows, cols, x, y);
    VECTOR.logForward(rows, cols, xFollowed, yFollowed);
    assertArrayEquals(y, Arrays.copyOf(yFollowed, size), "logForward");
    float loss = VECTOR.crossEntropy(rows, cols, x, labels, y);
    float lossFollowed = VECTOR.crossEntropy(rows, cols, xFollowed, labels, yFollowed);
    assertEquals(loss, lossFollowed, "crossEntropy's loss");
    assertArrayEquals(y, Arrays.copyOf(yFollowed, size), "crossEntropy's gradient");
    for (int i = size; i < yFollowed.length; i++) assertEquals(SENTINEL, yFollowed[i], "after the rows at " + i);
  }
}
