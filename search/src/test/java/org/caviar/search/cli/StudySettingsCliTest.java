package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.StudyInfo;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A study's stored options at the command line: a resumed study and a worker take the stored ones
 * they are not given, refuse one given with another value before writing anything, compare dataset
 * files by content, and a study from before settings were stored runs with the options given.
 */
class StudySettingsCliTest {
  @TempDir Path dir;

  /** Two quick trials of a small space; each trial runs every epoch (no pruning). */
  private static final String[] SMALL_SPACE = {"--workers", "1", "--no-report", "--no-progress",
      "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)"};


  /** The command line {@code args} followed by the {@code options}. */
  private static CliRun runWith(String[] options, String... args) {
    return run(Stream.concat(Stream.of(args), Stream.of(options)).toArray(String[]::new));
  }

  /** The command line {@code args} followed by {@code more}. */
  private static CliRun runFollowedBy(String[] args, String... more) {
    return runWith(more, args);
  }

  private static void assertOk(CliRun r) {
    assertEquals(0, r.code(), r.out() + r.err());
  }

  /** Exit code 2 and exactly one line on stderr, starting with the command and containing {@code expected}. */
  private static void assertOneLineError(CliRun r, String command, String expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "more than one line: " + err);
    assertTrue(err.startsWith("caviar " + command + ": ") && err.contains(expected), err);
  }

  private static List<TrialRecord> journalTrials(Path study) {
    Path journal = study.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(journal)) {
      s.open(JournalStorage.peek(journal));
      return s.trials();
    }
  }

  /** The data of the first output line, "caviar tune on NAME: rows, ..." (a worker's: "caviar worker on"): from NAME on. */
  private static String dataLine(CliRun r) {
    return r.out().lines().filter(l -> l.startsWith("caviar tune on ") || l.startsWith("caviar worker on "))
        .map(l -> l.substring(l.indexOf(" on ") + 4)).findFirst().orElseThrow(() -> new AssertionError(r.out()));
  }

  @Test
  void aResumeGivenAnotherValueFailsInOneLineAndWritesNothing() throws IOException {
    Path study = dir.resolve("mlp");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--epochs", "2", "--pruner", "none"));
    byte[] journal = Files.readAllBytes(study.resolve("journal.jsonl"));
    List<Path> files;
    try (Stream<Path> s = Files.walk(study)) {
      files = s.sorted().toList();
    }

    CliRun r = run("tune", "--study", study.toString(), "--trials", "3", "--epochs", "3", "--no-progress");
    assertOneLineError(r, "tune", "study 'mlp' was created with --epochs 2; this run asks for --epochs 3 "
        + "(leave it out to use the stored value, or start a new study)");
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "3", "--pruner", "asha", "--no-progress"), "tune",
        "study 'mlp' was created with --pruner none; this run asks for --pruner asha");
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "3", "--split", "0.5,0.3", "--no-progress"), "tune",
        "study 'mlp' was created with --split 0.6,0.2; this run asks for --split 0.5,0.3");
    // A CSV's option on a study of the digits: refused as on a new study (TuneCommandTest.aCsvOptionOnAStudyWithoutACsvGoesWithCsv).
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "3", "--label-column", "2", "--no-progress"), "tune",
        "--label-column goes with --csv");

    assertArrayEquals(journal, Files.readAllBytes(study.resolve("journal.jsonl")), "a refused run wrote to the journal");
    try (Stream<Path> s = Files.walk(study)) {
      assertEquals(files, s.sorted().toList(), "a refused run created files");
    }
  }

  /**
   * A resume given another space is refused in one line naming the first parameter that differs
   * (it was a storage error after the data had loaded: "journal ... line 1: stored study 'x' has
   * the space" and both whole spaces), also for a parameter left out or added.
   */
  @Test
  void aResumeGivenAnotherSpaceIsRefusedInOneLineBeforeTheDataLoads() throws IOException {
    Path study = dir.resolve("space");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none"));
    byte[] journal = Files.readAllBytes(study.resolve("journal.jsonl"));
    String[] resume = {"tune", "--study", study.toString(), "--trials", "2", "--no-progress", "--no-report"};
    String advice = "; resume without --param/--space, or start a new --study";

    CliRun lr = runFollowedBy(resume, "--param", "lr = log(1e-4, 1e-1)", "--param", "units = int_log(8, 16)", "--param",
        "layers = fixed(1)");
    assertOneLineError(lr, "tune", "--param: the study in " + study + " was created with lr = log(1e-3, 1e-1), "
        + "not lr = log(1e-4, 1e-1)" + advice); // each as typed (it said log(0.001, 0.1), not log(1e-4, 0.1))
    assertFalse(lr.err().contains("line 1"), lr.err());
    assertOneLineError(runFollowedBy(resume, "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)"), "tune",
        "--param: the study in " + study + " was created with layers = fixed(1), which the space given leaves out" + advice);
    assertOneLineError(runFollowedBy(resume, "--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)", "--param",
        "layers = fixed(1)", "--param", "dropout = uniform(0, 0.4)"), "tune",
        "--param: the study in " + study + " was created without dropout, which the space given adds as dropout = uniform(0, 0.4)");
    assertOneLineError(runFollowedBy(resume, "--param", "units = int_log(8, 16)", "--param", "lr = log(1e-3, 1e-1)", "--param",
        "layers = fixed(1)"), "tune", "was created with its parameters in the order lr, units, layers, not units, lr, layers");
    Path file = Files.writeString(dir.resolve("space.txt"), "lr = log(1e-3, 1e-1)\nunits = int_log(8, 32)\nlayers = fixed(1)\n");
    assertOneLineError(runFollowedBy(resume, "--space", file.toString()), "tune",
        "--space: the study in " + study + " was created with units = int_log(8, 16), not units = int_log(8, 32)" + advice);
    assertArrayEquals(journal, Files.readAllBytes(study.resolve("journal.jsonl")), "a refused run wrote to the journal");
    // The same space spelled otherwise is the same space.
    assertOk(runFollowedBy(resume, "--param", "lr = log(0.001, 0.1)", "--param", "units = int_log(8, 16)", "--param",
        "layers = fixed(1)"));

    // Before the data loads: with the settings dropped from the header (as an older version wrote
    // it), a --label-column without --csv is found out only by loading the data.
    Path journalFile = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journalFile);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    header.remove("settings");
    Files.writeString(journalFile, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));
    CliRun early = runFollowedBy(resume, "--label-column", "3", "--param", "lr = log(1e-4, 1e-1)", "--param", "units = int_log(8, 16)",
        "--param", "layers = fixed(1)");
    assertOneLineError(early, "tune", "--param: the study in " + study + " was created with lr = log(1e-3, 1e-1)");
    assertTrue(early.out().isEmpty(), early.out());
  }

  @Test
  void aResumeWithoutOptionsUsesTheStoredOnes() {
    Path study = dir.resolve("mlp");
    CliRun first = runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--epochs", "2", "--pruner", "none",
        "--sampler", "random", "--split", "0.5,0.25", "--split-seed", "7");
    assertOk(first);

    // Neither the space nor any objective option: all stored.
    CliRun resumed = run("tune", "--study", study.toString(), "--trials", "3", "--workers", "1", "--no-report", "--no-progress");
    assertOk(resumed);
    assertTrue(resumed.out().contains("study 'mlp' uses its stored --split 0.5,0.25, --split-seed 7, --epochs 2, --sampler random, "
        + "--pruner none\n"), resumed.out());
    assertTrue(resumed.out().contains("sampler random; pruner none; 3 trials of up to 2 epochs"), resumed.out());
    assertEquals(dataLine(first), dataLine(resumed), "the stored split was not used");
    List<TrialRecord> trials = journalTrials(study);
    assertEquals(3, trials.size());
    for (TrialRecord t : trials) {
      assertEquals(TrialState.COMPLETE, t.state(), t.toString());
      assertEquals(2, t.reportCount(), "trial " + t.number() + " did not run the stored 2 epochs");
    }

    // The same values spelled otherwise are the same values.
    CliRun same = run("tune", "--study", study.toString(), "--trials", "4", "--workers", "1", "--no-report", "--no-progress",
        "--sampler", "RANDOM", "--split", "0.50, 0.250", "--epochs", "2");
    assertOk(same);
    assertTrue(same.out().contains("study 'mlp' uses its stored --split-seed 7, --pruner none\n"), same.out());
    assertEquals(4, journalTrials(study).size());
  }

  /**
   * The mode was not stored: a panda study resumed with a plain "tune --study S" ran on in caviar
   * mode, each trial on one core instead of all of them, without a word. A resume without --mode
   * now takes the stored one and says so; --mode given with another value is allowed (the mode is
   * how trials run: each trial records the threads it trained on, which train --from-study
   * retraces), said in one line, and for that run only; --workers 2 on a panda study is refused
   * as on a new one.
   */
  @Test
  void aResumeTakesTheStoredModeAndAnotherGivenOneIsSaid() throws IOException {
    Path study = dir.resolve("panda");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--mode", "panda"));
    assertEquals("panda", JournalStorage.peek(study.resolve("journal.jsonl")).settings().get("--mode"));
    String[] resume = {"tune", "--study", study.toString(), "--no-report", "--no-progress"};

    CliRun plain = runFollowedBy(resume, "--trials", "2");
    assertOk(plain);
    assertTrue(plain.out().contains("study 'panda' uses its stored --epochs 1, --pruner none, --mode panda\n"), plain.out());
    assertTrue(plain.out().contains("1 worker in panda mode"), plain.out());
    // Panda mode trains a trial on every core, and the trial records them.
    assertEquals(Runtime.getRuntime().availableProcessors(), journalTrials(study).get(1).threads());

    assertOneLineError(runFollowedBy(resume, "--trials", "3", "--workers", "2"), "tune", "study 'panda' runs in panda mode (stored "
        + "with it), one trial at a time on all cores: --workers 2 does not go with it; give --mode caviar too to run 2 trials at once");

    CliRun caviar = runFollowedBy(resume, "--trials", "3", "--workers", "1", "--mode", "caviar");
    assertOk(caviar);
    assertTrue(caviar.out().contains("study 'panda' was created with --mode panda; this run uses --mode caviar, as given (the mode "
        + "sets the threads a trial trains on, which each trial records: train --from-study retraces it on them); a resume without "
        + "--mode takes panda again\n"), caviar.out());
    assertTrue(caviar.out().contains("1 worker in caviar mode"), caviar.out());
    assertEquals(1, journalTrials(study).get(2).threads());
    // Its resume command keeps this run's mode, which a plain resume would not take.
    assertTrue(caviar.out().contains("\nresume or extend: caviar tune --study " + study + " --mode caviar --trials 43\n"), caviar.out());

    CliRun again = runFollowedBy(resume, "--trials", "4");
    assertOk(again);
    assertTrue(again.out().contains("1 worker in panda mode"), again.out());
    assertTrue(again.out().contains("\nresume or extend: caviar tune --study " + study + " --trials 44\n"), again.out());
  }

  /** A study whose settings do not hold the mode (an older version's) keeps today's default, caviar, or the --mode given. */
  @Test
  void aStudyStoredWithoutAModeRunsInTheModeGiven() throws IOException {
    Path study = dir.resolve("old");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--mode", "panda"));
    Path journalFile = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journalFile);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    ((ObjectNode) header.get("settings")).remove("--mode");
    Files.writeString(journalFile, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));

    CliRun plain = run("tune", "--study", study.toString(), "--trials", "2", "--workers", "1", "--no-report", "--no-progress");
    assertOk(plain);
    assertTrue(plain.out().contains("1 worker in caviar mode"), plain.out());
    assertFalse(plain.out().contains("--mode"), plain.out());
    CliRun panda = run("tune", "--study", study.toString(), "--trials", "3", "--mode", "panda", "--no-report", "--no-progress");
    assertOk(panda);
    assertTrue(panda.out().contains("1 worker in panda mode"), panda.out());
    // A plain resume of this study runs in caviar mode: the command it prints keeps panda.
    assertTrue(panda.out().contains("\nresume or extend: caviar tune --study " + study + " --mode panda --trials 43\n"), panda.out());
  }

  /** A bad mode stored in a study (a journal edited by hand) is named as the study's, not as a --mode given. */
  @Test
  void aBadStoredModeIsNamedAsTheStudys() throws IOException {
    Path study = dir.resolve("bad");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none"));
    Path journalFile = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journalFile);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    ((ObjectNode) header.get("settings")).put("--mode", "gpu");
    Files.writeString(journalFile, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "2", "--no-progress"), "tune",
        "study 'bad' has a bad stored value for --mode: 'gpu'");
  }

  /** A worker on a panda study in PostgreSQL runs in panda mode without being told. */
  @Test
  void aWorkerTakesTheStoredMode() {
    String url = TestPostgres.newDatabase();
    assertOk(runWith(SMALL_SPACE, "tune", "--storage", url, "--study", "shared-panda", "--trials", "1", "--epochs", "1", "--pruner",
        "none", "--mode", "panda"));
    CliRun worker = run("worker", "--storage", url, "--study", "shared-panda", "--trials", "2", "--no-progress");
    assertOk(worker);
    assertTrue(worker.out().contains("study 'shared-panda' uses its stored --epochs 1, --pruner none, --mode panda\n"), worker.out());
    assertTrue(worker.out().contains("1 worker in panda mode"), worker.out());
  }

  /**
   * Coarse-to-fine's rounds are the study's: extended from 10 to 20 trials, it keeps rounds of 2
   * (a fifth of the 10 it was created with), where a fifth of this run's --trials would make the
   * rounds 4 and put trials already drawn into other rounds than the ones they were drawn in.
   */
  @Test
  void aCoarseToFineStudyKeepsItsRoundSize() {
    Path study = dir.resolve("ctf");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "10", "--epochs", "1", "--pruner", "none",
        "--sampler", "coarse-to-fine"));
    CliRun extended = run("tune", "--study", study.toString(), "--trials", "20", "--workers", "1", "--no-report", "--no-progress");
    assertOk(extended);
    assertTrue(extended.out().contains("study 'ctf' uses its stored --epochs 1, --sampler coarse-to-fine, --round-size 2, --pruner none\n"),
        extended.out());
    assertEquals(20, journalTrials(study).size());
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "30", "--round-size", "6", "--no-progress"), "tune",
        "study 'ctf' was created with --round-size 2; this run asks for --round-size 6");

    // A sampler without rounds stores none: extending its study says nothing of them.
    Path random = dir.resolve("random");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", random.toString(), "--trials", "10", "--epochs", "1", "--pruner", "none",
        "--sampler", "random"));
    CliRun more = run("tune", "--study", random.toString(), "--trials", "20", "--workers", "1", "--no-report", "--no-progress");
    assertOk(more);
    assertFalse(more.out().contains("round-size"), more.out());
  }

  /**
   * A study whose space has an 'epochs' parameter: train --from-study trains the trial's own epochs
   * (and says so), and a given --epochs outranks them; it was silently ignored.
   */
  @Test
  void trainFromAStudyWithAnEpochsParameter() {
    Path study = dir.resolve("ep");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--pruner", "none",
        "--param", "epochs = fixed(1)"));
    CliRun own = run("train", "--from-study", study.toString(), "--out", dir.resolve("a.caviar").toString());
    assertOk(own);
    assertTrue(own.out().contains("epochs: 1, the trial's own (--epochs to change)"), own.out());
    assertTrue(own.out().contains("training: 1 epoch,"), own.out());
    CliRun given = run("train", "--from-study", study.toString(), "--epochs", "2", "--out", dir.resolve("b.caviar").toString());
    assertOk(given);
    assertTrue(given.out().contains("training: 2 epochs"), given.out());
  }

  /**
   * train --from-study takes the best trial: the one of the highest value among the complete
   * trials, with its own parameters (its units show in the network line). Nothing else checked
   * which trial or whose parameters it took.
   */
  @Test
  void trainFromAStudyTakesItsBestTrialsParameters() {
    Path study = dir.resolve("best");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "4", "--epochs", "1", "--pruner", "none"));
    TrialRecord best = journalTrials(study).stream().filter(t -> t.state() == TrialState.COMPLETE)
        .max(java.util.Comparator.comparingDouble(TrialRecord::value)).orElseThrow();
    CliRun r = run("train", "--from-study", study.toString(), "--threads", "1", "--out", dir.resolve("b.caviar").toString());
    assertOk(r);
    assertTrue(r.out().contains(String.format(Locale.ROOT, ": trial %d, value %.4f%n", best.number(), best.value())), r.out());
    assertTrue(r.out().contains("network: 64-" + best.params().get("units") + "-10 "), r.out());
  }

  @Test
  void aJournalFromBeforeSettingsRunsWithTheOptionsGiven() throws IOException {
    Path study = dir.resolve("old");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--epochs", "2", "--pruner", "none"));
    // Make it a journal as written before settings were stored: the header without them.
    Path journal = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journal);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    assertTrue(header.has("settings"), lines.get(0));
    header.remove("settings");
    Files.writeString(journal, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));

    CliRun r = runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "3", "--epochs", "1", "--pruner", "none");
    assertOk(r);
    assertTrue(r.out().contains("study 'old' was created before studies stored their settings: using this run's options"), r.out());
    List<TrialRecord> trials = journalTrials(study);
    assertEquals(List.of(2, 2, 1), trials.stream().map(TrialRecord::reportCount).toList());
    assertFalse(JournalStorage.peek(journal).settingsRecorded());
  }

  /**
   * The label column is compared as the column it names in the data, not as spelled: a study
   * created without --label-column (the last) was refused a resume that named the last column
   * ("was created without --label-column; this run asks for --label-column label").
   */
  @Test
  void aResumeNamingTheSameLabelColumnOtherwiseIsAccepted() throws IOException {
    Path a = SmallCsv.threeClasses(dir.resolve("a.csv"), 1);
    Path omitted = dir.resolve("omitted");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", omitted.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--csv", a.toString()));
    for (String same : new String[] {"label", "4", "-1", " label "}) {
      assertOk(runWith(SMALL_SPACE, "tune", "--study", omitted.toString(), "--trials", "1", "--label-column", same));
    }
    // Another column is still another study's label, refused in one line before anything is written.
    byte[] journal = Files.readAllBytes(omitted.resolve("journal.jsonl"));
    assertOneLineError(runWith(SMALL_SPACE, "tune", "--study", omitted.toString(), "--trials", "2", "--label-column", "d"), "tune",
        "study 'omitted' was created without --label-column; this run asks for --label-column d");
    assertOneLineError(runWith(SMALL_SPACE, "tune", "--study", omitted.toString(), "--trials", "2", "--label-column", "0"), "tune",
        "study 'omitted' was created without --label-column; this run asks for --label-column 0");
    assertArrayEquals(journal, Files.readAllBytes(omitted.resolve("journal.jsonl")), "a refused run wrote to the journal");

    // Given at the start: the default, another spelling of it, or nothing on resume.
    Path named = dir.resolve("named");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", named.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--csv", a.toString(), "--label-column", "label"));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", named.toString(), "--trials", "2"));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", named.toString(), "--trials", "2", "--label-column", "-1"));
    assertOk(run("train", "--from-study", named.toString(), "--epochs", "1", "--label-column", "4", "--out",
        dir.resolve("m.caviar").toString()));
    assertOneLineError(runWith(SMALL_SPACE, "tune", "--study", named.toString(), "--trials", "3", "--label-column", "a"), "tune",
        "study 'named' was created with --label-column label; this run asks for --label-column a");
  }

  @Test
  void trainFromAStudyTrainsOnTheStudysData() throws IOException {
    Path a = SmallCsv.threeClasses(dir.resolve("a.csv"), 1);
    Path study = dir.resolve("found");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--epochs", "1", "--pruner", "none",
        "--csv", a.toString(), "--split", "0.5,0.25"));
    Path model = dir.resolve("best.caviar");
    // No data options: the study's CSV and split, not the shipped digits.
    CliRun r = run("train", "--from-study", study.toString(), "--epochs", "2", "--out", model.toString());
    assertOk(r);
    assertTrue(r.out().contains("study 'found' uses its stored --csv " + a.toAbsolutePath().normalize() + ", --split 0.5,0.25"), r.out());
    assertTrue(r.out().contains("caviar train on a.csv: 90 rows"), r.out());
    assertTrue(r.out().contains("training: 2 epochs"), r.out()); // epochs are the run's own
    assertTrue(Files.isRegularFile(model));
    // Other data than the study's: refused before training.
    Path other = SmallCsv.threeClasses(dir.resolve("other.csv"), 2);
    assertOneLineError(run("train", "--from-study", study.toString(), "--csv", other.toString(), "--out", model.toString()),
        "train", "study 'found' was created with --csv " + a.toAbsolutePath().normalize());
  }

  @Test
  void aStudyKeepsItsCsvDelimiter() throws IOException {
    Path tabs = dir.resolve("tabs.csv");
    Files.writeString(tabs, Files.readString(SmallCsv.threeClasses(dir.resolve("a.csv"), 1)).replace(',', '\t'));
    Path study = dir.resolve("tabs");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--csv", tabs.toString(),
        "--csv-delimiter", "tab"));
    // Left out on resume, the stored delimiter reads the stored file.
    CliRun r = run("tune", "--study", study.toString(), "--trials", "2", "--workers", "1", "--no-report", "--no-progress");
    assertOk(r);
    assertTrue(r.out().contains("--csv-delimiter tab"), r.out());
    assertTrue(dataLine(r).startsWith("tabs.csv: 90 rows"), r.out());
    // Another delimiter for the same study is refused, by option name.
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "3", "--csv-delimiter", ";"), "tune",
        "study 'tabs' was created with --csv-delimiter tab; this run asks for --csv-delimiter ;");
  }

  /** --csv-header is stored with the study: left out on resume, the stored one reads the file as the study did. */
  @Test
  void aStudyKeepsItsCsvHeader() throws IOException {
    Path file = dir.resolve("numbers-header.csv");
    // A header whose label is a word and whose other fields are numbers, not the columns': the loader asks.
    Files.writeString(file, Files.readString(SmallCsv.threeClasses(dir.resolve("a.csv"), 1)).replace("a,b,c,d,label", "7.5,2,1,3,cat"));
    Path study = dir.resolve("header");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--csv", file.toString(),
        "--csv-header", "present"));
    CliRun r = run("tune", "--study", study.toString(), "--trials", "2", "--workers", "1", "--no-report", "--no-progress");
    assertOk(r);
    assertTrue(r.out().contains("--csv-header present"), r.out());
    assertTrue(dataLine(r).startsWith("numbers-header.csv: 90 rows"), r.out());
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "3", "--csv-header", "absent"), "tune",
        "study 'header' was created with --csv-header present; this run asks for --csv-header absent");
  }

  @Test
  void datasetFilesAreComparedByContentNotPath() throws IOException {
    Path a = SmallCsv.threeClasses(dir.resolve("a.csv"), 1);
    Path study = dir.resolve("csv");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--csv", a.toString()));

    // Another path to the same content is the same dataset.
    Path copy = Files.copy(a, dir.resolve("copy.csv"));
    CliRun r = run("tune", "--study", study.toString(), "--trials", "2", "--workers", "1", "--no-report", "--no-progress", "--csv",
        copy.toString());
    assertOk(r);
    assertTrue(dataLine(r).startsWith("copy.csv: 90 rows"), r.out());
    // Left out, the stored path is used.
    r = run("tune", "--study", study.toString(), "--trials", "3", "--workers", "1", "--no-report", "--no-progress");
    assertOk(r);
    assertTrue(r.out().contains("study 'csv' uses its stored --csv " + a.toAbsolutePath().normalize() + ", --epochs 1"), r.out());
    assertTrue(dataLine(r).startsWith("a.csv: 90 rows"), r.out());

    Path other = SmallCsv.threeClasses(dir.resolve("other.csv"), 2);
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "4", "--csv", other.toString()), "tune",
        "study 'csv' was created with --csv " + a.toAbsolutePath().normalize() + " (" + Files.size(a) + " bytes, sha256 ");
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "4", "--csv", other.toString()), "tune",
        "this run asks for --csv " + other + " (" + Files.size(other) + " bytes, sha256 ");
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "4", "--idx-images", other.toString(), "--idx-labels",
        other.toString()), "tune", "study 'csv' was created without --idx-images; this run asks for --idx-images " + other);

    SmallCsv.threeClasses(a, 3); // changed in place
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "4"), "tune",
        "study 'csv' was created with --csv " + a.toAbsolutePath().normalize());
    assertTrue(run("tune", "--study", study.toString(), "--trials", "4").err().contains("but that file now holds other data"));
    Files.delete(a);
    assertOneLineError(run("tune", "--study", study.toString(), "--trials", "4"), "tune",
        "which is not found here: give --csv with the path of the same file on this machine");
    assertEquals(3, journalTrials(study).size());

    // A study on the shipped digits set refuses a CSV.
    Path digits = dir.resolve("digits");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", digits.toString(), "--trials", "1", "--epochs", "1"));
    assertOneLineError(run("tune", "--study", digits.toString(), "--trials", "2", "--csv", copy.toString()), "tune",
        "study 'digits' was created without --csv; this run asks for --csv " + copy);
  }

  /**
   * A small split fraction is said as written, not as Java's 5.0E-4 ("was created with --split
   * 0.9,5.0E-4"); a study that stored that form (as earlier versions did) compares and says it so.
   */
  @Test
  void aStoredSplitIsSaidAsWritten() throws Exception {
    Path study = dir.resolve("small");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--split", "0.9,5e-4"));
    assertEquals("0.9,0.0005", JournalStorage.peek(study.resolve("journal.jsonl")).settings().get("--split"));
    assertOneLineError(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--split", "0.5,0.1"), "tune",
        "study 'small' was created with --split 0.9,0.0005; this run asks for --split 0.5,0.1");
    CliRun r = runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "2", "--split-seed", "42");
    assertOk(r);
    assertTrue(r.out().contains("study 'small' uses its stored --split 0.9,0.0005"), r.out());

    Path journalFile = study.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journalFile);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    ((ObjectNode) header.get("settings")).put("--split", "0.9,5.0E-4");
    Files.writeString(journalFile, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "3", "--split", "0.9,0.0005"));
    r = runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "4");
    assertOk(r);
    assertTrue(r.out().contains("study 'small' uses its stored --split 0.9,0.0005"), r.out());
    assertOneLineError(runWith(SMALL_SPACE, "tune", "--study", study.toString(), "--trials", "5", "--split", "0.5,0.1"), "tune",
        "study 'small' was created with --split 0.9,0.0005; this run asks for --split 0.5,0.1");
  }

  /** "SIZE bytes, sha256 HEX" of {@code bytes}: the form of a stored fingerprint. */
  private static String print(byte[] bytes) throws Exception {
    return bytes.length + " bytes, sha256 " + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static Path gzip(Path plain, Path gz) throws IOException {
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
      Files.copy(plain, out);
    }
    return gz;
  }

  /**
   * The same rows gzipped are the same data: a study's fingerprint is that of the data read, not
   * of the file's bytes ("tune --csv d.csv" on a study of d.csv.gz was refused as another file). A
   * study whose stored fingerprint is of the gzip file's bytes (as earlier versions stored it)
   * still resumes on that file.
   */
  @Test
  void aGzippedCsvIsTheSameDataAsThePlainOne() throws Exception {
    Path plain = SmallCsv.threeClasses(dir.resolve("a.csv"), 1);
    Path gz = gzip(plain, dir.resolve("a.csv.gz"));
    Path zipped = dir.resolve("zipped");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", zipped.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--csv", gz.toString()));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", zipped.toString(), "--trials", "2", "--csv", plain.toString()));
    Path unzipped = dir.resolve("unzipped");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", unzipped.toString(), "--trials", "1", "--epochs", "1", "--pruner", "none",
        "--csv", plain.toString()));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", unzipped.toString(), "--trials", "2", "--csv", gz.toString()));
    String key = "--csv" + StudySettings.FINGERPRINT;
    assertEquals(print(Files.readAllBytes(plain)), JournalStorage.peek(zipped.resolve("journal.jsonl")).settings().get(key));
    assertEquals(print(Files.readAllBytes(plain)), JournalStorage.peek(unzipped.resolve("journal.jsonl")).settings().get(key));

    // A study as earlier versions stored it: the fingerprint of the gzip file's bytes.
    Path journalFile = zipped.resolve("journal.jsonl");
    List<String> lines = Files.readAllLines(journalFile);
    ObjectMapper json = new ObjectMapper();
    ObjectNode header = (ObjectNode) json.readTree(lines.get(0));
    ((ObjectNode) header.get("settings")).put(key, print(Files.readAllBytes(gz)));
    Files.writeString(journalFile, Stream.concat(Stream.of(json.writeValueAsString(header)), lines.stream().skip(1))
        .map(l -> l + "\n").reduce("", String::concat));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", zipped.toString(), "--trials", "3", "--csv", gz.toString()));
    assertOk(runWith(SMALL_SPACE, "tune", "--study", zipped.toString(), "--trials", "4"));
    Path other = gzip(SmallCsv.threeClasses(dir.resolve("b.csv"), 2), dir.resolve("b.csv.gz"));
    assertOneLineError(runWith(SMALL_SPACE, "tune", "--study", zipped.toString(), "--trials", "5", "--csv", other.toString()), "tune",
        "study 'zipped' was created with --csv " + plain.toAbsolutePath().normalize() + ".gz (" + print(Files.readAllBytes(gz)) + ")");
    assertEquals(4, journalTrials(zipped).size());
  }

  /**
   * A pipe as --csv (--csv <(zcat data.csv.gz), a named pipe) is read once: a new study stores the
   * fingerprint of the bytes its load read, that of the same bytes in a regular file. The file was
   * read a second time to hash it, and that read waited for good for a new writer. A resumed study
   * checks a pipe once it has loaded it: the same bytes resume it, others are refused. Each run is
   * a child JVM: one that waits for good is ended.
   */
  @Test
  void aPipeAsTheCsvIsReadOnce() throws Exception {
    Path file = SmallCsv.threeClasses(dir.resolve("data.csv"), 1);
    byte[] bytes = Files.readAllBytes(file);
    Path regular = dir.resolve("regular");
    assertOk(runWith(SMALL_SPACE, "tune", "--study", regular.toString(), "--trials", "1", "--epochs", "1", "--csv", file.toString()));
    Path fifo = dir.resolve("pipe.csv");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    Path piped = dir.resolve("piped");
    String[] args = {"tune", "--study", piped.toString(), "--epochs", "1", "--csv", fifo.toString()};

    CliRun created = throughPipe(fifo, bytes, Stream.concat(Stream.of(args), Stream.of("--trials", "1")).toArray(String[]::new));
    assertOk(created);
    // Named by its whole path: a pipe's name alone (63 of /dev/fd/63 for <(...)) says nothing.
    assertTrue(created.out().contains("caviar tune on " + fifo + ": "), created.out());
    // The commands it prints for the next step (train --from-study, resume) are refused without the
    // data given again (below): said with them.
    assertTrue(created.out().contains("the data came from a pipe (--csv " + fifo + "), read once: give it again to the commands "
        + "above (the study checks that it is the same data)"), created.out());
    assertEquals(JournalStorage.peek(regular.resolve("journal.jsonl")).settings().get("--csv" + StudySettings.FINGERPRINT),
        JournalStorage.peek(piped.resolve("journal.jsonl")).settings().get("--csv" + StudySettings.FINGERPRINT));

    CliRun resumed = throughPipe(fifo, bytes, Stream.concat(Stream.of(args), Stream.of("--trials", "2")).toArray(String[]::new));
    assertOk(resumed);
    assertTrue(resumed.out().contains("resuming the study "), resumed.out());
    CliRun other = throughPipe(fifo, Files.readAllBytes(SmallCsv.threeClasses(dir.resolve("other.csv"), 2)),
        Stream.concat(Stream.of(args), Stream.of("--trials", "3")).toArray(String[]::new));
    assertEquals(2, other.code(), other.out());
    assertTrue(other.out().contains("caviar tune: study 'piped' was created with --csv " + fifo.toAbsolutePath().normalize() + " ("
        + bytes.length + " bytes, sha256 "), other.out());
    assertTrue(other.out().contains("this run asks for --csv " + fifo + " ("), other.out());
    assertEquals(2, journalTrials(piped).size());
    // Left out, the stored pipe is not read unasked (nothing may feed it): the refusal says to give it.
    assertOneLineError(run("tune", "--study", piped.toString(), "--trials", "3"), "tune", "which is not a regular file here (a pipe?): "
        + "give --csv " + fifo.toAbsolutePath().normalize() + " to read it, or the path of a file of the same data");
  }

  /** {@code args} with the small space, run in a child JVM while {@code bytes} are written once into the named pipe {@code fifo}. */
  private static CliRun throughPipe(Path fifo, byte[] bytes, String... args) throws Exception {
    Process p = CliRun.startChild(List.of(), Stream.concat(Stream.of(args), Stream.of(SMALL_SPACE)).toArray(String[]::new));
    try (var _ = new PipeWriter(fifo, bytes)) {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(); // its output goes with it
        throw new AssertionError("the child JVM did not end: " + String.join(" ", args));
      }
      return new CliRun(p.exitValue(), new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8), "");
    }
  }

  private static List<TrialRecord> databaseTrials(String url, String study) {
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      s.open(s.peek(study));
      return s.trials();
    }
  }

  @Test
  void aWorkerWithoutObjectiveOptionsUsesTheStoredOnes() throws Exception {
    String url = TestPostgres.newDatabase();
    CliRun tune = runWith(SMALL_SPACE, "tune", "--storage", url, "--study", "shared", "--trials", "2", "--epochs", "1", "--pruner", "none",
        "--sampler", "random", "--split", "0.5,0.25");
    assertOk(tune);

    CliRun worker = run("worker", "--storage", url, "--study", "shared", "--trials", "3", "--workers", "1", "--no-progress");
    assertOk(worker);
    assertTrue(worker.out().contains("study 'shared' uses its stored --split 0.5,0.25, --epochs 1, --sampler random, --pruner none\n"),
        worker.out());
    assertTrue(worker.out().contains("sampler random; pruner none; 3 trials of up to 1 epoch;"), worker.out());
    assertEquals(dataLine(tune), dataLine(worker));
    assertEquals(List.of(1, 1, 1), databaseTrials(url, "shared").stream().map(TrialRecord::reportCount).toList());

    // Another value is refused before the worker claims a trial or records its budget.
    assertOneLineError(run("worker", "--storage", url, "--study", "shared", "--trials", "4", "--epochs", "2"), "worker",
        "study 'shared' was created with --epochs 1; this run asks for --epochs 2 "
            + "(leave it out to use the stored value, or start a new study)");
    assertEquals(3, databaseTrials(url, "shared").size());
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(3, s.trialBudget("shared"));
    }

    // tune on the study, without repeating anything, reports it.
    CliRun watch = run("tune", "--storage", url, "--study", "shared", "--no-report", "--no-progress");
    assertOk(watch);
    assertTrue(watch.out().contains("3 trials done before") && watch.out().contains("for no trial;") && watch.out().contains("best: trial"),
        watch.out());
  }

  @Test
  void aDatabaseStudyFromBeforeSettingsRunsWithTheOptionsGiven() throws Exception {
    String url = TestPostgres.newDatabase();
    assertOk(runWith(SMALL_SPACE, "tune", "--storage", url, "--study", "old", "--trials", "1", "--epochs", "1", "--pruner", "none"));
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      assertEquals(1, st.executeUpdate("UPDATE caviar_study SET settings = NULL WHERE name = 'old'"));
    }
    CliRun worker = run("worker", "--storage", url, "--study", "old", "--trials", "2", "--workers", "1", "--no-progress", "--epochs", "2",
        "--pruner", "none");
    assertOk(worker);
    assertTrue(worker.out().contains("study 'old' was created before studies stored their settings"), worker.out());
    assertEquals(List.of(1, 2), databaseTrials(url, "old").stream().map(TrialRecord::reportCount).toList());
    StudyInfo info;
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      info = s.peek("old");
    }
    assertFalse(info.settingsRecorded());
  }
}
