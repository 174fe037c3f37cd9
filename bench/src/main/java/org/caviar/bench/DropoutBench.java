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
import org.caviar.kernels.Dropout;

/**
 * Inverted dropout's forward (drawing the mask) and backward over one hidden layer's batch
 * output, {@link Dropout}, the Vector API implementation beside its scalar reference, in GB/s and
 * ns per element. The default size is batch 128 x 256 units.
 *
 * <p>GB/s counts the minimal traffic of the pair: forward reads x and writes the mask and y
 * (12 bytes an element), backward reads the mask and dy and writes dx (12 bytes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "elements", heap = "5*elements")
public class DropoutBench {
  private static final long SEED = 7;

  @Param({"32768"})
  public int elements;

  @Param({"0.2"})
  public float rate;

  @Param({"scalar", "vector"})
  public String impl;

  private Dropout dropout;
  private float[] x, mask, y, dy, dx;
  /** Where the layer's stream of draws stands: each call draws a new mask, as in training. */
  private long position;

  @Setup
  public void setup() {
    dropout = Impl.scalarOrVector(impl, Dropout::scalar, Dropout::vector);
    x = RandomArrays.uniform(1, elements, 1f);
    dy = RandomArrays.uniform(2, elements, 1f);
    mask = new float[elements];
    y = new float[elements];
    dx = new float[elements];
  }

  @Benchmark
  public float[] forwardBackward() {
    dropout.forward(elements, SEED, position, rate, x, mask, y);
    position += elements;
    dropout.backward(elements, mask, dy, dx);
    return dx;
  }

  static Work work(BenchmarkParams p) {
    int n = Integer.parseInt(p.getParam("elements"));
    return Work.traffic("dropout", "caviar-" + p.getParam("impl"), n + " rate " + p.getParam("rate"), 24.0 * n, n);
  }
}
