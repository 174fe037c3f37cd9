package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.DigitsSplit;
import org.caviar.model.data.Standardizer;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.junit.jupiter.api.Test;

/** What Model does with the data a user hands it: classes matched by name, features that must be finite. */
class ModelTest {
  private static Model trained() {
    Network network = Network.create(NetworkSpec.parse("64-32-10 relu batchnorm"), 5);
    new Trainer(network, TrainingConfig.builder().epochs(20).build()).fit(DigitsSplit.TRAIN, null, null);
    return new Model(network, DigitsSplit.STANDARDIZER, DigitsSplit.RAW.train().classNames());
  }

  @Test
  void aFileWithoutSomeClassIsScoredByClassName() {
    Model model = trained();
    Dataset test = DigitsSplit.RAW.test();
    // The test rows without digit 0, once as the split has them (classes "0" to "9") and once as a
    // loader numbers a file that has no 0 (classes "1" to "9", numbered 0 to 8).
    List<Integer> rows = new ArrayList<>();
    for (int r = 0; r < test.rows(); r++) if (test.label(r) != 0) rows.add(r);
    Dataset withoutZero = test.subset(rows.stream().mapToInt(Integer::intValue).toArray());
    int[] shifted = new int[withoutZero.rows()];
    for (int r = 0; r < shifted.length; r++) shifted[r] = withoutZero.label(r) - 1;
    Dataset file = new Dataset(withoutZero.features(), shifted, 64, test.classNames().subList(1, 10));
    Evaluation expected = model.evaluate(withoutZero);
    Evaluation fromFile = model.evaluate(file);
    assertTrue(expected.accuracy() > 0.9, "the model is trained: accuracy " + expected.accuracy());
    assertEquals(expected.accuracy(), fromFile.accuracy());
    assertEquals(expected.loss(), fromFile.loss());
    Dataset unknown = new Dataset(new float[64], new int[] {0}, 64, List.of("ten"));
    var e = assertThrows(IllegalArgumentException.class, () -> model.evaluate(unknown));
    assertEquals("the data has class 'ten', which the model does not know " + model.classNames(), e.getMessage());
  }

  /**
   * The loss the trainer reports and the one the saved model gives on the same rows are the same
   * to the bit: with a batch size above 256 the trainer evaluated in chunks of the batch size and
   * the model in chunks of 256, and each chunk's mean loss is summed in float, so the two differed
   * in the last bits (a user comparing the printed validation loss with 'evaluate' saw two values).
   */
  @Test
  void theTrainersLossIsTheSavedModelsLoss() throws java.io.IOException {
    // Over 1,000 rows: several chunks of 256, and of 300 or 1000 rows.
    assertTrue(DigitsSplit.TRAIN.rows() > 1000, "rows " + DigitsSplit.TRAIN.rows());
    java.nio.file.Path file = java.nio.file.Files.createTempFile("caviar-model", ".bin");
    try {
      // On one thread, and on two (the trainer's evaluation shares its chunks between replicas;
      // the loaded model runs on one thread).
      for (int[] run : new int[][] {{300, 1}, {1000, 1}, {1000, 2}}) {
        int batchSize = run[0];
        Kernels kernels = run[1] == 1 ? Kernels.vector() : Kernels.parallel(run[1]);
        Network network = Network.create(NetworkSpec.parse("64-32-10 relu batchnorm"), 5, kernels);
        Trainer trainer = new Trainer(network, TrainingConfig.builder().epochs(2).batchSize(batchSize).build());
        trainer.fit(DigitsSplit.TRAIN, null, null);
        new Model(network, DigitsSplit.STANDARDIZER, DigitsSplit.RAW.train().classNames()).save(file);
        Model loaded = Model.load(file);
        Evaluation fromTrainer = trainer.evaluate(DigitsSplit.TRAIN);
        Evaluation fromModel = loaded.evaluate(DigitsSplit.RAW.train());
        assertEquals(fromTrainer.loss(), fromModel.loss(), "batch size " + batchSize + ", threads " + run[1]);
        assertEquals(fromTrainer.accuracy(), fromModel.accuracy(), "batch size " + batchSize + ", threads " + run[1]);
      }
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  /** Bad arguments are named with their values, not a bare NullPointerException or the first layer's own rows. */
  @Test
  void badArgumentsAreNamed() {
    Network network = Network.create(NetworkSpec.parse("4-8-3 relu"), 1);
    var e = assertThrows(IllegalArgumentException.class, () -> new Model(network, null, java.util.Arrays.asList("a", null, "c")));
    assertEquals("classNames[1] must not be null", e.getMessage());
    // Classes are matched by name: a name given twice would take the data's rows for its first class.
    e = assertThrows(IllegalArgumentException.class, () -> new Model(network, null, List.of("a", "b", "a")));
    assertEquals("classNames has 'a' twice (classes 0 and 2): classes are matched by name", e.getMessage());
    Model model = new Model(network, null, List.of("a", "b", "c"));
    for (int rows : new int[] {0, -1}) {
      e = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[8], rows, new int[2]));
      assertEquals("rows must be > 0, got " + rows, e.getMessage());
    }
    // rows x features past the int range: computed in int it wrapped to -4, passed the length check
    // and failed in the standardizer with an index out of bounds.
    Model standardized = new Model(network, new org.caviar.model.data.Standardizer(new float[4], new float[] {1, 1, 1, 1}),
        List.of("a", "b", "c"));
    e = assertThrows(IllegalArgumentException.class, () -> standardized.predict(new float[8], 1_073_741_823, new int[2]));
    assertEquals("features needs 4294967292 values (1073741823 x 4), got 8", e.getMessage());
  }

  @Test
  void aFeatureThatIsNotFiniteIsAnError() {
    // NaN logits would make the arg max class 0: a silent wrong answer.
    Model model = new Model(Network.create(NetworkSpec.parse("4-8-3 relu"), 1), null, List.of("a", "b", "c"));
    float[] x = {0.5f, 1f, Float.NaN, 2f};
    var e = assertThrows(IllegalArgumentException.class, () -> model.predictName(x));
    assertEquals("features[2] (row 0, feature 2) is NaN: the model takes finite values", e.getMessage());
    float[] rows = {0, 0, 0, 0, 1, Float.POSITIVE_INFINITY, 1, 1};
    e = assertThrows(IllegalArgumentException.class, () -> model.predict(rows, 2, new int[2]));
    assertEquals("features[5] (row 1, feature 1) is Infinity: the model takes finite values", e.getMessage());
  }

  /**
   * Finite raw features can still leave the network's range: a feature nearly constant in training
   * (std 1e-10, so scale 1e10) standardizes a new value of 1e30 to infinity, and a raw value near
   * Float.MAX_VALUE overflows the first product. The logits are then not finite and the arg max of
   * NaNs was class 0, a silent wrong answer; probabilities failed in the softmax kernel's terms
   * ("x[0][0] is Infinity").
   */
  @Test
  void featuresThatOverflowAreAnErrorNotClassZero() {
    Network network = Network.create(NetworkSpec.parse("4-8-3 relu"), 1);
    Standardizer nearlyConstant = new Standardizer(new float[4], new float[] {1e10f, 1, 1, 1});
    Model model = new Model(network, nearlyConstant, List.of("a", "b", "c"));
    float[] x = {1e30f, 0, 0, 0};
    var e = assertThrows(IllegalArgumentException.class, () -> model.predictName(x));
    assertEquals("features[0] (row 0, feature 0) is 1e30, which standardizes to Infinity (mean 0, scale 1e10):"
        + " far outside the training data", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> model.probabilities(x));
    assertEquals("features[0] (row 0, feature 0) is 1e30, which standardizes to Infinity (mean 0, scale 1e10):"
        + " far outside the training data", e.getMessage());
    Model raw = new Model(network, null, List.of("a", "b", "c"));
    float[] huge = {3e38f, 3e38f, -3e38f, 3e38f};
    e = assertThrows(IllegalArgumentException.class, () -> raw.predict(huge));
    assertTrue(e.getMessage().startsWith("row 0 gives logits that are not finite"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> raw.probabilities(huge));
    assertTrue(e.getMessage().startsWith("row 0 gives logits that are not finite"), e.getMessage());
    float[] rows = {0, 0, 0, 0, 3e38f, 3e38f, -3e38f, 3e38f};
    e = assertThrows(IllegalArgumentException.class, () -> raw.predict(rows, 2, new int[2]));
    assertTrue(e.getMessage().startsWith("row 1 gives logits that are not finite"), e.getMessage());
  }
}
