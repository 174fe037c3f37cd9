package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code tune} runs that start the same new study at once: each looks for it, finds none, and
 * takes its options from its command line; the one that creates it second must then take the
 * study's stored options, as a resume does (or refuse an option given with another value), not run
 * its trials with its own in a study of other options. It ran them silently with its own: trials
 * of one study trained for other epochs, drawn by another sampler, on another split. The other
 * run creates the study here between this run's look and its own creation (the hook
 * {@link TuneCommand#at}), and runs its one trial there.
 */
class CreatedMeanwhileCliTest {
  @TempDir Path dir;

  private static final String[] SPACE = {"--param", "lr = log(1e-3, 1e-1)", "--param", "units = int_log(8, 16)",
      "--param", "layers = fixed(1)"};

  /** The options of the run that creates the study first: one trial of one epoch, on a split of its own. */
  private static final String[] FIRST = {"--trials", "1", "--epochs", "1", "--sampler", "random", "--pruner", "none",
      "--split", "0.5,0.3", "--workers", "1", "--no-report", "--no-progress"};

  private static String[] concat(String[]... parts) {
    return Stream.of(parts).flatMap(Stream::of).toArray(String[]::new);
  }

  /** The two runs: {@code second}, and {@code first}, which creates the study while the second is about to. */
  private record Raced(CliRun first, CliRun second) {}

  private static Raced raced(String[] first, String[] second) {
    AtomicReference<CliRun> winner = new AtomicReference<>();
    Consumer<String> was = TuneCommand.at;
    TuneCommand.at = point -> {
      if (point.equals(TuneCommand.BEFORE_CREATING) && winner.get() == null) {
        winner.set(new CliRun(-1, "", "")); // the first run passes here too
        winner.set(run(first));
      }
    };
    try {
      CliRun loser = run(second);
      assertTrue(winner.get() != null && winner.get().code() == 0, "the first run did not run: " + winner.get());
      return new Raced(winner.get(), loser);
    } finally {
      TuneCommand.at = was;
    }
  }

  /** Exit code 2 and exactly one line on stderr, starting with "caviar tune: " and containing {@code expected}. */
  private static void assertOneLineError(CliRun r, String expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    String err = r.err().strip();
    assertFalse(err.contains("\n"), "more than one line: " + err);
    assertTrue(err.startsWith("caviar tune: ") && err.contains(expected), err);
  }

  /** The data of the first output line, "caviar tune on NAME: rows, ...": from NAME on (it names the split's parts). */
  private static String dataLine(CliRun r) {
    return r.out().lines().filter(l -> l.startsWith("caviar tune on ")).map(l -> l.substring("caviar tune on ".length()))
        .findFirst().orElseThrow(() -> new AssertionError(r.out()));
  }

  private static List<TrialRecord> journalTrials(Path study) {
    Path journal = study.resolve("journal.jsonl");
    try (JournalStorage s = JournalStorage.readOnly(journal)) {
      s.open(JournalStorage.peek(journal));
      return s.trials();
    }
  }

  private static List<TrialRecord> databaseTrials(String url, String study) {
    try (PostgresStorage s = PostgresStorage.readOnly(url)) {
      s.open(s.peek(study));
      return s.trials();
    }
  }

  /** Every trial ran one epoch, the stored --epochs (with --pruner none, none stops early). */
  private static void assertOneEpochEach(List<TrialRecord> trials, int count) {
    assertEquals(count, trials.size(), trials::toString);
    for (TrialRecord t : trials) assertEquals(1, t.reportCount(), t::toString);
  }

  @Test
  void aJournalCreatedMeanwhileIsResumedWithItsStoredOptions() {
    Path study = dir.resolve("race");
    String[] at = {"tune", "--study", study.toString()};
    Raced r = raced(concat(at, FIRST, SPACE), concat(at, new String[] {"--trials", "3", "--workers", "1", "--no-report", "--no-progress"}, SPACE));
    assertEquals(0, r.second().code(), r.second().out() + r.second().err());
    String out = r.second().out();
    assertTrue(out.contains("another run created the study " + study.resolve("journal.jsonl") + " after this one looked for it"), out);
    assertTrue(out.contains("study 'race' uses its stored --split 0.5,0.3, --epochs 1, --sampler random, --pruner none"), out);
    assertTrue(out.contains("resuming the study " + study.resolve("journal.jsonl")), out);
    // The data loaded again, on the study's split.
    assertEquals(dataLine(r.first()), dataLine(r.second()));
    assertOneEpochEach(journalTrials(study), 3);
  }

  @Test
  void aJournalCreatedMeanwhileRefusesAnOptionGivenWithAnotherValue() {
    Path study = dir.resolve("race");
    String[] at = {"tune", "--study", study.toString()};
    Raced r = raced(concat(at, FIRST, SPACE),
        concat(at, new String[] {"--trials", "3", "--epochs", "3", "--workers", "1", "--no-report", "--no-progress"}, SPACE));
    // As a resume refuses it (StudySettingsCliTest.aResumeGivenAnotherValueFailsInOneLineAndWritesNothing).
    assertOneLineError(r.second(), "study 'race' was created with --epochs 1; this run asks for --epochs 3 "
        + "(leave it out to use the stored value, or start a new study)");
    assertOneEpochEach(journalTrials(study), 1);
  }

  /**
   * On PostgreSQL the second run's INSERT did nothing, and it opened the first's study. Given no
   * space, it takes the stored one as a resume does (it failed on the space it did not give: "stored
   * study 'race' has the space ..."); a --mode given with another value applies to its run, with the
   * line a resume prints.
   */
  @Test
  void aDatabaseStudyCreatedMeanwhileIsResumedWithItsStoredOptionsAndSpace() {
    String url = TestPostgres.newDatabase();
    String[] at = {"tune", "--storage", url, "--study", "race"};
    Raced r = raced(concat(at, FIRST, SPACE), concat(at, new String[] {"--trials", "3", "--mode", "panda", "--no-report", "--no-progress"}));
    assertEquals(0, r.second().code(), r.second().out() + r.second().err());
    String out = r.second().out();
    assertTrue(out.contains("another run created the study 'race' in "), out);
    assertTrue(out.contains("study 'race' uses its stored --split 0.5,0.3, --epochs 1, --sampler random, --pruner none"), out);
    assertTrue(out.contains("study 'race' was created with --mode caviar; this run uses --mode panda, as given"), out);
    assertTrue(out.contains("space: 3 parameters; sampler random; pruner none;"), out);
    assertEquals(dataLine(r.first()), dataLine(r.second()));
    assertOneEpochEach(databaseTrials(url, "race"), 3);
  }

  @Test
  void aDatabaseStudyCreatedMeanwhileRefusesAnOptionGivenWithAnotherValue() {
    String url = TestPostgres.newDatabase();
    String[] at = {"tune", "--storage", url, "--study", "race"};
    Raced r = raced(concat(at, FIRST, SPACE),
        concat(at, new String[] {"--trials", "3", "--sampler", "tpe", "--workers", "1", "--no-report", "--no-progress"}, SPACE));
    assertOneLineError(r.second(), "study 'race' was created with --sampler random; this run asks for --sampler tpe "
        + "(leave it out to use the stored value, or start a new study)");
    assertOneEpochEach(databaseTrials(url, "race"), 1);
  }

  /**
   * Data from a pipe (--csv <(zcat data.csv.gz); a named pipe here) is read once: the second look at
   * the study keeps the data read at the first when the study's options read it as this run did,
   * checked to be the study's data (a pipe of other data is refused as on a resume, where it was
   * taken unchecked); when they read it otherwise (another split), the run is refused in one line,
   * as it cannot read it again (a named pipe read again waits for a new writer for good).
   */
  @Test
  void dataFromAPipeIsNotReadAgain() throws Exception {
    byte[] data = Files.readAllBytes(SmallCsv.threeClasses(dir.resolve("data.csv"), 1));
    Path fifo = dir.resolve("pipe.csv");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    String[] firstRun = concat(new String[] {"--csv", dir.resolve("data.csv").toString()}, FIRST, SPACE);
    String[] second = {"--csv", fifo.toString(), "--trials", "2", "--workers", "1", "--no-report", "--no-progress"};

    CliRun same = throughPipe(fifo, data, () -> raced(concat(at(dir, "same"), firstRun),
        concat(at(dir, "same"), second, new String[] {"--split", "0.5,0.3"}, SPACE)).second());
    assertEquals(0, same.code(), same.out() + same.err());
    assertTrue(same.out().contains("study 'same' uses its stored --epochs 1, --sampler random, --pruner none"), same.out());
    assertOneEpochEach(journalTrials(dir.resolve("same")), 2);

    CliRun other = throughPipe(fifo, Files.readAllBytes(SmallCsv.threeClasses(dir.resolve("other.csv"), 2)), () -> raced(concat(at(dir, "other"), firstRun),
        concat(at(dir, "other"), second, new String[] {"--split", "0.5,0.3"}, SPACE)).second());
    assertOneLineError(other, "study 'other' was created with --csv " + dir.resolve("data.csv").toAbsolutePath().normalize() + " ("
        + data.length + " bytes, sha256 ");
    assertOneEpochEach(journalTrials(dir.resolve("other")), 1);

    CliRun split = throughPipe(fifo, data, () -> raced(concat(at(dir, "split"), firstRun), concat(at(dir, "split"), second, SPACE)).second());
    assertOneLineError(split, "the study " + dir.resolve("split").resolve("journal.jsonl") + " stores other data options than this "
        + "run read its data with, from a pipe (--csv " + fifo + "), which is read once: run the command again");
    assertOneEpochEach(journalTrials(dir.resolve("split")), 1);
  }

  private static String[] at(Path dir, String study) {
    return new String[] {"tune", "--study", dir.resolve(study).toString()};
  }

  /** {@code run}'s result, while {@code bytes} are written once into the named pipe {@code fifo}; a run that waits for good fails. */
  private static CliRun throughPipe(Path fifo, byte[] bytes, Callable<CliRun> run) throws Exception {
    try (var _ = new PipeWriter(fifo, bytes)) {
      return assertTimeoutPreemptively(Duration.ofSeconds(60), run::call, "the run waited for the pipe");
    }
  }
}
