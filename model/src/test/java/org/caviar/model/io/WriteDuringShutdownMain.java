package org.caviar.model.io;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM whose write of {@code args[0]} is under way as the JVM shuts down, and ends after
 * AtomicFiles' own hook has run, while a hook of its own waits for it (as an interrupted
 * {@code train} waits for its last save): it prints "writing", the test sends the signal.
 */
final class WriteDuringShutdownMain {
  private WriteDuringShutdownMain() {}

  public static void main(String[] args) throws Exception {
    CountDownLatch shuttingDown = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shuttingDown.countDown();
      try {
        written.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    // Through one stream, as a model is written: a file deleted under it is gone with what it wrote.
    AtomicFiles.write(Path.of(args[0]), temp -> {
      try (OutputStream o = Files.newOutputStream(temp)) {
        o.write("the first half, ".getBytes(StandardCharsets.UTF_8));
        o.flush();
        System.out.println("writing");
        System.out.flush();
        try {
          shuttingDown.await();
          Thread.sleep(500); // every hook has started by now, AtomicFiles' too
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        o.write("the second half".getBytes(StandardCharsets.UTF_8));
      }
    });
    System.out.println("written");
    System.out.flush();
    written.countDown();
  }
}
