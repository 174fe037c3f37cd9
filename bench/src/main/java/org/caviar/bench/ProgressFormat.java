package org.caviar.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH output reduced to one line per finished configuration, already in the summary's units,
 * with a counter against the plan (and the round, when the plan runs in rounds). Anything else JMH prints (warnings, failures with their stack
 * traces) passes through unchanged.
 */
final class ProgressFormat implements OutputFormat {
  /** JMH's per-fork chatter, which the one line per configuration replaces. */
  private static final List<String> NOISE = List.of(
      "# Run progress:", "# Fork:", "# Detecting actual CPU count:", "# Run complete.",
      "Benchmark result is saved to", "WARNING: Using incubator modules: jdk.incubator.vector",
      "# *** WARNING: Non-forked runs", "# *** WARNING: Use non-forked runs"); // QuickRun says it does not fork

  private final PrintStream out;
  private final Function<BenchmarkParams, Work> describe;
  private final int planned;
  private final int rounds;
  private int round = 1;
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  private int finished;

  /** @param planned configurations in one round */
  ProgressFormat(PrintStream out, Function<BenchmarkParams, Work> describe, int planned, int rounds) {
    this.out = out;
    this.describe = describe;
    this.planned = planned * rounds;
    this.rounds = rounds;
  }

  void startRound(int round) {
    this.round = round;
  }

  int finished() {
    return finished;
  }

  @Override
  public void startBenchmark(BenchmarkParams params) {}

  @Override
  public void endBenchmark(BenchmarkResult result) {
    if (result == null || result.getPrimaryResult() == null) return; // failed, and JMH said why
    finished++;
    BenchmarkParams params = result.getParams();
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "[%3d/%d] %s", finished, planned,
        params.getBenchmark().replace("org.caviar.bench.", "")));
    for (String key : params.getParamsKeys()) line.append(' ').append(key).append('=').append(params.getParam(key));
    if (params.getThreads() > 1) line.append(" threads=").append(params.getThreads());
    if (rounds > 1) line.append(" (round ").append(round).append('/').append(rounds).append(')');
    line.append(':');
    for (SummaryRow r : Summary.convert(describe.apply(params), result.getPrimaryResult())) {
      line.append("  ").append(SummaryRow.number(r.score()));
      if (!Double.isNaN(r.error())) line.append(" ± ").append(SummaryRow.number(r.error()));
      line.append(' ').append(r.unit());
    }
    out.println(line);
  }

  @Override
  public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {}

  @Override
  public void iterationResult(
      BenchmarkParams benchParams, IterationParams params, int iteration, IterationResult data) {}

  @Override
  public void startRun() {}

  @Override
  public void endRun(Collection<RunResult> result) {}

  // Text arrives in pieces (print, println, and a forked JVM's own output as bytes): it is
  // assembled into lines so that each whole line can be filtered.

  @Override
  public void print(String s) {
    write(s.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void println(String s) {
    print(s);
    write('\n');
  }

  private static boolean isNoise(String line) {
    if (line.isBlank()) return true;
    for (String prefix : NOISE) if (line.startsWith(prefix)) return true;
    return false;
  }

  @Override
  public void verbosePrintln(String s) {}

  @Override
  public void flush() {
    out.flush();
  }

  @Override
  public void close() {
    if (pending.size() > 0) write('\n');
    out.flush(); // System.out outlives one JMH run
  }

  @Override
  public void write(int b) {
    if (b != '\n') {
      pending.write(b);
      return;
    }
    String line = pending.toString(StandardCharsets.UTF_8).stripTrailing();
    pending.reset();
    if (!isNoise(line)) out.println(line);
  }

  @Override
  public void write(byte[] b) {
    for (byte x : b) write(x);
  }
}
