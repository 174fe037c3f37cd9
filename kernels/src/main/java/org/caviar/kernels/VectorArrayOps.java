package org.caviar.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Array operations on the Vector API, full vectors then a scalar tail. The tails use
 * {@link Math#fma} wherever the vector loop fuses, so an element's result does not depend on
 * whether it fell in the body or the tail (dot and sumOfSquares excepted: order matters there).
 *
 * <p>Against {@link ScalarArrayOps}: addBias, add, scale and columnSums give the same bits (columnSums
 * adds each column's rows in the same order). axpy differs by the fused multiply-add: with
 * {@code u = 2^-24} and {@code y' = alpha x + y} exact,
 * {@code |vector - scalar| <= u |alpha x| + 2u |y'|} (the reference rounds the product and the
 * sum, the FMA the sum only). dot and sumOfSquares sum in a different order (four vector
 * accumulators, then across lanes, then the tail), each within {@code gamma_len * sum |x_i y_i|}
 * of the exact value, {@code gamma_n = n u / (1 - n u)}.
 */
final class VectorArrayOps extends ArrayOps {
  static final VectorArrayOps INSTANCE = new VectorArrayOps();

  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
  private static final int L = SPECIES.length();

  private VectorArrayOps() {}

  @Override
  void addBiasImpl(int rows, int cols, float[] bias, float[] x) {
    int bound = SPECIES.loopBound(cols);
    for (int r = 0, base = 0; r < rows; r++, base += cols) {
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromArray(SPECIES, x, base + j)
            .add(FloatVector.fromArray(SPECIES, bias, j))
            .intoArray(x, base + j);
      }
      for (; j < cols; j++) x[base + j] += bias[j];
    }
  }

  /**
   * Blocks of four vectors of columns, each block summed down all rows in registers (four
   * independent add chains), then single vectors, then the remaining columns one by one. Every
   * column adds its rows top to bottom, as the reference does.
   */
  @Override
  void columnSumsImpl(int rows, int cols, float[] x, float[] sums) {
    int j = 0;
    for (int bound = cols - 4 * L; j <= bound; j += 4 * L) {
      FloatVector s0 = FloatVector.zero(SPECIES);
      FloatVector s1 = s0;
      FloatVector s2 = s0;
      FloatVector s3 = s0;
      for (int r = 0, at = j; r < rows; r++, at += cols) {
        s0 = s0.add(FloatVector.fromArray(SPECIES, x, at));
        s1 = s1.add(FloatVector.fromArray(SPECIES, x, at + L));
        s2 = s2.add(FloatVector.fromArray(SPECIES, x, at + 2 * L));
        s3 = s3.add(FloatVector.fromArray(SPECIES, x, at + 3 * L));
      }
      s0.intoArray(sums, j);
      s1.intoArray(sums, j + L);
      s2.intoArray(sums, j + 2 * L);
      s3.intoArray(sums, j + 3 * L);
    }
    for (int bound = SPECIES.loopBound(cols); j < bound; j += L) {
      FloatVector s = FloatVector.zero(SPECIES);
      for (int r = 0, at = j; r < rows; r++, at += cols) s = s.add(FloatVector.fromArray(SPECIES, x, at));
      s.intoArray(sums, j);
    }
    for (; j < cols; j++) {
      float s = 0f;
      for (int r = 0, at = j; r < rows; r++, at += cols) s += x[at];
      sums[j] = s;
    }
  }

  @Override
  void addImpl(
      int rows, int cols, float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
    int bound = SPECIES.loopBound(cols);
    for (int r = 0; r < rows; r++) {
      int ar = aOff + r * lda;
      int br = bOff + r * ldb;
      int cr = cOff + r * ldc;
      int j = 0;
      for (; j < bound; j += L) {
        FloatVector.fromArray(SPECIES, a, ar + j).add(FloatVector.fromArray(SPECIES, b, br + j)).intoArray(c, cr + j);
      }
      for (; j < cols; j++) c[cr + j] = a[ar + j] + b[br + j];
    }
  }

  @Override
  void axpyImpl(int len, float alpha, float[] x, float[] y) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(SPECIES, x, i)
          .fma(FloatVector.broadcast(SPECIES, alpha), FloatVector.fromArray(SPECIES, y, i))
          .intoArray(y, i);
    }
    for (; i < len; i++) y[i] = Math.fma(x[i], alpha, y[i]);
  }

  @Override
  void scaleImpl(int len, float alpha, float[] x) {
    int i = 0;
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector.fromArray(SPECIES, x, i).mul(alpha).intoArray(x, i);
    }
    for (; i < len; i++) x[i] *= alpha;
  }

  /**
   * Four accumulators: each FMA here needs two loads, so at two loads per cycle about one FMA
   * issues per cycle, and four independent chains cover its ~4-cycle latency.
   */
  @Override
  float dotImpl(int len, float[] x, float[] y) {
    int i = 0;
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    for (int bound = len - 4 * L; i <= bound; i += 4 * L) {
      s0 = FloatVector.fromArray(SPECIES, x, i).fma(FloatVector.fromArray(SPECIES, y, i), s0);
      s1 = FloatVector.fromArray(SPECIES, x, i + L).fma(FloatVector.fromArray(SPECIES, y, i + L), s1);
      s2 = FloatVector.fromArray(SPECIES, x, i + 2 * L).fma(FloatVector.fromArray(SPECIES, y, i + 2 * L), s2);
      s3 = FloatVector.fromArray(SPECIES, x, i + 3 * L).fma(FloatVector.fromArray(SPECIES, y, i + 3 * L), s3);
    }
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      s0 = FloatVector.fromArray(SPECIES, x, i).fma(FloatVector.fromArray(SPECIES, y, i), s0);
    }
    // The lanes added pairwise in a fixed order, written out here, not in a helper that would receive
    // the vector as a heap object if C2 did not inline it. reduceLanes(ADD) may associate
    // differently once C2 compiles it than when interpreted, and the same input must give the same
    // bits whether or not the JIT has run (a seeded training run must be reproducible).
    FloatVector s = s0.add(s1).add(s2.add(s3));
    for (int half = L / 2; half > 0; half /= 2) s = s.add(s.slice(half));
    float sum = s.lane(0);
    for (; i < len; i++) sum = Math.fma(x[i], y[i], sum);
    return sum;
  }

  @Override
  float sumOfSquaresImpl(int len, float[] x) {
    int i = 0;
    FloatVector s0 = FloatVector.zero(SPECIES);
    FloatVector s1 = s0;
    FloatVector s2 = s0;
    FloatVector s3 = s0;
    for (int bound = len - 4 * L; i <= bound; i += 4 * L) {
      FloatVector v0 = FloatVector.fromArray(SPECIES, x, i);
      FloatVector v1 = FloatVector.fromArray(SPECIES, x, i + L);
      FloatVector v2 = FloatVector.fromArray(SPECIES, x, i + 2 * L);
      FloatVector v3 = FloatVector.fromArray(SPECIES, x, i + 3 * L);
      s0 = v0.fma(v0, s0);
      s1 = v1.fma(v1, s1);
      s2 = v2.fma(v2, s2);
      s3 = v3.fma(v3, s3);
    }
    for (int bound = SPECIES.loopBound(len); i < bound; i += L) {
      FloatVector v = FloatVector.fromArray(SPECIES, x, i);
      s0 = v.fma(v, s0);
    }
    FloatVector s = s0.add(s1).add(s2.add(s3));
    for (int half = L / 2; half > 0; half /= 2) s = s.add(s.slice(half)); // as in dotImpl
    float sum = s.lane(0);
    for (; i < len; i++) sum = Math.fma(x[i], x[i], sum);
    return sum;
  }
}
