package org.caviar.model.train;

/**
 * How a network does on a dataset, in inference mode.
 *
 * @param loss mean cross-entropy, NaN if the network produced a non-finite logit or there are no
 *     rows
 * @param accuracy fraction classified right, NaN if there are no rows
 * @param rows examples evaluated
 * @param confusion counts of (true, predicted) classes
 */
public record Evaluation(double loss, double accuracy, int rows, ConfusionMatrix confusion) {
  @Override
  public String toString() {
    return String.format(java.util.Locale.ROOT, "loss %s, accuracy %.4f on %d examples", Figures.loss(loss), accuracy, rows);
  }
}
