package org.caviar.bench;

import static org.caviar.bench.RoundPoolTest.fork;
import static org.caviar.bench.RoundPoolTest.params;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.BenchmarkParams;

/** JMH's multi-thread training figures against one thread, round by round. */
class RoundRatiosTest {
  private static final String TRAIN = "org.caviar.bench.TrainBench.epoch";
  private static final String CAVIAR = "org.caviar.bench.CaviarTrainBench.epoch";

  /** 1000 examples an epoch; TrainBench's "all" and CaviarTrainBench run 2 threads. */
  private static final Function<BenchmarkParams, Work> DESCRIBE = p -> {
    if (p.getBenchmark().equals(CAVIAR)) return Work.training(CaviarTrainBench.KERNEL, CaviarTrainBench.IMPL, "net", 2, 1e9, 1000);
    boolean one = p.getParam("threads").equals("1");
    return Work.training(TrainGemmShare.TRAIN_KERNEL, one ? "caviar-vector" : "caviar-sharded", "net", one ? 1 : 2, 1e9, 1000);
  };

  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

  private List<SummaryRow> rows(RoundPool pool) {
    return RoundRatios.rows(pool.byRound(), DESCRIBE, new PrintStream(printed, true, StandardCharsets.UTF_8));
  }

  private String printed() {
    return printed.toString(StandardCharsets.UTF_8);
  }

  @Test
  void multiThreadTrainingIsSetAgainstOneThreadRoundByRound() {
    RoundPool pool = new RoundPool();
    // Round 1: 10 -> 18 epochs/s (1.8x); round 2, slower host: 20 -> 30 (1.5x); a third round ran only one thread.
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "1"), 10, 10));
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "all"), 18, 18));
    pool.add(TrainBench.class.getName(), 2, fork(params(TRAIN, "1"), 20, 20));
    pool.add(TrainBench.class.getName(), 2, fork(params(TRAIN, "all"), 30, 30));
    pool.add(TrainBench.class.getName(), 3, fork(params(TRAIN, "1"), 99, 99));
    List<SummaryRow> rows = rows(pool);
    assertEquals(1, rows.size(), "only the multi-thread configuration gets a ratio");
    SummaryRow r = rows.get(0);
    assertEquals(List.of(TrainScaling.KERNEL, "caviar-sharded", "net", RoundRatios.UNIT), List.of(r.kernel(), r.impl(), r.shape(), r.unit()));
    assertEquals(2, r.threads());
    // Ratio of the means over rounds 1 and 2 (round 3 had no pair): 24 / 15, not the mean of the ratios (1.65).
    assertEquals(1.6, r.score(), 1e-12);
    assertEquals(0.15, r.error(), 1e-12); // (1.8 - 1.5) / 2
    assertTrue(printed().contains("1.60x one thread in JMH (rounds 1.80, 1.50)"), printed());
  }

  @Test
  void modelsSideBySideAreSetAgainstOneThreadOfTrainBench() {
    RoundPool pool = new RoundPool();
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "1"), 10, 10));
    pool.add(CaviarTrainBench.class.getName(), 1, fork(params(CAVIAR, "1"), 19, 19));
    List<SummaryRow> rows = rows(pool);
    assertEquals(1, rows.size());
    assertEquals(CaviarTrainBench.IMPL, rows.get(0).impl());
    assertEquals(1.9, rows.get(0).score(), 1e-12);
  }

  /**
   * A case too small to split (the digits MLP) runs threads=all and threads=all-gemm on one thread,
   * and their rows say threads 1: they are not the one-thread figure. The last of them to come was
   * taken as the baseline, so the models side by side were set against the GEMM split's figure.
   */
  @Test
  void theBaselineIsTheOneThreadConfigurationNotAnotherThatRanOnOneThread() {
    Function<BenchmarkParams, Work> describe = p -> {
      if (p.getBenchmark().equals(CAVIAR)) return Work.training(CaviarTrainBench.KERNEL, CaviarTrainBench.IMPL, "net", 2, 1e9, 1000);
      String threads = p.getParam("threads");
      return Work.training(TrainGemmShare.TRAIN_KERNEL, TrainBench.impl(threads), "net", 1, 1e9, 1000);
    };
    RoundPool pool = new RoundPool();
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "1"), 10, 10));
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, TrainBench.ALL), 10.5, 10.5));
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, TrainBench.ALL_GEMM), 8, 8));
    pool.add(CaviarTrainBench.class.getName(), 1, fork(params(CAVIAR, "1"), 20, 20));
    List<SummaryRow> rows = RoundRatios.rows(pool.byRound(), describe, new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertEquals(1, rows.size(), rows.toString());
    assertEquals(CaviarTrainBench.IMPL, rows.get(0).impl());
    assertEquals(2.0, rows.get(0).score(), 1e-12); // 20 / 10, not 20 / 8
  }

  @Test
  void oneRoundHasNoSpreadAndNoRoundsToPrint() {
    RoundPool pool = new RoundPool();
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "1"), 10, 10));
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "all"), 17, 17));
    SummaryRow r = rows(pool).get(0);
    assertEquals(1.7, r.score(), 1e-12);
    assertTrue(Double.isNaN(r.error()));
    assertTrue(printed().contains("1.70x one thread in JMH"), printed());
    assertFalse(printed().contains("rounds"), printed());
  }

  private static final String PEAK_ONE = "org.caviar.bench.PeakBench.oneThread";
  private static final String PEAK_ALL = "org.caviar.bench.PeakBench.allThreads";

  /** PeakBench's figures: 1e9 flops a call, on 1 thread or 2. */
  private static final Function<BenchmarkParams, Work> PEAK =
      p -> Work.flops(Summary.PEAK_KERNEL, "vector-fma", "16 lanes", p.getBenchmark().equals(PEAK_ONE) ? 1 : 2, 1e9);

  /**
   * The run of 2026-12-05 13:46 (its rounds 1 and 4, here 1 and 2): the two-thread peak at the
   * last round's end fell to the one-thread one (231 against 231 GFLOP/s), and that round is
   * named; round 1 is not (1.99 and 1.96).
   */
  @Test
  void aRoundWhoseTwoThreadPeakFellIsNamed() {
    RoundPool pool = new RoundPool();
    String peak = PeakBench.class.getName();
    pool.add(peak, 1, 0, fork(params(PEAK_ALL, "2"), 455.7));
    pool.add(peak, 1, 0, fork(params(PEAK_ONE, "1"), 229.2));
    pool.add(peak, 1, 1, fork(params(PEAK_ALL, "2"), 448.1));
    pool.add(peak, 1, 1, fork(params(PEAK_ONE, "1"), 228.8));
    pool.add(peak, 2, 0, fork(params(PEAK_ALL, "2"), 448.8));
    pool.add(peak, 2, 0, fork(params(PEAK_ONE, "1"), 220.4));
    pool.add(peak, 2, 1, fork(params(PEAK_ALL, "2"), 231.0));
    pool.add(peak, 2, 1, fork(params(PEAK_ONE, "1"), 231.4));
    List<SummaryRow> rows = RoundRatios.peakRows(pool.byRun(), PEAK, new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue(printed().contains("at the start / end of each round: round 1 1.99 / 1.96, round 2 2.04 / 1.00 (below 1.8 in round 2:"),
        printed());
    assertEquals(1, rows.size());
    assertEquals(RoundRatios.PEAK_SCALING_KERNEL, rows.get(0).kernel());
    assertEquals(231.0 / 231.4, rows.get(0).score(), 1e-12);
  }

  @Test
  void evenRoundsAreNotFlagged() {
    RoundPool pool = new RoundPool();
    String peak = PeakBench.class.getName();
    pool.add(peak, 1, 0, fork(params(PEAK_ALL, "2"), 400));
    pool.add(peak, 1, 0, fork(params(PEAK_ONE, "1"), 200));
    pool.add(peak, 1, 1, fork(params(PEAK_ALL, "2"), 362)); // 1.81: just above 0.9 x 2
    pool.add(peak, 1, 1, fork(params(PEAK_ONE, "1"), 200));
    RoundRatios.peakRows(pool.byRun(), PEAK, new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue(printed().contains("each round: 2.00 / 1.81"), printed());
    assertFalse(printed().contains("below"), printed());
  }

  /**
   * The one-thread run at a round's start failed (JMH goes on without it): its end is set against
   * the end, and the start shows a dash. Paired by position, 448 (start) / 231 (end) read 1.94.
   */
  @Test
  void aFailedRunLeavesAGapNotAShift() {
    RoundPool pool = new RoundPool();
    String peak = PeakBench.class.getName();
    pool.add(peak, 1, 0, fork(params(PEAK_ALL, "2"), 448.8));
    pool.add(peak, 1, 1, fork(params(PEAK_ALL, "2"), 231.0));
    pool.add(peak, 1, 1, fork(params(PEAK_ONE, "1"), 231.4));
    List<SummaryRow> rows = RoundRatios.peakRows(pool.byRun(), PEAK, new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertTrue(printed().contains("each round: - / 1.00 (below 1.8 in round 1:"), printed());
    assertEquals(231.0 / 231.4, rows.get(0).score(), 1e-12);
  }

  @Test
  void withoutAOneThreadFigureThereIsNoRatio() {
    RoundPool pool = new RoundPool();
    pool.add(TrainBench.class.getName(), 1, fork(params(TRAIN, "all"), 17, 17));
    assertEquals(List.of(), rows(pool));
    assertEquals("", printed());
  }
}
