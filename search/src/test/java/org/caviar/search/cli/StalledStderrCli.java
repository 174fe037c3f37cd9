package org.caviar.search.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

/**
 * The command line in a child JVM whose stderr is stalled, as a terminal paused with Ctrl-S or a
 * full pipe that nobody reads: a thread writes to it until the pipe, which the test leaves unread,
 * is full. It writes to the descriptor itself, not through System.err, so that the command's own
 * writes to stderr block in the write, as on a stalled terminal, not on System.err's lock.
 */
final class StalledStderrCli {
  private StalledStderrCli() {}

  public static void main(String[] args) {
    Thread.ofPlatform().daemon().name("stderr-filler").start(() -> {
      byte[] filler = new byte[4096];
      java.util.Arrays.fill(filler, (byte) '.');
      // Not closed: that would close the JVM's stderr.
      FileOutputStream err = new FileOutputStream(FileDescriptor.err);
      try {
        while (true) err.write(filler); // blocks for good once the pipe is full
      } catch (IOException e) {
        // The test closed the pipe: nothing to stall any more.
      }
    });
    CaviarCli.main(args);
  }
}
