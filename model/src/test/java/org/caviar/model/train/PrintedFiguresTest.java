package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The lines a run prints: a diverging run (lr=1e6) printed "loss 1894638194352128800000.0000", a
 * memorizing one "loss 0.0000". Large and tiny non-zero losses are now in scientific notation.
 */
class PrintedFiguresTest {
  @Test
  void epochLineShowsHugeAndTinyLossesInScientificNotation() {
    EpochMetrics m = new EpochMetrics(0, 1.8946381943521288e21, 0.2041, 4.07357979190566e18, 0.2535, 1e6f, 1000, 1);
    assertEquals("epoch   0  loss 1.8946e+21  acc 0.2041  val_loss 4.0736e+18  val_acc 0.2535  lr 1.00e+06  1000 ex/s", m.toString());
    EpochMetrics tiny = new EpochMetrics(7, 3.2e-6, 1, 0.5, 0.9, 1e-3f, 1000, 1);
    assertEquals("epoch   7  loss 3.2000e-06  acc 1.0000  val_loss 0.5000  val_acc 0.9000  lr 0.00100  1000 ex/s", tiny.toString());
  }

  @Test
  void epochLineWithoutValidationKeepsNaN() {
    EpochMetrics m = new EpochMetrics(1, 0.25, 0.5, Double.NaN, Double.NaN, 1e-3f, 10, 1);
    assertEquals("epoch   1  loss 0.2500  acc 0.5000  val_loss NaN  val_acc NaN  lr 0.00100  10 ex/s", m.toString());
  }

  @Test
  void evaluationShowsAHugeLossInScientificNotation() {
    Evaluation e = new Evaluation(2.7623089460705372e20, 0.1056, 360, new ConfusionMatrix(List.of("a", "b")));
    assertEquals("loss 2.7623e+20, accuracy 0.1056 on 360 examples", e.toString());
  }
}
