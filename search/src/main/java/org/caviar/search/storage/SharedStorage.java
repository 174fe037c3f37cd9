package org.caviar.search.storage;

import org.caviar.search.trial.TrialRecord;

/**
 * A storage that several processes (on several machines) use at once. A study on it does not
 * count or number trials itself: {@link #claimNext} numbers the trial and checks the budget in one
 * short atomic step that every process respects, so no trial runs twice and the budget is not
 * overshot. The sampler then proposes outside any lock, from {@link #trials()}, in which the other
 * workers' running trials are pending (those just claimed have no parameters yet), and the study
 * records the parameters with {@link #recordParams}.
 */
public interface SharedStorage extends Storage {
  /**
   * Claims the next trial, unless the study's budget is spent: as many trials count as it allows
   * (every trial but those lost with their worker). The budget is the one the storage keeps with
   * the study, as it is at this claim (another process may have raised or lowered it since this one
   * started), and {@code budget} only for a study that keeps none ({@link #budget}). The
   * parameters of an interrupted trial that wait for a re-run come first: the claimed trial carries them and {@link TrialRecord#retryOf()}, the first run's number (a
   * re-run interrupted while it ran, reaped or released, is not re-run again; one given back before
   * it ran is). Otherwise a fresh trial,
   * without parameters, is claimed while fewer than {@code freshLimit} count (e.g. the size of a
   * grid), less the points given up ({@code Study.givenUpPoints}: a re-run interrupted while it ran),
   * which the claim counts itself, in the same atomic step: a re-run given up just before (by this
   * claim's own reaping, say) is counted. Returns null when nothing may be claimed.
   *
   * <p>Before claiming, finishes trials whose worker stopped sending heartbeats as interrupted
   * (not on every call: at most once per heartbeat period of this storage).
   *
   * <p>The claimed trial records that it trains on {@code threads} threads
   * ({@link TrialRecord#threads()}; {@link TrialRecord#THREADS_UNKNOWN}: not recorded); a re-run
   * records its own, not those of the lost trial it repeats.
   */
  TrialRecord claimNext(long startMillis, int budget, long freshLimit, int threads);

  /**
   * The budget {@link #claimNext} checks against now: the one the storage keeps with the open study
   * (which any process may change while this one runs), else {@code fallback}.
   */
  int budget(int fallback);

  /** {@link #claimNext(long, int, long, int)} without recording the trial's threads. */
  default TrialRecord claimNext(long startMillis, int budget, long freshLimit) {
    return claimNext(startMillis, budget, freshLimit, TrialRecord.THREADS_UNKNOWN);
  }

  /**
   * Finishes the trials this storage claimed and has not finished as interrupted, at once (not
   * after the grace), so that the next claim re-runs them, but for re-runs: interrupted while they
   * ran, as when reaped, they give their point up; for a process that stops. Claims nothing
   * after. Returns how many it finished, and how many of those were re-runs; throws {@link
   * StorageException} if it could not.
   */
  Released releaseHeld();

  /**
   * What {@link #releaseHeld} finished: {@code trials} trials, of which {@code reruns} were re-runs
   * with parameters (their points are given up; the others' parameters are re-run).
   */
  record Released(int trials, int reruns) {
    /** Nothing held, nothing released. */
    public static final Released NONE = new Released(0, 0);
  }

  /**
   * Gives back {@code claimed}, a trial this storage claimed that never ran (a listener failed as
   * it started), at once: finished as interrupted with reason {@code interrupted: <why>} (which
   * {@link TrialRecord#NEVER_RAN} should match), it counts against neither the budget nor its
   * point, and the interrupted trial whose re-run it was, if any, waits for another re-run. Throws
   * {@link StorageException} if it could not (the trial is then released or reaped as any other).
   */
  void giveBack(TrialRecord claimed, String why);
}
