package org.caviar.search.cli;

import java.io.Console;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import org.caviar.search.objective.HeapBudget;
import org.caviar.search.objective.MemoryWait;
import org.caviar.search.report.Leaderboard;
import org.caviar.search.study.StudyListener;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;

/**
 * The tune command's progress. On a terminal: a live bar of the study's finished trials (every
 * worker's, when several share the storage) against its budget, with the best value and the pruned
 * and failed counts, and with {@code perEpoch} (panda mode, one trial at a time) the
 * running trial: its number, its last epoch of those it runs and that epoch's validation accuracy
 * ("trial 1 epoch 12/30: acc 0.912 | best 0.9666 | ..."). Otherwise (output to a file or a pipe): a plain line at every tenth
 * of the trials, so logs stay readable, and at least every minute while trials finish.
 *
 * <p>A trial that waits for memory ({@link HeapBudget}: it fits alone, not beside the trials
 * running) gets a line of its own as its wait starts, and another as it goes on, above the bar on a
 * terminal: a study whose trials all wait looked stuck, its waiting trials counted as running.
 */
final class ProgressDisplay implements StudyListener, HeapBudget.Listener, AutoCloseable {
  private long trials;
  private final boolean perEpoch;
  private final boolean terminal;
  private final PrintWriter out;
  private ProgressBar bar;
  private String summary = "";
  private long finished;
  private long nextLine;
  /** The count of the last plain line. */
  private long printed;
  /** When the last plain line was printed (or the display started), by {@link #nanoTime}. */
  private long printedAt;
  private final LongSupplier nanoTime;

  /** A plain line at least this often while trials finish, whatever a tenth of the trials is. */
  static final long LINE_EVERY_NANOS = 60_000_000_000L;

  /** The study's budget as it is now, read as trials finish (null: the total stays as started); see {@link #followTotal}. */
  private LongSupplier totalNow;

  /** The epochs a trial runs unless pruned (its 'epochs' parameter, else --epochs), or -1 if not known. */
  private ToIntFunction<TrialRecord> epochsOf = t -> -1;

  /** The bar's consumer: by default standard output at the terminal's width. */
  private final LinesAbove consumer;

  ProgressDisplay(long trials, boolean perEpoch, PrintWriter out) {
    this(trials, perEpoch, out, onTerminal(), null);
  }

  /** {@code terminal}: a bar, written to {@code consumer} (null: standard output); else plain lines to {@code out}. */
  ProgressDisplay(long trials, boolean perEpoch, PrintWriter out, boolean terminal, ProgressBarConsumer consumer) {
    this(trials, perEpoch, out, terminal, consumer, System::nanoTime);
  }

  /** The same with the clock of the plain lines' minute ({@link System#nanoTime} but in tests). */
  ProgressDisplay(long trials, boolean perEpoch, PrintWriter out, boolean terminal, ProgressBarConsumer consumer, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.trials = trials;
    this.perEpoch = perEpoch;
    this.out = out;
    this.terminal = terminal;
    this.consumer = new LinesAbove(consumer != null ? consumer : standardOutput());
  }

  /**
   * The bar's consumer, which a line printed above the bar ({@link #between}) does not interleave
   * with: the bar is drawn by the library's own thread.
   */
  private static final class LinesAbove implements ProgressBarConsumer {
    private final ProgressBarConsumer bar;

    LinesAbove(ProgressBarConsumer bar) {
      this.bar = bar;
    }

    @Override
    public int getMaxRenderedLength() {
      return bar.getMaxRenderedLength();
    }

    @Override
    public synchronized void accept(String frame) {
      bar.accept(frame);
    }

    @Override
    public synchronized void close() {
      bar.close();
    }

    /** Blanks the bar's line and runs {@code print} at its start, no frame drawn meanwhile; the next frame comes below. */
    synchronized void between(Runnable print) {
      bar.clear();
      bar.accept("");
      print.run();
    }
  }

  /**
   * The bar on standard output, the stream {@link #onTerminal()} finds a terminal on (with standard
   * input), where the plain lines go otherwise. The library's own consumer writes to standard error:
   * {@code caviar tune 2>/dev/null} (to drop the JVM's incubator warning) showed no progress at all,
   * and {@code 2>tune.log} filled the log with the bar's redraws and cursor moves. Each frame is
   * flushed: a frame has no newline, which is all that flushes System.out by itself.
   */
  private static ProgressBarConsumer standardOutput() {
    PrintStream stdout = System.out;
    return new ConsoleProgressBarConsumer(stdout) {
      @Override
      public void accept(String frame) {
        super.accept(frame);
        stdout.flush();
      }
    };
  }

  private static boolean onTerminal() {
    Console c = System.console();
    return c != null && c.isTerminal();
  }

  /**
   * {@link #start(long)} of {@code total} trials: the budget as the trials start (on a shared study
   * another run may have changed it since this display was made).
   */
  synchronized void start(long alreadyDone, long total) {
    trials = total;
    start(alreadyDone);
  }

  /**
   * Reads the total from {@code budgetNow} as each trial finishes: a shared study's budget, which
   * another process may raise or lower while this one runs (its claims follow it; the display
   * showed "trials 3/1"). A read that fails keeps the total the display had: the display must not
   * stop the study.
   */
  synchronized void followTotal(LongSupplier budgetNow) {
    totalNow = budgetNow;
  }

  /** How many epochs trial {@code t} runs unless pruned, for panda mode's "epoch 12/30". */
  synchronized void epochsOf(ToIntFunction<TrialRecord> epochs) {
    epochsOf = epochs;
  }

  /**
   * {@link #start(long, long)} of a resumed study whose trials were {@code before}: its best and
   * counts show from the start (they showed only once this run's first trial had finished).
   */
  synchronized void start(long alreadyDone, long total, History before) {
    if (alreadyDone > 0) summary = summary(before);
    start(alreadyDone, total);
  }

  /** Shows the progress, starting at the trials a resumed study had done. */
  synchronized void start(long alreadyDone) {
    finished = alreadyDone;
    nextLine = alreadyDone + step();
    printed = alreadyDone;
    printedAt = nanoTime.getAsLong();
    if (!terminal) return;
    // Starting from the trials done before, not stepped to them: the time left is this run's pace
    // times the trials left, and stepped to, they counted as done in no time (50 of 60 done, a first
    // trial of a minute left "0:00:10").
    ProgressBarBuilder builder = new ProgressBarBuilder().setTaskName("trials").setInitialMax(trials)
        .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).continuousUpdate()
        .startsFrom(alreadyDone, Duration.ZERO);
    // Panda mode: the running trial's line takes the room of the study's time left, a guess from
    // trials of a few epochs (pruned) and of all of them; in 80 columns the line was cut in its best.
    if (perEpoch) builder.hideEta();
    bar = builder.setConsumer(consumer).build();
  }

  private long step() {
    return Math.max(1, trials / 10);
  }

  /** Panda mode: the trial as it starts, "trial 2 epoch 0/30": its first epoch may take seconds (the JIT's, at first). */
  @Override
  public synchronized void trialStarted(TrialRecord t) {
    trialReported(t);
  }

  @Override
  public synchronized void trialReported(TrialRecord t) {
    if (!perEpoch || bar == null) return;
    // The running trial first: the bar cuts what does not fit the terminal's width from the end, and
    // in 80 columns it left "best 0.9666 | pruned 4 | failed 0 | t" of the line panda mode is for.
    bar.setExtraMessage(epochLine(t, epochsOf.applyAsInt(t)) + (summary.isEmpty() ? "" : " | " + summary));
  }

  /**
   * "trial 1 epoch 12/30: acc 0.912": the trial's number (the leaderboard's), its last epoch of the
   * {@code epochs} it runs unless pruned (-1: not known, not shown), and that epoch's validation
   * accuracy, named (a bare "0.912" beside the study's best read as the trial's value, its best epoch's).
   */
  static String epochLine(TrialRecord t, int epochs) {
    if (t.reportCount() == 0) return "trial " + t.number() + " epoch 0" + (epochs > 0 ? "/" + epochs : "");
    return "trial " + t.number() + " epoch " + t.lastStep() + (epochs > 0 ? "/" + epochs : "") + ": acc "
        + Leaderboard.format(t.lastIntermediate());
  }

  @Override
  public void trialFinished(TrialRecord t, History h) {
    if (t.isInterrupted()) return;
    LongSupplier read;
    synchronized (this) {
      read = totalNow;
    }
    long total = -1;
    if (read != null) {
      try {
        total = read.getAsLong(); // a database read: not under this display's lock, which other workers' trials wait for
      } catch (RuntimeException e) {
        // The total stays as it was (see followTotal).
      }
    }
    finished(t, h, total);
  }

  /** {@link #trialFinished}, with the study's budget as it is now ({@code total}), or -1 if it stays as it was. */
  private synchronized void finished(TrialRecord t, History h, long total) {
    if (total >= 0 && total != trials) {
      trials = total;
      nextLine = Math.min(nextLine, printed + step());
      if (bar != null) bar.maxHint(total);
    }
    summary = summary(h);
    // The study's count, from the history it read anyway: other workers' trials show without another
    // read of the storage. Histories of trials that finish at once may arrive out of order: the bar
    // never goes back.
    finished = Math.max(finished, TuneCommand.finishedTrials(h.trials()));
    if (bar != null) {
      bar.setExtraMessage(summary);
      bar.stepTo(finished);
    } else if (finished > printed) {
      // Above the last line only: two trials ending together may both read every trial finished.
      // And at least every minute: a budget meant as no limit (with --timeout) never reaches a tenth.
      long now = nanoTime.getAsLong();
      if (finished >= nextLine || finished == trials || now - printedAt >= LINE_EVERY_NANOS) {
        out.printf(Locale.ROOT, "trials %d/%d | %s%n", finished, trials, summary);
        out.flush();
        nextLine = finished + step();
        printed = finished;
        printedAt = now;
      }
    }
  }

  /** "trial 12 waits for memory: it needs 1.2 GB, and trials 10 and 11 hold 2.1 GB of the 3.0 GB ...": once, as the wait starts. */
  @Override
  public void waits(MemoryWait wait) {
    line(wait.line());
  }

  /** "trial 12 has its memory after 41.0 s of waiting, and trains": else the wait's line read as if it still waited. */
  @Override
  public void goesOn(MemoryWait wait, long waitedNanos) {
    line(wait.goesOnLine(waitedNanos));
  }

  /** {@code line} on a line of its own: above the bar on a terminal, among the plain lines otherwise. */
  private synchronized void line(String line) {
    Runnable print = () -> {
      out.println(line);
      out.flush();
    };
    if (bar != null) consumer.between(print);
    else print.run();
  }

  /** "best 0.9666 | pruned 4 | failed 0" of the study's trials {@code h}. */
  private static String summary(History h) {
    TrialRecord best = h.best();
    int pruned = 0;
    int failed = 0;
    for (TrialRecord r : h.trials()) {
      if (r.state() == TrialState.PRUNED) pruned++;
      if (r.state() == TrialState.FAILED && !r.isInterrupted()) failed++;
    }
    return "best " + (best == null ? "-" : Leaderboard.format(best.value())) + " | pruned " + pruned + " | failed " + failed;
  }

  @Override
  public synchronized void close() {
    if (bar != null) bar.close();
    bar = null;
  }
}
