package org.caviar.kernels;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batch normalization on the Vector API, vectorized across features: in a row-major {@code n x f}
 * matrix a row's features are contiguous, so one vector holds L features of one example, and a
 * per-feature sum is a vector accumulator carried down the rows.
 *
 * <p>Every pass streams the rows in order, four at a time: for each vector of features it loads
 * the accumulator (or the per-feature parameters) once, runs it down those four rows in a
 * register, and stores it back; the accumulators stay in L1. (Four rows unrolled measured a third
 * faster than a loop over them.) Walking a whole column of features down all n rows instead would
 * keep the accumulators in registers throughout, but its accesses are a row apart, and with a
 * power-of-two width (f = 1024: rows 4 KiB apart) every row of a column maps to the same cache
 * sets: measured 5 to 7 times slower at 256 x 1024 than at 256 x 1040. Streaming rows reads each
 * cache line once, front to back, whatever f is.
 *
 * <p>Features past the last whole vector ({@code f mod L}) are handled by scalar code inside the
 * same row sweeps: with the reference's expressions in the training forward and the gradient sums
 * (there y and dGamma round twice, as in the reference, where the vector loop fuses), and with the
 * vector loop's own, {@link Math#fma} included, in inference and for dx (the same bits as the loop).
 *
 * <p>Training forward keeps the reference's order of operations for the statistics: per feature,
 * the sum of deviations from the first row, then the sum of squared deviations from the mean,
 * each accumulated row after row as {@link ScalarBatchNorm} does, and the same scalar expressions
 * for invStd and the running statistics. So mean, invStd, xhat and the running statistics are
 * bit-identical to the reference, and a constant column gives a variance of exactly 0. Only
 * {@code y = gamma * xhat + beta} (one FMA here, two roundings there) and backward (FMAs, and the
 * closed form rearranged, see {@link #gradInput}) differ by rounding.
 *
 * <p>No method here takes or returns a vector: C2 stops inlining ordinary methods once a
 * compilation passes a node-count cutoff, each Vector API operation costs hundreds of nodes while
 * it is parsed, and a refused helper that returned a vector would box it on every call, an order
 * of magnitude slower. A refused pass over arrays is merely a call.
 */
final class VectorBatchNorm extends BatchNorm {
  static final VectorBatchNorm INSTANCE = new VectorBatchNorm();

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  /**
   * Inference's per-feature factors, per thread, grown on demand and then reused: {@code scale}
   * holds {@code gamma / sqrt(runningVar + eps)}, {@code divisor} 0 where that scale folds (see
   * {@link #forwardInferenceImpl}) and {@code sqrt(runningVar + eps)} where it does not.
   */
  private static final class InferenceFactors {
    float[] scale = new float[0];
    float[] divisor = new float[0];
  }

  private static final ThreadLocal<InferenceFactors> FACTORS = ThreadLocal.withInitial(InferenceFactors::new);

  private VectorBatchNorm() {}

  @Override
  void forwardTrainingImpl(
      int n, int f, float[] x, float[] gamma, float[] beta, float eps, float momentum,
      float[] runningMean, float[] runningVar,
      float[] y, float[] xhat, float[] mean, float[] invStd) {
    int fv = SPECIES.loopBound(f);
    sumDeviations(n, f, fv, x, mean);
    sumSquares(n, f, fv, x, mean, invStd);
    statistics(n, f, eps, momentum, mean, runningMean, runningVar, invStd);
    normalize(n, f, fv, x, gamma, beta, mean, invStd, xhat, y);
  }

  /**
   * {@code y = (x - runningMean) * k + beta}, one FMA per element, with the scale
   * {@code k = gamma / sqrt(runningVar + eps)} folded once per feature. The fold is exact to its
   * own rounding where k comes out a normal float, or gamma is 0 (k = +-0, and {@code d * 0} is
   * what {@code 0 * d / std} is). Elsewhere it loses what the reference's
   * {@code gamma * (x - runningMean) / std + beta} keeps: k = +-inf from a large gamma over a tiny
   * std (at {@code x == runningMean} that gives {@code 0 * inf = NaN} where the reference gives
   * beta, and +-inf where {@code gamma d / std} is finite), k = 0 or subnormal from a std that is
   * infinite or huge against gamma (beta, or a few bits, where the reference gives NaN or its
   * value), k = NaN from an infinite gamma over an infinite std. Such features (found in the O(f)
   * pass that computes k) take the reference's expression, so they get its bits; when there are
   * none, which is every ordinary set of parameters, the loop is the FMA loop alone, and the check
   * costs a few compares per vector of features beside the square root and the division there.
   * Where the scale folds, the results differ from the reference's by rounding, and where the
   * reference's own {@code gamma * (x - runningMean)} overflows or underflows before its division
   * (|gamma| and |x - mean| both huge, or both tiny, against std), the FMA is the closer to the
   * formula; with a finite beta it is NaN only where the reference is.
   */
  @Override
  void forwardInferenceImpl(
      int n, int f, float[] x, float[] gamma, float[] beta,
      float[] runningMean, float[] runningVar, float eps, float[] y) {
    InferenceFactors factors = FACTORS.get();
    if (factors.scale.length < f) {
      factors.scale = new float[f];
      factors.divisor = new float[f];
    }
    float[] scale = factors.scale;
    float[] divisor = factors.divisor;
    int fv = SPECIES.loopBound(f);
    boolean allFold = true;
    for (int v = 0; v < fv; v += L) {
      FloatVector std = FloatVector.fromArray(SPECIES, runningVar, v).add(eps).sqrt();
      FloatVector g = FloatVector.fromArray(SPECIES, gamma, v);
      FloatVector k = g.div(std);
      k.intoArray(scale, v);
      FloatVector magnitude = k.abs();
      VectorMask<Float> folds = magnitude.compare(VectorOperators.GE, Float.MIN_NORMAL)
          .and(magnitude.compare(VectorOperators.LE, Float.MAX_VALUE))
          .or(g.compare(VectorOperators.EQ, 0f));
      FloatVector.zero(SPECIES).blend(std, folds.not()).intoArray(divisor, v);
      allFold &= folds.allTrue();
    }
    for (int j = fv; j < f; j++) {
      float std = (float) Math.sqrt(runningVar[j] + eps);
      float k = gamma[j] / std;
      scale[j] = k;
      boolean folds = (Math.abs(k) >= Float.MIN_NORMAL && Math.abs(k) <= Float.MAX_VALUE) || gamma[j] == 0f;
      divisor[j] = folds ? 0f : std;
      allFold &= folds;
    }
    if (allFold) infer(n, f, fv, x, beta, runningMean, scale, y);
    else inferUnfolded(n, f, fv, x, gamma, beta, runningMean, scale, divisor, y);
  }

  @Override
  void backwardImpl(
      int n, int f, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dx, float[] dGamma, float[] dBeta) {
    int fv = SPECIES.loopBound(f);
    gradSums(n, f, fv, dy, xhat, dGamma, dBeta);
    float[] overflowed = overflowedColumns(n, f, dy, xhat, gamma, invStd, dGamma, dBeta);
    gradInput(n, f, fv, dy, xhat, gamma, invStd, dGamma, dBeta, dx);
    if (overflowed != null) {
      for (int j = 0, q = 0; j < f; j++) {
        if (overflows(dGamma[j], dBeta[j])) {
          for (int i = 0; i < n; i++) dx[i * f + j] = overflowed[q * n + i];
          q++;
        }
      }
    }
  }

  private static boolean overflows(float dGamma, float dBeta) {
    return !Float.isFinite(dGamma) || !Float.isFinite(dBeta);
  }

  /**
   * dx of the columns whose sums are not finite, by the reference's formula ({@link
   * ScalarBatchNorm#backwardColumn}), one column after another; null when there is none (once per
   * feature, nothing per element). {@link #gradInput} factors gamma out of the sums: an infinite
   * dGamma or dBeta times {@code gamma = 0} made the column NaN, and times a small gamma infinite,
   * where the reference, whose sums hold {@code dy gamma}, gives 0 (the derivative: y does not
   * depend on x) or a finite dx. Taken before gradInput, which may write dx over dy or xhat.
   */
  private static float[] overflowedColumns(
      int n, int f, float[] dy, float[] xhat, float[] gamma, float[] invStd, float[] dGamma, float[] dBeta) {
    int count = 0;
    for (int j = 0; j < f; j++) if (overflows(dGamma[j], dBeta[j])) count++;
    if (count == 0) return null;
    float[] columns = new float[count * n];
    float[] sums = new float[f];
    for (int j = 0, q = 0; j < f; j++) {
      if (overflows(dGamma[j], dBeta[j])) {
        ScalarBatchNorm.backwardColumn(n, f, j, dy, xhat, gamma, invStd, columns, q * n, 1, sums, sums.clone());
        q++;
      }
    }
    return columns;
  }

  /**
   * {@code mean = x0 + sum_i (x_i - x0) / n} with x0 the first row: a constant column sums to
   * exactly 0, so its mean is exactly its value.
   */
  private static void sumDeviations(int n, int f, int fv, float[] x, float[] mean) {
    Arrays.fill(mean, 0, f, 0f);
    int i = 0;
    for (; Blocks.whole(i, 4, n); i += 4) {
      int r0 = i * f;
      int r1 = r0 + f;
      int r2 = r1 + f;
      int r3 = r2 + f;
      for (int v = 0; v < fv; v += L) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, x, v);
        FloatVector.fromArray(SPECIES, mean, v)
            .add(FloatVector.fromArray(SPECIES, x, r0 + v).sub(x0))
            .add(FloatVector.fromArray(SPECIES, x, r1 + v).sub(x0))
            .add(FloatVector.fromArray(SPECIES, x, r2 + v).sub(x0))
            .add(FloatVector.fromArray(SPECIES, x, r3 + v).sub(x0))
            .intoArray(mean, v);
      }
      for (int row = r0; row <= r3; row += f) deviationsTail(row, f, fv, x, mean);
    }
    for (; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector x0 = FloatVector.fromArray(SPECIES, x, v);
        FloatVector.fromArray(SPECIES, mean, v)
            .add(FloatVector.fromArray(SPECIES, x, row + v).sub(x0))
            .intoArray(mean, v);
      }
      deviationsTail(row, f, fv, x, mean);
    }
    for (int v = 0; v < fv; v += L) {
      FloatVector x0 = FloatVector.fromArray(SPECIES, x, v);
      x0.add(FloatVector.fromArray(SPECIES, mean, v).div(n)).intoArray(mean, v);
    }
    for (int j = fv; j < f; j++) mean[j] = x[j] + mean[j] / n;
  }

  private static void deviationsTail(int row, int f, int fv, float[] x, float[] mean) {
    for (int j = fv; j < f; j++) mean[j] += x[row + j] - x[j];
  }

  /**
   * Sums of squared deviations from the mean, into {@code invStd} until the caller turns them into
   * what it should hold. {@code d * d + q} rounds twice, as in the reference.
   */
  private static void sumSquares(int n, int f, int fv, float[] x, float[] mean, float[] invStd) {
    Arrays.fill(invStd, 0, f, 0f);
    int i = 0;
    for (; Blocks.whole(i, 4, n); i += 4) {
      int r0 = i * f;
      int r1 = r0 + f;
      int r2 = r1 + f;
      int r3 = r2 + f;
      for (int v = 0; v < fv; v += L) {
        FloatVector mu = FloatVector.fromArray(SPECIES, mean, v);
        FloatVector d0 = FloatVector.fromArray(SPECIES, x, r0 + v).sub(mu);
        FloatVector d1 = FloatVector.fromArray(SPECIES, x, r1 + v).sub(mu);
        FloatVector d2 = FloatVector.fromArray(SPECIES, x, r2 + v).sub(mu);
        FloatVector d3 = FloatVector.fromArray(SPECIES, x, r3 + v).sub(mu);
        FloatVector.fromArray(SPECIES, invStd, v)
            .add(d0.mul(d0))
            .add(d1.mul(d1))
            .add(d2.mul(d2))
            .add(d3.mul(d3))
            .intoArray(invStd, v);
      }
      for (int row = r0; row <= r3; row += f) squaresTail(row, f, fv, x, mean, invStd);
    }
    for (; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector d = FloatVector.fromArray(SPECIES, x, row + v)
            .sub(FloatVector.fromArray(SPECIES, mean, v));
        FloatVector.fromArray(SPECIES, invStd, v).add(d.mul(d)).intoArray(invStd, v);
      }
      squaresTail(row, f, fv, x, mean, invStd);
    }
  }

  private static void squaresTail(int row, int f, int fv, float[] x, float[] mean, float[] invStd) {
    for (int j = fv; j < f; j++) {
      float d = x[row + j] - mean[j];
      invStd[j] += d * d;
    }
  }

  /**
   * From the sums of squared deviations in {@code invStd}: the biased variance,
   * {@code invStd = 1 / sqrt(var + eps)} and the running statistics, with the reference's
   * expressions. O(f) work beside the O(n f) passes, so it stays scalar (a vector version measured
   * no faster overall, and after C2 compiled it, the forward pass around it at times ran 4 times
   * slower, for reasons not found).
   */
  private static void statistics(
      int n, int f, float eps, float momentum, float[] mean,
      float[] runningMean, float[] runningVar, float[] invStd) {
    for (int j = 0; j < f; j++) {
      float var = invStd[j] / n;
      invStd[j] = 1f / (float) Math.sqrt(var + eps);
      runningMean[j] = momentum * runningMean[j] + (1 - momentum) * mean[j];
      runningVar[j] = momentum * runningVar[j] + (1 - momentum) * (var * n / (n - 1));
    }
  }

  /** {@code xhat = (x - mean) * invStd}, {@code y = gamma * xhat + beta}. */
  private static void normalize(
      int n, int f, int fv, float[] x, float[] gamma, float[] beta, float[] mean, float[] invStd,
      float[] xhat, float[] y) {
    int i = 0;
    for (; Blocks.whole(i, 4, n); i += 4) {
      int r0 = i * f;
      int r1 = r0 + f;
      int r2 = r1 + f;
      int r3 = r2 + f;
      for (int v = 0; v < fv; v += L) {
        FloatVector mu = FloatVector.fromArray(SPECIES, mean, v);
        FloatVector is = FloatVector.fromArray(SPECIES, invStd, v);
        FloatVector g = FloatVector.fromArray(SPECIES, gamma, v);
        FloatVector b = FloatVector.fromArray(SPECIES, beta, v);
        FloatVector h0 = FloatVector.fromArray(SPECIES, x, r0 + v).sub(mu).mul(is);
        FloatVector h1 = FloatVector.fromArray(SPECIES, x, r1 + v).sub(mu).mul(is);
        FloatVector h2 = FloatVector.fromArray(SPECIES, x, r2 + v).sub(mu).mul(is);
        FloatVector h3 = FloatVector.fromArray(SPECIES, x, r3 + v).sub(mu).mul(is);
        h0.intoArray(xhat, r0 + v);
        h1.intoArray(xhat, r1 + v);
        h2.intoArray(xhat, r2 + v);
        h3.intoArray(xhat, r3 + v);
        h0.fma(g, b).intoArray(y, r0 + v);
        h1.fma(g, b).intoArray(y, r1 + v);
        h2.fma(g, b).intoArray(y, r2 + v);
        h3.fma(g, b).intoArray(y, r3 + v);
      }
      for (int row = r0; row <= r3; row += f) {
        normalizeTail(row, f, fv, x, gamma, beta, mean, invStd, xhat, y);
      }
    }
    for (; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector h = FloatVector.fromArray(SPECIES, x, row + v)
            .sub(FloatVector.fromArray(SPECIES, mean, v))
            .mul(FloatVector.fromArray(SPECIES, invStd, v));
        h.intoArray(xhat, row + v);
        h.fma(FloatVector.fromArray(SPECIES, gamma, v), FloatVector.fromArray(SPECIES, beta, v))
            .intoArray(y, row + v);
      }
      normalizeTail(row, f, fv, x, gamma, beta, mean, invStd, xhat, y);
    }
  }

  private static void normalizeTail(
      int row, int f, int fv, float[] x, float[] gamma, float[] beta, float[] mean, float[] invStd,
      float[] xhat, float[] y) {
    for (int j = fv; j < f; j++) {
      float h = (x[row + j] - mean[j]) * invStd[j];
      xhat[row + j] = h;
      y[row + j] = gamma[j] * h + beta[j];
    }
  }

  /** {@code y = (x - runningMean) * scale + beta}, one FMA per element. */
  private static void infer(
      int n, int f, int fv, float[] x, float[] beta, float[] runningMean, float[] scale, float[] y) {
    int i = 0;
    for (; Blocks.whole(i, 4, n); i += 4) {
      int r0 = i * f;
      int r1 = r0 + f;
      int r2 = r1 + f;
      int r3 = r2 + f;
      for (int v = 0; v < fv; v += L) {
        FloatVector mu = FloatVector.fromArray(SPECIES, runningMean, v);
        FloatVector k = FloatVector.fromArray(SPECIES, scale, v);
        FloatVector b = FloatVector.fromArray(SPECIES, beta, v);
        FloatVector.fromArray(SPECIES, x, r0 + v).sub(mu).fma(k, b).intoArray(y, r0 + v);
        FloatVector.fromArray(SPECIES, x, r1 + v).sub(mu).fma(k, b).intoArray(y, r1 + v);
        FloatVector.fromArray(SPECIES, x, r2 + v).sub(mu).fma(k, b).intoArray(y, r2 + v);
        FloatVector.fromArray(SPECIES, x, r3 + v).sub(mu).fma(k, b).intoArray(y, r3 + v);
      }
      for (int row = r0; row <= r3; row += f) inferTail(row, f, fv, x, beta, runningMean, scale, y);
    }
    for (; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector.fromArray(SPECIES, x, row + v)
            .sub(FloatVector.fromArray(SPECIES, runningMean, v))
            .fma(FloatVector.fromArray(SPECIES, scale, v), FloatVector.fromArray(SPECIES, beta, v))
            .intoArray(y, row + v);
      }
      inferTail(row, f, fv, x, beta, runningMean, scale, y);
    }
  }

  private static void inferTail(
      int row, int f, int fv, float[] x, float[] beta, float[] runningMean, float[] scale, float[] y) {
    for (int j = fv; j < f; j++) y[row + j] = Math.fma(x[row + j] - runningMean[j], scale[j], beta[j]);
  }

  /**
   * {@link #infer} for parameters where some scale does not fold ({@code divisor != 0}): those
   * features take the reference's {@code gamma * (x - runningMean) / divisor + beta} (a NaN divisor
   * too), the others the FMA, lane by lane, so a feature's result does not depend on its
   * neighbours. A row at a time: only absurd parameters come here.
   */
  private static void inferUnfolded(
      int n, int f, int fv, float[] x, float[] gamma, float[] beta, float[] runningMean,
      float[] scale, float[] divisor, float[] y) {
    for (int i = 0; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector d = FloatVector.fromArray(SPECIES, x, row + v)
            .sub(FloatVector.fromArray(SPECIES, runningMean, v));
        FloatVector b = FloatVector.fromArray(SPECIES, beta, v);
        FloatVector out = d.fma(FloatVector.fromArray(SPECIES, scale, v), b);
        FloatVector std = FloatVector.fromArray(SPECIES, divisor, v);
        VectorMask<Float> unfolded = std.compare(VectorOperators.NE, 0f);
        if (unfolded.anyTrue()) {
          FloatVector reference = FloatVector.fromArray(SPECIES, gamma, v).mul(d).div(std).add(b);
          out = out.blend(reference, unfolded);
        }
        out.intoArray(y, row + v);
      }
      for (int j = fv; j < f; j++) {
        float d = x[row + j] - runningMean[j];
        y[row + j] = divisor[j] == 0f ? Math.fma(d, scale[j], beta[j]) : gamma[j] * d / divisor[j] + beta[j];
      }
    }
  }

  /** {@code dBeta = sum_i dy}, {@code dGamma = sum_i dy * xhat}. */
  private static void gradSums(
      int n, int f, int fv, float[] dy, float[] xhat, float[] dGamma, float[] dBeta) {
    Arrays.fill(dBeta, 0, f, 0f);
    Arrays.fill(dGamma, 0, f, 0f);
    int i = 0;
    for (; Blocks.whole(i, 4, n); i += 4) {
      int r0 = i * f;
      int r1 = r0 + f;
      int r2 = r1 + f;
      int r3 = r2 + f;
      for (int v = 0; v < fv; v += L) {
        FloatVector d0 = FloatVector.fromArray(SPECIES, dy, r0 + v);
        FloatVector d1 = FloatVector.fromArray(SPECIES, dy, r1 + v);
        FloatVector d2 = FloatVector.fromArray(SPECIES, dy, r2 + v);
        FloatVector d3 = FloatVector.fromArray(SPECIES, dy, r3 + v);
        FloatVector.fromArray(SPECIES, dBeta, v).add(d0).add(d1).add(d2).add(d3).intoArray(dBeta, v);
        FloatVector sg = FloatVector.fromArray(SPECIES, dGamma, v);
        sg = d0.fma(FloatVector.fromArray(SPECIES, xhat, r0 + v), sg);
        sg = d1.fma(FloatVector.fromArray(SPECIES, xhat, r1 + v), sg);
        sg = d2.fma(FloatVector.fromArray(SPECIES, xhat, r2 + v), sg);
        sg = d3.fma(FloatVector.fromArray(SPECIES, xhat, r3 + v), sg);
        sg.intoArray(dGamma, v);
      }
      for (int row = r0; row <= r3; row += f) gradSumsTail(row, f, fv, dy, xhat, dGamma, dBeta);
    }
    for (; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector d = FloatVector.fromArray(SPECIES, dy, row + v);
        FloatVector.fromArray(SPECIES, dBeta, v).add(d).intoArray(dBeta, v);
        d.fma(FloatVector.fromArray(SPECIES, xhat, row + v), FloatVector.fromArray(SPECIES, dGamma, v))
            .intoArray(dGamma, v);
      }
      gradSumsTail(row, f, fv, dy, xhat, dGamma, dBeta);
    }
  }

  private static void gradSumsTail(
      int row, int f, int fv, float[] dy, float[] xhat, float[] dGamma, float[] dBeta) {
    for (int j = fv; j < f; j++) {
      dBeta[j] += dy[row + j];
      dGamma[j] += dy[row + j] * xhat[row + j];
    }
  }

  /**
   * The closed form with {@code sum dxhat = gamma dBeta} and {@code sum dxhat xhat = gamma dGamma}
   * factored out: with {@code kn = gamma invStd},
   * {@code dx = kn (n dy - dBeta - xhat dGamma) / n = kn (dy - (dBeta / n + xhat dGamma / n))}:
   * an FMA, a subtraction and a multiply per element.
   */
  private static void gradInput(
      int n, int f, int fv, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dGamma, float[] dBeta, float[] dx) {
    float invN = 1f / n;
    int i = 0;
    for (; Blocks.whole(i, 4, n); i += 4) {
      int r0 = i * f;
      int r1 = r0 + f;
      int r2 = r1 + f;
      int r3 = r2 + f;
      for (int v = 0; v < fv; v += L) {
        FloatVector kn = FloatVector.fromArray(SPECIES, gamma, v)
            .mul(FloatVector.fromArray(SPECIES, invStd, v));
        FloatVector gn = FloatVector.fromArray(SPECIES, dGamma, v).mul(invN);
        FloatVector bn = FloatVector.fromArray(SPECIES, dBeta, v).mul(invN);
        FloatVector p0 = FloatVector.fromArray(SPECIES, xhat, r0 + v).fma(gn, bn);
        FloatVector p1 = FloatVector.fromArray(SPECIES, xhat, r1 + v).fma(gn, bn);
        FloatVector p2 = FloatVector.fromArray(SPECIES, xhat, r2 + v).fma(gn, bn);
        FloatVector p3 = FloatVector.fromArray(SPECIES, xhat, r3 + v).fma(gn, bn);
        FloatVector.fromArray(SPECIES, dy, r0 + v).sub(p0).mul(kn).intoArray(dx, r0 + v);
        FloatVector.fromArray(SPECIES, dy, r1 + v).sub(p1).mul(kn).intoArray(dx, r1 + v);
        FloatVector.fromArray(SPECIES, dy, r2 + v).sub(p2).mul(kn).intoArray(dx, r2 + v);
        FloatVector.fromArray(SPECIES, dy, r3 + v).sub(p3).mul(kn).intoArray(dx, r3 + v);
      }
      for (int row = r0; row <= r3; row += f) {
        gradInputTail(row, f, fv, invN, dy, xhat, gamma, invStd, dGamma, dBeta, dx);
      }
    }
    for (; i < n; i++) {
      int row = i * f;
      for (int v = 0; v < fv; v += L) {
        FloatVector kn = FloatVector.fromArray(SPECIES, gamma, v)
            .mul(FloatVector.fromArray(SPECIES, invStd, v));
        FloatVector gn = FloatVector.fromArray(SPECIES, dGamma, v).mul(invN);
        FloatVector bn = FloatVector.fromArray(SPECIES, dBeta, v).mul(invN);
        FloatVector p = FloatVector.fromArray(SPECIES, xhat, row + v).fma(gn, bn);
        FloatVector.fromArray(SPECIES, dy, row + v).sub(p).mul(kn).intoArray(dx, row + v);
      }
      gradInputTail(row, f, fv, invN, dy, xhat, gamma, invStd, dGamma, dBeta, dx);
    }
  }

  private static void gradInputTail(
      int row, int f, int fv, float invN, float[] dy, float[] xhat, float[] gamma, float[] invStd,
      float[] dGamma, float[] dBeta, float[] dx) {
    for (int j = fv; j < f; j++) {
      float projection = Math.fma(xhat[row + j], dGamma[j] * invN, dBeta[j] * invN);
      dx[row + j] = (dy[row + j] - projection) * (gamma[j] * invStd[j]);
    }
  }
}
