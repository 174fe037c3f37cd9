package org.caviar.bench;

import static org.caviar.bench.RoundPoolTest.fork;
import static org.caviar.bench.RoundPoolTest.params;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run-quick's command line and the files a run leaves. */
class QuickRunTest {
  private static final String TRAIN = "org.caviar.bench.TrainBench.epoch";

  /**
   * {@code --out} may name a folder that does not exist yet: the JMH JSON beside the summary was
   * written before anything created it, and a whole run ended in a FileNotFoundException without
   * its summary.
   */
  @Test
  void theSummaryAndJsonGoIntoAFolderThatDidNotExist(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("new").resolve("deeper").resolve("summary.csv");
    Summary summary = new Summary(p -> Work.training(TrainGemmShare.TRAIN_KERNEL, "caviar-vector", "net", 1, 1e9, 1000));
    var results = List.of(fork(params(TRAIN, "1"), 10, 12));
    results.forEach(summary::add);
    QuickRun.writeFiles(Map.of(TrainBench.class.getName(), results), summary, out);
    List<String> csv = Files.readAllLines(out);
    assertEquals(SummaryRow.CSV_HEADER, csv.get(0));
    assertEquals(3, csv.size(), csv.toString()); // GFLOP/s and examples/s
    assertTrue(Files.size(out.resolveSibling("jmh-TrainBench.json")) > 0);
  }

  /**
   * Before a run, the JSON of an earlier one is deleted only for the benchmark classes this run
   * measures (and rewrites): every jmh-*.json in the --out folder was, so a run of one class lost
   * the JSON of the others, and any jmh-*.json the user kept there, which no run wrote.
   */
  @Test
  void onlyTheJsonThisRunRewritesIsDeleted(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("summary.csv");
    for (String name : List.of("jmh-TrainBench.json", "jmh-GemmBench.json", "jmh-baseline-2025.json", "notes.json", "summary.csv")) {
      Files.writeString(dir.resolve(name), "kept");
    }
    QuickRun.deleteOldJson(out, List.of(TrainBench.class.getName(), PeakBench.class.getName(), PeakBench.class.getName()));
    try (var files = Files.list(dir)) {
      assertEquals(List.of("jmh-GemmBench.json", "jmh-baseline-2025.json", "notes.json", "summary.csv"),
          files.map(f -> f.getFileName().toString()).sorted().toList());
    }
    // A folder that does not exist yet holds nothing to delete.
    QuickRun.deleteOldJson(dir.resolve("none").resolve("summary.csv"), List.of(TrainBench.class.getName()));
  }

  /**
   * An --out that names a folder, an existing one or one written with a trailing '/', is refused
   * before the run: the folder's JSON went beside it (into its parent), and after the whole run the
   * summary's write failed with a FileSystemException stack trace ("Is a directory"), the table
   * printed but no summary.csv; "results/" made a file named "results".
   */
  @Test
  void anOutThatNamesAFolderIsRefusedBeforeTheRun(@TempDir Path dir) throws Exception {
    var existing = assertThrows(QuickRun.BadUsage.class, () -> QuickRun.prepareOut(dir));
    assertEquals("--out " + dir + " is a folder: give the summary's file, e.g. " + dir.resolve("summary.csv"), existing.getMessage());
    String slash = dir.resolve("results") + "/";
    assertEquals("--out " + slash + " is a folder: give the summary's file, e.g. " + dir.resolve("results").resolve("summary.csv"),
        problem("--out", slash));
    // A file that is not there yet, in a folder that is not either, is fine: the folder is made.
    Path fine = dir.resolve("new").resolve("summary.csv");
    QuickRun.prepareOut(fine);
    assertTrue(Files.isDirectory(fine.getParent()));
    // Its parent a file: said, not a stack trace.
    Files.writeString(dir.resolve("file"), "x");
    var parentIsFile = assertThrows(QuickRun.BadUsage.class, () -> QuickRun.prepareOut(dir.resolve("file").resolve("s.csv")));
    assertTrue(parentIsFile.getMessage().startsWith("--out " + dir.resolve("file").resolve("s.csv") + ": cannot create its folder"),
        parentIsFile.getMessage());
  }

  private static String problem(String... args) {
    return assertThrows(QuickRun.BadUsage.class, () -> QuickRun.Args.parse(args)).getMessage();
  }

  @Test
  void aGoodCommandLineIsTakenApart() {
    var a = QuickRun.Args.parse("--full", "--forks", "3", "--out", "x/s.csv", "-p", "n=256,512", "Peak", "Gemm");
    assertTrue(a.full());
    assertEquals(3, a.forks());
    assertEquals(Path.of("x/s.csv"), a.out());
    assertArrayEquals(new String[] {"256", "512"}, a.overrides().get("n"));
    assertEquals(List.of("Peak", "Gemm"), a.includes());
  }

  /** JMH compiled the regexes deep in the plan: a PatternSyntaxException stack trace, no word of run-quick's. */
  @Test
  void aRegexThatIsNotOneIsNamed() {
    String p = problem("Gemm", "Soft[max");
    assertTrue(p.contains("Soft[max") && p.contains("regex"), p);
  }

  /** "n=," gave no values at all (a plan of 0 configurations) and "n=1,,2" an empty one JMH failed on. */
  @Test
  void anEmptyParameterValueIsNamed() {
    for (String spec : List.of("n=,", "n=1,,2", "n=1,")) {
      String p = problem("-p", spec);
      assertTrue(p.contains("-p") && p.contains(spec), p);
    }
  }

  /** "-p n=256 -p n=512" ran only n=512, the first dropped without a word. */
  @Test
  void aParameterGivenTwiceIsRefused() {
    assertEquals("-p n is given twice (n=256 and n=512): give its values in one, -p n=256,512", problem("-p", "n=256", "-p", "n=512"));
  }

  @Test
  void badOptionsAreNamedWithTheirValues() {
    assertTrue(problem("--forks", "two", "--full").contains("--forks wants a positive whole number, got two"));
    assertTrue(problem("--forks", "2").contains("--forks goes with --full"));
    assertTrue(problem("--out").contains("--out needs a value"));
    assertTrue(problem("-p", "n").contains("-p wants name=v1,v2, got n"));
    assertTrue(problem("--fulll").contains("unknown option --fulll"));
  }
}
