package org.caviar.search.study;

import java.time.Duration;

/**
 * When a study stops claiming new trials: after {@code maxTrials} trials of the study in total
 * (across resumed runs; trials interrupted by a crash do not count, their re-runs do), or once
 * {@code maxTime} has passed in this run. Trials already running then finish normally. On a shared
 * storage that keeps a budget with the study (PostgreSQL's, set by {@code tune --trials}), that
 * budget counts instead of {@code maxTrials}, as it is at each claim ({@link Study#maxTrials}).
 */
public record Budget(int maxTrials, Duration maxTime) {
  public Budget {
    if (maxTrials < 0) throw new IllegalArgumentException("maxTrials must be >= 0, got " + maxTrials);
    if (maxTime == null || maxTime.isNegative()) throw new IllegalArgumentException("maxTime must be >= 0, got " + maxTime);
  }

  public static Budget trials(int n) {
    return new Budget(n, Duration.ofSeconds(Long.MAX_VALUE));
  }

  public static Budget time(Duration d) {
    return new Budget(Integer.MAX_VALUE, d);
  }

  public Budget andTime(Duration d) {
    return new Budget(maxTrials, d);
  }

  public boolean hasTimeLimit() {
    return maxTime.getSeconds() != Long.MAX_VALUE;
  }
}
