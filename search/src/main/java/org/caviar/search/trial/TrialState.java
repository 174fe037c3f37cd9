package org.caviar.search.trial;

/** Where a trial is in its life. Only RUNNING ever changes, and only once. */
public enum TrialState {
  RUNNING,
  /** Finished and returned a finite value. */
  COMPLETE,
  /** Stopped early by the pruner; its value is its last intermediate value. */
  PRUNED,
  /** Threw, diverged, returned a value that is not finite, or was interrupted; see the reason. */
  FAILED;

  public boolean isFinished() {
    return this != RUNNING;
  }
}
