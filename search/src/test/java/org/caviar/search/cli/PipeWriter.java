package org.caviar.search.cli;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes bytes once into a named pipe, on a daemon thread of its own, for a run that reads it as its
 * data. The write waits for a reader to open the pipe; {@link #close} ends that wait if the run never
 * read it (a reader's open, even one closed at once, releases the writer) and joins the thread.
 */
final class PipeWriter implements AutoCloseable {
  private final Path fifo;
  private final Thread writer;

  PipeWriter(Path fifo, byte[] bytes) {
    this.fifo = fifo;
    this.writer = Thread.ofPlatform().daemon().start(() -> {
      try (var pipe = Files.newOutputStream(fifo)) { // waits for the run to open it to read
        pipe.write(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  @Override
  public void close() throws IOException {
    new RandomAccessFile(fifo.toFile(), "rw").close();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the test's own interrupt, kept for it
    }
  }
}
