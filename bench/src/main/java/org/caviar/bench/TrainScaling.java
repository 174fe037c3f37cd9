package org.caviar.bench;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Workers;
import org.caviar.model.Kernels;

/**
 * One model on several threads against one thread, measured as a ratio on a machine whose speed
 * drifts: JMH times each configuration in its own fork, minutes apart, and on the 2-vCPU VMs of
 * this project the same binary's one-thread figure moved by 20% between such runs. Here the three
 * set-ups of {@link TrainBench} (one thread, the sharded step, the GEMM-split step), the sharded
 * step with its shards in turn on one thread (what the split costs in work: below 1), and that of
 * {@link CaviarTrainBench} (one model per thread, side by side: what the machine gives independent
 * work at that moment) train alternately, one epoch each in turn (in an order shuffled anew each
 * round), in one JVM, and the ratio of each epoch to the one-thread epoch of its round is taken;
 * reported are the median and quartiles of those ratios (interpolated), and the ratio of the total
 * throughputs. The sharded step can get at most about
 * the in-turn ratio times the side-by-side one; the rest is its hand-offs and cross-core reads.
 *
 * <p>The same rotation runs the one-thread epoch's GEMM calls alone ({@link TrainGemmReplay}), so
 * that GEMM's share of that epoch is also taken pair by pair, {@code time(replay) / time(epoch)}
 * of the two epochs of a round, rather than as JMH's ratio of two forks minutes apart
 * ({@link TrainGemmShare}).
 *
 * <p>The warm-up runs 8,000 steps of each set-up, and on until the JIT has compiled nothing for
 * three seconds: the methods called once or twice a step reach C2 only after some 5,000 calls
 * (at batch 128 and 32 steps an epoch, 16 s into a run: after a warm-up of 15 s, its last 5 s
 * without a compile, C2 still compiled Trainer.step and ShardedStep's outputAndLastBlock), and a
 * compiler thread running beside a two-thread step takes a vCPU from it.
 *
 * <p>{@code bench/run-quick --full} runs it after JMH when TrainBench runs {@code threads=all}
 * (see {@link QuickRun}); alone:
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     org.caviar.bench.TrainScaling [config=mnist-b32] [threads=2] [epochs=40]</pre>
 */
public final class TrainScaling {
  private TrainScaling() {}

  static final String USAGE = "usage: TrainScaling [config=mnist-b32] [threads=2] [epochs=40]";

  public static void main(String[] args) {
    Options o;
    try {
      o = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("TrainScaling: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    measure(o.config(), o.threads(), o.epochs(), System.out);
  }

  /** The command line of {@link #main}: key=value arguments, each checked before anything trains. */
  record Options(TrainCase config, int threads, int epochs) {
    /** @throws IllegalArgumentException naming the argument at fault */
    static Options parse(String... args) {
      TrainCase config = TrainCase.MNIST_B32;
      int threads = 2;
      int epochs = 40;
      for (String a : args) {
        String[] kv = a.split("=", 2);
        if (kv.length != 2) throw new IllegalArgumentException("arguments are key=value, got " + a);
        switch (kv[0]) {
          case "config" -> config = TrainCase.of(kv[1]);
          // At most a team's size: else the kernels' own check, a stack trace once the data was built.
          case "threads" -> threads = within(a, kv[1], 2, Workers.MAX_THREADS);
          case "epochs" -> epochs = within(a, kv[1], 4, Integer.MAX_VALUE);
          default -> throw new IllegalArgumentException("unknown argument " + a + " (config, threads, epochs)");
        }
      }
      return new Options(config, threads, epochs);
    }

    private static int within(String arg, String value, int least, int most) {
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        n = Integer.MIN_VALUE;
      }
      if (n < least || n > most) {
        throw new IllegalArgumentException(arg + ": wants a whole number " + (most == Integer.MAX_VALUE ? ">= " + least : "from " + least + " to " + most));
      }
      return n;
    }
  }

  /** One set-up's epochs against the one-thread epochs that ran beside them. */
  record Scaling(String setUp, String impl, int threads, double medianExamplesPerSecond, double medianRatio, double lowerQuartile,
      double upperQuartile, double totalsRatio) {

    /**
     * @param perSecond this set-up's examples per second, epoch by epoch
     * @param onePerSecond the one-thread set-up's, epoch by epoch in the same turns
     */
    static Scaling of(String setUp, String impl, int threads, double[] perSecond, double[] onePerSecond) {
      int n = perSecond.length;
      if (n != onePerSecond.length || n < 4) throw new IllegalArgumentException("need >= 4 epoch pairs, got " + n);
      double[] ratio = new double[n];
      // Every epoch has the same examples, so the total throughput is the harmonic mean of the epochs'.
      double seconds = 0, secondsOne = 0;
      for (int e = 0; e < n; e++) {
        ratio[e] = perSecond[e] / onePerSecond[e];
        seconds += 1 / perSecond[e];
        secondsOne += 1 / onePerSecond[e];
      }
      double[] eps = perSecond.clone();
      Arrays.sort(eps);
      Arrays.sort(ratio);
      return new Scaling(setUp, impl, threads, quantile(eps, 0.5), quantile(ratio, 0.5), quantile(ratio, 0.25),
          quantile(ratio, 0.75), secondsOne / seconds);
    }

    /** The p-quantile of sorted values, interpolated between ranks ((n - 1) p): for even n the median is the mean of the middle two. */
    static double quantile(double[] sorted, double p) {
      double at = (sorted.length - 1) * p;
      int lo = (int) Math.floor(at);
      int hi = Math.min(lo + 1, sorted.length - 1);
      return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
    }

    /**
     * Summary rows: the median ratio (its error column half the interquartile range, not a
     * confidence interval) and the ratio of the total times.
     */
    List<SummaryRow> rows(String shape) {
      return List.of(
          new SummaryRow(KERNEL, impl, shape, threads, medianRatio, (upperQuartile - lowerQuartile) / 2, MEDIAN_UNIT, Double.NaN),
          new SummaryRow(KERNEL, impl, shape, threads, totalsRatio, Double.NaN, TOTALS_UNIT, Double.NaN));
    }
  }

  /**
   * GEMM's share of the one-thread epoch: each round's replay of the epoch's GEMM calls against
   * the one-thread epoch of the same round, {@code time(replay) / time(epoch)}, in %.
   */
  record GemmShare(double medianPercent, double lowerQuartile, double upperQuartile, double totalsPercent) {
    /**
     * @param replayPerSecond the replay's examples per second, epoch by epoch
     * @param onePerSecond the one-thread epoch's, in the same rounds
     */
    static GemmShare of(double[] replayPerSecond, double[] onePerSecond) {
      int n = replayPerSecond.length;
      if (n != onePerSecond.length || n < 4) throw new IllegalArgumentException("need >= 4 epoch pairs, got " + n);
      double[] share = new double[n];
      double replaySeconds = 0, oneSeconds = 0;
      for (int e = 0; e < n; e++) {
        // Both process the same examples, so the ratio of times is the inverse ratio of throughputs.
        share[e] = 100 * onePerSecond[e] / replayPerSecond[e];
        replaySeconds += 1 / replayPerSecond[e];
        oneSeconds += 1 / onePerSecond[e];
      }
      Arrays.sort(share);
      return new GemmShare(Scaling.quantile(share, 0.5), Scaling.quantile(share, 0.25), Scaling.quantile(share, 0.75),
          100 * replaySeconds / oneSeconds);
    }

    /** Summary rows beside JMH's share: the median (error: half the interquartile range) and the share of the total times. */
    List<SummaryRow> rows(String shape) {
      String impl = TrainBench.impl("1");
      return List.of(
          new SummaryRow(TrainGemmShare.SHARE_KERNEL, impl, shape, 1, medianPercent, (upperQuartile - lowerQuartile) / 2, SHARE_MEDIAN_UNIT, Double.NaN),
          new SummaryRow(TrainGemmShare.SHARE_KERNEL, impl, shape, 1, totalsPercent, Double.NaN, SHARE_TOTALS_UNIT, Double.NaN));
    }
  }

  /** What {@link #measure} found: every set-up against one thread (the one-thread set-up first), and GEMM's share. */
  record Measured(List<Scaling> scalings, GemmShare gemmShare) {
    /** The summary rows: each set-up's but the one-thread one (one thread against itself), then GEMM's share. */
    List<SummaryRow> rows(String shape) {
      List<SummaryRow> rows = new ArrayList<>();
      for (Scaling s : scalings.subList(1, scalings.size())) rows.addAll(s.rows(shape));
      rows.addAll(gemmShare.rows(shape));
      return rows;
    }
  }

  /** Unit of GEMM's share taken epoch pair by epoch pair: the median; the error column holds half the interquartile range. */
  static final String SHARE_MEDIAN_UNIT = "% alternating, median";
  /** Unit of GEMM's share of the total times of the alternating epochs. */
  static final String SHARE_TOTALS_UNIT = "% alternating, totals";

  /** The impl label of the sharded step run in turn on one thread (its rows have threads = 1). */
  static final String IN_TURN_IMPL = "caviar-sharded-in-turn";

  /** The summary's kernel label of these rows. */
  static final String KERNEL = "train-scaling";
  /** Unit of the median of the epoch pairs' ratios; the error column holds half the interquartile range. */
  static final String MEDIAN_UNIT = "x 1 thread, median";
  /** Unit of the ratio of the set-up's total time to the one-thread total. */
  static final String TOTALS_UNIT = "x 1 thread, totals";

  /**
   * Trains every set-up of {@code c} alternately, {@code epochs} epochs each after the warm-up,
   * and the one-thread epoch's GEMM calls alone, prints the results to {@code out} and returns them.
   */
  static Measured measure(TrainCase c, int threads, int epochs, PrintStream out) {
    if (threads < 2) throw new IllegalArgumentException("threads must be >= 2, got " + threads);
    if (epochs < 4) throw new IllegalArgumentException("epochs must be >= 4, got " + epochs);
    List<SetUp> setUps = new ArrayList<>();
    Renewed one = new Renewed(() -> c.fresh(TrainBench.NETWORK_SEED, Kernels.vector()));
    setUps.add(new SetUp("1 thread", TrainBench.impl("1"), 1, () -> examplesPerSecond(one, () -> {})));
    Workers team = Workers.of(threads);
    Runnable wakeTeam = () -> team.run(threads, (part, parts) -> {});
    Renewed sharded = new Renewed(() -> c.fresh(TrainBench.NETWORK_SEED, Kernels.parallel(threads)));
    setUps.add(new SetUp(threads + " threads, sharded", TrainBench.impl(TrainBench.ALL), threads, () -> examplesPerSecond(sharded, wakeTeam)));
    // The same split run in turn on one thread: what it costs in work, apart from the second thread.
    Renewed inTurn = new Renewed(() -> c.freshInTurn(TrainBench.NETWORK_SEED, threads));
    setUps.add(new SetUp("sharded, in turn on 1", IN_TURN_IMPL, 1, () -> examplesPerSecond(inTurn, () -> {})));
    Renewed split = new Renewed(() -> c.fresh(TrainBench.NETWORK_SEED, Kernels.vector().withGemm(Gemm.parallel(threads))));
    setUps.add(new SetUp(threads + " threads, GEMM split", TrainBench.impl(TrainBench.ALL_GEMM), threads, () -> examplesPerSecond(split, wakeTeam)));
    Renewed[] models = new Renewed[threads];
    for (int m = 0; m < threads; m++) {
      int model = m;
      // Each its own weights and batch order, as CaviarTrainBench's threads.
      models[m] = new Renewed(() -> CaviarTrainBench.model(c, model));
    }
    ExecutorService side = Executors.newFixedThreadPool(threads - 1, r -> {
      Thread t = new Thread(r, "side-by-side");
      t.setDaemon(true);
      return t;
    });
    setUps.add(new SetUp(threads + " models side by side", CaviarTrainBench.IMPL, threads, () -> sideBySide(models, side)));
    // Last, so that the set-ups above keep their indices: the replay is not a way of training.
    TrainGemmReplay replay = TrainGemmReplay.of(c.spec, c.batchRows(), Gemm.vector());
    int examples = c.examplesPerEpoch();
    setUps.add(new SetUp("GEMM calls alone", TrainGemmShare.REPLAY_KERNEL, 1, () -> {
      long t0 = System.nanoTime();
      replay.epoch();
      return examples / ((System.nanoTime() - t0) * 1e-9);
    }));
    int replayIndex = setUps.size() - 1;

    double[][] perSecond = new double[setUps.size()][epochs];
    try {
      warmUp(setUps, c.batchRows().length, out);
      for (int e = 0; e < epochs; e++) {
        for (int k : roundOrder(e, setUps.size())) perSecond[k][e] = setUps.get(k).epoch().getAsDouble();
      }
    } finally {
      side.shutdown();
    }
    out.printf("%s, %d epochs of each, alternating:%n", c.shape(), epochs);
    List<Scaling> results = new ArrayList<>();
    for (int k = 0; k < replayIndex; k++) {
      Scaling r = Scaling.of(setUps.get(k).name(), setUps.get(k).impl(), setUps.get(k).threads(), perSecond[k], perSecond[0]);
      results.add(r);
      out.printf(Locale.ROOT, "  %-24s %,10.0f examples/s (median)   ratio to 1 thread %.2f (quartiles %.2f-%.2f), of totals %.2f%n",
          r.setUp(), r.medianExamplesPerSecond(), r.medianRatio(), r.lowerQuartile(), r.upperQuartile(), r.totalsRatio());
    }
    GemmShare share = GemmShare.of(perSecond[replayIndex], perSecond[0]);
    out.printf(Locale.ROOT, "  %-24s %.1f%% of the 1-thread epoch (median; quartiles %.1f-%.1f%%), of totals %.1f%%%n",
        "GEMM share", share.medianPercent(), share.lowerQuartile(), share.upperQuartile(), share.totalsPercent());
    return new Measured(results, share);
  }

  /** Epochs a network of a set-up trains before it is replaced by a fresh one. */
  static final int EPOCHS_PER_NETWORK = 25;

  /**
   * A set-up's network, replaced by a freshly built one (untimed) every {@value
   * #EPOCHS_PER_NETWORK} epochs, about one JMH iteration's worth: {@link TrainBench} rebuilds its
   * network before each iteration, so that what is timed is a network early in training, as a
   * real run's is, rather than one trained for hundreds of epochs (the warm-up alone trains some
   * 250 at batch 128). A new network also lies elsewhere in the heap, and identical networks in
   * one JVM ran up to 3.5% (one thread) and 10% (sharded) apart by where their arrays lie
   * (bench/RESULTS.md, ninth sitting): renewing samples placements as JMH's iterations do. (The
   * GEMM replay trains nothing and keeps its arrays.)
   */
  static final class Renewed {
    private final Supplier<TrainCase.Fresh> build;
    private TrainCase.Fresh current;
    private int epochs;

    Renewed(Supplier<TrainCase.Fresh> build) {
      this.build = build;
      this.current = build.get();
    }

    /** The network for the next epoch. */
    TrainCase.Fresh next() {
      if (epochs == EPOCHS_PER_NETWORK) {
        current = build.get();
        epochs = 0;
      }
      epochs++;
      return current;
    }
  }

  /** One way of training, its summary label, and one epoch of it (its examples per second). */
  private record SetUp(String name, String impl, int threads, DoubleSupplier epoch) {}

  /**
   * One epoch's examples per second, timed after {@code wake} has run. Between two epochs of a
   * set-up on the team, the other set-ups' epochs leave its workers idle for tens of milliseconds,
   * long enough to park (see Workers), and the sharded step's first step of an epoch then waited
   * 0.4-0.9 ms for the worker: 1.8-8.8 us a step at batch 32 in eight runs on 2026-12-04 (phase
   * timers in a scratch copy of ShardedStep), 0.2-1.0 us with the wake. Continuous training (JMH's
   * TrainBench, or a trainer whose validation runs on the same team) does not pay it. So the team
   * is woken before the clock starts, and so is the side-by-side set-up's thread.
   */
  private static double examplesPerSecond(Renewed network, Runnable wake) {
    TrainCase.Fresh run = network.next();
    wake.run();
    long t0 = System.nanoTime();
    int examples = trainEpoch(run);
    return examples / ((System.nanoTime() - t0) * 1e-9);
  }

  /** One epoch; returns its examples. */
  private static int trainEpoch(TrainCase.Fresh run) {
    var totals = run.trainer().trainEpoch(run.batches(), run.learningRate());
    if (totals.diverged()) throw new IllegalStateException("training diverged at batch " + totals.divergedAtBatch());
    return totals.examples();
  }

  /** An epoch of every model at once, one per thread (the caller's included): their examples over the wall time. */
  private static double sideBySide(Renewed[] networks, ExecutorService side) {
    TrainCase.Fresh[] models = new TrainCase.Fresh[networks.length];
    for (int m = 0; m < models.length; m++) models[m] = networks[m].next();
    try {
      side.submit(() -> {}).get();
    } catch (InterruptedException | ExecutionException e) {
      throw new IllegalStateException("the side-by-side thread failed to wake", e);
    }
    long t0 = System.nanoTime();
    List<Future<Integer>> others = new ArrayList<>();
    for (int m = 1; m < models.length; m++) {
      TrainCase.Fresh model = models[m];
      others.add(side.submit(() -> trainEpoch(model)));
    }
    int examples = trainEpoch(models[0]);
    try {
      for (Future<Integer> f : others) examples += f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a model side by side failed: " + e.getCause(), e.getCause());
    }
    return examples / ((System.nanoTime() - t0) * 1e-9);
  }

  /** Epochs of every set-up in turn until the JIT has compiled nothing for 3 s, at least 8,000 steps of each (at most 120 s). */
  private static void warmUp(List<SetUp> setUps, int batchesPerEpoch, PrintStream out) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long start = System.nanoTime();
    long quietSince = start;
    long compiled = jit.getTotalCompilationTime();
    int rounds = 0;
    int minRounds = (8000 + batchesPerEpoch - 1) / batchesPerEpoch;
    while (true) {
      for (SetUp s : setUps) s.epoch().getAsDouble();
      rounds++;
      long now = System.nanoTime();
      long c = jit.getTotalCompilationTime();
      if (c != compiled) {
        compiled = c;
        quietSince = now;
      }
      boolean quiet = now - quietSince >= 3_000_000_000L;
      if ((rounds >= minRounds && quiet) || now - start >= 120_000_000_000L) {
        out.printf(Locale.ROOT, "Warm-up: %d epochs of each in %.1f s%s%n", rounds, (now - start) * 1e-9,
            quiet ? ", the last 3 s without a JIT compile" : "; the JIT was still compiling after 120 s");
        return;
      }
    }
  }

  /**
   * The order of the set-ups in round {@code round}: shuffled with the round as the seed, so that no
   * set-up always follows the same one (a team spins for up to Workers.YIELD_NANOS after its epoch,
   * on a vCPU the next set-up wants). Turning the order by one each round, as before, kept every
   * set-up behind the same neighbour in all rounds but one in six.
   */
  static int[] roundOrder(int round, int size) {
    List<Integer> order = new ArrayList<>();
    for (int k = 0; k < size; k++) order.add(k);
    java.util.Collections.shuffle(order, new java.util.Random(0x5CA1E + round));
    return order.stream().mapToInt(Integer::intValue).toArray();
  }
}
