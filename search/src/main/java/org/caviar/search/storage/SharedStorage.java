package org.caviar.search.storage;

import java.util.List;
import org.caviar.search.space.Point;
import org.caviar.search.trial.TrialRecord;

/**
 * A storage that several processes (on several machines) use at once. A study on it does not
 * count or number trials itself: each claim happens under the storage's own lock, which every
 * process respects, and the study decides inside it, from every worker's trials, whether to run
 * one more and with which parameters. So no trial runs twice, the budget is not overshot, and a
 * model-based sampler sees every other worker's running trials as pending.
 */
public interface SharedStorage extends Storage {
  /** What to run as the next trial: its parameters, and the lost trial it re-runs or -1. */
  record Proposal(Point params, int retryOf) {
    public Proposal {
      if (params == null) throw new IllegalArgumentException("proposal params must not be null");
    }
  }

  /** Decides the next trial under the storage's lock; null means "run no more". */
  @FunctionalInterface
  interface Decision {
    Proposal decide(List<TrialRecord> all, int nextNumber);
  }

  /**
   * Under the lock shared by every process: finishes lost trials (their worker stopped sending
   * heartbeats) as interrupted, hands all trials to {@code decision}, and, unless it returns null,
   * stores the new RUNNING trial with its parameters. Returns it, or null. An exception thrown by
   * {@code decision} leaves the storage as it was and is rethrown.
   */
  TrialRecord claimDecided(long startMillis, Decision decision);
}
