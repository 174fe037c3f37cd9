package org.caviar.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The machine's practical single-precision peak: independent chains of vector FMAs on
 * {@link FloatVector#SPECIES_PREFERRED} with nothing else in the loop, on one thread and on one
 * JMH thread per available processor. Every GEMM figure is also printed as a percentage of this.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
public class PeakBench {
  static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

  /**
   * Independent accumulators. An FMA has a latency of about 4 cycles and current x86 cores
   * issue up to 2 per cycle, so at least 8 must be in flight; 12 leaves slack and, with the two
   * operands, still fits the 16 vector registers of AVX2 (16 chains would spill there).
   */
  static final int CHAINS = 12;

  /** Steps per chain per call: 12k FMAs, so the call itself costs nothing measurable. */
  static final int STEPS = 1024;

  /** Floating-point operations per call: an FMA is a multiply and an add on every lane. */
  static final double FLOPS_PER_CALL = 2.0 * SPECIES.length() * CHAINS * STEPS;

  // Fields, not constants, so the JIT cannot fold the chains. x -> 0.999 x + 0.001 converges to
  // 1 from any start: no overflow and no subnormals, whose slow path would understate the peak.
  float multiplier = 0.999f;
  float addend = 0.001f;
  float start = 0.5f;

  @Benchmark
  @Threads(1)
  public float oneThread() {
    return chains();
  }

  @Benchmark
  @Threads(Threads.MAX)
  public float allThreads() {
    return chains();
  }

  private float chains() {
    FloatVector x = FloatVector.broadcast(SPECIES, multiplier);
    FloatVector y = FloatVector.broadcast(SPECIES, addend);
    FloatVector a0 = FloatVector.broadcast(SPECIES, start);
    FloatVector a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    FloatVector a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;
    for (int s = 0; s < STEPS; s++) {
      a0 = a0.fma(x, y);
      a1 = a1.fma(x, y);
      a2 = a2.fma(x, y);
      a3 = a3.fma(x, y);
      a4 = a4.fma(x, y);
      a5 = a5.fma(x, y);
      a6 = a6.fma(x, y);
      a7 = a7.fma(x, y);
      a8 = a8.fma(x, y);
      a9 = a9.fma(x, y);
      a10 = a10.fma(x, y);
      a11 = a11.fma(x, y);
    }
    FloatVector sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5)
        .add(a6.add(a7).add(a8).add(a9).add(a10).add(a11));
    return sum.reduceLanes(VectorOperators.ADD);
  }

  static Work work(BenchmarkParams params) {
    String shape = SPECIES.length() + " lanes x " + CHAINS + " chains";
    return Work.flops(Summary.PEAK_KERNEL, "vector-fma", shape, params.getThreads(), FLOPS_PER_CALL);
  }
}
