package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Vector activations against the scalar reference over lengths around the lane count, with values
 * that include the extremes (NaN, +-infinity, +-0, subnormals, +-1e4, the saturation points), plus
 * the documented special values and the argument checks.
 */
class ActivationsProperties {
  private static final Activations SCALAR = Activations.scalar();
  private static final Activations VECTOR = Activations.vector();
  private static final int L = Shapes.LANES;
  /** Written beyond len before each call; must still be there after. */
  private static final float SENTINEL = -12345.5f;

  /**
   * tanh and sigmoid: vector within 2 ulp of the reference (the ulp of the reference value). Not a
   * derived bound but the measured worst case over every float of the non-constant ranges
   * (|x| <= 9.2 for tanh, [-104.5, 17.5] for sigmoid), where the maximum is exactly 2 ulp.
   */
  private static final double FORWARD_ULPS = 2;
  /**
   * Backward of tanh and sigmoid: the reference rounds once from double (<= u relative, u = 2^-24),
   * the vector rounds the fused {@code 1 - y*y} (or {@code y - y*y}) and then the product with dy
   * (<= 2u): |vector - reference| <= 3u |exact| <= 3u (1 + u) |reference|, plus 2^-149 for a
   * result in the subnormal range, where rounding errors are absolute.
   */
  private static final double BACKWARD_RELATIVE = 3 * 0x1p-24 * (1 + 0x1p-24);

  @Provide
  Arbitrary<Integer> sizes() {
    return Shapes.sizes(300);
  }

  private static final float[] SPECIALS = {
    Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
    -Float.MIN_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 1e-30f, -1e-30f, 1f, -1f, 0.625f,
    -0.625f, 8.66434f, -9.010914f, 16.635532f, 17.32868f, -87.5f, -103.97f, -104.5f, 1e4f, -1e4f,
    Float.MAX_VALUE, -Float.MAX_VALUE
  };

  /** Mostly N(0, 3^2), one in eight from SPECIALS, one in eight with a random exponent. */
  static float[] mixed(Random rnd, int len) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      int kind = rnd.nextInt(8);
      if (kind == 0) a[i] = SPECIALS[rnd.nextInt(SPECIALS.length)];
      else if (kind == 1) a[i] = (float) Math.scalb(rnd.nextDouble() * 4 - 2, rnd.nextInt(60) - 40);
      else a[i] = (float) (rnd.nextGaussian() * 3);
    }
    return a;
  }

  /** Outputs of tanh or sigmoid and values near their ends: what the backward kernels receive. */
  static float[] outputs(Random rnd, int len, boolean tanh) {
    float[] y = new float[len];
    for (int i = 0; i < len; i++) {
      int kind = rnd.nextInt(4);
      float lo = tanh ? -1f : 0f;
      if (kind == 0) y[i] = rnd.nextBoolean() ? 1f - rnd.nextInt(8) * 0x1p-24f : lo + rnd.nextInt(8) * 0x1p-24f;
      else y[i] = lo + rnd.nextFloat() * (1f - lo);
    }
    return y;
  }

  /** Gradients: moderate values with some extremes kept below overflow of dy * (1 - y^2). */
  static float[] gradients(Random rnd, int len) {
    float[] dy = new float[len];
    for (int i = 0; i < len; i++) {
      dy[i] = switch (rnd.nextInt(10)) {
        case 0 -> new float[] {0f, -0f, Float.NaN, Float.MIN_VALUE, 1e30f, -1e-30f}[rnd.nextInt(6)];
        default -> (float) rnd.nextGaussian();
      };
    }
    return dy;
  }

  private static float[] output(int len) {
    float[] out = new float[len + 3];
    Arrays.fill(out, SENTINEL);
    return out;
  }

  private static void assertSameBits(float[] expected, float[] actual, int len, String what) {
    for (int i = 0; i < len; i++) {
      if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
        fail(what + " at " + i + ": expected " + expected[i] + ", got " + actual[i]);
      }
    }
  }

  private static void assertUntouchedBeyond(float[] out, int len, String what) {
    for (int i = len; i < out.length; i++) assertEquals(SENTINEL, out[i], what + " wrote at " + i + " >= len");
  }

  // ---- ReLU and leaky ReLU: same bits ----

  @Property(tries = 60)
  void reluMatchesScalarBitForBit(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = mixed(rnd, len);
    float[] dy = mixed(rnd, len);
    float[] ys = output(len), yv = output(len), dxs = output(len), dxv = output(len);
    SCALAR.relu(len, x, ys);
    VECTOR.relu(len, x, yv);
    assertSameBits(ys, yv, len, "relu");
    assertUntouchedBeyond(yv, len, "relu");
    SCALAR.reluBackward(len, x, dy, dxs);
    VECTOR.reluBackward(len, x, dy, dxv);
    assertSameBits(dxs, dxv, len, "reluBackward");
    assertUntouchedBeyond(dxv, len, "reluBackward");
  }

  @Property(tries = 60)
  void leakyReluMatchesScalarBitForBit(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float slope = rnd.nextBoolean() ? 0.01f : (float) rnd.nextGaussian();
    float[] x = mixed(rnd, len);
    float[] dy = mixed(rnd, len);
    float[] ys = output(len), yv = output(len), dxs = output(len), dxv = output(len);
    SCALAR.leakyRelu(len, slope, x, ys);
    VECTOR.leakyRelu(len, slope, x, yv);
    assertSameBits(ys, yv, len, "leakyRelu");
    assertUntouchedBeyond(yv, len, "leakyRelu");
    SCALAR.leakyReluBackward(len, slope, x, dy, dxs);
    VECTOR.leakyReluBackward(len, slope, x, dy, dxv);
    assertSameBits(dxs, dxv, len, "leakyReluBackward");
    assertUntouchedBeyond(dxv, len, "leakyReluBackward");
  }

  // ---- tanh and sigmoid forward: within FORWARD_ULPS ----

  @Property(tries = 80)
  void tanhWithinTwoUlpsOfScalar(@ForAll("sizes") int len, @ForAll long seed) {
    float[] x = mixed(new Random(seed), len);
    float[] ys = output(len), yv = output(len);
    SCALAR.tanh(len, x, ys);
    VECTOR.tanh(len, x, yv);
    assertWithinUlps(x, ys, yv, len, "tanh");
    assertUntouchedBeyond(yv, len, "tanh");
  }

  @Property(tries = 80)
  void sigmoidWithinTwoUlpsOfScalar(@ForAll("sizes") int len, @ForAll long seed) {
    float[] x = mixed(new Random(seed), len);
    float[] ys = output(len), yv = output(len);
    SCALAR.sigmoid(len, x, ys);
    VECTOR.sigmoid(len, x, yv);
    assertWithinUlps(x, ys, yv, len, "sigmoid");
    assertUntouchedBeyond(yv, len, "sigmoid");
  }

  /** Dense in the ranges where the approximations work hardest: the branch point, saturation, underflow. */
  @Property(tries = 40)
  void tanhAndSigmoidWithinTwoUlpsOnTheirWholeRange(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = new float[len];
    for (int i = 0; i < len; i++) x[i] = (rnd.nextFloat() * 2 - 1) * (rnd.nextBoolean() ? 1.5f : 110f);
    float[] ys = output(len), yv = output(len);
    SCALAR.tanh(len, x, ys);
    VECTOR.tanh(len, x, yv);
    assertWithinUlps(x, ys, yv, len, "tanh");
    SCALAR.sigmoid(len, x, ys);
    VECTOR.sigmoid(len, x, yv);
    assertWithinUlps(x, ys, yv, len, "sigmoid");
  }

  private static void assertWithinUlps(float[] x, float[] ref, float[] got, int len, String what) {
    for (int i = 0; i < len; i++) {
      if (Float.isNaN(ref[i]) || Float.isNaN(got[i])) {
        assertTrue(Float.isNaN(ref[i]) && Float.isNaN(got[i]), what + "(" + x[i] + "): " + ref[i] + " vs " + got[i]);
        continue;
      }
      double ulps = Math.abs((double) got[i] - ref[i]) / Math.ulp(ref[i]);
      if (!(ulps <= FORWARD_ULPS)) {
        fail(what + "(" + x[i] + ") = " + got[i] + ", reference " + ref[i] + ": " + ulps + " ulps");
      }
    }
  }

  // ---- tanh and sigmoid backward: within BACKWARD_RELATIVE ----

  @Property(tries = 60)
  void tanhBackwardMatchesScalar(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] y = outputs(rnd, len, true);
    float[] dy = gradients(rnd, len);
    float[] dxs = output(len), dxv = output(len);
    SCALAR.tanhBackward(len, y, dy, dxs);
    VECTOR.tanhBackward(len, y, dy, dxv);
    assertWithinRelative(dxs, dxv, len, "tanhBackward");
    assertUntouchedBeyond(dxv, len, "tanhBackward");
  }

  @Property(tries = 60)
  void sigmoidBackwardMatchesScalar(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] y = outputs(rnd, len, false);
    float[] dy = gradients(rnd, len);
    float[] dxs = output(len), dxv = output(len);
    SCALAR.sigmoidBackward(len, y, dy, dxs);
    VECTOR.sigmoidBackward(len, y, dy, dxv);
    assertWithinRelative(dxs, dxv, len, "sigmoidBackward");
    assertUntouchedBeyond(dxv, len, "sigmoidBackward");
  }

  private static void assertWithinRelative(float[] ref, float[] got, int len, String what) {
    for (int i = 0; i < len; i++) {
      if (Float.isNaN(ref[i]) || Float.isNaN(got[i])) {
        assertTrue(Float.isNaN(ref[i]) && Float.isNaN(got[i]), what + " at " + i + ": " + ref[i] + " vs " + got[i]);
        continue;
      }
      double tolerance = BACKWARD_RELATIVE * Math.abs(ref[i]) + Float.MIN_VALUE;
      if (!(Math.abs((double) got[i] - ref[i]) <= tolerance)) {
        fail(what + " at " + i + ": " + got[i] + ", reference " + ref[i] + ", tolerance " + tolerance);
      }
    }
  }

  /** Outputs tanh never gives (|y| > 1), from just past 1 to infinity, both signs. */
  private static final float[] OUTSIDE_TANH = {
    Math.nextUp(1f), -Math.nextUp(1f), 1.5f, -3f, 1e10f, -1e19f, 2e19f, -1e30f, Float.MAX_VALUE,
    -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
  };
  /** Outputs sigmoid never gives (y < 0 or y > 1). */
  private static final float[] OUTSIDE_SIGMOID = {
    -Float.MIN_VALUE, -1e-30f, -0.5f, Math.nextUp(1f), 2f, 1e10f, 2e19f, -1e30f, Float.MAX_VALUE,
    -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY
  };
  /** The ends of each output range and its special values. */
  private static final float[] RANGE_EDGES = {0f, -0f, 1f, -1f, Float.NaN};
  /** Incoming gradients that can make a NaN, an infinity or a signed zero of dx. */
  private static final float[] SPECIAL_GRADIENTS = {
    0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN
  };

  /**
   * tanh and sigmoid backward fed outputs their forward never gives (a caller error), NaN, the
   * ends of the range, or special gradients: no rounding separates the two implementations here,
   * so they must agree bit for bit (floatToIntBits: any NaN is NaN). And as documented: an output
   * outside the range, infinities included, gives NaN whatever dy is, and so does a NaN. Before,
   * the vector kernel's float {@code 1 - y*y} (or {@code y - y*y}) overflowed to -inf past
   * |y| = 2^64, making {@code -inf * 0 = NaN} and -inf where the reference, in double, gave 0 and
   * finite values.
   */
  @Property(tries = 60)
  void backwardOutsideTheOutputRangeIsNaNInBoth(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    for (boolean tanh : new boolean[] {true, false}) {
      float[] outside = tanh ? OUTSIDE_TANH : OUTSIDE_SIGMOID;
      float[] inRange = outputs(rnd, len, tanh);
      float[] y = new float[len];
      float[] dy = gradients(rnd, len);
      for (int i = 0; i < len; i++) {
        switch (rnd.nextInt(3)) {
          case 0 -> y[i] = outside[rnd.nextInt(outside.length)];
          case 1 -> y[i] = RANGE_EDGES[rnd.nextInt(RANGE_EDGES.length)];
          default -> {
            y[i] = inRange[i];
            dy[i] = SPECIAL_GRADIENTS[rnd.nextInt(SPECIAL_GRADIENTS.length)];
          }
        }
        if (rnd.nextInt(4) == 0) dy[i] = SPECIAL_GRADIENTS[rnd.nextInt(SPECIAL_GRADIENTS.length)];
      }
      float[] dxs = output(len), dxv = output(len);
      String what = tanh ? "tanhBackward" : "sigmoidBackward";
      if (tanh) {
        SCALAR.tanhBackward(len, y, dy, dxs);
        VECTOR.tanhBackward(len, y, dy, dxv);
      } else {
        SCALAR.sigmoidBackward(len, y, dy, dxs);
        VECTOR.sigmoidBackward(len, y, dy, dxv);
      }
      for (int i = 0; i < len; i++) {
        if (Float.floatToIntBits(dxs[i]) != Float.floatToIntBits(dxv[i])) {
          fail(what + "(y = " + y[i] + ", dy = " + dy[i] + "): scalar " + dxs[i] + ", vector " + dxv[i]);
        }
        boolean valid = tanh ? Math.abs(y[i]) <= 1 : y[i] >= 0 && y[i] <= 1;
        if (!valid) assertTrue(Float.isNaN(dxs[i]), what + "(y = " + y[i] + ", dy = " + dy[i] + ") = " + dxs[i]);
      }
      assertUntouchedBeyond(dxv, len, what);
    }
  }

  // ---- the vector kernels' tails ----

  /**
   * The last {@code len % L} elements run through the scalar lane copies of the vector arithmetic;
   * running a longer array puts the same elements in full vectors. The bits must not change.
   */
  @Property(tries = 60)
  void vectorResultDoesNotDependOnPositionInBodyOrTail(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    int longer = len + L;
    float[] x = mixed(rnd, longer);
    float[] dy = mixed(rnd, longer);
    float[] y = outputs(rnd, longer, rnd.nextBoolean());
    float slope = 0.1f;
    float[] shortOut = new float[longer], longOut = new float[longer];
    VECTOR.relu(len, x, shortOut);
    VECTOR.relu(longer, x, longOut);
    assertSameBits(longOut, shortOut, len, "relu");
    VECTOR.reluBackward(len, x, dy, shortOut);
    VECTOR.reluBackward(longer, x, dy, longOut);
    assertSameBits(longOut, shortOut, len, "reluBackward");
    VECTOR.leakyRelu(len, slope, x, shortOut);
    VECTOR.leakyRelu(longer, slope, x, longOut);
    assertSameBits(longOut, shortOut, len, "leakyRelu");
    VECTOR.leakyReluBackward(len, slope, x, dy, shortOut);
    VECTOR.leakyReluBackward(longer, slope, x, dy, longOut);
    assertSameBits(longOut, shortOut, len, "leakyReluBackward");
    VECTOR.tanh(len, x, shortOut);
    VECTOR.tanh(longer, x, longOut);
    assertSameBits(longOut, shortOut, len, "tanh");
    VECTOR.sigmoid(len, x, shortOut);
    VECTOR.sigmoid(longer, x, longOut);
    assertSameBits(longOut, shortOut, len, "sigmoid");
    VECTOR.tanhBackward(len, y, dy, shortOut);
    VECTOR.tanhBackward(longer, y, dy, longOut);
    assertSameBits(longOut, shortOut, len, "tanhBackward");
    VECTOR.sigmoidBackward(len, y, dy, shortOut);
    VECTOR.sigmoidBackward(longer, y, dy, longOut);
    assertSameBits(longOut, shortOut, len, "sigmoidBackward");
  }

  /** Outputs may alias inputs: in place gives what out of place gives. */
  @Property(tries = 30)
  void inPlaceEqualsOutOfPlace(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = mixed(rnd, len);
    float[] dy = mixed(rnd, len);
    for (Activations impl : new Activations[] {SCALAR, VECTOR}) {
      float[] out = new float[len];
      float[] inPlace = x.clone();
      impl.tanh(len, x, out);
      impl.tanh(len, inPlace, inPlace);
      assertSameBits(out, inPlace, len, "tanh in place");
      inPlace = x.clone();
      impl.sigmoid(len, x, out);
      impl.sigmoid(len, inPlace, inPlace);
      assertSameBits(out, inPlace, len, "sigmoid in place");
      inPlace = x.clone();
      impl.relu(len, x, out);
      impl.relu(len, inPlace, inPlace);
      assertSameBits(out, inPlace, len, "relu in place");
      float[] grad = dy.clone();
      impl.reluBackward(len, x, dy, out);
      impl.reluBackward(len, x, grad, grad);
      assertSameBits(out, grad, len, "reluBackward in place");
      grad = dy.clone();
      impl.tanhBackward(len, x, dy, out);
      impl.tanhBackward(len, x, grad, grad);
      assertSameBits(out, grad, len, "tanhBackward in place");
    }
  }

  /**
   * The other aliasings the class comment allows: every output over each of its inputs (leaky ReLU
   * forward over x; each backward over dy and over x or y), on outputs the backward kernels can
   * receive, so that the results are numbers rather than the NaN of an out-of-range y.
   */
  @Property(tries = 30)
  void everyOutputMayBeAnyOfItsInputs(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = mixed(rnd, len), dy = mixed(rnd, len);
    float[] yTanh = outputs(rnd, len, true), ySigmoid = outputs(rnd, len, false);
    float slope = 0.1f;
    for (Activations impl : new Activations[] {SCALAR, VECTOR}) {
      String name = name(impl);
      float[] out = new float[len];
      impl.leakyRelu(len, slope, x, out);
      assertOverInput(out, x, a -> impl.leakyRelu(len, slope, a, a), len, name + " leakyRelu over x");
      impl.reluBackward(len, x, dy, out);
      assertOverInput(out, x, a -> impl.reluBackward(len, a, dy, a), len, name + " reluBackward over x");
      impl.leakyReluBackward(len, slope, x, dy, out);
      assertOverInput(out, dy, a -> impl.leakyReluBackward(len, slope, x, a, a), len, name + " leakyReluBackward over dy");
      assertOverInput(out, x, a -> impl.leakyReluBackward(len, slope, a, dy, a), len, name + " leakyReluBackward over x");
      impl.tanhBackward(len, yTanh, dy, out);
      assertOverInput(out, yTanh, a -> impl.tanhBackward(len, a, dy, a), len, name + " tanhBackward over y");
      impl.sigmoidBackward(len, ySigmoid, dy, out);
      assertOverInput(out, dy, a -> impl.sigmoidBackward(len, ySigmoid, a, a), len, name + " sigmoidBackward over dy");
      assertOverInput(out, ySigmoid, a -> impl.sigmoidBackward(len, a, dy, a), len, name + " sigmoidBackward over y");
    }
  }

  /** {@code call} on a copy of {@code input} that is also its output gives {@code expected}'s bits. */
  private static void assertOverInput(float[] expected, float[] input, java.util.function.Consumer<float[]> call, int len, String what) {
    float[] alias = input.clone();
    call.accept(alias);
    assertSameBits(expected, alias, len, what);
  }

  // ---- documented special values ----

  @Example
  void specialValuesAreExact() {
    float[] x = {1e4f, -1e4f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 20f, -200f};
    float[] sigmoid = {1f, 0f, 1f, 0f, 0.5f, 0.5f, 1f, 0f};
    float[] tanh = {1f, -1f, 1f, -1f, 0f, -0f, 1f, -1f};
    for (Activations impl : new Activations[] {SCALAR, VECTOR}) {
      // Long enough that the vector kernel has both a body and a tail.
      float[] xs = repeat(x, 2 * L + 3), out = new float[xs.length];
      impl.sigmoid(xs.length, xs, out);
      assertSameBits(repeat(sigmoid, xs.length), out, xs.length, name(impl) + " sigmoid");
      impl.tanh(xs.length, xs, out);
      assertSameBits(repeat(tanh, xs.length), out, xs.length, name(impl) + " tanh");
    }
  }

  @Example
  void nanPropagatesThroughForwardButNotThroughTheReluSelect() {
    int n = 2 * L + 3;
    float[] nan = new float[n];
    Arrays.fill(nan, Float.NaN);
    float[] ones = new float[n];
    Arrays.fill(ones, 1f);
    for (Activations impl : new Activations[] {SCALAR, VECTOR}) {
      float[] out = new float[n];
      impl.relu(n, nan, out);
      for (float v : out) assertTrue(Float.isNaN(v), name(impl) + " relu(NaN)");
      impl.leakyRelu(n, 0.1f, nan, out);
      for (float v : out) assertTrue(Float.isNaN(v), name(impl) + " leakyRelu(NaN)");
      impl.tanh(n, nan, out);
      for (float v : out) assertTrue(Float.isNaN(v), name(impl) + " tanh(NaN)");
      impl.sigmoid(n, nan, out);
      for (float v : out) assertTrue(Float.isNaN(v), name(impl) + " sigmoid(NaN)");
      // x = NaN fails x > 0: the select takes the x <= 0 branch.
      impl.reluBackward(n, nan, ones, out);
      for (float v : out) assertEquals(0f, v, name(impl) + " reluBackward at x = NaN");
      impl.leakyReluBackward(n, 0.25f, nan, ones, out);
      for (float v : out) assertEquals(0.25f, v, name(impl) + " leakyReluBackward at x = NaN");
      // dy = inf where x < 0: selected away, not multiplied by 0.
      float[] negative = new float[n];
      Arrays.fill(negative, -1f);
      float[] inf = new float[n];
      Arrays.fill(inf, Float.POSITIVE_INFINITY);
      impl.reluBackward(n, negative, inf, out);
      for (float v : out) assertEquals(0f, v, name(impl) + " reluBackward, dy = inf, x < 0");
      // relu(-0) = +0 (Math.max).
      float[] negZero = new float[n];
      Arrays.fill(negZero, -0f);
      impl.relu(n, negZero, out);
      for (float v : out) assertEquals(0, Float.compare(0f, v), name(impl) + " relu(-0)");
    }
  }

  private static String name(Activations impl) {
    return impl.getClass().getSimpleName();
  }

  private static float[] repeat(float[] pattern, int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) out[i] = pattern[i % pattern.length];
    return out;
  }

  // ---- bad input: IllegalArgumentException naming the argument, nothing written ----

  @Example
  void badArgumentsAreRejectedBeforeAnyWrite() {
    for (Activations impl : new Activations[] {SCALAR, VECTOR}) {
      int n = L + 1;
      float[] x = new float[n], dy = new float[n], dx = new float[n], shorter = new float[n - 1];
      Arrays.fill(x, 1f);
      Arrays.fill(dy, 2f);
      Arrays.fill(dx, 7f);
      Arrays.fill(shorter, 7f);
      rejects("len", dx, () -> impl.relu(-1, x, dx));
      rejects("x", dx, () -> impl.relu(n, shorter, dx));
      rejects("y", shorter, () -> impl.relu(n, x, shorter));
      rejects("x", dx, () -> impl.relu(n, null, dx));
      rejects("dy", dx, () -> impl.reluBackward(n, x, shorter, dx));
      rejects("dx", shorter, () -> impl.reluBackward(n, x, dy, shorter));
      rejects("slope", dx, () -> impl.leakyRelu(n, Float.NaN, x, dx));
      rejects("slope", dx, () -> impl.leakyReluBackward(n, Float.POSITIVE_INFINITY, x, dy, dx));
      rejects("len", dx, () -> impl.leakyReluBackward(-3, 0.1f, x, dy, dx));
      rejects("y", shorter, () -> impl.tanh(n, x, shorter));
      rejects("len", dx, () -> impl.tanh(-1, x, dx));
      rejects("y", dx, () -> impl.tanhBackward(n, shorter, dy, dx));
      rejects("dx", shorter, () -> impl.tanhBackward(n, x, dy, shorter));
      rejects("x", dx, () -> impl.sigmoid(n, shorter, dx));
      rejects("dy", dx, () -> impl.sigmoidBackward(n, x, shorter, dx));
      rejects("dx", shorter, () -> impl.sigmoidBackward(n, x, dy, shorter));
    }
  }

  /** Throws IAE whose message starts with the argument's name, and leaves {@code watched} as it was. */
  private static void rejects(String argument, float[] watched, Runnable call) {
    BadArguments.rejects(argument, call::run, watched);
  }

  @Example
  void zeroLengthIsANoOp() {
    float[] x = {1f}, y = {SENTINEL};
    for (Activations impl : new Activations[] {SCALAR, VECTOR}) {
      impl.relu(0, x, y);
      impl.tanh(0, x, y);
      impl.sigmoidBackward(0, x, x, y);
      assertEquals(SENTINEL, y[0]);
    }
  }
}
