package org.caviar.search.objective;

import java.util.ArrayDeque;

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
 */
public final class HeapBudget {
  private final long bytes;
  /** Guarded by this: bytes held by reservations not yet closed, never more than {@link #bytes}. */
  private long reserved;
  /** Guarded by this: the waiting reservations, oldest first; only the first may take its bytes. */
  private final ArrayDeque<Object> line = new ArrayDeque<>();

  /** @param bytes what the trials may hold together */
  public HeapBudget(long bytes) {
    if (bytes < 0) throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
    this.bytes = bytes;
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
   * Reserves {@code n} bytes, waiting (in turn) until the open reservations leave room for them.
   *
   * @throws IllegalArgumentException if {@code n} is negative or more than the whole budget
   * @throws InterruptedException if the thread is interrupted while it waits; nothing is reserved
   */
  public synchronized Reservation reserve(long n) throws InterruptedException {
    if (n < 0) throw new IllegalArgumentException("bytes must be >= 0, got " + n);
    if (n > bytes) throw new IllegalArgumentException("bytes must be at most the budget's " + bytes + ", got " + n);
    if (line.isEmpty() && n <= bytes - reserved) return take(n);
    Object me = new Object();
    line.addLast(me);
    try {
      while (line.peekFirst() != me || n > bytes - reserved) wait();
    } catch (InterruptedException e) {
      line.remove(me);
      notifyAll(); // the next in line may fit where this one did not
      throw e;
    }
    line.removeFirst();
    notifyAll(); // the next in line may fit beside this one too
    return take(n);
  }

  private Reservation take(long n) {
    reserved += n;
    return new Reservation(n);
  }

  private synchronized void release(long n) {
    reserved -= n;
    notifyAll();
  }

  /** Bytes held until {@link #close()} (which releases them once, however often it is called). */
  public final class Reservation implements AutoCloseable {
    private final long bytes;
    private boolean closed;

    private Reservation(long bytes) {
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
        release(bytes);
      }
    }
  }
}
