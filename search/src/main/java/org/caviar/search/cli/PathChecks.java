package org.caviar.search.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The commands' paths, checked before the data loads and anything trains, with messages that name
 * the option as given: reading or writing them later fails with only the path, or a reason that
 * misleads (/proc refuses a new file with "no such file"). Public for {@link #endsWithSeparator},
 * which bench's run-quick checks its --out with too; the rest is the commands' own.
 */
public final class PathChecks {
  private PathChecks() {}

  /**
   * Whether a path as typed ends with a separator ("models/"), so names a folder: {@link Path#of}
   * drops the separator, and a file of the folder's name ("models") would be written instead.
   */
  public static boolean endsWithSeparator(String typed) {
    return typed.endsWith("/") || typed.endsWith(File.separator);
  }

  /** The start of a probe file's name: a folder holding only another run's probe is still empty. */
  static final String PROBE_PREFIX = ".caviar-probe";

  /** A file to read, if given: it exists and is not a directory. */
  static void existingFile(String option, Path file) {
    if (file == null) return;
    notADirectory(option, file);
    // notExists, not !exists: a path that cannot be checked (no permission on a folder above it) is
    // left to the reader, whose error says why.
    if (Files.notExists(file)) throw new IllegalArgumentException(option + " " + file + ": no such file");
  }

  /** A path given for a file: reading or writing one that is a directory fails with only "Is a directory". */
  static void notADirectory(String option, Path file) {
    // An empty path names the current folder: "--csv  is a directory" would puzzle.
    if (file.toString().isEmpty()) throw new IllegalArgumentException(option + " is empty: give a file's path");
    if (Files.isDirectory(file)) throw new IllegalArgumentException(option + " " + file + " is a directory, not a file");
  }

  /**
   * That a file can be created in {@code folder} (of the option {@code option given}), without
   * creating the folder or any above it: a probe file goes in the nearest that exists and is deleted
   * (a permission check alone passes for root where the file system still refuses: /proc, a
   * read-only mount).
   */
  static void writableFolder(String option, Path given, Path folder) {
    Path existing = nearestExisting(option, given, folder);
    if (existing == null) return; // nothing above it exists: the write will say why
    probe(option, given, existing);
  }

  /**
   * Creates {@code folder} (and any above it), then a file in it, under a name of its own as the
   * later writes' files have, and deletes it.
   */
  static void createWritableFolder(String option, Path given, Path folder) {
    nearestExisting(option, given, folder);
    try {
      Files.createDirectories(folder);
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + given + ": cannot create the folder " + folder + reason(e), e);
    }
    probe(option, given, folder);
  }

  /** Creates and deletes a file in {@code folder}: a name of its own, so that two runs probing one folder do not meet. */
  private static void probe(String option, Path given, Path folder) {
    try {
      Files.delete(Files.createTempFile(folder, PROBE_PREFIX, null));
    } catch (IOException e) {
      throw new IllegalArgumentException(option + " " + given + ": cannot write in " + folder + reason(e), e);
    }
  }

  /** {@code folder} or the nearest folder above it that exists, or null if none does; a file on the way is an error. */
  private static Path nearestExisting(String option, Path given, Path folder) {
    Path existing = folder;
    while (existing != null && !Files.exists(existing)) existing = existing.toAbsolutePath().getParent();
    if (existing != null && !Files.isDirectory(existing)) {
      throw new IllegalArgumentException(option + " " + given + ": cannot write in " + folder + " ("
          + (existing.equals(folder) ? "it is a file" : existing + " is a file") + ", not a folder)");
    }
    return existing;
  }

  /** " (why)", or nothing where the file system's reason would mislead ("no such file" in a folder that exists). */
  private static String reason(IOException e) {
    if (e instanceof NoSuchFileException) return "";
    if (e instanceof AccessDeniedException) return " (permission denied)";
    if (e instanceof FileSystemException f && f.getReason() != null) return " (" + f.getReason() + ")";
    return " (" + CaviarCli.describe(e) + ")";
  }
}
