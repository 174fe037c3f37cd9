package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.caviar.search.Spaces;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalStorageTest {
  @TempDir Path dir;

  private static final SearchSpace SPACE = Spaces.everyKind();
  private static final StudyInfo INFO = new StudyInfo("test", Direction.MAXIMIZE, SPACE, 42);

  private static Point adam(double lr) {
    return SPACE.pointFromValues(Map.of("lr", lr, "beta1", 0.9, "dropout", 0.1, "layers", 2,
        "units", 64, "optimizer", "adam", "beta2", 0.999));
  }

  private static Point sgd(double lr) {
    return SPACE.pointFromValues(Map.of("lr", lr, "beta1", 0.95, "dropout", 0.0, "layers", 1,
        "units", 512, "optimizer", "sgd"));
  }

  /** Three trials: complete with reports, pruned, failed with a reason and a NaN report. */
  private static List<TrialRecord> writeThree(Storage s) {
    s.open(INFO);
    int a = s.claimTrial(1000).number();
    s.recordParams(a, adam(0.0031), -1);
    s.recordIntermediate(a, 1, 0.5);
    s.recordIntermediate(a, 2, 0.75);
    s.recordOutcome(a, TrialState.COMPLETE, 0.975, null, 2000);
    int b = s.claimTrial(1100).number();
    s.recordParams(b, sgd(1e-4), -1);
    s.recordIntermediate(b, 1, 0.1);
    s.recordOutcome(b, TrialState.PRUNED, 0.1, "pruned at step 1", 2100);
    int c = s.claimTrial(1200).number();
    s.recordParams(c, adam(0.9), 1);
    s.recordIntermediate(c, 1, Double.NaN);
    s.recordOutcome(c, TrialState.FAILED, Double.NaN, "java.lang.IllegalStateException: \"quoted\"\nline", 2200);
    return s.trials();
  }

  /** {@link #writeThree}, then a fourth trial claimed with its parameters and left running; returns its number. */
  private static int writeThreeAndClaimOne(Storage s) {
    writeThree(s);
    int d = s.claimTrial(3000).number();
    s.recordParams(d, sgd(0.01), -1);
    return d;
  }

  @Test
  void roundTrip() {
    Path file = dir.resolve("journal.jsonl");
    List<TrialRecord> written;
    try (JournalStorage s = new JournalStorage(file)) {
      written = writeThree(s);
    }
    try (JournalStorage s = new JournalStorage(file)) {
      StudyInfo back = s.open(INFO);
      assertEquals(INFO, back);
      assertEquals(written, s.trials());
    }
    // And the same events in memory give the same records.
    InMemoryStorage mem = new InMemoryStorage();
    assertEquals(written, writeThree(mem));
  }

  @Test
  void storedSeedWinsAndMismatchesAreClearErrors() {
    Path file = dir.resolve("j.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
    }
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(42, s.open(new StudyInfo("test", Direction.MAXIMIZE, SPACE, 7)).seed());
    }
    try (JournalStorage s = new JournalStorage(file)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> s.open(new StudyInfo("test", Direction.MINIMIZE, SPACE, 42)));
      assertTrue(e.getMessage().contains("MAXIMIZE"), e.getMessage());
    }
    try (JournalStorage s = new JournalStorage(file)) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> s.open(new StudyInfo("test", Direction.MAXIMIZE, SearchSpace.parse("lr = log(1e-5, 1)"), 42)));
      assertTrue(e.getMessage().contains("space"), e.getMessage());
    }
    // A refused resume leaves the journal unlocked, even if the caller never closes the storage.
    JournalStorage refused = new JournalStorage(file);
    assertThrows(IllegalStateException.class, () -> refused.open(new StudyInfo("other", Direction.MAXIMIZE, SPACE, 42)));
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(INFO, s.open(INFO));
    }
  }

  @Test
  void tornLastLineIsDroppedAndRunningTrialsBecomeInterrupted() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      int d = writeThreeAndClaimOne(s);
      s.recordIntermediate(d, 1, 0.3);
    }
    // The crash cut the next line short.
    Files.writeString(file, "{\"op\":\"report\",\"trial\":3,\"st", StandardOpenOption.APPEND);
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      List<TrialRecord> t = s.trials();
      assertEquals(4, t.size());
      assertEquals(TrialState.COMPLETE, t.get(0).state());
      assertEquals(0.975, t.get(0).value());
      TrialRecord d = t.get(3);
      assertEquals(TrialState.FAILED, d.state());
      assertTrue(d.isInterrupted(), d.reason());
      assertEquals(1, d.reportCount()); // the torn report is gone, the whole one stayed
      int e = s.claimTrial(4000).number();
      assertEquals(4, e);
    }
    // The file is whole lines again: the torn bytes were cut before appending.
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertTrue(text.endsWith("\n"));
    assertTrue(!text.contains("\"st{"), text);
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      assertEquals(5, s.trials().size());
    }
  }

  /** A crash while the header was written: peek agrees with open, which drops the torn line, that there is no study. */
  @Test
  void aTornHeaderIsNoStudyYet() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
    }
    String header = Files.readString(file);
    for (String torn : new String[] {header.substring(0, header.length() / 2), header.strip()}) {
      Files.writeString(file, torn);
      assertEquals(null, JournalStorage.peek(file), torn);
      try (JournalStorage s = new JournalStorage(file)) {
        assertEquals(INFO, s.open(INFO));
        assertEquals(0, s.trials().size());
      }
      assertEquals(INFO, JournalStorage.peek(file));
    }
  }

  /** A write cut short (disk full) is taken back, so that the next line does not glue onto it. */
  @Test
  void aWriteThatFailsPartWayLeavesNoFragment() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    FailingChannel[] channel = new FailingChannel[1];
    JournalStorage.Opener failing = f -> channel[0] = FailingChannel.open(f);
    try (JournalStorage s = new JournalStorage(file, failing)) {
      s.open(INFO);
      int a = s.claimTrial(1000).number();
      s.recordParams(a, adam(0.01), -1);
      channel[0].failAfter = 10;
      assertThrows(java.io.UncheckedIOException.class, () -> s.recordIntermediate(a, 1, 0.5));
      s.recordIntermediate(a, 1, 0.6); // space again
      s.recordOutcome(a, TrialState.COMPLETE, 0.6, null, 2000);
    }
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      TrialRecord t = s.trials().get(0);
      assertEquals(TrialState.COMPLETE, t.state());
      assertEquals(1, t.reportCount());
      assertEquals(0.6, t.intermediateAt(0));
    }
    // When the fragment cannot be cut off, the journal takes no more lines: it stays resumable.
    try (JournalStorage s = new JournalStorage(file, failing)) {
      s.open(INFO);
      channel[0].failAfter = 10;
      channel[0].truncateFails = true;
      assertThrows(java.io.UncheckedIOException.class, () -> s.claimTrial(3000));
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.claimTrial(3000));
      assertTrue(e.getMessage().contains("cut short by a failed write"), e.getMessage());
    }
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      assertEquals(1, s.trials().size());
    }
  }

  /**
   * A failed fsync is a failed write: the line is taken back, so that the file and the study in
   * memory agree. Were the line kept but not the trial, the next claim would write the same
   * number again and no resume would get past the journal.
   */
  @Test
  void aFailedFsyncLeavesTheJournalAsTheStudyInMemory() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    FailingChannel[] channel = new FailingChannel[1];
    try (JournalStorage s = new JournalStorage(file, Durability.FSYNC_EVERY_EVENT, f -> channel[0] = FailingChannel.open(f))) {
      s.open(INFO);
      channel[0].forceFails = true;
      assertThrows(java.io.UncheckedIOException.class, () -> s.claimTrial(1000));
      assertEquals(0, s.trials().size());
      assertEquals(0, s.claimTrial(2000).number());
    }
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      assertEquals(1, s.trials().size());
      assertEquals(2000, s.trials().get(0).startMillis());
    }
  }

  /**
   * A thread whose interrupt flag is set (a worker interrupted mid-trial whose objective ignored
   * it) still writes: the channel would otherwise close itself, dropping the file lock while the
   * study runs. The flag stays set for the caller.
   */
  @Test
  void aWriteFromAnInterruptedThreadSucceedsAndKeepsTheLockAndTheFlag() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      Thread.currentThread().interrupt();
      int n;
      try {
        n = s.claimTrial(1000).number();
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag was cleared");
      } finally {
        Thread.interrupted();
      }
      s.recordOutcome(n, TrialState.FAILED, Double.NaN, "stopped", 2000);
      assertEquals("locked", probeFromAnotherProcess(file));
    }
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      assertEquals(TrialState.FAILED, s.trials().get(0).state());
    }
  }

  /**
   * An interrupt that lands while an event is being written (another thread interrupting the
   * recording one at any moment) neither fails the write nor closes the file: the recording thread
   * hands its writes to a thread no one interrupts. On a channel written by the interrupted thread
   * itself, one of these writes closed the channel and dropped the lock.
   */
  @Test
  void interruptsLandingDuringWritesLoseNothing() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    int reports = 3000;
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      int n = s.claimTrial(1000).number();
      java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
      Thread recorder = Thread.currentThread();
      Thread interrupter = new Thread(() -> {
        while (writing.get()) recorder.interrupt();
      });
      interrupter.start();
      try {
        for (int step = 0; step < reports; step++) s.recordIntermediate(n, step, step);
      } finally {
        writing.set(false);
        while (interrupter.isAlive()) {
          try {
            interrupter.join();
          } catch (InterruptedException lateInterrupt) {
            // its last interrupts
          }
        }
        Thread.interrupted();
      }
      s.recordOutcome(n, TrialState.COMPLETE, 1.0, null, 2000);
      assertEquals("locked", probeFromAnotherProcess(file));
    }
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      assertEquals(TrialState.COMPLETE, s.trials().get(0).state());
      assertEquals(reports, s.trials().get(0).reportCount());
    }
  }

  /** Closing a journal whose channel is already closed (e.g. by an interrupt) does not replace the error that closed it. */
  @Test
  void closingAJournalWhoseChannelIsClosedSucceeds() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    FailingChannel[] channel = new FailingChannel[1];
    JournalStorage s = new JournalStorage(file, f -> channel[0] = FailingChannel.open(f));
    s.open(INFO);
    channel[0].close();
    s.close();
    try (JournalStorage again = new JournalStorage(file)) {
      assertEquals(INFO, again.open(INFO));
    }
    // Nor need it be closed for the journal to reopen ("reopen it to resume"): its lock went with
    // its channel, and closing it after changes nothing for the new one.
    JournalStorage stale = new JournalStorage(file, f -> channel[0] = FailingChannel.open(f));
    stale.open(INFO);
    channel[0].close();
    try (JournalStorage again = new JournalStorage(file)) {
      assertEquals(INFO, again.open(INFO));
      stale.close();
      again.claimTrial(1000);
      assertEquals("locked", probeFromAnotherProcess(file));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * peekTrialBudget sees the lines open keeps: a torn last line, even one cut inside a character,
   * is skipped rather than failing to decode, and a whole event that lost its newline is torn too.
   */
  @Test
  void peekTrialBudgetSkipsATornLastLineAsOpenDoes() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      writeThree(s);
      s.recordTrialBudget(7);
    }
    byte[] whole = Files.readAllBytes(file);
    byte[] cafe = "{\"op\":\"finish\",\"reason\":\"caf\u00e9".getBytes(StandardCharsets.UTF_8);
    byte[] cutInsideTheE = java.util.Arrays.copyOf(cafe, cafe.length - 1); // ends in 0xC3
    for (byte[] torn : new byte[][] {cutInsideTheE, "{\"op\":\"budget\",\"trials\":9}".getBytes(StandardCharsets.UTF_8)}) {
      Files.write(file, whole);
      Files.write(file, torn, StandardOpenOption.APPEND);
      assertEquals(7, JournalStorage.peekTrialBudget(file));
      try (JournalStorage s = new JournalStorage(file)) {
        s.open(INFO);
        assertEquals(3, s.trials().size());
      }
    }
  }

  /**
   * Marking running trials interrupted is part of opening: when that write fails, the journal is
   * left as it was and unlocked, as after any refused resume.
   */
  @Test
  void aResumeThatCannotMarkItsRunningTrialsLeavesTheJournalUnlocked() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      writeThreeAndClaimOne(s);
    }
    byte[] before = Files.readAllBytes(file);
    JournalStorage diskFull = new JournalStorage(file, f -> {
      FailingChannel c = FailingChannel.open(f);
      c.failAfter = 0;
      return c;
    });
    assertThrows(java.io.UncheckedIOException.class, () -> diskFull.open(INFO));
    assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file, StandardCharsets.UTF_8));
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO);
      assertTrue(s.trials().get(3).isInterrupted(), s.trials().get(3).toString());
    }
  }

  @Test
  void aBadLineInTheMiddleIsCorruptionNamedByLine() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      writeThree(s);
    }
    List<String> lines = Files.readAllLines(file);
    lines.set(3, "{\"op\":\"report\",\"tri");
    Files.write(file, lines);
    try (JournalStorage s = new JournalStorage(file)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.open(INFO));
      assertTrue(e.getMessage().contains("line 4"), e.getMessage());
      assertTrue(!e.getMessage().contains("Source:"), "one line, without Jackson's location: " + e.getMessage());
    }
    Files.writeString(file, "garbage\n");
    IllegalStateException first = assertThrows(IllegalStateException.class, () -> JournalStorage.peek(file));
    assertTrue(first.getMessage().startsWith("journal " + file + " line 1 is not valid JSON: Unrecognized token 'garbage'"),
        first.getMessage());
    assertTrue(!first.getMessage().contains("Source:"), first.getMessage());
  }

  /**
   * A journal a newer Caviar wrote (a later version, whose header may differ), or a header or event
   * whose values this one does not know: an error naming the file, the line and what to do, from
   * {@link JournalStorage#peek} (which tune and train call first) as from opening it; not "event has
   * no text field 'space'" or "No enum constant ...Direction.UP". The file is left as it was.
   */
  @Test
  void aJournalFromANewerCaviarOrWithUnknownValuesIsNamedByFileAndLine() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    String newer = "{\"op\":\"study\",\"version\":2,\"name\":\"test\",\"direction\":\"MAXIMIZE\",\"seed\":42,\"objective\":{}}\n";
    Files.writeString(file, newer);
    String expected = "journal " + file + " line 1: written by a newer Caviar (journal version 2; this one reads version 1):"
        + " use that Caviar, or a later one, for this study";
    assertEquals(expected, assertThrows(IllegalStateException.class, () -> JournalStorage.peek(file)).getMessage());
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(expected, assertThrows(IllegalStateException.class, () -> s.open(INFO)).getMessage());
    }
    try (JournalStorage s = JournalStorage.readOnly(file)) {
      assertEquals(expected, assertThrows(IllegalStateException.class, () -> s.open(INFO)).getMessage());
    }
    assertEquals(newer, Files.readString(file));

    try (JournalStorage s = new JournalStorage(file.resolveSibling("good.jsonl"))) {
      writeThree(s);
    }
    List<String> lines = Files.readAllLines(file.resolveSibling("good.jsonl"));
    List<String> up = new java.util.ArrayList<>(lines);
    up.set(0, lines.get(0).replace("\"MAXIMIZE\"", "\"UP\""));
    Files.write(file, up);
    String badDirection = "journal " + file + " line 1: direction 'UP' is not MINIMIZE or MAXIMIZE";
    assertEquals(badDirection, assertThrows(IllegalStateException.class, () -> JournalStorage.peek(file)).getMessage());
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(badDirection, assertThrows(IllegalStateException.class, () -> s.open(INFO)).getMessage());
    }
    List<String> done = new java.util.ArrayList<>(lines);
    int finish = 5; // header, claim, params, report, report, finish: line 6
    assertTrue(done.get(finish).contains("\"COMPLETE\""), done.get(finish));
    done.set(finish, done.get(finish).replace("\"COMPLETE\"", "\"DONE\""));
    Files.write(file, done);
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals("journal " + file + " line 6: state 'DONE' is not one of RUNNING, COMPLETE, PRUNED, FAILED",
          assertThrows(IllegalStateException.class, () -> s.open(INFO)).getMessage());
    }
    assertEquals(done, Files.readAllLines(file));
  }

  /**
   * A journal this user may not write (a study another user ran, a file made read-only): its path,
   * and what to do, rather than only "cannot open journal X: permission denied". (The opener is
   * refused as the OS refuses it: the tests may run as root, which no file mode stops.)
   */
  @Test
  void aJournalThatMayNotBeWrittenSaysWhatToDo() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      writeThree(s);
    }
    byte[] before = Files.readAllBytes(file);
    try (JournalStorage s = new JournalStorage(file, f -> {
      throw new java.nio.file.AccessDeniedException(f.toString());
    })) {
      java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> s.open(INFO));
      assertEquals("cannot write journal " + file + ", which resuming its study appends to: make it writable for this user"
          + " (e.g. chmod u+w " + file + "), or run as its owner; training from it (train --from-study) only reads it", e.getMessage());
    }
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(file));
    try (JournalStorage s = JournalStorage.readOnly(file)) {
      assertEquals(3, s.open(INFO) == null ? -1 : s.trials().size());
    }
    // A new study's journal in a folder this user may not write: not "resuming".
    Path fresh = dir.resolve("new.jsonl");
    try (JournalStorage s = new JournalStorage(fresh, f -> {
      throw new java.nio.file.AccessDeniedException(f.toString());
    })) {
      java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> s.open(INFO));
      assertEquals("cannot create journal " + fresh + ": this user may not write in " + dir + "; give a folder it may write in, or"
          + " make that one writable", e.getMessage());
    }
  }

  @Test
  void aSecondOpenerIsRefused() {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage a = new JournalStorage(file); JournalStorage b = new JournalStorage(file)) {
      a.open(INFO);
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.open(INFO));
      assertTrue(e.getMessage().contains("in use"), e.getMessage());
    }
  }

  /** What {@link LockProbe}, in a second JVM, finds on {@code file}: {@code locked} or {@code free}. */
  private static String probeFromAnotherProcess(Path file) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), LockProbe.class.getName(), file.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  /**
   * The lock holds against other processes after the journal was read on open: an OS record lock
   * is dropped when the process closes any descriptor of the file, and reading the journal through
   * a second one (as an earlier version did) let a second {@code tune} into a running study.
   */
  @Test
  void anOpenJournalStaysLockedAgainstOtherProcesses() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      writeThree(s); // a new journal
    }
    assertEquals("free", probeFromAnotherProcess(file));
    try (JournalStorage s = new JournalStorage(file)) {
      s.open(INFO); // an existing one: replayed, then appended to
      s.claimTrial(5000);
      assertEquals("locked", probeFromAnotherProcess(file));
    }
    assertEquals("free", probeFromAnotherProcess(file));
  }

  /**
   * Nothing else in this process that reads the journal drops the lock a study holds on it: an OS
   * record lock goes with the first descriptor of the file the process closes, and a second opener
   * refused, a read-only view (a dashboard reading the running study) and peek each closed one, so
   * that another process could then open the journal and write into it beside the study.
   */
  @Test
  void readersInTheSameProcessLeaveTheLockHeld() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      writeThree(s);
      try (JournalStorage b = new JournalStorage(file)) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.open(INFO));
        assertTrue(e.getMessage().contains("in use"), e.getMessage());
      }
      assertEquals("locked", probeFromAnotherProcess(file), "after a second opener was refused");
      try (JournalStorage view = JournalStorage.readOnly(file)) {
        view.open(INFO);
        assertEquals(s.trials(), view.trials());
      }
      assertEquals("locked", probeFromAnotherProcess(file), "after a read-only view");
      assertEquals(INFO, JournalStorage.peek(file));
      assertEquals(null, JournalStorage.peekTrialBudget(file));
      assertEquals("locked", probeFromAnotherProcess(file), "after peek");
      s.claimTrial(5000);
    }
    assertEquals("free", probeFromAnotherProcess(file));
    try (JournalStorage again = new JournalStorage(file)) {
      again.open(INFO);
      assertEquals(4, again.trials().size());
    }
  }

  /**
   * A stopping process records its running trials interrupted at once ({@link JournalStorage#releaseHeld}),
   * as the next open would: a reader sees them interrupted, not running. A re-run is counted apart
   * (its point is given up). Nothing more is written until the journal is closed: the stopping
   * process's trial, training on, cannot report, and no trial can be claimed, to stay RUNNING.
   */
  @Test
  void releaseHeldRecordsTheRunningTrialsInterrupted() {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      int d = writeThreeAndClaimOne(s);
      int rerun = s.claimTrial(3100).number();
      s.recordParams(rerun, adam(0.9), 2);
      assertEquals(new SharedStorage.Released(2, 1), s.releaseHeld());
      assertThrows(IllegalStateException.class, () -> s.recordIntermediate(d, 1, 0.5));
      assertThrows(IllegalStateException.class, () -> s.claimTrial(4000));
      assertEquals(SharedStorage.Released.NONE, s.releaseHeld(), "released once");
      try (JournalStorage view = JournalStorage.readOnly(file)) {
        view.open(INFO);
        List<TrialRecord> t = view.trials();
        assertEquals(5, t.size(), "no trial claimed after the release");
        assertTrue(t.get(d).isInterruptedWhileRunning(), t.get(d).toString());
        assertTrue(t.get(rerun).isInterruptedWhileRunning(), t.get(rerun).toString());
        assertEquals(0.975, t.get(0).value(), "finished trials as they were");
      }
    }
    try (JournalStorage again = new JournalStorage(file)) {
      again.open(INFO); // writes again once reopened: the resume
      assertEquals(5, again.claimTrial(5000).number());
    }
  }

  /** A read-only view reads a journal that a running study holds, and writes nothing to it. */
  @Test
  void aReadOnlyViewLeavesARunningStudyAlone() throws IOException {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage running = new JournalStorage(file)) {
      int d = writeThreeAndClaimOne(running);
      byte[] before = Files.readAllBytes(file);
      try (JournalStorage view = JournalStorage.readOnly(file)) {
        view.open(INFO);
        List<TrialRecord> t = view.trials();
        assertEquals(4, t.size());
        assertEquals(0.975, t.get(0).value());
        assertEquals(TrialState.RUNNING, t.get(3).state(), "still running elsewhere, not interrupted");
        assertThrows(IllegalStateException.class, () -> view.claimTrial(4000));
      }
      assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file, StandardCharsets.UTF_8));
      running.recordOutcome(d, TrialState.COMPLETE, 0.5, null, 3500); // the study goes on
    }
    assertThrows(IllegalArgumentException.class, () -> JournalStorage.readOnly(dir.resolve("none.jsonl")).open(INFO));
  }

  @Test
  void eventsOnAFinishedTrialAreRejected() {
    try (JournalStorage s = new JournalStorage(dir.resolve("j.jsonl"))) {
      writeThree(s);
      assertThrows(IllegalStateException.class, () -> s.recordIntermediate(0, 3, 0.1));
      assertThrows(IllegalArgumentException.class, () -> s.recordIntermediate(9, 3, 0.1));
    }
  }
  /**
   * A journal closed and opened again (a study closed, then resumed on the same storage, as its
   * errors say: "reopen it to resume") holds what its file holds, including events another process
   * appended meanwhile. Its second open replayed the file on top of the trials still in memory and
   * failed with "line 1: a second 'study' event", as if the file were corrupt.
   */
  @Test
  void aClosedJournalReopensWithWhatItsFileHolds() {
    Path file = dir.resolve("journal.jsonl");
    JournalStorage s = new JournalStorage(file);
    List<TrialRecord> three = writeThree(s);
    s.close();
    int d;
    try (JournalStorage other = new JournalStorage(file)) {
      other.open(INFO);
      d = other.claimTrial(3000).number();
      other.recordParams(d, sgd(0.01), -1);
      other.recordOutcome(d, TrialState.COMPLETE, 0.5, null, 3500);
    }
    assertEquals(INFO, s.open(INFO));
    assertEquals(three, s.trials().subList(0, 3));
    assertEquals(4, s.trials().size());
    assertEquals(TrialState.COMPLETE, s.trials().get(d).state());
    int e = s.claimTrial(4000).number();
    assertEquals(4, e);
    s.close();
    JournalStorage view = JournalStorage.readOnly(file);
    view.open(INFO);
    view.close();
    view.open(INFO);
    assertEquals(5, view.trials().size(), "a read-only view reopens too");
    view.close();
    try (JournalStorage fresh = new JournalStorage(file)) {
      fresh.open(INFO);
      assertEquals(5, fresh.trials().size());
      assertTrue(fresh.trials().get(e).isInterrupted(), fresh.trials().get(e).toString());
    }
  }

  /** A named pipe where the journal goes made tune wait for a writer for good; a folder there is no journal either. */
  @Test
  void aJournalThatIsNotARegularFileIsRefusedAtOnce() throws Exception {
    Path fifo = dir.resolve("fifo.jsonl");
    org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() == 0);
    Path folder = Files.createDirectory(dir.resolve("folder.jsonl"));
    for (Path p : List.of(fifo, folder)) {
      String expected = "the journal " + p + " is not a regular file (" + (p == folder ? "a folder" : "a named pipe or a device")
          + "): a study's journal is a file Caviar writes; give --study a folder of its own";
      assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> JournalStorage.peek(p)).getMessage());
      assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> JournalStorage.peekTrialBudget(p)).getMessage());
      try (JournalStorage s = new JournalStorage(p)) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> s.open(INFO)).getMessage());
      }
    }
  }
}
