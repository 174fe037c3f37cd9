package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tune}'s and {@code worker}'s options that were taken without a word where they do not
 * apply, or failed with an exception's text: a study path with no name, --workers in panda mode, a
 * folder that holds no study, a --space that is not text, another sampler's or pruner's options,
 * and the worker's help.
 */
class TuneCommandTest {
  @TempDir Path dir;

  /** A small space, one epoch per trial and no report: a run that should have been refused ends soon. */
  private static final String[] SMALL = {"--epochs", "1", "--no-report", "--no-progress",
      "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};

  private static CliRun runSmall(String... args) {
    return run(Stream.concat(Stream.of(args), Stream.of(SMALL)).toArray(String[]::new));
  }

  /** {@link #SMALL}, one trial at a time. */
  private static CliRun runQuick(String... args) {
    return runSmall(Stream.concat(Stream.of(args), Stream.of("--workers", "1")).toArray(String[]::new));
  }

  private static void assertOk(CliRun r) {
    assertEquals(0, r.code(), r.out() + r.err());
  }

  /** Exit code 2 and exactly {@code expected} on stderr, nothing on stdout. */
  private static void assertUsageError(String expected, CliRun r) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(expected, r.err().strip());
    assertEquals("", r.out());
  }

  private static Set<String> storedSettings(Path study) {
    return JournalStorage.peek(study.resolve("journal.jsonl")).settings().keySet();
  }

  /** A study is named by the last part of --study: "/" has none (it was a NullPointerException's stack trace). */
  @Test
  void aStudyPathWithoutANameIsRefused() {
    String expected = "caviar tune: --study / has no name: the study is named by the path's last part";
    assertUsageError(expected, runQuick("tune", "--study", "/", "--trials", "1"));
    assertUsageError("caviar tune: --study '' has no name: the study is named by the path's last part",
        runQuick("tune", "--study", "", "--trials", "1"));
    String url = TestPostgres.newDatabase();
    assertUsageError(expected, runQuick("tune", "--storage", url, "--study", "/", "--trials", "1"));
  }

  /** Panda mode runs one trial at a time on all cores: --workers 2 ran two at once, each on all cores. */
  @Test
  void pandaModeRefusesMoreThanOneWorker() {
    Path study = dir.resolve("panda");
    assertUsageError("caviar tune: --workers 2 does not go with --mode panda, which runs one trial at a time on all cores",
        runSmall("tune", "--mode", "panda", "--workers", "2", "--trials", "2", "--study", study.toString()));
    assertFalse(Files.exists(study), "a refused run wrote the study");
    CliRun one = runQuick("tune", "--mode", "panda", "--trials", "1", "--study", study.toString());
    assertOk(one);
    assertTrue(one.out().contains("1 worker in panda mode"), one.out());
  }

  /**
   * A folder with files but no journal (such as studies/, which holds the default study folders)
   * was made a study: its journal and report written among the files. An empty folder is a new
   * study, a study folder is resumed, and a study in PostgreSQL has no folder to check.
   */
  @Test
  void aFolderThatHoldsNoStudyIsRefused() throws IOException {
    Path studies = dir.resolve("studies");
    Files.createDirectories(studies.resolve("tune-1"));
    Files.writeString(studies.resolve("notes.txt"), "mine");
    assertUsageError("caviar tune: --study " + studies + " holds no study (no journal.jsonl) and is not empty: give a new or "
        + "empty folder, or a study folder", runQuick("tune", "--study", studies.toString(), "--trials", "1"));
    try (Stream<Path> files = Files.list(studies)) {
      assertEquals(List.of(studies.resolve("notes.txt"), studies.resolve("tune-1")), files.sorted().toList());
    }

    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertOk(runQuick("tune", "--study", empty.toString(), "--trials", "1"));
    CliRun resumed = runQuick("tune", "--study", empty.toString(), "--trials", "2");
    assertOk(resumed);
    assertTrue(resumed.out().contains("resuming the study"), resumed.out());

    String url = TestPostgres.newDatabase();
    assertOk(runQuick("tune", "--storage", url, "--study", studies.toString(), "--trials", "1"));
  }

  /** A --space that is not text said only "Input length = 1" (the decoder's exception). */
  @Test
  void aSpaceFileThatIsNotUtf8IsNamed() throws IOException {
    Path binary = Files.write(dir.resolve("space.bin"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 'l', 'r'});
    assertUsageError("caviar tune: --space " + binary + ": not a UTF-8 text file",
        run("tune", "--space", binary.toString(), "--study", dir.resolve("s").toString()));
  }
}
