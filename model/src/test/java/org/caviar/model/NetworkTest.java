package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.caviar.model.data.Dataset;
import org.caviar.model.debug.GradientCheck;
import org.caviar.model.debug.HistogramRecorder;
import org.caviar.model.debug.WorstExamples;
import org.caviar.model.layer.ActivationLayer;
import org.caviar.model.layer.BatchNormLayer;
import org.caviar.model.layer.Dense;
import org.caviar.model.layer.Dropout;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.optim.Counts;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.junit.jupiter.api.Test;

class NetworkTest {
  /**
   * The most rows a batch (an evaluation chunk) may have: one layer's activations in one array. A
   * network of 2^20 inputs takes 2047 rows, where an evaluation chunk of 256 rows would have
   * wrapped an int from 2^23 inputs on (256 x 2^23 = 2^31).
   */
  @Test
  void theMostRowsOfABatchKeepEachLayersActivationsInOneArray() {
    assertEquals(2147483639 / 1024, Network.create(NetworkSpec.parse("64-1024-10 relu"), 1).maxBatchRows());
    assertEquals(2047, Network.create(NetworkSpec.parse("1048576-2"), 1).maxBatchRows());
  }

  @Test
  void specBecomesTheDocumentedLayers() {
    Network n = Network.create(NetworkSpec.parse("5-7-6-3 tanh batchnorm dropout=0.1"), 1);
    List<String> names = n.layers().stream().map(Layer::name).toList();
    assertEquals(List.of("dense1", "batchnorm1", "tanh1", "dropout1", "dense2", "batchnorm2", "tanh2", "dropout2", "dense3"), names);
    assertFalse(((Dense) n.layers().get(0)).hasBias(), "batch norm's beta replaces the bias");
    assertTrue(((Dense) n.layers().get(8)).hasBias(), "the output layer keeps its bias");
    assertTrue(n.layers().get(1) instanceof BatchNormLayer);
    assertTrue(n.layers().get(2) instanceof ActivationLayer);
    assertTrue(n.layers().get(3) instanceof Dropout);
    assertEquals(5 * 7 + 2 * 7 + 7 * 6 + 2 * 6 + 6 * 3 + 3, n.parameterCount());
    assertEquals(4, n.state().size(), "two running statistics per batch norm");
    Network plain = Network.create(NetworkSpec.parse("5-7-3 relu"), 1);
    assertTrue(((Dense) plain.layers().get(0)).hasBias());
    assertEquals(3, plain.layers().size());
  }

  @Test
  void initialWeightsHaveTheInitsStandardDeviation() {
    // dense2 is 512 x 128 (n_in != n_out, so the three inits differ: He sqrt(2/512) = 0.0625,
    // Xavier sqrt(1/512) = 0.0442, Glorot sqrt(2/640) = 0.0559, each over 10% from the others).
    // Its 65,536 Gaussian draws give a sample std with relative standard error 1/sqrt(2n) = 0.28%,
    // so the 1% tolerance is 3.6 standard errors (two-sided, about 3e-4); the seed is fixed.
    NetworkSpec spec = NetworkSpec.of(128, List.of(512, 128), 10);
    Network he = Network.create(spec.withActivation(Activation.TANH).withInit(Init.HE), 3);
    assertStd(((Dense) he.layers().get(2)).weight().values(), Math.sqrt(2.0 / 512));
    // The default follows the activation: Xavier for tanh, Glorot for sigmoid.
    Network xavier = Network.create(spec.withActivation(Activation.TANH), 3);
    assertStd(((Dense) xavier.layers().get(2)).weight().values(), Math.sqrt(1.0 / 512));
    Network glorot = Network.create(spec.withActivation(Activation.SIGMOID), 3);
    assertStd(((Dense) glorot.layers().get(2)).weight().values(), Math.sqrt(2.0 / 640));
    // The output layer (softmax) is Glorot whatever the hidden layers' init: 512 x 128 again.
    Network out = Network.create(NetworkSpec.of(64, List.of(512), 128).withInit(Init.HE), 3);
    Dense output = (Dense) out.layers().get(out.layers().size() - 1);
    assertEquals(512 * 128, output.weight().values().length);
    assertStd(output.weight().values(), Math.sqrt(2.0 / 640));
  }

  private static void assertStd(float[] w, double sigma) {
    double sq = 0;
    for (float v : w) sq += (double) v * v;
    double std = Math.sqrt(sq / w.length);
    assertEquals(sigma, std, 0.01 * sigma);
  }

  @Test
  void theSeedFixesTheNetwork() {
    NetworkSpec spec = NetworkSpec.parse("8-9-4 relu dropout=0.5");
    Network a = Network.create(spec, 11);
    Network b = Network.create(spec, 11);
    Network c = Network.create(spec, 12);
    for (int i = 0; i < a.parameters().size(); i++) {
      assertArrayEquals(a.parameters().get(i).values(), b.parameters().get(i).values());
    }
    assertFalse(java.util.Arrays.equals(a.parameters().get(0).values(), c.parameters().get(0).values()));
  }

  @Test
  void oneExampleIsPredictedAsInABatch() {
    Network n = Network.create(NetworkSpec.parse("6-10-4 relu batchnorm"), 5);
    Random rnd = new Random(2);
    float[] x = TestShapes.uniform(rnd, 20 * 6, 1f);
    n.forward(x, 20, Mode.TRAIN); // give batch norm running statistics
    int[] batch = new int[20];
    n.predict(x, 20, batch);
    for (int r = 0; r < 20; r++) {
      float[] row = java.util.Arrays.copyOfRange(x, r * 6, r * 6 + 6);
      assertEquals(batch[r], n.predict(row), "row " + r);
    }
    // One example is exactly one example's features: the batch array is not one with a spare tail.
    var e = assertThrows(IllegalArgumentException.class, () -> n.predict(x));
    assertEquals("x has 120 features, the network takes 6", e.getMessage());
    float[] p = new float[20 * 4];
    // Too short an output is named as the caller knows it, not as the softmax kernel's "y".
    var shortOut = assertThrows(IllegalArgumentException.class, () -> n.probabilities(x, 20, new float[79]));
    assertEquals("out needs 80 elements (20 x 4), got 79", shortOut.getMessage());
    // And the predicted classes' array the same way, with what it got.
    assertEquals("out needs 20 elements (one per row), got 19",
        assertThrows(IllegalArgumentException.class, () -> n.predict(x, 20, new int[19])).getMessage());
    assertEquals("out needs 20 elements (one per row), got null",
        assertThrows(IllegalArgumentException.class, () -> n.predict(x, 20, null)).getMessage());
    n.probabilities(x, 20, p);
    for (int r = 0; r < 20; r++) {
      double sum = 0;
      for (int j = 0; j < 4; j++) sum += p[r * 4 + j];
      assertEquals(1.0, sum, 4 * 4 * TestShapes.U, "probabilities sum to 1 within 4 roundings of 4 terms");
    }
  }

  @Test
  void misuseIsAClearError() {
    Network n = Network.create(NetworkSpec.parse("6-4-3 relu"), 5);
    var shortInput = assertThrows(IllegalArgumentException.class, () -> n.forward(new float[11], 2, Mode.TRAIN));
    assertTrue(shortInput.getMessage().contains("input needs 12 elements"), shortInput.getMessage());
    assertThrows(IllegalStateException.class, n::backward);
    n.forward(new float[12], 2, Mode.INFERENCE);
    n.loss(new int[] {0, 1}, 2);
    var afterInference = assertThrows(IllegalStateException.class, n::backward);
    assertTrue(afterInference.getMessage().contains("TRAIN or PROBE"), afterInference.getMessage());
    var mismatch = assertThrows(IllegalArgumentException.class,
        () -> Network.of(List.of(new Dense("a", 3, 4, true, Kernels.vector().gemm(), Kernels.vector().arrayOps()),
            new Dense("b", 5, 2, true, Kernels.vector().gemm(), Kernels.vector().arrayOps())), 2, Kernels.vector()));
    assertTrue(mismatch.getMessage().contains("b takes 5 inputs but a gives 4"), mismatch.getMessage());
  }

  /**
   * A layer holds its last pass (its output buffer, the input it keeps for backward): the same
   * layer twice in one network (a tanh between two dense layers, given twice for two) computed the
   * first pass's gradient from the second's input, a silently wrong gradient (the gradient check
   * failed dense1 at 7.6e-2). Names are unique within a network, as Layer says (they name the
   * gradient check's entries, a report's rows): two layers of one name were taken too.
   */
  @Test
  void theSameLayerOrNameTwiceIsRefused() {
    Kernels k = Kernels.vector();
    Dense first = new Dense("dense1", 4, 5, true, k.gemm(), k.arrayOps());
    ActivationLayer tanh = new ActivationLayer("tanh1", 5, Activation.TANH, 0f, k.activations());
    Dense last = new Dense("dense2", 5, 3, true, k.gemm(), k.arrayOps());
    assertEquals("layers[2] is layers[1] (tanh1), the same layer: each holds its own pass, give a new one",
        assertThrows(IllegalArgumentException.class, () -> Network.of(List.of(first, tanh, tanh, last), 3, k)).getMessage());
    ActivationLayer other = new ActivationLayer("tanh1", 5, Activation.TANH, 0f, k.activations());
    assertEquals("layers[2] is named tanh1 as layers[1] is: a network's layers have names of their own",
        assertThrows(IllegalArgumentException.class, () -> Network.of(List.of(first, tanh, other, last), 3, k)).getMessage());
    ActivationLayer second = new ActivationLayer("tanh2", 5, Activation.TANH, 0f, k.activations());
    assertEquals(4, Network.of(List.of(first, tanh, second, last), 3, k).layers().size());
  }

  /**
   * The public methods that take a layer index or bare arrays name a bad one: they threw an
   * ArrayIndexOutOfBoundsException or a NullPointerException from their loops, and referenceLoss
   * took a label past the classes as a logit of the next row (a wrong loss, no error).
   */
  @Test
  void badIndicesAndArraysAreNamed() {
    Network n = Network.create(NetworkSpec.parse("4-8-3 relu"), 1);
    n.forward(new float[8], 2, Mode.TRAIN);
    n.loss(new int[] {0, 1}, 2);
    n.backward();
    int layers = n.layers().size();
    for (int i : new int[] {-1, layers}) {
      assertEquals("i must be in [0, " + layers + "), got " + i,
          assertThrows(IllegalArgumentException.class, () -> n.layerOutput(i)).getMessage());
      assertEquals("i must be in [0, " + layers + "), got " + i,
          assertThrows(IllegalArgumentException.class, () -> n.layerOutputGradient(i)).getMessage());
    }
    int[] labels = {0, 1};
    assertEquals("logits needs 6 values (2 x 3), got 5",
        assertThrows(IllegalArgumentException.class, () -> n.referenceLoss(new double[5], labels, 2)).getMessage());
    assertEquals("logits needs 6 values (2 x 3), got null",
        assertThrows(IllegalArgumentException.class, () -> n.referenceLoss(null, labels, 2)).getMessage());
    assertEquals("rows must be > 0, got 0",
        assertThrows(IllegalArgumentException.class, () -> n.referenceLoss(new double[6], labels, 0)).getMessage());
    // Row 0's label 4 read row 1's second logit: loss log 3 - 5 with no error.
    double[] logits = {0, 0, 0, 0, 5, 0};
    assertEquals("labels[0] must be in [0, 3), got 4",
        assertThrows(IllegalArgumentException.class, () -> n.referenceLoss(logits, new int[] {4, 0}, 2)).getMessage());
    assertEquals("labels needs 2 elements (one per row), got 1",
        assertThrows(IllegalArgumentException.class, () -> n.referenceLoss(logits, new int[] {0}, 2)).getMessage());
    assertEquals("z needs 6 values (2 x 3), got 3",
        assertThrows(IllegalArgumentException.class, () -> Network.countCorrect(new float[3], labels, 2, 3)).getMessage());
    assertEquals("z needs 6 values (2 x 3), got null",
        assertThrows(IllegalArgumentException.class, () -> Network.countCorrect(null, labels, 2, 3)).getMessage());
    assertEquals("labels needs 2 elements (one per row), got 1",
        assertThrows(IllegalArgumentException.class, () -> Network.countCorrect(new float[6], new int[1], 2, 3)).getMessage());
    assertEquals("classes must be > 0, got 0",
        assertThrows(IllegalArgumentException.class, () -> Network.countCorrect(new float[6], labels, 2, 0)).getMessage());
    assertEquals("rows must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> Network.countCorrect(new float[6], labels, -1, 3)).getMessage());
    assertEquals(1, Network.countCorrect(new float[] {1, 0, 0, 1, 0, 0}, labels, 2, 3));
  }

  /**
   * Data of the wrong shape is named, with what the network takes, by every API that runs a
   * dataset through a network, before any layer sees it (a layer would name only its own array).
   */
  @Test
  void dataOfTheWrongShapeIsNamedByEveryApiThatTakesIt() {
    Network n = Network.create(NetworkSpec.parse("6-4-3 relu"), 5);
    Dataset fiveFeatures = new Dataset(new float[20], new int[] {0, 1, 2, 0}, 5, List.of("a", "b", "c"));
    Dataset fourClasses = new Dataset(new float[24], new int[] {0, 1, 2, 3}, 6, List.of("a", "b", "c", "d"));
    String features = "has 5 features, the network takes 6";
    String classes = "has 4 classes, the network predicts 3";
    List<java.util.function.Function<Dataset, Object>> uses = List.of(
        d -> GradientCheck.check(n, d, 0f),
        d -> new HistogramRecorder(n, d, 4, 5),
        d -> WorstExamples.find(n, d, 2),
        d -> new Trainer(n, TrainingConfig.builder().epochs(1).build()).evaluate(d),
        d -> new Trainer(n, TrainingConfig.builder().epochs(1).build()).fit(d, null, null));
    for (var use : uses) {
      var f = assertThrows(IllegalArgumentException.class, () -> use.apply(fiveFeatures));
      assertTrue(f.getMessage().endsWith(features), f.getMessage());
      var c = assertThrows(IllegalArgumentException.class, () -> use.apply(fourClasses));
      assertTrue(c.getMessage().endsWith(classes), c.getMessage());
    }
    var negative = assertThrows(IllegalArgumentException.class, () -> fiveFeatures.head(-1));
    assertEquals("n must be >= 0, got -1", negative.getMessage());
  }

  @Test
  void theFirstLayerSkipsTheInputGradient() {
    Network n = Network.create(NetworkSpec.parse("6-4-3 relu"), 5);
    n.forward(new float[12], 2, Mode.TRAIN);
    n.loss(new int[] {0, 1}, 2);
    n.backward();
    assertFalse(n.layers().get(0).inputGradientNeeded());
    assertNull(n.layers().get(0).backward(n.layerOutputGradient(0), 2));
  }

  /** Sizes past what one float[] holds are clear errors before anything is allocated, not overflows. */
  @Test
  void layersAndBatchesBeyondOneArrayAreRefusedByName() {
    var wide = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.parse("64-2000000000-10"));
    assertTrue(wide.getMessage().contains("layer 1 (64 x 2,000,000,000)"), wide.getMessage());
    // Layer 1 holds exactly the limit (1 x MAX) and passes; layer 2 (MAX x 2) is the one named.
    int max = (int) NetworkSpec.MAX_ARRAY_LENGTH;
    var second = assertThrows(IllegalArgumentException.class, () -> NetworkSpec.of(1, List.of(max), 2));
    assertTrue(second.getMessage().startsWith("layer 2 "), second.getMessage());
    Network n = Network.create(NetworkSpec.parse("64-128-10"), 1);
    var batch = assertThrows(IllegalArgumentException.class, () -> n.ensureCapacity(2_000_000_000));
    assertTrue(batch.getMessage().contains("a batch of 2,000,000,000 rows is too large"), batch.getMessage());
    // A prediction's batch whose input fits one array but a wider layer's output does not: it was a
    // NegativeArraySizeException from Dense.allocate (30,000 x 100,000 wraps to a negative int), or
    // for 50,000 rows an array of the wrapped size (2.8 GB) and an OutOfMemoryError.
    Network widening = Network.create(NetworkSpec.parse("2-100000-2"), 1);
    Model model = new Model(widening, null, List.of("a", "b"));
    for (int rows : new int[] {30_000, 50_000}) {
      var e = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[2 * rows], rows, new int[rows]));
      assertEquals("a batch of " + Counts.grouped(rows) + " rows is too large for layer dense1: " + Counts.grouped(rows * 100_000L)
          + " values, more than one array holds (2,147,483,639)", e.getMessage());
      e = assertThrows(IllegalArgumentException.class, () -> widening.forward(new float[2 * rows], rows, Mode.INFERENCE));
      assertTrue(e.getMessage().startsWith("a batch of " + Counts.grouped(rows) + " rows is too large for layer dense1"), e.getMessage());
    }
  }

  /**
   * A hand-made layer or parameter past one array: an ArithmeticException ("integer overflow")
   * from Math.multiplyExact, or an OutOfMemoryError for a shape just past the limit. And an entry
   * index outside the parameter was named as an entry of another row ({@code p[2,0]} for index 6
   * of a 2 x 3 parameter).
   */
  @Test
  void handMadeLayersBeyondOneArrayAreRefusedByName() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new Dense("wide", 1 << 16, 1 << 16, true, Kernels.vector().gemm(), Kernels.vector().arrayOps()));
    assertEquals("parameter wide.weight (65,536 x 65,536) has 4,294,967,296 values, more than one array holds (2,147,483,639)",
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new Parameter("p", 2, Integer.MAX_VALUE, false));
    assertTrue(e.getMessage().startsWith("parameter p (2 x 2,147,483,647) has 4,294,967,294 values"), e.getMessage());
    Parameter p = new Parameter("p", 2, 3, true);
    assertEquals("p[1,2]", p.entryName(5));
    for (int index : new int[] {-1, 6}) {
      e = assertThrows(IllegalArgumentException.class, () -> p.entryName(index));
      assertEquals("index must be in [0, 6), got " + index, e.getMessage());
    }
  }

  /**
   * The arg max of NaN logits is class 0: a NaN feature (a missing value) or one that overflows
   * the first product was classified as class 0 without a word. Each prediction API refuses it.
   */
  @Test
  void inputsThatGiveLogitsThatAreNotFiniteAreAnError() {
    Network network = Network.create(NetworkSpec.parse("4-8-3 relu"), 1);
    var e = assertThrows(IllegalArgumentException.class, () -> network.predict(new float[] {0, Float.NaN, 0, 0}));
    assertEquals("x[1] (row 0, feature 1) is NaN: the network takes finite values", e.getMessage());
    float[] two = {0, 0, 0, 0, 3e38f, 3e38f, -3e38f, 3e38f};
    e = assertThrows(IllegalArgumentException.class, () -> network.predict(two, 2, new int[2]));
    assertTrue(e.getMessage().startsWith("row 1 gives logits that are not finite (class "), e.getMessage());
    assertTrue(e.getMessage().endsWith(
        "): its features are too large for the network (the largest in magnitude is 3.0E38), or its weights are not finite"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> network.probabilities(two, 2, new float[6]));
    assertTrue(e.getMessage().startsWith("row 1 gives logits that are not finite (class "), e.getMessage());
    // Finite logits are still predicted as before.
    assertEquals(network.predict(new float[] {1, 2, 3, 4}), network.predict(new float[] {1, 2, 3, 4}));
  }

  /**
   * An inference-only network (the evaluator's replicas) is the network {@code create} builds from
   * the same spec, seed and kernels, to the bit, with no gradient arrays. Backward on it, on one of
   * its layers, or training it is a clear error, where a null gradient would have been a
   * NullPointerException from inside a kernel.
   */
  @Test
  void anInferenceOnlyNetworkComputesAsTheFullOneAndRefusesBackward() {
    NetworkSpec spec = NetworkSpec.parse("6-9-9-4 relu batchnorm dropout=0.2");
    Network full = Network.create(spec, 3, Kernels.vector());
    Network inference = Network.createForInference(spec, 3, Kernels.vector());
    assertFalse(full.inferenceOnly());
    assertTrue(inference.inferenceOnly());
    assertEquals(full.parameters().size(), inference.parameters().size());
    for (int i = 0; i < full.parameters().size(); i++) {
      Parameter p = full.parameters().get(i);
      Parameter q = inference.parameters().get(i);
      assertEquals(p.name(), q.name());
      assertArrayEquals(p.values(), q.values(), p.name());
      assertTrue(p.hasGradient(), p.name());
      assertFalse(q.hasGradient(), q.name());
    }
    Random random = new Random(4);
    float[] x = TestShapes.uniform(random, 5 * 6, 2f);
    int[] y = {0, 1, 2, 3, 1};
    // Exact: the same layers, kernels and values.
    assertArrayEquals(full.forward(x, 5, Mode.INFERENCE).clone(), inference.forward(x, 5, Mode.INFERENCE).clone());
    assertEquals(full.loss(y, 5), inference.loss(y, 5));

    inference.forward(x, 5, Mode.TRAIN);
    inference.loss(y, 5);
    var e = assertThrows(IllegalStateException.class, inference::backward);
    assertEquals("backward needs gradients, and this network is inference-only (Network.createForInference): "
        + "build it with Network.create to train it", e.getMessage());
    // A layer's own backward names the parameter that has no gradient.
    Layer dense = inference.layers().get(0);
    Layer batchNorm = inference.layers().get(1);
    e = assertThrows(IllegalStateException.class, () -> dense.backward(new float[5 * 9], 5));
    assertEquals("dense1.weight has no gradient: it belongs to an inference-only network (Network.createForInference), "
        + "which runs forward only", e.getMessage());
    e = assertThrows(IllegalStateException.class, () -> batchNorm.backward(new float[5 * 9], 5));
    assertEquals("batchnorm1.gamma has no gradient: it belongs to an inference-only network (Network.createForInference), "
        + "which runs forward only", e.getMessage());
    var refused = assertThrows(IllegalArgumentException.class, () -> new Trainer(inference, TrainingConfig.builder().build()));
    assertEquals("network is inference-only (Network.createForInference): its parameters have no gradients to train; "
        + "build it with Network.create", refused.getMessage());
  }
}
