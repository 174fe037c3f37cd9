package org.caviar.search.pruner;

import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/**
 * Decides whether a running trial should stop early, each time it reports an intermediate value.
 * Pruners read the study's history (which includes {@code trial}'s own reports) and keep no state
 * of their own, so a resumed study prunes as the original would have.
 */
public interface Pruner {
  /** Whether {@code trial}, which has just reported at its last step, should stop now. */
  boolean shouldPrune(History history, TrialRecord trial);

  /** A short name for reports. */
  String name();

  /** A pruner that never prunes. */
  static Pruner none() {
    return NopPruner.INSTANCE;
  }
}
