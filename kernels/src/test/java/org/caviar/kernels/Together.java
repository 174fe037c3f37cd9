package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/** The harness of the tests of concurrent callers: bodies on threads of their own, released at once. */
final class Together {
  private Together() {}

  /** One thread's work; what it throws fails the test. */
  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs each body on a thread of its own, all started by one latch, and waits up to 60 s for each;
   * then fails on a thread still running or on the first thing a body threw.
   */
  static void run(List<Body> bodies) throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread[] threads = new Thread[bodies.size()];
    for (int t = 0; t < threads.length; t++) {
      Body body = bodies.get(t);
      threads[t] = new Thread(() -> {
        try {
          start.await();
          body.run();
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      threads[t].start();
    }
    start.countDown();
    for (Thread t : threads) t.join(60_000);
    // Still running, it would hold a shared team and fail the later tests for it, not this one.
    for (Thread t : threads) assertFalse(t.isAlive(), t.getName() + " still running after 60 s");
    if (failure.get() != null) throw new AssertionError(failure.get());
  }
}
