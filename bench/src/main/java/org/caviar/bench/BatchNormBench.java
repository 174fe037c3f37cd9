package org.caviar.bench;

import java.util.concurrent.TimeUnit;
import org.caviar.kernels.BatchNorm;
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
 * Batch normalization, {@link BatchNorm}, the Vector API implementation beside its scalar
 * reference, in GB/s and ns per element of an {@code n x f} batch:
 * <ul>
 *   <li>{@link #forwardBackward}: as training runs it, {@link BatchNorm#forwardTraining} then
 *       {@link BatchNorm#backward};
 *   <li>{@link #forwardInference}: {@link BatchNorm#forwardInference}, with the running statistics,
 *       as a trained model's prediction runs it.
 * </ul>
 *
 * <p>GB/s counts the minimal traffic, in floats. Training: forward reads x and writes y and xhat
 * ({@code 3 n f}), reads gamma, beta and the running statistics and writes them, mean and invStd
 * ({@code 8 f}); backward reads dy and xhat and writes dx ({@code 3 n f}), reads gamma and invStd
 * and writes dGamma and dBeta ({@code 4 f}). Total {@code 4 (6 n f + 12 f)} bytes. Inference reads
 * x and writes y ({@code 2 n f}) and reads gamma, beta and the running statistics ({@code 4 f}):
 * {@code 4 (2 n f + 4 f)} bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "examples*features", heap = "5*examples*features")
public class BatchNormBench {
  private static final float EPS = 1e-5f;
  private static final float MOMENTUM = 0.9f;

  /** n, the examples in the batch. */
  @Param({"256"})
  public int examples;

  /** f, the features normalized. */
  @Param({"1024"})
  public int features;

  @Param({"scalar", "vector"})
  public String impl;

  private BatchNorm batchNorm;
  private float[] x, gamma, beta, runningMean, runningVar, y, xhat, mean, invStd;
  private float[] dy, dx, dGamma, dBeta;

  @Setup
  public void setup() {
    batchNorm = Impl.scalarOrVector(impl, BatchNorm::scalar, BatchNorm::vector);
    int n = examples;
    int f = features;
    int size = n * f;
    x = RandomArrays.uniform(1, size, 2f);
    dy = RandomArrays.uniform(2, size, 1f);
    gamma = RandomArrays.uniform(3, f, 1f);
    beta = RandomArrays.uniform(4, f, 1f);
    runningMean = new float[f];
    runningVar = new float[f];
    java.util.Arrays.fill(runningVar, 1f);
    y = new float[size];
    xhat = new float[size];
    dx = new float[size];
    mean = new float[f];
    invStd = new float[f];
    dGamma = new float[f];
    dBeta = new float[f];
  }

  @Benchmark
  public float[] forwardBackward() {
    int n = examples;
    int f = features;
    batchNorm.forwardTraining(n, f, x, gamma, beta, EPS, MOMENTUM, runningMean, runningVar, y, xhat, mean, invStd);
    batchNorm.backward(n, f, dy, xhat, gamma, invStd, dx, dGamma, dBeta);
    return dx;
  }

  @Benchmark
  public float[] forwardInference() {
    batchNorm.forwardInference(examples, features, x, gamma, beta, runningMean, runningVar, EPS, y);
    return y;
  }

  static Work work(BenchmarkParams params) {
    int n = Integer.parseInt(params.getParam("examples"));
    int f = Integer.parseInt(params.getParam("features"));
    double elements = (double) n * f;
    String method = params.getBenchmark().substring(params.getBenchmark().lastIndexOf('.') + 1);
    return switch (method) {
      case "forwardBackward" -> Work.traffic("batchnorm-train", "caviar-" + params.getParam("impl"), n + "x" + f,
          4 * (6 * elements + 12.0 * f), elements);
      case "forwardInference" -> Work.traffic("batchnorm-inference", "caviar-" + params.getParam("impl"), n + "x" + f,
          4 * (2 * elements + 4.0 * f), elements);
      default -> throw new IllegalArgumentException("unknown BatchNormBench method: " + method);
    };
  }
}
