package org.caviar.search.storage;

import java.util.ArrayList;
import java.util.List;
import org.caviar.search.space.Point;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/** Keeps trials in memory only: for tests, benchmarks and throwaway studies. */
public class InMemoryStorage implements Storage {
  private final List<TrialRecord> trials = new ArrayList<>();
  private List<TrialRecord> snapshot = List.of();
  private StudyInfo info;

  @Override
  public synchronized StudyInfo open(StudyInfo requested) {
    if (info != null) {
      info.checkResumableAs(requested);
      return info;
    }
    info = requested;
    return info;
  }

  @Override
  public synchronized List<TrialRecord> trials() {
    if (snapshot == null) snapshot = List.copyOf(trials);
    return snapshot;
  }

  @Override
  public synchronized TrialRecord claimTrial(long startMillis, int threads) {
    TrialRecord t = TrialRecord.claimed(trials.size(), startMillis, threads);
    put(t);
    return t;
  }

  @Override
  public synchronized void recordParams(int number, Point params, int retryOf) {
    put(get(number).withParams(params, retryOf));
  }

  @Override
  public synchronized void recordIntermediate(int number, int step, double value) {
    put(get(number).withIntermediate(step, value));
  }

  @Override
  public synchronized void recordOutcome(int number, TrialState state, double value, String reason, long endMillis) {
    put(get(number).withOutcome(state, value, reason, endMillis));
  }

  /** The stored info, or null before {@link #open}. */
  protected synchronized StudyInfo info() {
    return info;
  }

  protected synchronized void setInfo(StudyInfo stored) {
    info = stored;
  }

  /** Drops the study and its trials, for a storage that reads them again (a journal reopened). */
  protected synchronized void forget() {
    trials.clear();
    snapshot = null;
    info = null;
  }

  /** The current record of trial {@code number}. */
  protected synchronized TrialRecord get(int number) {
    if (number < 0 || number >= trials.size()) {
      throw new IllegalArgumentException("no trial " + number + " (the study has " + trials.size() + ")");
    }
    return trials.get(number);
  }

  /** Adds or replaces the record with its number. */
  protected synchronized void put(TrialRecord t) {
    if (t.number() == trials.size()) {
      trials.add(t);
    } else {
      trials.set(t.number(), t);
    }
    snapshot = null;
  }

  @Override
  public void close() {}
}
