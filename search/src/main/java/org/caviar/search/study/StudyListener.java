package org.caviar.search.study;

import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/** Hears about a study's progress, e.g. to show it. Called on worker threads; keep it quick. */
public interface StudyListener {
  default void trialStarted(TrialRecord trial) {}

  /** After each intermediate value. */
  default void trialReported(TrialRecord trial) {}

  /** After a trial finished and was recorded; {@code history} includes it. */
  default void trialFinished(TrialRecord trial, History history) {}
}
