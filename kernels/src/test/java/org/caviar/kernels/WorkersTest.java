package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The thread team: every part runs once, on its own thread, failures come back, no deadlock. */
class WorkersTest {
  private static final Workers TEAM = Workers.of(3);

  @Test
  void everyPartRunsOnceOnItsOwnThread() {
    for (int parts = 1; parts <= 3; parts++) {
      int[] runs = new int[parts];
      Thread[] threads = new Thread[parts];
      int p0 = parts;
      TEAM.run(parts, (part, n) -> {
        assertEquals(p0, n);
        runs[part]++;
        threads[part] = Thread.currentThread();
      });
      int[] once = new int[parts];
      java.util.Arrays.fill(once, 1);
      assertArrayEquals(once, runs);
      assertSame(Thread.currentThread(), threads[0], "part 0 runs on the caller");
      for (int a = 0; a < parts; a++) {
        for (int b = a + 1; b < parts; b++) assertNotEquals(threads[a], threads[b], "parts " + a + " and " + b);
      }
    }
  }

  @Test
  void aFailureOnAWorkerReachesTheCallerAfterEveryPartEnded() {
    boolean[] finished = new boolean[3];
    ArithmeticException e = assertThrows(ArithmeticException.class, () -> TEAM.run(3, (part, n) -> {
      if (part == 2) throw new ArithmeticException("boom");
      finished[part] = true;
    }));
    assertEquals("boom", e.getMessage());
    assertTrue(finished[0] && finished[1]);
    // The team still works afterwards.
    int[] runs = new int[3];
    TEAM.run(3, (part, n) -> runs[part]++);
    assertArrayEquals(new int[] {1, 1, 1}, runs);
  }

  @Test
  void aFailureOnTheCallerIsRethrownAsIs() {
    assertThrows(ArithmeticException.class, () -> TEAM.run(2, (part, n) -> {
      if (part == 0) throw new ArithmeticException("boom");
    }));
  }

  @Test
  void aFailureOnTheCallerKeepsTheWorkersFailureAndCheckedOnesAreNotLost() {
    var e = assertThrows(ArithmeticException.class, () -> TEAM.run(2, (part, n) -> {
      throw new ArithmeticException("part " + part);
    }));
    assertEquals("part 0", e.getMessage());
    assertEquals(1, e.getSuppressed().length, "the worker's failure rides along");
    // A checked exception thrown undeclared (a sneaky throw) on the caller: not returned from silently.
    var s = assertThrows(IllegalStateException.class, () -> TEAM.run(2, (part, n) -> {
      if (part == 0) WorkersTest.<RuntimeException>sneaky(new java.io.IOException("disk"));
    }));
    assertTrue(s.getCause() instanceof java.io.IOException, String.valueOf(s.getCause()));
    // Both parts throwing one shared object (as HotSpot's preallocated OutOfMemoryError is): that
    // object, not addSuppressed's complaint about suppressing itself.
    ArithmeticException shared = new ArithmeticException("shared");
    assertSame(shared, assertThrows(ArithmeticException.class, () -> TEAM.run(2, (part, n) -> {
      throw shared;
    })));
  }

  @Test
  void anErrorIsRethrownAsItselfOnTheCallerOrOnAWorker() {
    // An Error (an assertion in a part, a StackOverflowError) is as much a failure as an
    // exception: the very object thrown, with the other parts' failures on it, not a wrapper that
    // a catch (AssertionError e) would miss.
    AssertionError own = new AssertionError("part 0");
    var e = assertThrows(AssertionError.class, () -> TEAM.run(3, (part, n) -> {
      if (part == 0) throw own;
      throw new ArithmeticException("part " + part);
    }));
    assertSame(own, e);
    assertEquals(2, e.getSuppressed().length, java.util.Arrays.toString(e.getSuppressed()));
    StackOverflowError overflow = new StackOverflowError("part 1");
    assertSame(overflow, assertThrows(StackOverflowError.class, () -> TEAM.run(2, (part, n) -> {
      if (part == 1) throw overflow;
    })));
  }

  @Test
  void everyPartsFailureReachesTheCaller() {
    // Only the first worker's failure came back: a second one on another worker was dropped.
    var e = assertThrows(ArithmeticException.class, () -> TEAM.run(3, (part, n) -> {
      if (part > 0) throw new ArithmeticException("part " + part);
    }));
    assertEquals("part 1", e.getMessage());
    assertEquals(1, e.getSuppressed().length, java.util.Arrays.toString(e.getSuppressed()));
    assertEquals("part 2", e.getSuppressed()[0].getMessage());
    var mine = assertThrows(ArithmeticException.class, () -> TEAM.run(3, (part, n) -> {
      throw new ArithmeticException("part " + part);
    }));
    assertEquals("part 0", mine.getMessage());
    assertEquals(2, mine.getSuppressed().length, java.util.Arrays.toString(mine.getSuppressed()));
    // A checked exception on the caller: wrapped, with the workers' failures on the wrapper.
    var s = assertThrows(IllegalStateException.class, () -> TEAM.run(3, (part, n) -> {
      if (part == 0) WorkersTest.<RuntimeException>sneaky(new java.io.IOException("disk"));
      throw new ArithmeticException("part " + part);
    }));
    assertTrue(s.getCause() instanceof java.io.IOException, String.valueOf(s.getCause()));
    assertEquals(2, s.getSuppressed().length, java.util.Arrays.toString(s.getSuppressed()));
  }

  /**
   * A failure comes back the same whether the team runs the parts or, busy, the caller runs them
   * all (a kernel's IllegalArgumentException in a part was an IllegalStateException around it on
   * an idle team of two threads or more, itself on a busy one or on one thread), and every part
   * has run either way (the caller stopped at the first failure). The team is made busy by asking
   * for it from within its own part 0, which holds it.
   */
  @Test
  void aFailureIsTheSameWhetherTheTeamOrTheCallerRanTheParts() {
    List<Workers.Task> tasks = List.of(
        (part, n) -> { if (part == 2) throw new IllegalArgumentException("part 2"); },
        (part, n) -> { if (part > 0) throw new IllegalArgumentException("part " + part); },
        (part, n) -> { if (part != 1) throw new ArithmeticException("part " + part); },
        (part, n) -> { if (part == 1) throw new AssertionError("part 1"); },
        (part, n) -> { if (part >= 1) WorkersTest.<RuntimeException>sneaky(new java.io.IOException("part " + part)); });
    List<String> expected = List.of(
        "java.lang.IllegalArgumentException: part 2 []",
        "java.lang.IllegalArgumentException: part 1 [java.lang.IllegalArgumentException: part 2]",
        "java.lang.ArithmeticException: part 0 [java.lang.ArithmeticException: part 2]",
        "java.lang.AssertionError: part 1 []",
        "java.lang.IllegalStateException: part 1 failed: java.io.IOException: part 1 [java.io.IOException: part 2]");
    for (int t = 0; t < tasks.size(); t++) {
      for (boolean busy : new boolean[] {false, true}) {
        Workers.Task task = tasks.get(t);
        boolean[] ran = new boolean[3];
        Throwable[] thrown = new Throwable[1];
        Runnable call = () -> {
          try {
            TEAM.run(3, (part, n) -> {
              ran[part] = true;
              task.run(part, n);
            });
          } catch (Throwable e) {
            thrown[0] = e;
          }
        };
        if (busy) TEAM.run(2, (part, n) -> { if (part == 0) call.run(); });
        else call.run();
        String what = "task " + t + (busy ? " on a busy team" : " on an idle team");
        assertEquals(expected.get(t), thrown[0] + " " + java.util.Arrays.toString(thrown[0].getSuppressed()), what);
        assertArrayEquals(new boolean[] {true, true, true}, ran, what + ": every part ran");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> void sneaky(Throwable t) throws T {
    throw (T) t;
  }

  @Test
  void anInterruptSetInAPartDoesNotStayWithTheWorker() {
    TEAM.run(2, (part, n) -> {
      if (part == 1) Thread.currentThread().interrupt();
    });
    boolean[] interrupted = {true};
    TEAM.run(2, (part, n) -> {
      if (part == 1) interrupted[0] = Thread.currentThread().isInterrupted();
    });
    // Had the team been busy, the caller would have run part 1 and set its own flag: not left set.
    boolean callerInterrupted = Thread.interrupted();
    assertTrue(!interrupted[0], "the next part on that worker saw the flag");
    assertTrue(!callerInterrupted, "part 1 ran on the caller, not on the worker");
  }

  /**
   * The caller's interrupt (a cancelled trial, Ctrl-C) is its own to act on: the team neither
   * clears it nor cuts the step short for it.
   */
  @Test
  void theCallersInterruptIsKeptAndEveryPartStillRuns() {
    Thread.currentThread().interrupt();
    int[] runs = new int[3];
    TEAM.run(3, (part, n) -> runs[part]++);
    // Read (and cleared) before any assertion, so that a failure leaves no flag to later tests.
    boolean keptFromBefore = Thread.interrupted();
    assertArrayEquals(new int[] {1, 1, 1}, runs);
    assertTrue(keptFromBefore, "the interrupt set before the step was cleared");

    // Arriving while the caller waits for part 1, past its spin into its yielding.
    Thread caller = Thread.currentThread();
    AtomicBoolean callerDone = new AtomicBoolean();
    int[] done = new int[2];
    TEAM.run(2, (part, n) -> {
      if (part == 1) {
        while (!callerDone.get()) Thread.onSpinWait();
        caller.interrupt();
        long until = System.nanoTime() + 10 * Workers.SPIN_NANOS;
        while (System.nanoTime() < until) Thread.onSpinWait();
      }
      done[part] = 1;
      if (part == 0) callerDone.set(true);
    });
    boolean keptFromWaiting = Thread.interrupted();
    assertArrayEquals(new int[] {1, 1}, done);
    assertTrue(keptFromWaiting, "the interrupt that came while the caller waited was cleared");
  }

  /**
   * A worker that fails to start (Thread.start's "unable to create native thread") must not leave
   * the ones started before it running: of() keeps no failed team, so each retry would add more.
   */
  @Test
  @Timeout(60)
  void aTeamThatFailsToStartEndsTheWorkersItStarted() throws InterruptedException {
    for (boolean parkedFirst : new boolean[] {false, true}) {
      List<Thread> started = new ArrayList<>();
      OutOfMemoryError noThread = new OutOfMemoryError("unable to create native thread (test)");
      Throwable failure = null;
      try {
        new Workers(5, t -> {
          if (started.size() == 2) {
            // Parked, the started workers need waking to see that they must end.
            if (parkedFirst) awaitParked(started);
            throw noThread;
          }
          t.start();
          started.add(t);
        });
      } catch (Throwable e) {
        failure = e;
      }
      for (Thread t : started) {
        t.join(5_000);
        assertTrue(!t.isAlive(), t.getName() + " still running, parked first: " + parkedFirst);
      }
      var e = assertInstanceOf(IllegalStateException.class, failure);
      assertSame(noThread, e.getCause());
      assertEquals("could not start the 4 workers of a team of 5 threads: " + noThread, e.getMessage());
    }
  }

  private static void awaitParked(List<Thread> threads) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    for (Thread t : threads) {
      while (t.getState() != Thread.State.WAITING) {
        assertTrue(System.nanoTime() < deadline, t.getName() + " never parked: " + t.getState());
        LockSupport.parkNanos(Workers.YIELD_NANOS);
      }
    }
  }

  /**
   * A team lives as long as the JVM, so what a finished step handed to it must not stay reachable
   * from it: a worker that kept its last part would keep the arrays that part uses (a training
   * step's activations, say) until its next part, for good if there is none. Here the part's
   * array, once the step has returned and the test dropped it, must be collected.
   */
  @Test
  void aFinishedStepKeepsNothingOfItsPartsAlive() throws InterruptedException {
    WeakReference<float[]> used = stepOnTeam();
    awaitCollected(used, "the array of a finished step's part");
  }

  /** A step of three parts on TEAM writing into an array of its own, which only a weak reference leads to afterwards. */
  private static WeakReference<float[]> stepOnTeam() {
    float[] big = new float[1 << 20];
    TEAM.run(3, (part, parts) -> big[part] = part + 1);
    assertArrayEquals(new float[] {1, 2, 3}, java.util.Arrays.copyOf(big, 3));
    return new WeakReference<>(big);
  }

  /** Full collections until {@code ref} is cleared; fails if ten do not clear it. */
  static void awaitCollected(WeakReference<?> ref, String what) throws InterruptedException {
    for (int i = 0; i < 10 && ref.get() != null; i++) {
      System.gc();
      Thread.sleep(20);
    }
    assertTrue(ref.get() == null, what + " is still reachable");
  }

  @Test
  void aTeamOfEveryProcessorStopsAtTheLargestTeam() {
    // A machine past MAX_THREADS processors gets the largest team rather than Workers.of's refusal.
    assertEquals(Workers.MAX_THREADS, Workers.teamOf(4 * Workers.MAX_THREADS));
    assertEquals(Workers.MAX_THREADS, Workers.teamOf(Workers.MAX_THREADS + 1));
    assertEquals(2, Workers.teamOf(2));
    assertEquals(Math.min(Runtime.getRuntime().availableProcessors(), Workers.MAX_THREADS), Workers.allProcessors());
  }

  @Test
  void teamSizesAndBoundariesAreChecked() {
    var big = assertThrows(IllegalArgumentException.class, () -> Workers.of(Workers.MAX_THREADS + 1));
    assertEquals("threads must be <= 1024, got 1025", big.getMessage());
    assertEquals("unit must be > 0, got 0", assertThrows(IllegalArgumentException.class, () -> Workers.boundary(10, 0, 0, 1)).getMessage());
    assertEquals("parts must be > 0, got 0", assertThrows(IllegalArgumentException.class, () -> Workers.boundary(10, 1, 0, 0)).getMessage());
    assertEquals("part must be in [0, 2], got 3", assertThrows(IllegalArgumentException.class, () -> Workers.boundary(10, 1, 3, 2)).getMessage());
  }

  @Test
  void aPartThatAsksForItsTeamAgainRunsTheInnerPartsItself() {
    int[][] inner = new int[3][3];
    TEAM.run(3, (part, n) -> TEAM.run(3, (q, m) -> inner[part][q]++));
    for (int[] row : inner) assertArrayEquals(new int[] {1, 1, 1}, row);
  }

  @Test
  void twoCallersAtOnceBothFinish() throws Exception {
    long[] sums = new long[2];
    List<Together.Body> callers = new ArrayList<>();
    for (int c = 0; c < 2; c++) {
      int id = c;
      callers.add(() -> {
        for (int round = 0; round < 2000; round++) {
          long[] parts = new long[3];
          TEAM.run(3, (part, n) -> parts[part] = part + 1);
          sums[id] += parts[0] + parts[1] + parts[2];
        }
      });
    }
    Together.run(callers);
    assertEquals(2000L * 6, sums[0]);
    assertEquals(2000L * 6, sums[1]);
  }

  @Test
  @Timeout(60)
  void aParkedWorkerWakesForTheNextPart() throws InterruptedException {
    Workers team = Workers.of(2);
    team.run(2, (part, n) -> {});
    Thread worker = null;
    for (Thread t : Thread.getAllStackTraces().keySet()) if (t.getName().equals("caviar-worker-2-1")) worker = t;
    assertTrue(worker != null, "the team of two has a worker thread");
    // Idle past its spin, the worker parks (WAITING); a lost wake-up would hang the next run.
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (worker.getState() != Thread.State.WAITING) {
      assertTrue(System.nanoTime() < deadline, "the worker never parked: " + worker.getState());
      Thread.sleep(Workers.YIELD_NANOS / 1_000_000 + 1);
    }
    Thread[] ranOn = new Thread[2];
    team.run(2, (part, n) -> ranOn[part] = Thread.currentThread());
    assertSame(worker, ranOn[1], "part 1 runs on the woken worker");
  }

  /** Near Integer.MAX_VALUE, or with a large unit, the int arithmetic overflowed to a negative boundary. */
  @Test
  void boundariesDoNotOverflow() {
    assertEquals(Integer.MAX_VALUE, Workers.boundary(Integer.MAX_VALUE, 2, 1, 1));
    assertEquals((1 << 30) + 1, Workers.boundary((1 << 30) + 1, 1 << 30, 1, 1));
    int half = Workers.boundary(Integer.MAX_VALUE, 32, 1, 2);
    assertTrue(half > 0 && half % 32 == 0 && half < Integer.MAX_VALUE, "boundary " + half);
  }

  @Test
  void boundariesCutWholeUnitsAndCoverTheExtent() {
    for (int extent = 0; extent <= 100; extent++) {
      for (int parts = 1; parts <= 4; parts++) {
        assertEquals(0, Workers.boundary(extent, 8, 0, parts));
        assertEquals(extent, Workers.boundary(extent, 8, parts, parts));
        for (int p = 1; p < parts; p++) {
          int b = Workers.boundary(extent, 8, p, parts);
          assertTrue(b == extent || b % 8 == 0, "boundary " + b + " is not a whole unit");
          assertTrue(b >= Workers.boundary(extent, 8, p - 1, parts), "boundaries go up");
        }
      }
    }
  }

  @Test
  void badArgumentsNameThemselves() {
    assertEquals(3, TEAM.threads());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TEAM.run(4, (p, n) -> {}));
    assertTrue(e.getMessage().startsWith("parts "), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TEAM.run(0, (p, n) -> {}));
    assertEquals("parts must be in [1, 3], got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TEAM.run(2, null));
    assertEquals("task must not be null", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Workers.boundary(10, 1, -1, 2));
    assertEquals("part must be in [0, 2], got -1", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Workers.of(0));
    assertTrue(e.getMessage().startsWith("threads "), e.getMessage());
  }
}
