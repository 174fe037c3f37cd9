package org.caviar.model.debug;

/**
 * Counts of the finite values in {@code bins} equal-width bins over {@code [min, max]} (the last
 * bin includes max), and how many values were NaN or infinite. With no finite value the range is
 * NaN and every bin 0.
 */
public record Histogram(double min, double max, long[] counts, long nonFinite) {
  public Histogram {
    if (counts == null) throw new IllegalArgumentException("counts must not be null");
    if (nonFinite < 0) throw new IllegalArgumentException("nonFinite must be >= 0, got " + nonFinite);
  }

  /** Of finite values only. */
  public Histogram(double min, double max, long[] counts) {
    this(min, max, counts, 0);
  }

  /**
   * Of the first {@code len} values of {@code values}. A NaN or an infinity is counted apart: in
   * the range it made every bin but the first empty (a NaN range, or an infinite width).
   */
  public static Histogram of(float[] values, int len, int bins) {
    if (bins <= 0) throw new IllegalArgumentException("bins must be > 0, got " + bins);
    if (values == null) throw new IllegalArgumentException("values must not be null");
    // A negative len made a histogram of nothing over [Infinity, -Infinity]; one past the array, an index exception.
    if (len < 0 || len > values.length) {
      throw new IllegalArgumentException("len must be in [0, " + values.length + "] (the values' length), got " + len);
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    long nonFinite = 0;
    for (int i = 0; i < len; i++) {
      if (!Float.isFinite(values[i])) {
        nonFinite++;
        continue;
      }
      min = Math.min(min, values[i]);
      max = Math.max(max, values[i]);
    }
    long[] counts = new long[bins];
    // No finite value, none at all included: a range of [0, 0] would claim values at 0.
    if (nonFinite == len) return new Histogram(Double.NaN, Double.NaN, counts, nonFinite);
    double width = (max - min) / bins;
    for (int i = 0; i < len; i++) {
      if (!Float.isFinite(values[i])) continue;
      int b = width > 0 ? (int) ((values[i] - min) / width) : 0;
      counts[Math.min(Math.max(b, 0), bins - 1)]++;
    }
    return new Histogram(min, max, counts, nonFinite);
  }

  /** Of no value at all (nothing was computed): a NaN range and {@code bins} empty bins. */
  public static Histogram none(int bins) {
    if (bins <= 0) throw new IllegalArgumentException("bins must be > 0, got " + bins);
    return new Histogram(Double.NaN, Double.NaN, new long[bins], 0);
  }

  public long total() {
    long n = 0;
    for (long c : counts) n += c;
    return n;
  }

  /** One line: the range and a bar of block characters, one per bin. */
  @Override
  public String toString() {
    String blocks = " ▁▂▃▄▅▆▇█";
    long peak = 1;
    for (long c : counts) peak = Math.max(peak, c);
    StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "[% .3g, % .3g] ", min, max));
    for (long c : counts) b.append(blocks.charAt((int) Math.ceil(8.0 * c / peak)));
    if (nonFinite > 0) b.append(" (").append(nonFinite).append(" not finite)");
    return b.toString();
  }
}
