package org.caviar.search.objective;

import static org.caviar.search.objective.MlpObjectiveTest.awaitUntil;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Objective;
import org.caviar.search.study.Study;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;

class HeapBudgetTest {
  /** More than the whole budget can never fit: refused at once, not waited for. */
  @Test
  void moreThanTheWholeBudgetIsRefusedAtOnce() {
    HeapBudget budget = new HeapBudget(100);
    var e = assertThrows(IllegalArgumentException.class, () -> budget.reserve(0, 101));
    assertEquals("bytes must be at most the budget's 100, got 101", e.getMessage());
    assertEquals(0, budget.reserved());
    assertThrows(IllegalArgumentException.class, () -> budget.reserve(0, -1));
    assertThrows(IllegalArgumentException.class, () -> new HeapBudget(-1));
  }

  /**
   * Waiters are served in turn: a small reservation that would fit now waits behind a large one
   * that waits (else a stream of small trials could keep a large one waiting forever), and both go
   * once the memory is released.
   */
  @Test
  void waitersAreServedInTheOrderTheyCame() throws Exception {
    HeapBudget budget = new HeapBudget(100);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      HeapBudget.Reservation held = budget.reserve(0, 60);
      Future<HeapBudget.Reservation> large = pool.submit(() -> budget.reserve(1, 60));
      awaitUntil(() -> budget.waiting() == 1, "the large reservation to wait");
      Future<HeapBudget.Reservation> small = pool.submit(() -> budget.reserve(2, 30));
      awaitUntil(() -> budget.waiting() == 2, "the small reservation to wait behind it");
      assertEquals(60, budget.reserved());
      held.close();
      held.close(); // once only
      assertEquals(60, large.get(1, TimeUnit.MINUTES).bytes());
      small.get(1, TimeUnit.MINUTES).close();
      assertEquals(60, budget.reserved());
      assertEquals(0, budget.waiting());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A wait is told as it starts, with what the waiting trial needs, what each running trial holds,
   * who waits before it and the budget, and once more as it ends; a reservation that fits at once
   * is not told at all. (It was told to no one: a study whose trials waited looked stuck.)
   */
  @Test
  void aWaitIsToldAsItStartsAndAsItEnds() throws Exception {
    List<String> told = new CopyOnWriteArrayList<>();
    HeapBudget.Listener listener = new HeapBudget.Listener() {
      @Override
      public void waits(MemoryWait w) {
        told.add("waits " + w.trial() + " " + w.bytes() + " held " + w.held() + " ahead " + w.ahead() + " of " + w.budget());
      }

      @Override
      public void goesOn(MemoryWait w, long waitedNanos) {
        told.add("goes on " + w.trial() + (waitedNanos >= 0 ? "" : " " + waitedNanos));
      }
    };
    HeapBudget budget = new HeapBudget(100, listener);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      HeapBudget.Reservation first = budget.reserve(10, 50);
      HeapBudget.Reservation second = budget.reserve(11, 20);
      assertEquals(List.of(), told); // each fitted at once
      Future<HeapBudget.Reservation> large = pool.submit(() -> budget.reserve(12, 60));
      awaitUntil(() -> told.size() == 1, "the large reservation to be told waiting");
      Future<HeapBudget.Reservation> small = pool.submit(() -> budget.reserve(13, 10));
      awaitUntil(() -> told.size() == 2, "the small reservation to be told waiting behind it");
      assertEquals(List.of("waits 12 60 held {10=50, 11=20} ahead [] of 100", "waits 13 10 held {10=50, 11=20} ahead [12] of 100"), told);
      first.close();
      large.get(1, TimeUnit.MINUTES).close();
      small.get(1, TimeUnit.MINUTES).close();
      second.close();
      // Each told on its own thread once it has its memory: in either order.
      assertEquals(4, told.size(), told.toString());
      assertEquals(java.util.Set.of("goes on 12", "goes on 13"), java.util.Set.copyOf(told.subList(2, 4)));
    } finally {
      pool.shutdownNow();
    }
  }

  /** The line a wait gets: what it needs, who holds what of the budget, and who is before it in line. */
  @Test
  void aWaitsLineSaysWhoHoldsTheMemory() {
    long gb = 1L << 30;
    MemoryWait alone = new MemoryWait(12, 12 * gb / 10, new java.util.TreeMap<>(java.util.Map.of(10, gb, 11, 11 * gb / 10)), List.of(), 3 * gb);
    assertEquals("trial 12 waits for memory: it needs 1.2 GB, and trials 10 and 11 hold 2.1 GB of the 3.0 GB the trials share "
        + "(the heap less the data)", alone.line());
    MemoryWait behind = new MemoryWait(14, 300L << 20, new java.util.TreeMap<>(java.util.Map.of(10, 2 * gb)), List.of(12, 13), 3 * gb);
    assertEquals("trial 14 waits for memory, behind trials 12 and 13 in line: it needs 300 MB, and trial 10 holds 2.0 GB of the "
        + "3.0 GB the trials share (the heap less the data)", behind.line());
    assertEquals("trial 12 has its memory after 41.0 s of waiting, and trains", alone.goesOnLine(41_000_000_000L));
  }

  /**
   * A trial waiting for memory, its worker interrupted, ends at once while the trial it waits on
   * still holds its memory: the study records it interrupted (its parameters are re-run on resume)
   * and stops, and the running trial finishes. Its place in line is given up: a reservation behind
   * it that fits goes on.
   */
  @Test
  void anInterruptedWaitingTrialEndsAtOnce() throws Exception {
    HeapBudget budget = new HeapBudget(100);
    CountDownLatch firstHolds = new CountDownLatch(1);
    CountDownLatch firstMayEnd = new CountDownLatch(1);
    CountDownLatch secondEnded = new CountDownLatch(1);
    List<Thread> threads = new CopyOnWriteArrayList<>();
    AtomicReference<Thread> holder = new AtomicReference<>();
    // Each trial reserves 60 of 100: the first to get it holds it until told; the other waits, and records when it ends.
    Objective recording = trial -> {
      threads.add(Thread.currentThread());
      boolean holds = false;
      try {
        HeapBudget.Reservation r = budget.reserve(trial.number(), 60);
        holds = holder.compareAndSet(null, Thread.currentThread());
        if (holds) {
          firstHolds.countDown();
          firstMayEnd.await();
        }
        r.close();
        return 1;
      } finally {
        if (!holds) secondEnded.countDown();
      }
    };
    Study study = Study.builder(SearchSpace.parse("x = uniform(0, 1)")).seed(1).workers(2).build();
    CompletableFuture<History> run = CompletableFuture.supplyAsync(() -> study.optimize(recording, Budget.trials(2)));
    try {
      assertTrue(firstHolds.await(1, TimeUnit.MINUTES), "the first trial to reserve");
      awaitUntil(() -> budget.waiting() == 1, "the other trial to wait for memory");
      threads.stream().filter(t -> t != holder.get()).findFirst().orElseThrow().interrupt();
      // Ended while the first still holds its memory: it did not wait for it.
      assertTrue(secondEnded.await(1, TimeUnit.MINUTES), "the interrupted trial to end");
      assertEquals(0, budget.waiting());
      assertEquals(60, budget.reserved());
      // Its place in line given up: what fits beside the first goes on.
      budget.reserve(2, 40).close();
    } finally {
      firstMayEnd.countDown();
    }
    History h = run.get(1, TimeUnit.MINUTES);
    assertEquals(1, h.trials().stream().filter(t -> t.state() == TrialState.COMPLETE).count(), h.trials().toString());
    assertEquals(1, h.trials().stream().filter(TrialRecord::isInterrupted).count(), h.trials().toString());
    assertEquals(List.of(), h.trials().stream().filter(t -> t.state() == TrialState.RUNNING).toList());
    assertEquals(0, budget.reserved());
  }
}
