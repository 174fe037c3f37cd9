package org.caviar.model.train;

import java.util.List;

/** Counts of (true class, predicted class) pairs: rows are the truth, columns the prediction. */
public final class ConfusionMatrix {
  private final List<String> classNames;
  private final int[][] counts;

  /** @param classNames one per class, each once, not null */
  public ConfusionMatrix(List<String> classNames) {
    if (classNames == null) throw new IllegalArgumentException("classNames must not be null");
    // A null was a NullPointerException from List.copyOf; a name twice, a table of two rows of one name.
    if (classNames.isEmpty()) throw new IllegalArgumentException("classNames must not be empty");
    org.caviar.model.data.ClassNames.requireDistinct(classNames, "classNames");
    this.classNames = List.copyOf(classNames);
    this.counts = new int[classNames.size()][classNames.size()];
  }

  public void add(int truth, int predicted) {
    requireClass("truth", truth);
    requireClass("predicted", predicted);
    counts[truth][predicted]++;
  }

  /** Named here: an index out of bounds would not say which argument, nor against how many classes. */
  private void requireClass(String name, int c) {
    if (c < 0 || c >= counts.length) throw new IllegalArgumentException(name + " must be in [0, " + counts.length + "), got " + c);
  }

  public int classes() {
    return counts.length;
  }

  public List<String> classNames() {
    return classNames;
  }

  public int count(int truth, int predicted) {
    requireClass("truth", truth);
    requireClass("predicted", predicted);
    return counts[truth][predicted];
  }

  public int total() {
    int n = 0;
    for (int[] row : counts) for (int c : row) n += c;
    return n;
  }

  public int correct() {
    int n = 0;
    for (int i = 0; i < counts.length; i++) n += counts[i][i];
    return n;
  }

  public double accuracy() {
    int total = total();
    return total == 0 ? Double.NaN : (double) correct() / total;
  }

  /** Of the examples of class {@code c}, the fraction predicted as {@code c} (NaN if none). */
  public double recall(int c) {
    requireClass("c", c);
    int n = 0;
    for (int p = 0; p < counts.length; p++) n += counts[c][p];
    return n == 0 ? Double.NaN : (double) counts[c][c] / n;
  }

  /** Of the examples predicted as {@code c}, the fraction that are {@code c} (NaN if none). */
  public double precision(int c) {
    requireClass("c", c);
    int n = 0;
    for (int[] row : counts) n += row[c];
    return n == 0 ? Double.NaN : (double) counts[c][c] / n;
  }

  /** A table with the true class down the side and the predicted class across. */
  @Override
  public String toString() {
    int width = 5;
    for (String name : classNames) width = Math.max(width, name.length() + 1);
    for (int[] row : counts) for (int c : row) width = Math.max(width, Integer.toString(c).length() + 1);
    StringBuilder b = new StringBuilder(String.format(java.util.Locale.ROOT, "%" + width + "s", "t\\p"));
    for (String name : classNames) b.append(String.format(java.util.Locale.ROOT, "%" + width + "s", name));
    b.append('\n');
    for (int i = 0; i < counts.length; i++) {
      b.append(String.format(java.util.Locale.ROOT, "%" + width + "s", classNames.get(i)));
      for (int c : counts[i]) b.append(String.format(java.util.Locale.ROOT, "%" + width + "d", c));
      b.append('\n');
    }
    return b.toString();
  }
}
