package org.caviar.search.pruner;

import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;

/** Never prunes: every trial runs to its end. */
final class NopPruner implements Pruner {
  static final NopPruner INSTANCE = new NopPruner();

  private NopPruner() {}

  @Override
  public boolean shouldPrune(History history, TrialRecord trial) {
    return false;
  }

  @Override
  public String name() {
    return "none";
  }
}
