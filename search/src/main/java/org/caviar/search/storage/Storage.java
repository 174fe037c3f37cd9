package org.caviar.search.storage;

import java.util.List;
import org.caviar.search.space.Point;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * Where a study keeps its trials. Samplers and pruners never see a storage, only the snapshots it
 * hands out, so another storage (e.g. a database shared by many machines) fits in beside the
 * journal without touching them. Implementations are safe for use by several threads; every
 * recording method makes the event durable (in the storage's own sense) before it returns.
 */
public interface Storage extends AutoCloseable {
  /**
   * Creates the study, or loads it when it exists and checks that {@code info} can resume it
   * ({@link StudyInfo#checkResumableAs}). Returns the stored info (whose seed wins). Called once,
   * before anything else.
   */
  StudyInfo open(StudyInfo info);

  /** All trials so far in number order: a snapshot that later events do not change. */
  List<TrialRecord> trials();

  /**
   * Starts a new RUNNING trial with the next free number, recording that it trains on
   * {@code threads} threads ({@link TrialRecord#threads()}; {@link TrialRecord#THREADS_UNKNOWN}:
   * not recorded).
   */
  TrialRecord claimTrial(long startMillis, int threads);

  /** Starts a new RUNNING trial with the next free number, without recording its threads. */
  default TrialRecord claimTrial(long startMillis) {
    return claimTrial(startMillis, TrialRecord.THREADS_UNKNOWN);
  }

  /** The trial's parameters; {@code retryOf} is the interrupted trial it re-runs, or -1. */
  void recordParams(int number, Point params, int retryOf);

  /** An intermediate value of a running trial (e.g. the validation score after an epoch). */
  void recordIntermediate(int number, int step, double value);

  /** Finishes a running trial. */
  void recordOutcome(int number, TrialState state, double value, String reason, long endMillis);

  @Override
  void close();
}
