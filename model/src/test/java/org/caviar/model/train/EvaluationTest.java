package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.TestShapes;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.junit.jupiter.api.Test;

class EvaluationTest {
  @Test
  void confusionMatrixCountsTruthAgainstPrediction() {
    ConfusionMatrix m = new ConfusionMatrix(List.of("cat", "dog"));
    m.add(0, 0);
    m.add(0, 1);
    m.add(1, 1);
    m.add(1, 1);
    assertEquals(4, m.total());
    assertEquals(0.75, m.accuracy());
    assertEquals(0.5, m.recall(0));
    assertEquals(1.0, m.recall(1));
    assertEquals(1.0, m.precision(0));
    assertEquals(2.0 / 3, m.precision(1));
    assertTrue(m.toString().contains("cat") && m.toString().contains("dog"));
  }

  /**
   * The figures a person reads are printed with a decimal point whatever the JVM's locale (the
   * command line prints its own with Locale.ROOT beside them): in German they read "0,5000".
   */
  @Test
  void figuresArePrintedTheSameInEveryLocale() {
    java.util.Locale before = java.util.Locale.getDefault();
    try {
      java.util.Locale.setDefault(java.util.Locale.GERMANY);
      assertEquals("loss 0.5000, accuracy 0.2500 on 4 examples", new Evaluation(0.5, 0.25, 4, new ConfusionMatrix(List.of("a", "b"))).toString());
      assertEquals("epoch   3  loss 1.2500  acc 0.5000  val_loss 0.7500  val_acc 0.2500  lr 0.00100  200 ex/s",
          new EpochMetrics(3, 1.25, 0.5, 0.75, 0.25, 1e-3f, 100, 0.5).toString());
    } finally {
      java.util.Locale.setDefault(before);
    }
  }

  /** A class outside the matrix is named with its value, not an index out of bounds. */
  @Test
  void aConfusionMatrixRefusesClassesItDoesNotHave() {
    ConfusionMatrix m = new ConfusionMatrix(List.of("cat", "dog"));
    assertEquals("truth must be in [0, 2), got 2", assertThrows(IllegalArgumentException.class, () -> m.add(2, 0)).getMessage());
    assertEquals("predicted must be in [0, 2), got -1", assertThrows(IllegalArgumentException.class, () -> m.add(0, -1)).getMessage());
    assertEquals(0, m.total(), "nothing counted");
    assertEquals("truth must be in [0, 2), got 2", assertThrows(IllegalArgumentException.class, () -> m.count(2, 0)).getMessage());
    assertEquals("predicted must be in [0, 2), got -1", assertThrows(IllegalArgumentException.class, () -> m.count(0, -1)).getMessage());
    assertEquals("c must be in [0, 2), got 2", assertThrows(IllegalArgumentException.class, () -> m.recall(2)).getMessage());
    assertEquals("c must be in [0, 2), got -1", assertThrows(IllegalArgumentException.class, () -> m.precision(-1)).getMessage());
    assertEquals("classNames must not be null", assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(null)).getMessage());
  }

  /**
   * A null class name was a bare NullPointerException from List.copyOf; a name given twice printed a
   * table with two rows of one name, and no class at all a matrix nothing can be added to.
   */
  @Test
  void aConfusionMatrixRefusesNullTwiceGivenOrNoClassNames() {
    assertEquals("classNames[1] must not be null",
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(java.util.Arrays.asList("cat", null))).getMessage());
    assertEquals("classNames has 'cat' twice (classes 0 and 2): classes are matched by name",
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(List.of("cat", "dog", "cat"))).getMessage());
    assertEquals("classNames must not be empty",
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(List.of())).getMessage());
  }

  @Test
  void aConfusionMatrixOfOtherClassesIsRefusedBeforeTheWork() {
    Network n = Network.create(NetworkSpec.parse("5-8-3 relu"), 2);
    Dataset d = Dataset.of(new float[4 * 5], new int[] {0, 1, 2, 2}, 5, 3);
    var e = assertThrows(IllegalArgumentException.class, () -> new Evaluator(n, 256).evaluate(d, new ConfusionMatrix(List.of("a", "b"))));
    assertEquals("confusion has 2 classes, the network 3", e.getMessage());
  }

  /**
   * No rows: no loss and no accuracy (NaN, as documented), and rows 0, which search's train command
   * reads as "the split leaves no test rows".
   */
  @Test
  void anEmptyDatasetHasNoLossOrAccuracy() {
    Network n = Network.create(NetworkSpec.parse("5-8-3 relu"), 2);
    Evaluation e = new Evaluator(n, 256).evaluate(Dataset.of(new float[0], new int[0], 5, 3));
    assertEquals(0, e.rows());
    assertTrue(Double.isNaN(e.loss()) && Double.isNaN(e.accuracy()), e.toString());
  }

  @Test
  void evaluatorAgreesWithOneBigForwardPass() {
    // 600 rows are evaluated in chunks of 256; the totals must match one pass over all 600 rows.
    Network n = Network.create(NetworkSpec.parse("5-8-3 relu"), 2);
    java.util.Random rnd = new java.util.Random(3);
    float[] x = TestShapes.uniform(rnd, 600 * 5, 2f);
    int[] y = new int[600];
    for (int i = 0; i < 600; i++) y[i] = rnd.nextInt(3);
    Dataset d = Dataset.of(x, y, 5, 3);
    Evaluation e = new Evaluator(n, 256).evaluate(d);
    int[] predicted = new int[600];
    n.predict(x, 600, predicted);
    int correct = 0;
    for (int i = 0; i < 600; i++) if (predicted[i] == y[i]) correct++;
    assertEquals(correct / 600.0, e.accuracy());
    assertEquals(600, e.confusion().total());
    n.forward(x, 600, org.caviar.model.layer.Mode.INFERENCE);
    double whole = n.loss(y, 600);
    // Three chunk means re-weighted in double against one float mean of 600 losses: the float sum
    // carries at most ~600 u relative error.
    assertEquals(whole, e.loss(), 600 * TestShapes.U * whole);
  }

  /** Copies every parameter and batch-norm statistic of {@code from} into {@code to} (same spec). */
  private static void copyInto(Network from, Network to) {
    for (int i = 0; i < from.parameters().size(); i++) {
      Parameter p = from.parameters().get(i);
      System.arraycopy(p.values(), 0, to.parameters().get(i).values(), 0, p.values().length);
    }
    for (int i = 0; i < from.state().size(); i++) {
      float[] v = from.state().get(i).values();
      System.arraycopy(v, 0, to.state().get(i).values(), 0, v.length);
    }
  }

  /** The network of {@code spec} on one thread's kernels and on two threads', with the same parameters. */
  private static Network[] oneAndTwoThreads(String spec) {
    NetworkSpec parsed = NetworkSpec.parse(spec);
    Network one = Network.create(parsed, 5, Kernels.vector());
    Network two = Network.create(parsed, 6, Kernels.parallel(2));
    copyInto(one, two);
    return new Network[] {one, two};
  }

  private static Dataset randomData(int rows, int features, int classes, long seed) {
    java.util.Random rnd = new java.util.Random(seed);
    float[] x = TestShapes.uniform(rnd, rows * features, 2f);
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) y[i] = rnd.nextInt(classes);
    return Dataset.of(x, y, features, classes);
  }

  private static void assertSameEvaluation(Evaluation expected, Evaluation actual, String what) {
    assertEquals(Double.doubleToRawLongBits(expected.loss()), Double.doubleToRawLongBits(actual.loss()),
        what + ": loss " + expected.loss() + " against " + actual.loss());
    int classes = expected.confusion().classes();
    for (int t = 0; t < classes; t++) {
      for (int p = 0; p < classes; p++) {
        assertEquals(expected.confusion().count(t, p), actual.confusion().count(t, p), what + ": confusion[" + t + "][" + p + "]");
      }
    }
  }

  /**
   * On parallel kernels the chunks are shared between threads, each on a replica of the network:
   * the loss and every confusion count must be those of one thread to the bit (same chunks, same
   * kernels, chunk losses summed in order), also after the network's parameters and batch-norm
   * statistics change (the replicas must not keep old copies). 1,000 rows in chunks of 96: eleven
   * chunks, the last one short, shared unevenly.
   */
  @Test
  void parallelEvaluationEqualsOneThreadToTheBit() {
    Network[] nets = oneAndTwoThreads("24-40-33-7 relu batchnorm dropout=0.3");
    Network one = nets[0];
    Network two = nets[1];
    Dataset d = randomData(1000, 24, 7, 8);
    Evaluator e1 = new Evaluator(one, 96);
    Evaluator e2 = new Evaluator(two, 96);
    for (int round = 0; round < 3; round++) {
      // Training steps on `one` move its weights and running statistics; `two` then takes them.
      TrainingConfig config = TrainingConfig.builder().batchSize(50).seed(round).build();
      Trainer trainer = new Trainer(one, config);
      var batches = trainer.batches(d);
      trainer.trainEpoch(batches, 0.05f);
      copyInto(one, two);
      assertSameEvaluation(e1.evaluate(d), e2.evaluate(d), "round " + round);
    }
    // One chunk only: a single replica runs it, still with the network's latest parameters.
    Dataset small = randomData(90, 24, 7, 9);
    assertSameEvaluation(e1.evaluate(small), e2.evaluate(small), "one chunk");
  }

  /**
   * Logits that overflow in one thread's share (a row of Float.MAX_VALUE, in the second thread's
   * chunks) make the whole loss NaN, as on one thread; without that row the loss is finite.
   */
  @Test
  void aNonFiniteLogitInAnyShareMakesTheLossNaN() {
    Network[] nets = oneAndTwoThreads("6-9-4 relu");
    Dataset d = randomData(300, 6, 4, 2);
    float[] x = d.features().clone();
    java.util.Arrays.fill(x, 250 * 6, 251 * 6, Float.MAX_VALUE);
    Dataset bad = Dataset.of(x, d.labels(), 6, 4);
    // 300 rows in chunks of 64: five chunks, rows 128-299 on the second thread.
    Evaluator e1 = new Evaluator(nets[0], 64);
    Evaluator e2 = new Evaluator(nets[1], 64);
    assertTrue(Double.isNaN(e1.evaluate(bad).loss()), "one thread");
    assertTrue(Double.isNaN(e2.evaluate(bad).loss()), "two threads");
    assertTrue(Double.isFinite(e2.evaluate(d).loss()));
    assertSameEvaluation(e1.evaluate(d), e2.evaluate(d), "the same rows without it");
  }
}
