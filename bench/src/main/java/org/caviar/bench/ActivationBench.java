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
import org.caviar.kernels.Activations;

/**
 * An activation's forward and backward over one hidden layer's batch output, {@link Activations},
 * the Vector API implementation beside its scalar reference, in GB/s and ns per element. The
 * default size is batch 128 x 256 units (128 KB an array, in L2).
 *
 * <p>GB/s counts the minimal traffic of the pair: forward reads x and writes y (8 bytes an
 * element), backward reads x (ReLU) or y (tanh, sigmoid) and dy and writes dx (12 bytes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "elements", heap = "4*elements")
public class ActivationBench {
  private static final float SLOPE = 0.01f;

  @Param({"32768"})
  public int elements;

  @Param({"relu", "leaky_relu", "tanh", "sigmoid"})
  public String function;

  @Param({"scalar", "vector"})
  public String impl;

  private Activations activations;
  private float[] x, y, dy, dx;

  @Setup
  public void setup() {
    activations = Impl.scalarOrVector(impl, Activations::scalar, Activations::vector);
    // Pre-activations of a batch-normalized layer: mostly within a few units of 0, half negative.
    x = RandomArrays.uniform(1, elements, 3f);
    dy = RandomArrays.uniform(2, elements, 1f);
    y = new float[elements];
    dx = new float[elements];
  }

  @Benchmark
  public float[] forwardBackward() {
    int n = elements;
    switch (function) {
      case "relu" -> {
        activations.relu(n, x, y);
        activations.reluBackward(n, x, dy, dx);
      }
      case "leaky_relu" -> {
        activations.leakyRelu(n, SLOPE, x, y);
        activations.leakyReluBackward(n, SLOPE, x, dy, dx);
      }
      case "tanh" -> {
        activations.tanh(n, x, y);
        activations.tanhBackward(n, y, dy, dx);
      }
      case "sigmoid" -> {
        activations.sigmoid(n, x, y);
        activations.sigmoidBackward(n, y, dy, dx);
      }
      default -> throw new IllegalArgumentException("unknown activation: " + function);
    }
    return dx;
  }

  static Work work(BenchmarkParams p) {
    int n = Integer.parseInt(p.getParam("elements"));
    return Work.traffic("activation-" + p.getParam("function"), "caviar-" + p.getParam("impl"), String.valueOf(n), 20.0 * n, n);
  }
}
