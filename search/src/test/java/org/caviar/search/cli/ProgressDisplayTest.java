package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import org.caviar.search.objective.HeapBudget;
import org.caviar.search.objective.MemoryWait;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
  private static Study study(String url, ProgressDisplay progress) {
    Study.Builder b = Study.builder(SearchSpace.of(Parameter.uniform("x", 0, 1))).name("shared").direction(Direction.MAXIMIZE)
        .storage(new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())).seed(4).workers(1);
    if (progress != null) b.listener(progress);
    return b.build();
  }

  /**
   * Two processes on one study in the database: this one's progress is the study's, the other's
   * trials included, and still moves with its own. (Not on a terminal, so it prints a line at every
   * tenth of the budget, 2 trials here.)
   */
  @Test
  void showsTheSharedStudysFinishedTrials() {
    String url = TestPostgres.newDatabase();
    StringWriter out = new StringWriter();
    ProgressDisplay progress = new ProgressDisplay(20, false, new PrintWriter(out));
    try (Study mine = study(url, progress); Study other = study(url, null)) {
      progress.start(0);
      mine.optimize(t -> {
        // While this process runs its first trial, the other finishes 10 (the 11th counting is this one).
        if (t.number() == 0) other.optimize(u -> u.getDouble("x"), Budget.trials(11));
        return t.getDouble("x");
      }, Budget.trials(20));
    } finally {
      progress.close();
    }
    List<String> counts = out.toString().lines().map(l -> l.substring(0, l.indexOf(" |"))).toList();
    assertEquals(List.of("trials 11/20", "trials 13/20", "trials 15/20", "trials 17/20", "trials 19/20", "trials 20/20"), counts,
        out.toString());
  }
  /**
   * Not on a terminal, the study's last line is printed once: two workers whose trials end
   * together each read a history with every trial finished (or the later one's first), and each
   * printed "trials 20/20".
   */
  @Test
  void printsTheLastLineOnceWhenTwoTrialsEndTogether() {
    StringWriter out = new StringWriter();
    ProgressDisplay progress = new ProgressDisplay(3, false, new PrintWriter(out), false, null);
    List<TrialRecord> all = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) all.add(TrialRecord.claimed(i, 0).withOutcome(TrialState.COMPLETE, i, null, 10));
    progress.start(0);
    progress.trialFinished(all.get(0), new History(all.subList(0, 1), Direction.MAXIMIZE));
    progress.trialFinished(all.get(2), new History(all, Direction.MAXIMIZE));
    progress.trialFinished(all.get(1), new History(all, Direction.MAXIMIZE));
    progress.close();
    List<String> counts = out.toString().lines().map(l -> l.substring(0, l.indexOf(" |"))).toList();
    assertEquals(List.of("trials 1/3", "trials 3/3"), counts, out.toString());
  }

  /**
   * Panda mode on a terminal 80 columns wide, the most common: the live line shows the running
   * trial (its number in the leaderboard), its epoch of the epochs it runs, that epoch's validation
   * accuracy, named, and the study's best. After the first trial it ended "best 0.9666 | pruned 0 |
   * failed 0 | t", the trial's part cut off by the width; then it read "trial 1 epoch 12: 0.912":
   * epoch 12 of how many, and 0.912 of what. The study's time left, guessed from trials of a few
   * epochs (pruned) and of all of them, gives its room to the trial's line (the time spent stays).
   * Large numbers (trial 12, epoch 120 of 300) fit as well.
   */
  @Test
  void pandasLiveLineShowsTheRunningTrialIn80Columns() {
    assertEquals("trial 1 epoch 12/30: acc 0.912 | best 0.9666", pandaLine(1, 12, 30));
    assertEquals("trial 12 epoch 120/300: acc 0.912 | best 0.9666", pandaLine(12, 120, 300));
  }

  /**
   * Panda mode shows the trial as it starts, before its first epoch ends: the bar said only "0/6
   * (0:00:05)" for the first trial's first epoch (seconds, while the JIT compiles), and the study's
   * best alone for a later trial's.
   */
  @Test
  void pandasLiveLineShowsATrialAsItStarts() {
    assertEquals("trial 1 epoch 0/30 | best 0.9666", pandaLine(1, 0, 30));
  }

  /**
   * A resumed study's best, from its earlier runs, shows from the start: the live line said only
   * "trial 4 epoch 96/1500: acc 0.1978" until this run's first trial finished, as if the study had no best.
   */
  @Test
  void aResumedStudysBestShowsFromTheStart() {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    ProgressDisplay progress = new ProgressDisplay(30, true, new PrintWriter(new StringWriter()), true,
        new ConsoleProgressBarConsumer(new PrintStream(terminal, true, StandardCharsets.UTF_8), 120));
    TrialRecord earlier = TrialRecord.claimed(0, 0).withIntermediate(1, 0.9).withOutcome(TrialState.COMPLETE, 0.9666, null, 1000);
    TrialRecord pruned = TrialRecord.claimed(1, 0).withIntermediate(1, 0.2).withOutcome(TrialState.PRUNED, 0.2, null, 1000);
    try {
      progress.start(2, 30, new History(List.of(earlier, pruned), Direction.MAXIMIZE));
      progress.trialReported(TrialRecord.claimed(2, 1000).withIntermediate(1, 0.5));
    } finally {
      progress.close();
    }
    String[] frames = terminal.toString(StandardCharsets.UTF_8).split("\r");
    String last = frames[frames.length - 1].strip();
    assertTrue(last.endsWith("trial 2 epoch 1: acc 0.5 | best 0.9666 | pruned 1 | failed 0"), last);
  }

  /**
   * The live line in 80 columns, from "trial" to the study's best, of trial {@code number} (a
   * trial before it completed with 0.9666) at {@code epoch} of {@code epochs}, with an accuracy of 0.912 there.
   */
  private static String pandaLine(int number, int epoch, int epochs) {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    ProgressDisplay progress = new ProgressDisplay(30, true, new PrintWriter(new StringWriter()), true,
        new ConsoleProgressBarConsumer(new PrintStream(terminal, true, StandardCharsets.UTF_8), 80));
    progress.epochsOf(t -> t.number() == number ? epochs : 1);
    TrialRecord first = TrialRecord.claimed(0, 0).withIntermediate(1, 0.9).withOutcome(TrialState.COMPLETE, 0.9666, null, 1000);
    TrialRecord running = TrialRecord.claimed(number, 1000);
    try {
      progress.start(0);
      progress.trialFinished(first, new History(List.of(first), Direction.MAXIMIZE));
      progress.trialStarted(running);
      for (int e = 1; e <= epoch; e++) {
        running = running.withIntermediate(e, e == epoch ? 0.912 : 0.5);
        progress.trialReported(running);
      }
    } finally {
      progress.close(); // draws the bar a last time, as it is now
    }
    String[] frames = terminal.toString(StandardCharsets.UTF_8).split("\r");
    String last = frames[frames.length - 1].strip();
    int from = last.indexOf("trial ");
    int to = last.indexOf("best 0.9666");
    assertTrue(from >= 0 && to > from, last);
    return last.substring(from, to + "best 0.9666".length());
  }

  /**
   * Off a terminal, a study whose budget is no limit (--trials 2147483647 with --timeout, or a
   * million) prints a line at least every minute while trials finish: a tenth of its trials is never
   * reached, and its log had no line at all for the whole run.
   */
  @Test
  void plainLinesComeAtLeastEveryMinuteWhenATenthIsFarOff() {
    StringWriter out = new StringWriter();
    long[] now = {0};
    ProgressDisplay progress = new ProgressDisplay(Integer.MAX_VALUE, false, new PrintWriter(out), false, null, () -> now[0]);
    List<TrialRecord> all = new java.util.ArrayList<>();
    for (int i = 0; i < 4; i++) all.add(TrialRecord.claimed(i, 0).withOutcome(TrialState.COMPLETE, i, null, 10));
    progress.start(0);
    long second = 1_000_000_000L;
    for (int i = 0; i < 4; i++) {
      now[0] = new long[] {30, 61, 100, 125}[i] * second; // trials ending 30 s, 61 s, 100 s and 125 s in
      progress.trialFinished(all.get(i), new History(all.subList(0, i + 1), Direction.MAXIMIZE));
    }
    progress.close();
    List<String> counts = out.toString().lines().map(l -> l.substring(0, l.indexOf(" |"))).toList();
    assertEquals(List.of("trials 2/2147483647", "trials 4/2147483647"), counts, out.toString());
  }

  /**
   * A resumed study's remaining time is from this run's pace: the trials done before were counted
   * as done in no time, and with 50 of 60 done, a first trial of 1 s left "0:00:00" to go, not 9 s.
   */
  @Test
  void aResumedStudysRemainingTimeIsFromThisRunsTrials() throws InterruptedException {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    ProgressDisplay progress = new ProgressDisplay(60, false, new PrintWriter(new StringWriter()), true,
        new ConsoleProgressBarConsumer(new PrintStream(terminal, true, StandardCharsets.UTF_8), 120));
    List<TrialRecord> all = new java.util.ArrayList<>();
    for (int i = 0; i <= 50; i++) all.add(TrialRecord.claimed(i, 0).withOutcome(TrialState.COMPLETE, 0.5, null, 10));
    try {
      progress.start(50);
      Thread.sleep(1100); // the trial of this run
      progress.trialFinished(all.get(50), new History(all, Direction.MAXIMIZE));
    } finally {
      progress.close(); // draws the bar a last time, as it is now
    }
    String[] frames = terminal.toString(StandardCharsets.UTF_8).split("\r");
    String last = frames[frames.length - 1].strip();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("51/60 \\(\\d+:\\d\\d:\\d\\d / (\\d+):(\\d\\d):(\\d\\d)\\)").matcher(last);
    assertTrue(m.find(), last);
    // At least 1 s for the one trial of this run: at least 9 s for the 9 left.
    long eta = Long.parseLong(m.group(1)) * 3600 + Long.parseLong(m.group(2)) * 60 + Long.parseLong(m.group(3));
    assertTrue(eta >= 9, last);
  }

  /**
   * The total follows the budget it is told to (a shared study's, which another process may raise
   * while this one runs), on the bar as in the plain lines; a read of it that fails keeps the total
   * the display had, and the display goes on.
   */
  @Test
  void theTotalFollowsTheBudgetAndAFailedReadKeepsIt() {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    ProgressDisplay bar = new ProgressDisplay(1, false, new PrintWriter(new StringWriter()), true,
        new ConsoleProgressBarConsumer(new PrintStream(terminal, true, StandardCharsets.UTF_8), 80));
    TrialRecord first = TrialRecord.claimed(0, 0).withOutcome(TrialState.COMPLETE, 0.9666, null, 10);
    try {
      bar.start(0, 1);
      bar.followTotal(() -> 3);
      bar.trialFinished(first, new History(List.of(first), Direction.MAXIMIZE));
    } finally {
      bar.close(); // draws the bar a last time, as it is now
    }
    String[] frames = terminal.toString(StandardCharsets.UTF_8).split("\r");
    String last = frames[frames.length - 1].strip();
    assertTrue(last.contains("1/3"), last);

    StringWriter out = new StringWriter();
    ProgressDisplay lines = new ProgressDisplay(2, false, new PrintWriter(out), false, null);
    lines.start(0);
    lines.followTotal(() -> {
      throw new IllegalStateException("the database is away");
    });
    lines.trialFinished(first, new History(List.of(first), Direction.MAXIMIZE));
    lines.close();
    assertTrue(out.toString().startsWith("trials 1/2 |"), out.toString());
  }

  /**
   * On a terminal the bar goes where the terminal was found, standard output, as the plain lines
   * do off one. The library's own consumer wrote it to standard error: `caviar tune 2>/dev/null`
   * (to drop the JVM's incubator warning) showed no progress at all, and `2>tune.log` filled the
   * log with the bar's redraws and cursor moves.
   */
  @Test
  void theBarGoesToStandardOutput() {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    PrintStream saved = System.out;
    TrialRecord first = TrialRecord.claimed(0, 0).withOutcome(TrialState.COMPLETE, 0.9666, null, 10);
    System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
    try {
      ProgressDisplay progress = new ProgressDisplay(4, false, new PrintWriter(new StringWriter()), true, null);
      progress.start(0);
      progress.trialFinished(first, new History(List.of(first), Direction.MAXIMIZE));
      progress.close(); // draws the bar a last time, as it is now
    } finally {
      System.setOut(saved);
    }
    String[] frames = stdout.toString(StandardCharsets.UTF_8).split("\r");
    String last = frames[frames.length - 1].strip();
    assertTrue(last.startsWith("trials") && last.contains("1/4") && last.contains("best 0.9666"), stdout.toString(StandardCharsets.UTF_8));
  }

  private static final long GB = 1L << 30;

  /**
   * Two trials on two workers that each reserve {@code each} bytes of a 3 GB budget told to
   * a display (no memory is allocated: the budget only counts): each holds its bytes until the other
   * either waits for memory or has held its own too. What the display printed.
   */
  private static String twoTrials(long each) {
    StringWriter out = new StringWriter();
    ProgressDisplay progress = new ProgressDisplay(2, false, new PrintWriter(out), false, null);
    HeapBudget budget = new HeapBudget(3 * GB, progress);
    AtomicInteger reservations = new AtomicInteger();
    progress.start(0);
    History h = Study.builder(SearchSpace.parse("x = uniform(0, 1)")).direction(Direction.MAXIMIZE).seed(1).workers(2).listener(progress).build()
        .optimize(trial -> {
          HeapBudget.Reservation held = budget.reserve(trial.number(), each);
          try {
            // Counted, not read from reserved(): the second of two that fit together released its
            // bytes before the first, polling, saw them both held.
            reservations.incrementAndGet();
            awaitUntil(() -> reservations.get() == 2 || budget.waiting() == 1, "the other trial to wait or to hold its memory");
          } finally {
            held.close();
          }
          return 1;
        }, Budget.trials(2));
    progress.close();
    // A wait that timed out fails its trial, not the test.
    for (TrialRecord t : h.trials()) assertEquals(TrialState.COMPLETE, t.state(), t + "; " + out);
    return out.toString();
  }

  /** The lines of {@code printed} that speak of memory. */
  private static List<String> memoryLines(String printed) {
    return printed.lines().filter(l -> l.contains("memory")).toList();
  }

  /**
   * A trial that fits the budget alone but not beside the one running gets a line as its wait
   * starts, saying why, and one as it goes on; not a line a tick. (It showed as running, and the
   * study looked stuck.) Trials that fit together print no such line.
   */
  @Test
  void aTrialWaitingForMemoryGetsALineAsItWaitsAndAsItGoesOn() {
    List<String> lines = memoryLines(twoTrials(18 * GB / 10));
    assertEquals(2, lines.size(), lines.toString());
    assertTrue(lines.get(0).matches("trial ([01]) waits for memory: it needs 1\\.8 GB, and trial [01] holds 1\\.8 GB of the 3\\.0 GB the trials "
        + "share \\(the heap less the data\\)"), lines.get(0));
    String waiting = lines.get(0).substring(0, lines.get(0).indexOf(" waits"));
    assertTrue(!lines.get(0).contains("and " + waiting + " holds"), lines.get(0)); // held by the other
    assertTrue(lines.get(1).matches(waiting + " has its memory after \\d+\\.\\d s of waiting, and trains"), lines.get(1));

    assertEquals(List.of(), memoryLines(twoTrials(12 * GB / 10)));
  }

  /**
   * On a terminal the wait's line goes above the bar: the bar's line blanked, the wait's line at
   * its start, and the bar drawn again below it (not "trials 1/4 ...trial 3 waits" run together).
   */
  @Test
  void onATerminalTheWaitsLineGoesAboveTheBar() {
    ByteArrayOutputStream terminal = new ByteArrayOutputStream();
    PrintStream stream = new PrintStream(terminal, true, StandardCharsets.UTF_8);
    ProgressDisplay progress = new ProgressDisplay(4, false, new PrintWriter(stream), true, new ConsoleProgressBarConsumer(stream, 80));
    MemoryWait wait = new MemoryWait(3, 18 * GB / 10, new java.util.TreeMap<>(java.util.Map.of(2, 18 * GB / 10)), List.of(), 3 * GB);
    try {
      progress.start(0);
      progress.waits(wait);
    } finally {
      progress.close();
    }
    String text = terminal.toString(StandardCharsets.UTF_8);
    int at = text.indexOf(wait.line());
    assertTrue(at > 0, text);
    // The library's clear() writes its own carriage returns: one or more before the line.
    assertTrue(java.util.regex.Pattern.compile("\r {80}\r+$").matcher(text.substring(0, at)).find(), "the bar's line blanked before the wait's: " + text);
    assertTrue(text.startsWith(wait.line() + System.lineSeparator(), at), text);
    assertTrue(text.substring(at + wait.line().length()).contains("trials"), "the bar below it: " + text);
  }

  /** Polls {@code done} until it holds (the minute is only there so that a broken build fails rather than hangs). */
  private static void awaitUntil(BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) fail("waited a minute for " + what);
      LockSupport.parkNanos(100_000);
    }
  }
}
