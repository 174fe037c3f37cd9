package org.caviar.bench;

import java.util.concurrent.TimeUnit;
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
 * The products a dense layer of fan-in K and fan-out N makes on a batch of M examples, one
 * thread, Caviar against the naive Vector API loop, in GFLOP/s ({@code 2 M K N} per call):
 * <ul>
 *   <li>forward, NN: {@code Y(M x N) = X(M x K) W(K x N)};
 *   <li>weight gradient, TN: {@code dW(K x N) = X^T dY}, X stored {@code M x K};
 *   <li>input gradient, NT: {@code dX(M x K) = dY W^T}, W stored {@code K x N}.
 * </ul>
 * The layers are those of the 784-256-256-10 and 64-128-128-10 networks the model benchmarks train.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = {"batch*layer.K", "layer.K*layer.N", "batch*layer.N"},
    heap = {"batch*layer.K", "layer.K*layer.N", "batch*layer.N"})
public class GemmMlpBench {
  /** M, the batch size. */
  @Param({"32", "128"})
  public int batch;

  /** K x N, a layer's fan-in and fan-out. */
  @Param({"784x256", "256x256", "256x10", "64x128", "128x128", "128x10"})
  public String layer;

  @Param({"forward", "weightGrad", "inputGrad"})
  public String form;

  @Param({"caviar", "naive"})
  public String impl;

  private float[] out;
  private GemmPeers.Product product;

  @Setup
  public void setup() {
    int m = batch;
    int k = fanIn(layer);
    int n = fanOut(layer);
    float[] x = RandomArrays.uniform(1, m * k, 1f);
    float[] w = RandomArrays.uniform(2, k * n, 1f);
    float[] dy = RandomArrays.uniform(3, m * n, 1f);
    switch (form) {
      case "forward" -> {
        out = new float[m * n];
        product = GemmPeers.bind(impl, false, false, m, n, k, x, w, out);
      }
      case "weightGrad" -> {
        out = new float[k * n];
        product = GemmPeers.bind(impl, true, false, k, n, m, x, dy, out);
      }
      case "inputGrad" -> {
        out = new float[m * k];
        product = GemmPeers.bind(impl, false, true, m, k, n, dy, w, out);
      }
      default -> throw new IllegalArgumentException("unknown form: " + form);
    }
  }

  @Benchmark
  public float[] gemm() {
    product.run();
    return out;
  }

  private static int fanIn(String layer) {
    return Integer.parseInt(layer.substring(0, layer.indexOf('x')));
  }

  private static int fanOut(String layer) {
    return Integer.parseInt(layer.substring(layer.indexOf('x') + 1));
  }

  static Work work(BenchmarkParams params) {
    int m = Integer.parseInt(params.getParam("batch"));
    String layer = params.getParam("layer");
    int k = fanIn(layer);
    int n = fanOut(layer);
    String form = params.getParam("form");
    String ops = switch (form) {
      case "forward" -> "NN";
      case "weightGrad" -> "TN";
      default -> "NT";
    };
    String shape = form + " " + ops + " M=" + m + " K=" + k + " N=" + n;
    String impl = params.getParam("impl");
    double flops = 2.0 * m * k * n;
    return Work.flops("gemm-mlp", GemmPeers.label(impl), shape, GemmBench.threadsThatRun(impl, flops), flops);
  }
}
