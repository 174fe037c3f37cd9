package org.caviar.model.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/** The parts of {@link Split#stratifiedRows}: none asked for left empty by rounding, and the old split kept otherwise. */
class SplitPartsProperties {
  /**
   * The split as it was before empty parts were filled (each class rounded on its own): studies
   * store a split seed and fractions, and must get the same rows when the rounding left no part empty.
   */
  static Split.Rows roundedPerClass(Dataset data, double trainFraction, double validationFraction, long seed) {
    Random random = new Random(seed);
    List<List<Integer>> byClass = new ArrayList<>();
    for (int c = 0; c < data.classCount(); c++) byClass.add(new ArrayList<>());
    for (int r = 0; r < data.rows(); r++) byClass.get(data.label(r)).add(r);
    List<Integer> train = new ArrayList<>();
    List<Integer> val = new ArrayList<>();
    List<Integer> test = new ArrayList<>();
    for (List<Integer> rows : byClass) {
      Collections.shuffle(rows, random);
      int n = rows.size();
      int nTrain = (int) Math.round(n * trainFraction);
      int nVal = Math.min(n - nTrain, (int) Math.round(n * validationFraction));
      train.addAll(rows.subList(0, nTrain));
      val.addAll(rows.subList(nTrain, nTrain + nVal));
      test.addAll(rows.subList(nTrain + nVal, n));
    }
    return new Split.Rows(shuffled(train, random), shuffled(val, random), shuffled(test, random));
  }

  private static int[] shuffled(List<Integer> rows, Random random) {
    Collections.shuffle(rows, random);
    return rows.stream().mapToInt(Integer::intValue).toArray();
  }

  private static Dataset labelled(int[] labels, int classes) {
    return Dataset.of(new float[labels.length], labels, 1, classes);
  }

  private static int[][] parts(Split.Rows rows) {
    return new int[][] {rows.train(), rows.validation(), rows.test()};
  }

  /** A part's length, first rows and hash of all its rows, as the per-class rounding gave them before the fix. */
  private static void assertPart(int length, int[] first, int hash, int[] part, String name) {
    assertEquals(length, part.length, name);
    assertArrayEquals(first, Arrays.copyOf(part, first.length), name);
    assertEquals(hash, Arrays.hashCode(part), name);
  }

  /** Pinned on the code before the fix: the shipped digits split and a small uneven one (no part empty) do not move. */
  @Test
  void splitsWithNoEmptyPartAreUnchanged() {
    Split.Rows digits = Split.stratifiedRows(Datasets.digits(), 0.6, 0.2, 42);
    assertPart(1078, new int[] {912, 90, 68, 768, 609}, 1338094469, digits.train(), "digits train");
    assertPart(359, new int[] {1540, 1004, 680, 1148, 827}, 1562522611, digits.validation(), "digits validation");
    assertPart(360, new int[] {575, 333, 1489, 971, 45}, 1638405309, digits.test(), "digits test");
    // Classes of 13, 7 and 5 rows: 7.8, 4.2, 3 train rows rounded each way, but no part empty.
    int[] labels = new int[25];
    for (int r = 0; r < labels.length; r++) labels[r] = r < 13 ? 0 : r < 20 ? 1 : 2;
    Split.Rows small = Split.stratifiedRows(labelled(labels, 3), 0.6, 0.2, 3);
    assertPart(15, new int[] {24, 4, 11, 12, 0}, -1766863978, small.train(), "small train");
    assertPart(5, new int[] {14, 7, 6, 23, 1}, 41773462, small.validation(), "small validation");
    assertPart(5, new int[] {8, 5, 21, 17, 19}, 36187001, small.test(), "small test");
  }

  /** Ten classes of 4 rows at 0.8, 0.1: 0.4 validation rows a class rounded to none, but 4 of 40 were asked for. */
  @Test
  void tenClassesOfFourRowsHaveValidationRows() {
    int[] labels = new int[40];
    for (int r = 0; r < labels.length; r++) labels[r] = r % 10;
    Dataset data = labelled(labels, 10);
    assertEquals(0, roundedPerClass(data, 0.8, 0.1, 42).validation().length, "the rounding this fixes");
    Split.Rows rows = Split.stratifiedRows(data, 0.8, 0.1, 42);
    // 40 x 0.1 = 4 validation rows, each from a class's surplus test row; training keeps 3 of every class.
    assertEquals(30, rows.train().length);
    assertEquals(4, rows.validation().length);
    assertEquals(6, rows.test().length);
    int[] trainPerClass = new int[10];
    for (int r : rows.train()) trainPerClass[data.label(r)]++;
    assertArrayEquals(new int[] {3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, trainPerClass);
    assertPartition(data, rows);
    assertArrayEquals(rows.validation(), Split.stratifiedRows(data, 0.8, 0.1, 42).validation(), "a function of the seed");
  }

  private static void assertPartition(Dataset data, Split.Rows rows) {
    int[] seen = new int[data.rows()];
    for (int[] part : parts(rows)) for (int r : part) seen[r]++;
    for (int r = 0; r < seen.length; r++) assertEquals(1, seen[r], "row " + r + " in " + seen[r] + " parts");
  }

  /** Labels of 1 to 6 classes (some may have no row), 1 to 40 rows; fractions in hundredths. */
  @Provide
  Arbitrary<int[]> labels() {
    return Arbitraries.integers().between(0, 5).array(int[].class).ofMinSize(1).ofMaxSize(40);
  }

  @Provide
  Arbitrary<int[]> percents() {
    return Arbitraries.integers().between(1, 100)
        .flatMap(t -> Combinators.combine(Arbitraries.just(t), Arbitraries.integers().between(0, 100 - t))
            .as((train, validation) -> new int[] {train, validation}));
  }

  /**
   * The parts partition the rows; each part of positive fraction has a row when there are as many
   * rows as such parts; and when the per-class rounding left no such part empty, or there are too
   * few rows to fill one (evaluate --all splits a file of 2 rows too), its split stands.
   */
  @Property(tries = 1000)
  void everyPartAskedForHasRowsWhenThereAreEnough(@ForAll("labels") int[] labels, @ForAll("percents") int[] percents,
      @ForAll long seed) {
    Dataset data = labelled(labels, Arrays.stream(labels).max().orElseThrow() + 1);
    double train = percents[0] / 100.0;
    double validation = percents[1] / 100.0;
    Split.Rows rows = Split.stratifiedRows(data, train, validation, seed);
    assertPartition(data, rows);
    boolean[] asked = {true, percents[1] > 0, percents[0] + percents[1] < 100};
    int askedParts = 0;
    for (boolean a : asked) askedParts += a ? 1 : 0;
    Split.Rows old = roundedPerClass(data, train, validation, seed);
    boolean oldLeftOneEmpty = false;
    for (int p = 0; p < 3; p++) {
      if (asked[p] && data.rows() >= askedParts) {
        assertTrue(parts(rows)[p].length > 0, "part " + p + " of " + Arrays.toString(percents) + " on " + data.rows() + " rows is empty");
      }
      oldLeftOneEmpty |= asked[p] && parts(old)[p].length == 0;
    }
    if (!oldLeftOneEmpty || data.rows() < askedParts) {
      for (int p = 0; p < 3; p++) assertArrayEquals(parts(old)[p], parts(rows)[p], "part " + p + " moved");
    }
  }
}
