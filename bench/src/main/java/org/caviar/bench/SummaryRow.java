package org.caviar.bench;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * One line of bench/target/summary.csv: a result in one unit.
 *
 * @param error half-width of JMH's 99.9% confidence interval, NaN when too few iterations ran; for
 *     the ratios and shares measured across rounds or epoch pairs, what their unit's doc says (half
 *     the interquartile range, half the range of the rounds)
 * @param pctPeak GFLOP/s as a percentage of PeakBench with the same thread count in the same run;
 *     NaN where it does not apply or no peak was measured
 */
record SummaryRow(
    String kernel, String impl, String shape, int threads, double score, double error, String unit, double pctPeak) {

  static final String CSV_HEADER = "kernel,impl,shape,threads,score,error,unit,pct_peak";

  SummaryRow withPctPeak(double pct) {
    return new SummaryRow(kernel, impl, shape, threads, score, error, unit, pct);
  }

  String csv() {
    return String.join(",", cell(kernel), cell(impl), cell(shape), Integer.toString(threads),
        number(score), number(error), cell(unit), Double.isNaN(pctPeak) ? "" : number(pctPeak));
  }

  /** A text cell as RFC 4180 has it: quoted, with quotes doubled, when it holds a comma, a quote or a line break. */
  static String cell(String text) {
    if (text.indexOf(',') < 0 && text.indexOf('"') < 0 && text.indexOf('\n') < 0 && text.indexOf('\r') < 0) return text;
    return '"' + text.replace("\"", "\"\"") + '"';
  }

  /** Four significant digits, never in exponent notation; empty for NaN. */
  static String number(double value) {
    if (Double.isNaN(value) || Double.isInfinite(value)) return "";
    return new BigDecimal(value).round(new MathContext(4)).stripTrailingZeros().toPlainString();
  }
}
