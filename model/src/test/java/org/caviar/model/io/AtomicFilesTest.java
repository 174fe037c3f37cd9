package org.caviar.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
  @TempDir Path dir;

  @Test
  void aWriteReplacesTheFileAndLeavesNothingBeside() throws IOException {
    Path file = dir.resolve("index.html");
    AtomicFiles.writeString(file, "old");
    AtomicFiles.writeString(file, "new, é");
    assertEquals("new, é", Files.readString(file));
    assertEquals(List.of("index.html"), listing());
  }

  /** A write that fails half way (a full disk, an error rendering a chart) leaves the old file as it was, and no temporary file. */
  @Test
  void aFailedWriteLeavesTheOldFile() throws IOException {
    Path file = dir.resolve("epochs.csv");
    AtomicFiles.writeString(file, "epoch,loss\n0,1.5\n");
    var e = assertThrows(IOException.class, () -> AtomicFiles.write(file, temp -> {
      Files.writeString(temp, "epoch,lo");
      throw new IOException("No space left on device");
    }));
    assertEquals("No space left on device", e.getMessage());
    assertThrows(IllegalStateException.class, () -> AtomicFiles.write(file, temp -> {
      throw new IllegalStateException("a chart that cannot be drawn");
    }));
    assertEquals("epoch,loss\n0,1.5\n", Files.readString(file));
    assertEquals(List.of("epochs.csv"), listing());
  }

  /**
   * A write forces the new file's whole content to the disk before the move (the name must not
   * survive a power cut on data that did not), and the folder after it (the new name itself). A
   * power cut cannot be had in a test: what is checked is that each force is asked for, when, and
   * of what; and that the real one runs on this platform.
   */
  @Test
  void aWriteForcesTheFileBeforeTheMoveAndTheFolderAfter() throws IOException {
    Path file = dir.resolve("trials.csv");
    AtomicFiles.writeString(file, "old");
    List<String> events = new ArrayList<>();
    AtomicFiles.Disk recording = new AtomicFiles.Disk() {
      @Override
      public void forceFile(Path f) throws IOException {
        events.add("file " + f.getParent().equals(dir.toAbsolutePath()) + " " + f.getFileName().toString().startsWith("trials.csv.")
            + " " + Files.readString(f) + " target " + Files.readString(file));
      }

      @Override
      public void forceFolder(Path folder) throws IOException {
        events.add("folder " + folder.equals(dir.toAbsolutePath()) + " target " + Files.readString(file) + " " + listing());
      }
    };
    AtomicFiles.write(file, temp -> Files.writeString(temp, "trial,value\n0,0.5\n"), recording);
    assertEquals(List.of("file true true trial,value\n0,0.5\n target old", "folder true target trial,value\n0,0.5\n [trials.csv]"),
        events);
    // The real forces, on this platform's file system.
    AtomicFiles.writeString(file, "done");
    assertEquals("done", Files.readString(file));
    assertEquals(List.of("trials.csv"), listing());
  }

  /** A force that fails (an I/O error on the disk) is a failed write: the old file stays, no temporary file. */
  @Test
  void aFailedForceLeavesTheOldFile() throws IOException {
    Path file = dir.resolve("index.html");
    AtomicFiles.writeString(file, "old page");
    AtomicFiles.Disk failing = new AtomicFiles.Disk() {
      @Override
      public void forceFile(Path f) throws IOException {
        throw new IOException("Input/output error");
      }

      @Override
      public void forceFolder(Path folder) {
        throw new AssertionError("no move, no folder to force");
      }
    };
    var e = assertThrows(IOException.class, () -> AtomicFiles.write(file, temp -> Files.writeString(temp, "new page"), failing));
    assertEquals("Input/output error", e.getMessage());
    assertEquals("old page", Files.readString(file));
    assertEquals(List.of("index.html"), listing());
  }

  /** A report's files may be read as any new file may (the umask's permissions), for a web server or a colleague. */
  @Test
  void aWrittenFileHasANewFilesPermissions() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("index.html");
    AtomicFiles.writeString(file, "page");
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
  }

  /**
   * A run killed outright (kill -9) while it wrote leaves its .partial file; the next write of that
   * file deletes it once no one has written it for a while, but not a recent one (another writer's,
   * under way), nor another file's, nor a name it did not draw. They stayed for good.
   */
  @Test
  void aWriteRemovesItsFilesStalePartials() throws IOException {
    Path model = dir.resolve("model.caviar");
    FileTime old = FileTime.fromMillis(System.currentTimeMillis() - AtomicFiles.STALE_AFTER.toMillis() - 60_000);
    Path stale = Files.writeString(dir.resolve("model.caviar.2lexi5l9qe7hn.partial"), "half a model");
    Files.setLastModifiedTime(stale, old);
    Path underWay = Files.writeString(dir.resolve("model.caviar.23f8bykvmjyzg.partial"), "a model being written");
    Path another = Files.writeString(dir.resolve("index.html.3k9x0q2b7t1c.partial"), "half a page");
    Files.setLastModifiedTime(another, old);
    Path users = Files.writeString(dir.resolve("model.caviar.backup.partial"), "the user's");
    Files.setLastModifiedTime(users, old);
    AtomicFiles.writeString(model, "a model");
    assertEquals(List.of("index.html.3k9x0q2b7t1c.partial", "model.caviar", "model.caviar.23f8bykvmjyzg.partial",
        "model.caviar.backup.partial"), listing());
    assertEquals("a model being written", Files.readString(underWay));
  }

  private List<String> listing() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
