package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.caviar.kernels.Gemm;
import org.caviar.model.CoverageAgent;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.MiniBatches;
import org.caviar.model.layer.Mode;
import org.junit.jupiter.api.Test;

/**
 * Training with the GEMMs split over a team of two threads ({@code Gemm.parallel(2)}, the
 * products of an unsharded step) gives the bits of training on one thread: the GEMM shares are whole micro-tiles, each element
 * computed by the same chain of FMAs as on one thread. So the test asks for exact equality, not a
 * tolerance. The shapes make the products split: 128 x 128 x 200 is 6.5 MFLOP, above the parallel
 * GEMM's threshold of 4 x 2^20 flops, and 128 x 128 x 128 is exactly at it (split: only products
 * below it stay on one thread); the weight gradients (200 x 128, 128 x 128) split along m, the
 * others along n. Nothing here sees the split happen: that the shares run on the team, and give
 * the same bits, is kernels' GemmProperties' to check.
 */
class ParallelTrainingTest {
  private static final int INPUTS = 200;
  private static final int ROWS = 512;
  private static final int BATCH = 128;
  private static final Dataset DATA = randomData(ROWS, INPUTS, 10, 3);

  @Test
  void twoThreadsTrainTheBitsOfOne() {
    for (String spec : List.of(
        "200-128-128-10 relu batchnorm",
        "200-128-64-10 tanh batchnorm dropout=0.2",
        "200-128-128-10 sigmoid",
        "200-128-96-10 leaky_relu batchnorm")) {
      NetworkSpec s = NetworkSpec.parse(spec);
      Kernels gemmSplit = Kernels.vector().withGemm(Gemm.parallel(2));
      Network one = train(s, Kernels.vector());
      Network two = train(s, gemmSplit);
      assertArrayEquals(TrainerTest.parametersAndState(one), TrainerTest.parametersAndState(two), spec + ": parameters and running statistics");
      // Inference: batch norm with running statistics, over the same slices.
      float[] p1 = new float[ROWS * 10];
      float[] p2 = new float[ROWS * 10];
      one.probabilities(DATA.features(), ROWS, p1);
      two.probabilities(DATA.features(), ROWS, p2);
      assertArrayEquals(p1, p2, spec + ": inference probabilities");
    }
  }

  @Test
  void parallelStepsAllocateNothingOnAnyThreadOnceCompiled() {
    assumeFalse(CoverageAgent.attached(), "allocation is not measured under the JaCoCo agent (see CoverageAgent)");
    // As TrainerTest's single-thread check, on the calling thread and the team's worker: the steps
    // of Kernels.parallel(2) are sharded by features (ShardedStep).
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    Network network = Network.create(NetworkSpec.parse("200-128-128-10 relu batchnorm"), 1, Kernels.parallel(2));
    Trainer trainer = new Trainer(network, TrainingConfig.builder().batchSize(BATCH).build(), true);
    MiniBatches batches = trainer.batches(DATA);
    batches.shuffle();
    long worker = workerThreadId();
    long allocated = -1;
    String detail = "";
    // Bounded by time, not rounds, as in TrainerTest: how long C2 takes depends on its queue and the host.
    long deadline = System.nanoTime() + 60_000_000_000L;
    int rounds = 0;
    Runnable round = () -> {
      for (int b = 0; b < 200; b++) {
        int rows = batches.load(b % batches.batchCount());
        trainer.step(batches.features(), batches.labels(), rows, 1e-3f);
      }
    };
    while (allocated != 0 && System.nanoTime() < deadline) {
      rounds++;
      // Single-value queries: the array form allocates its result on the calling thread.
      long callerBefore = mx.getCurrentThreadAllocatedBytes();
      long workerBefore = mx.getThreadAllocatedBytes(worker);
      round.run();
      long callerBytes = mx.getCurrentThreadAllocatedBytes() - callerBefore;
      long workerBytes = mx.getThreadAllocatedBytes(worker) - workerBefore;
      allocated = callerBytes + workerBytes;
      detail = "caller " + callerBytes + ", worker " + workerBytes;
    }
    String sites = allocated == 0 ? "" : "; one more round: " + AllocationSites.during(round);
    assertEquals(0, allocated, "bytes allocated by the last 200 of " + rounds + " x 200 two-thread training steps (" + detail + ")" + sites);
  }

  /** The one worker of the two-thread team (named caviar-worker-2-1). */
  private static long workerThreadId() {
    List<Long> ids = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("caviar-worker-2-")) ids.add(t.threadId());
    }
    assertEquals(1, ids.size(), "worker threads of the two-thread team");
    return ids.get(0);
  }

  /** Three epochs of Adam from seed 8, shuffled with seed 4. */
  private static Network train(NetworkSpec spec, Kernels kernels) {
    Network n = Network.create(spec, 8, kernels);
    Trainer trainer = new Trainer(n, TrainingConfig.builder().epochs(3).batchSize(BATCH).seed(4).build());
    MiniBatches batches = trainer.batches(DATA);
    for (int e = 0; e < 3; e++) trainer.trainEpoch(batches, 1e-3f);
    // A forward in PROBE mode leaves the network's state alone; here it only checks nothing diverged.
    n.forward(DATA.features(), BATCH, Mode.PROBE);
    assertTrue(n.countCorrect(DATA.labels(), BATCH) >= 0, spec + " diverged");
    return n;
  }

  /** Gaussian features, labels from a fixed random linear map, so the task is learnable. */
  static Dataset randomData(int rows, int inputs, int classes, long seed) {
    Random r = new Random(seed);
    float[] x = new float[rows * inputs];
    for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
    float[] w = new float[inputs * classes];
    for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      int best = 0;
      double max = Double.NEGATIVE_INFINITY;
      for (int c = 0; c < classes; c++) {
        double s = 0;
        for (int j = 0; j < inputs; j++) s += x[i * inputs + j] * w[j * classes + c];
        if (s > max) {
          max = s;
          best = c;
        }
      }
      y[i] = best;
    }
    return Dataset.of(x, y, inputs, classes);
  }
}
