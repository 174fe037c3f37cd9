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
import org.openjdk.jmh.infra.Blackhole;
import org.caviar.kernels.ArrayOps;

/**
 * The small array kernels, {@link ArrayOps}, the Vector API implementation beside its scalar
 * reference, in GB/s and ns per element: a dense layer's bias forward ({@code addBias}) and
 * backward ({@code columnSums}) over a batch 128 x 256 units, the sum of two such matrices
 * ({@code add}: a sharded step's partial sums, there on blocks of half the columns), and the
 * reductions and updates over as many floats ({@code dot}, {@code sumOfSquares}, {@code axpy},
 * {@code scale}).
 *
 * <p>GB/s counts the minimal traffic: addBias reads and writes x (8 bytes an element), columnSums
 * reads x (4), add reads x and y and writes a third matrix (12), dot reads x and y (8), sumOfSquares reads x (4), axpy reads x and y and writes y
 * (12), scale reads and writes x (8); the bias and the column sums, one row, are not counted.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
@ArrayLengths(value = "rows*cols", heap = "3*rows*cols")
public class ArrayOpsBench {
  @Param({"128"})
  public int rows;

  @Param({"256"})
  public int cols;

  @Param({"addBias", "columnSums", "add", "dot", "sumOfSquares", "axpy", "scale"})
  public String op;

  @Param({"scalar", "vector"})
  public String impl;

  private ArrayOps ops;
  private float[] x, y, z, bias, sums;

  @Setup
  public void setup() {
    ops = Impl.scalarOrVector(impl, ArrayOps::scalar, ArrayOps::vector);
    x = RandomArrays.uniform(1, rows * cols, 1f);
    y = RandomArrays.uniform(2, rows * cols, 1f);
    bias = RandomArrays.uniform(3, cols, 1f);
    sums = new float[cols];
    z = new float[rows * cols];
  }

  /**
   * Hands what the kernel wrote, or its result, to the Blackhole (a float as a float: returned as
   * an Object it was boxed, an allocation inside the timed call). addBias, axpy and scale change
   * their array at every call: the values drift (by the bias, by x) or flip sign, and stay finite.
   */
  @Benchmark
  public void run(Blackhole bh) {
    int n = rows * cols;
    switch (op) {
      case "addBias" -> {
        ops.addBias(rows, cols, bias, y);
        bh.consume(y);
      }
      case "columnSums" -> {
        ops.columnSums(rows, cols, x, sums);
        bh.consume(sums);
      }
      case "add" -> {
        ops.add(rows, cols, x, 0, cols, y, 0, cols, z, 0, cols);
        bh.consume(z);
      }
      case "dot" -> bh.consume(ops.dot(n, x, y));
      case "sumOfSquares" -> bh.consume(ops.sumOfSquares(n, x));
      case "axpy" -> {
        ops.axpy(n, 1e-3f, x, y);
        bh.consume(y);
      }
      case "scale" -> {
        ops.scale(n, -1f, x);
        bh.consume(x);
      }
      default -> throw new IllegalArgumentException("unknown array kernel: " + op);
    }
  }

  static Work work(BenchmarkParams p) {
    int rows = Integer.parseInt(p.getParam("rows"));
    int cols = Integer.parseInt(p.getParam("cols"));
    String op = p.getParam("op");
    double n = (double) rows * cols;
    int bytesPerElement = switch (op) {
      case "columnSums", "sumOfSquares" -> 4;
      case "axpy", "add" -> 12;
      default -> 8;
    };
    return Work.traffic(op, "caviar-" + p.getParam("impl"), rows + "x" + cols, bytesPerElement * n, n);
  }
}
