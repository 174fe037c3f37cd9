package org.caviar.model.train;

/** How a training run ended. */
public enum TrainingStatus {
  /** Ran every epoch. */
  COMPLETED,
  /** The validation loss stopped improving for {@code patience} epochs. */
  EARLY_STOPPED,
  /** A {@link TrainingListener} asked to stop (e.g. a search pruned the trial). */
  STOPPED_BY_LISTENER,
  /** The loss became NaN or infinite: the learning rate is probably too high. */
  DIVERGED
}
