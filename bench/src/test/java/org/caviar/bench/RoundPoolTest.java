package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.ThroughputResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/** Rounds of a run pool into one result per configuration, as JMH pools one run's forks. */
class RoundPoolTest {
  private static final IterationParams MEASUREMENT = new IterationParams(IterationType.MEASUREMENT, 2, TimeValue.seconds(1), 1);

  static BenchmarkParams params(String benchmark, String threads) {
    WorkloadParams w = new WorkloadParams();
    w.put("config", "mnist-b32", 0);
    w.put("threads", threads, 1);
    IterationParams warmup = new IterationParams(IterationType.WARMUP, 0, TimeValue.seconds(1), 1);
    return new BenchmarkParams(benchmark, benchmark + "_Throughput", false, 1, new int[] {1}, List.of(), 1, 0,
        warmup, MEASUREMENT, Mode.Throughput, w, TimeUnit.SECONDS, 1, "java", List.of(), "25", "vm", "25", "1.37",
        TimeValue.minutes(10));
  }

  /** One fork of {@code params} whose measured iterations ran at the given operations per second. */
  static RunResult fork(BenchmarkParams params, double... opsPerSecond) {
    List<IterationResult> iterations = new ArrayList<>();
    for (double ops : opsPerSecond) {
      IterationResult it = new IterationResult(params, MEASUREMENT, new IterationResultMetaData(1, 1));
      it.addResult(new ThroughputResult(ResultRole.PRIMARY, "epoch", ops, 1_000_000_000L, TimeUnit.SECONDS));
      iterations.add(it);
    }
    return new RunResult(params, List.of(new BenchmarkResult(params, iterations)));
  }

  @Test
  void eachConfigurationPoolsTheIterationsOfEveryRound() {
    String train = "org.caviar.bench.TrainBench.epoch";
    RoundPool pool = new RoundPool();
    // Round 1, then round 2: each configuration once per round, in separate JMH runs.
    pool.add(TrainBench.class.getName(), 1, fork(params(train, "1"), 10, 12));
    pool.add(TrainBench.class.getName(), 1, fork(params(train, "all"), 30, 34));
    pool.add(PeakBench.class.getName(), 1, fork(params("org.caviar.bench.PeakBench.oneThread", "1"), 100, 100));
    pool.add(TrainBench.class.getName(), 2, fork(params(train, "1"), 20, 22));
    pool.add(TrainBench.class.getName(), 2, fork(params(train, "all"), 36, 40));

    Map<String, List<RunResult>> byClass = pool.byClass();
    assertEquals(List.of(TrainBench.class.getName(), PeakBench.class.getName()), List.copyOf(byClass.keySet()));
    List<RunResult> train2 = byClass.get(TrainBench.class.getName());
    assertEquals(2, train2.size(), "one pooled result per configuration");
    RunResult one = train2.get(0);
    RunResult all = train2.get(1);
    assertEquals("1", one.getParams().getParam("threads"));
    assertEquals(2, one.getBenchmarkResults().size(), "both rounds' forks");
    // JMH's score over pooled forks: the mean of every measured iteration (exact in binary here).
    assertEquals(16.0, one.getPrimaryResult().getScore(), 0.0);
    assertEquals(35.0, all.getPrimaryResult().getScore(), 0.0);
    assertEquals(1, byClass.get(PeakBench.class.getName()).size());
  }

  @Test
  void eachRoundIsKeptAsWellAndARoundThatRanAConfigurationTwicePoolsIt() {
    String train = "org.caviar.bench.TrainBench.epoch";
    String peak = "org.caviar.bench.PeakBench.oneThread";
    RoundPool pool = new RoundPool();
    pool.add(PeakBench.class.getName(), 1, fork(params(peak, "1"), 100, 102)); // round 1's start
    pool.add(TrainBench.class.getName(), 1, fork(params(train, "1"), 10, 12));
    pool.add(PeakBench.class.getName(), 1, fork(params(peak, "1"), 90, 92)); // and its end
    pool.add(TrainBench.class.getName(), 2, fork(params(train, "1"), 20, 22));
    List<SortedMap<Integer, RunResult>> byRound = pool.byRound();
    assertEquals(2, byRound.size());
    SortedMap<Integer, RunResult> peakRounds = byRound.get(0), trainRounds = byRound.get(1);
    assertEquals(List.of(1), List.copyOf(peakRounds.keySet()));
    assertEquals(2, peakRounds.get(1).getBenchmarkResults().size());
    assertEquals(96.0, peakRounds.get(1).getPrimaryResult().getScore(), 0.0);
    assertEquals(List.of(1, 2), List.copyOf(trainRounds.keySet()));
    assertEquals(11.0, trainRounds.get(1).getPrimaryResult().getScore(), 0.0);
    assertEquals(21.0, trainRounds.get(2).getPrimaryResult().getScore(), 0.0);
  }

  @Test
  void configurationsDifferingOnlyInAParameterStayApart() {
    String train = "org.caviar.bench.TrainBench.epoch";
    assertEquals(RoundPool.key(params(train, "1")), RoundPool.key(params(train, "1")));
    assertNotEquals(RoundPool.key(params(train, "1")), RoundPool.key(params(train, "all")));
  }
}
