package org.caviar.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;
import org.caviar.kernels.Gemm;
import org.caviar.model.Kernels;

/**
 * One model on several threads against one thread, measured as a ratio on a machine whose speed
 * drifts: JMH times each configuration in its own fork, minutes apart, and on the 2-vCPU VMs of
 * this project the same binary's one-thread figure moved by 20% between such runs. Here the three
 * set-ups of {@link TrainBench} (one thread, the sharded step, the GEMM-split step) train
 * alternately, one epoch each in turn, in one JVM, and the ratio of each epoch pair is taken;
 * reported are the median and quartiles of those ratios, and the ratio of the total throughputs.
 *
 * <p>The warm-up runs 8,000 steps of each set-up, and on until the JIT has compiled nothing for
 * three seconds: the methods called once or twice a step reach C2 only after some 5,000 calls
 * (at batch 128 and 32 steps an epoch, 16 s into a run: after a warm-up of 15 s, its last 5 s
 * without a compile, C2 still compiled Trainer.step and ShardedStep's outputAndLastBlock), and a
 * compiler thread running beside a two-thread step takes a vCPU from it.
 *
 * <pre>java --add-modules=jdk.incubator.vector -cp bench/target/benchmarks.jar \
 *     org.caviar.bench.TrainScaling [config=mnist-b32] [threads=2] [epochs=40]</pre>
 */
public final class TrainScaling {
  private TrainScaling() {}

  public static void main(String[] args) {
    String config = "mnist-b32";
    int threads = 2;
    int epochs = 40;
    for (String a : args) {
      String[] kv = a.split("=", 2);
      if (kv.length != 2) throw new IllegalArgumentException("arguments are key=value, got " + a);
      switch (kv[0]) {
        case "config" -> config = kv[1];
        case "threads" -> threads = Integer.parseInt(kv[1]);
        case "epochs" -> epochs = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + kv[0] + " (config, threads, epochs)");
      }
    }
    if (threads < 2) throw new IllegalArgumentException("threads must be >= 2, got " + threads);
    if (epochs < 4) throw new IllegalArgumentException("epochs must be >= 4, got " + epochs);
    TrainCase c = TrainCase.of(config);
    String[] names = {"1 thread", threads + " threads, sharded", threads + " threads, GEMM split"};
    Kernels[] kernels = {Kernels.vector(), Kernels.parallel(threads), Kernels.vector().withGemm(Gemm.parallel(threads))};
    TrainCase.Fresh[] runs = new TrainCase.Fresh[kernels.length];
    for (int k = 0; k < kernels.length; k++) runs[k] = c.fresh(TrainBench.NETWORK_SEED, kernels[k]);
    double[][] perSecond = new double[kernels.length][epochs];
    warmUp(runs);
    for (int e = 0; e < epochs; e++) {
      for (int k = 0; k < kernels.length; k++) {
        long t0 = System.nanoTime();
        var totals = runs[k].trainer().trainEpoch(runs[k].batches(), runs[k].learningRate());
        if (totals.diverged()) throw new IllegalStateException(names[k] + " diverged");
        perSecond[k][e] = totals.examples() / ((System.nanoTime() - t0) * 1e-9);
      }
    }
    System.out.printf("%s, %d epochs of each, alternating:%n", c.shape(), epochs);
    for (int k = 0; k < kernels.length; k++) {
      double[] ratio = new double[epochs];
      // Every epoch has the same examples, so the total throughput is the harmonic mean of the epochs'.
      double seconds = 0, secondsOne = 0;
      for (int e = 0; e < epochs; e++) {
        ratio[e] = perSecond[k][e] / perSecond[0][e];
        seconds += 1 / perSecond[k][e];
        secondsOne += 1 / perSecond[0][e];
      }
      double[] eps = perSecond[k].clone();
      Arrays.sort(eps);
      Arrays.sort(ratio);
      System.out.printf(Locale.ROOT, "  %-24s %,10.0f examples/s (median)   ratio to 1 thread %.2f (quartiles %.2f-%.2f), of totals %.2f%n",
          names[k], eps[epochs / 2], ratio[epochs / 2], ratio[epochs / 4], ratio[3 * epochs / 4], secondsOne / seconds);
    }
  }

  /** Epochs of every set-up in turn until the JIT has compiled nothing for 3 s, at least 8,000 steps of each (at most 120 s). */
  private static void warmUp(TrainCase.Fresh[] runs) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    long start = System.nanoTime();
    long quietSince = start;
    long compiled = jit.getTotalCompilationTime();
    int rounds = 0;
    int minRounds = (8000 + runs[0].batches().batchCount() - 1) / runs[0].batches().batchCount();
    while (true) {
      for (TrainCase.Fresh run : runs) run.trainer().trainEpoch(run.batches(), run.learningRate());
      rounds++;
      long now = System.nanoTime();
      long c = jit.getTotalCompilationTime();
      if (c != compiled) {
        compiled = c;
        quietSince = now;
      }
      boolean quiet = now - quietSince >= 3_000_000_000L;
      if ((rounds >= minRounds && quiet) || now - start >= 120_000_000_000L) {
        System.out.printf(Locale.ROOT, "Warm-up: %d epochs of each in %.1f s%s%n", rounds, (now - start) * 1e-9,
            quiet ? ", the last 3 s without a JIT compile" : "; the JIT was still compiling after 120 s");
        return;
      }
    }
  }
}
