package org.caviar.model.train;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit}.
 *
 * @param status how training ended
 * @param message a sentence a person can read, e.g. why it stopped
 * @param history metrics of every epoch whose training completed; the last one may have diverged
 *     on the validation set ({@link EpochMetrics#validationDiverged()}, not heard by the
 *     listener's {@code onEpochEnd}); an epoch that diverged in training is not in it
 * @param bestEpoch the last epoch whose validation loss beat the best before it by more than
 *     {@code minDelta} (with {@code minDelta} 0, the epoch of the lowest loss), -1 without validation
 * @param bestValidationLoss that loss, NaN without validation
 * @param restoredEpoch the epoch whose weights the network holds at the end if they were restored,
 *     else -1. A run with restoreBest and a validation set that diverged before any best epoch
 *     ({@code bestEpoch} -1, status {@link TrainingStatus#DIVERGED}) holds the weights it started
 *     from, and has -1 here too: no epoch's weights were restored (its message says so)
 * @param seconds wall time of the whole run
 */
public record TrainingResult(
    TrainingStatus status, String message, List<EpochMetrics> history, int bestEpoch,
    double bestValidationLoss, int restoredEpoch, double seconds) {

  /** Refuses a null status, message, history or history entry with an IllegalArgumentException naming it. */
  public TrainingResult {
    // A bare NullPointerException from List.copyOf, or later from whoever read the status.
    if (status == null) throw new IllegalArgumentException("status must not be null");
    if (message == null) throw new IllegalArgumentException("message must not be null");
    if (history == null) throw new IllegalArgumentException("history must not be null");
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i) == null) throw new IllegalArgumentException("history[" + i + "] must not be null");
    }
    history = List.copyOf(history);
  }

  /** Metrics of the last completed epoch, or null if none completed. */
  public EpochMetrics last() {
    return history.isEmpty() ? null : history.get(history.size() - 1);
  }

  public int epochsRun() {
    return history.size();
  }
}
