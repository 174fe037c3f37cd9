package org.caviar.search.storage;

import java.util.ArrayList;
import java.util.List;
import org.caviar.search.trial.TrialRecord;

/**
 * One study's trials as this process last read them from the database, and the horizon of that
 * read: the next read asks only for rows changed by transactions at or after it. Not thread-safe:
 * its owner reads and merges under one lock, so a later read never merges before an earlier one.
 */
final class TrialCache {
  private final List<TrialRecord> trials = new ArrayList<>();
  /** The xmin of the last read's snapshot, as PostgreSQL's xid8 text; "0" before the first read. */
  private String horizon = "0";

  String horizon() {
    return horizon;
  }

  /**
   * Takes a newer record of a trial. Numbers are dense (a claim numbers and inserts in one
   * statement, under the study row's lock), so a read never shows a trial without all before it.
   */
  void put(TrialRecord t) {
    int n = t.number();
    if (n < trials.size()) {
      trials.set(n, t);
    } else if (n == trials.size()) {
      trials.add(t);
    } else {
      throw new IllegalStateException("read trial " + n + " while trials 0.." + (trials.size() - 1) + " are known: numbers must be dense");
    }
  }

  void advanceTo(String newHorizon) {
    horizon = newHorizon;
  }

  List<TrialRecord> snapshot() {
    return List.copyOf(trials);
  }
}
