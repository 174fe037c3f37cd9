package org.caviar.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;

/**
 * The forks of each configuration from every round of a run ({@code run-quick --full --forks N};
 * a quick run, or a full one without {@code --forks}, is one round),
 * pooled into one result per configuration as JMH pools the forks of one run: the score is the
 * mean over every measured iteration of every fork, the error from all of them. Each round's
 * result is kept too ({@link #byRound}), for figures whose spread between rounds is the question
 * ({@link RoundRatios}).
 */
final class RoundPool {
  /**
   * One configuration's forks so far, and by round and the class's run within the round
   * (PeakBench's start and end), and the benchmark class that ran it.
   */
  private record Pooled(String className, BenchmarkParams params, List<BenchmarkResult> forks,
      SortedMap<Integer, SortedMap<Integer, List<BenchmarkResult>>> runs) {}

  private final Map<String, Pooled> byConfiguration = new LinkedHashMap<>();

  /** Adds the forks of round {@code round}'s result of a configuration of {@code className}, its first run in the round. */
  void add(String className, int round, RunResult result) {
    add(className, round, 0, result);
  }

  /**
   * Adds the forks of a configuration's result from run {@code run} (0, 1, ...) of
   * {@code className} in round {@code round}: PeakBench runs at a round's start (0) and end (1).
   */
  void add(String className, int round, int run, RunResult result) {
    Pooled p = byConfiguration.computeIfAbsent(key(result.getParams()),
        k -> new Pooled(className, result.getParams(), new ArrayList<>(), new TreeMap<>()));
    p.forks.addAll(result.getBenchmarkResults());
    p.runs.computeIfAbsent(round, r -> new TreeMap<>()).computeIfAbsent(run, r -> new ArrayList<>()).addAll(result.getBenchmarkResults());
  }

  /** The pooled results by benchmark class, classes and configurations in the order first added. */
  Map<String, List<RunResult>> byClass() {
    Map<String, List<RunResult>> out = new LinkedHashMap<>();
    for (Pooled p : byConfiguration.values()) {
      out.computeIfAbsent(p.className, c -> new ArrayList<>()).add(new RunResult(p.params, p.forks));
    }
    return out;
  }

  /**
   * Each configuration's results by round (a round that ran it twice, as PeakBench's start and
   * end, pooled into one), configurations in the order first added.
   */
  List<SortedMap<Integer, RunResult>> byRound() {
    List<SortedMap<Integer, RunResult>> out = new ArrayList<>();
    for (Pooled p : byConfiguration.values()) {
      SortedMap<Integer, RunResult> rounds = new TreeMap<>();
      p.runs.forEach((round, runs) -> {
        List<BenchmarkResult> forks = new ArrayList<>();
        runs.values().forEach(forks::addAll); // the round's runs in order, as they were added
        rounds.put(round, new RunResult(p.params, forks));
      });
      out.add(rounds);
    }
    return out;
  }

  /**
   * Each configuration's results by round and by run within the round, configurations in the
   * order first added: a run that failed for one configuration leaves a gap there, not a shift.
   */
  List<SortedMap<Integer, SortedMap<Integer, RunResult>>> byRun() {
    List<SortedMap<Integer, SortedMap<Integer, RunResult>>> out = new ArrayList<>();
    for (Pooled p : byConfiguration.values()) {
      SortedMap<Integer, SortedMap<Integer, RunResult>> rounds = new TreeMap<>();
      p.runs.forEach((round, runs) -> {
        SortedMap<Integer, RunResult> each = new TreeMap<>();
        runs.forEach((run, forks) -> each.put(run, new RunResult(p.params, forks)));
        rounds.put(round, each);
      });
      out.add(rounds);
    }
    return out;
  }

  /** What identifies a configuration across rounds: its benchmark, thread count and parameters. */
  static String key(BenchmarkParams params) {
    StringBuilder k = new StringBuilder(params.getBenchmark()).append(" threads=").append(params.getThreads());
    for (String name : params.getParamsKeys()) k.append(' ').append(name).append('=').append(params.getParam(name));
    return k.toString();
  }
}
