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

  /** Exit code 2 and exactly {@code expected} on stderr. */
  private static void assertRefused(String expected, CliRun r) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertEquals(expected, r.err().strip());
  }

  /** {@link #assertRefused}, and nothing on stdout: refused before the data loads. */
  private static void assertUsageError(String expected, CliRun r) {
    assertRefused(expected, r);
    assertEquals("", r.out());
  }

  private static Set<String> storedSettings(Path study) {
    return JournalStorage.peek(study.resolve("journal.jsonl")).settings().keySet();
  }

  /**
   * --show-space with a space given (--param, --space) printed the default space, as if the one
   * given were ignored: it prints the space given, as the run would read it, after the same checks.
   */
  @Test
  void showSpacePrintsTheSpaceGiven() throws IOException {
    CliRun r = run("tune", "--show-space", "--param", "lr = log(1e-4, 1)", "--param", "units = int_log(8, 64)");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("Space given:\nlr = log(1e-4, 1)\nunits = int_log(8, 64)\n\nParameters the MLP reads: "), r.out());
    assertFalse(r.out().contains("Default space"), r.out());
    Path file = Files.writeString(dir.resolve("space.txt"), "lr = log(0.0001, 1)\nlayers = int(1, 3)\n");
    r = run("tune", "--show-space", "--space", file.toString());
    assertEquals(0, r.code(), r.err());
    // Each number as the file spells it (it was rewritten as log(1e-4, 1)).
    assertTrue(r.out().startsWith("Space given:\nlr = log(0.0001, 1)\nlayers = int(1, 3)\n"), r.out());
    // Checked as a run checks it: a parameter the MLP does not read is refused.
    r = run("tune", "--show-space", "--param", "unit = int(8, 16)");
    assertEquals(2, r.code(), r.out());
    assertTrue(r.err().startsWith("caviar tune: unknown parameter 'unit' for the MLP objective"), r.err());
    // Without one: the default, as before.
    assertTrue(run("tune", "--show-space").out().startsWith("Default space:\nlr = log(1e-4, 0.3)\n"));
  }

  /**
   * --show-space checks a --space path as the run does: a folder said only "caviar tune: Is a
   * directory" (exit 1, a file error), a missing file "no such file: F" without the option.
   */
  @Test
  void showSpaceNamesABadSpacePathAsTheRunDoes() {
    Path missing = dir.resolve("missing.space");
    for (Path bad : List.of(dir, missing)) {
      CliRun shown = run("tune", "--show-space", "--space", bad.toString());
      CliRun ran = run("tune", "--trials", "1", "--epochs", "1", "--no-report", "--no-progress", "--study", dir.resolve("s").toString(),
          "--space", bad.toString());
      String expected = "caviar tune: --space " + bad + (bad == dir ? " is a directory, not a file" : ": no such file");
      assertRefused(expected, ran);
      assertUsageError(expected, shown);
    }
  }

  /** A study resumed with one trial done said "(1 trials done before)". */
  @Test
  void oneTrialDoneBeforeIsOneTrial() {
    String study = dir.resolve("one").toString();
    assertOk(runQuick("tune", "--trials", "1", "--study", study));
    CliRun r = runQuick("tune", "--trials", "2", "--study", study);
    assertOk(r);
    assertTrue(r.out().contains("study: " + Path.of(study, "journal.jsonl") + " (1 trial done before)\n"), r.out());
  }

  /**
   * A run that runs no trial (the study's budget has run) says so in its closing line, without the
   * epochs it did not train: it read "search time 1.1 s for 0 trials; ...; 0 epochs trained of 0
   * without pruning (0%)".
   */
  @Test
  void aRunOfNoTrialSaysSoWithoutEpochs() {
    String study = dir.resolve("done").toString();
    assertOk(runQuick("tune", "--trials", "1", "--study", study));
    CliRun r = runQuick("tune", "--study", study);
    assertOk(r);
    assertTrue(r.out().matches("(?s).*\nsearch time \\d+\\.\\d s for no trial; 1 trial: 1 complete, 0 pruned, 0 failed\n.*"), r.out());
    assertFalse(r.out().contains("epochs trained"), r.out());
  }

  /**
   * A CSV's option given to a study of the shipped digits (or of IDX files) is refused as on a new
   * study, "goes with --csv": it said "study 'S' was created without --label-column ... start a new
   * study", and the new study then refused it for want of a --csv.
   */
  @Test
  void aCsvOptionOnAStudyWithoutACsvGoesWithCsv() {
    String study = dir.resolve("digits").toString();
    assertOk(runQuick("tune", "--trials", "1", "--study", study));
    for (String[] option : new String[][] {{"--label-column", "64"}, {"--ignore-columns", "3"}, {"--csv-header", "present"},
        {"--csv-delimiter", ";"}}) {
      assertRefused("caviar tune: " + option[0] + " goes with --csv", runQuick("tune", "--study", study, option[0], option[1]));
      CliRun train = run("train", "--from-study", study, "--epochs", "1", "--out", dir.resolve("m.caviar").toString(), option[0], option[1]);
      assertEquals(2, train.code(), train.out() + train.err());
      assertEquals("caviar train: " + option[0] + " goes with --csv", train.err().strip());
    }
  }

  /** Every share 0 printed a list of zeros ("x 0% c 0%"); the line now says what that means. */
  @Test
  void importanceOfNoShareSaysSo() {
    var none = new org.caviar.search.report.Importance.Result(
        new java.util.LinkedHashMap<>(java.util.Map.of("x", 0.0)), "final values of 30 completed trials");
    assertEquals("importance (final values of 30 completed trials): no parameter explains more of the ranks than chance would "
        + "(every share 0)", TuneCommand.importanceLine(none));
    var some = new org.caviar.search.report.Importance.Result(
        new java.util.LinkedHashMap<>(java.util.Map.of("x", 0.25)), "values at step 2 of 1 trial");
    assertEquals("importance (values at step 2 of 1 trial): x 25%", TuneCommand.importanceLine(some));
  }

  /**
   * Too few trials printed no importance line at all, and rough shares (under 10 trials per
   * parameter) read as firm ones: the line says which, and how many trials it takes.
   */
  @Test
  void importanceSaysWhenItIsRoughOrTooFew() {
    var rough = new org.caviar.search.report.Importance.Result(
        new java.util.LinkedHashMap<>(java.util.Map.of("x", 1.0)), "values at step 2 of 60 trials", 55, 110);
    assertEquals("importance (values at step 2 of 60 trials; rough: 110 trials make it firm (10 per parameter)): x 100%",
        TuneCommand.importanceLine(rough));
    var tooFew = new org.caviar.search.report.Importance.Result(
        new java.util.LinkedHashMap<>(), "values at step 20 of 4 trials", 55, 0);
    assertEquals("importance (values at step 20 of 4 trials): too few trials to estimate it: 11 parameters vary, which takes 55 "
        + "trials (5 per parameter)", TuneCommand.importanceLine(tooFew));
    CliRun r = run("tune", "--trials", "3", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--study", dir.resolve("few").toString());
    assertOk(r);
    assertTrue(r.out().contains("\nimportance (final values of 3 completed trials): too few trials to estimate it: 11 parameters vary, "
        + "which takes 55 trials (5 per parameter)\n"), r.out());
  }

  /**
   * Shares rounded each on its own printed 41 + 22 + 16 + 14 + 6 = 99%: the largest remainders now
   * take the units left over (here 41.4 and 5.8), so the line adds up to 100%.
   */
  @Test
  void importanceSharesAddUpTo100() {
    var shares = new java.util.LinkedHashMap<String, Double>();
    shares.put("a", 0.414);
    shares.put("b", 0.223);
    shares.put("c", 0.163);
    shares.put("d", 0.142);
    shares.put("e", 0.058);
    var r = new org.caviar.search.report.Importance.Result(shares, "final values of 30 completed trials");
    assertEquals("importance (final values of 30 completed trials): a 42% b 22% c 16% d 14% e 6%", TuneCommand.importanceLine(r));
    assertEquals(java.util.List.of("41.4%", "22.3%", "16.3%", "14.2%", "5.8%"), java.util.List.copyOf(r.percents(1).values()));
  }

  /**
   * "lr 100%" read the same whether lr decided the score or barely stood out of noise: the line
   * now says how much the parameters explain together, and when that is little, what else.
   */
  @Test
  void importanceSaysHowMuchTheParametersExplainTogether() {
    var lr = org.caviar.search.space.SearchSpace.of(org.caviar.search.space.Parameter.logUniform("lr", 1e-4, 1));
    var noise = new java.util.Random(99);
    var noisy = org.caviar.search.study.Study.builder(lr).sampler(new org.caviar.search.sampler.RandomSampler()).seed(1).workers(1)
        .build().optimize(t -> noise.nextDouble(), org.caviar.search.study.Budget.trials(100));
    assertEquals("importance (final values of 100 completed trials): lr 100%; together they explain 2% of the variation in score "
        + "(little: the score varies mostly with what no single parameter explains, noise (seeds) or interactions; more trials, "
        + "or fewer parameters, sharpen the shares)", TuneCommand.importanceLine(org.caviar.search.report.Importance.compute(noisy, lr)));
    // lr decides the score: 10 bins of 10 trials hold all but (10^2 - 1)/(100^2 - 1) of the ranks' variance.
    var decided = org.caviar.search.study.Study.builder(lr).sampler(new org.caviar.search.sampler.RandomSampler()).seed(1).workers(1)
        .build().optimize(t -> Math.log10(t.getDouble("lr")), org.caviar.search.study.Budget.trials(100));
    assertEquals("importance (final values of 100 completed trials): lr 100%; together they explain 99% of the variation in score",
        TuneCommand.importanceLine(org.caviar.search.report.Importance.compute(decided, lr)));
  }

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
   * A panda-mode run printed "resume with: caviar tune --study S" (on Ctrl-C too), which resumed it
   * in caviar mode, each trial on one core instead of all of them, without a word; then "--mode
   * panda" in that command, which a resume left out when typed by hand. The study stores its mode
   * now: the plain resume it prints keeps it.
   */
  @Test
  void aPandaRunsResumeCommandKeepsTheMode() {
    Path study = dir.resolve("panda-resumed");
    CliRun r = runSmall("tune", "--mode", "panda", "--trials", "1", "--study", study.toString());
    assertOk(r);
    assertTrue(r.out().contains("\nresume or extend: caviar tune --study " + study + " --trials 41\n"), r.out());
    CliRun resumed = runQuick("tune", "--trials", "2", "--study", study.toString());
    assertOk(resumed);
    assertTrue(resumed.out().contains("1 worker in panda mode"), resumed.out());
    assertTrue(resumed.out().contains("\nresume or extend: caviar tune --study " + study + " --trials 42\n"), resumed.out());
  }

  /**
   * A file where the report folder goes (a study folder copied by hand, a link to /dev/null to keep
   * no report) ended the run with "cannot write the report to S/report: S/report", the file
   * system's exception being only the path: it now says what is in the way.
   */
  @Test
  void aFileWhereTheReportGoesIsSaidSo() throws IOException {
    Path study = dir.resolve("blocked");
    assertOk(runQuick("tune", "--trials", "1", "--study", study.toString()));
    Path report = study.resolve("report");
    Files.writeString(report, "not a folder");
    CliRun r = run("tune", "--study", study.toString(), "--no-progress");
    assertEquals(1, r.code(), r.out() + r.err());
    assertEquals("caviar tune: cannot write the report to " + report + ": " + report + " exists and is not a folder", r.err().strip());
  }

  /**
   * A budget meant as no limit, stopped by --timeout (--trials 2147483647): the hint to extend it
   * overflowed, "--trials -2147483609 extends it", a command refused as a --trials below 1. The
   * hint stops at the largest budget, and is left out when the budget is that already.
   */
  @Test
  void theHintToExtendAnUnlimitedBudgetDoesNotOverflow() {
    Path study = dir.resolve("unlimited");
    CliRun r = runQuick("tune", "--trials", Integer.toString(Integer.MAX_VALUE), "--timeout", "0", "--study", study.toString());
    assertOk(r);
    assertTrue(r.out().contains("\nresume: caviar tune --study " + study + " (2,147,483,647 of the study's 2,147,483,647 trials to go)\n"),
        r.out());
    Path near = dir.resolve("near");
    r = runQuick("tune", "--trials", Integer.toString(Integer.MAX_VALUE - 1), "--timeout", "0", "--study", near.toString());
    assertOk(r);
    assertTrue(r.out().contains("\nresume: caviar tune --study " + near + " (2,147,483,646 of the study's 2,147,483,646 trials to go; "
        + "--trials 2147483647 extends it)\n"), r.out());
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

  /**
   * An option of another sampler or pruner than the study's is refused as --round-size is (they
   * were ignored, but stored and compared on resume); a study stores only the options of its own
   * sampler and pruner.
   */
  @Test
  void anotherSamplersOrPrunersOptionIsRefused() {
    String s = dir.resolve("s").toString();
    // Refused for not applying, not for its value.
    assertUsageError("caviar tune: --asha-eta is the asha pruner's; this study's pruner is none",
        runSmall("tune", "--pruner", "none", "--asha-eta", "1", "--trials", "1", "--study", s));
    assertUsageError("caviar tune: --asha-min-epochs is the asha pruner's; this study's pruner is median",
        runSmall("tune", "--pruner", "median", "--asha-min-epochs", "1", "--trials", "1", "--study", s));
    assertUsageError("caviar tune: --grid-resolution is the grid sampler's; this study's sampler is tpe",
        runSmall("tune", "--grid-resolution", "4", "--trials", "1", "--study", s));
    assertUsageError("caviar tune: --startup-trials is the tpe, tpe-univariate and gp samplers'; this study's sampler is random",
        runSmall("tune", "--sampler", "random", "--startup-trials", "5", "--trials", "1", "--study", s));
    assertUsageError("caviar tune: --startup-trials is the tpe, tpe-univariate and gp samplers'; this study's sampler is grid",
        runSmall("tune", "--sampler", "grid", "--startup-trials", "5", "--trials", "1", "--study", s));
    assertFalse(Files.exists(Path.of(s)), "a refused run wrote the study");

    Path study = dir.resolve("random-none");
    assertOk(runQuick("tune", "--sampler", "random", "--pruner", "none", "--trials", "1", "--study", study.toString()));
    Set<String> stored = storedSettings(study);
    assertTrue(stored.containsAll(List.of("--sampler", "--pruner", "--epochs")), stored.toString());
    for (String option : List.of("--startup-trials", "--grid-resolution", "--round-size", "--asha-min-epochs", "--asha-eta")) {
      assertFalse(stored.contains(option), option + " stored: " + stored);
    }
    // On resume the study's pruner decides (it was "created with --asha-eta 3").
    assertRefused("caviar tune: --asha-eta is the asha pruner's; this study's pruner is none",
        run("tune", "--asha-eta", "4", "--trials", "2", "--study", study.toString()));

    Path asha = dir.resolve("tpe-asha");
    assertOk(runQuick("tune", "--startup-trials", "3", "--asha-eta", "2", "--trials", "1", "--study", asha.toString()));
    assertTrue(storedSettings(asha).containsAll(List.of("--startup-trials", "--asha-min-epochs", "--asha-eta")),
        storedSettings(asha).toString());
    assertFalse(storedSettings(asha).contains("--grid-resolution"), storedSettings(asha).toString());
    assertUsageError("caviar tune: study 'tpe-asha' was created with --asha-eta 2; this run asks for --asha-eta 3 "
        + "(leave it out to use the stored value, or start a new study)", run("tune", "--asha-eta", "3", "--study", asha.toString()));
  }

  /**
   * Studies stored every option, of any sampler and pruner: a stored value of an option that does
   * not apply to the study's sampler or pruner is neither taken nor compared.
   */
  @Test
  void aStudyThatStoredOtherSamplersOptionsResumes() throws IOException {
    Path study = dir.resolve("old");
    assertOk(runQuick("tune", "--sampler", "random", "--pruner", "none", "--trials", "1", "--study", study.toString()));
    // The header as the older version wrote it, given --grid-resolution 5 --asha-eta 4 (then ignored).
    Path journal = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journal);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    ObjectNode settings = (ObjectNode) header.get("settings");
    settings.put("--startup-trials", "10").put("--grid-resolution", "5").put("--round-size", "").put("--asha-min-epochs", "1")
        .put("--asha-eta", "4");
    Files.writeString(journal, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));

    CliRun r = run("tune", "--trials", "2", "--workers", "1", "--no-report", "--no-progress", "--study", study.toString());
    assertOk(r);
    assertTrue(r.out().contains("sampler random; pruner none; 2 trials of up to 1 epoch;"), r.out());
    assertFalse(r.out().contains("--grid-resolution") || r.out().contains("--asha"), r.out());
  }

  /** A worker's help says what its options do in a worker: it inherits tune's. */
  @Test
  void workerHelpDescribesAWorkersOptions() {
    String tune = run("tune", "--help").out();
    String worker = run("worker", "--help").out();
    assertTrue(option(tune, "--storage").contains("Default: a journal in the study folder") && tune.contains("--no-report")
        && option(tune, "--seed").contains("Study seed: with one worker the same seed gives"), tune);
    String storage = option(worker, "--storage");
    assertTrue(storage.contains("(required)") && !storage.contains("journal"), storage);
    assertFalse(worker.contains("--no-report"), worker);
    String seed = option(worker, "--seed");
    assertTrue(seed.contains("the seed stored with the study") && !seed.contains("with one worker the same seed"), seed);
    assertTrue(option(worker, "--space").contains("See tune --show-space."), worker); // a worker has no --show-space
    // Hidden, not removed: the options a tune was given still start a worker.
    assertEquals(1, run("worker", "--no-report", "--storage", "postgresql://127.0.0.1:1/db", "--study", "s").code());
  }

  /** An option's entry in a help text, its description's lines joined. */
  private static String option(String help, String name) {
    int start = help.indexOf("  " + name + "=");
    assertTrue(start >= 0, name + " not in: " + help);
    java.util.regex.Matcher next = java.util.regex.Pattern.compile("\n {2,6}-").matcher(help);
    int end = next.find(start + 1) ? next.start() : help.length();
    return help.substring(start, end).replaceAll("\\s+", " ");
  }

  /**
   * Large counts are written as search/README writes them, with digit grouping ("a grid of
   * 7200000 points" was hard to read); an option's value in a command to run is left as typed.
   */
  @Test
  void largeCountsAreGroupedAndOptionValuesAreNot() {
    // --timeout 0 runs no trial: the budget's counts are printed, and the resume line.
    Path study = dir.resolve("large");
    CliRun r = runQuick("tune", "--trials", "2000", "--timeout", "0", "--study", study.toString());
    assertOk(r);
    assertTrue(r.out().contains("; 2,000 trials of up to 1 epoch;"), r.out());
    assertTrue(r.out().contains("resume: " + CaviarCli.commandLine("tune", "--study", study)
        + " (2,000 of the study's 2,000 trials to go; --trials 2040 extends it)"), r.out());
  }

  /**
   * A trial too large for the heap fails at once, with a message written for the user: the
   * summary printed it after the exception's class ("failed: 2 trials: java.lang.IllegalArgumentException:
   * training ..."). 30000 units in 3 layers are 1.8e9 weights, with Adam's moments about 29 GB: beyond the
   * heap of any JVM on a machine where the tests run (the check is against the heap before anything is allocated).
   */
  @Test
  void aFailedTrialsReasonIsPrintedWithoutTheExceptionsClass() {
    CliRun r = run("tune", "--trials", "2", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--param", "units = fixed(30000)", "--param", "layers = fixed(3)", "--param", "optimizer = fixed(adam)", "--study", dir.resolve("large").toString());
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("\nfailed: 2 trials: training "), r.out());
    assertFalse(r.out().contains("Exception"), r.out());
  }

  /**
   * A grid whose every point has run: the run says so, and prints no "resume or extend" command,
   * which ran no trial (a grid of 4 points, "--trials 44", then "--trials 84", ...).
   */
  @Test
  void aSpentGridOffersNoExtension() {
    Path study = dir.resolve("grid");
    CliRun r = runQuick("tune", "--sampler", "grid", "--grid-resolution", "2", "--pruner", "none", "--trials", "10",
        "--study", study.toString());
    assertOk(r);
    assertTrue(r.out().contains("search time"), r.out());
    assertFalse(r.out().contains("resume or extend: "), r.out());
    assertTrue(r.out().contains("the grid sampler's 4 points have all run: a larger --trials would run no more "
        + "(a finer grid is a new --study with a larger --grid-resolution)"), r.out());
    // Stopped before the grid is spent, it offers to extend as any study.
    CliRun part = runQuick("tune", "--sampler", "grid", "--grid-resolution", "2", "--pruner", "none", "--trials", "2",
        "--study", dir.resolve("part").toString());
    assertOk(part);
    assertTrue(part.out().contains("resume or extend: "), part.out());
  }
  /**
   * Without --study the study folder is studies/tune-DATE-TIME, to the second: two runs started in
   * the same second (a script starting one per data file) took the same folder, and the second
   * failed ("journal ... is in use by another run of its study (locked)", exit 1), or, the first one over,
   * resumed it or was refused for its options; a folder of that name holding other files refused
   * the run. Each run now takes a folder of its own (tune-DATE-TIME-2, -3, ...), created at once.
   * The folders of the next seconds are taken here in advance, whatever second the run starts in.
   */
  @Test
  void theDefaultStudyFolderIsAFolderOfItsOwn() throws Exception {
    Path studies = Files.createDirectories(dir.resolve("studies"));
    java.time.format.DateTimeFormatter stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    java.time.LocalDateTime now = java.time.LocalDateTime.now();
    for (int s = -1; s < 120; s++) {
      Files.writeString(Files.createDirectories(studies.resolve("tune-" + now.plusSeconds(s).format(stamp))).resolve("notes.txt"), "mine");
    }
    List<String> args = new java.util.ArrayList<>(List.of("tune", "--trials", "1", "--workers", "1"));
    args.addAll(List.of(SMALL));
    // In a JVM of its own, whose working folder (where studies/ is) is this test's.
    Process p = CliRun.startChild(List.of("-Duser.dir=" + dir), args.toArray(String[]::new));
    String out = CliRun.stopAfter(p, line -> false);
    assertEquals(0, p.exitValue(), out);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("study: (studies/tune-\\d{8}-\\d{6})-2/journal.jsonl").matcher(out);
    assertTrue(m.find(), out);
    assertEquals(List.of("notes.txt"), Files.list(dir.resolve(m.group(1))).map(f -> f.getFileName().toString()).toList());
    assertTrue(Files.exists(dir.resolve(m.group(1) + "-2").resolve("journal.jsonl")));
    // A run refused once its folder is created (the data is read after) leaves none, nor studies/.
    Path fresh = Files.createDirectories(dir.resolve("fresh"));
    p = CliRun.startChild(List.of("-Duser.dir=" + fresh), "tune", "--csv", "missing.csv");
    out = CliRun.stopAfter(p, line -> false);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("caviar tune: --csv missing.csv: no such file"), out);
    assertFalse(Files.exists(fresh.resolve("studies")), out);
  }

  /**
   * A grid of 2 points, one run and one given up (its run and its re-run both interrupted, so the
   * study never runs it again): spent, and tune says so rather than "resume or extend: ... --trials
   * N", which would run nothing.
   */
  @Test
  void aGridWithAGivenUpPointIsSpent() {
    var space = org.caviar.search.space.SearchSpace.of(org.caviar.search.space.Parameter.categorical("c", "a", "b"));
    var a = space.pointFromUnit(new double[] {0.25});
    var b = space.pointFromUnit(new double[] {0.75});
    String lost = org.caviar.search.trial.TrialRecord.INTERRUPTED + ": the process died";
    var failed = org.caviar.search.trial.TrialState.FAILED;
    var run = org.caviar.search.trial.TrialRecord.claimed(0, 1).withParams(a, -1)
        .withOutcome(org.caviar.search.trial.TrialState.COMPLETE, 0.5, null, 2);
    var killed = org.caviar.search.trial.TrialRecord.claimed(1, 3).withParams(b, -1).withOutcome(failed, Double.NaN, lost, 4);
    var killedAgain = org.caviar.search.trial.TrialRecord.claimed(2, 5).withParams(b, 1).withOutcome(failed, Double.NaN, lost, 6);
    assertFalse(TuneCommand.gridSpent(List.of(run, killed), 2), "b still to re-run");
    assertTrue(TuneCommand.gridSpent(List.of(run, killed, killedAgain), 2), "b given up");
    // A re-run interrupted while it ran gives b up whatever stopped it: an interrupt (Ctrl-C through the API) too.
    var interrupted = org.caviar.search.trial.TrialRecord.claimed(2, 5).withParams(b, 1)
        .withOutcome(failed, Double.NaN, org.caviar.search.trial.TrialRecord.INTERRUPTED + ": the study was interrupted while this trial ran", 6);
    assertTrue(TuneCommand.gridSpent(List.of(run, killed, interrupted), 2), "b given up by the interrupt");
    // A re-run that never ran (a listener of a study run through the API failed as it started) gives
    // nothing up: b runs again on the next resume, so tune offers to resume the grid.
    var neverRan = org.caviar.search.trial.TrialRecord.claimed(2, 5).withParams(b, 1)
        .withOutcome(failed, Double.NaN, org.caviar.search.trial.TrialRecord.INTERRUPTED + ": a listener failed as the trial started: java.lang.IllegalStateException: bug", 6);
    assertFalse(TuneCommand.gridSpent(List.of(run, killed, neverRan), 2), "b to re-run again");
  }

  /** The default of a worker per core stops at the budget, as a given --workers does: "2 workers" for one trial was wrong. */
  @Test
  void theDefaultWorkersStopAtTheBudget() {
    org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "one core: one worker anyway");
    CliRun r = run("tune", "--study", dir.resolve("one").toString(), "--trials", "1", "--epochs", "1", "--no-report", "--no-progress",
        "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)");
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("; 1 trial of up to 1 epoch; 1 worker in caviar mode"), r.out());
  }

  /** "--study ." named the study "."; the name is the folder's own, "." and ".." resolved. */
  @Test
  void aStudyIsNamedByItsFolderWithDotsResolved() {
    assertEquals("runs", TuneCommand.studyName(Path.of("/tmp/runs/.")));
    assertEquals("tmp", TuneCommand.studyName(Path.of("/tmp/runs/..")));
    assertEquals("mlp", TuneCommand.studyName(Path.of("mlp")));
    assertEquals(Path.of("").toAbsolutePath().getFileName().toString(), TuneCommand.studyName(Path.of(".")));
    assertEquals("", TuneCommand.studyName(Path.of("/"))); // "/" has none (it was a NullPointerException's stack trace)
    assertEquals("", TuneCommand.studyName(Path.of("")));
  }

  /**
   * What tune holds beside the training and validation sets while its trials run, which their
   * memory budget leaves out: the test split and the rows as read (features and labels, 4 bytes
   * each), and the split's row numbers (one int a row). On the digits: 1,797 rows of 64 features.
   */
  @Test
  void heldBesideTheTrialsIsTheTestSplitAndTheRowsAsRead() throws IOException {
    TuneCommand tune = new TuneCommand();
    new picocli.CommandLine(tune).parseArgs(); // the data options' defaults: the digits, the default split
    org.caviar.search.cli.DataOptions.Data d = tune.data.load();
    int rows = d.raw().all().rows();
    assertEquals(1797, rows);
    assertEquals(64, d.inputs());
    long perRow = 4L * (64 + 1);
    assertEquals(perRow * d.test().rows() + perRow * rows + 4L * rows, TuneCommand.heldBesideTheTrials(d));
  }
}
