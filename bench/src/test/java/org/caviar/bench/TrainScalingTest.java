package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TrainScaling's statistics of epoch pairs, its summary rows, and which cases a full run measures. */
class TrainScalingTest {
  /**
   * Every round runs every set-up once, and over 40 rounds of 7 no set-up follows the same one in
   * more than half of them (turning the order by one each round, as before, put each behind the
   * same neighbour in 34 of 40).
   */
  @Test
  void theRoundsChangeWhichSetUpFollowsWhich() {
    int size = 7;
    int rounds = 40;
    int[][] behind = new int[size][size];
    for (int e = 0; e < rounds; e++) {
      int[] order = TrainScaling.roundOrder(e, size);
      assertEquals(size, java.util.Arrays.stream(order).distinct().filter(k -> k >= 0 && k < size).count(), "a permutation");
      for (int j = 1; j < size; j++) behind[order[j]][order[j - 1]]++;
    }
    for (int k = 0; k < size; k++) {
      int most = java.util.Arrays.stream(behind[k]).max().getAsInt();
      assertTrue(most <= rounds / 2, "set-up " + k + " followed one set-up in " + most + " of " + rounds + " rounds");
    }
  }

  @Test
  void ratiosAreTakenPairByPairAndTotalsAsHarmonicMeans() {
    // Epoch e of the set-up ran beside epoch e of one thread; the host slowed both in epoch 2.
    double[] one = {100, 100, 50, 100, 100};
    double[] two = {180, 170, 60, 190, 160};
    TrainScaling.Scaling s = TrainScaling.Scaling.of("2 threads, sharded", "caviar-sharded", 2, two, one);
    // Ratios 1.8, 1.7, 1.2, 1.9, 1.6, sorted 1.2 1.6 1.7 1.8 1.9: median [2], quartiles [1] and [3].
    assertEquals(1.7, s.medianRatio(), 1e-12);
    assertEquals(1.6, s.lowerQuartile(), 1e-12);
    assertEquals(1.8, s.upperQuartile(), 1e-12);
    // An even count: the median is the mean of the middle two, the quartiles interpolated at (n - 1) / 4.
    TrainScaling.Scaling even = TrainScaling.Scaling.of("x", "y", 2, new double[] {180, 170, 190, 160}, new double[] {100, 100, 100, 100});
    assertEquals(1.75, even.medianRatio(), 1e-12);
    assertEquals(1.675, even.lowerQuartile(), 1e-12);
    assertEquals(1.825, even.upperQuartile(), 1e-12);
    assertEquals(170, s.medianExamplesPerSecond(), 0);
    // Same examples every epoch: total time is the sum of 1/throughput.
    double oneTime = 1 / 100.0 * 4 + 1 / 50.0;
    double twoTime = 1 / 180.0 + 1 / 170.0 + 1 / 60.0 + 1 / 190.0 + 1 / 160.0;
    assertEquals(oneTime / twoTime, s.totalsRatio(), 1e-12);
    // The slow pair weighs in the totals, not in the median.
    assertTrue(s.totalsRatio() < s.medianRatio());
  }

  @Test
  void rowsGiveTheMedianWithHalfTheInterquartileRangeAndTheTotals() {
    TrainScaling.Scaling s = new TrainScaling.Scaling("2 threads, sharded", "caviar-sharded", 2, 9e4, 1.75, 1.7, 1.9, 1.66);
    List<SummaryRow> rows = s.rows("784-256-256-10 b32");
    assertEquals(2, rows.size());
    SummaryRow median = rows.get(0), totals = rows.get(1);
    assertEquals(List.of(TrainScaling.KERNEL, "caviar-sharded", "784-256-256-10 b32", TrainScaling.MEDIAN_UNIT),
        List.of(median.kernel(), median.impl(), median.shape(), median.unit()));
    assertEquals(2, median.threads());
    assertEquals(1.75, median.score(), 0);
    assertEquals(0.1, median.error(), 1e-12); // (1.9 - 1.7) / 2
    assertEquals(List.of(TrainScaling.KERNEL, "caviar-sharded", TrainScaling.TOTALS_UNIT),
        List.of(totals.kernel(), totals.impl(), totals.unit()));
    assertEquals(1.66, totals.score(), 0);
    assertTrue(Double.isNaN(totals.error()) && Double.isNaN(totals.pctPeak()) && Double.isNaN(median.pctPeak()));
  }

  @Test
  void theSplitInTurnIsReportedOnOneThread() {
    TrainScaling.Scaling s = new TrainScaling.Scaling("sharded, in turn on 1", TrainScaling.IN_TURN_IMPL, 1, 8e4, 0.93, 0.92, 0.95, 0.92);
    for (SummaryRow r : s.rows("784-256-256-10 b32")) {
      assertEquals(1, r.threads());
      assertEquals(TrainScaling.IN_TURN_IMPL, r.impl());
    }
  }

  @Test
  void gemmShareIsTheReplaysTimeOverTheEpochsPairByPair() {
    // Round e's one-thread epoch and its GEMM calls alone; the host slowed both in the third round.
    double[] one = {100, 100, 50, 100, 100};
    double[] replay = {125, 140, 70, 130, 160};
    TrainScaling.GemmShare s = TrainScaling.GemmShare.of(replay, one);
    // Paired shares 80, 71.43, 71.43, 76.92, 62.5 %, sorted 62.5 71.43 71.43 76.92 80. Quantiles of
    // the two series taken apart would give a median of 100 / 130 (76.9%): the pairing matters.
    assertEquals(100 * 100 / 140.0, s.medianPercent(), 1e-12);
    assertEquals(100 * 100 / 140.0, s.lowerQuartile(), 1e-12);
    assertEquals(100 * 100 / 130.0, s.upperQuartile(), 1e-12);
    double replayTime = 1 / 125.0 + 1 / 140.0 + 1 / 70.0 + 1 / 130.0 + 1 / 160.0;
    double oneTime = 4 / 100.0 + 1 / 50.0;
    assertEquals(100 * replayTime / oneTime, s.totalsPercent(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> TrainScaling.GemmShare.of(new double[3], new double[3]));
    assertThrows(IllegalArgumentException.class, () -> TrainScaling.GemmShare.of(new double[5], new double[4]));
  }

  @Test
  void measuredRowsLeaveOutOneThreadAgainstItselfAndEndWithGemmsShare() {
    TrainScaling.Scaling one = new TrainScaling.Scaling("1 thread", "caviar-vector", 1, 1e5, 1, 1, 1, 1);
    TrainScaling.Scaling sharded = new TrainScaling.Scaling("2 threads, sharded", "caviar-sharded", 2, 1.7e5, 1.7, 1.6, 1.8, 1.65);
    TrainScaling.GemmShare share = new TrainScaling.GemmShare(74, 72, 77, 74.5);
    List<SummaryRow> rows = new TrainScaling.Measured(List.of(one, sharded), share).rows("net");
    assertEquals(List.of("caviar-sharded", "caviar-sharded", "caviar-vector", "caviar-vector"), rows.stream().map(SummaryRow::impl).toList());
    SummaryRow median = rows.get(2), totals = rows.get(3);
    assertEquals(List.of(TrainGemmShare.SHARE_KERNEL, TrainScaling.SHARE_MEDIAN_UNIT), List.of(median.kernel(), median.unit()));
    assertEquals(74, median.score(), 0);
    assertEquals(2.5, median.error(), 1e-12); // (77 - 72) / 2
    assertEquals(1, median.threads());
    assertEquals(List.of(TrainGemmShare.SHARE_KERNEL, TrainScaling.SHARE_TOTALS_UNIT, 74.5), List.of(totals.kernel(), totals.unit(), totals.score()));
    assertTrue(Double.isNaN(totals.error()));
  }

  @Test
  void aSetUpsNetworkIsRenewedEveryEpochsPerNetworkEpochs() {
    int[] built = {0};
    TrainScaling.Renewed network = new TrainScaling.Renewed(() -> {
      built[0]++;
      return TrainCase.MNIST_B32.fresh(built[0], org.caviar.model.Kernels.scalar());
    });
    TrainCase.Fresh first = network.next();
    for (int e = 2; e <= TrainScaling.EPOCHS_PER_NETWORK; e++) assertSame(first, network.next(), "epoch " + e);
    TrainCase.Fresh second = network.next();
    assertNotSame(first, second);
    assertEquals(2, built[0]);
    for (int e = 2; e <= TrainScaling.EPOCHS_PER_NETWORK; e++) assertSame(second, network.next());
    assertNotSame(second, network.next());
    assertEquals(3, built[0]);
  }

  /** Its command line: a NumberFormatException ('For input string: "two"') or IllegalArgumentException stack trace before. */
  @Test
  void badArgumentsAreNamed() {
    for (String bad : List.of("threads=two", "threads=1", "epochs=3", "epochs=")) {
      var e = assertThrows(IllegalArgumentException.class, () -> TrainScaling.Options.parse(bad));
      assertTrue(e.getMessage().equals(bad + (bad.startsWith("threads") ? ": wants a whole number from 2 to 1024" : ": wants a whole number >= 4")),
          e.getMessage());
    }
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainScaling.Options.parse("config=mnist-b64"))
        .getMessage().contains("unknown training case: mnist-b64"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TrainScaling.Options.parse("thread=2"))
        .getMessage().contains("unknown argument thread=2"));
    assertEquals(new TrainScaling.Options(TrainCase.MNIST_B128, 3, 8), TrainScaling.Options.parse("config=mnist-b128", "threads=3", "epochs=8"));
    assertEquals(new TrainScaling.Options(TrainCase.MNIST_B32, 2, 40), TrainScaling.Options.parse());
    // More than a team holds: the kernels' "threads must be <= 1024" stack trace, once the data was built.
    assertEquals("threads=1025: wants a whole number from 2 to 1024",
        assertThrows(IllegalArgumentException.class, () -> TrainScaling.Options.parse("threads=1025")).getMessage());
    assertEquals(1024, TrainScaling.Options.parse("threads=1024").threads());
  }

  @Test
  void tooFewOrUnpairedEpochsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> TrainScaling.Scaling.of("x", "y", 2, new double[3], new double[3]));
    assertThrows(IllegalArgumentException.class, () -> TrainScaling.Scaling.of("x", "y", 2, new double[5], new double[4]));
  }

  @Test
  void aFullRunMeasuresTheCasesTrainBenchShardsOnAllThreads() {
    Plan plan = Plan.of(List.of("TrainBench.epoch"), Map.of("config", new String[] {"digits-b64", "mnist-b32", "mnist-b128"},
        "threads", new String[] {"1", "all"}), false);
    // The digits MLP's steps stay on one thread (Trainer.MIN_SHARDED_FLOPS): nothing to alternate.
    assertEquals(List.of("mnist-b32", "mnist-b128"), plan.scalingConfigs());
    Plan oneThread = Plan.of(List.of("TrainBench.epoch"), Map.of("threads", new String[] {"1"}), false);
    assertEquals(List.of(), oneThread.scalingConfigs());
    Plan peakOnly = Plan.of(List.of("PeakBench"), Map.of(), false);
    assertEquals(List.of(), peakOnly.scalingConfigs());
  }

  @Test
  void trainingAloneBringsThePeakItsRowsAreSetAgainst() {
    for (String selected : List.of("TrainBench.epoch", "CaviarTrainBench")) {
      Plan plan = Plan.of(List.of(selected), Map.of(), false);
      assertTrue(plan.classes().contains(PeakBench.class.getName()), selected + ": " + plan.classes());
    }
  }
}
