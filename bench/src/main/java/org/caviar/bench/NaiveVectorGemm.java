package org.caviar.bench;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM a programmer writes first with the Vector API, as a baseline peer: no packing, no
 * register blocking, no cache blocking. {@code C = op(A) op(B)} on dense row-major arrays.
 *
 * <p>NN and TN run the i-k-j loop: row i of C gains {@code a(i,p) * (row p of B)} for each p, a
 * vector FMA along the contiguous row. NT has no contiguous row of {@code op(B)} to stream, so it
 * runs the other natural loop: each {@code c(i,j)} is a dot product of two contiguous rows, one
 * vector accumulator reduced at the end.
 */
final class NaiveVectorGemm {
  private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  private NaiveVectorGemm() {}

  /**
   * @param transA whether A is stored {@code k x m}
   * @param transB whether B is stored {@code n x k}; not together with {@code transA}
   */
  static void multiply(
      boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    if (transA && transB) throw new IllegalArgumentException("TT is not a form this baseline covers");
    if (transB) dotProducts(m, n, k, a, b, c);
    else rowUpdates(transA, m, n, k, a, b, c);
  }

  private static void rowUpdates(boolean transA, int m, int n, int k, float[] a, float[] b, float[] c) {
    int bound = SPECIES.loopBound(n);
    for (int i = 0; i < m; i++) {
      int cRow = i * n;
      java.util.Arrays.fill(c, cRow, cRow + n, 0f);
      for (int p = 0; p < k; p++) {
        float aip = transA ? a[p * m + i] : a[i * k + p];
        FloatVector va = FloatVector.broadcast(SPECIES, aip);
        int bRow = p * n;
        int j = 0;
        for (; j < bound; j += SPECIES.length()) {
          FloatVector vb = FloatVector.fromArray(SPECIES, b, bRow + j);
          FloatVector vc = FloatVector.fromArray(SPECIES, c, cRow + j);
          vb.fma(va, vc).intoArray(c, cRow + j);
        }
        for (; j < n; j++) c[cRow + j] += aip * b[bRow + j];
      }
    }
  }

  private static void dotProducts(int m, int n, int k, float[] a, float[] b, float[] c) {
    int bound = SPECIES.loopBound(k);
    for (int i = 0; i < m; i++) {
      int aRow = i * k;
      for (int j = 0; j < n; j++) {
        int bRow = j * k;
        FloatVector acc = FloatVector.zero(SPECIES);
        int p = 0;
        for (; p < bound; p += SPECIES.length()) {
          FloatVector va = FloatVector.fromArray(SPECIES, a, aRow + p);
          acc = va.fma(FloatVector.fromArray(SPECIES, b, bRow + p), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) sum += a[aRow + p] * b[bRow + p];
        c[i * n + j] = sum;
      }
    }
  }
}
