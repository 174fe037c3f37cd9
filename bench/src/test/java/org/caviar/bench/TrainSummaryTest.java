package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.train.Trainer;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.AverageTimeResult;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.ThroughputResult;

/** The summary rows of the training and inference benchmarks: examples/s, % of peak, GEMM share, latency. */
class TrainSummaryTest {
  private static ThroughputResult perSecond(double operations) {
    return new ThroughputResult(ResultRole.PRIMARY, "bench", operations, 1_000_000_000L, TimeUnit.SECONDS);
  }

  @Test
  void trainingBecomesExamplesPerSecondAndGflops() {
    var rows = Summary.convert(Work.training("train", "caviar-vector", "net", 1, 6e6, 1000), perSecond(20));
    assertEquals(List.of("GFLOP/s", "examples/s"), rows.stream().map(SummaryRow::unit).toList());
    assertEquals(0.12, rows.get(0).score(), 1e-12); // 20 epochs/s x 6e6 flops
    assertEquals(20_000, rows.get(1).score(), 1e-9); // 20 epochs/s x 1000 examples
  }

  @Test
  void timePerOperationIsReportedInJmhsUnit() {
    // 1000 operations in 5 ms: 5 us each.
    var result = new AverageTimeResult(ResultRole.PRIMARY, "bench", 1000, 5_000_000L, TimeUnit.MICROSECONDS);
    var rows = Summary.convert(Work.latency("predict-1-row", "caviar-network", "net", 1), result);
    assertEquals(1, rows.size());
    assertEquals("us/op", rows.get(0).unit());
    assertEquals(5.0, rows.get(0).score(), 1e-12);
  }

  @Test
  void trainingRowsGetThePeakAndGemmShareOfTheirThreadCount() {
    Summary summary = new Summary(params -> {
      throw new AssertionError("not used");
    });
    summary.add(Work.flops("peak-fma", "vector-fma", "16 lanes x 12 chains", 1, 1e9), perSecond(200));
    summary.add(Work.flops("peak-fma", "vector-fma", "16 lanes x 12 chains", 2, 1e9), perSecond(400));
    // One epoch = 1000 examples = 1e9 counted flops; the GEMM replay of the epoch runs 0.8e9 flops.
    summary.add(Work.training("train", "caviar-vector", "net", 1, 1e9, 1000), perSecond(50));
    summary.add(Work.training("train", "caviar-parallel", "net", 2, 1e9, 1000), perSecond(80));
    summary.add(Work.training("train-gemm", "caviar-vector", "net", 1, 0.8e9, 1000), perSecond(125));
    summary.add(Work.training("train-gemm", "caviar-parallel", "net", 2, 0.8e9, 1000), perSecond(100));
    summary.add(Work.training("train-gemm", "caviar-vector", "other net", 1, 0.8e9, 1000), perSecond(1)); // no pair
    List<SummaryRow> rows = summary.rows();

    assertEquals(25.0, find(rows, "train", 1, "GFLOP/s").pctPeak(), 1e-12); // 50 / 200
    assertEquals(20.0, find(rows, "train", 2, "GFLOP/s").pctPeak(), 1e-12); // 80 / 400
    assertEquals(50.0, find(rows, "train-gemm", 1, "GFLOP/s").pctPeak(), 1e-12); // 100 / 200
    assertTrue(Double.isNaN(find(rows, "train", 1, "examples/s").pctPeak()));
    // Training: 50 000 examples/s; GEMM alone: 125 000. GEMM takes 40% of the time.
    SummaryRow share = find(rows, "train-gemm-share", 1, "%");
    assertEquals(40.0, share.score(), 1e-12);
    assertEquals("net", share.shape());
    assertEquals("caviar-vector", share.impl());
    assertEquals(80.0, find(rows, "train-gemm-share", 2, "%").score(), 1e-12); // 80 000 / 100 000
    assertEquals(2, rows.stream().filter(r -> r.kernel().equals("train-gemm-share")).count());
  }

  @Test
  void shareErrorCombinesTheRelativeErrors() {
    SummaryRow train = new SummaryRow("train", "caviar-vector", "net", 1, 100, 3, "examples/s", Double.NaN);
    SummaryRow replay = new SummaryRow("train-gemm", "caviar-vector", "net", 1, 200, 8, "examples/s", Double.NaN);
    SummaryRow share = TrainGemmShare.rows(List.of(train, replay)).get(0);
    assertEquals(50.0, share.score(), 1e-12);
    assertEquals(50.0 * Math.hypot(0.03, 0.04), share.error(), 1e-12); // 5% of 50
  }

  /** Work's examples per epoch must be what an epoch of the trainer really trains on. */
  @Test
  void digitsEpochExamplesAreWhatTheTrainerTrains() {
    TrainCase c = TrainCase.DIGITS_B64;
    Trainer trainer = new Trainer(Network.create(c.spec, 1, Kernels.vector()), c.trainingConfig());
    Trainer.EpochTotals totals = trainer.trainEpoch(trainer.batches(c.data()), TrainCase.LEARNING_RATE);
    assertEquals(totals.examples(), c.examplesPerEpoch());
  }

  /** Caviar mode stands for independent trials: each JMH thread its own weights and batch order, thread 0 TrainBench's. */
  @Test
  void modelsSideBySideTrainOnTheirOwnBatchOrder() {
    TrainCase.Fresh one = TrainCase.MNIST_B32.fresh(TrainBench.NETWORK_SEED, Kernels.vector());
    TrainCase.Fresh first = CaviarTrainBench.model("mnist-b32", 0);
    TrainCase.Fresh second = CaviarTrainBench.model("mnist-b32", 1);
    int[] labelsOne = firstBatchLabels(one), labelsFirst = firstBatchLabels(first), labelsSecond = firstBatchLabels(second);
    assertArrayEquals(labelsOne, labelsFirst);
    assertFalse(Arrays.equals(labelsFirst, labelsSecond), "both threads start the epoch on the same rows");
    assertFalse(Arrays.equals(first.trainer().network().parameters().get(0).values(), second.trainer().network().parameters().get(0).values()));
  }

  private static int[] firstBatchLabels(TrainCase.Fresh f) {
    f.batches().shuffle();
    f.batches().load(0);
    return f.batches().labels().clone();
  }

  @Test
  void mnistShapedEpochsHaveNoRemainder() {
    assertEquals(TrainCase.MNIST_ROWS, TrainCase.MNIST_B32.examplesPerEpoch());
    assertEquals(128, TrainCase.MNIST_B32.batchRows().length);
    assertEquals(32, TrainCase.MNIST_B128.batchRows().length);
    assertEquals(3.0 * 2 * (784 * 256 + 256 * 256 + 256 * 10), TrainCase.MNIST_B128.flopsPerExample(), 0);
  }

  private static SummaryRow find(List<SummaryRow> rows, String kernel, int threads, String unit) {
    return rows.stream()
        .filter(r -> r.kernel().equals(kernel) && r.threads() == threads && r.unit().equals(unit) && r.shape().equals("net"))
        .findFirst().orElseThrow(() -> new AssertionError("no " + kernel + " row for " + threads + " threads in " + unit));
  }
}
