package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * One optimizer step, scalar and vector, against the formula written out in double. Each
 * implementation must be within its own running error bound ({@link OptimizersErrorBound}, which
 * follows that implementation's operations: separate multiply and add in the reference, fused in
 * the vector kernel) of the formula, and the two within the sum of their bounds of each other.
 * Then the invariants that say the formulas are the right ones, the tails, and bad arguments.
 */
class OptimizersProperties {
  private static final Optimizers SCALAR = Optimizers.scalar();
  private static final Optimizers VECTOR = Optimizers.vector();
  private static final double U = OptimizersErrorBound.U;

  /**
   * How far a correct {@link ScalarOptimizers#adamStepSize} or
   * {@link ScalarOptimizers#adamDenominatorScale} is from its exact value, relative: both are
   * evaluated in double and rounded once to float (u). In double, pow is within an ulp of
   * beta^t < 1, so within 2^-53, and 1 - pow is exact from 1/2 up and rounded once below: 1 - beta^t
   * is off by at most 2^-53 / (1 - beta^t) <= 2^-29 of itself, as 1 - beta^t >= 1 - beta >= 2^-24
   * for a float beta < 1 (the sqrt halves that). 2^-50 covers the division's and sqrt's own
   * roundings (2^-53 each) and the products of the terms.
   */
  static final double ADAM_CONSTANT_ERROR = U + 0x1p-29 + 0x1p-50;

  /**
   * BigDecimal.pow carries one digit more than t has past this, against the growth of its
   * roundings, so beta^t is good to ~1e-48 and 1 - beta^t >= 2^-24 to ~1e-40 of itself: exact as
   * far as a double can tell.
   */
  private static final MathContext DIGITS = new MathContext(50);

  @Provide
  Arbitrary<Integer> sizes() {
    return Shapes.sizes(300);
  }

  /** Hyperparameters of one try, including betas of 0 and the largest float below 1. */
  record Hyper(float lr, float beta1, float beta2, float eps, float weightDecay, int t) {
    static Hyper draw(Random rnd) {
      float lr = (float) Math.pow(10, -4 + 4 * rnd.nextDouble());
      float wd = rnd.nextInt(3) == 0 ? 0f : (float) Math.pow(10, -5 + 4 * rnd.nextDouble());
      float eps = (float) Math.pow(10, -8 + 5 * rnd.nextDouble());
      int t = rnd.nextBoolean() ? 1 + rnd.nextInt(3) : 1 + rnd.nextInt(100_000);
      return new Hyper(lr, beta(rnd), beta(rnd), eps, wd, t);
    }

    private static float beta(Random rnd) {
      float[] betas = {0f, 0.5f, 0.9f, 0.99f, 0.999f, Math.nextDown(1f)};
      return rnd.nextInt(3) == 0 ? rnd.nextFloat() : betas[rnd.nextInt(betas.length)];
    }
  }

  /** Signed values of magnitude 2^lo .. 2^hi, one in eight exactly 0. */
  static float[] signed(Random rnd, int len, int lo, int hi) {
    float[] a = new float[len];
    for (int i = 0; i < len; i++) {
      if (rnd.nextInt(8) == 0) continue;
      a[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.scalb(1 + rnd.nextDouble(), lo + rnd.nextInt(hi - lo + 1)));
    }
    return a;
  }

  /** Gradients of magnitude 2^-16 .. 2^4, one in eight exactly 0. */
  static float[] gradients(Random rnd, int len) {
    return signed(rnd, len, -16, 4);
  }

  /**
   * Gradients, a quarter of them -(wd w) rounded, so that the decayed gradient g + wd w cancels:
   * to exactly 0 in the reference, to the rounding error of wd w in the FMA. Only for SGD and
   * momentum, whose step is linear in g'. RMSprop and Adam divide g' by about |g'| + eps, so
   * where g' is within rounding of 0 their step is ill-conditioned (it can be 0 in one kernel and
   * lr / sqrt(1 - beta) in the other, both correct to the last bit of g'); no bound holds there.
   */
  static float[] cancellingGradients(Random rnd, float[] w, float weightDecay) {
    float[] g = gradients(rnd, w.length);
    for (int i = 0; i < g.length; i++) if (rnd.nextInt(4) == 0) g[i] = -(weightDecay * w[i]);
    return g;
  }

  static float[] squares(Random rnd, int len) {
    float[] a = signed(rnd, len, -10, 2);
    for (int i = 0; i < len; i++) a[i] *= a[i];
    return a;
  }

  private static OptimizersErrorBound x(float value) {
    return OptimizersErrorBound.exact(value);
  }

  /** Checks one output element of both implementations against the formula and each other. */
  private static void check(
      String what, int i, double formula, float scalar, float vector,
      OptimizersErrorBound scalarBound, OptimizersErrorBound vectorBound) {
    if (!(Math.abs(scalar - formula) <= scalarBound.tolerance())) {
      fail(what + "[" + i + "] scalar " + scalar + ", formula " + formula + ", bound " + scalarBound.tolerance());
    }
    if (!(Math.abs(vector - formula) <= vectorBound.tolerance())) {
      fail(what + "[" + i + "] vector " + vector + ", formula " + formula + ", bound " + vectorBound.tolerance());
    }
    double both = scalarBound.tolerance() + vectorBound.tolerance();
    if (!(Math.abs((double) vector - scalar) <= both)) {
      fail(what + "[" + i + "] vector " + vector + " vs scalar " + scalar + ", bound " + both);
    }
  }

  // ---- one step against the formula ----

  @Property(tries = 60)
  void sgdStepMatchesFormula(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    float[] w0 = signed(rnd, len, -12, 4);
    float[] g = cancellingGradients(rnd, w0, h.weightDecay);
    float[] ws = w0.clone(), wv = w0.clone();
    SCALAR.sgd(len, h.lr, h.weightDecay, ws, g);
    VECTOR.sgd(len, h.lr, h.weightDecay, wv, g);
    OptimizersErrorBound lr = x(h.lr), minusLr = x(-h.lr), wd = x(h.weightDecay);
    for (int i = 0; i < len; i++) {
      double formula = w0[i] - (double) h.lr * (g[i] + (double) h.weightDecay * w0[i]);
      OptimizersErrorBound w = x(w0[i]);
      OptimizersErrorBound scalar = w.minus(lr.times(x(g[i]).plus(wd.times(w))));
      OptimizersErrorBound vector = w.fma(wd, x(g[i])).fma(minusLr, w);
      check("sgd w", i, formula, ws[i], wv[i], scalar, vector);
    }
  }

  @Property(tries = 60)
  void momentumStepMatchesFormula(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    float beta = h.beta1;
    float[] w0 = signed(rnd, len, -12, 4);
    float[] g = cancellingGradients(rnd, w0, h.weightDecay);
    float[] v0 = signed(rnd, len, -16, 2);
    float[] ws = w0.clone(), wv = w0.clone(), vs = v0.clone(), vv = v0.clone();
    SCALAR.momentum(len, h.lr, beta, h.weightDecay, ws, g, vs);
    VECTOR.momentum(len, h.lr, beta, h.weightDecay, wv, g, vv);
    OptimizersErrorBound lr = x(h.lr), minusLr = x(-h.lr), wd = x(h.weightDecay), b = x(beta);
    OptimizersErrorBound oneMinusBeta = OptimizersErrorBound.constant(1.0 - beta, 1f - beta);
    for (int i = 0; i < len; i++) {
      double grad = g[i] + (double) h.weightDecay * w0[i];
      double v1 = beta * (double) v0[i] + (1.0 - beta) * grad;
      double w1 = w0[i] - h.lr * v1;
      OptimizersErrorBound w = x(w0[i]), v = x(v0[i]);
      OptimizersErrorBound scalarV = b.times(v).plus(oneMinusBeta.times(x(g[i]).plus(wd.times(w))));
      OptimizersErrorBound scalarW = w.minus(lr.times(scalarV));
      OptimizersErrorBound vectorV = v.fma(b, w.fma(wd, x(g[i])).times(oneMinusBeta));
      OptimizersErrorBound vectorW = vectorV.fma(minusLr, w);
      check("momentum v", i, v1, vs[i], vv[i], scalarV, vectorV);
      check("momentum w", i, w1, ws[i], wv[i], scalarW, vectorW);
    }
  }

  @Property(tries = 60)
  void rmspropStepMatchesFormula(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    float beta = h.beta2;
    float[] w0 = signed(rnd, len, -12, 4);
    float[] g = gradients(rnd, w0.length);
    float[] s0 = squares(rnd, len);
    float[] ws = w0.clone(), wv = w0.clone(), ss = s0.clone(), sv = s0.clone();
    SCALAR.rmsprop(len, h.lr, beta, h.eps, h.weightDecay, ws, g, ss);
    VECTOR.rmsprop(len, h.lr, beta, h.eps, h.weightDecay, wv, g, sv);
    OptimizersErrorBound lr = x(h.lr), minusLr = x(-h.lr), wd = x(h.weightDecay), b = x(beta), eps = x(h.eps);
    OptimizersErrorBound oneMinusBeta = OptimizersErrorBound.constant(1.0 - beta, 1f - beta);
    for (int i = 0; i < len; i++) {
      double grad = g[i] + (double) h.weightDecay * w0[i];
      double s1 = beta * (double) s0[i] + (1.0 - beta) * grad * grad;
      double w1 = w0[i] - h.lr * grad / (Math.sqrt(s1) + h.eps);
      OptimizersErrorBound w = x(w0[i]), s = x(s0[i]);
      OptimizersErrorBound scalarGrad = x(g[i]).plus(wd.times(w));
      OptimizersErrorBound scalarS = b.times(s).plus(oneMinusBeta.times(scalarGrad).times(scalarGrad));
      OptimizersErrorBound scalarW = w.minus(lr.times(scalarGrad.dividedBy(scalarS.sqrt().plus(eps))));
      OptimizersErrorBound vectorGrad = w.fma(wd, x(g[i]));
      OptimizersErrorBound vectorS = s.fma(b, vectorGrad.times(oneMinusBeta).times(vectorGrad));
      OptimizersErrorBound vectorW = vectorGrad.dividedBy(vectorS.sqrt().plus(eps)).fma(minusLr, w);
      check("rmsprop s", i, s1, ss[i], sv[i], scalarS, vectorS);
      check("rmsprop w", i, w1, ws[i], wv[i], scalarW, vectorW);
    }
  }

  /**
   * A rate so large that {@code lr * g} overflows while the step {@code lr * g / d} does not (lr
   * 1e30, |g| 1e9 to 1e10, from zero state: d is about sqrt(1 - beta) |g|, so the step is about
   * lr / sqrt(1 - beta), under 1e32). Both kernels divide first, so both are finite, and within the
   * step's few roundings of each other: 4 U relative (the quotient, its square root and sum, the
   * product with lr; the vector's fused update rounds once where the reference rounds twice).
   */
  @Property(tries = 20)
  void rmspropWithAHugeRateIsFiniteInBoth(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float lr = 1e30f;
    float[] g = new float[len];
    for (int i = 0; i < len; i++) g[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(10, 9 + rnd.nextDouble()));
    float[] ws = new float[len], wv = new float[len];
    SCALAR.rmsprop(len, lr, 0.9f, 1e-8f, 0f, ws, g, new float[len]);
    VECTOR.rmsprop(len, lr, 0.9f, 1e-8f, 0f, wv, g, new float[len]);
    for (int i = 0; i < len; i++) {
      assertTrue(Float.isFinite(ws[i]) && Float.isFinite(wv[i]), "[" + i + "] g " + g[i] + ": scalar " + ws[i] + ", vector " + wv[i]);
      assertEquals(ws[i], wv[i], 4 * 0x1p-24 * Math.abs(ws[i]), "[" + i + "] g " + g[i]);
    }
  }

  /**
   * What the class comment says of gradients past 1.8e19 / sqrt(1 - beta), where (1 - beta) g g
   * overflows float (5.8e19 for beta 0.9, 5.8e20 for 0.999; drawn here from 1e21 to 1e37): the
   * second average becomes infinite and stays so, and each step leaves the weight where it was, in
   * both kernels; the first average stays finite.
   */
  @Property(tries = 20)
  void squaresPastFloatRangeFreezeTheElementInBoth(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] g = new float[len];
    float[] w0 = new float[len];
    for (int i = 0; i < len; i++) {
      g[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(10, 21 + 16 * rnd.nextDouble()));
      w0[i] = (float) rnd.nextGaussian();
    }
    for (Optimizers o : new Optimizers[] {SCALAR, VECTOR}) {
      float[] w = w0.clone(), m = new float[len], v = new float[len], s = new float[len];
      for (int t = 1; t <= 3; t++) {
        o.adam(len, 1e-3f, 0.9f, 0.999f, 1e-8f, 0f, t, w, g, m, v);
        o.rmsprop(len, 1e-3f, 0.9f, 1e-8f, 0f, w, g, s);
      }
      for (int i = 0; i < len; i++) {
        String at = o + " [" + i + "] g " + g[i];
        assertEquals(w0[i], w[i], 0, at);
        assertTrue(v[i] == Float.POSITIVE_INFINITY && s[i] == Float.POSITIVE_INFINITY && Float.isFinite(m[i]), at);
      }
    }
  }

  @Property(tries = 80)
  void adamStepMatchesFormula(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    float[] w0 = signed(rnd, len, -12, 4);
    float[] g = gradients(rnd, w0.length);
    float[] m0 = signed(rnd, len, -16, 2);
    float[] v0 = squares(rnd, len);
    checkAdamStep(h, len, w0, g, m0, v0, false);
  }

  /**
   * One Adam step of both kernels from the given state, each element against the formula in
   * double and the two kernels against each other, within the running bounds of their own
   * operations. With {@code onlyWhereReferenceIsFinite}, weights for which the reference overflowed
   * (its {@code step * m} beyond the float range) are not checked: no float kernel can be within a
   * bound of the formula there, and the vector kernel, which follows the reference's order, overflows
   * with it up to the rounding of m.
   */
  private static void checkAdamStep(
      Hyper h, int len, float[] w0, float[] g, float[] m0, float[] v0, boolean onlyWhereReferenceIsFinite) {
    float[] ws = w0.clone(), wv = w0.clone(), ms = m0.clone(), mv = m0.clone(), vs = v0.clone(), vv = v0.clone();
    SCALAR.adam(len, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.t, ws, g, ms, vs);
    VECTOR.adam(len, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.t, wv, g, mv, vv);

    // Not 1 - pow in double, which keeps only 2^-29 of 1 - beta^t where beta is close to 1.
    double correction1 = oneMinusPower(h.beta1, h.t).doubleValue();
    double correction2 = oneMinusPower(h.beta2, h.t).doubleValue();
    OptimizersErrorBound wd = x(h.weightDecay), b1 = x(h.beta1), b2 = x(h.beta2), eps = x(h.eps);
    OptimizersErrorBound oneMinusB1 = OptimizersErrorBound.constant(1.0 - h.beta1, 1f - h.beta1);
    OptimizersErrorBound oneMinusB2 = OptimizersErrorBound.constant(1.0 - h.beta2, 1f - h.beta2);
    // Both kernels take these from the helpers: bounded by what a correct helper achieves (checked
    // in adamBiasCorrectionsAreTheFormulaRoundedOnce), not by what the helper returned.
    OptimizersErrorBound step = OptimizersErrorBound.within(h.lr / correction1, ADAM_CONSTANT_ERROR);
    OptimizersErrorBound scale = OptimizersErrorBound.within(1 / Math.sqrt(correction2), ADAM_CONSTANT_ERROR);
    for (int i = 0; i < len; i++) {
      double grad = g[i] + (double) h.weightDecay * w0[i];
      double m1 = h.beta1 * (double) m0[i] + (1.0 - h.beta1) * grad;
      double v1 = h.beta2 * (double) v0[i] + (1.0 - h.beta2) * grad * grad;
      double mHat = m1 / correction1;
      double vHat = v1 / correction2;
      double w1 = w0[i] - h.lr * mHat / (Math.sqrt(vHat) + h.eps);

      OptimizersErrorBound w = x(w0[i]), m = x(m0[i]), v = x(v0[i]);
      OptimizersErrorBound scalarGrad = x(g[i]).plus(wd.times(w));
      OptimizersErrorBound scalarM = b1.times(m).plus(oneMinusB1.times(scalarGrad));
      OptimizersErrorBound scalarV = b2.times(v).plus(oneMinusB2.times(scalarGrad).times(scalarGrad));
      OptimizersErrorBound scalarW =
          w.minus(step.times(scalarM).dividedBy(scalarV.sqrt().times(scale).plus(eps)));
      OptimizersErrorBound vectorGrad = w.fma(wd, x(g[i]));
      OptimizersErrorBound vectorM = m.fma(b1, vectorGrad.times(oneMinusB1));
      OptimizersErrorBound vectorV = v.fma(b2, vectorGrad.times(oneMinusB2).times(vectorGrad));
      // -step * m, then the division, then the addition of w: the reference's order (see VectorOptimizers).
      OptimizersErrorBound vectorW = w.plus(step.negate().times(vectorM).dividedBy(vectorV.sqrt().fma(scale, eps)));
      check("adam m", i, m1, ms[i], mv[i], scalarM, vectorM);
      check("adam v", i, v1, vs[i], vv[i], scalarV, vectorV);
      if (onlyWhereReferenceIsFinite && !Float.isFinite(ws[i])) continue;
      check("adam w", i, w1, ws[i], wv[i], scalarW, vectorW);
    }
  }

  /**
   * The bias corrections that both kernels take from ScalarOptimizers, lr / (1 - beta1^t) and
   * 1 / sqrt(1 - beta2^t), against 1 - beta^t to 50 digits: within ADAM_CONSTANT_ERROR for t from
   * 1 to 10^6 and betas from 0 to the largest float below 1, close to 1 at every scale of 1 - beta.
   */
  @Property(tries = 100)
  void adamBiasCorrectionsAreTheFormulaRoundedOnce(@ForAll long seed) {
    Random rnd = new Random(seed);
    float lr = (float) Math.pow(10, -6 + 7 * rnd.nextDouble());
    float[] betas = {0f, 0.5f, 0.9f, 0.99f, 0.999f, 0.9999f, 1 - 1e-6f, Math.nextDown(1f)};
    float beta = switch (rnd.nextInt(3)) {
      case 0 -> betas[rnd.nextInt(betas.length)];
      case 1 -> 1f - (float) Math.scalb(1 + rnd.nextDouble(), -2 - rnd.nextInt(22)); // 1 - beta in [2^-23, 1/2)
      default -> rnd.nextFloat();
    };
    int[] ts = new int[24];
    ts[0] = 1;
    ts[1] = 2;
    ts[2] = 3;
    ts[3] = 1_000_000;
    for (int i = 4; i < ts.length; i++) ts[i] = (int) Math.ceil(Math.pow(10, 6 * rnd.nextDouble()));
    for (int t : ts) {
      BigDecimal correction = oneMinusPower(beta, t);
      expectCorrection("adamStepSize(" + lr + ", ", ScalarOptimizers.adamStepSize(lr, beta, t),
          new BigDecimal(lr).divide(correction, DIGITS), beta, t);
      expectCorrection("adamDenominatorScale(", ScalarOptimizers.adamDenominatorScale(beta, t),
          BigDecimal.ONE.divide(correction.sqrt(DIGITS), DIGITS), beta, t);
    }
  }

  /** 1 - beta^t (see DIGITS); the difference rounded, since 0.5^10^6 written out has 301,030 digits. */
  static BigDecimal oneMinusPower(float beta, int t) {
    return BigDecimal.ONE.subtract(new BigDecimal(beta).pow(t, DIGITS), DIGITS);
  }

  private static void expectCorrection(String call, float actual, BigDecimal exact, float beta, int t) {
    double error = new BigDecimal(actual).subtract(exact).abs().divide(exact, DIGITS).doubleValue();
    if (!(error <= ADAM_CONSTANT_ERROR)) {
      fail(call + beta + ", " + t + ") = " + actual + ", exact " + exact.round(new MathContext(12))
          + ": off by " + error / U + " u, bound " + ADAM_CONSTANT_ERROR / U + " u");
    }
  }

  // ---- large first moments ----

  /**
   * A first moment far larger than the second, as a state loaded or set by hand can hold: |m| up to
   * 2^127, with g = 0, v = 0 and no decay. Then g' = +0 and both kernels compute m' = beta1 m and
   * v' = 0 with one rounding each, a denominator of exactly eps and, taking the reference's order
   * of operations, w - (step m') / eps with the same three roundings: the same bits, infinities
   * (step m' beyond the float range, in both) included, so the comparison is exact. Dividing m' by
   * eps first, as the vector kernel did, overflows from |m'| > MAX_VALUE eps (3.4e30 at eps = 1e-8)
   * where the reference's update is finite.
   */
  @Property(tries = 60)
  void adamLargeFirstMomentGivesTheReferenceBits(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    float[] w0 = signed(rnd, len, -12, 4);
    float[] m0 = signed(rnd, len, 80, 127);
    float[] g = new float[len];
    float[] ws = w0.clone(), wv = w0.clone(), ms = m0.clone(), mv = m0.clone(), vs = new float[len], vv = new float[len];
    SCALAR.adam(len, h.lr, h.beta1, h.beta2, h.eps, 0f, h.t, ws, g, ms, vs);
    VECTOR.adam(len, h.lr, h.beta1, h.beta2, h.eps, 0f, h.t, wv, g, mv, vv);
    String hyper = " (lr " + h.lr + ", beta1 " + h.beta1 + ", eps " + h.eps + ", t " + h.t + ")";
    for (int i = 0; i < len; i++) {
      String at = "[" + i + "] from m = " + m0[i] + hyper;
      assertEquals(Float.floatToIntBits(ms[i]), Float.floatToIntBits(mv[i]), "adam m" + at);
      assertEquals(Float.floatToIntBits(vs[i]), Float.floatToIntBits(vv[i]), "adam v" + at);
      if (Float.floatToIntBits(ws[i]) != Float.floatToIntBits(wv[i])) {
        fail("adam w" + at + ": vector " + wv[i] + ", scalar " + ws[i]);
      }
    }
  }

  /**
   * Large first moments (2^60 to 2^127) with ordinary gradients and second moments, so that m' is
   * up to 2^137 times sqrt(v'): wherever the reference's update is finite, both kernels must be
   * within their running bounds of the formula (see checkAdamStep), the vector kernel's finite too.
   */
  @Property(tries = 60)
  void adamLargeFirstMomentMatchesFormulaWhereReferenceIsFinite(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    float[] w0 = signed(rnd, len, -12, 4);
    float[] g = gradients(rnd, w0.length);
    float[] m0 = signed(rnd, len, 60, 127);
    float[] v0 = squares(rnd, len);
    checkAdamStep(h, len, w0, g, m0, v0, true);
  }

  // ---- invariants ----

  /**
   * At t = 1 from zero moments the corrections undo the averaging: m / (1 - b1) = g and
   * sqrt(v / (1 - b2)) = |g|, so each weight moves by lr g / (|g| + eps), about lr sign(g), whatever
   * the betas (without the correction the move would be lr (1 - b1) / sqrt(1 - b2) sign(g)).
   * Tolerance: eps / |g| for the eps in the denominator, about ten roundings of the step
   * (10u lr) and the rounding of the new weight (u (|w| + lr)).
   */
  @Property(tries = 40)
  void adamFirstStepMovesEachWeightByAboutLr(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float lr = (float) Math.pow(10, -3 + 2 * rnd.nextDouble());
    float beta1 = Hyper.beta(rnd);
    float beta2 = Hyper.beta(rnd);
    float eps = 1e-8f;
    float[] w0 = Shapes.uniform(rnd, len, 1f);
    float[] g = new float[len];
    for (int i = 0; i < len; i++) {
      g[i] = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(10, -3 + 4 * rnd.nextDouble()));
    }
    for (Optimizers impl : new Optimizers[] {SCALAR, VECTOR}) {
      float[] w = w0.clone();
      impl.adam(len, lr, beta1, beta2, eps, 0f, 1, w, g, new float[len], new float[len]);
      for (int i = 0; i < len; i++) {
        double moved = (double) w0[i] - w[i];
        double tolerance = lr * eps / Math.abs(g[i]) + 10 * U * lr + U * (Math.abs(w0[i]) + lr);
        assertTrue(Math.abs(moved - lr * Math.signum(g[i])) <= tolerance,
            name(impl) + " moved w[" + i + "] by " + moved + " for g = " + g[i] + ", lr = " + lr
                + ", betas " + beta1 + ", " + beta2);
      }
    }
  }

  /**
   * g = 0 and zero state: only the decay term acts, and it pulls every weight toward 0 without
   * crossing it. The ranges make the smallest move (momentum, lr (1 - beta) wd |w| >= 5e-7 |w|)
   * larger than half an ulp of w and the largest (RMSprop, lr / sqrt(1 - beta) <= 0.15) smaller
   * than |w| >= 0.5, so the shrink is strict and the sign kept.
   */
  @Property(tries = 40)
  void weightDecayWithZeroGradientShrinksWeights(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float lr = (float) Math.pow(10, -3 + 2 * rnd.nextDouble());
    float wd = (float) Math.pow(10, -3 + 2 * rnd.nextDouble());
    float beta = rnd.nextFloat() * 0.5f;
    float[] w0 = new float[len];
    for (int i = 0; i < len; i++) w0[i] = (rnd.nextBoolean() ? 1 : -1) * (0.5f + 1.5f * rnd.nextFloat());
    float[] g = new float[len];
    for (Optimizers impl : new Optimizers[] {SCALAR, VECTOR}) {
      float[][] after = new float[4][];
      for (int k = 0; k < 4; k++) after[k] = w0.clone();
      impl.sgd(len, lr, wd, after[0], g);
      impl.momentum(len, lr, beta, wd, after[1], g, new float[len]);
      impl.rmsprop(len, lr, beta, 1e-8f, wd, after[2], g, new float[len]);
      impl.adam(len, lr, beta, beta, 1e-8f, wd, 1, after[3], g, new float[len], new float[len]);
      String[] names = {"sgd", "momentum", "rmsprop", "adam"};
      for (int k = 0; k < 4; k++) {
        for (int i = 0; i < len; i++) {
          float w = after[k][i];
          assertTrue(Math.abs(w) < Math.abs(w0[i]) && Math.signum(w) == Math.signum(w0[i]),
              name(impl) + " " + names[k] + " took w[" + i + "] from " + w0[i] + " to " + w);
        }
      }
    }
  }

  /** No gradient, no decay, zero state: nothing moves, to the bit. */
  @Property(tries = 20)
  void zeroGradientWithoutDecayLeavesWeightsAlone(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] w0 = signed(rnd, len, -12, 4);
    float[] g = new float[len];
    for (Optimizers impl : new Optimizers[] {SCALAR, VECTOR}) {
      float[] w = w0.clone();
      impl.sgd(len, 0.1f, 0f, w, g);
      impl.momentum(len, 0.1f, 0.9f, 0f, w, g, new float[len]);
      impl.rmsprop(len, 0.1f, 0.9f, 1e-8f, 0f, w, g, new float[len]);
      impl.adam(len, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1 + rnd.nextInt(10), w, g, new float[len], new float[len]);
      assertArrayEquals(w0, w, name(impl));
    }
  }

  /**
   * The last {@code len % L} elements go through the scalar copy of the vector arithmetic, and the
   * kernels take blocks of up to four vectors a turn with single vectors after them; in an array
   * four vectors longer every one of the same elements falls in a block. The bits must not change.
   */
  @Property(tries = 40)
  void vectorResultDoesNotDependOnPositionInBodyOrTail(@ForAll("sizes") int len, @ForAll long seed) {
    Random rnd = new Random(seed);
    Hyper h = Hyper.draw(rnd);
    int longer = len + 4 * Shapes.LANES;
    float[] w0 = signed(rnd, longer, -12, 4);
    float[] g = cancellingGradients(rnd, w0, h.weightDecay);
    float[] m0 = signed(rnd, longer, -16, 2);
    float[] v0 = squares(rnd, longer);
    float[][] a = {w0.clone(), m0.clone(), v0.clone()};
    float[][] b = {w0.clone(), m0.clone(), v0.clone()};
    VECTOR.sgd(len, h.lr, h.weightDecay, a[0], g);
    VECTOR.sgd(longer, h.lr, h.weightDecay, b[0], g);
    VECTOR.momentum(len, h.lr, h.beta1, h.weightDecay, a[0], g, a[1]);
    VECTOR.momentum(longer, h.lr, h.beta1, h.weightDecay, b[0], g, b[1]);
    VECTOR.rmsprop(len, h.lr, h.beta2, h.eps, h.weightDecay, a[0], g, a[2]);
    VECTOR.rmsprop(longer, h.lr, h.beta2, h.eps, h.weightDecay, b[0], g, b[2]);
    VECTOR.adam(len, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.t, a[0], g, a[1], a[2]);
    VECTOR.adam(longer, h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.t, b[0], g, b[1], b[2]);
    for (int k = 0; k < 3; k++) {
      assertArrayEquals(Arrays.copyOf(b[k], len), Arrays.copyOf(a[k], len), "array " + k);
      // And nothing past len was touched.
      float[] initial = k == 0 ? w0 : k == 1 ? m0 : v0;
      assertArrayEquals(Arrays.copyOfRange(initial, len, longer), Arrays.copyOfRange(a[k], len, longer));
    }
  }

  private static String name(Optimizers impl) {
    return impl.getClass().getSimpleName();
  }

  // ---- bad input ----

  @Example
  void badArgumentsAreRejectedBeforeAnyWrite() {
    int n = Shapes.LANES + 1;
    for (Optimizers impl : new Optimizers[] {SCALAR, VECTOR}) {
      float[] w = new float[n], g = new float[n], m = new float[n], v = new float[n], shorter = new float[n - 1];
      Arrays.fill(w, 1f);
      Arrays.fill(g, 0.5f);
      Arrays.fill(m, 0.25f);
      Arrays.fill(v, 0.125f);
      float[][] watched = {w, m, v, shorter};

      rejects("len", watched, () -> impl.sgd(-1, 0.1f, 0f, w, g));
      for (float lr : new float[] {0f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY}) {
        rejects("lr", watched, () -> impl.sgd(n, lr, 0f, w, g));
        rejects("lr", watched, () -> impl.momentum(n, lr, 0.9f, 0f, w, g, v));
        rejects("lr", watched, () -> impl.rmsprop(n, lr, 0.9f, 1e-8f, 0f, w, g, v));
        rejects("lr", watched, () -> impl.adam(n, lr, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, m, v));
      }
      for (float wd : new float[] {-1e-4f, Float.NaN, Float.POSITIVE_INFINITY}) {
        rejects("weightDecay", watched, () -> impl.sgd(n, 0.1f, wd, w, g));
        rejects("weightDecay", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, wd, 1, w, g, m, v));
      }
      for (float beta : new float[] {-0.1f, 1f, 1.5f, Float.NaN}) {
        rejects("beta", watched, () -> impl.momentum(n, 0.1f, beta, 0f, w, g, v));
        rejects("beta", watched, () -> impl.rmsprop(n, 0.1f, beta, 1e-8f, 0f, w, g, v));
        rejects("beta1", watched, () -> impl.adam(n, 0.1f, beta, 0.999f, 1e-8f, 0f, 1, w, g, m, v));
        rejects("beta2", watched, () -> impl.adam(n, 0.1f, 0.9f, beta, 1e-8f, 0f, 1, w, g, m, v));
      }
      for (float eps : new float[] {0f, -1e-8f, Float.NaN, Float.POSITIVE_INFINITY}) {
        rejects("eps", watched, () -> impl.rmsprop(n, 0.1f, 0.9f, eps, 0f, w, g, v));
        rejects("eps", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, eps, 0f, 1, w, g, m, v));
      }
      for (int t : new int[] {0, -1, Integer.MIN_VALUE}) {
        rejects("t", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, t, w, g, m, v));
      }
      rejects("w", watched, () -> impl.sgd(n, 0.1f, 0f, shorter, g));
      rejects("g", watched, () -> impl.sgd(n, 0.1f, 0f, w, shorter));
      rejects("g", watched, () -> impl.momentum(n, 0.1f, 0.9f, 0f, w, null, v));
      rejects("v", watched, () -> impl.momentum(n, 0.1f, 0.9f, 0f, w, g, shorter));
      rejects("s", watched, () -> impl.rmsprop(n, 0.1f, 0.9f, 1e-8f, 0f, w, g, shorter));
      rejects("m", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, shorter, v));
      rejects("v", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, m, shorter));
      rejects("len", watched, () -> impl.adam(-1, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, m, v));
    }
  }

  /**
   * A state array (momentum's v, RMSprop's s, Adam's m and v) that is w, g or the other state is
   * refused before any write. Each element's update writes its state and then w, so such a call ran
   * and kept the wrong average with no error: Adam with m and v one array left v in both, and every
   * later step took v for its first moment. w over g is the formula applied elementwise and passes.
   */
  @Example
  void aStateArrayThatIsAnotherArgumentIsRefused() {
    int n = Shapes.LANES + 1;
    for (Optimizers impl : new Optimizers[] {SCALAR, VECTOR}) {
      float[] w = new float[n], g = new float[n], m = new float[n], v = new float[n];
      Arrays.fill(w, 1f);
      Arrays.fill(g, 0.5f);
      Arrays.fill(m, 0.25f);
      Arrays.fill(v, 0.125f);
      float[][] watched = {w, g, m, v};
      rejects("v", watched, () -> impl.momentum(n, 0.1f, 0.9f, 0f, w, g, w));
      rejects("v", watched, () -> impl.momentum(n, 0.1f, 0.9f, 0f, w, g, g));
      rejects("s", watched, () -> impl.rmsprop(n, 0.1f, 0.9f, 1e-8f, 0f, w, g, w));
      rejects("s", watched, () -> impl.rmsprop(n, 0.1f, 0.9f, 1e-8f, 0f, w, g, g));
      rejects("m", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, w, v));
      rejects("m", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, g, v));
      rejects("v", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, m, w));
      rejects("v", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, m, g));
      rejects("m", watched, () -> impl.adam(n, 0.1f, 0.9f, 0.999f, 1e-8f, 0f, 1, w, g, m, m));
      // w over g: each element reads g and w before it writes w.
      float[] wg = {1f, -2f};
      impl.sgd(2, 0.5f, 0f, wg, wg);
      assertArrayEquals(new float[] {0.5f, -1f}, wg);
    }
  }

  /** Throws IAE whose message starts with the argument's name, and writes none of {@code watched}. */
  private static void rejects(String argument, float[][] watched, Runnable call) {
    BadArguments.rejects(argument, call::run, watched);
  }

  @Example
  void zeroLengthIsANoOp() {
    float[] w = {3f};
    for (Optimizers impl : new Optimizers[] {SCALAR, VECTOR}) {
      impl.adam(0, 0.1f, 0.9f, 0.999f, 1e-8f, 0.1f, 1, w, w, w, w);
      impl.sgd(0, 0.1f, 0.1f, w, w);
      assertEquals(3f, w[0]);
    }
  }
}
