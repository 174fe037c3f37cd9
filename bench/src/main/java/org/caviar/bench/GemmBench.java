package org.caviar.bench;

import java.util.concurrent.TimeUnit;
import org.caviar.kernels.Gemm;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Square GEMM {@code C(n x n) = op(A) op(B)} in the three forms training uses, Caviar's kernel on
 * one thread and on all cores against the JVM peers of {@link GemmPeers}, in GFLOP/s
 * ({@code 2 n^3} per call). Multi-threaded implementations are called from one JMH thread and use
 * their own pools ({@code -all} in the impl name).
 *
 * <p>{@code openblas} and {@code openblas-all} need a native OpenBLAS; bench/run-quick leaves them
 * out, and says so, where there is none. Run by hand there, they fail in setup with the reason.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "n*n", heap = "3*n*n")
public class GemmBench {
  /** op(A) op(B): NN is a layer's forward, TN its weight gradient, NT its input gradient. */
  @Param({"NN", "NT", "TN"})
  public String form;

  @Param({"64", "128", "256", "512", "1024"})
  public int n;

  @Param({"caviar", "caviar-all", "naive", "ejml", "netlib", "openblas", "openblas-all"})
  public String impl;

  private float[] c;
  private GemmPeers.Product product;

  @Setup
  public void setup() {
    float[] a = RandomArrays.uniform(1, n * n, 1f);
    float[] b = RandomArrays.uniform(2, n * n, 1f);
    c = new float[n * n];
    product = GemmPeers.bind(impl, form.charAt(0) == 'T', form.charAt(1) == 'T', n, n, n, a, b, c);
  }

  @Benchmark
  public float[] gemm() {
    product.run();
    return c;
  }

  static Work work(BenchmarkParams params) {
    int n = Integer.parseInt(params.getParam("n"));
    String impl = params.getParam("impl");
    String shape = params.getParam("form") + " " + n + "x" + n + "x" + n;
    double flops = 2.0 * n * n * n;
    return Work.flops("gemm", GemmPeers.label(impl), shape, threadsThatRun(impl, flops), flops);
  }

  /**
   * Threads that run {@code impl} on a product of {@code flops}: Caviar's parallel GEMM keeps a
   * product too small to split on one thread (GemmMlpBench's output layers, GemmBench's n = 64).
   */
  static int threadsThatRun(String impl, double flops) {
    return impl.equals("caviar-all") && flops < Gemm.MIN_PARALLEL_FLOPS ? 1 : GemmPeers.threads(impl);
  }
}
