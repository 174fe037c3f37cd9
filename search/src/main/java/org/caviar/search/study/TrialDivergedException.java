package org.caviar.search.study;

/**
 * Thrown by {@link Trial#report} for a value that is not finite, or by an objective whose training
 * diverged; the trial is recorded FAILED with a reason starting
 * {@value org.caviar.search.trial.TrialRecord#DIVERGED}, and the TPE and GP samplers count it as a
 * bad observation ({@link org.caviar.search.trial.TrialRecord#isDiverged}).
 */
public final class TrialDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrialDivergedException(String message) {
    super(message, null, false, false);
  }
}
