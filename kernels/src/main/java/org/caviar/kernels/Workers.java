package org.caviar.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A team of threads for the parts of one parallel step: the calling thread runs part 0 and
 * {@code threads - 1} daemon workers run the others, then the caller waits for them. The parallel
 * GEMM ({@link Gemm#parallel(int)}) runs its shares on the team of its thread count.
 *
 * <p>Parts should write disjoint cache lines. Cutting a row-major batch by columns, so that every
 * row has one 64-byte line written by both threads, made a ReLU over 128 x 256 floats take 26 us
 * on two threads against 1.6 us on one (Zen 5, two vCPUs); contiguous halves took 1.8 us.
 *
 * <p>Training hands work to the team thousands of times a second, in parts of tens to hundreds
 * of microseconds, so the hand-off must cost far less. An executor's queue and a parked worker
 * took tens of microseconds to wake on these machines, so each worker has a plain slot and spins
 * on it for {@link #SPIN_NANOS} after its last part, then yields between looks at it until
 * {@link #YIELD_NANOS}, and only then parks.
 *
 * <p>The wait before parking is long (20 ms, where Intel's OpenMP waits 200 ms by default)
 * because on a busy virtual machine a late caller is common: when the host held up the caller's
 * vCPU for more than a shorter wait, the worker parked, and waking it then meant waking its
 * halted vCPU, which the host scheduled late in turn. With 200 us, a noisy stretch saw the worker
 * park 75-82 times in an epoch of 128 steps (784-256-256-10, batch 32, two vCPUs), and the
 * two-thread epoch took as long as the one-thread one. A plain spin of 200 us against one of
 * 5 or 20 ms, alternating epoch by epoch in one JVM, two threads against one (ratio of total
 * times, 60-100 epochs each): 1.42 -> 1.57, 0.90 -> 1.08, 1.25 -> 1.40 (5 ms) and 1.49 -> 1.60,
 * 1.25 -> 1.39, 1.26 -> 1.45 (20 ms) in noisy stretches; within 2% (0.99-1.02) in five quieter
 * runs. Past the first 200 us the worker yields instead of spinning, so that a team with more
 * busy threads than CPUs (two callers at once, say) still moves: WorkersTest's two callers on two
 * vCPUs took 0.49 s with the 200 us spin, 12.3 s with a 20 ms one, 0.67 s yielding. The 200 us
 * spin against the yielding wait in seven quieter runs: 1.44 / 1.44, 1.47 / 1.48, 1.57 / 1.56,
 * 1.63 / 1.59, 1.63 / 1.58, 1.59 / 1.59, 1.44 / 1.45; in the last four, the slowest two-thread
 * epoch took 1.00-1.28x the time of a one-thread epoch with the spin, 1.00-1.05x yielding. The
 * spin's PAUSE ({@code Thread.onSpinWait}) costs nothing measurable either, though a hypervisor may
 * take a vCPU away from a PAUSE loop: the sharded step at batch 32 with it and without, alternating
 * epoch by epoch, 1.005, 1.012 and 1.002 (median ratios of 60 epoch pairs).
 *
 * <p>A caller that finds the team busy (another thread's step, or a part of this team's own step
 * asking for the team again) runs every part itself, in order. Parts must therefore be
 * independent of each other and of their thread: the results are then the same either way, and
 * so is a failure (see {@link #run}).
 */
public final class Workers {
  /** One part of a step, {@code part} in {@code [0, parts)}. */
  @FunctionalInterface
  public interface Task {
    void run(int part, int parts);
  }

  /** How long an idle worker, or a caller waiting for the workers, spins on a slot before it yields. */
  static final long SPIN_NANOS = 200_000;

  /** How long an idle worker yields between looks at its slot before it parks (see the class comment). */
  static final long YIELD_NANOS = 20_000_000;

  private static final ConcurrentHashMap<Integer, Workers> BY_THREADS = new ConcurrentHashMap<>();

  /** Put in a worker's slot in place of a part, it ends the worker (see {@link Worker#retire}). */
  private static final Task RETIRE = (part, parts) -> {};

  /** The largest team: far past any core count these kernels are for, short of exhausting native threads. */
  public static final int MAX_THREADS = 1024;

  /** A team of every processor, as {@code Gemm.parallel()} and one model on all cores ask for: capped at {@link #MAX_THREADS}. */
  public static int allProcessors() {
    return teamOf(Runtime.getRuntime().availableProcessors());
  }

  /** The team for {@code processors} processors: all of them, up to {@link #MAX_THREADS}. */
  static int teamOf(int processors) {
    return Math.min(processors, MAX_THREADS);
  }

  private final int threads;
  private final Worker[] workers;
  private final ReentrantLock busy = new ReentrantLock();

  /**
   * The shared team of {@code threads} threads (the caller included): its workers live as long
   * as the JVM, so there is one team per thread count. {@code of(1)} has no workers. A worker
   * that cannot start (no native threads left) throws {@link IllegalStateException}; the ones
   * started before it end, and the next call tries again.
   */
  public static Workers of(int threads) {
    Checks.positive("threads", threads);
    // Each count is a team of daemon threads that live as long as the JVM.
    if (threads > MAX_THREADS) throw new IllegalArgumentException("threads must be <= " + MAX_THREADS + ", got " + threads);
    return BY_THREADS.computeIfAbsent(threads, Workers::new);
  }

  private Workers(int threads) {
    this(threads, Thread::start);
  }

  /**
   * Starts each worker with {@code start} ({@code Thread::start} but in tests, which make it
   * fail at some worker). If a worker fails to start, the ones started before it end and the
   * failure comes back wrapped, naming the team.
   */
  Workers(int threads, Consumer<Thread> start) {
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    try {
      for (int i = 0; i < workers.length; i++) {
        workers[i] = new Worker("caviar-worker-" + threads + "-" + (i + 1));
        start.accept(workers[i]);
      }
    } catch (Throwable e) {
      // computeIfAbsent keeps no failed team, so workers left running would pile up with every
      // retry. The one whose start failed gets the slot too: harmless if it never started.
      for (Worker w : workers) if (w != null) w.retire();
      throw new IllegalStateException(
          "could not start the " + workers.length + " workers of a team of " + threads + " threads: " + e, e);
    }
  }

  /** Threads of the team, the caller's included. */
  public int threads() {
    return threads;
  }

  /**
   * Runs {@code task.run(p, parts)} for every {@code p < parts}, {@code parts <= threads()}, and
   * returns when all have finished. If parts fail, every part has still run to its end, and the
   * failure of the first failing part (the lowest p) is thrown here as itself, whichever thread
   * ran it (its stack trace is that thread's), with the other parts' failures added to it as
   * suppressed; a checked exception thrown undeclared comes wrapped in an
   * {@link IllegalStateException} ("part p failed: ..."). The same whether the team ran the parts
   * or, busy, the caller ran them all: a kernel's {@code IllegalArgumentException} in a part is
   * one whatever the team size.
   */
  public void run(int parts, Task task) {
    if (task == null) throw new IllegalArgumentException("task must not be null");
    if (parts < 1 || parts > threads) {
      throw new IllegalArgumentException("parts must be in [1, " + threads + "], got " + parts);
    }
    // isHeldByCurrentThread: a part that asks for its own team again must not refill a busy slot.
    if (parts == 1 || busy.isHeldByCurrentThread() || !busy.tryLock()) {
      Throwable[] failed = null; // made only when a part failed
      for (int p = 0; p < parts; p++) {
        // Every part runs, as on the team: a failure leaves the same arrays behind either way.
        try {
          task.run(p, parts);
        } catch (Throwable e) {
          if (failed == null) failed = new Throwable[parts];
          failed[p] = e;
        }
      }
      if (failed != null) throwFirst(failed);
      return;
    }
    try {
      for (int p = 1; p < parts; p++) workers[p - 1].submit(task, p, parts);
      Throwable[] failed = null; // made only when a part failed
      try {
        task.run(0, parts);
      } catch (Throwable e) {
        failed = new Throwable[parts];
        failed[0] = e;
      }
      // Wait for every worker even after a failure here: none may still write into the caller's arrays.
      for (int p = 1; p < parts; p++) {
        Throwable f = workers[p - 1].awaitDone();
        if (f != null) {
          if (failed == null) failed = new Throwable[parts];
          failed[p] = f;
        }
      }
      if (failed != null) throwFirst(failed);
    } finally {
      busy.unlock();
    }
  }

  /**
   * Throws what {@link #run} throws for the parts' failures ({@code failed[p]}, null for a part
   * that ended normally, at least one not null).
   */
  private static void throwFirst(Throwable[] failed) {
    int first = 0;
    while (failed[first] == null) first++;
    Throwable f = failed[first];
    // A checked exception thrown without being declared (a "sneaky throw"): not lost either.
    Throwable thrown = f instanceof RuntimeException || f instanceof Error ? f
        : new IllegalStateException("part " + first + " failed: " + f, f);
    // Every other part's failure rides along. Not the thrown object or its cause (one shared
    // preallocated OutOfMemoryError, say): suppressing itself would throw instead.
    for (int p = first + 1; p < failed.length; p++) {
      Throwable other = failed[p];
      if (other != null && other != thrown && other != thrown.getCause()) thrown.addSuppressed(other);
    }
    if (thrown instanceof RuntimeException r) throw r;
    throw (Error) thrown;
  }

  /**
   * The first index of part {@code part} when {@code [0, extent)} is cut into {@code parts}
   * shares of whole {@code unit}s (the last unit may be short); {@code part == parts} gives
   * {@code extent}. Shares differ by at most one unit.
   */
  public static int boundary(int extent, int unit, int part, int parts) {
    Checks.nonNegative("extent", extent);
    Checks.positive("unit", unit);
    Checks.positive("parts", parts);
    if (part < 0 || part > parts) throw new IllegalArgumentException("part must be in [0, " + parts + "], got " + part);
    // In long: an extent near Integer.MAX_VALUE, or a large unit, overflowed int.
    long units = ((long) extent + unit - 1) / unit;
    return (int) Math.min(extent, units * part / parts * unit);
  }

  /**
   * A daemon thread with one slot: the caller fills the slot's fields, then sets {@code pending};
   * the worker runs the part and clears {@code pending}. The volatile write and read of
   * {@code pending} order the plain fields on both sides.
   */
  private static final class Worker extends Thread {
    private volatile boolean pending;
    private volatile boolean parked;
    private Task task;
    private int part;
    private int parts;
    private Throwable failure;

    Worker(String name) {
      super(name);
      setDaemon(true);
    }

    void submit(Task task, int part, int parts) {
      this.task = task;
      this.part = part;
      this.parts = parts;
      pending = true;
      // Dekker with the worker's (parked = true; read pending): one of the two sees the other.
      if (parked) LockSupport.unpark(this);
    }

    /** Ends the worker when it next looks at its slot, waking it if parked: its team failed to start. */
    void retire() {
      submit(RETIRE, 0, 0);
    }

    /** Waits for the part; returns what it threw, or null. */
    Throwable awaitDone() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (pending) {
        // Yielding lets a worker that shares this CPU (more threads than CPUs) finish the part.
        if (System.nanoTime() < spinUntil) Thread.onSpinWait();
        else Thread.yield();
      }
      Throwable f = failure;
      failure = null;
      return f;
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      while (true) {
        if (pending) {
          if (task == RETIRE) return; // its team failed to start; a plain read the part's call makes anyway
          try {
            task.run(part, parts);
          } catch (Throwable e) {
            failure = e;
          } finally {
            // A part that set the interrupt flag (restoring it after an InterruptedException, say)
            // would leave it to every later part on this thread, and park would return at once.
            Thread.interrupted();
          }
          task = null; // do not keep the caller's arrays alive
          pending = false;
          idleSince = System.nanoTime();
          continue;
        }
        long idle = System.nanoTime() - idleSince;
        if (idle < SPIN_NANOS) {
          Thread.onSpinWait();
        } else if (idle < YIELD_NANOS) {
          Thread.yield();
        } else {
          parked = true;
          if (!pending) LockSupport.park(this);
          parked = false;
          // Nothing owns these threads to act on an interrupt; a set flag would make park spin.
          Thread.interrupted();
          idleSince = System.nanoTime();
        }
      }
    }
  }
}
