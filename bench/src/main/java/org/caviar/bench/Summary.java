package org.caviar.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns JMH results (operations per second) into the units the project reports, adds each GFLOP/s
 * figure's share of the measured peak and GEMM's share of training time ({@link TrainGemmShare}),
 * and writes the CSV and the table.
 *
 * <p>GFLOP/s, GB/s and examples/s scale the score, so their error scales with it. ns per element
 * is the reciprocal of the score; its error is the first-order one, the same relative error.
 * Results in time per operation (JMH's AverageTime) are reported as they are, in JMH's unit.
 */
final class Summary {
  static final String GFLOPS = "GFLOP/s";
  static final String GBPS = "GB/s";
  static final String NS_PER_ELEMENT = "ns/element";
  static final String EXAMPLES_PER_SECOND = "examples/s";
  static final String PEAK_KERNEL = "peak-fma";

  private final Function<BenchmarkParams, Work> describe;
  private final List<SummaryRow> rows = new ArrayList<>();

  /** @param describe what one operation of a benchmark does, from its parameters */
  Summary(Function<BenchmarkParams, Work> describe) {
    this.describe = describe;
  }

  /** Adds the rows of one finished benchmark configuration. */
  void add(RunResult result) {
    add(describe.apply(result.getParams()), result.getPrimaryResult());
  }

  void add(Work work, Result<?> primary) {
    rows.addAll(convert(work, primary));
  }

  /** Rows made outside JMH's results: {@link TrainScaling}'s, and {@link RoundRatios}' from the rounds. */
  void addRows(List<SummaryRow> more) {
    rows.addAll(more);
  }

  /** The rows a result makes: one per unit that applies to its work. */
  static List<SummaryRow> convert(Work work, Result<?> primary) {
    if (primary.getScoreUnit().endsWith("/op")) { // a time per operation, e.g. us/op
      return List.of(row(work, primary.getScore(), primary.getScoreError(), primary.getScoreUnit()));
    }
    if (!"ops/s".equals(primary.getScoreUnit())) {
      throw new IllegalStateException("expected a throughput in ops/s, got " + primary.getScoreUnit());
    }
    double ops = primary.getScore();
    double err = primary.getScoreError();
    List<SummaryRow> made = new ArrayList<>(2);
    if (work.flops() > 0) {
      double scale = work.flops() / 1e9;
      made.add(row(work, ops * scale, err * scale, GFLOPS));
    }
    if (work.bytes() > 0) {
      double scale = work.bytes() / 1e9;
      made.add(row(work, ops * scale, err * scale, GBPS));
    }
    if (work.elements() > 0) {
      double ns = 1e9 / (ops * work.elements());
      made.add(row(work, ns, ns * err / ops, NS_PER_ELEMENT));
    }
    if (work.examples() > 0) {
      made.add(row(work, ops * work.examples(), err * work.examples(), EXAMPLES_PER_SECOND));
    }
    return made;
  }

  private static SummaryRow row(Work work, double score, double error, String unit) {
    return new SummaryRow(work.kernel(), work.impl(), work.shape(), work.threads(), score, error, unit, Double.NaN);
  }

  /**
   * Every row so far, GFLOP/s rows (GEMM and training) with their percentage of the peak at the
   * same thread count, then GEMM's share of each training configuration; the peak first, then each
   * kernel and shape together in the order they ran.
   */
  List<SummaryRow> rows() {
    Map<Integer, Double> peak = new HashMap<>();
    for (SummaryRow r : rows) if (r.kernel().equals(PEAK_KERNEL)) peak.put(r.threads(), r.score());
    List<SummaryRow> all = new ArrayList<>(rows);
    all.addAll(TrainGemmShare.rows(rows));
    Map<String, List<SummaryRow>> groups = new LinkedHashMap<>();
    for (SummaryRow r : all) {
      SummaryRow withPct = r;
      Double p = peak.get(r.threads());
      if (!r.kernel().equals(PEAK_KERNEL) && r.unit().equals(GFLOPS) && p != null) {
        withPct = r.withPctPeak(100 * r.score() / p);
      }
      groups.computeIfAbsent(r.kernel() + "|" + r.shape(), key -> new ArrayList<>()).add(withPct);
    }
    List<SummaryRow> ordered = new ArrayList<>();
    groups.forEach((key, group) -> {
      group.sort(Comparator.comparing(SummaryRow::unit).thenComparingInt(SummaryRow::threads));
      if (key.startsWith(PEAK_KERNEL + "|")) ordered.addAll(0, group);
      else ordered.addAll(group);
    });
    return ordered;
  }

  void writeCsv(Path file) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    List<String> lines = new ArrayList<>();
    lines.add(SummaryRow.CSV_HEADER);
    for (SummaryRow r : rows()) lines.add(r.csv());
    Files.write(file, lines);
  }

  void printTable(PrintStream out) {
    List<SummaryRow> all = rows();
    int kernelW = width(all, SummaryRow::kernel, "kernel");
    int implW = width(all, SummaryRow::impl, "impl");
    int shapeW = width(all, SummaryRow::shape, "shape");
    int unitW = width(all, SummaryRow::unit, "unit");
    String format = "%-" + kernelW + "s  %-" + implW + "s  %-" + shapeW + "s  %7s  %10s  %-9s  %-" + unitW + "s  %6s%n";
    out.printf(format, "kernel", "impl", "shape", "threads", "score", "± error", "unit", "% peak");
    String previous = null;
    for (SummaryRow r : all) {
      String group = r.kernel() + "|" + r.shape();
      if (previous != null && !group.equals(previous)) out.println();
      previous = group;
      out.printf(format, r.kernel(), r.impl(), r.shape(), r.threads(), SummaryRow.number(r.score()),
          Double.isNaN(r.error()) ? "" : "± " + SummaryRow.number(r.error()), r.unit(),
          Double.isNaN(r.pctPeak()) ? "" : String.format(java.util.Locale.ROOT, "%.1f", r.pctPeak()));
    }
  }

  private static int width(List<SummaryRow> rows, Function<SummaryRow, String> column, String header) {
    int w = header.length();
    for (SummaryRow r : rows) w = Math.max(w, column.apply(r).length());
    return w;
  }
}
