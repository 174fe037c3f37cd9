package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A benchmark of a wrong product measures nothing: every GEMM the benchmarks bind (Caviar's, the
 * naive loop, EJML, netlib's Java BLAS, OpenBLAS where installed) computes
 * {@code C = op(A) op(B)} for the three forms, against a double-precision reference.
 *
 * <p>Tolerance: any order of summing k float products, with or without FMA, stays within
 * {@code gamma_k * sum_p |a_ip b_pj|} of the exact dot product, {@code gamma_k = k u / (1 - k u)},
 * {@code u = 2^-24} (Higham, Accuracy and Stability, 3.1). Values in [-1, 1] keep clear of
 * subnormals, so the bound holds as stated. A wrong layout or transpose is off by O(1).
 */
class GemmPeersProperties {
  private static final int LANES = FloatVector.SPECIES_PREFERRED.length();
  private static final double U = Math.scalb(1.0, -24);

  /** Every implementation this machine can run. */
  private static List<String> impls() {
    List<String> impls = new ArrayList<>(List.of("caviar", "caviar-all", "scalar", "naive", "ejml", "netlib"));
    if (OpenBlas.probe().openBlas() != null) impls.addAll(List.of("openblas", "openblas-all"));
    return impls;
  }

  @Provide
  Arbitrary<Integer> sizes() {
    List<Integer> edges = new ArrayList<>();
    for (int s : new int[] {1, LANES - 1, LANES, LANES + 1, 2 * LANES + 1, 7, 13, 31}) {
      if (s >= 1 && !edges.contains(s)) edges.add(s);
    }
    return Arbitraries.oneOf(Arbitraries.of(edges), Arbitraries.integers().between(1, 48));
  }

  @Property(tries = 40)
  void everyImplementationComputesEveryForm(
      @ForAll("sizes") int m, @ForAll("sizes") int n, @ForAll("sizes") int k, @ForAll long seed) {
    for (String impl : impls()) {
      check(impl, false, false, m, n, k, seed);
      check(impl, false, true, m, n, k, seed);
      check(impl, true, false, m, n, k, seed);
    }
  }

  /** Large enough (2 m n k > 4 M flops) for caviar-all to split the work over its threads. */
  @Example
  void largeProductsSplitOverThreadsStayCorrect() {
    for (String impl : impls()) {
      check(impl, false, false, 197, 181, 163, 1);
      check(impl, false, true, 197, 181, 163, 2);
      check(impl, true, false, 197, 181, 163, 3);
    }
  }

  @Example
  void threadCountsAndLabelsFollowTheName() {
    int cores = Runtime.getRuntime().availableProcessors();
    assertEquals(1, GemmPeers.threads("caviar"));
    assertEquals(cores, GemmPeers.threads("caviar-all"));
    // As many as the installed OpenBLAS runs when asked for all (one in a serial build); all without one.
    OpenBlas openBlas = OpenBlas.probe().openBlas();
    assertEquals(openBlas == null ? cores : openBlas.threadsOnAllCores(), GemmPeers.threads("openblas-all"));
    assertEquals("caviar-parallel", GemmPeers.label("caviar-all"));
    assertEquals("openblas", GemmPeers.label("openblas-all"));
    assertTrue(GemmPeers.label("netlib").startsWith("netlib-"), GemmPeers.label("netlib"));
  }

  @Example
  void unknownImplementationIsNamedInTheError() {
    float[] x = new float[1];
    var e = assertThrows(IllegalArgumentException.class, () -> GemmPeers.bind("mkl", false, false, 1, 1, 1, x, x, x));
    assertTrue(e.getMessage().contains("mkl"), e.getMessage());
  }

  private static void check(String impl, boolean transA, boolean transB, int m, int n, int k, long seed) {
    Random random = new Random(seed);
    float[] a = uniform(random, m * k);
    float[] b = uniform(random, k * n);
    float[] c = new float[m * n];
    java.util.Arrays.fill(c, Float.NaN); // beta = 0: old contents must not matter
    GemmPeers.bind(impl, transA, transB, m, n, k, a, b, c).run();
    double gamma = k * U / (1 - k * U);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double exact = 0;
        double magnitude = 0;
        for (int p = 0; p < k; p++) {
          double aip = transA ? a[p * m + i] : a[i * k + p];
          double bpj = transB ? b[j * k + p] : b[p * n + j];
          exact += aip * bpj;
          magnitude += Math.abs(aip * bpj);
        }
        double error = Math.abs(c[i * n + j] - exact);
        if (!(error <= gamma * magnitude)) {
          throw new AssertionError(String.format(
              "%s %s%s m=%d n=%d k=%d seed=%d: c[%d][%d] = %s, exact %s, error %.3g > bound %.3g",
              impl, transA ? "T" : "N", transB ? "T" : "N", m, n, k, seed, i, j, c[i * n + j], exact,
              error, gamma * magnitude));
        }
      }
    }
  }

  private static float[] uniform(Random random, int length) {
    float[] values = new float[length];
    for (int i = 0; i < length; i++) values[i] = random.nextFloat() * 2 - 1;
    return values;
  }
}
