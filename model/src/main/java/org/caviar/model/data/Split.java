package org.caviar.model.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A dataset cut into training, validation and test parts. {@link #stratified} keeps each class's
 * share the same in every part (which matters on small sets such as digits, ~180 per class), and
 * the same seed always gives the same parts.
 */
public record Split(Dataset train, Dataset validation, Dataset test) {

  /**
   * Shuffles each class's rows with {@code seed}, gives the first {@code trainFraction} of them to
   * train, the next {@code validationFraction} to validation and the rest to test (each part is then
   * shuffled once more, so classes are interleaved). See {@link #stratifiedRows} for a part that
   * this per-class rounding would leave empty.
   */
  public static Split stratified(Dataset data, double trainFraction, double validationFraction, long seed) {
    return of(data, stratifiedRows(data, trainFraction, validationFraction, seed));
  }

  /**
   * A test fraction at most this is no part asked for: it is what doubles leave of fractions meant
   * to sum to 1 (0.7 and 0.3 leave 5.6e-17).
   */
  public static final double NEGLIGIBLE_FRACTION = 1e-9;

  /** The parts of {@code data} that {@code rows} names. */
  public static Split of(Dataset data, Rows rows) {
    if (data == null || rows == null) throw new IllegalArgumentException("data and rows must not be null");
    return new Split(data.subset(rows.train()), data.subset(rows.validation()), data.subset(rows.test()));
  }

  /** Which rows of the data each part of {@link #stratified} holds, in the part's order. */
  public record Rows(int[] train, int[] validation, int[] test) {}

  /**
   * The rows of {@link #stratified}'s parts (so that a part's row can be found in the data it came from).
   *
   * <p>Each class's part sizes are rounded on their own. If that leaves a part of positive fraction
   * with no row at all while the data has a row for each such part (ten classes of 4 rows at 0.8,
   * 0.1: 0.4 validation rows a class, rounded to none), that part gets its size over all the rows
   * (largest remainder, at least one row), a row at a time from the class furthest over its share
   * in a part larger than its own size and under it in the empty part; else the rounding stands.
   * A part can still be empty (a fraction of 0, fewer rows than parts): its user says so.
   */
  public static Rows stratifiedRows(Dataset data, double trainFraction, double validationFraction, long seed) {
    if (data == null) throw new IllegalArgumentException("data must not be null");
    if (!(trainFraction > 0) || !(validationFraction >= 0) || !(trainFraction + validationFraction <= 1)) {
      throw new IllegalArgumentException(
          "need trainFraction > 0, validationFraction >= 0 and their sum <= 1, got " + trainFraction + " and " + validationFraction);
    }
    double testFraction = 1 - trainFraction - validationFraction;
    double[] fractions = {trainFraction, validationFraction, testFraction > NEGLIGIBLE_FRACTION ? testFraction : 0};
    Random random = new Random(seed);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < data.classCount(); c++) byClass.add(new ArrayList<>());
    for (int r = 0; r < data.rows(); r++) byClass.get(data.label(r)).add(r);
    int[][] counts = new int[byClass.size()][]; // [class][part]: rows of the class in train, validation, test
    for (int c = 0; c < counts.length; c++) {
      List<Integer> rows = byClass.get(c);
      java.util.Collections.shuffle(rows, random);
      int n = rows.size();
      int nTrain = (int) Math.round(n * trainFraction);
      int nVal = Math.min(n - nTrain, (int) Math.round(n * validationFraction));
      counts[c] = new int[] {nTrain, nVal, n - nTrain - nVal};
    }
    fillEmptyParts(counts, fractions, data.rows());
    List<Integer> train = new ArrayList<>();
    List<Integer> val = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (int c = 0; c < counts.length; c++) {
      List<Integer> rows = byClass.get(c);
      int nTrain = counts[c][0];
      int nVal = counts[c][1];
      train.addAll(rows.subList(0, nTrain));
      val.addAll(rows.subList(nTrain, nTrain + nVal));
      test.addAll(rows.subList(nTrain + nVal, rows.size()));
    }
    // The parts are shuffled in this order with the same generator: the split is a function of the seed.
    return new Rows(shuffled(train, random), shuffled(val, random), shuffled(test, random));
  }

  /**
   * Moves rows between the classes' part counts so that each part of positive fraction that has no
   * row gets its size over all {@code rows}; nothing when no such part is empty, or when there are
   * fewer rows than parts to fill (rounding then decides, as it always did).
   */
  private static void fillEmptyParts(int[][] counts, double[] fractions, int rows) {
    int[] totals = new int[3];
    for (int[] c : counts) for (int p = 0; p < 3; p++) totals[p] += c[p];
    int asked = 0;
    boolean[] empty = new boolean[3];
    for (int p = 0; p < 3; p++) {
      if (fractions[p] > 0) asked++;
      empty[p] = fractions[p] > 0 && totals[p] == 0;
    }
    if (!(empty[0] || empty[1] || empty[2]) || rows < asked) return;
    int[] target = partSizes(rows, fractions);
    for (int to = 0; to < 3; to++) {
      // Parts above their size hold at least what the empty ones lack: the row counts and sizes both sum to rows.
      while (empty[to] && totals[to] < target[to]) {
        int fromClass = -1;
        int fromPart = -1;
        double bestExcess = Double.NEGATIVE_INFINITY;
        for (int p = 0; p < 3; p++) {
          if (p == to || totals[p] <= target[p]) continue;
          for (int c = 0; c < counts.length; c++) {
            if (counts[c][p] == 0) continue;
            int n = counts[c][0] + counts[c][1] + counts[c][2];
            double excess = (counts[c][p] - n * fractions[p]) - (counts[c][to] - n * fractions[to]);
            if (excess > bestExcess) {
              bestExcess = excess;
              fromClass = c;
              fromPart = p;
            }
          }
        }
        counts[fromClass][fromPart]--;
        counts[fromClass][to]++;
        totals[fromPart]--;
        totals[to]++;
      }
    }
  }

  /**
   * The parts' sizes over {@code rows} rows by largest remainder (ties to the earlier part), with a
   * row for each part of positive fraction taken from the largest part (rows must be at least the
   * number of such parts).
   */
  private static int[] partSizes(int rows, double[] fractions) {
    int[] size = new int[3];
    double[] remainder = new double[3];
    int left = rows;
    for (int p = 0; p < 3; p++) {
      double quota = rows * fractions[p];
      size[p] = (int) Math.floor(quota);
      remainder[p] = quota - size[p];
      left -= size[p];
    }
    for (; left > 0; left--) {
      int p = argMax(remainder);
      size[p]++;
      remainder[p] = Double.NEGATIVE_INFINITY;
    }
    for (int p = 0; p < 3; p++) {
      if (fractions[p] > 0 && size[p] == 0) {
        size[argMax(size)]--; // 2 rows or more: the other parts hold all the rows, at least one per part asked for
        size[p]++;
      }
    }
    return size;
  }

  private static int argMax(double[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }

  private static int argMax(int[] values) {
    int best = 0;
    for (int i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }

  private static int[] shuffled(List<Integer> rows, Random random) {
    java.util.Collections.shuffle(rows, random);
    int[] idx = new int[rows.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = rows.get(i);
    return idx;
  }
}
