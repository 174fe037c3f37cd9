package org.caviar.model.train;

import java.util.List;
import org.caviar.model.Network;

/**
 * Hears about training as it goes: after every epoch it gets the metrics and may ask to stop (a
 * search's pruner does so for an unpromising trial; a progress display just returns
 * {@link Action#CONTINUE}). Called on the training thread; keep it quick.
 */
@FunctionalInterface
public interface TrainingListener {
  /** What training should do after an epoch. */
  enum Action {
    CONTINUE,
    STOP
  }

  /**
   * After each completed epoch: not after one that diverged, in training or on the validation set
   * (the latter is the last of {@link TrainingResult#history()}, {@link EpochMetrics#validationDiverged()}).
   */
  Action onEpochEnd(EpochMetrics metrics);

  /**
   * After an epoch whose validation loss is the lowest so far (by more than the configured
   * {@code minDelta}), before {@link #onEpochEnd} for it: the network then holds the weights that
   * {@code restoreBest} would end with if training stopped now, the moment to checkpoint them.
   */
  default void onNewBest(EpochMetrics metrics) {}

  /** Before the first epoch. */
  default void onTrainingStart(Network network, TrainingConfig config) {}

  /**
   * Before the first epoch, with the training data's class names: output {@code i} of the network
   * is {@code classes.get(i)}. {@link Trainer#fit} calls this one; by default it calls
   * {@link #onTrainingStart(Network, TrainingConfig)}. A listener that holds data of its own (a
   * {@link org.caviar.model.debug.HistogramRecorder}'s probe) matches its classes here by name, as
   * the trainer matches the validation set's.
   */
  default void onTrainingStart(Network network, TrainingConfig config, List<String> classes) {
    onTrainingStart(network, config);
  }

  /** After the last epoch, whatever ended training. */
  default void onTrainingEnd(TrainingResult result) {}

  /** Listens to nothing. */
  static TrainingListener none() {
    return m -> Action.CONTINUE;
  }

  /** Notifies each listener in turn; stops if any of them asks to. */
  static TrainingListener all(List<TrainingListener> listeners) {
    // Named: List.copyOf's NullPointerException said neither the list nor which entry.
    if (listeners == null) throw new IllegalArgumentException("listeners must not be null");
    for (int i = 0; i < listeners.size(); i++) {
      if (listeners.get(i) == null) throw new IllegalArgumentException("listeners[" + i + "] must not be null");
    }
    List<TrainingListener> copy = List.copyOf(listeners);
    return new TrainingListener() {
      @Override
      public Action onEpochEnd(EpochMetrics metrics) {
        Action result = Action.CONTINUE;
        for (TrainingListener l : copy) if (l.onEpochEnd(metrics) == Action.STOP) result = Action.STOP;
        return result;
      }

      @Override
      public void onNewBest(EpochMetrics metrics) {
        for (TrainingListener l : copy) l.onNewBest(metrics);
      }

      @Override
      public void onTrainingStart(Network network, TrainingConfig config) {
        for (TrainingListener l : copy) l.onTrainingStart(network, config);
      }

      @Override
      public void onTrainingStart(Network network, TrainingConfig config, List<String> classes) {
        for (TrainingListener l : copy) l.onTrainingStart(network, config, classes);
      }

      @Override
      public void onTrainingEnd(TrainingResult result) {
        for (TrainingListener l : copy) l.onTrainingEnd(result);
      }
    };
  }
}
