package org.caviar.search.study;

/** Thrown by {@link Trial#report} for a value that is not finite; the trial is recorded FAILED. */
public final class TrialDivergedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrialDivergedException(String message) {
    super(message, null, false, false);
  }
}
