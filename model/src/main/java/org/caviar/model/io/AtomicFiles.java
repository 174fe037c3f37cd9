package org.caviar.model.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files whole or not at all: each to a new file beside it, under a name of its own, then
 * moved over it. A run stopped while it writes (killed, or halted when its interrupted epoch took
 * too long) leaves each file as it was or as it is now, never a page that ends mid-table or a
 * truncated CSV, image or model, and two writers of one file each move only their own whole file.
 *
 * <p>Power cuts too: the new file's contents are forced to the disk ({@link FileChannel#force})
 * before the move, so that the name never survives on data that did not (ext4 and XFS may keep a
 * rename whose file's blocks were never written: an empty or zero-filled file). After the move
 * the folder is forced, where the platform opens folders (Linux, macOS; not Windows, where the
 * move is left to the file system's journal), so that the new name itself is on the disk when
 * {@link #write} returns. Every file this project writes whole goes through here: models, report
 * pages, CSVs and charts.
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

  /**
   * Has {@code content} write a new file beside {@code file}, forces it to the disk, moves it over
   * {@code file} and forces the folder; a failure before the move (of the content, or of forcing
   * it) leaves neither changed nor a file behind. A {@code file} that exists and is not a regular
   * file (a device, a pipe, a folder) is an IOException before anything is written.
   */
  public static void write(Path file, Content content) throws IOException {
    write(file, content, Disk.FORCE);
  }

  /** How a write reaches the disk: {@link #FORCE}, or for tests a recording of when it is asked to. */
  interface Disk {
    /** Forces a file's contents (and size) to the disk. */
    void forceFile(Path file) throws IOException;

    /** Forces a folder's entries to the disk where the platform can; a no-op where it cannot open a folder. */
    void forceFolder(Path folder) throws IOException;

    Disk FORCE = new Disk() {
      @Override
      public void forceFile(Path file) throws IOException {
        // fsync flushes the file's pages, whichever descriptor wrote them.
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
      }

      @Override
      public void forceFolder(Path folder) throws IOException {
        FileChannel channel;
        try {
          channel = FileChannel.open(folder, StandardOpenOption.READ);
        } catch (IOException notOnThisPlatform) {
          return; // Windows opens no folder as a file: its NTFS journals the rename itself.
        }
        try (channel) {
          channel.force(true);
        } catch (IOException notSupported) {
          // Some file systems refuse fsync on a folder (EINVAL): the move stands, as it would without it.
        }
      }
    };
  }

  static void write(Path file, Content content, Disk disk) throws IOException {
    // The move replaces what is there: a device (for root, /dev/null became a regular file for every
    // process), a pipe, or an empty folder. A link is replaced as a link, as before.
    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        && !Files.isSymbolicLink(file)) {
      throw new IOException(file + " exists and is not a regular file (" + (Files.isDirectory(file) ? "a folder" : "a device or a pipe")
          + "): writing it would replace it; give the path of a file");
    }
    removeStalePartials(file);
    Path temp = newFileBeside(file);
    try {
      content.writeTo(temp);
      disk.forceFile(temp);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (Throwable e) {
      try {
        Files.deleteIfExists(temp);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    } finally {
      LIVE.remove(temp); // moved or deleted: nothing is left under this name
    }
    disk.forceFolder(temp.getParent());
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
        register(temp);
        return temp;
      } catch (FileAlreadyExistsException taken) {
        // Another writer's (or a killed one's): left alone, another name is drawn.
      }
    }
  }

  /**
   * How long a {@code .partial} file may go unwritten before a write of its file takes it for one
   * left by a killed writer: no writer of a whole file pauses that long between two of its writes.
   */
  static final Duration STALE_AFTER = Duration.ofMinutes(10);

  /**
   * Deletes the temporary files of {@code file} (its name, a unique part, {@code .partial}) that
   * no one has written for {@link #STALE_AFTER}: a run killed outright (kill -9, a power cut) while it
   * wrote left one, which nothing else removes (an 8 MB model.caviar.2lexi5l9qe7hn.partial beside
   * the model after each kill during a save). A recent one may be another writer's, under way: it
   * is left alone. Best effort: a file that cannot be listed or deleted stays, and the write goes on.
   */
  private static void removeStalePartials(Path file) {
    Path target = file.toAbsolutePath();
    Path folder = target.getParent();
    String prefix = target.getFileName() + ".";
    long before = System.currentTimeMillis() - STALE_AFTER.toMillis();
    try (DirectoryStream<Path> partials = Files.newDirectoryStream(folder, f -> isTemporaryOf(f.getFileName().toString(), prefix))) {
      for (Path f : partials) {
        try {
          if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) && Files.getLastModifiedTime(f, LinkOption.NOFOLLOW_LINKS).toMillis() < before) {
            Files.deleteIfExists(f);
          }
        } catch (IOException e) {
          // Another's, or gone already: left as it is.
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      // A folder that cannot be listed: the write says so itself if it cannot write there either.
    }
  }

  /** Whether {@code name} is {@code prefix} (a file's name and a dot), a unique part as {@link #newFileBeside} draws it, {@code .partial}. */
  private static boolean isTemporaryOf(String name, String prefix) {
    // Long enough for both ends and a part between: "m.caviar.partial" is m.caviar's prefix and suffix overlapping.
    if (name.length() <= prefix.length() + ".partial".length() || !name.startsWith(prefix) || !name.endsWith(".partial")) return false;
    String unique = name.substring(prefix.length(), name.length() - ".partial".length());
    return unique.matches("[0-9a-z]{11,13}"); // a random long in base 36: 13 digits, rarely fewer
  }

  /**
   * The temporary files of the writes under way, removed from as each is moved into place or
   * deleted. A run stopped (Ctrl-C, a plain kill) while it writes, a tune's report say, halts its
   * writing thread mid-file, which left the {@code .partial} file in the folder for good: what is
   * here when the JVM exits is deleted. (It was {@link java.io.File#deleteOnExit} for each file,
   * whose list only grows: one entry per write for the JVM's lifetime, thousands in a long tune.)
   */
  private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

  /** Set by the shutdown hook: from then on each new temporary file is handed to the JVM at once. */
  private static volatile boolean exiting;

  /**
   * Registers {@code temp} and, on the first write, the hook. The hook does not delete the files
   * itself: shutdown hooks run together, and another may still be writing (an interrupted
   * {@code train} ends its epoch and saves while the JVM shuts down; deleting its temporary file
   * would fail that last save). It hands each file left to {@link java.io.File#deleteOnExit},
   * whose deletions run after every shutdown hook has returned, so only the files of writes under
   * way as the JVM exits join that list; a file moved into place by then is gone under this name,
   * and its deletion does nothing. A kill -9 or {@link Runtime#halt} still leaves one.
   */
  private static void register(Path temp) {
    LIVE.add(temp);
    if (!hookAdded) addHook();
    // After the add: a hook that ran before it missed this file, and set the flag first.
    if (exiting) deleteOnExit(temp);
  }

  private static volatile boolean hookAdded;

  /** Adds the hook once, at the first write: a JVM that writes no file has none. */
  private static synchronized void addHook() {
    if (hookAdded) return;
    hookAdded = true;
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::handOverLeftovers, "caviar-partial-files"));
    } catch (IllegalStateException shuttingDown) {
      handOverLeftovers(); // the first write is one during shutdown: its file goes to the JVM's list now
    }
  }

  private static void handOverLeftovers() {
    exiting = true;
    LIVE.forEach(AtomicFiles::deleteOnExit);
  }

  /** How many temporary files are registered: those of the writes under way, for tests. */
  static int liveTemporaryFiles() {
    return LIVE.size();
  }

  private static void deleteOnExit(Path temp) {
    try {
      temp.toFile().deleteOnExit();
    } catch (IllegalStateException | UnsupportedOperationException shuttingDownOrNotAFile) {
      // Written as the JVM ends its exit (too late to ask), or on a file system without files.
    }
  }
}
