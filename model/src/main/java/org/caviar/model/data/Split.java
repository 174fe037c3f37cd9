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
   * shuffled once more, so classes are interleaved).
   */
  public static Split stratified(Dataset data, double trainFraction, double validationFraction, long seed) {
    return of(data, stratifiedRows(data, trainFraction, validationFraction, seed));
  }

  /** The parts of {@code data} that {@code rows} names. */
  public static Split of(Dataset data, Rows rows) {
    return new Split(data.subset(rows.train()), data.subset(rows.validation()), data.subset(rows.test()));
  }

  /** Which rows of the data each part of {@link #stratified} holds, in the part's order. */
  public record Rows(int[] train, int[] validation, int[] test) {}

  /** The rows of {@link #stratified}'s parts (so that a part's row can be found in the data it came from). */
  public static Rows stratifiedRows(Dataset data, double trainFraction, double validationFraction, long seed) {
    if (!(trainFraction > 0) || !(validationFraction >= 0) || !(trainFraction + validationFraction <= 1)) {
      throw new IllegalArgumentException(
          "need trainFraction > 0, validationFraction >= 0 and their sum <= 1, got " + trainFraction + " and " + validationFraction);
    }
    Random random = new Random(seed);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < data.classCount(); c++) byClass.add(new ArrayList<>());
    for (int r = 0; r < data.rows(); r++) byClass.get(data.label(r)).add(r);
    List<Integer> train = new ArrayList<>();
    List<Integer> val = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (List<Integer> rows : byClass) {
      java.util.Collections.shuffle(rows, random);
      int n = rows.size();
      int nTrain = (int) Math.round(n * trainFraction);
      int nVal = Math.min(n - nTrain, (int) Math.round(n * validationFraction));
      train.addAll(rows.subList(0, nTrain));
      val.addAll(rows.subList(nTrain, nTrain + nVal));
      test.addAll(rows.subList(nTrain + nVal, n));
    }
    // The parts are shuffled in this order with the same generator: the split is a function of the seed.
    return new Rows(shuffled(train, random), shuffled(val, random), shuffled(test, random));
  }

  private static int[] shuffled(List<Integer> rows, Random random) {
    java.util.Collections.shuffle(rows, random);
    int[] idx = new int[rows.size()];
    for (int i = 0; i < idx.length; i++) idx[i] = rows.get(i);
    return idx;
  }
}
