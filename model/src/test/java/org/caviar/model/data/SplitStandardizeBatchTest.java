package org.caviar.model.data;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Splitting, standardization and mini-batching, on a dataset whose first feature is the row id. */
class SplitStandardizeBatchTest {
  /**
   * A subset whose rows repeat may be larger than its dataset: past one array's limit it is an
   * error naming the sizes, not an int that wraps to a negative size (2049 x 2^20 floats here).
   */
  @Test
  void aSubsetLargerThanAnArrayHoldsIsRefused() {
    int features = 1 << 20;
    Dataset one = Dataset.of(new float[features], new int[] {0}, features, 1);
    var e = assertThrows(IllegalArgumentException.class, () -> one.subset(new int[2049]));
    assertEquals("2049 rows of 1048576 features = 2148532224 floats, more than a Java array holds (2147483639)", e.getMessage());
  }

  /** 3 classes of 100, 60, 40 rows; feature 0 is the row id, feature 1 is constant, feature 2 varies. */
  private static Dataset numbered() {
    int n = 200;
    float[] f = new float[n * 3];
    int[] labels = new int[n];
    for (int r = 0; r < n; r++) {
      f[r * 3] = r;
      f[r * 3 + 1] = 7;
      f[r * 3 + 2] = (r * 37) % 11;
      labels[r] = r < 100 ? 0 : r < 160 ? 1 : 2;
    }
    return Dataset.of(f, labels, 3, 3);
  }

  private static Set<Integer> ids(Dataset d) {
    Set<Integer> s = new HashSet<>();
    for (int r = 0; r < d.rows(); r++) s.add((int) d.feature(r, 0));
    return s;
  }

  /** Non-finite features or labels out of range are refused where the dataset is made, with the place named. */
  @Test
  void aDatasetRefusesWhatTrainingCannotUse() {
    float[] f = {1, 2, 3, 4, 5, Float.NaN};
    var e = assertThrows(IllegalArgumentException.class, () -> Dataset.of(f, new int[] {0, 1}, 3, 2));
    assertEquals("features must be finite: row 1, feature 2 is NaN", e.getMessage());
    f[5] = Float.NEGATIVE_INFINITY;
    e = assertThrows(IllegalArgumentException.class, () -> Dataset.of(f, new int[] {0, 1}, 3, 2));
    assertEquals("features must be finite: row 1, feature 2 is -Infinity", e.getMessage());
    f[5] = 6;
    e = assertThrows(IllegalArgumentException.class, () -> Dataset.of(f, new int[] {0, 2}, 3, 2));
    assertEquals("labels[1] must be in [0, 2), got 2", e.getMessage());
    assertEquals(2, Dataset.of(f, new int[] {0, 1}, 3, 2).rows());
  }

  /**
   * Classes are matched by name (a validation file, Model.evaluate): a name given twice ("cat, dog,
   * cat" for "cat, dog, cow") made every row of the file's "cat" class 0, whichever the training
   * data meant, without a word; a null name was a bare NullPointerException.
   */
  @Test
  void classNamesAreDistinctAndNotNull() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new Dataset(new float[] {1, 2, 3}, new int[] {0, 1, 2}, 1, List.of("cat", "dog", "cat")));
    assertEquals("classNames has 'cat' twice (classes 0 and 2): classes are matched by name", e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new Dataset(new float[] {1, 2}, new int[] {0, 1}, 1, java.util.Arrays.asList("cat", null)));
    assertEquals("classNames[1] must not be null", e.getMessage());
  }

  /** A column past the row's features is an error, not the next row's feature read silently. */
  @Test
  void aFeatureOutsideTheRowIsAnError() {
    Dataset d = Dataset.of(new float[] {1, 2, 3, 4, 5, 6}, new int[] {0, 1}, 3, 2);
    assertEquals(6f, d.feature(1, 2));
    var e = assertThrows(IllegalArgumentException.class, () -> d.feature(0, 3));
    assertEquals("feature (0, 3) outside 2 rows x 3 features", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> d.feature(1, -1));
    assertThrows(IllegalArgumentException.class, () -> d.feature(2, 0));
    // A row or label outside the data: named, not an index error.
    assertEquals("row 2 outside 2 rows", assertThrows(IllegalArgumentException.class, () -> d.row(2)).getMessage());
    assertEquals("row -1 outside 2 rows", assertThrows(IllegalArgumentException.class, () -> d.label(-1)).getMessage());
  }

  @Test
  void stratifiedSplitPartitionsAndKeepsClassShares() {
    Split s = Split.stratified(numbered(), 0.6, 0.2, 42);
    assertEquals(120, s.train().rows());
    assertEquals(40, s.validation().rows());
    assertEquals(40, s.test().rows());
    Set<Integer> all = new HashSet<>(ids(s.train()));
    all.addAll(ids(s.validation()));
    all.addAll(ids(s.test()));
    assertEquals(200, all.size(), "every row lands in exactly one part");
    assertArrayEquals(new int[] {60, 36, 24}, s.train().classCounts());
    assertArrayEquals(new int[] {20, 12, 8}, s.test().classCounts());
    for (int r = 0; r < s.train().rows(); r++) {
      int id = (int) s.train().feature(r, 0);
      assertEquals(id < 100 ? 0 : id < 160 ? 1 : 2, s.train().label(r), "labels travel with their rows");
    }
  }

  /** Each part's row i is the data's row that {@link Split#stratifiedRows} names for it. */
  @Test
  void thePartsRowsAreFoundInTheData() {
    Dataset d = numbered();
    Split s = Split.stratified(d, 0.6, 0.2, 5);
    Split.Rows rows = Split.stratifiedRows(d, 0.6, 0.2, 5);
    Dataset[] parts = {s.train(), s.validation(), s.test()};
    int[][] index = {rows.train(), rows.validation(), rows.test()};
    Set<Integer> seen = new HashSet<>();
    for (int p = 0; p < 3; p++) {
      assertEquals(parts[p].rows(), index[p].length);
      for (int i = 0; i < index[p].length; i++) {
        assertArrayEquals(d.row(index[p][i]), parts[p].row(i));
        assertEquals(d.label(index[p][i]), parts[p].label(i));
        assertTrue(seen.add(index[p][i]), "row " + index[p][i] + " in two parts");
      }
    }
    assertEquals(d.rows(), seen.size());
  }

  @Test
  void theSeedFixesTheSplit() {
    Split a = Split.stratified(numbered(), 0.6, 0.2, 1);
    Split b = Split.stratified(numbered(), 0.6, 0.2, 1);
    Split c = Split.stratified(numbered(), 0.6, 0.2, 2);
    assertArrayEquals(a.test().features(), b.test().features());
    assertNotEquals(ids(a.test()), ids(c.test()));
  }

  @Test
  void inClassesRenumbersLabelsByName() {
    // A file without class "a" numbers "b" as 0 and "c" as 1; in the model's classes they are 1 and 2.
    Dataset file = new Dataset(new float[] {1, 2, 3}, new int[] {1, 0, 1}, 1, List.of("b", "c"));
    Dataset named = file.inClasses(List.of("a", "b", "c"), "test.csv", "the model");
    assertArrayEquals(new int[] {2, 1, 2}, named.labels());
    assertEquals(List.of("a", "b", "c"), named.classNames());
    assertArrayEquals(file.features(), named.features());
    assertTrue(file.inClasses(List.of("b", "c"), "test.csv", "the model") == file, "same names: the dataset itself");
    var e = assertThrows(IllegalArgumentException.class, () -> file.inClasses(List.of("a", "b"), "test.csv", "the model"));
    assertEquals("test.csv has class 'c', which the model does not know [a, b]", e.getMessage());
    // Unnamed classes (Dataset.of's "0", "1", ...) are class numbers when the others are named.
    Dataset unnamed = Dataset.of(new float[] {1, 2, 3}, new int[] {1, 0, 1}, 1, 2);
    assertArrayEquals(new int[] {1, 0, 1}, unnamed.inClasses(List.of("a", "b", "c"), "rows", "the model").labels());
    // Numbered classes that are all among the model's are names: "1" is class 1 of "0", "1", "2".
    Dataset ones = new Dataset(new float[] {1, 2}, new int[] {0, 1}, 1, List.of("1", "2"));
    assertArrayEquals(new int[] {1, 2}, ones.inClasses(List.of("0", "1", "2"), "rows", "the model").labels());
    // Against numbered classes, a number the model does not have is an unknown class, not an index:
    // a file labelled 0, 1, 2 for a model of classes 1, 2, 3.
    Dataset zeroBased = Dataset.of(new float[] {1, 2, 3}, new int[] {0, 1, 2}, 1, 3);
    var z = assertThrows(IllegalArgumentException.class, () -> zeroBased.inClasses(List.of("1", "2", "3"), "test.csv", "the model"));
    assertEquals("test.csv has class '0', which the model does not know [1, 2, 3]", z.getMessage());
  }

  @Test
  void standardizationIsFittedOnTrainingDataOnly() {
    Split s = Split.stratified(numbered(), 0.6, 0.2, 3);
    Standardizer st = Standardizer.fit(s.train());
    Dataset train = st.apply(s.train());
    Dataset test = st.apply(s.test());
    for (int j : new int[] {0, 2}) {
      double sum = 0;
      double sq = 0;
      for (int r = 0; r < train.rows(); r++) {
        sum += train.feature(r, j);
        sq += (double) train.feature(r, j) * train.feature(r, j);
      }
      double mean = sum / train.rows();
      // Mean 0 and variance 1 up to the rounding of z = (x - mean) * scale (|z| <= 1.75 here):
      // the mean and scale rounded to float, the difference and the product rounded once each.
      // The mean's rounding shifts every z alike (|shift| <= u |mean| / std <= 1.75 u) and cancels
      // in the variance; the scale's multiplies the variance by at most 1 + 2u; the other two add
      // at most 2u |z| to each z, so 4u to the variance. Mean: 1.75 u + 2u * 1.75 < 6u; variance
      // 6u (u = 2^-24).
      assertEquals(0, mean, 6 * U);
      assertEquals(1, sq / train.rows() - mean * mean, 6 * U);
    }
    // The constant feature is centered, not divided by a zero deviation.
    assertEquals(1f, st.scale()[1]);
    assertEquals(0f, train.feature(0, 1));
    // The test part uses the training statistics: its own row would map through the same numbers.
    float raw = s.test().feature(0, 0);
    assertEquals((raw - st.mean()[0]) * st.scale()[0], test.feature(0, 0));
  }

  /**
   * Only a feature that is constant is left unscaled, as the class doc says: one whose spread was
   * below 1e-12 (a capacitance in farads, 0.1 to 0.4 pF) was taken for constant and left at its
   * size, about 1e-13, which the network cannot tell from 0.
   */
  @Test
  void aFeatureOfSmallValuesIsScaledLikeAnyOther() {
    float[] x = {1e-13f, 5, 2e-13f, 5, 3e-13f, 5, 4e-13f, 5};
    Dataset d = Dataset.of(x, new int[] {0, 1, 0, 1}, 2, 2);
    Standardizer st = Standardizer.fit(d);
    Dataset z = st.apply(d);
    double sum = 0;
    double sq = 0;
    for (int r = 0; r < 4; r++) {
      sum += z.feature(r, 0);
      sq += (double) z.feature(r, 0) * z.feature(r, 0);
    }
    // Mean 0 and variance 1 up to the rounding of (x - mean) * scale, as in
    // standardizationIsFittedOnTrainingDataOnly (|z| <= 1.35 here, so 6u holds for both).
    assertEquals(0, sum / 4, 6 * U);
    assertEquals(1, sq / 4 - (sum / 4) * (sum / 4), 6 * U);
    // The constant feature is still centered only.
    assertEquals(1f, st.scale()[1]);
    assertEquals(0f, z.feature(0, 1));
    // A spread too small for 1 / std to be a float (subnormal values) gets the largest scale a
    // float holds, not an infinite one the Standardizer refuses.
    Standardizer tiny = Standardizer.fit(Dataset.of(new float[] {0, Float.MIN_VALUE}, new int[] {0, 0}, 1, 1));
    assertEquals(Float.MAX_VALUE, tiny.scale()[0]);
  }

  /** A bad mean or scale is written as a person writes numbers (1e-45, not Java's 1.4E-45). */
  @Test
  void aBadMeanOrScaleIsNamedAsWritten() {
    var e = assertThrows(IllegalArgumentException.class, () -> new Standardizer(new float[] {0.5f, Float.NaN}, new float[] {1, 1e-3f}));
    assertEquals("feature 1: mean NaN and scale 0.001 must be finite, scale != 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Standardizer(new float[] {1e20f}, new float[] {0}));
    assertEquals("feature 0: mean 1e20 and scale 0 must be finite, scale != 0", e.getMessage());
  }

  /**
   * Finite data can standardize to infinity (a feature nearly constant in training has a large
   * scale): apply said "features must be finite: row 1, feature 0 is Infinity" of data whose
   * features all were.
   */
  @Test
  void dataThatStandardizesToInfinityIsNamedAsItWas() {
    Standardizer st = new Standardizer(new float[] {0, 0}, new float[] {1, 1e10f});
    Dataset raw = Dataset.of(new float[] {1, 2, 3, 1e30f}, new int[] {0, 1}, 2, 2);
    var e = assertThrows(IllegalArgumentException.class, () -> st.apply(raw));
    assertEquals("features[3] (row 1, feature 1) is 1e30, which standardizes to Infinity (mean 0, scale 1e10):"
        + " far outside the training data", e.getMessage());
  }

  @Test
  void eachEpochVisitsEveryRowOnceInANewOrder() {
    Dataset d = numbered();
    MiniBatches batches = new MiniBatches(d, 64, 1, 9);
    assertEquals(4, batches.batchCount(), "3 full batches and a remainder of 8");
    int[][] orders = new int[2][];
    for (int epoch = 0; epoch < 2; epoch++) {
      batches.shuffle();
      int[] seen = new int[d.rows()];
      int k = 0;
      int[] order = new int[d.rows()];
      for (int b = 0; b < batches.batchCount(); b++) {
        int rows = batches.load(b);
        for (int i = 0; i < rows; i++) {
          int id = (int) batches.features()[i * 3];
          seen[id]++;
          order[k++] = id;
          assertEquals(d.label(id), batches.labels()[i]);
        }
      }
      for (int c : seen) assertEquals(1, c);
      orders[epoch] = order;
    }
    assertFalse(Arrays.equals(orders[0], orders[1]), "shuffled anew each epoch");
    MiniBatches same = new MiniBatches(d, 64, 1, 9);
    same.shuffle();
    same.load(0);
    assertEquals(orders[0][0], (int) same.features()[0], "the seed fixes the order");
  }

  /**
   * load copies a row's first feature apart from the rest (for speed): every feature of every row
   * must still arrive, a share of a batch must fill only its own rows, and a dataset of one
   * feature (nothing left after the first) must load too.
   */
  @Test
  void loadCopiesWholeRowsAndAShareOnlyItsRows() {
    for (int features : new int[] {1, 2, 19}) {
      int n = 45;
      float[] f = new float[n * features];
      int[] labels = new int[n];
      for (int r = 0; r < n; r++) {
        for (int j = 0; j < features; j++) f[r * features + j] = r * 1000 + j;
        labels[r] = r % 4;
      }
      Dataset d = Dataset.of(f, labels, features, 4);
      MiniBatches batches = new MiniBatches(d, 16, 1, 3);
      batches.shuffle();
      for (int b = 0; b < batches.batchCount(); b++) {
        int rows = batches.rows(b);
        float[] x = new float[16 * features];
        int[] y = new int[16];
        Arrays.fill(x, -1);
        Arrays.fill(y, -1);
        // Rows [2, rows - 1) first, then the two ends, as two threads sharing a batch would.
        batches.load(b, 2, rows - 1, x, y);
        for (int j = 0; j < features; j++) {
          assertEquals(-1, x[j], "row 0 is not in the share [2, " + (rows - 1) + ")");
          assertEquals(-1, x[(rows - 1) * features + j], "nor is the last row");
        }
        batches.load(b, 0, 2, x, y);
        batches.load(b, rows - 1, rows, x, y);
        for (int i = 0; i < rows; i++) {
          int id = (int) x[i * features] / 1000;
          for (int j = 0; j < features; j++) assertEquals(id * 1000 + j, x[i * features + j], "batch " + b + " row " + i + " feature " + j);
          assertEquals(id % 4, y[i]);
        }
        for (int i = rows * features; i < x.length; i++) assertEquals(-1, x[i], "past the batch's rows");
      }
    }
  }

  @Test
  void aStandardizerSaysWhenRowsDoNotFitItsArrays() {
    Standardizer s = new Standardizer(new float[] {1, 2}, new float[] {1, 1});
    float[] src = {1, 2, 3, 4, 5};
    float[] dst = new float[4];
    assertEquals("3 rows of 2 features do not fit src (5 values from 0) and dst (4 values from 0)",
        assertThrows(IllegalArgumentException.class, () -> s.transform(src, 0, dst, 0, 3)).getMessage());
    assertArrayEquals(new float[4], dst, "nothing written");
    assertEquals("2 rows of 2 features do not fit src (5 values from 2) and dst (4 values from 0)",
        assertThrows(IllegalArgumentException.class, () -> s.transform(src, 2, dst, 0, 2)).getMessage());
    s.transform(src, 1, dst, 0, 2);
    assertArrayEquals(new float[] {1, 1, 3, 3}, dst);
  }

  @Test
  void buffersTooSmallForTheBatchAreNamedBeforeAnyCopy() {
    Dataset d = numbered().head(40); // 3 features
    MiniBatches batches = new MiniBatches(d, 16, 1, 0);
    batches.shuffle();
    float[] x = new float[47];
    Arrays.fill(x, -1);
    assertEquals("buffers of 47 features and 16 labels cannot hold rows up to 16 (48 features)",
        assertThrows(IllegalArgumentException.class, () -> batches.load(0, x, new int[16])).getMessage());
    for (float v : x) assertEquals(-1, v, "nothing copied");
    assertEquals("buffers of 48 features and 15 labels cannot hold rows up to 16 (48 features)",
        assertThrows(IllegalArgumentException.class, () -> batches.load(0, new float[48], new int[15])).getMessage());
    // The last batch's 8 rows need only 8 rows of buffer.
    assertEquals(8, batches.load(2, new float[24], new int[8]));
  }

  @Test
  void aSingleRowRemainderIsLeftOutForBatchNorm() {
    Dataset d = numbered().head(129);
    assertEquals(3, new MiniBatches(d, 64, 1, 0).batchCount());
    MiniBatches bn = new MiniBatches(d, 64, 2, 0);
    assertEquals(2, bn.batchCount());
    bn.shuffle();
    assertTrue(bn.load(1) == 64);
  }

  /** A batch size beyond the data is one batch of every row, with buffers no larger than the data. */
  @Test
  void aBatchLargerThanTheDataIsTheWholeData() {
    Dataset d = numbered().head(50);
    MiniBatches all = new MiniBatches(d, 2_000_000_000, 1, 0); // its buffers would overflow at full size
    assertEquals(1, all.batchCount());
    all.shuffle();
    assertEquals(50, all.load(0));
    assertEquals(ids(d), java.util.stream.IntStream.range(0, 50).mapToObj(i -> (int) all.features()[i * d.featureCount()])
        .collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void theShippedDigitsLoad() {
    Dataset d = Datasets.digits();
    assertEquals(1797, d.rows());
    assertEquals(64, d.featureCount());
    assertEquals(10, d.classCount());
    for (int c : d.classCounts()) assertTrue(c >= 170 && c <= 190, "about 180 per class: " + c);
    float max = 0;
    for (float v : d.features()) {
      assertTrue(v >= 0 && v == Math.rint(v));
      max = Math.max(max, v);
    }
    assertEquals(16f, max);
    assertEquals(0, d.label(0), "the file's first row is a 0");
  }
}
