package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Activations on the Vector API. Each kernel is one pass of full vectors, then a scalar tail that
 * repeats the vector arithmetic operation for operation ({@link Math#fma} where the vector fuses),
 * so a result has the same bits whether its element fell in the body or the tail.
 *
 * <p>No kernel passes vectors to a helper method of its own: the math is written out in each loop,
 * the exp of tanh and sigmoid twice. A helper that C2 does not inline receives and returns its
 * vectors as heap objects, and whether it inlines depends on the order of compilation (a helper
 * compiled on its own before its caller may be refused as "already compiled into a medium method"
 * when the caller's profile calls it cold). With vector tanh and exp as helpers, the suite's
 * allocation test failed now and then with 8,960 bytes a step, the figure that forcing both out of
 * line gives. One loop for both with a {@code boolean tanh} (which C2 could take out of the loop)
 * cost sigmoid 5-12% on 16 lanes; two loops cost nothing measurable. Why not a masked tail: when
 * tanh was a helper, a second call site of it pushed C2 past its inlining node budget, and a
 * second copy of the math would make the loop twice as large for a few elements.
 *
 * <p>tanh and sigmoid use the inline approximations below rather than {@code lanewise(TANH)} /
 * {@code lanewise(EXP)}. On this JDK (x86, AVX-512) those call SVML stubs; over 4096 floats in L1
 * the inline forms ran tanh at 0.36 ns/element against SVML's 0.45, and sigmoid at 0.29 against
 * 0.27 for {@code 1 / (1 + exp(-x))} on SVML's EXP (which flushes to 0 below x = -88, where the
 * true value is a subnormal). Without a stub library ({@code -Djdk.incubator.vector
 * .VectorMathLibrary=java}, the default on platforms with neither SVML nor SLEEF) lanewise TANH
 * fell to 19 ns/element. The inline forms cost the same everywhere and give the same bits on
 * every platform.
 *
 * <p>Accuracy against {@link ScalarActivations} (the double-precision result rounded to float),
 * checked on every float of the ranges: tanh within 2 ulp for |x| <= 9.2 and exactly +-1 beyond;
 * sigmoid within 2 ulp for x in [-104.5, 17.5] (subnormal results included: gradual underflow, not
 * flushed), exactly 1 above and +0 below. Beyond the ranges the clamps make the result constant.
 * NaN gives NaN; tanh(+-infinity) = +-1, sigmoid(+infinity) = 1, sigmoid(-infinity) = 0.
 */
final class VectorActivations extends Activations {
  static final VectorActivations INSTANCE = new VectorActivations();

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  private VectorActivations() {}

  @Override
  void reluImpl(int len, float[] x, float[] y) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      // Lanewise MAX follows Math.max: NaN propagates, -0 becomes +0, as in the reference.
      FloatVector.fromArray(SPECIES, x, i).lanewise(VectorOperators.MAX, 0f).intoArray(y, i);
    }
    for (; i < len; i++) y[i] = Math.max(x[i], 0f);
  }

  @Override
  void reluBackwardImpl(int len, float[] x, float[] dy, float[] dx) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      // A select, not a multiply by a 0/1 mask: dy = inf where x <= 0 gives 0, not NaN.
      VectorMask<Float> positive = FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GT, 0f);
      FloatVector.zero(SPECIES).blend(FloatVector.fromArray(SPECIES, dy, i), positive).intoArray(dx, i);
    }
    for (; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
  }

  @Override
  void leakyReluImpl(int len, float slope, float[] x, float[] y) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(SPECIES, x, i);
      v.mul(slope).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
    }
    for (; i < len; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
  }

  @Override
  void leakyReluBackwardImpl(int len, float slope, float[] x, float[] dy, float[] dx) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector g = FloatVector.fromArray(SPECIES, dy, i);
      VectorMask<Float> positive = FloatVector.fromArray(SPECIES, x, i).compare(VectorOperators.GT, 0f);
      g.mul(slope).blend(g, positive).intoArray(dx, i);
    }
    for (; i < len; i++) dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope;
  }

  @Override
  void tanhImpl(int len, float[] x, float[] y) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      // tanh(float), operation for operation (see there); its exp is expNonPositive(float)'s.
      FloatVector v = FloatVector.fromArray(SPECIES, x, i);
      FloatVector ax = v.abs();
      FloatVector a = ax.mul(-2f).lanewise(VectorOperators.MAX, TANH_EXP_MIN);
      FloatVector shifted = a.fma(LOG2E, SHIFTER);
      FloatVector k = shifted.sub(SHIFTER);
      FloatVector r = k.fma(FloatVector.broadcast(SPECIES, -LN2_HI), a);
      r = k.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
      FloatVector q = r.fma(E4, E3);
      q = q.fma(r, FloatVector.broadcast(SPECIES, E2));
      q = q.fma(r, FloatVector.broadcast(SPECIES, E1));
      q = q.fma(r, FloatVector.broadcast(SPECIES, E0));
      FloatVector p = r.mul(r).fma(q, r).add(1f);
      IntVector ki = shifted.reinterpretAsInts().sub(SHIFTER_BITS);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      IntVector k2 = ki.sub(k1);
      FloatVector scale1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector scale2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector e = p.mul(scale1).mul(scale2);
      FloatVector large = one.sub(e).div(one.add(e));
      FloatVector u = ax.mul(ax);
      FloatVector t = u.fma(T5, T4);
      t = t.fma(u, FloatVector.broadcast(SPECIES, T3));
      t = t.fma(u, FloatVector.broadcast(SPECIES, T2));
      t = t.fma(u, FloatVector.broadcast(SPECIES, T1));
      t = t.fma(u, FloatVector.broadcast(SPECIES, T0));
      FloatVector small = u.mul(ax).fma(t, ax);
      FloatVector magnitude = large.blend(small, ax.compare(VectorOperators.LT, TANH_SMALL));
      IntVector sign = v.reinterpretAsInts().and(Integer.MIN_VALUE);
      magnitude.reinterpretAsInts().or(sign).reinterpretAsFloats().intoArray(y, i);
    }
    for (; i < len; i++) y[i] = tanh(x[i]);
  }

  @Override
  void tanhBackwardImpl(int len, float[] y, float[] dy, float[] dx) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    FloatVector nan = FloatVector.broadcast(SPECIES, Float.NaN);
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      // dy * (1 - y^2): the fused 1 - y*y is rounded once, so |y| near 1 keeps its bits. It is
      // below 0 exactly where |y| > 1 (from 1 + 2^-23 on, 1 - y^2 <= -2^-22: no rounding to 0),
      // outside tanh's range: NaN there (see Activations), a compare and a blend.
      FloatVector v = FloatVector.fromArray(SPECIES, y, i);
      FloatVector slope = v.neg().fma(v, one);
      slope.mul(FloatVector.fromArray(SPECIES, dy, i))
          .blend(nan, slope.compare(VectorOperators.LT, 0f))
          .intoArray(dx, i);
    }
    for (; i < len; i++) {
      float slope = Math.fma(-y[i], y[i], 1f);
      dx[i] = slope < 0f ? Float.NaN : slope * dy[i];
    }
  }

  @Override
  void sigmoidImpl(int len, float[] x, float[] y) {
    FloatVector one = FloatVector.broadcast(SPECIES, 1f);
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      // sigmoid(float), operation for operation; its exp is expNonPositive(float)'s, as in tanhImpl.
      FloatVector v = FloatVector.fromArray(SPECIES, x, i);
      FloatVector a = v.abs().neg().lanewise(VectorOperators.MAX, SIGMOID_EXP_MIN);
      FloatVector shifted = a.fma(LOG2E, SHIFTER);
      FloatVector k = shifted.sub(SHIFTER);
      FloatVector r = k.fma(FloatVector.broadcast(SPECIES, -LN2_HI), a);
      r = k.fma(FloatVector.broadcast(SPECIES, -LN2_LO), r);
      FloatVector q = r.fma(E4, E3);
      q = q.fma(r, FloatVector.broadcast(SPECIES, E2));
      q = q.fma(r, FloatVector.broadcast(SPECIES, E1));
      q = q.fma(r, FloatVector.broadcast(SPECIES, E0));
      FloatVector p = r.mul(r).fma(q, r).add(1f);
      IntVector ki = shifted.reinterpretAsInts().sub(SHIFTER_BITS);
      IntVector k1 = ki.lanewise(VectorOperators.ASHR, 1);
      IntVector k2 = ki.sub(k1);
      FloatVector scale1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector scale2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
      FloatVector e = p.mul(scale1).mul(scale2);
      one.blend(e, v.compare(VectorOperators.LT, 0f)).div(one.add(e)).intoArray(y, i);
    }
    for (; i < len; i++) y[i] = sigmoid(x[i]);
  }

  @Override
  void sigmoidBackwardImpl(int len, float[] y, float[] dy, float[] dx) {
    FloatVector nan = FloatVector.broadcast(SPECIES, Float.NaN);
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      // dy * y (1 - y) with y - y*y fused: one rounding, exact-ish as y nears 1. It is below 0
      // exactly where y < 0 or y > 1 (y (1 - y) is then at least MIN_VALUE, or 2^-23 above 1, in
      // magnitude: no rounding to 0), outside sigmoid's range: NaN there, as in tanhBackwardImpl.
      FloatVector v = FloatVector.fromArray(SPECIES, y, i);
      FloatVector slope = v.neg().fma(v, v);
      slope.mul(FloatVector.fromArray(SPECIES, dy, i))
          .blend(nan, slope.compare(VectorOperators.LT, 0f))
          .intoArray(dx, i);
    }
    for (; i < len; i++) {
      float slope = Math.fma(-y[i], y[i], y[i]);
      dx[i] = slope < 0f ? Float.NaN : slope * dy[i];
    }
  }

  // ---- tanh ----

  /** Below this |x|, the odd polynomial; above, the exponential form, which cancels less there. */
  private static final float TANH_SMALL = 0.625f;
  /** exp(-2|x|) below exp(-20) leaves (1 - e) / (1 + e) = 1 in float; clamping keeps 2^k normal. */
  private static final float TANH_EXP_MIN = -20f;
  // tanh(x) = x + x^3 P(x^2) on |x| <= 0.625, P of degree 5 fitted for relative error
  // (Lawson-weighted least squares): 0.05 ulp before rounding of the evaluation.
  private static final float T0 = -0x1.555554p-2f;
  private static final float T1 = 0x1.111066p-3f;
  private static final float T2 = -0x1.b9ee90p-5f;
  private static final float T3 = 0x1.638b56p-6f;
  private static final float T4 = -0x1.0bf4f6p-7f;
  private static final float T5 = 0x1.18e1c4p-9f;

  /**
   * tanh on |x|, sign put back from x's sign bit: odd, exact at +-0, exactly +-1 from |x| = 8.67
   * on (the rounded reference reaches 1 at 9.01; in between they differ by its last ulp) and at
   * +-infinity; NaN stays NaN (it fails the small-branch compare and the exponential propagates
   * it). {@link #tanhImpl}'s vector loop is this, operation for operation (the tail's bits match).
   */
  static float tanh(float x) {
    float ax = Math.abs(x);
    float e = expNonPositive(Math.max(ax * -2f, TANH_EXP_MIN));
    float large = (1f - e) / (1f + e);
    float u = ax * ax;
    float p = Math.fma(u, T5, T4);
    p = Math.fma(p, u, T3);
    p = Math.fma(p, u, T2);
    p = Math.fma(p, u, T1);
    p = Math.fma(p, u, T0);
    float small = Math.fma(u * ax, p, ax);
    float magnitude = ax < TANH_SMALL ? small : large;
    return Float.intBitsToFloat(
        Float.floatToRawIntBits(magnitude) | (Float.floatToRawIntBits(x) & Integer.MIN_VALUE));
  }

  // ---- sigmoid ----

  /** exp(-104) = 6.8e-46 rounds to +0 in float, so nothing below needs computing. */
  private static final float SIGMOID_EXP_MIN = -104f;

  /**
   * {@code 1 / (1 + e)} for x >= 0 and {@code e / (1 + e)} for x < 0, with {@code e = exp(-|x|)}
   * in [0, 1]: e never overflows, so +-1e4 and +-infinity give exactly 1 and 0 (no inf / inf), and
   * small results keep their relative accuracy instead of being {@code 1 - (something near 1)}.
   * {@link #sigmoidImpl}'s vector loop is this, operation for operation.
   */
  static float sigmoid(float x) {
    float e = expNonPositive(Math.max(-Math.abs(x), SIGMOID_EXP_MIN));
    float numerator = x < 0f ? e : 1f;
    return numerator / (1f + e);
  }

  // ---- exp on [-104, 0] ----

  // exp(a) = 2^k exp(r), a = k ln2 + r, |r| <= ln2 / 2 (Cody-Waite reduction with ln2 in two parts).
  private static final float LOG2E = 0x1.715476p0f;
  /** ln 2 to 16 significant bits: k * LN2_HI is exact for |k| < 2^8. */
  private static final float LN2_HI = 0x1.62e4p-1f;
  private static final float LN2_LO = 0x1.7f7d1cp-20f;
  /** 1.5 * 2^23: adding it rounds to an integer k and leaves k in the low mantissa bits. */
  private static final float SHIFTER = 0x1.8p23f;
  private static final int SHIFTER_BITS = Float.floatToRawIntBits(SHIFTER);
  // exp(r) = 1 + r + r^2 Q(r), Q of degree 4 fitted for relative error: 0.06 ulp before rounding.
  private static final float E0 = 0x1.fffffcp-2f;
  private static final float E1 = 0x1.555492p-3f;
  private static final float E2 = 0x1.5558f2p-5f;
  private static final float E3 = 0x1.123a20p-7f;
  private static final float E4 = 0x1.6a23cep-10f;

  /**
   * {@code exp(a)} for {@code a} in [-104, 0] (callers clamp), NaN propagated. 2^k is applied as
   * two factors 2^(k/2) 2^(k - k/2), each a normal float for k >= -150, so results below 2^-126
   * underflow gradually (one rounding, in the last multiply) instead of flushing to zero.
   * The vector loops of tanh and sigmoid write this out, operation for operation.
   */
  static float expNonPositive(float a) {
    float shifted = Math.fma(a, LOG2E, SHIFTER);
    float k = shifted - SHIFTER;
    float r = Math.fma(k, -LN2_HI, a);
    r = Math.fma(k, -LN2_LO, r);
    float q = Math.fma(r, E4, E3);
    q = Math.fma(q, r, E2);
    q = Math.fma(q, r, E1);
    q = Math.fma(q, r, E0);
    float p = Math.fma(r * r, q, r) + 1f;
    int ki = Float.floatToRawIntBits(shifted) - SHIFTER_BITS;
    int k1 = ki >> 1;
    int k2 = ki - k1;
    return p * Float.intBitsToFloat((k1 + 127) << 23) * Float.intBitsToFloat((k2 + 127) << 23);
  }
}
