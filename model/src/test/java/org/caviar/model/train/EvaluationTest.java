package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.TestShapes;
import org.caviar.model.data.Dataset;
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

  @Test
  void evaluatorAgreesWithOneBigForwardPass() {
    // 600 rows are evaluated in chunks of 256; the totals must match a per-row computation.
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
}
