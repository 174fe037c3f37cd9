package org.caviar.bench;

import java.util.concurrent.TimeUnit;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Workers;
import org.caviar.model.Kernels;
import org.caviar.model.train.Trainer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * Training throughput of the network stack, and the share of it that GEMM takes.
 *
 * <p>{@link #epoch}: one operation is one epoch through the public training loop,
 * {@link Trainer#trainEpoch} (shuffle, then per batch: copy the rows, forward, loss, backward,
 * Adam update), for the cases of {@link TrainCase}: the digits MLP 64-128-128-10 at batch 64 on
 * the shipped data, and 784-256-256-10 at batches 32 and 128 on 4096 MNIST-shaped examples, all
 * with batch norm and ReLU. {@code threads=1} runs the model's default kernels (one thread);
 * {@code threads=all} runs {@code Kernels.parallel(n)} over every available processor, whose
 * steps the trainer splits by features (the model's ShardedStep); {@code threads=all-gemm} keeps
 * the step on one thread and splits only its products ({@code Kernels.vector().withGemm(}{@link
 * Gemm#parallel()}{@code )}), the way one model used several cores before the sharded step. Reported in examples/s and in the effective GFLOP/s, 3 x forward
 * multiply-adds x 2 flops per example, which the summary also gives as % of PeakBench's peak at
 * the same thread count.
 *
 * <p>The network, trainer and optimizer state are rebuilt (untimed) before every iteration, so each
 * iteration trains a fresh network for its second or so, as a real run does, rather than one
 * network for thousands of epochs into a regime (saturated softmax, vanishing gradients) no real
 * run reaches.
 *
 *
 * <p>GEMM's share of this time: {@link GemmShareBench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Longer warm-up than the kernel benchmarks: a training step compiles a dozen kernels and the
// layers around them, and the layers' methods, called a few times a step, reach C2 late. With 5
// warm-ups, mnist-b128 on two threads still compiled ShardedStep.run, Dense.forwardImpl,
// BatchNormLayer.backwardImpl and others in its first two measured iterations (-XX:+PrintCompilation),
// which ran at 14.9 and 21.3 epochs/s against 26-29 after; a compiler thread then takes a vCPU
// from one of the two threads the step waits for (one thread leaves it the other vCPU). With 12,
// the last such compile came in warm-up 9 (b32: warm-up 5).
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
public class TrainBench {
  /** Seed of the initial weights. */
  static final long NETWORK_SEED = 7;

  static final String ALL = "all";
  static final String ALL_GEMM = "all-gemm";

  /** A trainer, rebuilt before each iteration. */
  @State(Scope.Thread)
  public static class Training {
    /** A {@link TrainCase} label. */
    @Param({"digits-b64", "mnist-b32", "mnist-b128"})
    public String config;

    /** {@code 1}, {@code all} (the step split by features) or {@code all-gemm} (its products split). */
    @Param({"1", ALL, ALL_GEMM})
    public String threads;

    TrainCase.Fresh fresh;

    @Setup(Level.Iteration)
    public void freshNetwork() {
      Kernels kernels = threads.equals(ALL) ? Kernels.parallel(threadCount(ALL)) : Kernels.vector().withGemm(gemm(threads));
      fresh = TrainCase.of(config).fresh(TrainBench.NETWORK_SEED, kernels);
    }
  }

  @Benchmark
  public Trainer.EpochTotals epoch(Training t) {
    Trainer.EpochTotals totals = t.fresh.trainer().trainEpoch(t.fresh.batches(), t.fresh.learningRate());
    // A diverged epoch stops early: its time would be for less work than the summary counts.
    if (totals.diverged()) throw new IllegalStateException("training diverged at batch " + totals.divergedAtBatch());
    return totals;
  }

  /** One pool for every configuration: the quick run builds many networks in one JVM. */
  private static final class AllCores {
    static final Gemm GEMM = Gemm.parallel();
  }

  static Gemm gemm(String threads) {
    return switch (threads) {
      case "1" -> Gemm.vector();
      case ALL_GEMM -> AllCores.GEMM;
      default -> throw new IllegalArgumentException("threads must be 1 or " + ALL_GEMM + " for a GEMM, got " + threads);
    };
  }

  static int threadCount(String threads) {
    return threads.equals(ALL) || threads.equals(ALL_GEMM) ? Workers.allProcessors() : Integer.parseInt(threads);
  }

  static Work work(BenchmarkParams params) {
    TrainCase c = TrainCase.of(params.getParam("config"));
    String t = params.getParam("threads");
    String impl = impl(t);
    // The trainer keeps small steps on one thread even on parallel kernels (Trainer.MIN_SHARDED_FLOPS).
    if (t.equals(ALL) && !c.stepIsSharded()) impl = "caviar-unsharded";
    return Work.training(TrainGemmShare.TRAIN_KERNEL, impl, c.shape(), threadsThatRun(c, t), c.flopsPerExample() * c.examplesPerEpoch(),
        c.examplesPerEpoch());
  }

  /**
   * Threads that train case {@code c} under {@code threads}: a step the trainer does not shard
   * runs its products on the parallel GEMM, which keeps each one below
   * {@link Gemm#MIN_PARALLEL_FLOPS} on the calling thread; when all of them are (the digits MLP),
   * one thread ran, and its % of peak is against one thread's peak.
   */
  static int threadsThatRun(TrainCase c, String threads) {
    int n = threadCount(threads);
    if (n == 1 || threads.equals(ALL) && c.stepIsSharded()) return n;
    return TrainGemmReplay.anyProductSplits(TrainGemmReplay.sizes(c.spec), c.batchSize) ? n : 1;
  }

  /** The summary's implementation label of a {@code threads} value. */
  static String impl(String threads) {
    return threadCount(threads) == 1 ? "caviar-vector" : threads.equals(ALL) ? "caviar-sharded" : "caviar-gemm-split";
  }
}
