package org.caviar.bench;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import java.util.List;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Workers;
import org.ejml.data.FMatrixRMaj;
import org.ejml.dense.row.CommonOps_FDRM;

/**
 * Every GEMM the benchmarks compare, by the name their {@code impl} parameter gives it. Each
 * computes {@code C = op(A) op(B)} on dense row-major arrays and is bound to its operands once, so
 * that the measured call does nothing but the product.
 *
 * <p>Names: {@code caviar} ({@link Gemm#vector()}), {@code caviar-all} ({@link Gemm#parallel(int)}
 * over all available processors, called from one thread), {@code scalar} ({@link Gemm#scalar()},
 * too slow for the large sizes, so only on request), {@code naive} ({@link NaiveVectorGemm}),
 * {@code ejml} (EJML's {@code CommonOps_FDRM}), {@code netlib} (dev.ludovic.netlib's pure-Java
 * BLAS, VectorBLAS when the Vector API is there), {@code openblas} and {@code openblas-all}
 * (OpenBLAS through JNIBLAS with 1 or all threads; see {@link OpenBlas}).
 */
final class GemmPeers {
  private GemmPeers() {}

  /** The measured call: one product on the operands it was bound to. */
  @FunctionalInterface
  interface Product {
    void run();
  }

  private static final String ALL_SUFFIX = "-all";

  /** Every name {@link #bind} takes. */
  static final List<String> NAMES = List.of("caviar", "caviar-all", "scalar", "naive", "ejml", "netlib", "openblas", "openblas-all");

  /** One pool for every binding: the quick run binds many times in one JVM. Created on first use. */
  private static final class AllCores {
    static final Gemm GEMM = Gemm.parallel();
  }

  /**
   * Threads the named implementation uses: {@code openblas-all} as many as the installed OpenBLAS
   * runs when asked for all of them (one, in a serial build), the other {@code -all} every
   * available processor.
   */
  static int threads(String impl) {
    OpenBlas openBlas = impl.equals("openblas-all") ? OpenBlas.probe().openBlas() : null;
    return threads(impl, openBlas);
  }

  /** {@link #threads(String)} with the OpenBLAS that would run it (null: none, or not OpenBLAS). */
  static int threads(String impl, OpenBlas openBlas) {
    if (!impl.endsWith(ALL_SUFFIX)) return 1;
    return impl.equals("openblas-all") && openBlas != null ? openBlas.threadsOnAllCores() : Workers.allProcessors();
  }

  /** The name a summary row shows: what ran, with the thread count left to its own column. */
  static String label(String impl) {
    return switch (impl) {
      case "caviar" -> "caviar-vector";
      case "caviar-all" -> "caviar-parallel";
      case "scalar" -> "caviar-scalar";
      case "naive" -> "naive-vector";
      case "netlib" -> "netlib-" + netlibJava().getClass().getSimpleName();
      case "openblas-all" -> "openblas";
      default -> impl;
    };
  }

  /** dev.ludovic.netlib's pure-Java BLAS: VectorBLAS on JDK 16+ with the Vector API module, else an older one. */
  static JavaBLAS netlibJava() {
    OpenBlas.quietNetlibLogs();
    return JavaBLAS.getInstance();
  }

  /**
   * Binds the named implementation to {@code C = op(A) op(B)}.
   *
   * @param transA whether A is stored {@code k x m}
   * @param transB whether B is stored {@code n x k}
   */
  static Product bind(
      String impl, boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    return switch (impl) {
      case "caviar" -> caviar(Gemm.vector(), transA, transB, m, n, k, a, b, c);
      case "caviar-all" -> caviar(AllCores.GEMM, transA, transB, m, n, k, a, b, c);
      case "scalar" -> caviar(Gemm.scalar(), transA, transB, m, n, k, a, b, c);
      case "naive" -> () -> NaiveVectorGemm.multiply(transA, transB, m, n, k, a, b, c);
      case "ejml" -> ejml(transA, transB, m, n, k, a, b, c);
      case "netlib" -> blas(netlibJava(), transA, transB, m, n, k, a, b, c);
      case "openblas", "openblas-all" -> {
        OpenBlas.Probe probe = OpenBlas.probe();
        if (probe.openBlas() == null) throw new IllegalStateException("OpenBLAS is absent: " + probe.absence());
        probe.openBlas().setThreads(impl.endsWith(ALL_SUFFIX) ? Runtime.getRuntime().availableProcessors() : 1);
        yield blas(probe.openBlas().blas(), transA, transB, m, n, k, a, b, c);
      }
      default -> throw new IllegalArgumentException("unknown GEMM implementation: " + impl);
    };
  }

  private static Product caviar(
      Gemm gemm, boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    Gemm.Op opA = transA ? Gemm.Op.T : Gemm.Op.N;
    Gemm.Op opB = transB ? Gemm.Op.T : Gemm.Op.N;
    return () -> gemm.gemm(opA, opB, m, n, k, 1f, a, b, 0f, c);
  }

  private static Product ejml(
      boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    if (transA && transB) throw new IllegalArgumentException("TT is not a form the benchmarks use");
    // wrap() shares the arrays: EJML writes straight into c.
    FMatrixRMaj ma = transA ? FMatrixRMaj.wrap(k, m, a) : FMatrixRMaj.wrap(m, k, a);
    FMatrixRMaj mb = transB ? FMatrixRMaj.wrap(n, k, b) : FMatrixRMaj.wrap(k, n, b);
    FMatrixRMaj mc = FMatrixRMaj.wrap(m, n, c);
    if (transA) return () -> CommonOps_FDRM.multTransA(ma, mb, mc);
    if (transB) return () -> CommonOps_FDRM.multTransB(ma, mb, mc);
    return () -> CommonOps_FDRM.mult(ma, mb, mc);
  }

  /**
   * BLAS is column-major, and a row-major matrix read column-major is its transpose: so the
   * row-major {@code C = op(A) op(B)} is the column-major {@code C^T = op(B)^T op(A)^T}, i.e.
   * sgemm with the operands swapped, the same transpose flags, and m and n swapped.
   */
  private static Product blas(
      BLAS blas, boolean transA, boolean transB, int m, int n, int k, float[] a, float[] b, float[] c) {
    String opA = transA ? "T" : "N";
    String opB = transB ? "T" : "N";
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    return () -> blas.sgemm(opB, opA, n, m, k, 1f, b, ldb, a, lda, 0f, c, n);
  }
}
