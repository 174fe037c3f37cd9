package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code caviar train}: what it refuses before it writes anything, and what it prints. */
class TrainCommandTest {
  @TempDir Path dir;

  /** Exit code 2 and one line on stderr, exactly {@code expected}. */
  private static void assertOneLineError(CliRun r, String expected) {
    assertEquals(2, r.code(), r.out() + r.err());
    assertFalse(r.err().strip().contains("\n"), "more than one line: " + r.err());
    assertEquals(expected, r.err().strip());
  }

  /**
   * --from-study trains with the trial's seed; the help said "so it trains as it did in the study",
   * but a trial of a caviar-mode study trained on one thread, and train's default is every core,
   * whose sums run in another order (64-224-224-10 batch norm on 2 cores: validation accuracy
   * 0.8691 after the first epoch where the trial had 0.8858). The help says which threads retrace
   * the trial (and --from-study now takes them from the study: TrialThreadsCliTest), and on them the
   * epochs are the trial's, each validation accuracy as the journal has it.
   */
  @Test
  void fromStudyOnOneThreadRetracesTheTrialAsTheHelpSays() throws Exception {
    String help = run("train", "--help").out();
    String threadsHelp = help.substring(help.lastIndexOf("--threads=N"), help.lastIndexOf("--seed=SEED")).replaceAll("\\s+", " ");
    assertTrue(threadsHelp.contains("with --from-study, the threads the trial trained on (1 in a caviar-mode study, tune's default; "
        + "the machine's cores in panda mode), so that it trains again as it did in the study, epoch by epoch"), threadsHelp);
    Path study = dir.resolve("study");
    CliRun tune = run("tune", "--trials", "1", "--epochs", "3", "--workers", "1", "--pruner", "none", "--no-report", "--no-progress",
        "--study", study.toString(), "--param", "lr = fixed(0.0017)", "--param", "units = fixed(224)", "--param", "layers = fixed(2)",
        "--param", "batchnorm = fixed(true)", "--param", "batch_size = fixed(128)", "--param", "activation = fixed(tanh)");
    assertEquals(0, tune.code(), tune.out() + tune.err());
    List<String> reported;
    try (org.caviar.search.storage.JournalStorage j = org.caviar.search.storage.JournalStorage.readOnly(study.resolve("journal.jsonl"))) {
      j.open(org.caviar.search.storage.JournalStorage.peek(study.resolve("journal.jsonl")));
      org.caviar.search.trial.TrialRecord t = j.trials().get(0);
      reported = new java.util.ArrayList<>();
      for (int step = 1; step <= 3; step++) reported.add(String.format(java.util.Locale.ROOT, "%.4f", t.intermediate(step)));
    }
    CliRun train = run("train", "--from-study", study.toString(), "--threads", "1", "--out", dir.resolve("m.caviar").toString());
    assertEquals(0, train.code(), train.out() + train.err());
    List<String> trained = train.out().lines().filter(l -> l.startsWith("epoch "))
        .map(l -> l.replaceAll(".*val_acc (\\S+).*", "$1")).toList();
    assertEquals(reported, trained, train.out());
    assertTrue(!train.out().contains("threads: "), train.out());
    // Without --threads, the trial's own: one.
    CliRun own = run("train", "--from-study", study.toString(), "--epochs", "1", "--out", dir.resolve("m2.caviar").toString());
    assertEquals(0, own.code(), own.out() + own.err());
    assertTrue(own.out().contains("threads: 1, the trial's own (--threads to change)"), own.out());
  }

  /** A path with no file name (the root) names no study in a database: a usage error, not a NullPointerException. */
  @Test
  void fromStudyWithNoNameIsAUsageError() {
    CliRun r = run("train", "--storage", "postgresql://localhost:1/db", "--from-study", "/", "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: --from-study / names no study: give the study's name in the database "
        + "(as tune --storage --study NAME gave it)");
    // Without --storage the root is a folder that holds no journal.
    r = run("train", "--from-study", "/", "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: --from-study / holds no study (no journal.jsonl); give a study folder that "
        + "'caviar tune --study' wrote");
    assertFalse(Files.exists(dir.resolve("m.caviar")));
  }

  /**
   * A failed overfit check on the user's own data suggests a gradcheck on that data: without the
   * data options the command checked the network against the shipped digits and failed at once.
   */
  @Test
  void theOverfitChecksGradcheckHintKeepsTheData() throws Exception {
    // Random labels of 10 classes: a one-unit bottleneck cannot memorize 32 of them.
    StringBuilder text = new StringBuilder("a,b,label\n");
    Random rnd = new Random(11);
    for (int i = 0; i < 100; i++) text.append(rnd.nextGaussian()).append(',').append(rnd.nextGaussian()).append(",c").append(i % 10).append('\n');
    Path csv = Files.writeString(dir.resolve("random.csv"), text);
    CliRun bad = run("train", "--csv", csv.toString(), "--split", "0.7,0.2", "--epochs", "1", "--threads", "1", "--overfit-check",
        "--spec", "2-1-10 relu", "--out", dir.resolve("bad.caviar").toString());
    assertEquals(1, bad.code(), bad.out() + bad.err());
    String command = "caviar gradcheck --spec '2-1-10 relu' --csv " + csv + " --split 0.7,0.2 --split-seed 42";
    assertTrue(bad.err().contains("(check the gradients with " + command + "; drop --overfit-check"), bad.err());
    // As printed, it runs on the same data.
    CliRun check = run("gradcheck", "--spec", "2-1-10 relu", "--csv", csv.toString(), "--split", "0.7,0.2", "--split-seed", "42");
    assertEquals(0, check.code(), check.out() + check.err());
    assertTrue(check.out().contains("on 16 rows of random.csv"), check.out());
  }

  /**
   * --report refuses a folder of other files (it would overwrite index.html, epochs.csv, the charts)
   * and writes again into one that holds a Caviar training report, or into an empty one.
   */
  @Test
  void aRunOverAnEarlierModelSaysItReplacesIt() throws Exception {
    // The model is saved at the first new best over whatever --out held: said before training.
    Path model = dir.resolve("m.caviar");
    String note = "note: " + model + " exists; this run replaces it at its first new best epoch";
    CliRun first = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString());
    assertEquals(0, first.code(), first.out() + first.err());
    assertFalse(first.out().contains(note), first.out());
    CliRun second = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString());
    assertEquals(0, second.code(), second.out() + second.err());
    assertTrue(second.out().contains(note), second.out());
  }

  /** The network line's parameter count is grouped as the data line's counts are: "(26,122 parameters)", not "(26122 parameters)". */
  @Test
  void theNetworksParameterCountIsGrouped() {
    Path model = dir.resolve("grouped.caviar");
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=128", "--param", "layers=2", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    // 64-128-128-10 relu (no batch norm by default): each dense layer's weights and bias.
    long parameters = 64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10;
    assertTrue(r.out().contains(" (" + String.format(java.util.Locale.ROOT, "%,d", parameters) + " parameters)"), r.out());
  }

  @Test
  void theReportDoesNotOverwriteAnotherFolder() throws Exception {
    Path mine = Files.createDirectories(dir.resolve("site"));
    byte[] page = "<html>my own page</html>".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.write(mine.resolve("index.html"), page);
    Files.writeString(mine.resolve("epochs.csv"), "mine\n");
    Path model = dir.resolve("m.caviar");
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString(),
        "--report", mine.toString());
    assertOneLineError(r, "caviar train: --report " + mine + " holds other files than a Caviar training report "
        + "(it would overwrite index.html, epochs.csv, layers.csv and the charts): give a new or empty folder");
    assertTrue(r.out().isEmpty(), "refused before the data loads: " + r.out());
    assertArrayEquals(page, Files.readAllBytes(mine.resolve("index.html")));
    assertEquals("mine\n", Files.readString(mine.resolve("epochs.csv")));
    assertFalse(Files.exists(model), "nothing written");
    // A folder with any other file is refused too.
    Path other = Files.createDirectories(dir.resolve("other"));
    Files.writeString(other.resolve("notes.txt"), "x");
    assertEquals(2, run("train", "--epochs", "1", "--out", model.toString(), "--report", other.toString()).code());

    Path report = dir.resolve("report");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    for (Path folder : List.of(report, report, empty)) { // a new folder, the same again, an empty one
      CliRun ok = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString(),
          "--report", folder.toString());
      assertEquals(0, ok.code(), ok.out() + ok.err());
      assertTrue(Files.exists(folder.resolve("index.html")));
    }
  }

  /**
   * A --param mistake is refused before anything is created: it was found after the data loaded,
   * when --out's and --report's missing folders had been created, and left them empty.
   */
  @Test
  void aParamMistakeCreatesNoFolder() {
    Path out = dir.resolve("new/m.caviar");
    Path report = dir.resolve("new-report");
    for (String[] param : List.of(new String[] {"nope=1", "unknown parameter 'nope' for the MLP objective; known: activation, batch_size, batchnorm, beta1, beta2, dropout, epochs, layers, lr, momentum, optimizer, rho, units, weight_decay"},
        new String[] {"units=many", "units must be a number, got 'many'"}, new String[] {"lr", "--param needs NAME=VALUE, got 'lr'"})) {
      CliRun r = run("train", "--param", param[0], "--out", out.toString(), "--report", report.toString());
      assertOneLineError(r, "caviar train: " + param[1]);
      assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
      assertFalse(Files.exists(out.getParent()), "created " + out.getParent());
      assertFalse(Files.exists(report), "created " + report);
    }
    // Nor a data file that does not load.
    CliRun r = run("train", "--csv", dir.resolve("missing.csv").toString(), "--out", out.toString(), "--report", report.toString());
    assertEquals(2, r.code(), r.err());
    assertFalse(Files.exists(out.getParent()) || Files.exists(report), "folders created");
  }

  /** With --from-study, --param epochs=N is the epochs trained, and the line before training says so. */
  @Test
  void fromStudyPrintsTheEpochsItTrains() throws Exception {
    Path own = dir.resolve("own");
    String[] quick = {"--workers", "1", "--no-report", "--no-progress", "--pruner", "none", "--param", "lr = log(1e-3, 1e-1)",
        "--param", "units = fixed(8)", "--param", "layers = fixed(1)"};
    CliRun t = run(concat(new String[] {"tune", "--trials", "1", "--param", "epochs = fixed(2)", "--study", own.toString()}, quick));
    assertEquals(0, t.code(), t.out() + t.err());
    Path model = dir.resolve("m.caviar");
    CliRun r = run("train", "--from-study", own.toString(), "--param", "epochs=1", "--threads", "1", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("training: 1 epoch,"), r.out());
    assertFalse(r.out().contains("the trial's own"), r.out());
    r = run("train", "--from-study", own.toString(), "--threads", "1", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("epochs: 2, the trial's own (--epochs to change)") && r.out().contains("training: 2 epochs"), r.out());

    Path stored = dir.resolve("stored"); // the study's --epochs, no 'epochs' parameter
    t = run(concat(new String[] {"tune", "--trials", "1", "--epochs", "2", "--study", stored.toString()}, quick));
    assertEquals(0, t.code(), t.out() + t.err());
    r = run("train", "--from-study", stored.toString(), "--param", "epochs=1", "--threads", "1", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("training: 1 epoch,"), r.out());
    assertFalse(r.out().contains("as in the study"), r.out());
  }

  /**
   * A split with no test part (--split 0.8,0.2) has no rows to evaluate the model on: train printed
   * "evaluate it on its test rows: caviar evaluate ... --split 0.8,0.2", and the report "the test
   * rows it gets most wrong: ... --worst 10", two commands that failed with exit code 2 ("leaves no
   * test row").
   */
  @Test
  void aSplitWithoutTestRowsPrintsNoEvaluateCommand() throws Exception {
    Path model = dir.resolve("m.caviar");
    Path report = dir.resolve("report");
    CliRun r = run("train", "--split", "0.8,0.2", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString(),
        "--report", report.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("test: none (the split leaves no test rows"), r.out());
    assertFalse(r.out().contains("evaluate"), r.out());
    assertFalse(Files.readString(report.resolve("index.html")).contains("evaluate"), "the report names an evaluate command");
    // What such a command does: refused.
    assertEquals(2, run("evaluate", "--model", model.toString(), "--split", "0.8,0.2").code());
    // The model's own split, which evaluate takes from the file, is refused as that split, not as a --split given.
    CliRun e = run("evaluate", "--model", model.toString());
    assertOneLineError(e, "caviar evaluate: the split the model was trained with (0.8,0.2, seed 42) leaves no test row of digits: "
        + "use --all to evaluate on every row (which includes the rows it trained on)");
    // With test rows on the digits, nothing to print: evaluate --model alone takes the digits and the model's split.
    r = run("train", "--split", "0.7,0.2", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertFalse(r.out().contains("evaluate it on"), r.out());
    e = run("evaluate", "--model", model.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    assertTrue(e.out().contains("data: digits, the test part of the split the model was trained with (0.7,0.2, seed 42) (180 rows)"),
        e.out());
  }

  /**
   * A --param given twice was taken at its last value without a word (--param lr=0.1 ... --param
   * lr=0.01 trained at 0.01), where tune refuses a parameter declared twice: refused, naming both.
   * The same value twice is no conflict.
   */
  @Test
  void aParamGivenTwiceWithTwoValuesIsRefused() {
    Path out = dir.resolve("m.caviar");
    CliRun r = run("train", "--param", "lr=0.1", "--param", "units=8", "--param", "lr = 0.01", "--out", out.toString());
    assertOneLineError(r, "caviar train: --param lr is given twice, as 0.1 and 0.01: give it once");
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
    assertFalse(Files.exists(out));
    r = run("train", "--param", "lr=0.01", "--param", "lr=1e-2", "--param", "units=8", "--epochs", "1", "--threads", "1",
        "--out", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
  }

  /**
   * A setting of another optimizer than the one that trains was dropped without a word: --param
   * momentum=0.95 trained with Adam (the default), momentum unread. Refused, naming the optimizer
   * that reads it; with that optimizer it trains.
   */
  @Test
  void anOptimizerSettingTheOptimizerDoesNotReadIsRefused() {
    Path out = dir.resolve("m.caviar");
    assertParamsRefused(out, "--param momentum=0.95 is read by the momentum optimizer only, and the optimizer is adam (the default): "
        + "add --param optimizer=momentum, or leave momentum out", "momentum=0.95");
    assertParamsRefused(out, "--param beta2=0.99 is read by the adam optimizer only, and the optimizer is momentum: add --param "
        + "optimizer=adam, or leave beta2 out", "optimizer=momentum", "beta2=0.99");
    assertParamsRefused(out, "--param rho=0.8 is read by the rmsprop optimizer only, and the optimizer is adam: add --param "
        + "optimizer=rmsprop, or leave rho out", "optimizer=adam", "rho=0.8");
    assertFalse(Files.exists(out));
    CliRun r = null;
    for (String[] ok : List.of(new String[] {"optimizer=momentum", "momentum=0.95"}, new String[] {"optimizer=RMSprop", "rho=0.8"},
        new String[] {"beta1=0.8", "beta2=0.99"})) {
      r = run("train", "--param", ok[0], "--param", ok[1], "--param", "units=8", "--epochs", "1", "--threads", "1", "--out", out.toString());
      assertEquals(0, r.code(), r.out() + r.err());
    }
    assertTrue(r.out().contains("adam(beta1=0.8, beta2=0.99"), r.out());
  }

  /** With no hidden layer, a setting of the hidden layers reads nothing: it was dropped without a word. */
  @Test
  void aHiddenLayerSettingWithoutHiddenLayersIsRefused() {
    Path out = dir.resolve("m.caviar");
    assertParamsRefused(out, "--param units=64 is read by the hidden layers only, and layers is 0: leave units out, or give layers >= 1",
        "layers=0", "units=64");
    assertParamsRefused(out, "--param batchnorm=true is read by the hidden layers only, and layers is 0: leave batchnorm out, or "
        + "give layers >= 1", "layers=0", "batchnorm=true");
    assertFalse(Files.exists(out));
    CliRun r = run("train", "--param", "layers=0", "--param", "lr=0.01", "--epochs", "1", "--threads", "1", "--out", out.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("network: 64-10"), r.out());
  }

  /**
   * A --threads above what a team holds was refused only after the data loaded, by the kernels'
   * check ("threads must be <= 1024, got 100000", which names no option), below a note that the
   * threads beyond the cores would slow training, as if they would train: refused as --threads, as
   * 0 is, before anything is read or written.
   */
  @Test
  void tooManyThreadsIsRefusedAsTheOption() {
    int over = org.caviar.kernels.Workers.MAX_THREADS + 1;
    CliRun r = run("train", "--threads", Integer.toString(over), "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: --threads must be <= " + org.caviar.kernels.Workers.MAX_THREADS + ", got " + over);
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
  }

  /**
   * Data from a pipe (--csv <(zcat data.csv.gz), here a named pipe) is read once: train printed
   * "evaluate it on its test rows: caviar evaluate --model m.caviar --csv /dev/fd/63", which pasted
   * fails ("--csv /dev/fd/63: no such file"), with no word that the data must be given again, as
   * tune says of its commands.
   */
  @Test
  void aPipedCsvSaysToGiveItAgainToTheEvaluateCommand() throws Exception {
    Path fifo = dir.resolve("pipe.csv");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    StringBuilder csv = new StringBuilder("a,b,label\n");
    Random random = new Random(1);
    for (int i = 0; i < 60; i++) csv.append(i % 3 + random.nextGaussian()).append(',').append(random.nextGaussian()).append(',').append(i % 3).append('\n');
    Thread writer = Thread.ofPlatform().daemon().start(() -> {
      try (var pipe = Files.newOutputStream(fifo)) { // waits for the run to open it to read
        pipe.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    CliRun r;
    try {
      r = run("train", "--csv", fifo.toString(), "--epochs", "1", "--threads", "1", "--param", "units=8", "--out",
          dir.resolve("m.caviar").toString());
    } finally {
      // A reader's open ends the wait of a writer that the run never read.
      new java.io.RandomAccessFile(fifo.toFile(), "rw").close();
      writer.join(10_000);
    }
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("evaluate it on its test rows: "), r.out());
    assertTrue(r.out().contains("the data came from a pipe (--csv " + fifo + "), read once: give it again to the command above"),
        r.out());
  }

  /**
   * A model is saved to a new file that is then moved over --out: an --out that is not a regular
   * file (--out /dev/null, to see the test accuracy without keeping the model, or a named pipe) was
   * replaced by the model, and for root, who may write in /dev, /dev/null became a regular file for
   * every process of the machine. Refused before the data loads, and left as it was. (A named pipe
   * here: a run this test catches replacing it harms nothing.)
   */
  @Test
  void anOutThatIsNotARegularFileIsRefused() throws Exception {
    Path fifo = dir.resolve("pipe.caviar");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", fifo.toString());
    assertOneLineError(r, "caviar train: --out " + fifo + " is not a regular file (a device or a pipe): the model would replace it; "
        + "give a file's path");
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
    assertTrue(Files.exists(fifo) && !Files.isRegularFile(fifo), "the pipe was replaced");
  }

  /**
   * --param epochs=N outranks --epochs (the help says so), and with both given the run trained 3
   * epochs of "--epochs 1 --param epochs=3" without a word. Both given with one value is fine.
   */
  @Test
  void epochsGivenTwiceWithTwoValuesIsRefused() {
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--param", "epochs=3",
        "--out", dir.resolve("e.caviar").toString());
    assertOneLineError(r, "caviar train: --epochs 1 and --param epochs=3 disagree: give one");
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
    CliRun same = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--param", "epochs=1",
        "--out", dir.resolve("e.caviar").toString());
    assertEquals(0, same.code(), same.out() + same.err());
    assertTrue(same.out().contains("completed 1 epoch"), same.out());
  }

  /**
   * A Path drops a trailing '/': --out models/ (a folder meant, not yet made) saved the model as the
   * file 'models'. Refused before the data loads, and nothing is written.
   */
  @Test
  void anOutEndingInASlashIsRefused() {
    String out = dir.resolve("models") + "/";
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--out", out);
    assertOneLineError(r, "caviar train: --out " + out + " ends with '/', which names a folder: give a file's path, such as "
        + out + "model.caviar");
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
    assertFalse(Files.exists(dir.resolve("models")), "the file 'models' was written");
  }

  /**
   * A run at lr=1e6 without batch norm has losses of 1e18 and more that stay finite: train printed
   * "loss 1894638194352128800000.0000" in each epoch line and the test line, evaluate and the
   * report's page the same. They are in scientific notation now, as ordinary losses are not.
   */
  @Test
  void hugeLossesArePrintedInScientificNotation() throws Exception {
    Path model = dir.resolve("m.caviar");
    Path report = dir.resolve("report");
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "lr=1e6", "--param", "batchnorm=false",
        "--out", model.toString(), "--report", report.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    String sci = "\\d\\.\\d{4}e\\+\\d{2}";
    assertTrue(r.out().lines().anyMatch(l -> l.matches("epoch   0  loss " + sci + "  acc .* val_loss " + sci + "  val_acc .*")), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.matches("test: accuracy \\d\\.\\d{4}, loss " + sci + " on 360 rows .*")), r.out());
    assertTrue(r.out().lines().filter(l -> l.startsWith("epoch ") || l.startsWith("test: ")).noneMatch(l -> l.matches(".*\\d{12}.*")),
        r.out());
    assertTrue(Files.readString(report.resolve("index.html")).matches("(?s).*</b>, loss " + sci + " on 360 rows.*"), "report");
    CliRun e = run("evaluate", "--model", model.toString());
    assertEquals(0, e.code(), e.out() + e.err());
    assertTrue(e.out().lines().anyMatch(l -> l.matches("accuracy \\d\\.\\d{4}, loss " + sci)), e.out());
  }

  /**
   * The overfit check memorizes up to 32 training rows, and takes at least 2: on a split that left
   * one training row, train said "examples must be >= 2, got 1", an argument of the check's Java
   * method that the user never gave. It now says what is short and what to give.
   */
  @Test
  void anOverfitCheckOnOneTrainingRowSaysWhatIsShort() throws Exception {
    Path csv = Files.writeString(dir.resolve("three.csv"), "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
    CliRun r = run("train", "--csv", csv.toString(), "--overfit-check", "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: --overfit-check memorizes at least 2 training rows, and the training part has 1 "
        + "(train 1 / validation 1 / test 1): give --split a larger TRAIN, or leave --overfit-check out");
    assertFalse(Files.exists(dir.resolve("m.caviar")));
  }

  /**
   * An empty --report (a script's unset variable, --report "$DIR") names the current folder: train
   * said "--report  holds other files than a Caviar training report", or wrote the report's files
   * among the user's own in an empty one. It is refused as an empty --out is.
   */
  @Test
  void anEmptyReportIsRefused() {
    CliRun r = run("train", "--epochs", "1", "--threads", "1", "--param", "units=8", "--report", "", "--out",
        dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: --report is empty: give a folder's path");
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
  }

  /**
   * A test row far outside the training rows standardizes to Infinity: train refused the run with
   * "features[10] (row 5, feature 0) is 3.0E38, which standardizes to Infinity ...", the row of the
   * test part and the index of an array of the program's, neither of which finds it in the file.
   * It now names the file's row and column; evaluate the same.
   */
  @Test
  void aValueThatStandardizesToInfinityIsNamedByItsRowAndColumnInTheFile() throws Exception {
    int n = 100;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) labels[i] = i % 2;
    // The split depends on the labels only: the first test row of the default split, 0.6,0.2 seed 42.
    int far = org.caviar.model.data.Split.stratifiedRows(org.caviar.model.data.Dataset.of(new float[n], labels, 1, 2), 0.6, 0.2, 42)
        .test()[0];
    StringBuilder b = new StringBuilder("id,a,b,label\n");
    Random random = new Random(3);
    for (int i = 0; i < n; i++) {
      b.append("x").append(i).append(',').append(labels[i] + random.nextGaussian() * 0.3).append(',')
          .append(i == far ? "3e38" : Double.toString(random.nextGaussian() * 0.3)).append(',').append(labels[i]).append('\n');
    }
    Path csv = Files.writeString(dir.resolve("far.csv"), b);
    CliRun r = run("train", "--csv", csv.toString(), "--ignore-columns", "id", "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("m.caviar").toString());
    assertEquals(2, r.code(), r.out() + r.err());
    String message = r.err().strip();
    assertTrue(message.startsWith("caviar train: far.csv row " + far + " (a test row; data rows counted from 0), column 3 (index 2) "
        + "'b': 3e38 standardizes to Infinity with the training rows' mean "), message);
    assertTrue(message.endsWith(": far outside the training data; leave the row out, or scale the column down"), message);
    // evaluate: a model of the same file without that value, scored on it (the same labels: the same split).
    Path near = Files.writeString(dir.resolve("near.csv"), b.toString().replace(",3e38,", ",0.5,"));
    Path model = dir.resolve("near.caviar");
    r = run("train", "--csv", near.toString(), "--ignore-columns", "id", "--epochs", "1", "--threads", "1", "--out", model.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    for (String[] how : new String[][] {{}, {"--all"}}) {
      List<String> args = new java.util.ArrayList<>(List.of("evaluate", "--model", model.toString(), "--csv", csv.toString(),
          "--ignore-columns", "id"));
      args.addAll(List.of(how));
      CliRun e = run(args.toArray(new String[0]));
      assertEquals(2, e.code(), e.out() + e.err());
      assertTrue(e.err().strip().startsWith("caviar evaluate: far.csv row " + far + " (" + (how.length == 0 ? "a test row; " : "")
          + "data rows counted from 0), column 3 (index 2) 'b': 3e38 standardizes to Infinity with the model's mean "), e.err());
    }
  }

  /**
   * A --spec with batch norm and --param batch_size=1: MlpSettings refuses batch_size=1 with
   * batchnorm=true by the parameters' names, but the spec's batch norm is not a parameter, and the
   * trainer's own check said "batchSize must be >= 2 with batch norm, got 1", a Java name.
   */
  @Test
  void aSpecWithBatchNormAndABatchOfOneIsRefusedByTheParametersNames() {
    CliRun r = run("train", "--spec", "64-16-10 relu batchnorm", "--param", "batch_size=1", "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: batch_size must be >= 2 with --spec '64-16-10 relu batchnorm', which has batch norm "
        + "(batch norm normalizes over a batch's rows), got 1");
    assertFalse(Files.exists(dir.resolve("m.caviar")));
  }

  /**
   * Batch norm on a training part of one row: train printed its training line, then stopped with
   * the trainer's "train has 1 row, batch norm trains on batches of at least 2", which names
   * neither the split nor what to change.
   */
  @Test
  void batchNormOnOneTrainingRowSaysWhatIsShort() throws Exception {
    Path csv = Files.writeString(dir.resolve("three.csv"), "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
    for (String[] how : new String[][] {{"--param", "batchnorm=true"}, {"--spec", "2-8-2 relu batchnorm"}}) {
      List<String> args = new java.util.ArrayList<>(List.of("train", "--csv", csv.toString(), "--epochs", "1", "--threads", "1",
          "--out", dir.resolve("m.caviar").toString()));
      args.addAll(List.of(how));
      CliRun r = run(args.toArray(new String[0]));
      assertOneLineError(r, "caviar train: batch norm trains on batches of at least 2 rows, and the training part has 1 (train 1 / "
          + "validation 1 / test 1): give --split a larger TRAIN, or train without batch norm");
      assertFalse(r.out().contains("training: "), "refused before the training line: " + r.out());
    }
  }

  /**
   * --from-study on a study whose trials all failed said "the study S has no completed trial", and
   * no more: not what became of its trials, nor what to do.
   */
  @Test
  void fromStudyWithNoCompletedTrialSaysWhatItHasAndWhatToDo() {
    Path study = dir.resolve("s");
    CliRun tune = run("tune", "--trials", "2", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress",
        "--param", "lr = log(1e8, 1e9)", "--param", "optimizer = fixed(momentum)", "--study", study.toString());
    assertEquals(1, tune.code(), tune.out() + tune.err());
    CliRun r = run("train", "--from-study", study.toString(), "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: the study " + study + " has no completed trial (2 trials: 0 complete, 0 pruned, 2 failed): "
        + "run more with " + CaviarCli.commandLine("tune", "--study", study, "--trials", 12) + " until one completes, or give a "
        + "configuration with --param");
    assertFalse(Files.exists(dir.resolve("m.caviar")));
  }

  /**
   * A study stopped before any trial completed (Ctrl-C, --timeout) has the rest of its budget to
   * run: train suggested "tune --study S --trials 11" (its trials, interrupted ones too, plus 10),
   * which changed the study's budget of 4 where a plain resume runs it. The suggestion is the plain
   * resume then; --trials only once the budget is spent (see the test above). It named no --mode,
   * and a panda study resumed so ran on in caviar mode: the study stores its mode now, and the
   * plain resume takes it.
   */
  @Test
  void fromStudyWithNoCompletedTrialAndBudgetLeftSuggestsThePlainResume() {
    Path study = dir.resolve("stopped");
    CliRun tune = run("tune", "--trials", "4", "--timeout", "0", "--mode", "panda", "--no-report", "--no-progress",
        "--study", study.toString());
    assertEquals(0, tune.code(), tune.out() + tune.err());
    // A trial under way when Ctrl-C came, recorded interrupted as tune's stop records it.
    Path journal = study.resolve("journal.jsonl");
    try (org.caviar.search.storage.JournalStorage storage = new org.caviar.search.storage.JournalStorage(journal)) {
      storage.open(org.caviar.search.storage.JournalStorage.peek(journal));
      int n = storage.claimTrial(System.currentTimeMillis()).number();
      storage.recordOutcome(n, org.caviar.search.trial.TrialState.FAILED, Double.NaN,
          org.caviar.search.trial.TrialRecord.INTERRUPTED + ": the study was interrupted while this trial ran", System.currentTimeMillis());
    }
    CliRun r = run("train", "--from-study", study.toString(), "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: the study " + study + " has no completed trial (1 trial: 0 complete, 0 pruned, 0 failed, "
        + "1 interrupted): run the rest of its budget (4 trials to go) with " + CaviarCli.commandLine("tune", "--study", study)
        + " until one completes, or give a configuration with --param");    // The command suggested runs the study as it was run (--timeout 0: its trials are not the point here).
    CliRun resumed = run("tune", "--study", study.toString(), "--timeout", "0", "--no-report", "--no-progress");
    assertEquals(0, resumed.code(), resumed.out() + resumed.err());
    assertTrue(resumed.out().contains("1 worker in panda mode"), resumed.out());
  }

  /**
   * A grid study whose every point has run, none completed, has nothing more to run on its budget
   * nor on a larger one: it suggested "--trials 12", which runs no trial.
   */
  @Test
  void fromAGridStudyWithEveryPointRunAndNoneCompletedSuggestsAFinerGrid() {
    Path study = dir.resolve("grid");
    CliRun tune = run("tune", "--trials", "10", "--epochs", "1", "--workers", "1", "--no-report", "--no-progress", "--sampler", "grid",
        "--grid-resolution", "2", "--param", "lr = log(1e8, 1e9)", "--param", "optimizer = fixed(momentum)", "--study", study.toString());
    assertEquals(1, tune.code(), tune.out() + tune.err());
    CliRun r = run("train", "--from-study", study.toString(), "--out", dir.resolve("m.caviar").toString());
    assertOneLineError(r, "caviar train: the study " + study + " has no completed trial (2 trials: 0 complete, 0 pruned, 2 failed): "
        + "the grid sampler's 2 points have all run: a finer grid is a new --study with a larger --grid-resolution; "
        + "or give a configuration with --param");
  }

  /**
   * The report probes the layers on 2 rows at least, of the validation part or else of the training
   * part: with one row in each, train printed its training line and stopped with "data must have at
   * least 2 rows to probe, has 1". It is now refused before anything is printed, saying what to give.
   */
  @Test
  void aReportWithNoTwoRowsToProbeIsRefusedUpFront() throws Exception {
    Path csv = Files.writeString(dir.resolve("three.csv"), "a,b,label\n1,2,x\n3,4,y\n5,6,x\n");
    CliRun r = run("train", "--csv", csv.toString(), "--epochs", "1", "--threads", "1", "--out", dir.resolve("m.caviar").toString(),
        "--report", dir.resolve("report").toString());
    assertOneLineError(r, "caviar train: --report probes the layers on at least 2 rows of the validation or the training part, and "
        + "neither has 2 (train 1 / validation 1 / test 1): give --split a larger TRAIN, or leave --report out");
    assertTrue(r.out().isEmpty(), r.out());
  }

  /** A test part of one row: train said "on 1 rows", and so did the report. */
  @Test
  void oneTestRowIsSaidInTheSingular() throws Exception {
    // 3 rows of x and 2 of y at 0.4,0.4: train 2 / validation 2 / test 1.
    Path csv = Files.writeString(dir.resolve("five.csv"), "a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,8,y\n9,1,x\n");
    Path report = dir.resolve("report");
    CliRun r = run("train", "--csv", csv.toString(), "--split", "0.4,0.4", "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("m.caviar").toString(), "--report", report.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("train 2 / validation 2 / test 1"), r.out());
    assertTrue(r.out().lines().anyMatch(l -> l.startsWith("test: ") && l.contains(" on 1 row (")), r.out());
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(html.contains(" on 1 row. Confusion matrix"), html);
  }

  /** train with these --param values is refused in one line, {@code message}, before the data loads. */
  private void assertParamsRefused(Path out, String message, String... params) {
    List<String> args = new java.util.ArrayList<>(List.of("train"));
    for (String p : params) args.addAll(List.of("--param", p));
    args.addAll(List.of("--out", out.toString()));
    CliRun r = run(args.toArray(new String[0]));
    assertOneLineError(r, "caviar train: " + message);
    assertTrue(r.out().isEmpty(), "before the data loads: " + r.out());
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
