package org.caviar.search.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.caviar.model.optim.Counts;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/** The best completed trials of a study, best first, and a plain-text table of them. */
public final class Leaderboard {
  private Leaderboard() {}

  /** The {@code top} best COMPLETE trials, best first (ties: the earlier trial first). */
  public static List<TrialRecord> top(History history, int top) {
    if (top < 0) throw new IllegalArgumentException("top must be >= 0, got " + top);
    Direction d = history.direction();
    List<TrialRecord> done = new ArrayList<>(history.inState(TrialState.COMPLETE));
    done.sort(Comparator.comparingDouble((TrialRecord t) -> d.loss(t.value())).thenComparingInt(TrialRecord::number));
    return done.subList(0, Math.min(top, done.size()));
  }

  /** A number in a short readable form: 4 significant digits, scientific when tiny or huge. */
  public static String format(Object v) {
    if (v instanceof Double d) {
      double a = Math.abs(d);
      String scientific = String.format(Locale.ROOT, "%.3e", d);
      if (a != 0 && (a < 1e-3 || a >= 1e5)) return scientific;
      // %.4g goes scientific from 1e4 on: whole numbers there, up to five digits.
      if (a >= 1e3) {
        String whole = String.format(Locale.ROOT, "%.0f", d);
        return whole.length() - (d < 0 ? 1 : 0) <= 5 ? whole : scientific;
      }
      return String.format(Locale.ROOT, "%.4g", d).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }
    return String.valueOf(v);
  }

  /**
   * A text table: rank, trial, value, steps reported, seconds, parameters; a trial that re-runs an
   * interrupted one has its parameters marked "(re-run of N)".
   */
  public static String table(History history, int top) {
    List<TrialRecord> rows = top(history, top);
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%4s  %5s  %10s  %5s  %7s  %s%n", "rank", "trial", "value", "steps", "seconds", "parameters"));
    int rank = 1;
    for (TrialRecord t : rows) {
      sb.append(String.format(Locale.ROOT, "%4d  %5d  %10s  %5s  %7.2f  %s%n", rank++, t.number(), format(t.value()),
          t.reportCount() == 0 ? "-" : Integer.toString(t.lastStep()), seconds(t), rerunMark(t) + params(t)));
    }
    if (rows.isEmpty()) sb.append("  (no completed trial)\n");
    return sb.toString();
  }

  static double seconds(TrialRecord t) {
    return t.endMillis() < 0 ? 0 : (t.endMillis() - t.startMillis()) / 1000.0;
  }

  /**
   * "(re-run of 1) " for a trial that re-runs interrupted trial 1 with its parameters, else "": put
   * before the parameters, the last column, whose width is free, so that the fixed columns keep
   * their widths (beside the trial number, it pushed a five-digit one out of its column).
   */
  public static String rerunMark(TrialRecord t) {
    return t.retryOf() >= 0 ? "(re-run of " + t.retryOf() + ") " : "";
  }

  /** "name=value, ..." of the trial's active parameters. */
  public static String params(TrialRecord t) {
    if (t.params() == null) return "";
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Object> e : t.params().asMap().entrySet()) {
      if (sb.length() > 0) sb.append(", ");
      sb.append(e.getKey()).append('=').append(format(e.getValue()));
    }
    return sb.toString();
  }

  /**
   * Counts by state, e.g. "60 trials: 14 complete, 44 pruned, 2 failed" (from 1,000 on grouped, as
   * the other lines write counts: "2,000 trials: 1,500 complete, ..."). Trials interrupted by the
   * end of their process (Ctrl-C, a kill, a lost worker) are FAILED in the storage but did not
   * fail: they are counted apart ("2 interrupted"), as the budget and the progress line leave them
   * out, and their parameters run again as new trials.
   */
  public static String summary(History h) {
    List<TrialRecord> failed = h.inState(TrialState.FAILED);
    long interrupted = failed.stream().filter(TrialRecord::isInterrupted).count();
    return Counts.of(h.size(), "trial") + ": " + Counts.grouped(h.inState(TrialState.COMPLETE).size()) + " complete, "
        + Counts.grouped(h.inState(TrialState.PRUNED).size()) + " pruned, " + Counts.grouped(failed.size() - interrupted) + " failed"
        + (interrupted == 0 ? "" : ", " + Counts.grouped(interrupted) + " interrupted")
        + (h.inState(TrialState.RUNNING).isEmpty() ? "" : ", " + Counts.grouped(h.inState(TrialState.RUNNING).size()) + " running");
  }
}
