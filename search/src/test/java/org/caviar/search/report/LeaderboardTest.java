package org.caviar.search.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class LeaderboardTest {
  private static TrialRecord finished(int number, TrialState state, double value, String reason) {
    return TrialRecord.claimed(number, 0).withOutcome(state, value, reason, 1);
  }

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

  /**
   * A trial interrupted by the end of its process (Ctrl-C, kill -9, a lost worker) did not fail: it
   * is counted apart, as the progress line and the budget leave it out, and its re-run counts.
   */
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

  /** Counts of 1,000 or more grouped as the other lines write them: "2000 trials: 1500 complete" read apart from them. */
  @Test
  void theSummaryGroupsCountsOfAThousandOrMore() {
    List<TrialRecord> trials = new java.util.ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      trials.add(i < 1500 ? finished(i, TrialState.COMPLETE, 0.9, null)
          : i < 1998 ? finished(i, TrialState.PRUNED, 0.5, "pruned at step 2")
          : i < 1999 ? finished(i, TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": the process ended while it ran")
          : TrialRecord.claimed(i, 0));
    }
    assertEquals("2,000 trials: 1,500 complete, 498 pruned, 0 failed, 1 interrupted, 1 running",
        Leaderboard.summary(new History(trials, Direction.MAXIMIZE)));
  }

  /** Trial 1 interrupted with its process, trial 2 its re-run (the same x), and trial 0. */
  static History withARerun() {
    SearchSpace space = SearchSpace.of(Parameter.uniform("x", 0, 1));
    return new History(List.of(
        TrialRecord.claimed(0, 0).withParams(space.pointFromValues(Map.of("x", 0.25)), -1).withOutcome(TrialState.COMPLETE, 0.8, null, 1),
        TrialRecord.claimed(1, 0).withParams(space.pointFromValues(Map.of("x", 0.5)), -1)
            .withOutcome(TrialState.FAILED, Double.NaN, TrialRecord.INTERRUPTED + ": the process ended while it ran", 1),
        TrialRecord.claimed(2, 0).withParams(space.pointFromValues(Map.of("x", 0.5)), 1).withOutcome(TrialState.COMPLETE, 0.9, null, 1)),
        Direction.MAXIMIZE);
  }

  /**
   * Nothing showed that trial 2 re-runs interrupted trial 1: its row now starts its parameters with
   * the mark, in the last column, whose width is free, so the fixed columns stay aligned with the
   * header (a mark beside the trial number would push a five-digit number out of its column).
   */
  @Test
  void aRerunIsMarkedWithTheTrialItReruns() {
    List<String> lines = Leaderboard.table(withARerun(), 5).lines().toList();
    assertEquals(3, lines.size(), String.join("\n", lines));
    assertEquals("   1      2         0.9      -     0.00  (re-run of 1) x=0.5", lines.get(1));
    assertEquals("   2      0         0.8      -     0.00  x=0.25", lines.get(2));
    int parameters = lines.get(0).indexOf("parameters");
    assertEquals(parameters, lines.get(1).indexOf("(re-run of 1)"));
    assertEquals(parameters, lines.get(2).indexOf("x=0.25"));
  }

  /** A negative row count is named, not a subList's "fromIndex(0) > toIndex(-1)". */
  @Test
  void aNegativeTopIsAClearError() {
    History h = new History(List.of(finished(0, TrialState.COMPLETE, 0.9, null)), Direction.MAXIMIZE);
    assertEquals(List.of(), Leaderboard.top(h, 0));
    assertEquals("top must be >= 0, got -1", assertThrows(IllegalArgumentException.class, () -> Leaderboard.top(h, -1)).getMessage());
  }
}
