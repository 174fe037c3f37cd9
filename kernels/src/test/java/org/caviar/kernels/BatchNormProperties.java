package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.function.Executable;

/**
 * Batch normalization: the vector implementation against the scalar reference, and for both the
 * properties of the normalized output, constant columns, inference against its formula, the
 * running statistics against the exponentially weighted average, and the argument checks.
 *
 * <p>Bounds are first order in the unit roundoff {@code U = 2^-24}. For a column with mean mu,
 * standard deviation sigma and {@code M = max_i |x_i - x_0|}, the kernels' float mean (deviations
 * from x_0, summed, divided, added back) is off by at most
 * {@code dMu = (n + 1) U M + U |mu|}: U M per deviation, (n - 1) U M from the sum of n terms of
 * size at most M, U M for the division and U |mu| for adding x_0 back.
 */
class BatchNormProperties {
  private static final BatchNorm SCALAR = BatchNorm.scalar();
  private static final BatchNorm VECTOR = BatchNorm.vector();
  private static final BatchNorm[] BOTH = {SCALAR, VECTOR};
  private static final double U = 0x1p-24;
  private static final float EPS = 1e-5f;
  private static final float SENTINEL = -12345.5f;

  @Provide
  Arbitrary<Integer> batch() {
    return Shapes.sizes(100).filter(n -> n >= 2);
  }

  @Provide
  Arbitrary<Integer> features() {
    return Shapes.sizes(200);
  }

  /** Everything training forward writes, from one call. */
  record Training(float[] y, float[] xhat, float[] mean, float[] invStd, float[] runningMean, float[] runningVar) {
    static Training run(BatchNorm bn, int n, int f, float[] x, float[] gamma, float[] beta, float momentum,
        float[] runningMean, float[] runningVar) {
      Training t = new Training(new float[n * f], new float[n * f], new float[f], new float[f],
          runningMean.clone(), runningVar.clone());
      bn.forwardTraining(n, f, x, gamma, beta, EPS, momentum, t.runningMean, t.runningVar, t.y, t.xhat, t.mean, t.invStd);
      return t;
    }
  }

  /**
   * Vector training forward against the reference. It keeps the reference's order of operations
   * for the statistics (see {@link VectorBatchNorm}), so mean, invStd, xhat and the running
   * statistics are bit-identical; y is one FMA against two roundings,
   * {@code |yv - ys| <= U |gamma xhat| + 2 U |y| <= 3 U (|gamma xhat| + |beta|)}. In place
   * ({@code y == x}) gives the same bits, in both implementations.
   */
  @Property(tries = 40)
  void trainingMatchesScalar(@ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] gamma = BatchNormInputs.uniform(rnd, f, -2, 2);
    float[] beta = BatchNormInputs.uniform(rnd, f, -2, 2);
    float[] rm = BatchNormInputs.gaussian(rnd, f);
    float[] rv = BatchNormInputs.uniform(rnd, f, 0, 3);
    float momentum = rnd.nextFloat() * 0.99f;
    Training s = Training.run(SCALAR, n, f, x, gamma, beta, momentum, rm, rv);
    Training v = Training.run(VECTOR, n, f, x, gamma, beta, momentum, rm, rv);
    assertArrayEquals(s.mean, v.mean, "mean");
    assertArrayEquals(s.invStd, v.invStd, "invStd");
    assertArrayEquals(s.xhat, v.xhat, "xhat");
    assertArrayEquals(s.runningMean, v.runningMean, "runningMean");
    assertArrayEquals(s.runningVar, v.runningVar, "runningVar");
    for (int i = 0; i < n * f; i++) {
      int j = i % f;
      double tol = 3 * U * (Math.abs(gamma[j] * s.xhat[i]) + Math.abs(beta[j]));
      if (!(Math.abs(v.y[i] - s.y[i]) <= tol)) fail("y[" + i + "] vector " + v.y[i] + " scalar " + s.y[i]);
    }
    for (Training t : new Training[] {s, v}) {
      BatchNorm bn = t == s ? SCALAR : VECTOR;
      float[] inPlace = x.clone();
      float[] xhat = new float[n * f];
      bn.forwardTraining(n, f, inPlace, gamma, beta, EPS, momentum, rm.clone(), rv.clone(), inPlace, xhat, new float[f], new float[f]);
      assertArrayEquals(t.y, inPlace, name(bn) + " in place");
      assertArrayEquals(t.xhat, xhat, name(bn) + " xhat in place");
    }
  }

  /**
   * With gamma = 1 and beta = 0 each column of y has mean ~0 and biased variance
   * ~sigma^2 / (sigma^2 + eps) (~1), for both implementations, against the column's statistics in
   * double. Mean: {@code invStd * dMu} from the float mean plus 2 U |y| per element. Variance: the
   * float sum of squares is within (n + 3) U relative (deviation, square, sum) plus
   * {@code (dMu / sigma)^2}, invStd adds 2.5 U twice, each y 2 U twice: in all
   * {@code (n + 12) U + (invStd dMu)^2} relative to a value <= 1. A constant column gives exactly 0.
   */
  @Property(tries = 40)
  void normalizedColumnsHaveMeanZeroVarianceOne(@ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] ones = new float[f];
    Arrays.fill(ones, 1f);
    for (BatchNorm bn : BOTH) {
      Training t = Training.run(bn, n, f, x, ones, new float[f], 0.9f, new float[f], new float[f]);
      for (int j = 0; j < f; j++) {
        Column c = Column.of(x, n, f, j);
        double meanY = 0;
        double maxY = 0;
        for (int i = 0; i < n; i++) {
          meanY += t.y[i * f + j];
          maxY = Math.max(maxY, Math.abs(t.y[i * f + j]));
        }
        meanY /= n;
        double varY = 0;
        for (int i = 0; i < n; i++) varY += (t.y[i * f + j] - meanY) * (t.y[i * f + j] - meanY);
        varY /= n;
        String at = name(bn) + " column " + j + " (n " + n + ", mu " + c.mean + ", var " + c.var + ")";
        if (c.constant) {
          assertEquals(0, maxY, at);
          continue;
        }
        double is = t.invStd[j];
        double dMu = c.meanError(n);
        if (!(Math.abs(meanY) <= is * dMu + 2 * U * maxY)) fail(at + ": mean of y " + meanY);
        double expected = c.var / (c.var + EPS);
        double tol = (n + 12) * U + (is * dMu) * (is * dMu);
        if (!(Math.abs(varY - expected) <= tol)) fail(at + ": variance of y " + varY + ", expected " + expected);
      }
    }
  }

  /**
   * A constant column, whatever its value: mean exactly the value, variance exactly 0 (so invStd is
   * 1 / sqrt(eps) and the running variance decays by momentum alone), xhat exactly 0, y exactly beta.
   */
  @Property(tries = 30)
  void constantColumnsNormalizeToExactlyZero(@ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] values = {0f, 0.1f, -3f, 1e4f, 1e7f, -0.7f, 123.456f};
    for (int j = 0; j < f; j += 2) {
      float c = rnd.nextBoolean() ? values[rnd.nextInt(values.length)] : (float) rnd.nextGaussian() * 1e3f;
      for (int i = 0; i < n; i++) x[i * f + j] = c;
    }
    float[] gamma = BatchNormInputs.uniform(rnd, f, -2, 2);
    float[] beta = BatchNormInputs.uniform(rnd, f, -2, 2);
    float[] rv = BatchNormInputs.uniform(rnd, f, 0, 3);
    float momentum = 0.9f;
    for (BatchNorm bn : BOTH) {
      Training t = Training.run(bn, n, f, x, gamma, beta, momentum, new float[f], rv);
      for (int j = 0; j < f; j += 2) {
        String at = name(bn) + " column " + j + " = " + x[j];
        assertEquals(x[j], t.mean[j], at);
        assertEquals(1f / (float) Math.sqrt(EPS), t.invStd[j], at);
        assertEquals(momentum * rv[j] + (1 - momentum) * 0f, t.runningVar[j], at);
        for (int i = 0; i < n; i++) {
          assertEquals(0f, Math.abs(t.xhat[i * f + j]), at);
          assertEquals(beta[j], t.y[i * f + j], at);
        }
      }
    }
  }

  /**
   * Inference against {@code gamma (x - runningMean) / sqrt(runningVar + eps) + beta} in double, for
   * both implementations, n = 1 included. Roundings: x - runningMean (U), runningVar + eps and its
   * square root (1.5 U), the product and division by gamma (2 U), the addition of beta (U |y|):
   * within {@code 6 U (|t| + |beta|)}, t the normalized and scaled term.
   */
  @Property(tries = 40)
  void inferenceMatchesFormula(@ForAll("features") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] gamma = BatchNormInputs.uniform(rnd, f, -2, 2);
    float[] beta = BatchNormInputs.uniform(rnd, f, -2, 2);
    float[] rm = BatchNormInputs.uniform(rnd, f, -20, 20);
    float[] rv = BatchNormInputs.uniform(rnd, f, 0, 100);
    rv[0] = 0;
    float eps = (float) Math.pow(10, -1 - 6 * rnd.nextDouble());
    for (BatchNorm bn : BOTH) {
      float[] y = new float[n * f];
      bn.forwardInference(n, f, x, gamma, beta, rm, rv, eps, y);
      for (int i = 0; i < n * f; i++) {
        int j = i % f;
        double t = gamma[j] * ((double) x[i] - rm[j]) / Math.sqrt((double) rv[j] + eps);
        double tol = 6 * U * (Math.abs(t) + Math.abs(beta[j]));
        if (!(Math.abs(y[i] - (t + beta[j])) <= tol)) fail(name(bn) + " y[" + i + "] " + y[i] + " expected " + (t + beta[j]));
      }
      float[] inPlace = x.clone();
      bn.forwardInference(n, f, inPlace, gamma, beta, rm, rv, eps, inPlace);
      assertArrayEquals(y, inPlace, name(bn) + " in place");
    }
  }

  // ---- inference with absurd parameters ----

  /**
   * gamma = 1e30 with eps = 1e-45 (MIN_VALUE) and a running variance of 0: sqrt(var + eps) is
   * 3.7e-23 and gamma / sqrt(var + eps) is beyond the float range. The reference computes
   * {@code gamma (x - mean) / sqrt(var + eps) + beta}: beta where x equals the running mean, +-inf
   * elsewhere. A scale folded into one infinite factor gives {@code 0 * inf = NaN} at x = mean.
   * The vector kernel must give the reference's bits for such features (exact comparison: it takes
   * the reference's expression for them, see {@link VectorBatchNorm}); both a body of whole vectors
   * and a tail of features, and rows in and after the four-row blocks.
   */
  @Example
  void inferenceWithAScaleBeyondTheFloatRangeGivesTheReferenceBits() {
    int n = 7;
    int f = 2 * Shapes.LANES + 3;
    float[] gamma = new float[f];
    float[] beta = new float[f];
    float[] rm = new float[f];
    Arrays.fill(gamma, 1e30f);
    for (int j = 0; j < f; j++) {
      beta[j] = 0.25f * (j % 5) - 0.5f;
      rm[j] = j % 3 - 1f;
    }
    float[] x = new float[n * f];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < f; j++) x[i * f + j] = (i + j) % 2 == 0 ? rm[j] : rm[j] + 0.5f * (i - 3);
    }
    float eps = 1e-45f;
    float[] ys = new float[n * f], yv = new float[n * f];
    SCALAR.forwardInference(n, f, x, gamma, beta, rm, new float[f], eps, ys);
    VECTOR.forwardInference(n, f, x, gamma, beta, rm, new float[f], eps, yv);
    for (int i = 0; i < n * f; i++) {
      assertEquals(x[i] == rm[i % f] ? beta[i % f] : Math.signum(x[i] - rm[i % f]) * Float.POSITIVE_INFINITY, ys[i],
          "reference y[" + i + "]");
      assertSameBits(ys[i], yv[i], "vector y[" + i + "] (x = " + x[i] + ", mean " + rm[i % f] + ")");
    }
  }

  private static final float[] ABSURD_GAMMAS = {
    0f, -0f, Float.MIN_VALUE, -1e-30f, 1e-10f, 1f, -3f, 1e10f, 1e30f, -1e30f, Float.MAX_VALUE,
    -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN
  };
  private static final float[] ABSURD_VARIANCES = {
    0f, Float.MIN_VALUE, 1e-30f, 1f, 100f, 1e30f, Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NaN
  };
  private static final float[] ABSURD_EPS = {Float.MIN_VALUE, 1e-30f, 1e-5f, 1f};

  /**
   * Parameters from the extremes of the float range, per feature: gammas from 0 and MIN_VALUE to
   * MAX_VALUE, infinities and NaN; running variances from 0 to infinity and NaN; eps from MIN_VALUE
   * to 1; finite beta; x equal to the running mean in a third of the places. Where
   * {@code k = gamma / sqrt(var + eps)} is not a normal float (nor {@code gamma = 0}), folding it
   * into one factor loses what the reference keeps (k = inf, 0 or subnormal where the terms are
   * not), and the vector kernel must give the reference's bits: exact comparison. Everywhere, a
   * NaN from the vector kernel needs a NaN from the reference (with a finite beta, a folded k is
   * NaN-free). Where k folds, the vector result is within the 6 U (|t| + |beta|) of
   * {@link #inferenceMatchesFormula}, plus MIN_VALUE for a product in the subnormal range, of the
   * formula in double, as long as that is in the float range (there the reference, which rounds
   * {@code gamma (x - mean)} on its own, can overflow or underflow before its division). In place
   * gives the same bits.
   */
  @Property(tries = 60)
  void inferenceWithAbsurdParametersFollowsTheReference(
      @ForAll("features") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] gamma = new float[f], beta = new float[f], rm = new float[f], rv = new float[f];
    for (int j = 0; j < f; j++) {
      gamma[j] = ABSURD_GAMMAS[rnd.nextInt(ABSURD_GAMMAS.length)];
      rv[j] = ABSURD_VARIANCES[rnd.nextInt(ABSURD_VARIANCES.length)];
      beta[j] = rnd.nextInt(4) == 0 ? 0f : (float) rnd.nextGaussian();
      rm[j] = (float) (20 * rnd.nextDouble() - 10);
    }
    float eps = ABSURD_EPS[rnd.nextInt(ABSURD_EPS.length)];
    float[] x = new float[n * f];
    for (int i = 0; i < n * f; i++) {
      x[i] = rnd.nextInt(3) == 0 ? rm[i % f] : (float) (rm[i % f] + Math.scalb(rnd.nextGaussian(), rnd.nextInt(40) - 20));
    }
    float[] ys = new float[n * f], yv = new float[n * f];
    SCALAR.forwardInference(n, f, x, gamma, beta, rm, rv, eps, ys);
    VECTOR.forwardInference(n, f, x, gamma, beta, rm, rv, eps, yv);
    for (int i = 0; i < n * f; i++) {
      int j = i % f;
      String at = "y[" + i + "] (gamma " + gamma[j] + ", var " + rv[j] + ", eps " + eps + ", x - mean " + (x[i] - rm[j]) + ")";
      float k = gamma[j] / (float) Math.sqrt(rv[j] + eps);
      boolean folds = (Math.abs(k) >= Float.MIN_NORMAL && Math.abs(k) <= Float.MAX_VALUE) || gamma[j] == 0;
      if (!folds) {
        assertSameBits(ys[i], yv[i], at);
        continue;
      }
      if (Float.isNaN(yv[i]) && !Float.isNaN(ys[i])) fail("vector NaN, reference " + ys[i] + " at " + at);
      double t = gamma[j] * ((double) x[i] - rm[j]) / Math.sqrt((double) rv[j] + eps);
      double tol = 6 * U * (Math.abs(t) + Math.abs(beta[j])) + Float.MIN_VALUE;
      if (Math.abs(t) + Math.abs(beta[j]) < 0.5 * Float.MAX_VALUE && !(Math.abs(yv[i] - (t + beta[j])) <= tol)) {
        fail("vector " + yv[i] + ", formula " + (t + beta[j]) + " at " + at);
      }
    }
    float[] inPlace = x.clone();
    VECTOR.forwardInference(n, f, inPlace, gamma, beta, rm, rv, eps, inPlace);
    for (int i = 0; i < n * f; i++) assertSameBits(yv[i], inPlace[i], "in place y[" + i + "]");
  }

  private static void assertSameBits(float expected, float actual, String what) {
    if (Float.floatToIntBits(expected) != Float.floatToIntBits(actual)) {
      fail(what + ": expected " + expected + ", got " + actual);
    }
  }

  /**
   * Running statistics against {@code momentum * old + (1 - momentum) * batch} in double, with the
   * batch's exact mean and unbiased variance. Running mean: {@code (1 - momentum) dMu} plus three
   * roundings of the terms. Running variance: the float variance is within (n + 3) U relative plus
   * {@code (dMu / sigma)^2} (see {@link #normalizedColumnsHaveMeanZeroVarianceOne}), the unbiasing
   * adds 2 U, the average three roundings of its terms.
   */
  @Property(tries = 40)
  void runningStatisticsFollowTheAverage(@ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] rm = BatchNormInputs.uniform(rnd, f, -20, 20);
    float[] rv = BatchNormInputs.uniform(rnd, f, 0, 100);
    float momentum = rnd.nextBoolean() ? 0f : rnd.nextFloat() * 0.999f;
    double m = momentum;
    for (BatchNorm bn : BOTH) {
      Training t = Training.run(bn, n, f, x, new float[f], new float[f], momentum, rm, rv);
      for (int j = 0; j < f; j++) {
        Column c = Column.of(x, n, f, j);
        String at = name(bn) + " column " + j + " momentum " + momentum;
        double dMu = c.meanError(n);
        double oldPart = m * rm[j];
        double newPart = (1 - m) * c.mean;
        double tolMean = (1 - m) * dMu + 3 * U * (Math.abs(oldPart) + Math.abs(newPart));
        if (!(Math.abs(t.runningMean[j] - (oldPart + newPart)) <= tolMean)) {
          fail(at + ": running mean " + t.runningMean[j] + ", expected " + (oldPart + newPart));
        }
        double unbiased = c.var * n / (n - 1);
        double relVar = (n + 5) * U + (c.var == 0 ? 0 : dMu * dMu / c.var);
        double oldVar = m * rv[j];
        double newVar = (1 - m) * unbiased;
        double tolVar = newVar * relVar + 3 * U * (Math.abs(oldVar) + Math.abs(newVar));
        if (!(Math.abs(t.runningVar[j] - (oldVar + newVar)) <= tolVar)) {
          fail(at + ": running variance " + t.runningVar[j] + ", expected " + (oldVar + newVar));
        }
      }
    }
  }

  /**
   * Vector backward against the reference. dBeta sums dy in the same order (bit-identical); dGamma
   * uses FMAs, each within (n + 1) U of {@code sum |dy xhat|}. dx: both evaluate the closed form
   * {@code (gamma invStd / n)(n dy - sum dy - xhat sum dy xhat)} (arranged differently), whose error
   * is dominated by the two sums: each within {@code (n + 6) U T}, with
   * {@code T = |gamma| invStd / n (n |dy| + sum |dy| + |xhat| sum |dy xhat|)} the size of its terms.
   * In place ({@code dx == dy}, or {@code dx == xhat}) gives the same bits, in both implementations.
   */
  @Property(tries = 40)
  void backwardMatchesScalar(@ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] gamma = BatchNormInputs.uniform(rnd, f, -2, 2);
    Training t = Training.run(SCALAR, n, f, x, gamma, new float[f], 0.9f, new float[f], new float[f]);
    float[] dy = BatchNormInputs.gaussian(rnd, n * f);
    float[][] dx = new float[2][n * f];
    float[][] dGamma = new float[2][f];
    float[][] dBeta = new float[2][f];
    for (int k = 0; k < 2; k++) BOTH[k].backward(n, f, dy, t.xhat, gamma, t.invStd, dx[k], dGamma[k], dBeta[k]);
    assertArrayEquals(dBeta[0], dBeta[1], "dBeta");
    for (int j = 0; j < f; j++) {
      double sumAbsDy = 0;
      double sumAbsDyXhat = 0;
      for (int i = 0; i < n; i++) {
        sumAbsDy += Math.abs(dy[i * f + j]);
        sumAbsDyXhat += Math.abs(dy[i * f + j] * t.xhat[i * f + j]);
      }
      if (!(Math.abs(dGamma[1][j] - dGamma[0][j]) <= 2 * (n + 1) * U * sumAbsDyXhat)) {
        fail("dGamma[" + j + "] vector " + dGamma[1][j] + " scalar " + dGamma[0][j]);
      }
      double k = Math.abs(gamma[j]) * t.invStd[j] / n;
      for (int i = 0; i < n; i++) {
        int at = i * f + j;
        double terms = k * (n * Math.abs(dy[at]) + sumAbsDy + Math.abs(t.xhat[at]) * sumAbsDyXhat);
        if (!(Math.abs(dx[1][at] - dx[0][at]) <= 2 * (n + 6) * U * terms)) {
          fail("dx[" + at + "] vector " + dx[1][at] + " scalar " + dx[0][at] + " (terms " + terms + ")");
        }
      }
    }
    for (int k = 0; k < 2; k++) {
      float[] inPlace = dy.clone();
      float[] dg = new float[f];
      float[] db = new float[f];
      BOTH[k].backward(n, f, inPlace, t.xhat, gamma, t.invStd, inPlace, dg, db);
      assertArrayEquals(dx[k], inPlace, name(BOTH[k]) + " in place");
      assertArrayEquals(dGamma[k], dg, name(BOTH[k]) + " dGamma in place");
      assertArrayEquals(dBeta[k], db, name(BOTH[k]) + " dBeta in place");
      float[] overXhat = t.xhat.clone();
      BOTH[k].backward(n, f, dy, overXhat, gamma, t.invStd, overXhat, new float[f], new float[f]);
      assertArrayEquals(dx[k], overXhat, name(BOTH[k]) + " dx over xhat");
    }
  }

  /**
   * Backward where a column's sums overflow the float range (dy near Float.MAX_VALUE with the
   * sign of xhat, so {@code dGamma = sum dy xhat} is infinite). The reference's formula keeps gamma
   * inside its sums ({@code dxhat = dy gamma}), so with {@code gamma = 0} every dxhat, both sums and
   * dx are exactly 0 under IEEE rules, which is also the true derivative (y does not depend on x);
   * with a small gamma its sums stay finite and so does dx. The vector kernel factors gamma out of
   * the sums and then multiplied an infinite dGamma by 0 (NaN) or by the small gamma (infinity).
   * Both must give the reference's dx, bit for bit, on every column whose sums overflow, in place
   * too; columns of gamma = 0 must be exactly zero.
   */
  @Property(tries = 30)
  void backwardWithOverflowingSumsFollowsTheReference(
      @ForAll("batch") int n, @ForAll("features") int f, @ForAll long seed) {
    Random rnd = new Random(seed);
    float[] x = BatchNormInputs.columns(rnd, n, f);
    float[] ones = new float[f];
    Arrays.fill(ones, 1f);
    Training t = Training.run(SCALAR, n, f, x, ones, new float[f], 0.9f, new float[f], new float[f]);
    float[] gamma = new float[f];
    float[] choices = {0f, -0f, 1e-3f, -1e-30f, 1f};
    for (int j = 0; j < f; j++) gamma[j] = choices[rnd.nextInt(choices.length)];
    float[] dy = new float[n * f];
    for (int at = 0; at < n * f; at++) dy[at] = Math.copySign((float) (1e38 + 2e38 * rnd.nextDouble()), t.xhat[at]);
    float[][] dx = new float[2][n * f];
    for (int k = 0; k < 2; k++) BOTH[k].backward(n, f, dy, t.xhat, gamma, t.invStd, dx[k], new float[f], new float[f]);
    for (int k = 0; k < 2; k++) {
      float[] inPlace = dy.clone();
      BOTH[k].backward(n, f, inPlace, t.xhat, gamma, t.invStd, inPlace, new float[f], new float[f]);
      assertArrayEquals(dx[k], inPlace, name(BOTH[k]) + " in place");
    }
    float[] dGamma = new float[f];
    float[] dBeta = new float[f];
    VECTOR.backward(n, f, dy, t.xhat, gamma, t.invStd, new float[n * f], dGamma, dBeta);
    for (int j = 0; j < f; j++) {
      boolean overflows = !Float.isFinite(dGamma[j]) || !Float.isFinite(dBeta[j]);
      for (int i = 0; i < n; i++) {
        int at = i * f + j;
        String where = "dx[" + at + "] (gamma " + gamma[j] + ", dGamma " + dGamma[j] + ", dBeta " + dBeta[j] + ")";
        if (gamma[j] == 0f) {
          assertEquals(0f, Math.abs(dx[0][at]), "scalar " + where);
          assertEquals(0f, Math.abs(dx[1][at]), "vector " + where);
        }
        if (overflows) assertSameBits(dx[0][at], dx[1][at], where);
      }
    }
  }

  /**
   * Bad arguments: IllegalArgumentException whose message starts with the argument's name, and
   * nothing written (outputs and running statistics keep their sentinels).
   */
  @Example
  void badArgumentsNameTheArgument() {
    int n = 3;
    int f = 2;
    float[] x = new float[n * f];
    float[] p = new float[f];
    for (BatchNorm bn : BOTH) {
      float[][] outs = {filled(n * f), filled(n * f), filled(f), filled(f), filled(f), filled(f)};
      float[] y = outs[0];
      float[] xhat = outs[1];
      float[] mean = outs[2];
      float[] invStd = outs[3];
      float[] rm = outs[4];
      float[] rv = outs[5];
      Train train = (nn, ff, xx, g, b, e, m, rmm, rvv, yy, xh, mu, is) ->
          bn.forwardTraining(nn, ff, xx, g, b, e, m, rmm, rvv, yy, xh, mu, is);
      // Training needs 2 rows, and says so with the value for every smaller n (0 was told "n must be > 0").
      for (int small : new int[] {1, 0, -3}) {
        var e = assertThrows(IllegalArgumentException.class, () -> train.run(small, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, invStd));
        assertEquals("n must be >= 2 in training, got " + small + ": a batch of 1 has no variance to normalize by (use inference)",
            e.getMessage());
        expectBad("n", () -> train.run(small, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
      }
      expectBad("f", () -> train.run(n, -1, x, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
      for (float eps : new float[] {0f, -1e-5f, Float.NaN, Float.POSITIVE_INFINITY}) {
        expectBad("eps", () -> train.run(n, f, x, p, p, eps, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
        expectBad("eps", () -> bn.forwardInference(n, f, x, p, p, rm, rv, eps, y), outs);
      }
      for (float momentum : new float[] {-0.1f, 1f, 1.5f, Float.NaN}) {
        expectBad("momentum", () -> train.run(n, f, x, p, p, EPS, momentum, rm, rv, y, xhat, mean, invStd), outs);
      }
      float[] shortM = new float[n * f - 1];
      float[] shortF = new float[f - 1];
      expectBad("x", () -> train.run(n, f, shortM, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
      expectBad("gamma", () -> train.run(n, f, x, shortF, p, EPS, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
      expectBad("beta", () -> train.run(n, f, x, p, null, EPS, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
      expectBad("runningMean", () -> train.run(n, f, x, p, p, EPS, 0.9f, shortF, rv, y, xhat, mean, invStd), outs);
      expectBad("runningVar", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, shortF, y, xhat, mean, invStd), outs);
      expectBad("y", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, shortM, xhat, mean, invStd), outs);
      expectBad("xhat", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, shortM, mean, invStd), outs);
      expectBad("mean", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, shortF, invStd), outs);
      expectBad("invStd", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, shortF), outs);
      // Outputs that are one array: the batch mean written over the running mean lost the old one.
      expectBad("runningMean", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, rm, invStd), outs);
      expectBad("runningVar", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, rv), outs);
      expectBad("mean", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, xhat, mean, mean), outs);
      expectBad("runningMean", () -> train.run(n, f, x, rm, p, EPS, 0.9f, rm, rv, y, xhat, mean, invStd), outs);
      expectBad("xhat", () -> train.run(n, f, x, p, p, EPS, 0.9f, rm, rv, y, y, mean, invStd), outs);

      expectBad("n", () -> bn.forwardInference(0, f, x, p, p, rm, rv, EPS, y), outs);
      expectBad("f", () -> bn.forwardInference(n, 0, x, p, p, rm, rv, EPS, y), outs);
      expectBad("x", () -> bn.forwardInference(n, f, shortM, p, p, rm, rv, EPS, y), outs);
      expectBad("runningVar", () -> bn.forwardInference(n, f, x, p, p, rm, shortF, EPS, y), outs);
      // A negative running variance would make a whole column NaN, with no NaN in the input.
      for (float bad : new float[] {-1e-3f, Float.NEGATIVE_INFINITY}) {
        float[] badVar = {1f, bad};
        expectBad("runningVar[1]", () -> bn.forwardInference(n, f, x, p, p, new float[f], badVar, EPS, y), outs);
      }
      expectBad("y", () -> bn.forwardInference(n, f, x, p, p, rm, rv, EPS, shortM), outs);

      float[] dx = outs[0];
      float[] dGamma = outs[2];
      float[] dBeta = outs[3];
      expectBad("n", () -> bn.backward(-2, f, x, x, p, p, dx, dGamma, dBeta), outs);
      expectBad("f", () -> bn.backward(n, 0, x, x, p, p, dx, dGamma, dBeta), outs);
      expectBad("dy", () -> bn.backward(n, f, shortM, x, p, p, dx, dGamma, dBeta), outs);
      expectBad("xhat", () -> bn.backward(n, f, x, shortM, p, p, dx, dGamma, dBeta), outs);
      expectBad("gamma", () -> bn.backward(n, f, x, x, shortF, p, dx, dGamma, dBeta), outs);
      expectBad("invStd", () -> bn.backward(n, f, x, x, p, null, dx, dGamma, dBeta), outs);
      expectBad("dx", () -> bn.backward(n, f, x, x, p, p, shortM, dGamma, dBeta), outs);
      expectBad("dGamma", () -> bn.backward(n, f, x, x, p, p, dx, shortF, dBeta), outs);
      expectBad("dBeta", () -> bn.backward(n, f, x, x, p, p, dx, dGamma, shortF), outs);
    }
  }

  /**
   * An output that is one of the call's other arrays is refused, naming one of the two, before
   * anything is written: the kernels write the per-feature sums and statistics (dGamma and dBeta,
   * the batch mean and invStd) while they still read them and the other arrays, so such a call
   * gave wrong results with no error (backward with dGamma over gamma: every dx wrong in both
   * implementations). The documented exceptions pass: y over x, dx over dy; and dx over xhat, which
   * each kernel reads at the element it writes. Two inputs that are one array are fine. Every array
   * here holds n * f floats, so that any may stand for any other.
   */
  @Example
  void anOutputThatIsAnotherArgumentIsRefused() {
    int n = 3;
    int f = 2;
    String[] train = {"x", "gamma", "beta", "runningMean", "runningVar", "y", "xhat", "mean", "invStd"};
    String[] inference = {"x", "gamma", "beta", "runningMean", "runningVar", "y"};
    String[] backward = {"dy", "xhat", "gamma", "invStd", "dx", "dGamma", "dBeta"};
    for (BatchNorm bn : BOTH) {
      expectAliasesRefused(train, java.util.Set.of("runningMean", "runningVar", "y", "xhat", "mean", "invStd"),
          java.util.Set.of("y=x"), n * f,
          a -> bn.forwardTraining(n, f, a[0], a[1], a[2], EPS, 0.9f, a[3], a[4], a[5], a[6], a[7], a[8]));
      expectAliasesRefused(inference, java.util.Set.of("y"), java.util.Set.of("y=x"), n * f,
          a -> bn.forwardInference(n, f, a[0], a[1], a[2], a[3], a[4], EPS, a[5]));
      expectAliasesRefused(backward, java.util.Set.of("dx", "dGamma", "dBeta"), java.util.Set.of("dx=dy", "dx=xhat"), n * f,
          a -> bn.backward(n, f, a[0], a[1], a[2], a[3], a[4], a[5], a[6]));
    }
  }

  /**
   * For every pair of arguments of which one is an output (and the pair is not allowed, written
   * "output=other"), the call with both the same array throws naming one of them and changes none.
   */
  private static void expectAliasesRefused(
      String[] names, java.util.Set<String> outputs, java.util.Set<String> allowed, int len,
      java.util.function.Consumer<float[][]> call) {
    for (int i = 0; i < names.length; i++) {
      for (int j = 0; j < names.length; j++) {
        if (i == j || !outputs.contains(names[i]) || allowed.contains(names[i] + "=" + names[j])
            || allowed.contains(names[j] + "=" + names[i]) || outputs.contains(names[j]) && j < i) {
          continue;
        }
        float[][] args = new float[names.length][];
        for (int k = 0; k < args.length; k++) {
          args[k] = new float[len];
          Arrays.fill(args[k], 0.5f + k); // >= 0: a valid running variance wherever it stands
        }
        args[i] = args[j];
        float[][] before = new float[args.length][];
        for (int k = 0; k < args.length; k++) before[k] = args[k].clone();
        String pair = names[i] + " over " + names[j];
        IllegalArgumentException e =
            org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> call.accept(args), pair);
        String message = e.getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(
            (message.startsWith(names[i] + " ") && message.contains(names[j]))
                || (message.startsWith(names[j] + " ") && message.contains(names[i])),
            pair + ": " + message);
        for (int k = 0; k < args.length; k++) assertArrayEquals(before[k], args[k], pair + ": " + names[k] + " written");
      }
    }
  }

  /** The training forward's parameter list, so the checks above stay readable. */
  @FunctionalInterface
  private interface Train {
    void run(int n, int f, float[] x, float[] gamma, float[] beta, float eps, float momentum,
        float[] runningMean, float[] runningVar, float[] y, float[] xhat, float[] mean, float[] invStd);
  }

  private static void expectBad(String argument, Executable call, float[][] outputs) {
    BadArguments.rejects(argument, call, outputs);
  }

  private static float[] filled(int len) {
    float[] a = new float[len];
    Arrays.fill(a, SENTINEL);
    return a;
  }

  private static String name(BatchNorm bn) {
    return bn == SCALAR ? "scalar" : "vector";
  }

  /** A column's statistics in double, from its float values. */
  record Column(double mean, double var, double maxDeviationFromFirst, boolean constant) {
    static Column of(float[] x, int n, int f, int j) {
      double sum = 0;
      double maxDev = 0;
      for (int i = 0; i < n; i++) {
        sum += x[i * f + j];
        maxDev = Math.max(maxDev, Math.abs((double) x[i * f + j] - x[j]));
      }
      double mean = sum / n;
      double sq = 0;
      for (int i = 0; i < n; i++) sq += (x[i * f + j] - mean) * (x[i * f + j] - mean);
      return new Column(mean, sq / n, maxDev, BatchNormInputs.constant(x, n, f, j));
    }

    /** The bound dMu on the kernels' float mean (class comment). */
    double meanError(int n) {
      return (n + 1) * U * maxDeviationFromFirst + U * Math.abs(mean);
    }
  }
}
