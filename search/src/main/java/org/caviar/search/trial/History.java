package org.caviar.search.trial;

import java.util.ArrayList;
import java.util.List;

/**
 * What samplers and pruners see of a study: a snapshot of its trials in number order and the
 * direction of optimization. Immutable.
 */
public final class History {
  private final List<TrialRecord> trials;
  private final Direction direction;

  public History(List<TrialRecord> trials, Direction direction) {
    this.trials = List.copyOf(trials);
    this.direction = direction;
  }

  public static History empty(Direction direction) {
    return new History(List.of(), direction);
  }

  public List<TrialRecord> trials() {
    return trials;
  }

  public Direction direction() {
    return direction;
  }

  /** Trials in the given state. */
  public List<TrialRecord> inState(TrialState state) {
    List<TrialRecord> out = new ArrayList<>();
    for (TrialRecord t : trials) if (t.state() == state) out.add(t);
    return out;
  }

  /** The best COMPLETE trial, or null. */
  public TrialRecord best() {
    TrialRecord best = null;
    for (TrialRecord t : trials) {
      if (t.state() == TrialState.COMPLETE && (best == null || direction.isBetter(t.value(), best.value()))) best = t;
    }
    return best;
  }

  public int size() {
    return trials.size();
  }
}
