package org.caviar.search.cli;

import java.io.PrintWriter;

/**
 * Lines written to stderr from where a stalled stderr (a full pipe that nobody reads, a terminal
 * paused with Ctrl-S) must not hold the process: a shutdown hook, which the JVM waits for before it
 * exits, and the handler of a second Ctrl-C, which halts after its message. (So are the hook's last
 * writes to stdout: {@link #within}.)
 */
final class Stderr {
  /** How long a line is waited for before the caller goes on without it. */
  static final long WAIT_MILLIS = 1000;

  private Stderr() {}

  /**
   * Writes {@code line} to {@code err} on a thread of its own and waits for it at most
   * {@link #WAIT_MILLIS}: a write that blocks is left behind (a daemon thread: nothing waits for it).
   */
  static void println(PrintWriter err, String line) {
    within(() -> {
      err.println(line);
      err.flush();
    });
  }

  /**
   * Runs {@code write} (e.g. a progress bar's last frame, to a terminal that may be paused) on a
   * thread of its own and waits for it at most {@link #WAIT_MILLIS}, as {@link #println}.
   */
  static void within(Runnable write) {
    Thread say = Thread.ofPlatform().daemon().name("caviar-stderr").start(write);
    try {
      say.join(WAIT_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller goes on without it, as on a timeout
    }
  }
}
