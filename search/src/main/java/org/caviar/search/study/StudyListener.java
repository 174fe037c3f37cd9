package org.caviar.search.study;

import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/**
 * Hears about a study's progress, e.g. to show it. Called on worker threads; keep it quick.
 *
 * <p>A listener that throws is a failure outside the objective, never the trial's: the trial's
 * outcome is recorded as it is (it goes on after a failed {@link #trialReported}; one whose
 * {@link #trialStarted} failed never runs, and is re-run as an interrupted trial), the study
 * claims no more trials, and {@link Study#optimize} throws the listener's error.
 */
public interface StudyListener {
  default void trialStarted(TrialRecord trial) {}

  /** After each intermediate value. */
  default void trialReported(TrialRecord trial) {}

  /** After a trial finished and was recorded; {@code history} includes it. */
  default void trialFinished(TrialRecord trial, History history) {}
}
