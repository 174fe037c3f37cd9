package org.caviar.search.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class LeaderboardTest {
  private static TrialRecord finished(int number, TrialState state, double value, String reason) {
    return TrialRecord.claimed(number, 0).withOutcome(state, value, reason, 1);
  }

  /**
   * A trial interrupted by the end of its process (Ctrl-C, kill -9, a lost worker) did not fail: it
   * is counted apart, as the progress line and the budget leave it out, and its re-run counts.
   */
  /** Plain from 1e-3 to below 1e5, as documented (%.4g went scientific from 1e4: "1.235e+04"). */
  @Test
  void numbersArePlainBetweenATinyAndAHugeOne() {
    assertEquals("0.9861", Leaderboard.format(0.98611));
    assertEquals("0.001235", Leaderboard.format(0.0012345678));
    assertEquals("1235", Leaderboard.format(1234.5));
    assertEquals("12346", Leaderboard.format(12345.6));
    assertEquals("-99999", Leaderboard.format(-99999.4));
    assertEquals("1.000e+05", Leaderboard.format(99999.6)); // rounds up to the huge
    assertEquals("1.235e+05", Leaderboard.format(123456.0));
    assertEquals("9.000e-04", Leaderboard.format(0.0009));
    assertEquals("0", Leaderboard.format(0.0));
  }

  @Test
  void theSummaryCountsInterruptedTrialsApartFromFailedOnes() {
    History h = new History(List.of(
        finished(0, TrialState.COMPLETE, 0.9, null),
        finished(1, TrialState.PRUNED, 0.5, "pruned at step 2"),
        finished(2, TrialState.FAILED, Double.NaN, "diverged: the loss became NaN or infinite"),
        finished(3, TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": the process ended while it ran"),
        finished(4, TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": the process ended while it ran"),
        TrialRecord.claimed(5, 0)), Direction.MAXIMIZE);
    assertEquals("6 trials: 1 complete, 1 pruned, 1 failed, 2 interrupted, 1 running", Leaderboard.summary(h));
    History clean = new History(List.of(finished(0, TrialState.COMPLETE, 0.9, null)), Direction.MAXIMIZE);
    assertEquals("1 trial: 1 complete, 0 pruned, 0 failed", Leaderboard.summary(clean));
  }

  /** A negative row count is named, not a subList's "fromIndex(0) > toIndex(-1)". */
  @Test
  void aNegativeTopIsAClearError() {
    History h = new History(List.of(finished(0, TrialState.COMPLETE, 0.9, null)), Direction.MAXIMIZE);
    assertEquals(List.of(), Leaderboard.top(h, 0));
    assertEquals("top must be >= 0, got -1", assertThrows(IllegalArgumentException.class, () -> Leaderboard.top(h, -1)).getMessage());
  }
}
