package org.caviar.search.study;

/** Thrown by an objective to stop a trial that its pruner gave up on; the trial is recorded PRUNED. */
public final class TrialPrunedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TrialPrunedException(String message) {
    super(message, null, false, false);
  }
}
