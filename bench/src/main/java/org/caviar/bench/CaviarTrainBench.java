package org.caviar.bench;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Training throughput of a search in "caviar" mode: one model per core, each on single-threaded
 * kernels, as {@code caviar tune} runs its trials. Same cases and operation as
 * {@link TrainBench#epoch} (one epoch of a freshly built network through
 * {@link Trainer#trainEpoch}), but on every available processor at once, each JMH thread with its
 * own network and data order: the score is the examples/s of all of them together, set against
 * the peak of as many threads. Beside TrainBench's one model on all cores ({@code threads=all}),
 * this answers how much of the machine a search of many small models gets.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// As long as TrainBench's, whose comment says why.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(Threads.MAX)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
public class CaviarTrainBench {
  static final String KERNEL = "train-caviar";
  /** The summary's implementation label: one model per thread. */
  static final String IMPL = "caviar-per-core";

  /** One model and its trainer per JMH thread, rebuilt before each iteration. */
  @State(Scope.Thread)
  public static class Training {
    /** A {@link TrainCase} label. */
    @Param({"digits-b64", "mnist-b32", "mnist-b128"})
    public String config;

    TrainCase.Fresh fresh;
    private int thread;

    @Setup(Level.Trial)
    public void thread(ThreadParams params) {
      thread = params.getThreadIndex();
    }

    @Setup(Level.Iteration)
    public void freshNetwork() {
      fresh = model(config, thread);
    }
  }

  /**
   * JMH thread {@code thread}'s model: its own initial weights and its own batch order, as a
   * search's trials have (thread 0's are TrainBench's). With one seed for all, every thread read
   * the same rows of the shared data in the same order at about the same time, each warming the
   * cache for the other: not the independent trials this stands for.
   */
  static TrainCase.Fresh model(String config, int thread) {
    return model(TrainCase.of(config), thread);
  }

  /** {@link #model(String, int)} of a case: also TrainScaling's models side by side. */
  static TrainCase.Fresh model(TrainCase c, int thread) {
    return c.fresh(TrainBench.NETWORK_SEED + thread, TrainCase.SHUFFLE_SEED + thread, Kernels.vector());
  }

  @Benchmark
  public Trainer.EpochTotals epoch(Training t) {
    Trainer.EpochTotals totals = t.fresh.trainer().trainEpoch(t.fresh.batches(), t.fresh.learningRate());
    if (totals.diverged()) throw new IllegalStateException("training diverged at batch " + totals.divergedAtBatch());
    return totals;
  }

  static Work work(BenchmarkParams params) {
    TrainCase c = TrainCase.of(params.getParam("config"));
    int examples = c.examplesPerEpoch();
    // JMH's throughput score sums the threads' operations, so one operation is still one epoch.
    return Work.training(KERNEL, IMPL, c.shape(), params.getThreads(), c.flopsPerExample() * examples, examples);
  }
}
