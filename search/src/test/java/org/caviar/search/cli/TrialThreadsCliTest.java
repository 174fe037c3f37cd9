package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingListener;
import org.caviar.search.objective.MlpObjective;
import org.caviar.search.objective.MlpSettings;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.StudyInfo;
import org.caviar.search.study.Study;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code train --from-study} trains on the threads the trial trained on, which the study records:
 * a caviar-mode trial (tune's default) trained on one thread, and train's own default is every
 * core, whose sums run in another order (its epochs differed slightly from the trial's).
 */
class TrialThreadsCliTest {
  @TempDir Path dir;

  private static final int EPOCHS = 2;

  /** A one-trial caviar-mode study of a small network, for what train says about its threads (one epoch). */
  private Path tuneOneTrial() {
    Path study = dir.resolve("small");
    CliRun tune = run("tune", "--trials", "1", "--epochs", "1", "--workers", "1", "--pruner", "none", "--no-report", "--no-progress",
        "--study", study.toString(), "--param", "lr = fixed(0.01)", "--param", "units = fixed(8)", "--param", "layers = fixed(1)");
    assertEquals(0, tune.code(), tune.out() + tune.err());
    return study;
  }

  /** A one-trial study in {@code mode} of a network whose epochs differ on one thread and on two (batch norm, 224 units). */
  private Path tuneOneTrial(String mode) {
    Path study = dir.resolve("study-" + mode);
    CliRun tune = run("tune", "--mode", mode, "--trials", "1", "--epochs", Integer.toString(EPOCHS), "--workers", "1", "--pruner", "none",
        "--no-report", "--no-progress", "--study", study.toString(), "--param", "lr = fixed(0.0017)", "--param", "units = fixed(224)",
        "--param", "layers = fixed(2)", "--param", "batchnorm = fixed(true)", "--param", "batch_size = fixed(128)",
        "--param", "activation = fixed(tanh)");
    assertEquals(0, tune.code(), tune.out() + tune.err());
    return study;
  }

  private static TrialRecord onlyTrial(Path study) {
    Path journal = study.resolve("journal.jsonl");
    try (JournalStorage j = JournalStorage.readOnly(journal)) {
      j.open(JournalStorage.peek(journal));
      return j.trials().get(0);
    }
  }

  /** The rows of a train --report's epochs.csv, split at commas (header dropped). */
  private static List<String[]> epochsCsv(Path report) throws Exception {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(report.resolve("epochs.csv")).subList(1, EPOCHS + 1)) rows.add(line.split(","));
    return rows;
  }

  /**
   * Trained again without --threads, the trial's epochs come back bit for bit: the training and
   * validation losses of each epoch (as epochs.csv writes them, Double.toString, which reads back
   * to the same double) are those of the trial's own training, and each validation accuracy is the
   * one the journal holds. No tolerance: the same operations in the same order give the same bits.
   * On two cores the old default (every core) gave other losses, and other accuracies in the 4th
   * decimal; it never printed "threads: 1".
   */
  @Test
  void aCaviarModeTrialRetrainedWithoutThreadsRetracesItsEpochsBitForBit() throws Exception {
    retrainedWithoutThreadsRetracesItsEpochsBitForBit("caviar", 1);
  }

  /** The same for a panda-mode trial, which trained on every processor (a sharded step depends on its thread count only). */
  @Test
  void aPandaModeTrialRetrainedWithoutThreadsRetracesItsEpochsBitForBit() throws Exception {
    retrainedWithoutThreadsRetracesItsEpochsBitForBit("panda", org.caviar.kernels.Workers.allProcessors());
  }

  private void retrainedWithoutThreadsRetracesItsEpochsBitForBit(String mode, int threads) throws Exception {
    Path study = tuneOneTrial(mode);
    TrialRecord trial = onlyTrial(study);
    assertEquals(threads, trial.threads(), "a " + mode + "-mode trial trains on " + threads + ": " + trial);

    // The trial's training as MlpObjective ran it: its seed, its settings, its threads.
    StudyInfo info = JournalStorage.peek(study.resolve("journal.jsonl"));
    long seed = Study.trialSeed(info.seed(), List.of(trial), trial);
    TrainCommand defaults = new TrainCommand();
    new CommandLine(defaults).parseArgs(); // the data options' defaults, as tune's were (the digits, the default split)
    DataOptions.Data d = defaults.data.load();
    MlpObjective objective = new MlpObjective(d.train(), d.validation(), EPOCHS);
    MlpSettings s = MlpSettings.from(trial.params().asMap(), d.inputs(), objective.classes(), EPOCHS, seed);
    Network network = Network.create(s.network(), seed, threads > 1 ? Kernels.parallel(threads) : Kernels.vector());
    List<EpochMetrics> trialEpochs = new Trainer(network, s.training())
        .fit(d.train(), d.validation(), m -> TrainingListener.Action.CONTINUE).history();
    for (int e = 0; e < EPOCHS; e++) {
      assertEquals(trial.intermediate(e + 1), trialEpochs.get(e).validationAccuracy(), 0.0, "the reference is the trial's own training");
    }

    Path report = dir.resolve("report-" + mode);
    CliRun train = run("train", "--from-study", study.toString(), "--report", report.toString(), "--out", dir.resolve(mode + ".caviar").toString());
    assertEquals(0, train.code(), train.out() + train.err());
    List<String[]> rows = epochsCsv(report);
    for (int e = 0; e < EPOCHS; e++) {
      EpochMetrics m = trialEpochs.get(e);
      String[] row = rows.get(e);
      assertEquals(Double.toString(m.trainLoss()), row[1], "training loss of epoch " + e);
      assertEquals(Double.toString(m.validationLoss()), row[3], "validation loss of epoch " + e);
      assertEquals(Double.toString(trial.intermediate(e + 1)), row[4], "validation accuracy of epoch " + e + " (the journal's)");
    }
    assertTrue(train.out().contains("threads: " + threads + ", the trial's own (--threads to change)"), train.out());
  }

  /** An explicit --threads wins over the trial's, and the run says that its epochs may then differ from the trial's. */
  @Test
  void anExplicitThreadsWinsAndSaysTheTrialsOwn() throws Exception {
    Path study = tuneOneTrial();
    CliRun same = run("train", "--from-study", study.toString(), "--threads", "1", "--epochs", "1", "--out", dir.resolve("a.caviar").toString());
    assertEquals(0, same.code(), same.out() + same.err());
    assertFalse(same.out().contains("threads: "), "nothing to say when they agree: " + same.out());
    CliRun other = run("train", "--from-study", study.toString(), "--threads", "2", "--epochs", "1", "--out", dir.resolve("b.caviar").toString());
    assertEquals(0, other.code(), other.out() + other.err());
    assertTrue(other.out().contains("threads: 2 (--threads; the trial trained on 1: on other threads a network's sums run in "
        + "another order, and its epochs may differ slightly from the trial's)"), other.out());
  }

  /**
   * A journal written before trials recorded their threads (claim lines without "threads") still
   * opens, its trial's threads unknown: train keeps every core, and says which threads retrace a
   * caviar-mode trial, as before.
   */
  @Test
  void aJournalWithoutThreadsOpensAndTrainKeepsEveryCore() throws Exception {
    Path study = tuneOneTrial();
    Path journal = study.resolve("journal.jsonl");
    String text = Files.readString(journal, StandardCharsets.UTF_8);
    assertTrue(text.contains(",\"threads\":1"), text);
    Files.writeString(journal, text.replace(",\"threads\":1", ""), StandardCharsets.UTF_8);
    assertEquals(TrialRecord.THREADS_UNKNOWN, onlyTrial(study).threads());
    // Opened for writing too (a resume): the old claim line stays as it was, its trial unknown.
    try (JournalStorage j = new JournalStorage(journal)) {
      j.open(JournalStorage.peek(journal));
      assertEquals(TrialRecord.THREADS_UNKNOWN, j.trials().get(0).threads());
    }
    int cores = Runtime.getRuntime().availableProcessors();
    CliRun every = run("train", "--from-study", study.toString(), "--epochs", "1", "--out", dir.resolve("m.caviar").toString());
    assertEquals(0, every.code(), every.out() + every.err());
    assertEquals(cores > 1, every.out().contains("threads: " + cores + " (every core: the study does not say which threads the "
        + "trial trained on (written before they were recorded); a trial of a caviar-mode study, tune's default, trained on one: "
        + "--threads 1 retraces it epoch by epoch)"), every.out());
  }

  /**
   * A trial that trained on more threads than this machine has (a panda-mode study on a larger
   * machine) trains on as many all the same, so that its epochs come back as they were, and the
   * run says so, and how to trade that for speed.
   */
  @Test
  void moreRecordedThreadsThanCoresAreUsedAndSaid() throws Exception {
    Path study = tuneOneTrial();
    Path journal = study.resolve("journal.jsonl");
    int cores = Runtime.getRuntime().availableProcessors();
    int more = cores + 1;
    String text = Files.readString(journal, StandardCharsets.UTF_8);
    Files.writeString(journal, text.replace(",\"threads\":1", ",\"threads\":" + more), StandardCharsets.UTF_8);
    CliRun r = run("train", "--from-study", study.toString(), "--epochs", "1", "--out", dir.resolve("m.caviar").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("threads: " + more + ", the trial's own (--threads to change): more than the " + cores
        + " cores here, which slows training, but on fewer its epochs would differ slightly from the trial's; --threads " + cores
        + " for speed"), r.out());
    assertFalse(r.out().contains("note: --threads"), "--threads was not given: " + r.out());
  }
}
