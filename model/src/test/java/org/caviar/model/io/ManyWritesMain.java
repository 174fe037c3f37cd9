package org.caviar.model.io;

import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.Collection;

/**
 * A child JVM (opened to java.io) that writes one file {@code args[1]} times through
 * {@link AtomicFiles} and prints how many names the JVM's delete-on-exit list then holds.
 */
final class ManyWritesMain {
  private ManyWritesMain() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    int writes = Integer.parseInt(args[1]);
    for (int i = 0; i < writes; i++) AtomicFiles.writeString(file, "write " + i);
    Field files = Class.forName("java.io.DeleteOnExitHook").getDeclaredField("files");
    files.setAccessible(true);
    System.out.println("delete on exit: " + ((Collection<?>) files.get(null)).size());
  }
}
