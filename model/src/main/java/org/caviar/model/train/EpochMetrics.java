package org.caviar.model.train;

/**
 * What one epoch achieved. Training loss and accuracy are averaged over the epoch's mini-batches
 * as they were trained (training mode, before each update); validation figures are measured after
 * the epoch in inference mode, and are NaN without a validation set. An epoch whose network
 * diverged on the validation set (a logit not finite, or the loss past float's range: the run ends {@link TrainingStatus#DIVERGED}
 * after it) has a NaN validation loss and the accuracy of its predictions as they were: it
 * {@linkplain #hasValidation() had validation}, and {@linkplain #validationDiverged() diverged there}.
 *
 * @param epoch 0-based
 * @param trainLoss mean cross-entropy over the epoch's examples (without the L2 term)
 * @param trainAccuracy fraction of the epoch's examples classified right
 * @param validationLoss mean cross-entropy on the validation set; NaN without one, or when a
 *     logit on it was not finite, or the loss overflowed a float
 * @param validationAccuracy fraction of the validation set classified right; NaN without one
 * @param learningRate the rate used for this epoch
 * @param examples training examples seen in this epoch
 * @param seconds wall time of the epoch's training (validation excluded)
 */
public record EpochMetrics(
    int epoch, double trainLoss, double trainAccuracy, double validationLoss, double validationAccuracy,
    float learningRate, int examples, double seconds) {

  /**
   * Whether the epoch was measured on a validation set, whether or not the network diverged there:
   * its validation accuracy is a number (its loss is NaN where it diverged).
   */
  public boolean hasValidation() {
    return !Double.isNaN(validationAccuracy);
  }

  /** Whether the epoch was measured on a validation set and its loss there is NaN: a logit was not finite, or the loss overflowed a float. */
  public boolean validationDiverged() {
    return hasValidation() && Double.isNaN(validationLoss);
  }

  /** Training examples per second of this epoch. */
  public double examplesPerSecond() {
    return seconds > 0 ? examples / seconds : Double.NaN;
  }

  @Override
  public String toString() {
    // Locale.ROOT: a decimal point in any locale, as the command line's own figures are printed. The
    // losses through Figures: a diverging run's were 27 digits long, a memorizing run's 0.0000.
    return String.format(java.util.Locale.ROOT,
        "epoch %3d  loss %s  acc %.4f  val_loss %s  val_acc %.4f  lr %.3g  %.0f ex/s",
        epoch, Figures.loss(trainLoss), trainAccuracy, Figures.loss(validationLoss), validationAccuracy, learningRate,
        examplesPerSecond());
  }
}
