package org.caviar.search.storage;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM by {@link JournalStorageTest}: prints {@code locked} if another process holds
 * a lock on the file given as the argument, {@code free} if this process could take it.
 */
public final class LockProbe {
  private LockProbe() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel c = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock lock = c.tryLock();
      System.out.println(lock == null ? "locked" : "free");
      if (lock != null) lock.release();
    }
  }
}
