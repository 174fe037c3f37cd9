package org.caviar.model.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  /**
   * Each write's temporary file is forgotten once moved: the JVM's delete-on-exit list, to which
   * each write added its file's name for the JVM's lifetime, stays empty however many files a run
   * writes (a long tune writes thousands).
   */
  @Test
  void manyWritesLeaveNothingToDeleteAtExit() throws Exception {
    for (int i = 0; i < 200; i++) AtomicFiles.writeString(dir.resolve("trials.csv"), "row " + i);
    assertEquals(0, AtomicFiles.liveTemporaryFiles());
    String out = child(List.of("--add-opens=java.base/java.io=ALL-UNNAMED"), ManyWritesMain.class,
        dir.resolve("index.html").toString(), "1000");
    assertTrue(out.contains("delete on exit: 0\n"), out);
  }

  /**
   * A write under way as the JVM shuts down, that a shutdown hook waits for, ends whole: the
   * temporary files left at exit are deleted after every hook, not while one still writes.
   */
  @Test
  void aWriteThatEndsDuringShutdownIsKept() throws Exception {
    Path file = dir.resolve("model.caviar");
    Process p = start(List.of(), WriteDuringShutdownMain.class, file.toString());
    String out = readUntilSignal(p, "writing");
    assertTrue(out.contains("written\n"), out);
    assertEquals("the first half, the second half", Files.readString(file));
    assertEquals(List.of("model.caviar"), listing());
  }

  private static Process start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElseThrow());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static String child(List<String> jvmOptions, Class<?> main, String... args) throws Exception {
    return readUntilSignal(start(jvmOptions, main, args), null);
  }

  /** The child's output; SIGTERM once it prints the line {@code signalAt} (none if null). */
  private static String readUntilSignal(Process p, String signalAt) throws Exception {
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        out.append(line).append('\n');
        if (line.equals(signalAt)) p.toHandle().destroy();
      }
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
    return out.toString();
  }

  private List<String> listing() throws IOException {
    try (var files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * The move replaced whatever was at the path: a named pipe (and, for root, /dev/null, which
   * became a regular file for every process) or an empty folder. Refused before anything is
   * written, naming the path; a link is still replaced as a link.
   */
  @Test
  void aPathThatIsNotARegularFileIsNotReplaced() throws Exception {
    Path fifo = dir.resolve("pipe");
    Assumptions.assumeTrue(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor() == 0, "mkfifo");
    Path folder = Files.createDirectory(dir.resolve("folder"));
    for (Path p : List.of(fifo, folder)) {
      var e = assertThrows(IOException.class, () -> AtomicFiles.writeString(p, "model"));
      assertEquals(p + " exists and is not a regular file (" + (p == folder ? "a folder" : "a device or a pipe")
          + "): writing it would replace it; give the path of a file", e.getMessage());
      assertTrue(p == folder ? Files.isDirectory(p) : !Files.isRegularFile(p) && Files.exists(p), p + " left as it was");
      try (var left = Files.list(dir)) {
        assertEquals(List.of(), left.filter(f -> f.getFileName().toString().contains(".partial")).toList(), "nothing written beside it");
      }
    }
    Path target = Files.writeString(dir.resolve("target"), "old");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    AtomicFiles.writeString(link, "new");
    assertEquals("new", Files.readString(link));
    assertTrue(!Files.isSymbolicLink(link), "the link replaced by the file, as before");
  }
}
