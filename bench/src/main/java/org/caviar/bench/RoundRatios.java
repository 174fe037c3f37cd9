package org.caviar.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;

/**
 * JMH's training figures on several threads against one thread, round by round. A pooled score's
 * error is JMH's over every iteration of every round, which says little about a ratio of two
 * configurations that took turns on a drifting host; the ratios of the rounds do: on these VMs
 * they differed by up to 0.4 within one run. So each training configuration on more than one
 * thread (TrainBench's sharded and GEMM-split steps, CaviarTrainBench's models side by side) gets
 * a row of its examples/s over the one-thread TrainBench figure of the same network and batch:
 * the ratio of the means over the rounds both ran (the pooled scores' ratio when every round ran
 * both), with half the range of the rounds' ratios in the error column (NaN for one round).
 */
final class RoundRatios {
  /** The summary's unit of these rows. */
  static final String UNIT = "x 1 thread, JMH rounds";

  /** The implementation label of TrainBench's {@code threads=1}, the baseline. */
  private static final String ONE_THREAD_IMPL = TrainBench.impl("1");

  private RoundRatios() {}

  /** One training configuration's examples/s in each round it ran. */
  private record Figure(Work work, SortedMap<Integer, Double> byRound) {}

  /**
   * @param byRound every configuration's results by round ({@link RoundPool#byRound})
   * @param describe what one operation of a configuration does
   * @param out where each ratio is printed with its rounds'
   */
  static List<SummaryRow> rows(List<SortedMap<Integer, RunResult>> byRound, Function<BenchmarkParams, Work> describe,
      PrintStream out) {
    Map<String, Figure> oneThread = new LinkedHashMap<>();
    List<Figure> more = new ArrayList<>();
    for (SortedMap<Integer, RunResult> rounds : byRound) {
      if (rounds.isEmpty()) continue;
      Work work = describe.apply(rounds.get(rounds.firstKey()).getParams());
      boolean training = work.kernel().equals(TrainGemmShare.TRAIN_KERNEL) || work.kernel().equals(CaviarTrainBench.KERNEL);
      if (!training || work.examples() <= 0) continue;
      SortedMap<Integer, Double> examples = new TreeMap<>();
      rounds.forEach((round, r) -> examples.put(round, r.getPrimaryResult().getScore() * work.examples()));
      Figure f = new Figure(work, examples);
      // TrainBench's threads=1, not a split that ran on one thread (threads=all or all-gemm on the
      // digits MLP, whose rows also say 1 thread): the last of those would replace the baseline.
      if (work.kernel().equals(TrainGemmShare.TRAIN_KERNEL) && work.impl().equals(ONE_THREAD_IMPL)) oneThread.put(work.shape(), f);
      else if (work.threads() > 1) more.add(f);
    }
    List<SummaryRow> rows = new ArrayList<>();
    for (Figure f : more) {
      Figure one = oneThread.get(f.work.shape());
      if (one == null) continue;
      List<Integer> both = f.byRound.keySet().stream().filter(one.byRound::containsKey).toList();
      if (both.isEmpty()) continue;
      double sum = 0, sumOne = 0, lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
      List<String> each = new ArrayList<>();
      for (int round : both) {
        double x = f.byRound.get(round), base = one.byRound.get(round);
        sum += x;
        sumOne += base;
        double ratio = x / base;
        lo = Math.min(lo, ratio);
        hi = Math.max(hi, ratio);
        each.add(String.format(Locale.ROOT, "%.2f", ratio));
      }
      double ratio = sum / sumOne;
      double halfRange = both.size() > 1 ? (hi - lo) / 2 : Double.NaN;
      rows.add(new SummaryRow(TrainScaling.KERNEL, f.work.impl(), f.work.shape(), f.work.threads(), ratio, halfRange, UNIT, Double.NaN));
      out.printf(Locale.ROOT, "%s, %s on %d threads: %.2fx one thread in JMH%s%n", f.work.shape(), f.work.impl(), f.work.threads(), ratio,
          both.size() > 1 ? " (rounds " + String.join(", ", each) + ")" : "");
    }
    return rows;
  }
}
