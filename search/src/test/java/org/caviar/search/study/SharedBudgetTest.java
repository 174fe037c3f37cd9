package org.caviar.search.study;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;

/**
 * A study running on PostgreSQL follows the budget stored with it as another process changes it
 * (tune --trials N on another machine), not the budget it started with.
 */
class SharedBudgetTest {
  private static PostgresStorage storage(String url) {
    return new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
  }

  private static Study study(PostgresStorage storage) {
    return Study.builder(TestFunction.BRANIN.space()).name("budget").sampler(new RandomSampler()).storage(storage).seed(5).workers(1).build();
  }

  /** Runs a study started with a budget of {@code start} while another storage handle sets {@code changed} during trial 0. */
  private static History runWhileChanged(int start, int changed) {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage other = storage(url); Study s = study(storage(url))) {
      other.open(s.info());
      other.recordTrialBudget(start);
      Budget budget = Budget.trials(start);
      assertEquals(start, s.trialsLeft(budget));
      AtomicLong leftAfterChange = new AtomicLong(-1);
      History h = s.optimize(t -> {
        if (t.number() == 0) {
          other.recordTrialBudget(changed);
          leftAfterChange.set(s.trialsLeft(budget));
        }
        return TestFunction.BRANIN.evaluate(t.params());
      }, budget);
      assertEquals(changed, leftAfterChange.get(), "trials left follow the stored budget (trial 0 still ran: none finished)");
      assertEquals(0, s.trialsLeft(budget));
      return h;
    }
  }

  @Test
  void aBudgetRaisedElsewhereExtendsTheRunningStudy() {
    History h = runWhileChanged(2, 4);
    assertEquals(4, h.size(), h.trials().toString());
    for (TrialRecord t : h.trials()) assertEquals(org.caviar.search.trial.TrialState.COMPLETE, t.state(), t::toString);
  }

  /**
   * A study of two workers started with one trial left runs one thread (no more than the trials
   * left); a budget raised meanwhile left that one thread to run the new trials alone, where the
   * machine could run two at a time. Trials 1 and 2 wait (a while at most) for each other.
   */
  @Test
  void aBudgetRaisedElsewhereStartsTheWorkersItCappedAtTheStart() {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage other = storage(url); Study s = Study.builder(TestFunction.BRANIN.space()).name("budget")
        .sampler(new RandomSampler()).storage(storage(url)).seed(5).workers(2).build()) {
      other.open(s.info());
      other.recordTrialBudget(1);
      Budget budget = Budget.trials(1);
      assertEquals(1, s.workers(budget));
      Together together = new Together();
      History h = s.optimize(t -> {
        if (t.number() == 0) other.recordTrialBudget(3);
        else together.meet();
        return TestFunction.BRANIN.evaluate(t.params());
      }, budget);
      assertEquals(3, h.size(), h.trials().toString());
      assertEquals(2, together.most.get(), "trials 1 and 2 ran at once");
    }
  }

  /**
   * The same at the budget's end: of two workers, the one that found nothing left to claim had
   * returned, and a budget raised then ran on the other alone. Trial 0 raises it a while after
   * trial 1 has ended (had the other worker not returned by then, it would claim a new trial
   * itself, and the test would pass without the study starting one: it cannot fail for that).
   */
  @Test
  void aBudgetRaisedAtItsEndStartsTheWorkersThatHadReturned() {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage other = storage(url); Study s = Study.builder(TestFunction.BRANIN.space()).name("budget")
        .sampler(new RandomSampler()).storage(storage(url)).seed(5).workers(2).build()) {
      other.open(s.info());
      other.recordTrialBudget(2);
      CountDownLatch oneEnded = new CountDownLatch(1);
      Together together = new Together();
      History h = s.optimize(t -> {
        if (t.number() == 0) {
          oneEnded.await(10, TimeUnit.SECONDS);
          Thread.sleep(1000); // trial 1's worker records it, finds the budget spent, and returns
          other.recordTrialBudget(4);
        } else if (t.number() == 1) {
          oneEnded.countDown();
        } else {
          together.meet();
        }
        return TestFunction.BRANIN.evaluate(t.params());
      }, Budget.trials(2));
      assertEquals(4, h.size(), h.trials().toString());
      assertEquals(2, together.most.get(), "trials 2 and 3 ran at once");
    }
  }

  /** Trials that wait for one another (3 s at most, so that the test ends either way), noting the most that ran at once. */
  private static final class Together {
    final AtomicInteger active = new AtomicInteger();
    final AtomicInteger most = new AtomicInteger();

    void meet() throws InterruptedException {
      most.accumulateAndGet(active.incrementAndGet(), Math::max);
      long until = System.nanoTime() + 3_000_000_000L;
      while (most.get() < 2 && System.nanoTime() < until) Thread.sleep(10);
      active.decrementAndGet();
    }
  }

  @Test
  void aBudgetLoweredElsewhereStopsTheRunningStudyThere() {
    History h = runWhileChanged(6, 2);
    assertEquals(2, h.size(), h.trials().toString());
  }
}
