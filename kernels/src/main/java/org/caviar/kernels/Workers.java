package org.caviar.kernels;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

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
 * on it for {@link #SPIN_NANOS} after its last part before it parks.
 *
 * <p>A caller that finds the team busy (another thread's step, or a part of this team's own step
 * asking for the team again) runs every part itself, in order. Parts must therefore be
 * independent of each other and of their thread: the results are then the same either way.
 */
public final class Workers {
  /** One part of a step, {@code part} in {@code [0, parts)}. */
  @FunctionalInterface
  public interface Task {
    void run(int part, int parts);
  }

  /** How long an idle worker watches its slot before it parks. */
  static final long SPIN_NANOS = 200_000;

  private static final ConcurrentHashMap<Integer, Workers> BY_THREADS = new ConcurrentHashMap<>();

  private final int threads;
  private final Worker[] workers;
  private final ReentrantLock busy = new ReentrantLock();

  /**
   * The shared team of {@code threads} threads (the caller included): its workers live as long
   * as the JVM, so there is one team per thread count. {@code of(1)} has no workers.
   */
  public static Workers of(int threads) {
    Checks.positive("threads", threads);
    return BY_THREADS.computeIfAbsent(threads, Workers::new);
  }

  private Workers(int threads) {
    this.threads = threads;
    this.workers = new Worker[threads - 1];
    for (int i = 0; i < workers.length; i++) {
      workers[i] = new Worker("caviar-worker-" + threads + "-" + (i + 1));
      workers[i].start();
    }
  }

  /** Threads of the team, the caller's included. */
  public int threads() {
    return threads;
  }

  /**
   * Runs {@code task.run(p, parts)} for every {@code p < parts}, {@code parts <= threads()}, and
   * returns when all have finished. An exception in a part is rethrown here (wrapped when it
   * happened on a worker).
   */
  public void run(int parts, Task task) {
    if (task == null) throw new IllegalArgumentException("task must not be null");
    if (parts < 1 || parts > threads) {
      throw new IllegalArgumentException("parts must be in [1, " + threads + "], got " + parts);
    }
    // isHeldByCurrentThread: a part that asks for its own team again must not refill a busy slot.
    if (parts == 1 || busy.isHeldByCurrentThread() || !busy.tryLock()) {
      for (int p = 0; p < parts; p++) task.run(p, parts);
      return;
    }
    try {
      for (int p = 1; p < parts; p++) workers[p - 1].submit(task, p, parts);
      Throwable mine = null;
      try {
        task.run(0, parts);
      } catch (Throwable e) {
        mine = e;
      }
      // Wait for every worker even after a failure here: none may still write into the caller's arrays.
      Throwable theirs = null;
      for (int p = 1; p < parts; p++) {
        Throwable f = workers[p - 1].awaitDone();
        if (theirs == null) theirs = f;
      }
      if (mine instanceof RuntimeException r) throw r;
      if (mine instanceof Error e) throw e;
      if (theirs != null) throw new IllegalStateException("a part failed on a worker thread: " + theirs, theirs);
    } finally {
      busy.unlock();
    }
  }

  /**
   * The first index of part {@code part} when {@code [0, extent)} is cut into {@code parts}
   * shares of whole {@code unit}s (the last unit may be short); {@code part == parts} gives
   * {@code extent}. Shares differ by at most one unit.
   */
  public static int boundary(int extent, int unit, int part, int parts) {
    int units = (extent + unit - 1) / unit;
    return Math.min(extent, (int) ((long) units * part / parts) * unit);
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

    /** Waits for the part; returns what it threw, or null. */
    Throwable awaitDone() {
      while (pending) Thread.onSpinWait();
      Throwable f = failure;
      failure = null;
      return f;
    }

    @Override
    public void run() {
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (true) {
        if (pending) {
          try {
            task.run(part, parts);
          } catch (Throwable e) {
            failure = e;
          }
          task = null; // do not keep the caller's arrays alive
          pending = false;
          spinUntil = System.nanoTime() + SPIN_NANOS;
        } else if (System.nanoTime() < spinUntil) {
          Thread.onSpinWait();
        } else {
          parked = true;
          if (!pending) LockSupport.park(this);
          parked = false;
          spinUntil = System.nanoTime() + SPIN_NANOS;
        }
      }
    }
  }
}
