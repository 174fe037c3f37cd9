package org.caviar.model.train;

/**
 * What one epoch achieved. Training loss and accuracy are averaged over the epoch's mini-batches
 * as they were trained (training mode, before each update); validation figures are measured after
 * the epoch in inference mode, and are NaN without a validation set.
 *
 * @param epoch 0-based
 * @param trainLoss mean cross-entropy over the epoch's examples (without the L2 term)
 * @param trainAccuracy fraction of the epoch's examples classified right
 * @param validationLoss mean cross-entropy on the validation set
 * @param validationAccuracy fraction of the validation set classified right
 * @param learningRate the rate used for this epoch
 * @param examples training examples seen in this epoch
 * @param seconds wall time of the epoch's training (validation excluded)
 */
public record EpochMetrics(
    int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
    float learningRate, int examples, double seconds) {

  public boolean hasValidation() {
    return !Double.isNaN(validationLoss);
  }

  /** Training examples per second of this epoch. */
  public double examplesPerSecond() {
    return seconds > 0 ? examples / seconds : Double.NaN;
  }

  @Override
  public String toString() {
    // Locale.ROOT: a decimal point in any locale, as the command line's own figures are printed.
    return String.format(java.util.Locale.ROOT,
        "epoch %3d  loss %.4f  acc %.4f  val_loss %.4f  val_acc %.4f  lr %.3g  %.0f ex/s",
        epoch, trainLoss, trainAccuracy, validationLoss, validationAccuracy, learningRate, examplesPerSecond());
  }
}
