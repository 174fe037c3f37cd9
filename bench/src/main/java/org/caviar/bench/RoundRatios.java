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
import org.openjdk.jmh.results.BenchmarkResult;
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

  /** The summary's kernel and unit of {@link #peakRows}' row. */
  static final String PEAK_SCALING_KERNEL = "peak-scaling";
  static final String PEAK_UNIT = "x 1 thread, lowest round end";

  /**
   * PeakBench on all threads over PeakBench on one, at each round's start and end (it runs at
   * both), printed round by round; a ratio below 0.9 of the thread count is flagged. On these VMs
   * the host once withheld a vCPU within a round: the two-thread peak at its end fell to 231
   * GFLOP/s against 449 at its start, one thread's 231, and that round's sharded training ran at
   * 0.91x one thread where the other rounds ran at 1.56-1.87x. Training figures of such a round
   * measure the host, and this line says which rounds those were. The row holds the lowest ratio.
   */
  static List<SummaryRow> peakRows(List<SortedMap<Integer, SortedMap<Integer, RunResult>>> byRun,
      Function<BenchmarkParams, Work> describe, PrintStream out) {
    SortedMap<Integer, SortedMap<Integer, RunResult>> one = null;
    SortedMap<Integer, SortedMap<Integer, RunResult>> all = null;
    int threads = 0;
    for (SortedMap<Integer, SortedMap<Integer, RunResult>> rounds : byRun) {
      if (rounds.isEmpty()) continue;
      SortedMap<Integer, RunResult> first = rounds.get(rounds.firstKey());
      Work work = describe.apply(first.get(first.firstKey()).getParams());
      if (!work.kernel().equals(Summary.PEAK_KERNEL)) continue;
      if (work.threads() == 1) {
        one = rounds;
      } else {
        all = rounds;
        threads = work.threads();
      }
    }
    if (one == null || all == null) return List.of();
    List<String> each = new ArrayList<>();
    List<Integer> flagged = new ArrayList<>();
    double lowest = Double.POSITIVE_INFINITY;
    for (Map.Entry<Integer, SortedMap<Integer, RunResult>> e : all.entrySet()) {
      SortedMap<Integer, RunResult> base = one.get(e.getKey());
      if (base == null) continue;
      List<String> ends = new ArrayList<>();
      boolean low = false;
      // The round's start and end, each set against the one-thread figure of the same run; a run
      // that failed for either prints a dash (pairing by position would set a start against an end).
      int lastRun = Math.max(e.getValue().lastKey(), base.lastKey());
      for (int run = 0; run <= lastRun; run++) {
        RunResult a = e.getValue().get(run);
        RunResult b = base.get(run);
        if (a == null || b == null) {
          ends.add("-");
          continue;
        }
        double ratio = a.getPrimaryResult().getScore() / b.getPrimaryResult().getScore();
        lowest = Math.min(lowest, ratio);
        low |= ratio < 0.9 * threads;
        ends.add(String.format(Locale.ROOT, "%.2f", ratio));
      }
      if (ends.stream().allMatch("-"::equals)) continue;
      if (low) flagged.add(e.getKey());
      each.add((all.size() > 1 ? "round " + e.getKey() + " " : "") + String.join(" / ", ends));
    }
    if (each.isEmpty()) return List.of();
    out.printf(Locale.ROOT, "FMA peak on %d threads over 1 thread, at the start / end of each round: %s%s%n", threads,
        String.join(", ", each), flagged.isEmpty() ? ""
            : String.format(Locale.ROOT, " (below %.1f in round%s %s: the host gave these threads less than %d whole cores then, "
                + "and those rounds' multi-thread figures measure that)", 0.9 * threads, flagged.size() > 1 ? "s" : "",
                flagged.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", ")), threads));
    return List.of(new SummaryRow(PEAK_SCALING_KERNEL, "vector-fma", "", threads, lowest, Double.NaN, PEAK_UNIT, Double.NaN));
  }
}
