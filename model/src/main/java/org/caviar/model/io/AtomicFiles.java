package org.caviar.model.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files whole or not at all: each to a new file beside it, under a name of its own, then
 * moved over it. A run stopped while it writes (killed, or halted when its interrupted epoch took
 * too long) leaves each file as it was or as it is now, never a page that ends mid-table or a
 * truncated CSV, image or model, and two writers of one file each move only their own whole file.
 * Nothing is forced to the disk here: a content that must survive a power cut forces its own file
 * before it returns, as {@link ModelFile#save} does; a report's pages and charts do not.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes the content of a file to the path it is given. */
  @FunctionalInterface
  public interface Content {
    void writeTo(Path file) throws IOException;
  }

  /** Writes {@code text} as UTF-8. */
  public static void writeString(Path file, String text) throws IOException {
    write(file, temp -> Files.writeString(temp, text, StandardCharsets.UTF_8));
  }

  /** Has {@code content} write a new file beside {@code file}, then moves it over {@code file}; a failure leaves neither changed nor a file behind. */
  public static void write(Path file, Content content) throws IOException {
    Path temp = newFileBeside(file);
    try {
      content.writeTo(temp);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (Throwable e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }

  /**
   * An empty file beside {@code file} under a name no other file has, e.g.
   * {@code index.html.3k9x0q2b7t1c.partial}. Not {@link Files#createTempFile}: its file would be
   * readable by its owner alone, and so would the file moved from it.
   */
  private static Path newFileBeside(Path file) throws IOException {
    Path target = file.toAbsolutePath();
    while (true) {
      String unique = Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36);
      Path temp = target.resolveSibling(target.getFileName() + "." + unique + ".partial");
      try {
        Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        return temp;
      } catch (FileAlreadyExistsException taken) {
        // Another writer's (or a killed one's): left alone, another name is drawn.
      }
    }
  }
}
