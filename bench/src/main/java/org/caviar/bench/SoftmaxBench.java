package org.caviar.bench;

import java.util.concurrent.TimeUnit;
import org.caviar.kernels.Softmax;
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
 * The softmax kernels, {@link Softmax}, the Vector API implementation beside its scalar reference,
 * in GB/s and ns per logit:
 * <ul>
 *   <li>{@link #crossEntropy}: the fused softmax + cross-entropy (loss and gradient) a classifier's
 *       output layer trains with;
 *   <li>{@link #forward}: softmax alone, the probabilities a trained model's prediction reads;
 *   <li>{@link #logForward}: log-softmax.
 * </ul>
 *
 * <p>GB/s counts the minimal traffic: each logit read once and each output (gradient,
 * probability, log-probability) written once ({@code 8 rows cols} bytes), plus, for the
 * cross-entropy, the labels ({@code 4 rows}). A row of 1000 floats sits in L1, so the kernels'
 * extra passes over a row (max, sum of exponentials, write) are not counted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "rows*cols", heap = "3*rows*cols")
public class SoftmaxBench {
  @Param({"256"})
  public int rows;

  @Param({"1000"})
  public int cols;

  @Param({"scalar", "vector"})
  public String impl;

  private Softmax softmax;
  private float[] logits;
  private int[] labels;
  private float[] grad;
  private float[] out;

  @Setup
  public void setup() {
    softmax = Impl.scalarOrVector(impl, Softmax::scalar, Softmax::vector);
    // Logits of a partly trained classifier span a few units; the kernel's cost does not depend on them.
    logits = RandomArrays.uniform(1, rows * cols, 4f);
    labels = RandomArrays.labels(2, rows, cols);
    grad = new float[rows * cols];
    out = new float[rows * cols];
  }

  @Benchmark
  public float crossEntropy() {
    return softmax.crossEntropy(rows, cols, logits, labels, grad);
  }

  @Benchmark
  public float[] forward() {
    softmax.forward(rows, cols, logits, out);
    return out;
  }

  @Benchmark
  public float[] logForward() {
    softmax.logForward(rows, cols, logits, out);
    return out;
  }

  static Work work(BenchmarkParams params) {
    int rows = Integer.parseInt(params.getParam("rows"));
    int cols = Integer.parseInt(params.getParam("cols"));
    double elements = (double) rows * cols;
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    String kernel = switch (method) {
      case "crossEntropy" -> "softmax-xent";
      case "forward" -> "softmax";
      case "logForward" -> "log-softmax";
      default -> throw new IllegalArgumentException("unknown SoftmaxBench method: " + method);
    };
    double bytes = 8 * elements + (method.equals("crossEntropy") ? 4.0 * rows : 0);
    return Work.traffic(kernel, "caviar-" + params.getParam("impl"), rows + "x" + cols, bytes, elements);
  }
}
