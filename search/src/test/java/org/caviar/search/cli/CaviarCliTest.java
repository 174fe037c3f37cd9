package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.StudyInfo;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on the shipped digits set, with budgets small enough to run in seconds. */
class CaviarCliTest {
  @TempDir Path dir;


  @Test
  void everyCommandHasHelp() {
    for (String[] args : List.of(new String[] {"--help"}, new String[] {"tune", "--help"}, new String[] {"train", "--help"},
        new String[] {"evaluate", "--help"}, new String[] {"gradcheck", "--help"}, new String[] {"help", "tune"})) {
      CliRun r = run(args);
      assertEquals(0, r.code(), String.join(" ", args));
      assertTrue(r.out().startsWith("Usage: caviar"), r.out());
    }
    assertTrue(run("--help").out().contains("tune"));
    CliRun bare = run(); // no command: the usage, as --help gives it
    assertEquals(0, bare.code());
    assertEquals(run("--help").out(), bare.out());
    assertTrue(run("tune", "--help").out().contains("--study"));
    // worker inherits tune's options; its --study is a name in the database, and --show-space is tune's.
    String worker = run("worker", "--help").out();
    assertTrue(worker.contains("--study=NAME") && worker.contains("The study's name in the database"), worker);
    assertTrue(!worker.contains("Print the default space"), worker);
  }

  /** 'help' of a mistyped command suggests the command meant, as 'caviar tun' does. */
  @Test
  void helpOfAMistypedCommandSuggestsOne() {
    CliRun r = run("help", "tun");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("caviar: Unknown subcommand 'tun'; did you mean tune?\n"), r.err());
    assertTrue(run("help", "zzzzzz").err().contains("Unknown subcommand 'zzzzzz'"), "no suggestion for nothing close");
  }

  /** Every command's help lists -V, --version: a command's printed nothing (and exited 0). */
  @Test
  void everyCommandPrintsTheVersion() {
    String version = run("--version").out().strip();
    assertTrue(version.startsWith("caviar "), version);
    for (String command : List.of("tune", "worker", "train", "evaluate", "gradcheck")) {
      assertTrue(run(command, "--help").out().contains("-V, --version"), command);
      CliRun r = run(command, "--version");
      assertEquals(0, r.code(), command);
      assertEquals(version, r.out().strip(), command);
    }
  }

  /**
   * A worker cannot run without --storage and --study: its help showed both as optional
   * ("[--study=NAME] [--storage=URL]"), as tune's (which has a default folder and a journal). They
   * are required options now: the synopsis shows them bare, and one left out is picocli's usage
   * error naming it, with where the help is, as for evaluate's --model; no database is reached.
   */
  @Test
  void workerShowsStorageAndStudyAsRequired() {
    String synopsis = run("worker", "--help").out().split("\\R\\R", 2)[0];
    assertTrue(synopsis.contains(" --study=NAME") && !synopsis.contains("[--study=NAME]"), synopsis);
    assertTrue(synopsis.contains(" --storage=URL") && !synopsis.contains("[--storage=URL]"), synopsis);
    // tune's are optional: a default folder, a journal.
    String tune = run("tune", "--help").out().split("\\R\\R", 2)[0];
    assertTrue(tune.contains("[--study=DIR]") && tune.contains("[--storage=URL]"), tune);
    CliRun r = run("worker", "--study", "s");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(List.of("caviar worker: Missing required option: '--storage=URL'", "see: caviar worker --help"),
        r.err().strip().lines().toList());
    r = run("worker", "--storage", "postgresql://127.0.0.1:1/db");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(List.of("caviar worker: Missing required option: '--study=NAME'", "see: caviar worker --help"),
        r.err().strip().lines().toList());
    r = run("worker", "--trials", "3");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(List.of("caviar worker: Missing required options: '--study=NAME', '--storage=URL'", "see: caviar worker --help"),
        r.err().strip().lines().toList());
  }

  @Test
  void badUsageIsAClearErrorWithExitCode2() {
    CliRun r = run("tune", "--param", "lr = log(0, 1)", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("parameter 'lr'") && r.err().contains("got lo = 0") && !r.err().contains("lo = 0.0"), r.err());
    r = run("tune", "--param", "nope = uniform(0, 1)", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown parameter 'nope'"), r.err());
    r = run("tune", "--param", "units = int(0, 3)", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: parameter 'units' can take 0: units must be >= 1, got 0", r.err().strip());
    assertTrue(!Files.exists(dir.resolve("s")), "nothing written");
    r = run("tune", "--sampler", "grid", "--grid-resolution", "0", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --grid-resolution must be >= 1, got 0", r.err().strip());
    assertUsageError("caviar tune: --round-size must be >= 2, got 1",
        "tune", "--sampler", "coarse-to-fine", "--round-size", "1", "--study", dir.resolve("s").toString());
    assertUsageError("caviar tune: --round-size is the coarse-to-fine sampler's; this study's sampler is tpe",
        "tune", "--round-size", "4", "--study", dir.resolve("s").toString());
    // A grid too large to hold is refused before the study exists (its resolution would be stored with it).
    r = run("tune", "--sampler", "grid", "--grid-resolution", "10", "--trials", "1", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar tune: --grid-resolution 10 makes a grid of 7,200,000 points, more than the grid sampler holds (1,000,000): "
        + "lower it", r.err().strip());
    // A log-scale int axis whose steps are near 1 all along is counted only until it is past the limit.
    r = run("tune", "--sampler", "grid", "--grid-resolution", "147483640", "--param", "epochs = int_log(2000000000, 2147483647)",
        "--study", dir.resolve("s").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar tune: --grid-resolution 147483640 makes a grid of more points than the grid sampler holds (1,000,000): lower it",
        r.err().strip());
    assertTrue(!Files.exists(dir.resolve("s")), "nothing written");
    r = run("tune", "--sampler", "bayes", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--sampler"), r.err());
    r = run("tune", "--trials", "many"); // picocli's own type error: one line and where the help is
    assertEquals(2, r.code());
    assertEquals(List.of("caviar tune: Invalid value for option '--trials': 'many' is not an int", "see: caviar tune --help"),
        r.err().strip().lines().toList());
    Path missing = dir.resolve("missing.csv");
    r = run("tune", "--csv", missing.toString(), "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --csv " + missing + ": no such file", r.err().strip());
  }

  /**
   * A saved model, evaluated on the rows training held out, scores what training printed for them;
   * on a file of its own (--all) its classes are matched by name, whatever order the file has.
   */
  @Test
  void evaluateScoresASavedModelAsTrainingDid() throws Exception {
    Path csv = dir.resolve("three.csv");
    StringBuilder text = new StringBuilder("a,b,label\n");
    Random rnd = new Random(3);
    String[] names = {"low", "mid", "high"};
    for (int i = 0; i < 90; i++) {
      int c = i % 3;
      text.append(c * 2 + rnd.nextGaussian() * 0.3).append(',').append(rnd.nextGaussian()).append(',').append(names[c]).append('\n');
    }
    Files.writeString(csv, text);
    Path model = dir.resolve("m.caviar");
    CliRun trained = run("train", "--csv", csv.toString(), "--epochs", "5", "--threads", "1", "--out", model.toString());
    assertEquals(0, trained.code(), trained.err());
    String testLine = firstLine(trained.out(), "test: accuracy ");
    assertTrue(!trained.out().contains("note: --threads"), trained.out());
    int cores = Runtime.getRuntime().availableProcessors();
    CliRun crowded = run("train", "--csv", csv.toString(), "--epochs", "1", "--threads", Integer.toString(cores + 1),
        "--out", dir.resolve("crowded.caviar").toString());
    assertEquals(0, crowded.code(), crowded.err());
    assertTrue(crowded.out().startsWith("note: --threads " + (cores + 1) + " is more than the " + cores + " cores here"), crowded.out());
    CliRun e = run("evaluate", "--model", model.toString(), "--csv", csv.toString());
    assertEquals(0, e.code(), e.err());
    // "test: accuracy A, loss L on N rows (...)" against "accuracy A, loss L"
    assertTrue(testLine.startsWith("test: " + firstLine(e.out(), "accuracy ") + " on 18 rows"),
        testLine + " / " + e.out());
    assertTrue(e.out().contains("the test part of the split the model was trained with (0.6,0.2, seed 42) (18 rows)"), e.out());
    // A file of one class: the loader numbers its classes [mid], the model [high, low, mid]; the
    // labels are renumbered by name, so all 30 rows count as 'mid', none as 'high'.
    Path midOnly = dir.resolve("mid.csv");
    List<String> lines = Files.readAllLines(csv);
    List<String> mid = new java.util.ArrayList<>(List.of(lines.get(0)));
    lines.stream().filter(l -> l.endsWith(",mid")).forEach(mid::add);
    Files.write(midOnly, mid);
    CliRun m = run("evaluate", "--model", model.toString(), "--csv", midOnly.toString(), "--all");
    assertEquals(0, m.code(), m.err());
    assertTrue(m.out().contains("every row (30 rows)"), m.out());
    assertEquals(30, confusionRow(m.out(), "mid").stream().mapToInt(Integer::intValue).sum(), m.out());
    assertEquals(List.of(0, 0, 0), confusionRow(m.out(), "high"), m.out());
    // The worst examples are named by their row in the file, whether they come from the test part or from every row.
    List<String> worstOfTest = run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--worst", "3").out().lines()
        .filter(l -> l.startsWith("  row ")).toList();
    List<String> worstOfAll = run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--all", "--worst", "90").out()
        .lines().filter(l -> l.startsWith("  row ")).toList();
    assertEquals(3, worstOfTest.size(), String.join("\n", worstOfTest));
    assertEquals(90, worstOfAll.size());
    for (String line : worstOfTest) {
      assertTrue(worstOfAll.contains(line), line + " not among " + worstOfAll);
      int row = Integer.parseInt(line.substring("  row ".length(), line.indexOf(':')));
      assertTrue(line.contains(": true " + names[row % 3] + " "), line); // the file's row i has class i % 3
    }
    // Data the model cannot take: named, exit 2.
    Files.writeString(dir.resolve("other.csv"), "a,b,label\n1,2,low\n3,4,top\n");
    CliRun c = run("evaluate", "--model", model.toString(), "--csv", dir.resolve("other.csv").toString(), "--all");
    assertEquals(2, c.code());
    assertEquals("caviar evaluate: other.csv has class 'top', which the model does not know [high, low, mid]", c.err().strip());
    CliRun d = run("evaluate", "--model", model.toString(), "--all");
    assertEquals(2, d.code());
    assertEquals("caviar evaluate: the model takes 2 features, digits has 64; the model was trained on three.csv (90 rows, "
        + "2 features, 3 classes): give it with --csv (no data option reads the shipped digits)", d.err().strip());
    // --all evaluates every row: a split given with it was ignored without a word.
    CliRun split = run("evaluate", "--model", model.toString(), "--csv", csv.toString(), "--all", "--split", "0.5,0.2");
    assertEquals(2, split.code());
    assertEquals("caviar evaluate: --split chooses the test part, and --all evaluates every row: give one or the other", split.err().strip());
    CliRun none = run("evaluate", "--csv", csv.toString());
    assertEquals(2, none.code());
    assertTrue(none.err().contains("--model"), none.err());
  }

  /**
   * Whether the model's classes are numbers was evaluate's own regex ("-?\\d+"), while the loader
   * and Dataset.inClasses use ClassNames.isInteger: "+1" was a name to evaluate and a number to
   * them, and a number too large for a long a number to evaluate and a name to them. The second
   * passed evaluate's check, and inClasses then took the file's labels 0 and 1 for the indices of
   * the model's named classes without a word. Both now ask ClassNames.isInteger.
   */
  @Test
  void evaluateAndTheLoaderAgreeOnWhichClassNamesAreNumbers() throws Exception {
    for (String[] classes : new String[][] {{"10000000000000000000", "20000000000000000000"}, {"+1", "+2"}}) {
      StringBuilder named = new StringBuilder("a,b,label\n");
      StringBuilder numbered = new StringBuilder("a,b,label\n");
      Random rnd = new Random(3);
      for (int i = 0; i < 40; i++) {
        String row = (i % 2 * 2 + rnd.nextGaussian() * 0.3) + "," + rnd.nextGaussian() + ",";
        named.append(row).append(classes[i % 2]).append('\n');
        numbered.append(row).append(i % 2).append('\n');
      }
      Path train = Files.writeString(dir.resolve("named.csv"), named);
      Path other = Files.writeString(dir.resolve("numbered.csv"), numbered);
      Path model = dir.resolve("m.caviar");
      CliRun trained = run("train", "--csv", train.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
      assertEquals(0, trained.code(), trained.err());
      CliRun e = run("evaluate", "--model", model.toString(), "--csv", other.toString(), "--all");
      assertEquals(2, e.code(), classes[0] + ": " + e.out() + e.err());
      String expected = classes[0].startsWith("+")
          // Numbers to the model: the file's 0 is another class than its +1.
          ? "caviar evaluate: numbered.csv has class '0', which the model does not know [+1, +2]"
          : "caviar evaluate: the label column of numbered.csv holds numbers (0 to 1), the model's classes are names ("
              + classes[0] + ", " + classes[1] + "): give the column of these names with --label-column";
      assertEquals(expected, e.err().strip());
    }
  }

  /** The counts of one true class's row of a printed confusion matrix. */
  private static List<Integer> confusionRow(String out, String name) {
    String row = out.lines().map(String::strip).filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow();
    return Arrays.stream(row.substring(name.length()).strip().split("\\s+")).map(Integer::valueOf).toList();
  }

  /** What was being done is kept beside the file error under it; a bare wrapper adds nothing. */
  @Test
  void fileErrorsSayWhatWasBeingDone() {
    var missing = new java.nio.file.NoSuchFileException("/x/y");
    assertEquals("cannot open journal /x/y/j: no such file: /x/y",
        CaviarCli.describe(new java.io.UncheckedIOException("cannot open journal /x/y/j", missing)));
    assertEquals("no such file: /x/y", CaviarCli.describe(new java.io.UncheckedIOException(missing)));
    assertEquals("no such file: /x/y", CaviarCli.describe(missing));
  }

  /** Options read only at the end of a run are checked before the study is created. */
  @Test
  void endOfRunOptionsAreCheckedUpFront() throws Exception {
    Path study = dir.resolve("s");
    CliRun r = run("tune", "--top", "0", "--trials", "1", "--study", study.toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --top must be >= 1, got 0", r.err().strip());
    r = run("tune", "--timeout", "-5", "--trials", "1", "--study", study.toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --timeout must be >= 0 seconds, got -5", r.err().strip()); // as given, not Java's -5.0
    assertTrue(!Files.exists(study), "nothing written");
    // An option's error gives the value as given (epochs reached the network's settings as a
    // default, whose message said "got null"), and comes before the data loads.
    Path model = dir.resolve("m.caviar");
    r = run("train", "--epochs", "-1", "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --epochs must be >= 1, got -1", r.err().strip());
    r = run("train", "--threads", "0", "--csv", dir.resolve("missing.csv").toString(), "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --threads must be >= 1, got 0", r.err().strip());
    r = run("train", "--split", "0.9,0.2", "--csv", dir.resolve("missing.csv").toString(), "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --split needs TRAIN > 0, VALIDATION >= 0 and TRAIN + VALIDATION <= 1, got '0.9,0.2'", r.err().strip());
    Path aFile = dir.resolve("plain-file");
    Files.writeString(aFile, "x");
    r = run("train", "--out", aFile.resolve("m.caviar").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("caviar train: --out " + aFile.resolve("m.caviar") + ": cannot write in " + aFile + " ("), r.err());
    r = run("train", "--param", "epochs=0", "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: epochs must be >= 1, got 0", r.err().strip());
    assertTrue(!Files.exists(model), "nothing written");
    // Errors name the option or parameter as the user gave it, not a field of the class behind it.
    for (String[] args : List.of(
        new String[] {"tune", "--asha-eta", "1", "--study", study.toString()},
        new String[] {"tune", "--asha-min-epochs", "5", "--epochs", "2", "--study", study.toString()},
        new String[] {"tune", "--startup-trials", "-1", "--study", study.toString()},
        new String[] {"gradcheck", "--weight-decay", "-1"},
        new String[] {"train", "--param", "batch_size=0", "--out", dir.resolve("m.caviar").toString()},
        new String[] {"train", "--param", "momentum=1.5", "--out", dir.resolve("m.caviar").toString()})) {
      r = run(args);
      assertEquals(2, r.code(), String.join(" ", args));
      String given = args[1].startsWith("--param") ? args[2].substring(0, args[2].indexOf('=')) : args[1];
      assertTrue(r.err().startsWith("caviar " + args[0] + ": " + given + " "), r.err());
    }
    // A number as written, not as Java writes a double (-1.0E-4).
    assertEquals("caviar gradcheck: --weight-decay must be finite and >= 0, got -1e-4", run("gradcheck", "--weight-decay", "-1e-4").err().strip());
    assertTrue(!Files.exists(study), "nothing written");
  }

  /** A directory where a file is expected, or a file where a study folder is, is named with its option. */
  @Test
  void pathsOfTheWrongKindAreNamed() throws Exception {
    CliRun r = run("tune", "--csv", dir.toString(), "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --csv " + dir + " is a directory, not a file", r.err().strip());
    // An empty path is the current folder to the file system: it said "--csv  is a directory".
    r = run("tune", "--csv", "", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --csv is empty: give a file's path", r.err().strip());
    Path file = Files.writeString(dir.resolve("a.txt"), "not a study");
    r = run("tune", "--study", file.toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --study " + file + " is a file, not a study folder", r.err().strip());
    Path labelFirst = dir.resolve("label-first.csv");
    StringBuilder rows = new StringBuilder("label,a,b\n");
    for (int i = 0; i < 40; i++) rows.append(i % 3).append(',').append(i % 5).append(',').append(i * 0.37).append('\n');
    Files.writeString(labelFirst, rows);
    r = run("tune", "--csv", labelFirst.toString(), "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("(the last) has 40 distinct values in 40 rows; is it the label? Choose it with --label-column"),
        r.err());
    r = run("tune", "--label-column", "3", "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --label-column goes with --csv", r.err().strip());
    // No test rows: said so, not an accuracy of NaN.
    r = run("train", "--epochs", "1", "--threads", "1", "--split", "0.6,0.4", "--out", dir.resolve("m.caviar").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("test: none (the split leaves no test rows"), r.out());
  }

  /** A file separated by semicolons says so when read with commas, and loads with --csv-delimiter. */
  @Test
  void aCsvOfAnotherDelimiterIsNamedAndReadWithCsvDelimiter() throws Exception {
    Path csv = dir.resolve("semi.csv");
    StringBuilder text = new StringBuilder("a;b;label\n");
    for (int i = 0; i < 40; i++) text.append(i % 7).append(';').append(i * 0.5).append(';').append("abc".charAt(i % 3)).append('\n');
    Files.writeString(csv, text);
    Path model = dir.resolve("semi.caviar");
    CliRun r = run("train", "--csv", csv.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals(2, r.code());
    // With the option that reads it (the loader's message alone did not name it).
    assertEquals("caviar train: " + csv + " line 1: needs at least 2 columns (features and a label), found 1 (the delimiter is ','; "
        + "this line has ';': give --csv-delimiter ';')", r.err().strip());
    Path tabs = Files.writeString(dir.resolve("tabs.csv"), Files.readString(csv).replace(';', '\t'));
    r = run("train", "--csv", tabs.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals("caviar train: " + tabs + " line 1: needs at least 2 columns (features and a label), found 1 (the delimiter is ','; "
        + "this line has tabs: give --csv-delimiter tab)", r.err().strip());
    // A field of a ';' file of commas in its numbers, read with ',': the field says it.
    Path mixed = Files.writeString(dir.resolve("mixed.csv"), "a,b,label\n1;5,2,x\n");
    r = run("train", "--csv", mixed.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertTrue(r.err().strip().endsWith("(the delimiter is ','; this field has ';': give --csv-delimiter ';')"), r.err());
    r = run("train", "--csv", csv.toString(), "--csv-delimiter", ";", "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("caviar train on semi.csv: 40 rows"), r.out());
    r = run("train", "--csv", csv.toString(), "--csv-delimiter", "ab", "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --csv-delimiter must be one character other than a quote or one of a number (a digit, '.', '-', "
        + "'+', 'e'), or 'tab', got 'ab'", r.err().strip());
    r = run("train", "--csv", csv.toString(), "--csv-delimiter", "\"", "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --csv-delimiter must be one character other than a quote or one of a number (a digit, '.', '-', "
        + "'+', 'e'), or 'tab', got '\"'", r.err().strip());
    r = run("train", "--csv", csv.toString(), "--csv-delimiter", "-", "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --csv-delimiter must be one character other than a quote or one of a number (a digit, '.', '-', "
        + "'+', 'e'), or 'tab', got '-'", r.err().strip());
    r = run("train", "--csv-delimiter", ";", "--out", model.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --csv-delimiter goes with --csv", r.err().strip());
  }

  /** More workers than cores is allowed, and said. */
  @Test
  void moreWorkersThanCoresIsSaid() {
    int cores = Runtime.getRuntime().availableProcessors();
    CliRun r = run("tune", "--trials", Integer.toString(cores + 1), "--epochs", "1", "--workers", Integer.toString(cores + 1),
        "--no-report", "--no-progress", "--study", dir.resolve("many").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains((cores + 1) + " workers in caviar mode (more than the " + cores + " cores: they take turns on them)"),
        r.out());
    r = run("tune", "--trials", Integer.toString(cores), "--epochs", "1", "--workers", Integer.toString(cores), "--no-report",
        "--no-progress", "--study", dir.resolve("enough").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(cores + " worker") && !r.out().contains("take turns"), r.out());
  }

  /**
   * More workers than the budget has trials would only start threads that claim nothing: --workers
   * 100000 with --trials 1 started 100000 threads, ran out the machine's threads (other programs'
   * fork failed) for minutes, and ended in "out of memory". The workers are capped at the budget,
   * and the line says so; past Study.MAX_WORKERS, whatever the budget, they are refused.
   */
  @Test
  void workersBeyondTheBudgetAreNotStarted() {
    CliRun r = run("tune", "--trials", "2", "--epochs", "1", "--workers", "50", "--no-report", "--no-progress",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)",
        "--study", dir.resolve("capped").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 2 workers in caviar mode (--workers 50, capped at the budget's 2 trials)"), r.out());
    r = run("tune", "--trials", "100000", "--epochs", "1", "--workers", "100000", "--no-report", "--no-progress",
        "--study", dir.resolve("huge").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar tune: --workers must be <= 1024 (a thread each), got 100000", r.err().strip().lines().findFirst().orElse(""));
  }

  /**
   * A resume caps the workers at the trials left, not at the budget: a study with 2 of its 3
   * trials done, resumed with --workers 4, said "3 workers (--workers 4, capped at the budget's 3
   * trials)" and started three threads for the one trial it could run. The default (a worker per
   * core, 2 or more here) is capped the same way, and a grid's at its points left.
   */
  @Test
  void aResumeCapsTheWorkersAtTheTrialsLeft() {
    String[] space = {"--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};
    String study = dir.resolve("left").toString();
    CliRun r = run(concat(new String[] {"tune", "--trials", "2", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--study", study}, space));
    assertEquals(0, r.code(), r.out() + r.err());
    r = run("tune", "--trials", "3", "--workers", "4", "--no-report", "--no-progress", "--study", study);
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 1 worker in caviar mode (--workers 4, capped at the 1 trial left of the budget's 3)"), r.out());
    r = run("tune", "--trials", "4", "--no-report", "--no-progress", "--study", study);
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 1 worker in caviar mode\n"), r.out());
    // A grid with fewer points than the budget's trials: no more workers than its points.
    r = run("tune", "--sampler", "grid", "--trials", "10", "--workers", "4", "--epochs", "1", "--no-report", "--no-progress",
        "--param", "units = int(8, 9)", "--param", "layers = fixed(1)", "--param", "lr = fixed(0.01)",
        "--study", dir.resolve("grid").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 2 workers in caviar mode (--workers 4, capped at the grid sampler's 2 points left)"), r.out());
  }

  /**
   * A grid with fewer points than the budget's trials runs its points: the line said "10 trials" and
   * the progress counted to 10 ("trials 2/10" at the end, and off a terminal no line at all before
   * a tenth of 10 was reached). Both count the points now.
   */
  @Test
  void aGridSmallerThanTheBudgetCountsItsPoints() {
    CliRun r = run("tune", "--sampler", "grid", "--trials", "10", "--workers", "1", "--epochs", "1", "--no-report",
        "--param", "units = int(8, 9)", "--param", "layers = fixed(1)", "--param", "lr = fixed(0.01)",
        "--study", dir.resolve("small-grid").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 2 trials (the grid sampler's points, within the budget's 10) of up to 1 epoch; 1 worker in "), r.out());
    assertTrue(r.out().contains("\ntrials 2/2 | "), r.out());
    assertFalse(r.out().contains("/10 | "), r.out());
  }

  /**
   * tune names epochs by how many a trial has run, train by their index from 0, as does the
   * Trainer's "diverged ... in epoch 0" that tune prints for a diverged trial: "decisions at epochs
   * 1" and "pruned at epoch 1" (after the first epoch) read as the epoch that train, and the
   * divergence line beside them, call 1, the second. tune's own words now say a count: "after N
   * epochs".
   */
  @Test
  void tuneSaysHowManyEpochsATrialRanNotWhichEpoch() throws Exception {
    Path study = dir.resolve("counts");
    CliRun r = run("tune", "--trials", "10", "--epochs", "3", "--workers", "1", "--seed", "3", "--asha-min-epochs", "1",
        "--no-report", "--no-progress", "--param", "lr = log(1e-4, 1e-1)", "--param", "units = int_log(8, 16)",
        "--param", "layers = fixed(1)", "--study", study.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("pruner asha (decisions after 1 epoch; eta 3)"), r.out());
    Path journal = study.resolve("journal.jsonl");
    try (JournalStorage j = JournalStorage.readOnly(journal)) {
      j.open(JournalStorage.peek(journal));
      List<TrialRecord> pruned = j.trials().stream().filter(t -> t.state() == org.caviar.search.trial.TrialState.PRUNED).toList();
      assertFalse(pruned.isEmpty(), j.trials()::toString);
      for (TrialRecord t : pruned) {
        assertEquals("pruned after " + t.reportCount() + (t.reportCount() == 1 ? " epoch" : " epochs"), t.reason(), t::toString);
      }
    }
    // The default rungs of 30 epochs (no trial run: --timeout 0).
    r = run("tune", "--epochs", "30", "--timeout", "0", "--no-report", "--no-progress", "--study", dir.resolve("rungs").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("pruner asha (decisions after 2 and 6 epochs; eta 3)"), r.out());
  }

  /**
   * How a run executes is checked before any study is opened: a worker given --workers 0 was
   * refused only after it had connected to the database (or failed to, with a database error).
   */
  @Test
  void aWorkersCountIsCheckedBeforeTheDatabase() {
    CliRun r = run("worker", "--storage", "postgresql://127.0.0.1:1/nodb", "--study", "x", "--workers", "0");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar worker: --workers must be >= 1, got 0", r.err().strip().lines().findFirst().orElse(""));
    r = run("worker", "--storage", "postgresql://127.0.0.1:1/nodb", "--study", "x", "--mode", "pandas");
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--mode") && r.err().contains("pandas"), r.err());
  }

  /**
   * A run that a --timeout stops before the budget says, in one line, that the same command without
   * --trials runs the rest and which --trials extends the study; one that spends its budget does
   * not. (It printed a "resume:" line and a "resume or extend:" line below it, two commands for one
   * next step.)
   */
  @Test
  void aRunStoppedByItsTimeoutSaysHowToRunTheRest() {
    String[] small = {"--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};
    String study = dir.resolve("timed").toString();
    // A timeout of 0 s starts no trial.
    CliRun stopped = run(concat(new String[] {"tune", "--trials", "3", "--timeout", "0", "--study", study}, small));
    assertEquals(0, stopped.code(), stopped.err());
    assertEquals(List.of("resume: caviar tune --study " + study + " (3 of the study's 3 trials to go; --trials 43 extends it)"),
        stopped.out().lines().filter(l -> l.startsWith("resume")).toList(), stopped.out());
    CliRun rest = run(concat(new String[] {"tune", "--study", study}, small));
    assertEquals(0, rest.code(), rest.err());
    assertTrue(rest.out().contains("3 trials: 3 complete") && !rest.out().contains("resume: "), rest.out());
  }

  /** A timeout longer than a Duration holds in nanoseconds (292 years) is no deadline, not an ArithmeticException. */
  @Test
  void aHugeTimeoutIsNoDeadline() {
    for (String timeout : new String[] {"1e300", "Infinity"}) {
      CliRun r = run("tune", "--timeout", timeout, "--trials", "1", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
          "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)",
          "--study", dir.resolve("timeout-" + timeout).toString());
      assertEquals(0, r.code(), timeout + ": " + r.err());
      assertTrue(r.out().contains("1 trial: 1 complete"), r.out());
      // One of each, in the singular (it said "1 trials of up to 1 epochs; 1 workers").
      assertTrue(r.out().contains("; 1 trial of up to 1 epoch; 1 worker in caviar mode"), r.out());
    }
  }

  /**
   * Every sampler, pruner and mode that tune's help names runs a study from the command line (the
   * library's tests cover the algorithms; this is their wiring: a name the switch misses, or a
   * setting derived from the options, such as coarse-to-fine's rounds from --trials), and an
   * unknown mode is named.
   */
  @Test
  void everySamplerPrunerAndModeRunsFromTheCommandLine() {
    String[] small = {"--epochs", "4", "--workers", "1", "--no-report", "--no-progress",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};
    String[][] choices = {{"tpe", "asha", "caviar"}, {"tpe-univariate", "none", "caviar"}, {"gp", "none", "caviar"},
        {"random", "median", "caviar"}, {"grid", "none", "caviar"}, {"coarse-to-fine", "none", "caviar"}, {"tpe", "none", "panda"}};
    for (String[] c : choices) {
      CliRun r = run(concat(new String[] {"tune", "--trials", "6", "--sampler", c[0], "--pruner", c[1], "--mode", c[2],
          "--study", dir.resolve(String.join("-", c)).toString()}, small));
      assertEquals(0, r.code(), String.join(" ", c) + ": " + r.err());
      assertTrue(r.out().contains("sampler " + c[0] + "; pruner " + c[1]) && r.out().contains("1 worker in " + c[2] + " mode"), r.out());
      assertTrue(r.out().contains("search time") && r.out().contains("6 trials: "), r.out());
    }
    CliRun r = run("tune", "--mode", "bamboo", "--study", dir.resolve("bamboo").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --mode must be caviar or panda, got 'bamboo'", r.err().strip());
    r = run("tune", "--pruner", "hyperband", "--study", dir.resolve("hyperband").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --pruner must be asha, median or none, got 'hyperband'", r.err().strip());
  }

  /**
   * A headerless CSV whose first row alone has a word label ("cat" among 0, 1, 2) was taken for a
   * header without a word, its row lost. The loader now asks, and the command line says how to
   * answer: --csv-header absent (a data row) or present (a header), which a study stores.
   */
  @Test
  void aFirstRowWhoseOnlyWordIsItsLabelAsksForCsvHeader() throws Exception {
    StringBuilder csv = new StringBuilder("7.5,2,cat\n");
    Random rnd = new Random(3);
    for (int i = 0; i < 60; i++) csv.append(i % 3 + rnd.nextGaussian() * 0.2).append(',').append(rnd.nextGaussian()).append(',').append(i % 3).append('\n');
    Path file = Files.writeString(dir.resolve("cat-first.csv"), csv);
    assertUsageError("caviar train: " + file + " line 1: label 'cat' is the only one that is not an integer, and its other fields "
        + "are numbers: is line 1 a header or a data row? Say which: --csv-header present for a header, --csv-header absent "
        + "for a data row", "train", "--csv", file.toString(), "--epochs", "1");
    CliRun r = run("train", "--csv", file.toString(), "--csv-header", "absent", "--epochs", "1", "--threads", "1",
        "--split", "0.5,0.3", "--out", dir.resolve("absent.caviar").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("61 rows, 2 features, 4 classes"), r.out());
    // The evaluate command it prints reads the file as it did.
    assertTrue(r.out().contains("--csv-header absent"), r.out());
    r = run("train", "--csv", file.toString(), "--csv-header", "present", "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("present.caviar").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("60 rows, 2 features, 3 classes in column 'cat'"), r.out());
    // A header read as data (--csv-header absent on a file that has one): the error pointed at --label-column alone.
    Path headed = Files.writeString(dir.resolve("headed.csv"), "width,height,label\n" + csv.substring(csv.indexOf("\n") + 1));
    assertUsageError("caviar train: " + headed + " line 1: column 1 (index 0): 'width' is not a number; if line 1 is a header, give "
        + "--csv-header present (not absent); if this column is the label, choose it with --label-column 0 (the label is the last "
        + "column by default)", "train", "--csv", headed.toString(), "--csv-header", "absent", "--epochs", "1");
    // With --label-column given, the header's hint alone.
    assertUsageError("caviar train: " + headed + " line 1: column 1 (index 0): 'width' is not a number; if line 1 is a header, give "
        + "--csv-header present (not absent)", "train", "--csv", headed.toString(), "--csv-header", "absent", "--label-column", "2",
        "--epochs", "1");
    assertUsageError("caviar train: --csv-header must be present, absent or detect, got 'maybe'",
        "train", "--csv", file.toString(), "--csv-header", "maybe", "--epochs", "1");
    assertUsageError("caviar train: --csv-header goes with --csv", "train", "--csv-header", "absent", "--epochs", "1");
  }

  /**
   * The data options that only the library's loaders were tested for: a CSV whose label is the
   * first column, chosen by name or by index (the two must read the same rows), and MNIST's IDX
   * files; and the errors of a half-given IDX pair, a --split that is not numbers and a --spec
   * that does not fit the data.
   */
  @Test
  void everyKindOfDataInputLoadsFromTheCommandLine() throws Exception {
    StringBuilder csv = new StringBuilder("digit,a,b\n");
    Random rnd = new Random(5);
    for (int i = 0; i < 60; i++) csv.append(i % 3).append(',').append(i % 3 + rnd.nextGaussian() * 0.2).append(',').append(rnd.nextGaussian()).append('\n');
    Path labelFirst = Files.writeString(dir.resolve("label-first.csv"), csv);
    String byName = null;
    for (String column : new String[] {"digit", "0"}) {
      CliRun r = run("train", "--csv", labelFirst.toString(), "--label-column", column, "--epochs", "2", "--threads", "1",
          "--out", dir.resolve("csv-" + column + ".caviar").toString());
      assertEquals(0, r.code(), column + ": " + r.err());
      String data = firstLine(r.out(), "caviar train on ");
      assertEquals("caviar train on label-first.csv: 60 rows, 2 features, 3 classes; train 36 / validation 12 / test 12", data);
      assertTrue(r.out().contains("network: 2-128-128-3 relu"), r.out());
      if (byName == null) byName = r.out();
      else assertEquals(testResult(byName), testResult(r.out()), "the label by name and by index");
    }

    // 45 images of 3 x 4 pixels in 3 classes, each class brightest in its own rows.
    int n = 45, height = 3, width = 4;
    ByteArrayOutputStream images = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(images);
    out.writeInt(0x00000803);
    out.writeInt(n);
    out.writeInt(height);
    out.writeInt(width);
    byte[] labels = new byte[8 + n];
    ByteBuffer.wrap(labels).putInt(0x00000801).putInt(n);
    for (int i = 0; i < n; i++) {
      labels[8 + i] = (byte) (i % 3);
      for (int px = 0; px < height * width; px++) out.writeByte(px / width == i % 3 ? 200 + rnd.nextInt(50) : rnd.nextInt(50));
    }
    Path imageFile = Files.write(dir.resolve("images-idx3-ubyte"), images.toByteArray());
    Path labelFile = Files.write(dir.resolve("labels-idx1-ubyte"), labels);
    CliRun r = run("train", "--idx-images", imageFile.toString(), "--idx-labels", labelFile.toString(), "--epochs", "2",
        "--threads", "1", "--out", dir.resolve("idx.caviar").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("caviar train on images-idx3-ubyte: 45 rows, 12 features, 3 classes"), r.out());

    r = run("train", "--idx-images", imageFile.toString(), "--out", dir.resolve("half.caviar").toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --idx-images and --idx-labels go together", r.err().strip());
    r = run("train", "--split", "a,b", "--out", dir.resolve("split.caviar").toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --split needs two numbers, got 'a,b'", r.err().strip());
    r = run("train", "--spec", "10-8-3", "--out", dir.resolve("spec.caviar").toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --spec '10-8-3' takes 10 inputs and 3 classes, the data has 64 and 10", r.err().strip());
    // More classes than the data has: refused here, not after training as a model of mismatched class names.
    assertUsageError("caviar train: --spec '64-8-12 relu' takes 64 inputs and 12 classes, the data has 64 and 10",
        "train", "--spec", "64-8-12 relu", "--out", dir.resolve("spec.caviar").toString());
    assertUsageError("caviar train: give either --csv or --idx-images with --idx-labels, not both",
        "train", "--csv", dir.resolve("x.csv").toString(), "--idx-labels", dir.resolve("l").toString(), "--out", dir.resolve("c.caviar").toString());
    assertUsageError("caviar train: --storage goes with --from-study NAME (the study in that database to train from)",
        "train", "--storage", "postgresql://localhost/x", "--out", dir.resolve("s.caviar").toString());
  }

  /** Exit code 2 and exactly {@code expected} on stderr. */
  private static void assertUsageError(String expected, String... args) {
    CliRun r = run(args);
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(expected, r.err().strip());
  }

  /**
   * A run that fails is exit 1, bad usage 2 (as every help lists them): a journal in use by another
   * process or damaged is no usage error; both exited 2. A data file that does not read as the
   * options describe it is still bad usage (see aCsvOfAnotherDelimiterIsNamedAndReadWithCsvDelimiter).
   */
  @Test
  void aLockedOrDamagedJournalIsAFailureNotBadUsage() throws Exception {
    Path study = dir.resolve("s");
    Path journal = study.resolve("journal.jsonl");
    String[] resume = concat(new String[] {"tune", "--trials", "2", "--study", study.toString()}, QUICK);
    assertEquals(0, run(concat(new String[] {"tune", "--trials", "1", "--study", study.toString()}, QUICK)).code());
    try (JournalStorage running = new JournalStorage(journal)) {
      running.open(JournalStorage.peek(journal));
      CliRun locked = run(resume);
      assertEquals(1, locked.code(), locked.out() + locked.err());
      assertEquals("caviar tune: journal " + journal + " is in use by another run of its study (locked): one run at a time writes a journal; to run trials side by side, use more --workers or a shared --storage", locked.err().strip());
    }
    Files.writeString(journal, "{not json\n", java.nio.file.StandardOpenOption.APPEND);
    CliRun damaged = run(resume);
    assertEquals(1, damaged.code(), damaged.out() + damaged.err());
    assertTrue(damaged.err().matches("caviar tune: journal \\Q" + journal + "\\E line \\d+ is not valid JSON: .*\\R"), damaged.err());
    assertTrue(run("--help").out().contains("Exit codes:"), run("--help").out());
    assertTrue(run("worker", "--help").out().contains("Bad usage: an option or its value refused"), run("worker", "--help").out());
  }

  /** train --out replaces a model (the same command run again) but not another file, such as the data set. */
  @Test
  void trainDoesNotReplaceAFileThatIsNotAModel() throws Exception {
    Path data = dir.resolve("data.csv");
    byte[] text = "a,b,label\n1,2,x\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.write(data, text);
    CliRun r = run("train", "--epochs", "1", "--out", data.toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --out " + data + " exists and is not a Caviar model: give another path, or remove it", r.err().strip());
    assertArrayEquals(text, Files.readAllBytes(data));
    Path model = dir.resolve("m.caviar");
    assertEquals(0, run("train", "--epochs", "1", "--out", model.toString()).code());
    CliRun again = run("train", "--epochs", "1", "--out", model.toString());
    assertEquals(0, again.code(), again.err());
  }

  /** "test: accuracy A, loss L on N rows", without the training time after it. */
  private static String testResult(String out) {
    return firstLine(out, "test: ").replaceAll(" \\(.*", "");
  }

  /** The first line of {@code out} that starts with {@code prefix}. */
  private static String firstLine(String out, String prefix) {
    return out.lines().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no line starting '" + prefix + "' in:\n" + out));
  }

  /**
   * A space with an 'epochs' parameter sets each trial's epochs: the header and the summary count
   * those, not --epochs (2 trials of 1 epoch each, unpruned, read "2 epochs trained of 60"), a
   * categorical's too (its values are text).
   */
  @Test
  void aSpaceWithEpochsCountsEachTrialsOwn() throws Exception {
    CliRun r = run("tune", "--trials", "2", "--workers", "1", "--no-report", "--no-progress", "--pruner", "none",
        "--param", "epochs = fixed(1)", "--param", "lr = log(1e-3, 1e-2)", "--param", "units = fixed(8)", "--param", "layers = fixed(1)",
        "--study", dir.resolve("s").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("2 trials of their 'epochs' parameter's epochs"), r.out());
    assertTrue(r.out().contains("2 epochs trained of 2 without pruning (100%)"), r.out());
    r = run("tune", "--trials", "3", "--workers", "1", "--no-report", "--no-progress", "--pruner", "none",
        "--param", "epochs = categorical(1, 2)", "--param", "lr = log(1e-3, 1e-2)", "--param", "units = fixed(8)",
        "--param", "layers = fixed(1)", "--study", dir.resolve("c").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().matches("(?s).* ([3-6]) epochs trained of \\1 without pruning \\(100%\\).*"), r.out());
  }

  /**
   * Every trial failing (learning rates that diverge at once) is an exit code of 1, and the reasons
   * are printed; the same command again, which runs nothing, fails too (it exited 0).
   */
  @Test
  void aStudyWhoseTrialsAllFailSaysWhyAndFails() throws Exception {
    String[] args = {"tune", "--trials", "2", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--param", "lr = log(1e8, 1e9)", "--param", "optimizer = fixed(momentum)", "--study", dir.resolve("s").toString()};
    CliRun r = run(args);
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals(2, r.out().lines().filter(l -> l.startsWith("failed: 1 trial: diverged: the loss became NaN or infinite")).count(), r.out());
    assertTrue(r.err().contains("no trial completed; 2 failed"), r.err());
    CliRun again = run(args);
    assertEquals(1, again.code(), again.out() + again.err());
    assertTrue(again.out().contains("(no completed trial)"), again.out());
    assertEquals("caviar tune: no trial completed; 2 trials: 0 complete, 0 pruned, 2 failed", again.err().strip());
  }

  /** Data of one class is refused by name before anything trains, by train and by tune (which failed every trial). */
  @Test
  void dataOfOneClassIsRefusedUpFront() throws Exception {
    Path csv = dir.resolve("one.csv");
    StringBuilder text = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 40; i++) text.append(i).append(',').append(2 * i).append(",x\n");
    Files.writeString(csv, text);
    String expected = "one.csv has 1 class ('x') in its label column: a classifier needs at least 2";
    CliRun train = run("train", "--csv", csv.toString(), "--epochs", "1", "--out", dir.resolve("one.caviar").toString());
    assertEquals(2, train.code());
    assertEquals("caviar train: " + expected, train.err().strip());
    CliRun tune = run("tune", "--csv", csv.toString(), "--trials", "2", "--epochs", "1", "--no-progress", "--no-report",
        "--study", dir.resolve("one-study").toString());
    assertEquals(2, tune.code());
    assertEquals("caviar tune: " + expected, tune.err().strip());
    assertTrue(!tune.out().contains("search time"), "no trial ran: " + tune.out());
  }

  /** train checks --out before it trains, and does not save a model whose loss diverged. */
  @Test
  void trainDoesNotLoseWorkOrSaveADivergedModel() throws Exception {
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--out", dir.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--out " + dir + " is a directory"), r.err());
    assertTrue(!r.out().contains("test: accuracy"), "stopped before training: " + r.out());

    Path model = dir.resolve("sub/folder/diverged.caviar");
    r = run("train", "--epochs", "2", "--threads", "1", "--param", "optimizer=momentum", "--param", "lr=1e9",
        "--out", model.toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("diverged; the model was not saved"), r.err());
    assertTrue(!Files.exists(dir.resolve("sub")), "nothing saved, no folder created");
    r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(Files.isRegularFile(model), "missing folders are created by the save");
  }

  /**
   * train --report writes the run's page with its charts and tables; probing the layers after each
   * epoch changes nothing the training reads (the same model file, byte for byte, as without it); a
   * diverged run still gets its report; a report path that is a file is refused before the data loads.
   */
  @Test
  void trainWritesAReportThatChangesNothing() throws Exception {
    Path plain = dir.resolve("plain.caviar");
    Path reported = dir.resolve("reported.caviar");
    Path report = dir.resolve("report");
    // Batch norm and dropout: the layers a careless probe would change (running averages, the masks' stream).
    String[] net = {"--param", "batchnorm=true", "--param", "dropout=0.2"};
    CliRun a = run(concat(new String[] {"train", "--epochs", "3", "--threads", "1", "--out", plain.toString()}, net));
    CliRun b = run(concat(new String[] {"train", "--epochs", "3", "--threads", "1", "--out", reported.toString(), "--report",
        report.toString()}, net));
    assertEquals(0, a.code(), a.err());
    assertEquals(0, b.code(), b.err());
    assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(reported));
    assertTrue(b.out().contains("report: " + report.resolve("index.html").toAbsolutePath()), b.out());
    String page = Files.readString(report.resolve("index.html"));
    String test = firstLine(b.out(), "test: ").substring("test: ".length());
    assertTrue(page.contains(test), test + " not in the page");
    for (String chart : List.of("loss", "accuracy", "units", "gradient_scale", "hist_relu1_outputs", "hist_relu2_gradients")) {
      assertTrue(page.contains("src=\"" + chart + ".png\""), chart);
      assertTrue(Files.size(report.resolve(chart + ".png")) > 0, chart);
    }
    assertEquals(1 + 3, Files.readAllLines(report.resolve("epochs.csv")).size());
    // dense, batchnorm, relu and dropout twice, then the output dense: one row each per epoch.
    assertEquals(1 + 3 * 9, Files.readAllLines(report.resolve("layers.csv")).size());

    Path diverged = dir.resolve("diverged-report");
    CliRun c = run("train", "--epochs", "2", "--threads", "1", "--param", "optimizer=momentum", "--param", "lr=1e9",
        "--out", dir.resolve("diverged.caviar").toString(), "--report", diverged.toString());
    assertEquals(1, c.code(), c.out() + c.err());
    assertTrue(Files.readString(diverged.resolve("index.html")).contains("not saved (diverged)"));
    assertEquals(1, Files.readAllLines(diverged.resolve("epochs.csv")).size(), "no epoch completed");

    CliRun d = run("train", "--epochs", "1", "--out", dir.resolve("x.caviar").toString(), "--report", plain.toString());
    assertEquals(2, d.code());
    assertEquals("caviar train: --report " + plain + " is a file, not a directory", d.err().strip());
    assertTrue(d.out().isEmpty(), "refused before the data loads: " + d.out());
  }

  /**
   * --overfit-check: a sound network memorizes 32 examples and training goes on; a one-unit
   * bottleneck cannot (65.6% after 300 steps with these seeds), and the run stops before training.
   */
  @Test
  void theOverfitCheckStopsANetworkThatCannotLearn() {
    CliRun ok = run("train", "--epochs", "1", "--threads", "1", "--overfit-check", "--out", dir.resolve("ok.caviar").toString());
    assertEquals(0, ok.code(), ok.err());
    assertTrue(ok.out().contains("overfit check: PASSED: 64-128-128-10 relu memorized 32 examples in "), ok.out());
    assertTrue(ok.out().contains("epoch   0"), ok.out());
    CliRun bad = run("train", "--epochs", "1", "--threads", "1", "--overfit-check", "--spec", "64-1-10 relu",
        "--out", dir.resolve("bad.caviar").toString());
    assertEquals(1, bad.code(), bad.out() + bad.err());
    assertTrue(bad.out().contains("overfit check: FAILED: 64-1-10 relu reached only "), bad.out());
    assertTrue(bad.err().contains("not training (check the gradients with caviar gradcheck --spec '64-1-10 relu'"), bad.err());
    assertTrue(!bad.out().contains("epoch   0") && !Files.exists(dir.resolve("bad.caviar")), bad.out());
  }

  /** A plain resume runs to the budget the study was last given, not to the default 60 trials. */
  @Test
  void aResumedStudyKeepsItsBudget() throws Exception {
    Path study = dir.resolve("budget");
    String[] small = {"--epochs", "1", "--workers", "1", "--no-report", "--no-progress", "--pruner", "none", "--study",
        study.toString(), "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};
    assertEquals(0, run(concat(new String[] {"tune", "--trials", "2"}, small)).code());
    CliRun resumed = run(concat(new String[] {"tune"}, small));
    assertEquals(0, resumed.code(), resumed.err());
    assertTrue(resumed.out().contains("2 trials of up to 1 epoch;"), resumed.out());
    assertEquals(2, trials(study).size());
    assertEquals(0, run(concat(new String[] {"tune", "--trials", "3"}, small)).code()); // extended
    assertEquals(0, run(concat(new String[] {"tune"}, small)).code());
    assertEquals(3, trials(study).size());
    assertEquals(3, JournalStorage.peekTrialBudget(study.resolve("journal.jsonl")));
    // A copied study folder resumes under its new path (the journal keeps the study's name).
    Path copy = Files.createDirectories(dir.resolve("copied"));
    Files.copy(study.resolve("journal.jsonl"), copy.resolve("journal.jsonl"));
    String[] atCopy = small.clone();
    atCopy[Arrays.asList(atCopy).indexOf("--study") + 1] = copy.toString();
    CliRun copied = run(concat(new String[] {"tune", "--trials", "4"}, atCopy));
    assertEquals(0, copied.code(), copied.err());
    assertEquals(4, trials(copy).size());
    CliRun reseeded = run(concat(new String[] {"tune", "--seed", "7"}, small));
    assertEquals(0, reseeded.code(), reseeded.err());
    assertTrue(reseeded.out().contains("the study keeps its seed 42 (--seed 7 applies to new studies only)"), reseeded.out());
  }

  @Test
  void tuneRunsResumesAndTrainsTheBest() throws Exception {
    Path study = dir.resolve("study");
    String[] small = {"--epochs", "2", "--workers", "1", "--no-report", "--study", study.toString(),
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 32)", "--param", "layers = fixed(1)"};
    CliRun first = run(concat(new String[] {"tune", "--trials", "4"}, small));
    assertEquals(0, first.code(), first.err());
    assertTrue(first.out().contains("rank  trial"), first.out());
    assertTrue(first.out().contains("best: trial"), first.out());
    List<TrialRecord> before = trials(study);
    assertEquals(4, before.size());

    CliRun second = run(concat(new String[] {"tune", "--trials", "6"}, small));
    assertEquals(0, second.code(), second.err());
    assertTrue(second.out().contains("resuming") && second.out().contains("4 trials done before"), second.out());
    List<TrialRecord> after = trials(study);
    assertEquals(6, after.size());
    assertEquals(before, after.subList(0, 4));

    Path model = dir.resolve("best.caviar");
    CliRun train = run("train", "--from-study", study.toString(), "--epochs", "2", "--threads", "1", "--out", model.toString());
    assertEquals(0, train.code(), train.err());
    assertTrue(train.out().contains("test: accuracy"), train.out());
    assertTrue(Files.size(model) > 0);
    // Without --epochs, as many epochs as the study's trials had.
    CliRun asInStudy = run("train", "--from-study", study.toString(), "--threads", "1", "--out", model.toString());
    assertEquals(0, asInStudy.code(), asInStudy.err());
    assertTrue(asInStudy.out().contains("epochs: 2, as in the study") && asInStudy.out().contains("training: 2 epochs"), asInStudy.out());
  }

  @Test
  void tuneWritesTheReport() {
    Path study = dir.resolve("reported");
    CliRun r = run("tune", "--trials", "3", "--epochs", "1", "--workers", "1", "--pruner", "none", "--sampler", "random",
        "--study", study.toString(), "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)",
        "--param", "layers = fixed(1)");
    assertEquals(0, r.code(), r.err());
    assertTrue(Files.exists(study.resolve("report/index.html")));
    assertTrue(Files.exists(study.resolve("report/param_lr.png")));
  }

  @Test
  void gradcheckPassesOnASoundNetwork() {
    CliRun r = run("gradcheck", "--spec", "64-8-10 tanh", "--rows", "4");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("PASSED"), r.out());
    // The training part only: a split without validation (or test) rows will do. It was refused
    // ("training and tuning are scored on validation rows").
    r = run("gradcheck", "--spec", "64-8-10 tanh", "--rows", "4", "--split", "1,0");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("train 1,797 / validation 0 / test 0") && r.out().contains("PASSED"), r.out());
    assertFalse(r.out().contains("dropout"), r.out());
    // Dropout is switched off for the check: said, so that nobody takes its backward as checked.
    r = run("gradcheck", "--spec", "64-8-10 tanh dropout=0.3", "--rows", "4");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("note: dropout=0.3 is off during the check: a random mask would make the loss a different function"
        + " at every evaluation"), r.out());
    r = run("gradcheck", "--spec", "64-8-5", "--rows", "4"); // fewer classes than the digits have
    assertEquals(2, r.code());
    assertEquals("caviar gradcheck: --spec takes 64 inputs and 5 classes, the data has 64 and 10", r.err().strip());
  }

  /**
   * gradcheck's --rows on a network with batch norm: fewer than 3 rows leave no gradient to check
   * (the library's rule), said with the option's name before the data loads; and the rows the
   * training part has, when they are fewer.
   */
  @Test
  void gradcheckRowsForBatchNormAreNamed() throws Exception {
    String why = " (over 2 rows a normalized feature is +-1 whatever its input: no gradient to check)";
    CliRun r = run("gradcheck", "--rows", "2"); // the default network has batch norm
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar gradcheck: --rows must be >= 3 for a network with batch norm, got 2" + why, r.err().strip());
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
    assertUsageError("caviar gradcheck: --rows must be >= 3 for a network with batch norm, got 1" + why,
        "gradcheck", "--spec", "64-8-10 relu batchnorm", "--rows", "1");
    assertUsageError("caviar gradcheck: --rows must be >= 1, got 0", "gradcheck", "--spec", "64-8-10 tanh", "--rows", "0");
    r = run("gradcheck", "--spec", "64-8-10 tanh", "--rows", "2"); // no batch norm: 2 rows are enough
    assertEquals(0, r.code(), r.out() + r.err());
    // No hidden layer, no batch norm layer: the spec's text may not claim one.
    assertUsageError("caviar gradcheck: network spec '64-10 batchnorm': batchnorm is an option of hidden layers, and 64-10 has none: "
        + "leave it out, or give a hidden layer (64-H-10)", "gradcheck", "--spec", "64-10 batchnorm", "--rows", "2");
    r = run("gradcheck", "--spec", "64-10 relu", "--rows", "2"); // and without it, 2 rows are enough
    assertEquals(0, r.code(), r.out() + r.err());
    // Two classes of 3 rows: a split of 0.4 leaves 2 training rows.
    Path csv = Files.writeString(dir.resolve("six.csv"), "a,label\n1,x\n2,x\n3,x\n4,y\n5,y\n6,y\n");
    assertUsageError("caviar gradcheck: --rows 16 takes the training part's 2 rows: a network with batch norm needs at least 3"
        + why + "; give --split a larger TRAIN", "gradcheck", "--csv", csv.toString(), "--split", "0.4,0.3");
  }

  /**
   * A --model file that is not a Caviar model, or a damaged one, cannot be used as given: bad usage
   * (2), as a data file that does not parse is; a file error (a disk that cannot be read) is a
   * failure (1).
   */
  @Test
  void aModelFileThatIsNotAModelIsBadUsage() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.caviar"), "not a model at all\n");
    CliRun r = run("evaluate", "--model", text.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    // The option, the file, and what to give instead (it named neither the option nor a remedy).
    assertEquals("caviar evaluate: --model " + text + ": not a Caviar model file (magic 6e6f7420); give a file that "
        + "'caviar train' saved", r.err().strip());
    Path model = dir.resolve("m.caviar");
    CliRun t = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString());
    assertEquals(0, t.code(), t.out() + t.err());
    byte[] whole = Files.readAllBytes(model);
    Path cut = Files.write(dir.resolve("cut.caviar"), Arrays.copyOf(whole, whole.length - 100));
    r = run("evaluate", "--model", cut.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("caviar evaluate: --model " + cut + ": truncated model file"), r.err());
    byte[] newer = whole.clone();
    newer[7] = 3; // version 3
    r = run("evaluate", "--model", Files.write(dir.resolve("v3.caviar"), newer).toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("model format version 3, this build reads 1 and 2"), r.err());
    assertEquals(1, CaviarCli.exitCode(new java.nio.file.AccessDeniedException(model.toString())));
    assertEquals(1, CaviarCli.exitCode(new java.io.IOException("Input/output error")));
  }

  /**
   * A model trained on a CSV, evaluated without data options: evaluate reads the shipped digits,
   * and said only "the model takes 4 features, digits has 64", not that the data was left out.
   */
  @Test
  void aModelEvaluatedWithoutItsDataSaysWhichDataItWasTrainedOn() throws Exception {
    StringBuilder b = new StringBuilder("a,b,c,d,label\n");
    for (int i = 0; i < 60; i++) b.append(i % 7).append(',').append(i * 0.5).append(",1,2,").append(i % 3).append('\n');
    Path csv = Files.writeString(dir.resolve("four.csv"), b);
    Path model = dir.resolve("four.caviar");
    CliRun r = run("train", "--csv", csv.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    r = run("evaluate", "--model", model.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar evaluate: the model takes 4 features, digits has 64; the model was trained on four.csv (60 rows, 4 features, "
        + "3 classes): give it with --csv (no data option reads the shipped digits)", r.err().strip());
  }

  /**
   * The worst examples are ranked by their loss, computed in double so that a true class's
   * probability of 2e-9 is not 0; evaluate printed it "(p 0.000)", as it printed one of 4e-4, and
   * rows so ranked could not be told apart. Tiny probabilities are now in scientific notation.
   */
  @Test
  void theWorstExamplesShowTinyProbabilitiesInScientificNotation() throws Exception {
    // One dense layer, logits (20 x0, 0): the row (1, 0) of class b gets p(b) = 1 / (1 + e^20) = 2.061e-9.
    org.caviar.model.Network network = org.caviar.model.Network.create(org.caviar.model.NetworkSpec.parse("2-2"), 1);
    float[] w = network.parameters().get(0).values();
    java.util.Arrays.fill(w, 0);
    w[0] = 20; // input 0 -> class a
    java.util.Arrays.fill(network.parameters().get(1).values(), 0);
    Path file = dir.resolve("tiny.caviar");
    new org.caviar.model.Model(network, null, List.of("a", "b")).save(file);
    // Rows 2 and 3 on either side of 0.001, where 3 decimals show 0.000: p(b) = 1 / (1 + e^7) = 9.111e-4 and 1 / (1 + e^5.4) = 0.0045.
    Path csv = Files.writeString(dir.resolve("two.csv"), "x0,x1,label\n1,0,b\n0,0,a\n0.35,0,b\n0.27,0,b\n");
    CliRun r = run("evaluate", "--model", file.toString(), "--csv", csv.toString(), "--all", "--worst", "4");
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> worst = r.out().lines().filter(l -> l.startsWith("  row ")).toList();
    assertEquals(List.of("  row 0: true b (p 2.061e-09), predicted a (p 1.000)", "  row 2: true b (p 9.111e-04), predicted a (p 0.999)",
        "  row 3: true b (p 0.004), predicted a (p 0.996)", "  row 1: true a (p 0.500), predicted a (p 0.500)"), worst, r.out());
  }

  /**
   * A row far outside the data a model trained on can overflow its logits: evaluate printed
   * "accuracy 0.5000, loss NaN" and nothing more, though the row's prediction (from logits of
   * Infinity) counted as right. It now says which rows, and that they count.
   */
  @Test
  void aNaNLossOnEvaluationNamesTheRowsWhoseOutputsAreNotFinite() throws Exception {
    // One dense layer, logit a = 1e30 x0: the row (1e10, 0) overflows it to Infinity, and its loss is NaN.
    Path file = twoClassModel("overflow.caviar", network -> {
      float[] w = network.parameters().get(0).values();
      java.util.Arrays.fill(w, 0);
      w[0] = 1e30f;
      java.util.Arrays.fill(network.parameters().get(1).values(), 0);
    });
    Path csv = Files.writeString(dir.resolve("far.csv"), "x0,x1,label\n0,0,b\n1e10,0,a\n0,0,a\n");
    CliRun r = run("evaluate", "--model", file.toString(), "--csv", csv.toString(), "--all");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("accuracy 0.6667, loss NaN\n"), r.out());
    assertEquals("note: the loss is NaN: the model's outputs are not finite on 1 of the 3 rows (row 1), whose predictions count "
        + "in the accuracy as they are; such rows hold values far outside those the model was trained on",
        r.out().lines().filter(l -> l.startsWith("note: ")).findFirst().orElse(r.out()));
  }

  /** gradcheck on a training part of one row said "on 1 rows of" and "the training part's 1 rows". */
  @Test
  void gradcheckSaysOneRowInTheSingular() throws Exception {
    Path csv = Files.writeString(dir.resolve("three.csv"), "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
    CliRun r = run("gradcheck", "--csv", csv.toString(), "--spec", "2-4-2");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().startsWith("gradcheck of 2-4-2 relu on 1 row of three.csv: "), r.out());
    r = run("gradcheck", "--csv", csv.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("caviar gradcheck: --rows 16 takes the training part's 1 row: "), r.err());
  }

  /** A file of one row: evaluate said "every row (1 rows)", and the split's refusal "of 1 rows". */
  @Test
  void oneRowIsSaidInTheSingular() throws Exception {
    Path file = twoClassModel("two.caviar", network -> {});
    Path csv = Files.writeString(dir.resolve("one.csv"), "x0,x1,label\n1,0,b\n");
    CliRun r = run("evaluate", "--model", file.toString(), "--csv", csv.toString(), "--all");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("data: one.csv, every row (1 row)\n"), r.out());
    r = run("evaluate", "--model", file.toString(), "--csv", csv.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().startsWith("caviar evaluate: the default --split 0.6,0.2 of 1 row leaves no test row"), r.err());
  }
  /** A model file of a 2-2 network (no hidden layer, no standardizer) of classes a and b, its weights set by {@code weights}. */
  private Path twoClassModel(String name, java.util.function.Consumer<org.caviar.model.Network> weights) throws Exception {
    org.caviar.model.Network network = org.caviar.model.Network.create(org.caviar.model.NetworkSpec.parse("2-2"), 1);
    weights.accept(network);
    Path file = dir.resolve(name);
    new org.caviar.model.Model(network, null, List.of("a", "b")).save(file);
    return file;
  }


  /**
   * A model of other data evaluated on a CSV: evaluate said "the model takes 64 features, four.csv
   * has 4 (the columns but the label): give the --label-column and --ignore-columns it was trained
   * with", as if four.csv were its data with other columns chosen, and said nothing of the data with
   * IDX files. It now says which data the model was trained on.
   */
  @Test
  void aModelEvaluatedOnOtherDataSaysWhichDataItWasTrainedOn() throws Exception {
    StringBuilder b = new StringBuilder("a,b,c,d,label\n");
    for (int i = 0; i < 60; i++) b.append(i % 7).append(',').append(i * 0.5).append(",1,2,").append(i % 3).append('\n');
    Path csv = Files.writeString(dir.resolve("four.csv"), b);
    Path digits = dir.resolve("digits.caviar");
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--param", "layers=1", "--out", digits.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    r = run("evaluate", "--model", digits.toString(), "--csv", csv.toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar evaluate: the model takes 64 features, four.csv has 4 (the columns but the label); the model was trained on "
        + "digits (1,797 rows, 64 features, 10 classes): give that data, or the --label-column and --ignore-columns it was "
        + "trained with", r.err().strip());
    // IDX files of 2 x 2 images: 4 features, which a model of the digits does not take either.
    Path images = dir.resolve("images.idx");
    Path labels = dir.resolve("labels.idx");
    java.nio.ByteBuffer i = java.nio.ByteBuffer.allocate(16 + 6 * 4).putInt(0x803).putInt(6).putInt(2).putInt(2);
    for (int k = 0; k < 24; k++) i.put((byte) k);
    Files.write(images, i.array());
    java.nio.ByteBuffer l = java.nio.ByteBuffer.allocate(8 + 6).putInt(0x801).putInt(6);
    for (int k = 0; k < 6; k++) l.put((byte) (k % 2));
    Files.write(labels, l.array());
    r = run("evaluate", "--model", digits.toString(), "--idx-images", images.toString(), "--idx-labels", labels.toString(), "--all");
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals("caviar evaluate: the model takes 64 features, images.idx has 4; the model was trained on digits (1,797 rows, "
        + "64 features, 10 classes): give that data", r.err().strip());
  }

  /**
   * The "is this the label?" check (more classes than half the rows) is for the default last
   * column: a label column the user chose is used, however many classes it has.
   */
  @Test
  void aChosenLabelColumnMayHaveManyClasses() throws Exception {
    StringBuilder b = new StringBuilder("a,b,label\n");
    for (int i = 0; i < 60; i++) b.append(i % 7).append(',').append(i * 0.5).append(",k").append(i % 40).append('\n');
    Path many = Files.writeString(dir.resolve("forty.csv"), b); // 40 classes in 60 rows
    CliRun r = run("train", "--csv", many.toString(), "--epochs", "1", "--threads", "1", "--out", dir.resolve("b.caviar").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("(the last) has 40 distinct values in 60 rows; is it the label? Choose it with --label-column"), r.err());
    for (String column : List.of("label", "2", "-1")) {
      r = run("train", "--csv", many.toString(), "--label-column", column, "--split", "0.5,0.5", "--epochs", "1", "--threads", "1",
          "--out", dir.resolve("b.caviar").toString());
      assertEquals(0, r.code(), column + ": " + r.out() + r.err());
      assertTrue(r.out().contains("forty.csv: 60 rows, 2 features, 40 classes"), r.out());
    }
  }

  /** With too few epochs for ASHA's first rung, the header says it prunes nothing. */
  @Test
  void ashaWithoutARungSaysSo() {
    CliRun r = run("tune", "--trials", "1", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)",
        "--study", dir.resolve("s").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("pruner asha (no decision within 1 epoch: it prunes nothing"), r.out());
    // In the singular (it said "1 epochs", as train's "training: 1 epochs").
    assertTrue(r.out().contains("; 1 epoch trained of 1 without pruning (100%)"), r.out());
  }

  /** The small space of the quick studies below: two trials take about a second. */
  private static final String[] QUICK = {"--epochs", "1", "--workers", "1", "--no-report", "--no-progress", "--pruner", "none",
      "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};

  /**
   * Runs {@code body} with the system property the launcher sets (-Dcaviar.command=./caviar, how the
   * user invoked it), then restores it.
   */
  private static void asInvokedBy(String command, ThrowingRunnable body) throws Exception {
    String before = System.getProperty("caviar.command");
    System.setProperty("caviar.command", command);
    try {
      body.run();
    } finally {
      if (before == null) System.clearProperty("caviar.command");
      else System.setProperty("caviar.command", before);
    }
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /**
   * The commands the CLI prints for the next step start as the user invoked it (the launcher is
   * ./caviar, not on the PATH), so that they run when pasted; without the property, "caviar".
   */
  @Test
  void printedCommandsStartAsTheUserInvokedCaviar() throws Exception {
    Path study = dir.resolve("hinted");
    asInvokedBy("./caviar", () -> {
      CliRun r = run(concat(new String[] {"tune", "--trials", "1", "--study", study.toString()}, QUICK));
      assertEquals(0, r.code(), r.out() + r.err());
      assertEquals("resume or extend: ./caviar tune --study " + study + " --trials 41", firstLine(r.out(), "resume or extend: "));
      assertEquals("train and save it: ./caviar train --from-study " + study, firstLine(r.out(), "train and save it: "));
      CliRun bad = run("tune", "--trials", "many");
      assertEquals("see: ./caviar tune --help", bad.err().strip().lines().reduce((a, b) -> b).orElseThrow(), bad.err());
      assertTrue(run("--help").out().contains("Start with: ./caviar tune "), run("--help").out());
      CliRun overfit = run("train", "--epochs", "1", "--threads", "1", "--overfit-check", "--spec", "64-1-10 relu",
          "--out", dir.resolve("bad.caviar").toString());
      assertTrue(overfit.err().contains("check the gradients with ./caviar gradcheck --spec '64-1-10 relu'"), overfit.err());
      // A path a shell would split is quoted.
      Path spaced = dir.resolve("my study");
      r = run(concat(new String[] {"tune", "--trials", "1", "--study", spaced.toString()}, QUICK));
      assertEquals(0, r.code(), r.out() + r.err());
      assertEquals("train and save it: ./caviar train --from-study '" + spaced + "'", firstLine(r.out(), "train and save it: "));
    });
    assertEquals("train and save it: caviar train --from-study " + study, firstLine(run(concat(new String[] {"tune", "--study",
        study.toString(), "--trials", "2"}, QUICK)).out(), "train and save it: "));
  }

  /**
   * --trials below the trials a study has finished would run none and lower its stored budget:
   * refused in one line naming the count, before anything is written; equal shows the results. The
   * hint to extend a study is above both its budget and its finished trials.
   */
  @Test
  void aResumeCannotLowerTheBudgetBelowTheFinishedTrials() throws Exception {
    Path study = dir.resolve("lower");
    Path journal = study.resolve("journal.jsonl");
    CliRun first = run(concat(new String[] {"tune", "--trials", "3", "--study", study.toString()}, QUICK));
    assertEquals(0, first.code(), first.out() + first.err());
    assertEquals("resume or extend: caviar tune --study " + study + " --trials 43", firstLine(first.out(), "resume or extend: "));
    byte[] before = Files.readAllBytes(journal);
    for (String n : List.of("2", "1")) {
      CliRun r = run(concat(new String[] {"tune", "--trials", n, "--study", study.toString()}, QUICK));
      assertEquals(2, r.code(), r.out() + r.err());
      assertEquals("caviar tune: the study has 3 finished trials: --trials " + n + " would lower its budget; give --trials 3 or more",
          r.err().strip());
      assertTrue(r.out().isEmpty(), "refused before the data loads: " + r.out());
    }
    assertArrayEquals(before, Files.readAllBytes(journal), "the stored budget is unchanged");
    // The same command again runs nothing and shows the results.
    CliRun again = run(concat(new String[] {"tune", "--trials", "3", "--study", study.toString()}, QUICK));
    assertEquals(0, again.code(), again.out() + again.err());
    assertEquals(3, trials(study).size(), "none ran");
    assertEquals(3, JournalStorage.peekTrialBudget(journal));
    // A study with more finished trials than its budget (e.g. one journaled before budgets were
    // stored, resumed at the default 60 after 100 trials): the hint is above what it has.
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(JournalStorage.peek(journal));
      for (int i = 0; i < 5; i++) {
        TrialRecord t = s.claimTrial(0);
        s.recordOutcome(t.number(), org.caviar.search.trial.TrialState.FAILED, Double.NaN, "failed elsewhere", 1);
      }
    }
    CliRun resumed = run(concat(new String[] {"tune", "--study", study.toString()}, QUICK));
    assertEquals(0, resumed.code(), resumed.out() + resumed.err());
    assertEquals("resume or extend: caviar tune --study " + study + " --trials 48", firstLine(resumed.out(), "resume or extend: "));
    assertEquals(8, trials(study).size(), "none ran either");
  }

  /**
   * A model trained on other data than the digits is scored on its own test rows only with the same
   * data options: train prints the evaluate command with them, and that command, run as printed,
   * scores the rows training tested on. The split is the model's own (its file records it): the
   * command no longer needs --split and --split-seed.
   */
  @Test
  void trainOnAnotherSplitPrintsTheEvaluateCommandForIt() throws Exception {
    Path csv = dir.resolve("three.csv");
    StringBuilder text = new StringBuilder("a,b,label\n");
    Random rnd = new Random(5);
    for (int i = 0; i < 90; i++) text.append(i % 3 * 2 + rnd.nextGaussian() * 0.3).append(',').append(rnd.nextGaussian())
        .append(',').append("xyz".charAt(i % 3)).append('\n');
    Files.writeString(csv, text);
    Path model = dir.resolve("split.caviar");
    asInvokedBy("./caviar", () -> {
      CliRun t = run("train", "--csv", csv.toString(), "--split", "0.5,0.3", "--split-seed", "7", "--epochs", "3",
          "--threads", "1", "--out", model.toString());
      assertEquals(0, t.code(), t.out() + t.err());
      String command = "./caviar evaluate --model " + model + " --csv " + csv;
      String hint = firstLine(t.out(), "evaluate it on its test rows: ");
      assertEquals("evaluate it on its test rows: " + command, hint);
      int saved = t.out().indexOf("saved: ");
      assertTrue(saved >= 0 && saved < t.out().indexOf(hint), "after the saved line: " + t.out());
      CliRun e = run(command.substring("./caviar ".length()).split(" "));
      assertEquals(0, e.code(), e.err());
      assertTrue(firstLine(t.out(), "test: ").startsWith("test: " + firstLine(e.out(), "accuracy ") + " on 18 rows"),
          t.out() + " / " + e.out());
      // On the default split the data options are still needed: evaluate's default data is the
      // shipped digits (the line was left out, and `evaluate --model` alone scored the digits).
      CliRun plain = run("train", "--csv", csv.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
      assertEquals(0, plain.code(), plain.err());
      assertEquals("evaluate it on its test rows: ./caviar evaluate --model " + model + " --csv " + csv,
          firstLine(plain.out(), "evaluate it on its test rows: "), plain.out());
      // The digits on the default split need none: evaluate's defaults are train's.
      CliRun digits = run("train", "--spec", "64-8-10", "--epochs", "1", "--threads", "1", "--out", model.toString());
      assertEquals(0, digits.code(), digits.err());
      assertTrue(!digits.out().contains("evaluate it on its test rows"), digits.out());
    });
  }

  /** A missing file, or a study folder that cannot be written, is named with its option before the data loads. */
  @Test
  void missingPathsAreNamedWithTheirOptionUpFront() throws Exception {
    Path missing = dir.resolve("missing.csv");
    CliRun r = run("tune", "--csv", missing.toString(), "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --csv " + missing + ": no such file", r.err().strip());
    r = run("train", "--csv", missing.toString(), "--out", dir.resolve("m.caviar").toString());
    assertEquals(2, r.code());
    assertEquals("caviar train: --csv " + missing + ": no such file", r.err().strip());
    r = run("tune", "--space", dir.resolve("missing.space").toString(), "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --space " + dir.resolve("missing.space") + ": no such file", r.err().strip());
    r = run("evaluate", "--model", dir.resolve("missing.caviar").toString());
    assertEquals(2, r.code());
    assertEquals("caviar evaluate: --model " + dir.resolve("missing.caviar") + ": no such file", r.err().strip());
    r = run("tune", "--idx-images", missing.toString(), "--idx-labels", missing.toString(), "--study", dir.resolve("s").toString());
    assertEquals(2, r.code());
    assertEquals("caviar tune: --idx-images " + missing + ": no such file", r.err().strip());
    assertTrue(!Files.exists(dir.resolve("s")), "nothing written");
    // A resumed study given a --csv that is not there: named, not found out while fingerprinting it.
    Path study = dir.resolve("resumed");
    assertEquals(0, run(concat(new String[] {"tune", "--trials", "1", "--study", study.toString()}, QUICK)).code());
    r = run(concat(new String[] {"tune", "--trials", "2", "--csv", missing.toString(), "--study", study.toString()}, QUICK));
    assertEquals(2, r.code());
    assertEquals("caviar tune: --csv " + missing + ": no such file", r.err().strip());
    // Folders the file system refuses to write in (as root, a permission check would pass): said before the data loads.
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
    r = run("tune", "--study", "/proc/caviar-study", "--trials", "1");
    assertEquals(2, r.code());
    assertEquals("caviar tune: --study /proc/caviar-study: cannot write in /proc", r.err().strip());
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
    r = run("train", "--out", "/proc/m.caviar");
    assertEquals(2, r.code());
    assertEquals("caviar train: --out /proc/m.caviar: cannot write in /proc", r.err().strip());
  }

  /**
   * --from-study given a folder that is not a study, or the study's journal file itself: one line
   * that names the option and what to give instead (it said "no study journal at
   * s/journal.jsonl/journal.jsonl", naming no option).
   */
  @Test
  void fromStudyThatIsNoStudyNamesTheOptionAndWhatToGive() throws Exception {
    Path missing = dir.resolve("nosuch");
    assertUsageError("caviar train: --from-study " + missing + ": no such folder; give a study folder that "
        + "'caviar tune --study' wrote", "train", "--from-study", missing.toString());
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "hi");
    assertUsageError("caviar train: --from-study " + other + " holds no study (no journal.jsonl); give a study folder that "
        + "'caviar tune --study' wrote", "train", "--from-study", other.toString());
    Path study = Files.createDirectories(dir.resolve("s"));
    Path journal = Files.writeString(study.resolve("journal.jsonl"), "");
    assertUsageError("caviar train: --from-study " + journal + " is a file; give the study folder that holds it: " + study,
        "train", "--from-study", journal.toString());
  }

  /** An error in a --space file names the option and the file with the line (it said "space spec line 2"). */
  @Test
  void aSpaceFileErrorNamesTheOptionAndTheFile() throws Exception {
    Path space = Files.writeString(dir.resolve("typo.space"), "lr = log(1e-4, 1)\nunits = int_logg(16, 256)\n");
    assertUsageError("caviar tune: --space " + space + " line 2: 'units = int_logg(16, 256)': unknown kind 'int_logg' "
        + "(uniform, log, one_minus_log, int, int_log, categorical, fixed)",
        "tune", "--space", space.toString(), "--study", dir.resolve("s").toString());
    Path empty = Files.writeString(dir.resolve("empty.space"), "# nothing\n");
    assertUsageError("caviar tune: --space " + empty + ": a search space needs at least one parameter",
        "tune", "--space", empty.toString(), "--study", dir.resolve("s").toString());
    assertUsageError("caviar tune: --param 'units = int_logg(16, 256)': unknown kind 'int_logg' "
        + "(uniform, log, one_minus_log, int, int_log, categorical, fixed)",
        "tune", "--param", "lr = log(1e-4, 1)", "--param", "units = int_logg(16, 256)", "--study", dir.resolve("s").toString());
    assertTrue(!Files.exists(dir.resolve("s")), "nothing written");
  }

  /**
   * A space file saved with a byte order mark (Windows editors' "UTF-8 with BOM", as the CSV loader
   * already reads) was refused: "line 1: 'lr = log(1e-4, 0.3)' is not of the form ..." with U+FEFF before lr, the
   * mark invisible in the message. It reads as the same file without the mark, CRLF line ends too.
   */
  @Test
  void aSpaceFileWithAByteOrderMarkReads() throws Exception {
    Path space = Files.writeString(dir.resolve("bom.space"), "\uFEFFlr = log(1e-3, 1e-1)\r\nunits = fixed(8)\r\nlayers = fixed(1)\r\n");
    CliRun r = run("tune", "--space", space.toString(), "--trials", "1", "--workers", "1", "--epochs", "1", "--no-report",
        "--no-progress", "--study", dir.resolve("s").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("space: 3 parameters"), r.out());
  }

  /**
   * A CSV whose label, a column of class names, is not the last one: the default label column (the
   * last) leaves the names among the features, and the loader's "'zero' is not a number" now says
   * which --label-column to give.
   */
  @Test
  void classNamesInAFeatureColumnPointToLabelColumn() throws Exception {
    StringBuilder csv = new StringBuilder("digit,a,b\n");
    for (int i = 0; i < 30; i++) csv.append(List.of("zero", "one", "two").get(i % 3)).append(',').append(i).append(',').append(i % 5).append('\n');
    Path file = Files.writeString(dir.resolve("names-first.csv"), csv);
    assertUsageError("caviar train: " + file + " line 2: column 1 (index 0) 'digit': 'zero' is not a number; "
        + "if this column is the label, choose it with --label-column digit (the label is the last column by default)",
        "train", "--csv", file.toString(), "--epochs", "1");
    // Without a header the hint names the index; a --label-column given is the user's choice: no hint.
    Path noHeader = Files.writeString(dir.resolve("no-header.csv"), csv.substring(csv.indexOf("\n") + 1));
    assertUsageError("caviar train: " + noHeader + " line 1: column 1 (index 0): 'zero' is not a number; "
        + "if this column is the label, choose it with --label-column 0 (the label is the last column by default)",
        "train", "--csv", noHeader.toString(), "--epochs", "1");
    assertUsageError("caviar train: " + file + " line 2: column 1 (index 0) 'digit': 'zero' is not a number",
        "train", "--csv", file.toString(), "--label-column", "b", "--epochs", "1");
  }

  /**
   * A CSV with a header whose label is not the last column, given without --label-column: the last
   * column, a feature of a few integer values, made a valid label and the run trained on it with no
   * word of which column it took ("17 classes" on the digits with their label first). The data line
   * now names the column taken, and the option to choose another.
   */
  @Test
  void theDefaultLabelColumnIsNamedWhenTheFileHasAHeader() throws Exception {
    StringBuilder csv = new StringBuilder("digit,a,level\n");
    for (int i = 0; i < 60; i++) csv.append(i % 3).append(',').append(i % 3 + (i % 7) * 0.1).append(',').append(i % 4).append('\n');
    Path file = Files.writeString(dir.resolve("label-first.csv"), csv);
    CliRun r = run("train", "--csv", file.toString(), "--epochs", "1", "--threads", "1", "--out", dir.resolve("m.caviar").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("caviar train on label-first.csv: 60 rows, 2 features, 4 classes in column 'level' "
        + "(the last; --label-column chooses another); train 36 / validation 12 / test 12", firstLine(r.out(), "caviar train on "));
    // Chosen, or without a header (nothing to name), the line is as before.
    r = run("train", "--csv", file.toString(), "--label-column", "digit", "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("m.caviar").toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("caviar train on label-first.csv: 60 rows, 2 features, 3 classes; train 36 / validation 12 / test 12",
        firstLine(r.out(), "caviar train on "));
  }

  /**
   * A misspelled option or command: picocli's message, then the close names it knows (it printed
   * "Unknown options: '--trails', '5'" and no hint, though --trials is one letter away).
   */
  @Test
  void aMisspelledOptionOrCommandSuggestsTheNameMeant() {
    CliRun r = run("tune", "--trails", "5");
    assertEquals(2, r.code());
    assertEquals(List.of("caviar tune: Unknown options: '--trails', '5'; did you mean --trials?", "see: caviar tune --help"),
        r.err().strip().lines().toList());
    r = run("tun");
    assertEquals(2, r.code());
    assertEquals(List.of("caviar: Unmatched argument at index 0: 'tun'; did you mean tune?", "see: caviar --help"),
        r.err().strip().lines().toList());
    r = run("tune", "--zzzzzz"); // nothing close: no hint
    assertEquals(List.of("caviar tune: Unknown option: '--zzzzzz'", "see: caviar tune --help"), r.err().strip().lines().toList());
    // A setting of the MLP given as an option of its own: the --param that says it.
    r = run("train", "--lr", "0.1");
    assertEquals(List.of("caviar train: Unknown options: '--lr', '0.1'; a setting is given as --param lr=0.1",
        "see: caviar train --help"), r.err().strip().lines().toList());
    r = run("tune", "--batch-size=64");
    assertEquals(List.of("caviar tune: Unknown option: '--batch-size=64'; a parameter of the space is given as "
        + "--param 'batch_size = ...' (see --show-space)", "see: caviar tune --help"), r.err().strip().lines().toList());
    // tune's --study given to train: picocli's closest name, --storage, is not the one meant.
    r = run("train", "--study", "studies/x");
    assertEquals(List.of("caviar train: Unknown options: '--study', 'studies/x'; did you mean --from-study?",
        "see: caviar train --help"), r.err().strip().lines().toList());
    // A misspelled required option was reported as missing, not as the misspelling it is.
    r = run("evaluate", "--modle", "m.caviar");
    assertEquals(List.of("caviar evaluate: Unknown options: '--modle', 'm.caviar'; did you mean --model?",
        "see: caviar evaluate --help"), r.err().strip().lines().toList());
  }

  /**
   * Words that are neither options nor their values: after a stray '--' ("tune -- --trials 3" said
   * "Unknown options: '--trials', '3'; did you mean --trials?"), or a value with spaces not quoted
   * ("Unmatched arguments from index 3: '=', 'log(1e-4,', '1)'"): the message says what they were
   * taken for, and what to write.
   */
  @Test
  void strayArgumentsSayWhatTheyWereTakenFor() {
    CliRun r = run("tune", "--", "--trials", "3");
    assertEquals(2, r.code());
    assertEquals(List.of("caviar tune: '--trials', '3' after '--' are arguments, not options ('--' ends the options), and tune "
        + "takes no arguments: leave out the '--'", "see: caviar tune --help"), r.err().strip().lines().toList());
    r = run("--", "tune");
    assertEquals(List.of("caviar: 'tune' after '--' is an argument, not a command or an option ('--' ends the options), and "
        + "caviar takes no arguments: leave out the '--'", "see: caviar --help"), r.err().strip().lines().toList());
    r = run("tune", "--param", "lr", "=", "log(1e-4,", "1)");
    assertEquals(List.of("caviar tune: '=', 'log(1e-4,', '1)' are neither options nor values of one, and tune takes no other "
        + "arguments; if they belong to the value of --param, quote it whole: --param 'lr = log(1e-4, 1)'", "see: caviar tune --help"),
        r.err().strip().lines().toList());
    r = run("train", "--csv", "my", "data.csv");
    assertEquals(2, r.code());
    assertEquals(List.of("caviar train: 'data.csv' is neither an option nor the value of one, and train takes no other arguments; "
        + "if it belongs to the value of --csv, quote it whole: --csv 'my data.csv'", "see: caviar train --help"),
        r.err().strip().lines().toList());
    r = run("tune", "--trials", "3", "5");
    assertEquals(List.of("caviar tune: '5' is neither an option nor the value of one, and tune takes no other arguments",
        "see: caviar tune --help"), r.err().strip().lines().toList());
  }

  /**
   * --spec gives the whole network: a --param for a part of it (units, layers, activation,
   * batchnorm, dropout) was dropped without a word, and the run trained another network than asked.
   */
  @Test
  void aParamThatTheSpecReplacesIsRefused() {
    assertUsageError("caviar train: --param units=3 sets a part of the network, which --spec '64-32-10' gives whole "
        + "(units, layers, activation, batchnorm, dropout): write it in the spec, or leave --spec out",
        "train", "--spec", "64-32-10", "--param", "units=3", "--epochs", "1", "--out", dir.resolve("m.caviar").toString());
    assertTrue(!Files.exists(dir.resolve("m.caviar")), "nothing written");
  }

  /**
   * A model trained on class names, evaluated on a CSV whose label column holds numbers (another
   * column taken for the label, or another coding): the numbers were taken for the model's class
   * indices, and evaluate printed an accuracy of chance with no error.
   */
  @Test
  void numbersEvaluatedAgainstAModelOfNamedClassesAreRefused() throws Exception {
    StringBuilder named = new StringBuilder("a,b,kind\n");
    StringBuilder numbered = new StringBuilder("a,b,kind\n");
    for (int i = 0; i < 60; i++) {
      String features = (i % 3) + "," + (i % 3 + (i % 7) * 0.1);
      named.append(features).append(',').append(List.of("cat", "dog", "emu").get(i % 3)).append('\n');
      numbered.append(features).append(',').append(i % 3).append('\n');
    }
    Path namedCsv = Files.writeString(dir.resolve("named.csv"), named);
    Path numberedCsv = Files.writeString(dir.resolve("numbered.csv"), numbered);
    Path model = dir.resolve("m.caviar");
    CliRun t = run("train", "--csv", namedCsv.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals(0, t.code(), t.err());
    assertUsageError("caviar evaluate: the label column of numbered.csv holds numbers (0 to 2), the model's classes are names "
        + "(cat, dog, emu): give the column of these names with --label-column",
        "evaluate", "--model", model.toString(), "--csv", numberedCsv.toString());
  }

  /**
   * The same model evaluated without --csv, on the shipped digits (a CSV too, labelled 0 to 9): the
   * check was for a --csv only, so a model of 64 features and 10 named classes took the digits'
   * labels for its class indices and printed an accuracy with no error.
   */
  @Test
  void theShippedDigitsEvaluatedAgainstAModelOfNamedClassesAreRefused() throws Exception {
    StringBuilder named = new StringBuilder();
    Random rnd = new Random(5);
    for (int i = 0; i < 100; i++) {
      for (int f = 0; f < 64; f++) named.append(rnd.nextInt(17)).append(',');
      named.append("class").append((char) ('a' + i % 10)).append('\n');
    }
    Path namedCsv = Files.writeString(dir.resolve("named64.csv"), named);
    Path model = dir.resolve("m64.caviar");
    CliRun t = run("train", "--csv", namedCsv.toString(), "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals(0, t.code(), t.out() + t.err());
    assertUsageError("caviar evaluate: the shipped digits are labelled with numbers (0 to 9), the model's classes are names "
        + "(classa, classb, classc, classd, classe, classf, classg, classh, ...): give the data it was trained on with --csv",
        "evaluate", "--model", model.toString());
  }

  private static List<TrialRecord> trials(Path study) {
    Path journal = study.resolve("journal.jsonl");
    StudyInfo info = JournalStorage.peek(journal);
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(info);
      return s.trials();
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
