package org.caviar.search.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.storage.InMemoryStorage;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How optimize ends: workers awaited, the running count, listeners' failures, interrupts, stop(). */
class StudyLifecycleTest {
  private static final TestFunction BRANIN = TestFunction.BRANIN;

  private static Study.Builder study(InMemoryStorage storage, int workers) {
    return Study.builder(BRANIN.space()).sampler(new RandomSampler()).storage(storage).seed(3).workers(workers);
  }

  /** Trials counted against the budget: finished, not interrupted. */
  private static long counted(History h) {
    return h.trials().stream().filter(t -> t.state().isFinished() && !t.isInterrupted()).count();
  }

  /** Workers are threads: a count past any machine's cores is refused by name before one starts. */
  @Test
  void workersPastTheMostAreRefused() {
    var space = TestFunction.BRANIN.space();
    var e = assertThrows(IllegalArgumentException.class, () -> Study.builder(space).workers(Study.MAX_WORKERS + 1));
    assertEquals("workers must be <= 1024, got 1025", e.getMessage());
    try (Study s = Study.builder(space).workers(Study.MAX_WORKERS).build()) {
      assertEquals(Study.MAX_WORKERS, s.workers()); // a count, no threads until optimize
    }
  }

  /**
   * A worker's failure (the storage cannot record trial 0) does not end optimize while another
   * worker is mid-trial: its trial finishes and is recorded before the error is thrown, so the
   * caller's close() does not pull the storage from under it.
   */
  @Test
  void aWorkersFailureWaitsForTheOtherWorkersTrial() {
    UncheckedIOException diskFull = new UncheckedIOException("cannot append", new IOException("No space left on device"));
    InMemoryStorage storage = new InMemoryStorage() {
      @Override
      public synchronized void recordOutcome(int number, TrialState state, double value, String reason, long endMillis) {
        if (number == 0) throw diskFull;
        super.recordOutcome(number, state, value, reason, endMillis);
      }
    };
    CountDownLatch oneStarted = new CountDownLatch(1);
    Study s = study(storage, 2).build();
    assertSame(diskFull, assertThrows(UncheckedIOException.class, () -> s.optimize(t -> {
      if (t.number() == 0) {
        oneStarted.await(10, TimeUnit.SECONDS);
        return 1.0;
      }
      oneStarted.countDown();
      Thread.sleep(400);
      return 2.0;
    }, Budget.trials(2))));
    List<TrialRecord> trials = s.history().trials();
    assertEquals(TrialState.RUNNING, trials.get(0).state(), "its outcome could not be recorded");
    assertEquals(TrialState.COMPLETE, trials.get(1).state(), trials.toString());
  }

  /**
   * An interrupt of the caller stops the study: optimize waits for the trials under way to finish,
   * returns, and leaves the interrupt flag set.
   */
  @Test
  void anInterruptOfTheCallerWaitsForTheRunningTrials() throws InterruptedException {
    CountDownLatch bothStarted = new CountDownLatch(2);
    Thread caller = Thread.currentThread();
    Thread interrupter = new Thread(() -> {
      try {
        bothStarted.await(10, TimeUnit.SECONDS);
        caller.interrupt();
      } catch (InterruptedException e) {
        // the test ends
      }
    });
    interrupter.start();
    Study s = study(new InMemoryStorage(), 2).build();
    History h;
    try {
      h = s.optimize(t -> {
        bothStarted.countDown();
        Thread.sleep(400);
        return 1.0;
      }, Budget.trials(20));
    } finally {
      assertTrue(Thread.interrupted(), "the interrupt flag is restored");
      interrupter.join();
    }
    // Two trials, unless a stalled host let a worker claim another before the interrupt arrived.
    assertTrue(h.size() >= 2 && h.size() <= 4, h.trials().toString());
    for (TrialRecord t : h.trials()) assertEquals(TrialState.COMPLETE, t.state(), t.toString());
  }

  /**
   * A failure that ends optimize (here the storage, recording trial 0's outcome) leaves no trial
   * counted as running: the next optimize on the same study runs the whole budget.
   */
  @Test
  void aFailedOptimizeDoesNotShrinkTheNextOnesBudget() {
    AtomicInteger failures = new AtomicInteger(1);
    InMemoryStorage storage = new InMemoryStorage() {
      @Override
      public synchronized void recordOutcome(int number, TrialState state, double value, String reason, long endMillis) {
        if (failures.getAndDecrement() > 0) throw new UncheckedIOException("cannot append", new IOException("disk full"));
        super.recordOutcome(number, state, value, reason, endMillis);
      }
    };
    Study s = study(storage, 1).build();
    Objective f = t -> BRANIN.evaluate(t.params());
    assertThrows(UncheckedIOException.class, () -> s.optimize(f, Budget.trials(3)));
    assertEquals(3, counted(s.optimize(f, Budget.trials(3))));
  }

  /**
   * A listener that throws on a report is not the trial's fault: the trial is recorded as it
   * ended, and the study stops with the listener's error (as for any failure outside the objective).
   */
  @Test
  void aListenerFailingOnAReportStopsTheStudyAndTheTrialKeepsItsOutcome() {
    IllegalStateException bug = new IllegalStateException("listener bug");
    Study s = study(new InMemoryStorage(), 1).listener(new StudyListener() {
      @Override
      public void trialReported(TrialRecord trial) {
        throw bug;
      }
    }).build();
    assertSame(bug, assertThrows(IllegalStateException.class, () -> s.optimize(t -> {
      t.report(1, 0.5);
      return 0.25;
    }, Budget.trials(5))));
    List<TrialRecord> trials = s.history().trials();
    assertEquals(1, trials.size(), trials.toString());
    assertEquals(TrialState.COMPLETE, trials.get(0).state(), trials.toString());
    assertEquals(0.25, trials.get(0).value());
  }

  /**
   * A listener that throws as a trial starts stops the study with its error; the trial, which
   * never ran, is recorded interrupted, so the next optimize re-runs its parameters (once).
   */
  @Test
  void aListenerFailingAsATrialStartsStopsTheStudyAndTheTrialIsReRun() {
    AtomicInteger failures = new AtomicInteger(1);
    IllegalStateException bug = new IllegalStateException("listener bug");
    Study s = study(new InMemoryStorage(), 1).listener(new StudyListener() {
      @Override
      public void trialStarted(TrialRecord trial) {
        if (failures.getAndDecrement() > 0) throw bug;
      }
    }).build();
    AtomicInteger calls = new AtomicInteger();
    Objective f = t -> {
      calls.incrementAndGet();
      return BRANIN.evaluate(t.params());
    };
    assertSame(bug, assertThrows(IllegalStateException.class, () -> s.optimize(f, Budget.trials(3))));
    assertEquals(0, calls.get());
    TrialRecord first = s.history().trials().get(0);
    assertTrue(first.isInterrupted(), first.toString());
    History h = s.optimize(f, Budget.trials(3));
    assertEquals(3, counted(h));
    assertEquals(0, h.trials().get(1).retryOf());
    assertEquals(first.params(), h.trials().get(1).params());
  }

  /** A listener that throws when a trial finished stops the study with its error; the trial keeps its outcome. */
  @Test
  void aListenerFailingAsATrialFinishesStopsTheStudy() {
    IllegalStateException bug = new IllegalStateException("listener bug");
    Study s = study(new InMemoryStorage(), 2).listener(new StudyListener() {
      @Override
      public void trialFinished(TrialRecord trial, History history) {
        throw bug;
      }
    }).build();
    assertSame(bug, assertThrows(IllegalStateException.class, () -> s.optimize(t -> 1.0, Budget.trials(50))));
    List<TrialRecord> trials = s.history().trials();
    assertTrue(trials.size() <= 2, trials.toString());
    for (TrialRecord t : trials) assertEquals(TrialState.COMPLETE, t.state(), t.toString());
  }

  /**
   * An objective interrupted (its sleep throws InterruptedException) is asked to stop, not failed:
   * the trial is recorded interrupted, the study stops with the interrupt flag set, and the next
   * optimize re-runs the trial's parameters once. With a journal, whose channel an interrupted
   * write would close, the record is written too and a resume re-runs it.
   */
  @Test
  void anInterruptedObjectiveStopsTheStudyAndItsTrialIsReRun(@TempDir Path dir) {
    Objective interruptsTrialOne = t -> {
      if (t.number() == 1) {
        Thread.currentThread().interrupt();
        Thread.sleep(1000);
      }
      return BRANIN.evaluate(t.params());
    };
    Path journal = dir.resolve("j.jsonl");
    History h;
    try (Study s = Study.builder(BRANIN.space()).sampler(new RandomSampler()).storage(new JournalStorage(journal)).seed(3).workers(1).build()) {
      try {
        h = s.optimize(interruptsTrialOne, Budget.trials(5));
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt flag is restored");
      }
    }
    assertEquals(2, h.size(), h.trials().toString());
    assertEquals(TrialState.COMPLETE, h.trials().get(0).state());
    assertTrue(h.trials().get(1).isInterrupted(), h.trials().get(1).toString());
    try (Study s = Study.builder(BRANIN.space()).sampler(new RandomSampler()).storage(new JournalStorage(journal)).seed(3).workers(1).build()) {
      History resumed = s.optimize(t -> BRANIN.evaluate(t.params()), Budget.trials(5));
      assertEquals(5, counted(resumed));
      assertEquals(1, resumed.trials().get(2).retryOf());
      assertEquals(h.trials().get(1).params(), resumed.trials().get(2).params());
    }
    assertFalse(Thread.currentThread().isInterrupted());
  }

  /**
   * On a shared storage an interrupted trial is left RUNNING (an interrupted outcome recorded there
   * would count and never be re-run); closing the study releases it, and the next run re-runs it.
   */
  @Test
  void anInterruptedObjectiveOnASharedStorageIsReleasedAndReRun() {
    String url = TestPostgres.newDatabase();
    History h;
    try (Study s = Study.builder(BRANIN.space()).name("interrupted").sampler(new RandomSampler())
        .storage(new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())).seed(3).workers(1).build()) {
      try {
        h = s.optimize(t -> {
          if (t.number() == 1) throw new InterruptedException("stop");
          return BRANIN.evaluate(t.params());
        }, Budget.trials(5));
      } finally {
        assertTrue(Thread.interrupted(), "the interrupt flag is restored");
      }
    }
    assertEquals(2, h.size(), h.trials().toString());
    assertEquals(TrialState.RUNNING, h.trials().get(1).state());
    try (Study s = Study.builder(BRANIN.space()).name("interrupted").sampler(new RandomSampler())
        .storage(new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())).seed(3).workers(1).build()) {
      History resumed = s.optimize(t -> BRANIN.evaluate(t.params()), Budget.trials(5));
      assertTrue(resumed.trials().get(1).isInterrupted(), resumed.trials().get(1).toString());
      assertEquals(5, counted(resumed));
      assertEquals(1, resumed.trials().get(2).retryOf());
      assertEquals(h.trials().get(1).params(), resumed.trials().get(2).params());
    }
  }

  /** An Error the study does not take for the trial's failure (not out of stack or heap, nor an assertion). */
  private static final class Broken extends Error {
    Broken() {
      super("broken installation");
    }
  }

  /**
   * An Error other than those that fail the trial (a class that cannot load, say) stops the study,
   * and the trial it stopped ends as the storages end a trial the study stopped while it ran:
   * interrupted, re-run by the resume. PostgreSQL released it as the study closed; the journal left
   * it RUNNING, a trial under way to any reader ('train --from-study', a report) until the next
   * study opened the journal for writing.
   */
  @Test
  void anErrorThatStopsTheStudyEndsItsTrialOnEveryStorage(@TempDir Path dir) {
    Path journal = dir.resolve("j.jsonl");
    String url = TestPostgres.newDatabase();
    record Storages(String name, java.util.function.Supplier<org.caviar.search.storage.Storage> open,
        java.util.function.Supplier<org.caviar.search.storage.Storage> read) {}
    for (Storages st : List.of(
        new Storages("journal", () -> new JournalStorage(journal), () -> JournalStorage.readOnly(journal)),
        new Storages("postgres", () -> new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings()),
            () -> PostgresStorage.readOnly(PostgresUrl.parse(url), TestPostgres.fastSettings())))) {
      History h;
      try (Study s = Study.builder(BRANIN.space()).name("broken").sampler(new RandomSampler()).storage(st.open().get())
          .seed(3).workers(1).build()) {
        assertThrows(Broken.class, () -> s.optimize(t -> {
          if (t.number() == 1) throw new Broken();
          return BRANIN.evaluate(t.params());
        }, Budget.trials(5)));
        h = s.history();
      }
      List<TrialRecord> stored;
      try (var reader = st.read().get()) {
        reader.open(Study.builder(BRANIN.space()).name("broken").seed(3).build().info());
        stored = reader.trials();
      }
      assertEquals(2, stored.size(), st.name() + ": " + stored);
      assertEquals(TrialState.COMPLETE, stored.get(0).state(), st.name() + ": " + stored);
      assertTrue(stored.get(1).isInterruptedWhileRunning(), st.name() + ": " + stored.get(1));
      try (Study s = Study.builder(BRANIN.space()).name("broken").sampler(new RandomSampler()).storage(st.open().get())
          .seed(3).workers(1).build()) {
        History resumed = s.optimize(t -> BRANIN.evaluate(t.params()), Budget.trials(5));
        assertEquals(5, counted(resumed), st.name());
        assertEquals(1, resumed.trials().get(2).retryOf(), st.name());
        assertEquals(h.trials().get(1).params(), resumed.trials().get(2).params(), st.name());
      }
    }
  }

  /** The same in memory with several workers: the study stops, the others' trials finish. */
  @Test
  void anInterruptedObjectiveStopsAStudyOfSeveralWorkers() {
    Study s = study(new InMemoryStorage(), 2).build();
    History h = s.optimize(t -> {
      if (t.number() == 3) throw new InterruptedException("stop");
      Thread.sleep(5);
      return BRANIN.evaluate(t.params());
    }, Budget.trials(200));
    assertFalse(Thread.currentThread().isInterrupted(), "the workers' interrupt is theirs, not the caller's");
    assertTrue(h.trials().get(3).isInterrupted(), h.trials().get(3).toString());
    assertTrue(h.size() <= 8, h.size() + " trials"); // 0-3, the other worker's, and slack for a stalled host

    for (TrialRecord t : h.trials()) if (t.number() != 3) assertEquals(TrialState.COMPLETE, t.state(), t.toString());
  }

  /** stop() before optimize is not lost: that optimize runs no trial, and the next one runs as usual. */
  @Test
  void aStopBeforeOptimizeStopsIt() {
    Study s = study(new InMemoryStorage(), 1).build();
    s.stop();
    assertEquals(0, s.optimize(t -> 1.0, Budget.trials(3)).size());
    assertEquals(3, s.optimize(t -> 1.0, Budget.trials(3)).size());
  }
}
