package org.caviar.search.trial;

import java.util.Arrays;
import org.caviar.search.space.Point;

/**
 * An immutable snapshot of one trial: its number, state, parameters, intermediate values (one per
 * reported step, in the order reported) and outcome. Storages keep these and hand out snapshots;
 * every change makes a new record.
 */
public final class TrialRecord {
  /**
   * The start of the reason of a trial that did not run to its end because its process stopped, or
   * died, while it ran, or that never ran ({@link #NEVER_RAN}). Studies do not count such trials
   * against their budget and re-run their parameters.
   */
  public static final String INTERRUPTED = "interrupted";

  /**
   * The reasons of interrupted trials that never ran: a listener failed as the trial started
   * ("interrupted: a listener failed as the trial started: ..."), or a PostgreSQL worker that was
   * stopping gave back a trial it had just claimed ("interrupted: worker W stopped before this
   * trial ran"). A regular expression that Java and PostgreSQL read alike. Every other interrupted
   * trial was {@link #isInterruptedWhileRunning() interrupted while it ran}.
   */
  public static final String NEVER_RAN =
      "^interrupted: (a listener failed as the trial started|worker [^ ]+ stopped before this trial ran)";

  private static final java.util.regex.Pattern NEVER_RAN_REASON = java.util.regex.Pattern.compile(NEVER_RAN);

  /**
   * The start of the reason of a trial whose training diverged (a loss or reported value that is
   * not finite: {@code TrialDivergedException}). Samplers count such trials as bad observations.
   */
  public static final String DIVERGED = "diverged";

  /**
   * {@link #threads()} of a trial whose storage did not record them: claimed through
   * {@code Storage.claimTrial(long)}, or stored before threads were recorded (journals and
   * databases written before 2026-12-06).
   */
  public static final int THREADS_UNKNOWN = 0;

  private static final int[] NO_STEPS = new int[0];
  private static final double[] NO_VALUES = new double[0];

  private final int number;
  private final TrialState state;
  private final Point params;
  private final int[] steps;
  private final double[] intermediates;
  private final double value;
  private final String reason;
  private final long startMillis;
  private final long endMillis;
  private final int retryOf;
  private final int threads;

  private TrialRecord(int number, TrialState state, Point params, int[] steps, double[] intermediates,
      double value, String reason, long startMillis, long endMillis, int retryOf, int threads) {
    this.number = number;
    this.state = state;
    this.params = params;
    this.steps = steps;
    this.intermediates = intermediates;
    this.value = value;
    this.reason = reason;
    this.startMillis = startMillis;
    this.endMillis = endMillis;
    this.retryOf = retryOf;
    this.threads = threads;
  }

  /** A newly claimed trial, RUNNING, with no parameters yet, whose threads are not recorded. */
  public static TrialRecord claimed(int number, long startMillis) {
    return claimed(number, startMillis, THREADS_UNKNOWN);
  }

  /**
   * A newly claimed trial, RUNNING, with no parameters yet, that trains on {@code threads} threads
   * ({@link #threads()}; {@link #THREADS_UNKNOWN} if not recorded).
   */
  public static TrialRecord claimed(int number, long startMillis, int threads) {
    if (number < 0) throw new IllegalArgumentException("trial number must be >= 0, got " + number);
    if (threads < 0) throw new IllegalArgumentException("threads must be >= 1, or THREADS_UNKNOWN (0), got " + threads);
    return new TrialRecord(number, TrialState.RUNNING, null, NO_STEPS, NO_VALUES, Double.NaN, null,
        startMillis, -1, -1, threads);
  }

  /** This trial with its parameters; {@code retryOf} is the interrupted trial it re-runs, or -1. */
  public TrialRecord withParams(Point p, int retryOf) {
    requireRunning("record parameters");
    return new TrialRecord(number, state, p, steps, intermediates, value, reason, startMillis, endMillis, retryOf, threads);
  }

  /** This trial with {@code value} at {@code step}, replacing an earlier value at the same step. */
  public TrialRecord withIntermediate(int step, double v) {
    requireRunning("report a value");
    int at = indexOfStep(step);
    int[] s;
    double[] x;
    if (at >= 0) {
      s = steps;
      x = intermediates.clone();
      x[at] = v;
    } else {
      s = Arrays.copyOf(steps, steps.length + 1);
      x = Arrays.copyOf(intermediates, intermediates.length + 1);
      s[steps.length] = step;
      x[steps.length] = v;
    }
    return new TrialRecord(number, state, params, s, x, value, reason, startMillis, endMillis, retryOf, threads);
  }

  /**
   * This trial as it was after its first {@code reports} reports (0 to {@link #reportCount()}):
   * what a pruner saw, or would have seen had it been asked then.
   */
  public TrialRecord withFirstReports(int reports) {
    if (reports < 0 || reports > steps.length) {
      throw new IllegalArgumentException("reports must be in [0, " + steps.length + "], got " + reports);
    }
    if (reports == steps.length) return this;
    return new TrialRecord(number, state, params, Arrays.copyOf(steps, reports), Arrays.copyOf(intermediates, reports), value, reason,
        startMillis, endMillis, retryOf, threads);
  }

  /** This trial finished in {@code newState} (not RUNNING). */
  public TrialRecord withOutcome(TrialState newState, double v, String why, long end) {
    requireRunning("finish");
    if (newState == TrialState.RUNNING) throw new IllegalArgumentException("an outcome cannot be RUNNING");
    return new TrialRecord(number, newState, params, steps, intermediates, v, why, startMillis, end, retryOf, threads);
  }

  private void requireRunning(String what) {
    if (state != TrialState.RUNNING) {
      throw new IllegalStateException("trial " + number + " is " + state + ", cannot " + what);
    }
  }

  private int indexOfStep(int step) {
    for (int i = steps.length - 1; i >= 0; i--) if (steps[i] == step) return i;
    return -1;
  }

  public int number() {
    return number;
  }

  public TrialState state() {
    return state;
  }

  /** The parameters, or null while the trial has just been claimed. */
  public Point params() {
    return params;
  }

  /** The final value: finite for COMPLETE, the last intermediate value for PRUNED, NaN otherwise. */
  public double value() {
    return value;
  }

  /** Why the trial failed or was pruned, or null. */
  public String reason() {
    return reason;
  }

  public long startMillis() {
    return startMillis;
  }

  /** When it finished, or -1 while RUNNING. */
  public long endMillis() {
    return endMillis;
  }

  /** The number of the interrupted trial this one re-runs, or -1. */
  public int retryOf() {
    return retryOf;
  }

  /**
   * The threads the study gave this trial's training ({@code Trial.kernelThreads()}: 1 in caviar
   * mode, the machine's processors in panda mode), or {@link #THREADS_UNKNOWN} when not recorded.
   * A network's sums run in an order that depends on its thread count: trained again on as many
   * threads, with the trial's seed, the trial's epochs come back bit for bit.
   */
  public int threads() {
    return threads;
  }

  /**
   * Whether this trial FAILED interrupted ({@link #INTERRUPTED}): its process stopped, or died,
   * while it ran ({@link #isInterruptedWhileRunning()}), or it never ran ({@link #NEVER_RAN}).
   */
  public boolean isInterrupted() {
    return state == TrialState.FAILED && reason != null && reason.startsWith(INTERRUPTED);
  }

  /**
   * Whether this trial was interrupted while it ran: interrupted, and not one that never ran
   * ({@link #NEVER_RAN}), whatever stopped it: a kill or a crash (a journal's next open finds it
   * RUNNING: "interrupted: the process stopped while this trial ran"; PostgreSQL reaps it once its
   * worker's heartbeat stops: "interrupted: worker lost, ..."), an interrupt of optimize ("the
   * study was interrupted while this trial ran"), a PostgreSQL worker releasing it as it stopped
   * ("worker W stopped while this trial ran": tune or worker stopped by Ctrl-C). So is an
   * interrupted trial of any other reason (an older Caviar's). A re-run interrupted so gives its
   * point up: its parameters may be what killed or hung the process, and a hang is often answered
   * by Ctrl-C. A re-run that never ran is no sign against its point, and is re-run.
   */
  public boolean isInterruptedWhileRunning() {
    return isInterrupted() && !NEVER_RAN_REASON.matcher(reason).lookingAt();
  }

  /**
   * Whether this trial FAILED because its training diverged: a property of its parameters (a
   * learning rate too high, say), unlike other failures. Read from the reason, so that it survives
   * every storage, and journals written before this method.
   */
  public boolean isDiverged() {
    return state == TrialState.FAILED && reason != null && reason.startsWith(DIVERGED);
  }

  /** How many intermediate values were reported. */
  public int reportCount() {
    return steps.length;
  }

  /** The step of the i-th report. */
  public int stepAt(int i) {
    return steps[i];
  }

  /** The value of the i-th report. */
  public double intermediateAt(int i) {
    return intermediates[i];
  }

  /** The value reported at {@code step}, or NaN. */
  public double intermediate(int step) {
    int i = indexOfStep(step);
    return i < 0 ? Double.NaN : intermediates[i];
  }

  /** The largest step reported, or -1. */
  public int lastStep() {
    int m = -1;
    for (int s : steps) m = Math.max(m, s);
    return m;
  }

  /** The value of the last report, or NaN. */
  public double lastIntermediate() {
    return steps.length == 0 ? Double.NaN : intermediates[steps.length - 1];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrialRecord t && t.number == number && t.state == state
        && java.util.Objects.equals(t.params, params) && Arrays.equals(t.steps, steps)
        && Arrays.equals(t.intermediates, intermediates) && Double.compare(t.value, value) == 0
        && java.util.Objects.equals(t.reason, reason) && t.startMillis == startMillis
        && t.endMillis == endMillis && t.retryOf == retryOf && t.threads == threads;
  }

  @Override
  public int hashCode() {
    return 31 * number + state.hashCode();
  }

  @Override
  public String toString() {
    return "trial " + number + " " + state + (Double.isNaN(value) ? "" : " value=" + value)
        + (params == null ? "" : " " + params) + (reason == null ? "" : " (" + reason + ")");
  }
}
