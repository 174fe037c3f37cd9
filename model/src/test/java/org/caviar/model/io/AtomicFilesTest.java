package org.caviar.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** A report's files may be read as any new file may (the umask's permissions), for a web server or a colleague. */
  @Test
  void aWrittenFileHasANewFilesPermissions() throws IOException {
    Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"));
    Path file = dir.resolve("index.html");
    AtomicFiles.writeString(file, "page");
    Path plain = Files.createFile(dir.resolve("plain"));
    assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
  }

  private List<String> listing() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }
}
