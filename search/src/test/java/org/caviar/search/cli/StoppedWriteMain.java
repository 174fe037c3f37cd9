package org.caviar.search.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.caviar.model.io.AtomicFiles;

/**
 * A child JVM that writes {@code args[0]} through {@link AtomicFiles} and is stopped in the middle:
 * it writes half the file, prints "writing", and waits for the signal the test sends.
 */
final class StoppedWriteMain {
  private StoppedWriteMain() {}

  public static void main(String[] args) throws Exception {
    AtomicFiles.write(Path.of(args[0]), temp -> {
      Files.writeString(temp, "<html><body><table><tr><td>half a ");
      System.out.println("writing");
      System.out.flush();
      try {
        new CountDownLatch(1).await(); // the signal ends the JVM here
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
