package org.caviar.search.objective;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Memory shared by the trials that run side by side in one JVM: a trial reserves what its training
 * will hold before it allocates anything, and releases it when it ends, however it ends (a
 * try-with-resources on the {@link Reservation}). Each trial alone may fit while several together
 * overrun the heap, one of them ending in an OutOfMemoryError after allocating for long; here a
 * trial that fits the budget but not beside the running ones waits until enough is released.
 *
 * <p>Waiters are served in the order they came: a small trial that would fit now waits behind a
 * large one that waits, else a stream of small trials could keep the large one waiting forever. A
 * waiting thread's interrupt ends its wait at once, with {@link InterruptedException}, and gives up
 * its place in line. More than the whole budget is refused at once: it could never fit.
 *
 * <p>A wait is told to the {@link Listener} as it starts and as it ends, so that a study that
 * seems stuck says why (tune's display): its trial looked running, and nothing said it waited.
 */
public final class HeapBudget {
  /** Told of a trial's wait for memory, on the waiting trial's thread and outside the budget's lock. */
  public interface Listener {
    /** Trial {@code wait.trial()} starts to wait, for the reasons {@code wait} gives. */
    void waits(MemoryWait wait);

    /** The trial of {@code wait} has its memory after waiting {@code waitedNanos}, and trains. */
    void goesOn(MemoryWait wait, long waitedNanos);

    /** Tells no one. */
    Listener NONE = new Listener() {
      @Override
      public void waits(MemoryWait wait) {}

      @Override
      public void goesOn(MemoryWait wait, long waitedNanos) {}
    };
  }

  private final long bytes;
  private final Listener listener;
  /** Guarded by this: bytes held by reservations not yet closed, never more than {@link #bytes}. */
  private long reserved;
  /** Guarded by this: the open reservations, in the order they were taken. */
  private final List<Reservation> open = new ArrayList<>();
  /** Guarded by this: the waiting reservations, oldest first; only the first may take its bytes. */
  private final ArrayDeque<Waiter> line = new ArrayDeque<>();

  /** @param bytes what the trials may hold together */
  public HeapBudget(long bytes) {
    this(bytes, Listener.NONE);
  }

  /** The same, telling {@code listener} of every wait. */
  public HeapBudget(long bytes, Listener listener) {
    if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    if (listener == null) throw new IllegalArgumentException("listener must not be null (Listener.NONE tells no one)");
    this.bytes = bytes;
    this.listener = listener;
  }

  /** What the trials may hold together. */
  public long bytes() {
    return bytes;
  }

  /** What the open reservations hold now. */
  public synchronized long reserved() {
    return reserved;
  }

  /** How many reservations wait for memory now. */
  public synchronized int waiting() {
    return line.size();
  }

  /**
   * Reserves {@code n} bytes for trial {@code trial}, waiting (in turn) until the open reservations
   * leave room for them; a wait is told to the listener as it starts and as it ends.
   *
   * @throws IllegalArgumentException if {@code n} is negative or more than the whole budget
   * @throws InterruptedException if the thread is interrupted while it waits; nothing is reserved
   */
  public Reservation reserve(int trial, long n) throws InterruptedException {
    Waiter me;
    synchronized (this) {
      if (n < 0) throw new IllegalArgumentException("bytes must be >= 0, got " + n);
      if (n > bytes) throw new IllegalArgumentException("bytes must be at most the budget's " + bytes + ", got " + n);
      if (line.isEmpty() && n <= bytes - reserved) return take(trial, n);
      me = new Waiter(new MemoryWait(trial, n, held(), line.stream().map(w -> w.wait.trial()).toList(), bytes), System.nanoTime());
      line.addLast(me);
    }
    // Told outside the lock: a listener that prints (to a pipe that is full, say) holds up no other trial's release.
    Reservation taken = null;
    try {
      listener.waits(me.wait);
      synchronized (this) {
        while (line.peekFirst() != me || n > bytes - reserved) wait();
        line.removeFirst();
        notifyAll(); // the next in line may fit beside this one too
        taken = take(trial, n);
      }
      listener.goesOn(me.wait, System.nanoTime() - me.since);
      return taken;
    } catch (InterruptedException | RuntimeException | Error e) {
      // Its place in line given up (interrupted, or a listener that threw), or what it took released.
      synchronized (this) {
        if (taken == null) {
          line.remove(me);
          notifyAll(); // the next in line may fit where this one did not
        }
      }
      if (taken != null) taken.close();
      throw e;
    }
  }

  /** Guarded by this: bytes held now by trial number, in order. */
  private SortedMap<Integer, Long> held() {
    SortedMap<Integer, Long> held = new TreeMap<>();
    for (Reservation r : open) held.merge(r.trial, r.bytes, Long::sum);
    return held;
  }

  /** Guarded by this. */
  private Reservation take(int trial, long n) {
    reserved += n;
    Reservation r = new Reservation(trial, n);
    open.add(r);
    return r;
  }

  /** A reservation in line, and since when it waits ({@link System#nanoTime}); each one itself (not equal to another alike). */
  private static final class Waiter {
    final MemoryWait wait;
    final long since;

    Waiter(MemoryWait wait, long since) {
      this.wait = wait;
      this.since = since;
    }
  }

  /** Bytes held until {@link #close()} (which releases them once, however often it is called). */
  public final class Reservation implements AutoCloseable {
    private final int trial;
    private final long bytes;
    private boolean closed;

    private Reservation(int trial, long bytes) {
      this.trial = trial;
      this.bytes = bytes;
    }

    public long bytes() {
      return bytes;
    }

    @Override
    public void close() {
      synchronized (HeapBudget.this) {
        if (closed) return;
        closed = true;
        reserved -= bytes;
        open.remove(this);
        HeapBudget.this.notifyAll();
      }
    }
  }
}
