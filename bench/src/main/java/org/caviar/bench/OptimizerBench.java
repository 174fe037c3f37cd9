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
import org.caviar.kernels.Optimizers;

/**
 * One optimizer update of a weight tensor, {@link Optimizers}, the Vector API implementation
 * beside its scalar reference, in GB/s and ns per parameter. The default size is the first weight
 * matrix of the 784-256-256-10 network (784 x 256 floats), whose update dominates that network's
 * optimizer time; its arrays (3.2 MB for Adam) live in L3, not L2.
 *
 * <p>GB/s counts the minimal traffic per parameter: every rule reads w and g and writes w
 * (12 bytes); momentum and RMSprop also read and write one state array (20 bytes), Adam two
 * (28 bytes). Adam's square root and division per parameter, not its traffic, can set its pace:
 * compare its ns per parameter with a size that fits in L1 ({@code -p params=4096}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "params", heap = "4*params")
public class OptimizerBench {
  private static final float LEARNING_RATE = 1e-3f;
  private static final float WEIGHT_DECAY = 1e-4f;
  private static final float BETA = 0.9f;
  private static final float BETA2 = 0.999f;
  private static final float EPS = 1e-8f;

  @Param({"200704"})
  public int params;

  @Param({"sgd", "momentum", "rmsprop", "adam"})
  public String rule;

  @Param({"scalar", "vector"})
  public String impl;

  private Optimizers optimizers;
  private float[] w, g, first, second;
  /** Adam's step count: its bias correction changes with every update, as in training. */
  private int t;

  @Setup
  public void setup() {
    optimizers = Impl.scalarOrVector(impl, Optimizers::scalar, Optimizers::vector);
    // The same gradient every call moves the weights by at most lr per call: they stay finite and
    // normal for far longer than a benchmark runs, so no call meets subnormals.
    w = RandomArrays.uniform(1, params, 0.1f);
    g = RandomArrays.uniform(2, params, 0.01f);
    first = new float[params];
    second = new float[params];
  }

  @Benchmark
  public float[] update() {
    switch (rule) {
      case "sgd" -> optimizers.sgd(params, LEARNING_RATE, WEIGHT_DECAY, w, g);
      case "momentum" -> optimizers.momentum(params, LEARNING_RATE, BETA, WEIGHT_DECAY, w, g, first);
      case "rmsprop" -> optimizers.rmsprop(params, LEARNING_RATE, BETA2, EPS, WEIGHT_DECAY, w, g, first);
      case "adam" -> optimizers.adam(params, LEARNING_RATE, BETA, BETA2, EPS, WEIGHT_DECAY, ++t, w, g, first, second);
      default -> throw new IllegalArgumentException("unknown update rule: " + rule);
    }
    return w;
  }

  static Work work(BenchmarkParams p) {
    int n = Integer.parseInt(p.getParam("params"));
    String rule = p.getParam("rule");
    int bytesPerParam = switch (rule) {
      case "sgd" -> 12;
      case "momentum", "rmsprop" -> 20;
      default -> 28;
    };
    return Work.traffic("optimizer-" + rule, "caviar-" + p.getParam("impl"), String.valueOf(n), (double) bytesPerParam * n, n);
  }
}
