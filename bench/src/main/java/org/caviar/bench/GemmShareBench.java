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
 * The share of GEMM in {@link TrainBench}'s training: the model cannot be instrumented from here
 * (and timers inside a step would disturb what they measure), so the same products are replayed
 * alone. {@link TrainGemmReplay} makes the GEMM calls of every step of the same epoch (same batch
 * sizes, shapes, transposes, order, and one set of buffers per layer as the network has), with
 * the same GEMM as the training it is compared with. One operation of each is one epoch, so
 * {@code gemm share = time(replay) / time(training) = (training examples/s) / (replay
 * examples/s)}, which the summary reports as a row of its own ({@link TrainGemmShare}). The
 * replay's examples/s is the speed training would reach if everything but GEMM were free; its
 * GFLOP/s counts the products it runs (fewer than the convention: the model skips the
 * first layer's input gradient). The replay runs without the other work between the products, so
 * its caches are at least as warm as in training: if anything it understates GEMM's share.
 *
 * <p>The replay makes the calls of the unsharded step, so it pairs with TrainBench's
 * {@code threads=1} and {@code threads=all-gemm}; the sharded step ({@code threads=all}) has no
 * replay.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
public class GemmShareBench {
  /** The GEMM calls of one training epoch. */
  @State(Scope.Thread)
  public static class Replay {
    @Param({"digits-b64", "mnist-b32", "mnist-b128"})
    public String config;

    /** {@code 1} or {@code all-gemm}, as in TrainBench. */
    @Param({"1", TrainBench.ALL_GEMM})
    public String threads;

    TrainGemmReplay replay;

    @Setup
    public void setup() {
      TrainCase c = TrainCase.of(config);
      replay = TrainGemmReplay.of(c.spec, c.batchRows(), TrainBench.gemm(threads));
    }
  }

  @Benchmark
  public float[] gemmReplay(Replay r) {
    r.replay.epoch();
    return r.replay.lastWeightGradient();
  }

  static Work work(BenchmarkParams params) {
    TrainCase c = TrainCase.of(params.getParam("config"));
    String t = params.getParam("threads");
    double flops = TrainGemmReplay.flopsPerEpoch(TrainGemmReplay.sizes(c.spec), c.batchRows());
    return Work.training(TrainGemmShare.REPLAY_KERNEL, TrainBench.impl(t), c.shape(), TrainBench.threadsThatRun(c, t), flops, c.examplesPerEpoch());
  }
}
