package org.caviar.search.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.caviar.kernels.Workers;
import org.caviar.model.Kernels;
import org.caviar.model.Model;
import org.caviar.model.Network;
import org.caviar.model.optim.Counts;
import org.caviar.model.optim.Floats;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.debug.Diagnostics;
import org.caviar.model.debug.HistogramRecorder;
import org.caviar.model.debug.OverfitReport;
import org.caviar.model.io.ModelFile;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.Evaluation;
import org.caviar.model.train.Figures;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingListener;
import org.caviar.model.train.TrainingResult;
import org.caviar.model.train.TrainingStatus;
import org.caviar.search.objective.MlpSettings;
import org.caviar.search.report.Leaderboard;
import org.caviar.search.report.TrainingReport;
import org.caviar.search.sampler.GridSampler;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.Storage;
import org.caviar.search.storage.StudyInfo;
import org.caviar.search.study.Study;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code caviar train}: trains one configuration, shows each epoch, tests it and saves the model. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Trains one configuration and saves the model.",
      "",
      "Trains the MLP on a dataset (default: the shipped digits set), prints each epoch, evaluates it on the test "
          + "part and saves the model. The configuration comes from --param settings (the names of '" + CaviarCli.COMMAND_IN_HELP + " tune "
          + "--show-space'), from the best trial of a study (--from-study), or from a network --spec. Stopped "
          + "(Ctrl-C, kill), it ends the epoch under way and saves the model it has trained. The model is also saved at "
          + "each new best validation loss, so that a run killed outright (kill -9, a crash, a second Ctrl-C) leaves its best "
          + "epoch so far.",
      ""})
public final class TrainCommand implements Callable<Integer> {
  @Spec CommandSpec commandSpec;
  private java.io.PrintWriter out;
  /** How the network trains, as printed before the first epoch. */
  private String trainingLine;
  /** The epoch --out holds, saved at its new best validation loss, or -1: read by the stop hook too. */
  private final AtomicInteger savedEpoch = new AtomicInteger(-1);
  /** Whether the training has ended (the test, the save and the report follow): read by the stop hook. */
  private final AtomicBoolean trained = new AtomicBoolean();
  /** Held while --out is saved: a second Ctrl-C waits for the save under way, and then halts. */
  private final Object saving = new Object();
  /** With --from-study: the threads the trial trained on, or {@link TrialRecord#THREADS_UNKNOWN}. */
  private int trialThreads = TrialRecord.THREADS_UNKNOWN;

  @Mixin DataOptions data = new DataOptions();

  @Option(names = "--param", paramLabel = "NAME=VALUE",
      description = "A setting, e.g. --param lr=0.003 --param units=256 --param optimizer=adam; repeat it.")
  List<String> params;

  @Option(names = "--from-study", paramLabel = "DIR", description = "Start from the best trial of the study in DIR.")
  Path fromStudy;

  @Option(names = "--storage", paramLabel = "URL",
      description = "With --from-study NAME: the study is in this PostgreSQL database (as with tune --storage).")
  String storageUrl;

  @Option(names = "--spec", paramLabel = "SPEC",
      description = "A network spec such as '64-128-128-10 relu batchnorm dropout=0.2'; replaces units, layers, "
          + "activation, batchnorm and dropout (a study's, with --from-study; with --param they are refused).")
  String spec;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "30",
      description = "Epochs (unless set by --param epochs=N). Default: with --from-study the study's --epochs, else ${DEFAULT-VALUE}.")
  int epochs;

  @Option(names = "--threads", paramLabel = "N",
      description = "Threads inside the matrix products. Default: the number of cores; with --from-study, the threads the "
          + "trial trained on (1 in a caviar-mode study, tune's default; the machine's cores in panda mode), so that it trains "
          + "again as it did in the study, epoch by epoch: on other threads a network's sums run in another order, and its "
          + "epochs differ slightly. Also when they are more than the cores here (slower, and said); a trial of a study "
          + "written before trials recorded their threads: every core.")
  Integer threads;

  @Option(names = "--seed", paramLabel = "SEED",
      description = "Seed of the weights and batch order. Default: the trial's own seed with --from-study (with its "
          + "threads, see --threads, it trains again as it did in the study, epoch by epoch), else 1.")
  Long seed;

  @Option(names = "--out", paramLabel = "FILE", defaultValue = "model.caviar", description = "Where to save the model. Default: ${DEFAULT-VALUE}.")
  Path outFile;

  @Option(names = "--report", paramLabel = "DIR",
      description = "Also write an HTML report of the run into DIR: loss and accuracy curves, dead or saturated units and "
          + "parameter gradients per layer and epoch, histograms of the activations and their gradients, the test "
          + "confusion matrix. DIR is new, empty, or an earlier run's report (rewritten).")
  Path reportDir;

  @Option(names = "--overfit-check",
      description = "First check that the network and the data pipeline can memorize 32 training examples (Adam at 1e-2, "
          + "full batch, up to 300 steps, no dropout), as a sound one does in a few dozen steps; if it cannot, stop "
          + "before training.")
  boolean overfitCheck;

  static final int OVERFIT_EXAMPLES = 32;
  static final int OVERFIT_STEPS = 300;

  /** Validation rows the report's layer statistics probe after each epoch. */
  static final int PROBE_ROWS = 256;
  static final int HISTOGRAM_BINS = 40;

  /** The settings a --spec replaces (the help of --spec names them). */
  private static final List<String> SPEC_PARTS = List.of("units", "layers", "activation", "batchnorm", "dropout");

  @Override
  public Integer call() throws Exception {
    out = commandSpec.commandLine().getOut();
    Map<String, Object> given = givenParams();
    if (spec != null) {
      // The spec is the whole network: a part of it given as well would be dropped without a word.
      for (String part : SPEC_PARTS) {
        if (given.containsKey(part)) {
          throw new IllegalArgumentException("--param " + part + "=" + given.get(part) + " sets a part of the network, which --spec '"
              + spec + "' gives whole (" + String.join(", ", SPEC_PARTS) + "): write it in the spec, or leave --spec out");
        }
      }
    }
    Map<String, Object> settings = new LinkedHashMap<>();
    long trainSeed = seed != null ? seed : 1;
    if (storageUrl != null && fromStudy == null) {
      throw new IllegalArgumentException("--storage goes with --from-study NAME (the study in that database to train from)");
    }
    if (fromStudy != null) {
      // Before the data loads: the study's stored data options stand unless given.
      Best best = storageUrl != null ? bestInDatabase(storageUrl, studyName(fromStudy)) : bestOf(fromStudy);
      settings.putAll(best.params());
      trialThreads = best.threads();
      if (seed == null) trainSeed = best.seed();
      // As the study trained it, unless asked otherwise (a longer run is a fair thing to ask): a
      // given --epochs outranks the trial's own 'epochs' parameter too; only --param epochs=N
      // outranks it, and then the study's epochs are not those trained (the training line says them).
      if (commandSpec.commandLine().getParseResult().hasMatchedOption("--epochs")) {
        settings.remove("epochs");
      } else if (!given.containsKey("epochs")) {
        if (best.params().containsKey("epochs")) {
          out.println("epochs: " + MlpSettings.epochs(best.params(), epochs) + ", the trial's own (--epochs to change)");
        } else if (best.epochs() != null) {
          epochs = best.epochs();
          out.println("epochs: " + epochs + ", as in the study (--epochs to change)");
        }
      }
    }
    // --param epochs=N outranks --epochs; both given and apart, one was dropped without a word (as a
    // --param given twice with two values is refused).
    if (given.containsKey("epochs") && commandSpec.commandLine().getParseResult().hasMatchedOption("--epochs")
        && MlpSettings.epochs(given, epochs) != epochs) {
      throw new IllegalArgumentException("--epochs " + epochs + " and --param epochs=" + MlpSettings.epochs(given, epochs)
          + " disagree: give one");
    }
    settings.putAll(given);
    // Checked before the data loads; --param epochs=N, checked with the other parameters, overrides it.
    if (epochs < 1) throw new IllegalArgumentException("--epochs must be >= 1, got " + epochs);
    if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
    // Else the kernels' own check, after the data loaded and a note that the threads would train.
    if (threads != null && threads > Workers.MAX_THREADS) {
      throw new IllegalArgumentException("--threads must be <= " + Workers.MAX_THREADS + ", got " + threads);
    }
    // The parameters' own checks need no data (any shape will do): a mistake is said before a large
    // file loads, and before anything is written.
    int batchSize = MlpSettings.from(settings, 1, 2, epochs, trainSeed).training().batchSize();
    checkOptimizerSettings(given, settings);
    checkHiddenSettings(given, settings);
    NetworkSpec specGiven = spec != null ? NetworkSpec.parse(spec) : null;
    // MlpSettings refuses batch_size=1 with batchnorm=true; a spec's batch norm is no parameter, and
    // the trainer said "batchSize must be >= 2 with batch norm", a Java name.
    if (specGiven != null && specGiven.batchNorm() && !specGiven.hidden().isEmpty() && batchSize < 2) {
      throw new IllegalArgumentException("batch_size must be >= 2 with --spec '" + spec + "', which has batch norm (batch norm "
          + "normalizes over a batch's rows), got " + batchSize);
    }
    checkOut();
    checkReport();
    DataOptions.Data d = data.load();
    // Diagnostics' own check named its argument ("examples must be >= 2, got 1").
    if (overfitCheck && d.train().rows() < 2) {
      throw new IllegalArgumentException("--overfit-check memorizes at least 2 training rows, and the training part has "
          + d.train().rows() + " (" + parts(d) + "): give --split a larger TRAIN, or leave --overfit-check out");
    }
    // HistogramRecorder's own check came after the training line ("data must have at least 2 rows to probe, has 1").
    if (reportDir != null && !probeFromValidation(d) && d.train().rows() < 2) {
      throw new IllegalArgumentException("--report probes the layers on at least 2 rows of the validation or the training part, and "
          + "neither has 2 (" + parts(d) + "): give --split a larger TRAIN, or leave --report out");
    }
    MlpSettings s = MlpSettings.from(settings, d.inputs(), d.classes(), epochs, trainSeed);
    NetworkSpec net = s.network();
    if (specGiven != null) {
      net = specGiven;
      if (net.inputs() != d.inputs() || net.classes() != d.classes()) {
        throw new IllegalArgumentException("--spec '" + spec + "' takes " + net.inputs() + " inputs and " + net.classes()
            + " classes, the data has " + d.inputs() + " and " + d.classes());
      }
    }
    // The trainer's own check came after the training line, as "train has 1 row, batch norm trains on batches of at least 2".
    if (net.batchNorm() && !net.hidden().isEmpty() && d.train().rows() < 2) {
      throw new IllegalArgumentException("batch norm trains on batches of at least 2 rows, and the training part has "
          + d.train().rows() + " (" + parts(d) + "): give --split a larger TRAIN, or train without batch norm");
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int t = threads != null ? threads : trialThreads != TrialRecord.THREADS_UNKNOWN ? trialThreads : Workers.allProcessors();
    if (fromStudy != null) sayThreads(t, cores);
    if (threads != null && t > cores) {
      // A step waits for its slowest thread: one that shares a core makes every step wait (digits, 4 threads on 2 cores: half the speed).
      out.println("note: --threads " + t + " is more than the " + cores + " cores here; the threads beyond them share cores and slow training");
    }
    // Before the network is allocated: one larger than the heap allocated for half a minute (the OS
    // paging in gigabytes) and then ended in "out of memory".
    new MlpSettings(net, s.training()).requireMemory(t, d.train().rows(), MlpSettings.heapBytes(), MlpSettings.machineBytes(),
        specGiven != null ? "--spec '" + spec + "'" : s.sizes(),
        n -> "JDK_JAVA_OPTIONS=-Xmx" + n + "g " + CaviarCli.commandLine(commandSpec.commandLine().getParseResult().originalArgs().toArray()));
    Network network = Network.create(net, trainSeed, t > 1 ? Kernels.parallel(t) : Kernels.vector());
    out.println("caviar train on " + d.description());
    data.printNotes(out);
    out.println("network: " + net + " (" + Counts.of(network.parameterCount(), "parameter") + ")");
    trainingLine = Counts.of(s.training().epochs(), "epoch") + ", batch " + s.training().batchSize() + ", "
        + s.training().optimizer() + ", " + s.training().schedule() + ", weight decay " + Floats.text(s.training().weightDecay());
    // Saved at the first new best, over whatever --out held: a model of an earlier run, say so now.
    if (Files.exists(outFile)) out.println("note: " + outFile + " exists; this run replaces it at its first new best epoch");
    if (overfitCheck) {
      OverfitReport check = Diagnostics.overfitTinyBatch(net, d.train(), Math.min(OVERFIT_EXAMPLES, d.train().rows()),
          OVERFIT_STEPS, trainSeed, Kernels.vector());
      out.println("overfit check: " + check.message());
      if (!check.passed()) {
        // On the same data: gradcheck's default, the digits, would refuse a network of another shape.
        List<Object> gradcheck = new java.util.ArrayList<>(List.of("gradcheck", "--spec", net));
        gradcheck.addAll(data.arguments());
        commandSpec.commandLine().getErr().println("caviar train: the overfit check failed; not training (check the gradients with "
            + CaviarCli.commandLine(gradcheck.toArray()) + "; drop --overfit-check to train anyway)");
        return 1;
      }
    }
    Trainer trainer = new Trainer(network, s.training());
    // Interrupted (Ctrl-C, a plain kill), the run stops after the epoch under way and saves what it
    // trained, instead of losing it: the JVM runs this hook and halts when it returns.
    AtomicBoolean stopAsked = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      boolean secondStops = haltOnSecondInterrupt();
      int savedSoFar = savedEpoch.get();
      // Waited for a while only: on a stalled stderr the hook never returned, and the JVM never
      // exited, the epoch ended and the model saved.
      // Once the training has ended there is no epoch under way: the test, the save and the report finish.
      String finishing = trained.get()
          ? "interrupted after the training ended; finishing the run first (" + (reportDir != null
              ? "the test, the save and the report" : "the test and the save") + "; "
          : "interrupted; stopping after this epoch to save the model (";
      Stderr.println(commandSpec.commandLine().getErr(), "caviar train: " + finishing
          + "at most " + stopWaitSeconds + " s; " + (secondStops ? "Ctrl-C again" : "kill -9") + " stops at once and leaves "
          + (savedSoFar < 0 ? "no model" : outFile + " at epoch " + savedSoFar + ", the best so far") + ")");
      // Asked after that line, not before: an epoch ending meanwhile printed "interrupted after N
      // epochs" above the line that announced the stop.
      stopAsked.set(true);
      try {
        if (!finished.await(stopWaitSeconds, TimeUnit.SECONDS)) {
          // Halted as it is: --out holds what the last new best saved, if any did.
          int saved = savedEpoch.get();
          Stderr.println(commandSpec.commandLine().getErr(), "caviar train: the epoch did not end within " + stopWaitSeconds + " s; "
              + (saved < 0 ? "nothing saved" : outFile + " holds epoch " + saved + ", the best so far"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "caviar-train-stop");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Interrupted before the hook was set: nothing trained, nothing saved ("Shutdown in progress"
      // was all it said). The JVM's own handler ends the run.
      Stderr.println(commandSpec.commandLine().getErr(), "caviar train: interrupted before training began; nothing saved");
      return 130; // 128 + SIGINT, as the JVM's own exit on it
    }
    // After the hook: from this line on a signal stops the run after its epoch, and saves it.
    out.println("training: " + trainingLine);
    try {
      return trainAndSave(trainer, network, d, stopAsked);
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs, or is about to: it finds the latch open and returns.
      }
    }
  }

  /**
   * Has a second SIGINT halt the JVM at once, while it waits for the epoch to end; false where
   * SIGINT is not this JVM's to handle (ignored, as in a script's background job, or -Xrs). The
   * JVM's own handler calls System.exit, which during shutdown blocks for good (Shutdown.exit
   * waits on the lock the shutdown under way holds): a second Ctrl-C did nothing. This handler
   * (sun.misc.Signal, jdk.unsupported) replaces it from the first signal on; the JVM runs it on a
   * thread of its own. It waits for a save under way (the lock), so that --out is the last new
   * best whole, says which epoch that is, and halts: no more hooks run, as kill -9. The message
   * is waited for at most {@link Stderr#WAIT_MILLIS}: on a stalled stderr (a full pipe that
   * nobody reads, a terminal paused with Ctrl-S) the write blocks, and the halt never came.
   */
  private boolean haltOnSecondInterrupt() {
    try {
      // Where SIGINT is ignored the JVM installs nothing and returns SIG_IGN, without refusing.
      return sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {
        synchronized (saving) {
          int saved = savedEpoch.get();
          // A write that blocks does not hold the halt.
          Stderr.println(commandSpec.commandLine().getErr(), "caviar train: stopped at once (Ctrl-C again); "
              + (saved < 0 ? "nothing saved" : outFile + " holds epoch " + saved + ", its last save"));
          Runtime.getRuntime().halt(130); // 128 + SIGINT, as the JVM's own exit on it
        }
      }) != sun.misc.SignalHandler.SIG_IGN;
    } catch (IllegalArgumentException notOurs) {
      return false;
    }
  }

  /**
   * With --from-study: the threads line, which says whose the {@code t} threads are (the trial's, or
   * every core for a trial that did not record its own), and that a --threads other than the
   * trial's may not retrace its epochs; none when --threads is given and the trial's are the same or
   * unknown.
   */
  private void sayThreads(int t, int cores) {
    if (threads == null && trialThreads != TrialRecord.THREADS_UNKNOWN) {
      // More than the cores here: used all the same, since on fewer the sums run in another order
      // and the run would not be the trial's; slower (a step waits for its slowest thread), so said.
      out.println("threads: " + t + ", the trial's own (--threads to change)" + (t <= cores ? "" : ": more than the " + cores
          + " cores here, which slows training, but on fewer its epochs would differ slightly from the trial's; --threads "
          + cores + " for speed"));
    } else if (threads == null) {
      // Not recorded, so said rather than chosen: a caviar-mode trial's epochs are not retraced on every core.
      if (t > 1) {
        out.println("threads: " + t + " (every core: the study does not say which threads the trial trained on (written before "
            + "they were recorded); a trial of a caviar-mode study, tune's default, trained on one: --threads 1 retraces it "
            + "epoch by epoch)");
      }
    } else if (trialThreads != TrialRecord.THREADS_UNKNOWN && trialThreads != t) {
      out.println("threads: " + t + " (--threads; the trial trained on " + trialThreads + ": on other threads a network's sums "
          + "run in another order, and its epochs may differ slightly from the trial's)");
    }
  }

  /**
   * Run at the points named below: nothing, but a test's child JVM holds the run at one of them, to
   * stop it there ({@code HoldingCli}).
   */
  static volatile java.util.function.Consumer<String> at = point -> {};

  /** The point of {@link #at} once the training has ended, before the test, the save and the report. */
  static final String AFTER_TRAINING = "after the training";

  /** How long an interrupted run may take to end its epoch and save before the JVM exits anyway. */
  static final long STOP_WAIT_SECONDS = 120;
  /** {@link #STOP_WAIT_SECONDS}, which a test's JVM lowers to see what a run halted mid-epoch says. */
  static volatile long stopWaitSeconds = STOP_WAIT_SECONDS;

  private Integer trainAndSave(Trainer trainer, Network network, DataOptions.Data d, AtomicBoolean stopAsked) throws IOException {
    // Probing changes nothing the training reads (HistogramRecorder): the run trains the same weights with or without it.
    HistogramRecorder layers = reportDir == null ? null : new HistogramRecorder(network, probeRows(d), PROBE_ROWS, HISTOGRAM_BINS);
    // The data and split it trained on, in the file: evaluate --model then scores its own test rows.
    Model model = new Model(network, d.standardizer(), d.train().classNames(), data.provenance(d.raw()));
    TrainingResult result = trainer.fit(d.train(), d.validation(), new TrainingListener() {
      @Override
      public void onNewBest(EpochMetrics m) {
        // Saved as it trains: a kill -9, a crash or a lost machine leaves the best epoch so far,
        // the weights the run ends with (restoreBest) if it stops now. One atomic write a new best.
        synchronized (saving) {
          try {
            save(model);
          } catch (IOException e) {
            throw new UncheckedIOException("cannot save the model of epoch " + m.epoch() + " to " + outFile, e);
          }
          savedEpoch.set(m.epoch());
        }
      }

      @Override
      public Action onEpochEnd(EpochMetrics m) {
        out.println(m);
        if (layers != null) layers.onEpochEnd(m);
        return stopAsked.get() ? Action.STOP : Action.CONTINUE;
      }
    });
    trained.set(true);
    at.accept(AFTER_TRAINING);
    // Interrupted, the weights are those of the best epoch (restoreBest), as when the run completes:
    // say so, as then, or "interrupted after 80 epochs" passes for the last epoch's weights.
    String outcome = stopAsked.get() && result.status() == TrainingStatus.STOPPED_BY_LISTENER
        ? "interrupted after " + Counts.of(result.epochsRun(), "epoch")
            + (result.restoredEpoch() >= 0 ? "; restored the weights of epoch " + result.restoredEpoch() : "")
        : result.message();
    out.println(outcome);
    Evaluation test = trainer.evaluate(d.test());
    String tested;
    if (test.rows() == 0) {
      tested = String.format(Locale.ROOT, "none (the split leaves no test rows; %.1f s of training)", result.seconds());
    } else {
      tested = String.format(Locale.ROOT, "accuracy %.4f, loss %s on %s (%.1f s of training)",
          test.accuracy(), Figures.loss(test.loss()), Counts.of(test.rows(), "row"), result.seconds());
    }
    out.println("test: " + tested);
    boolean diverged = result.status() == TrainingStatus.DIVERGED;
    if (!diverged) {
      // The weights restored at the end are those the last new best saved: that file is this one already.
      if (result.restoredEpoch() < 0 || result.restoredEpoch() != savedEpoch.get()) {
        synchronized (saving) {
          save(model);
          // Without restored weights, those of the last epoch (a second Ctrl-C from here says so).
          savedEpoch.set(result.restoredEpoch() >= 0 ? result.restoredEpoch() : result.epochsRun() - 1);
        }
      }
      out.println("saved: " + outFile.toAbsolutePath());
      // The model file records its split and a fingerprint of its data, not where the data is:
      // evaluate's default data is the shipped digits, so other data needs its options. A split with
      // no test part has no rows to evaluate it on (the command would be refused).
      if (!data.dataArguments().isEmpty() && test.rows() > 0) {
        out.println("evaluate it on its test rows: " + evaluateCommand());
        // Pasted as printed, --csv /dev/fd/63 (a <(zcat ...)) is "no such file".
        String piped = data.piped();
        if (piped != null) {
          out.println("the data came from a pipe (" + piped + "), read once: give it again to the command above (the model "
              + "checks that it is the same data)");
        }
      }
    }
    if (layers != null) writeReport(d, network, result, outcome, test, tested, layers, savedEpoch.get());
    if (diverged) {
      commandSpec.commandLine().getErr().println(savedEpoch.get() < 0
          ? "caviar train: training diverged; the model was not saved (try a smaller lr)"
          : "caviar train: training diverged; " + outFile + " holds epoch " + savedEpoch.get() + ", the best before it (try a smaller lr)");
      return 1;
    }
    return 0;
  }

  /** The split's part sizes as the data line says them: "train 1 / validation 1 / test 1". */
  private static String parts(DataOptions.Data d) {
    return "train " + Counts.grouped(d.train().rows()) + " / validation " + Counts.grouped(d.validation().rows())
        + " / test " + Counts.grouped(d.test().rows());
  }

  /** The run's report (--report): written also for a diverged run, whose curves show how it went. */
  private void writeReport(DataOptions.Data d, Network network, TrainingResult result, String outcome, Evaluation test,
      String tested, HistogramRecorder layers, int checkpoint) {
    boolean diverged = result.status() == TrainingStatus.DIVERGED;
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("data", d.description());
    facts.put("network", network.spec() + " (" + Counts.of(network.parameterCount(), "parameter") + ")");
    facts.put("training", trainingLine);
    facts.put("outcome", outcome);
    if (result.restoredEpoch() >= 0) facts.put("weights", "those of epoch " + result.restoredEpoch() + ", the lowest validation loss");
    facts.put("test", tested);
    facts.put("model", !diverged ? outFile.toAbsolutePath().toString()
        : checkpoint < 0 ? "not saved (diverged)" : outFile.toAbsolutePath() + ": epoch " + checkpoint + ", the best before it diverged");
    String next = diverged || test.rows() == 0 ? null : "The test rows it gets most wrong: " + evaluateCommand() + " --worst 10";
    Path page = TrainingReport.write(reportDir, new TrainingReport.Run("caviar train: " + network.spec(), facts, network.describe(),
        result.history(), layers.snapshots(), layers.probeRows() + (probeFromValidation(d) ? " validation rows" : " training rows"),
        test, next));
    out.println("report: " + page.toAbsolutePath());
  }

  /** The --param settings by name, as given (numbers read as numbers). */
  private Map<String, Object> givenParams() {
    Map<String, Object> given = new LinkedHashMap<>();
    if (params == null) return given;
    Map<String, String> texts = new java.util.HashMap<>(); // each as written, for the message
    for (String p : params) {
      int eq = p.indexOf('=');
      if (eq <= 0) throw new IllegalArgumentException("--param needs NAME=VALUE, got '" + p + "'");
      String name = p.substring(0, eq).trim();
      String text = p.substring(eq + 1).trim();
      Object value = literal(text);
      Object before = given.put(name, value);
      // The last one was taken without a word (tune refuses a parameter declared twice).
      if (before != null && !sameValue(before, value)) {
        throw new IllegalArgumentException("--param " + name + " is given twice, as " + texts.get(name) + " and " + text + ": give it once");
      }
      texts.putIfAbsent(name, text);
    }
    return given;
  }

  /** The settings of one optimizer only, and that optimizer (MlpSettings reads each for it alone). */
  private static final Map<String, String> OPTIMIZER_OF = Map.of("momentum", "momentum", "rho", "rmsprop", "beta1", "adam",
      "beta2", "adam");

  /**
   * Refuses a --param that the optimizer training uses does not read (--param momentum=0.95 with
   * Adam, the default): it was dropped without a word. A study's trial may hold such settings (a
   * space of its own draws them unconditionally): only those given here are checked.
   */
  private void checkOptimizerSettings(Map<String, Object> given, Map<String, Object> settings) {
    Object chosen = settings.get("optimizer");
    String optimizer = chosen == null ? "adam" : chosen.toString().toLowerCase(Locale.ROOT);
    String whose = given.containsKey("optimizer") ? "" : chosen == null ? " (the default)" : " (the study's trial's)";
    for (Map.Entry<String, Object> e : given.entrySet()) {
      String reader = OPTIMIZER_OF.get(e.getKey());
      if (reader == null || reader.equals(optimizer)) continue;
      throw new IllegalArgumentException("--param " + e.getKey() + "=" + e.getValue() + " is read by the " + reader
          + " optimizer only, and the optimizer is " + optimizer + whose + ": add --param optimizer=" + reader + ", or leave "
          + e.getKey() + " out");
    }
  }

  /** The settings that only hidden layers read. */
  private static final List<String> HIDDEN_ONLY = List.of("units", "activation", "batchnorm", "dropout");

  /**
   * Refuses a --param that only hidden layers read when there are none (--param layers=0 --param
   * units=64): it was dropped without a word. As for the optimizer's, only those given are checked.
   */
  private void checkHiddenSettings(Map<String, Object> given, Map<String, Object> settings) {
    if (!(settings.get("layers") instanceof Number layers) || layers.doubleValue() != 0) return;
    String whose = given.containsKey("layers") ? "" : " (the study's trial's)";
    for (String name : HIDDEN_ONLY) {
      if (!given.containsKey(name)) continue;
      throw new IllegalArgumentException("--param " + name + "=" + given.get(name) + " is read by the hidden layers only, and layers is 0"
          + whose + ": leave " + name + " out, or give layers >= 1");
    }
  }

  /** Whether two --param values are the same setting: numbers by value (1e-2 is 0.01), words as written. */
  private static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
    return a.equals(b);
  }

  /** Saves the model to --out, creating its folder at the first save: a run that saves nothing leaves none behind. */
  private void save(Model model) throws IOException {
    Files.createDirectories(outFile.toAbsolutePath().getParent());
    model.save(outFile);
  }

  /** The evaluate command for the saved model on the data it trained on: its test rows (the model gives the split). */
  private String evaluateCommand() {
    List<Object> args = new java.util.ArrayList<>(List.of("evaluate", "--model", outFile));
    args.addAll(data.dataArguments());
    return CaviarCli.commandLine(args.toArray());
  }

  /** The rows the report's layer statistics probe: validation rows, or training rows if there are too few for batch norm. */
  private static Dataset probeRows(DataOptions.Data d) {
    return (probeFromValidation(d) ? d.validation() : d.train()).head(PROBE_ROWS);
  }

  private static boolean probeFromValidation(DataOptions.Data d) {
    return d.validation().rows() >= 2;
  }

  /**
   * Before the data loads and the training runs: a model that cannot be saved would be lost at the
   * end. Probes the folder as the save uses it: a file of its own created in it (then moved over
   * --out), or in the nearest folder above it that exists (the first save creates the rest).
   */
  private void checkOut() {
    PathChecks.notADirectory("--out", outFile);
    // A Path drops a trailing '/': --out models/ (a folder meant, not yet made) wrote the file 'models'.
    var given = commandSpec.commandLine().getParseResult().matchedOption("--out");
    String raw = given != null ? given.stringValues().get(given.stringValues().size() - 1) : "";
    if (PathChecks.endsWithSeparator(raw)) {
      throw new IllegalArgumentException("--out " + raw + " ends with '" + raw.charAt(raw.length() - 1) + "', which names a folder: give a "
          + "file's path, such as " + raw + "model.caviar");
    }
    // A model is replaced (the same command run again); any other file is not: --out iris.csv
    // would have destroyed the data set at the first epoch's save.
    if (Files.isRegularFile(outFile) && !ModelFile.isModelFile(outFile)) {
      throw new IllegalArgumentException("--out " + outFile + " exists and is not a Caviar model: give another path, or remove it");
    }
    // The model is written to a new file moved over --out: --out /dev/null replaced the device with
    // the model (for root, who may write in /dev: for every process of the machine), a pipe likewise.
    if (Files.exists(outFile) && !Files.isRegularFile(outFile)) {
      throw new IllegalArgumentException("--out " + outFile + " is not a regular file (a device or a pipe): the model would replace it; "
          + "give a file's path");
    }
    PathChecks.writableFolder("--out", outFile, outFile.toAbsolutePath().getParent());
  }

  /** Before the data loads: a report that cannot be written would be found out only after the training. */
  private void checkReport() {
    if (reportDir == null) return;
    // An empty path names the current folder: "--report  holds other files", or a report among the user's files.
    if (reportDir.toString().isEmpty()) throw new IllegalArgumentException("--report is empty: give a folder's path");
    if (Files.exists(reportDir) && !Files.isDirectory(reportDir)) {
      throw new IllegalArgumentException("--report " + reportDir + " is a file, not a directory");
    }
    // The report's files have fixed names: a folder of the user's own (a site, --report .) would lose
    // its index.html or epochs.csv. A previous report, the same command run again, is rewritten.
    if (Files.isDirectory(reportDir) && !isEmpty(reportDir) && !TrainingReport.holdsReport(reportDir)) {
      throw new IllegalArgumentException("--report " + reportDir + " holds other files than a Caviar training report "
          + "(it would overwrite index.html, epochs.csv, layers.csv and the charts): give a new or empty folder");
    }
    // Created when the report is written: a run refused before it leaves no empty folder.
    PathChecks.writableFolder("--report", reportDir, reportDir.toAbsolutePath());
  }

  private static boolean isEmpty(Path folder) {
    try (var entries = Files.list(folder)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      throw new IllegalArgumentException("--report " + folder + ": cannot list it (" + CaviarCli.describe(e) + ")", e);
    }
  }

  /**
   * A study's best trial: its parameters, its seed, the study's epochs if it stored them, and the
   * threads the trial trained on ({@link TrialRecord#THREADS_UNKNOWN} if not recorded).
   */
  record Best(Map<String, Object> params, long seed, Integer epochs, int threads) {}

  /** The best trial of the study in the folder {@code study}. */
  Best bestOf(Path study) {
    String give = "give a study folder that 'caviar tune --study' wrote";
    if (Files.isRegularFile(study)) {
      // The journal itself, say: its folder is the study.
      Path folder = study.toAbsolutePath().getParent();
      throw new IllegalArgumentException("--from-study " + study + " is a file; give the study folder that holds it: "
          + (study.getParent() != null ? study.getParent() : folder));
    }
    if (!Files.isDirectory(study)) throw new IllegalArgumentException("--from-study " + study + ": no such folder; " + give);
    Path journal = study.resolve("journal.jsonl");
    StudyInfo info = JournalStorage.peek(journal);
    if (info == null) {
      throw new IllegalArgumentException("--from-study " + study + " holds no study (" + (Files.exists(journal)
          ? "its journal.jsonl records none yet" : "no journal.jsonl") + "); " + give);
    }
    // Read-only: the study may still be running in another process, which holds the journal's lock.
    try (JournalStorage storage = JournalStorage.readOnly(journal)) {
      return best(storage, info, study.toString(), JournalStorage.peekTrialBudget(journal),
          n -> CaviarCli.commandLine(withTrials(n, "tune", "--study", study)));
    }
  }

  /** The study's name in a database: the last part of --from-study, as tune --storage --study names it. */
  static String studyName(Path given) {
    // The root ("/") has no last part.
    if (given.getFileName() == null || given.getFileName().toString().isEmpty()) {
      throw new IllegalArgumentException("--from-study " + given + " names no study: give the study's name in the database "
          + "(as tune --storage --study NAME gave it)");
    }
    return given.getFileName().toString();
  }

  /** The best trial of the study {@code name} in a PostgreSQL database, read-only: a role that may only SELECT suffices. */
  Best bestInDatabase(String url, String name) {
    try (PostgresStorage storage = PostgresStorage.readOnly(url)) {
      StudyInfo info = storage.peek(name);
      if (info == null) throw new IllegalArgumentException("no study '" + name + "' in " + storage.url());
      return best(storage, info, "'" + name + "' in " + storage.url(), storage.trialBudget(name),
          n -> CaviarCli.commandLine(withTrials(n, "tune", "--storage", storage.url(), "--study", name)));
    }
  }

  /** Trials beyond a study's own that the message of a study with no completed trial suggests, once its budget is spent. */
  static final int MORE_TRIALS = 10;

  /** {@code args}, then --trials {@code n} unless it is null. */
  private static Object[] withTrials(Integer n, Object... args) {
    if (n == null) return args;
    Object[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--trials";
    all[args.length + 1] = n;
    return all;
  }

  /**
   * @param budget the study's stored budget, or null if it stores none (tune then resumes it at {@link TuneCommand#DEFAULT_TRIALS})
   * @param tune the tune command that resumes the study, with --trials N for a number, without it for null
   */
  private Best best(Storage storage, StudyInfo info, String where, Integer budget, java.util.function.Function<Integer, String> tune) {
    StudySettings.forTraining(this).useStored(info, commandSpec.commandLine().getParseResult()::hasMatchedOption, out, "data");
    storage.open(info);
    History history = new History(storage.trials(), info.direction());
    TrialRecord best = history.best();
    if (best == null) {
      // What became of its trials (counted as tune's summary counts them), and what to do: it said
      // "has no completed trial" and no more.
      throw new IllegalArgumentException("the study " + where + " has no completed trial (" + Leaderboard.summary(history)
          + "): " + runMore(info, history, budget, tune) + " a configuration with --param");
    }
    out.printf(Locale.ROOT, "from %s: trial %d, value %.4f%n", where, best.number(), best.value());
    String storedEpochs = info.settings().get("--epochs");
    return new Best(new LinkedHashMap<>(best.params().asMap()), Study.trialSeed(info.seed(), history.trials(), best),
        storedEpochs == null || storedEpochs.isEmpty() ? null : Integer.valueOf(storedEpochs), best.threads());
  }

  /**
   * What runs more trials of a study with none completed, up to "or give" (a configuration): tune's plain resume while its budget has
   * trials to go (after a Ctrl-C, a --timeout), as the study was run: its stored options, its budget;
   * once the budget is spent, a --trials {@link #MORE_TRIALS} beyond it (beyond the finished trials,
   * if more: interrupted ones are not counted against the budget, and are re-run). It suggested
   * "--trials 11" (all its trials plus 10) for a study of 4 stopped after 1 interrupted trial. No
   * --mode: the study stores its mode, which the plain resume takes (one stored without a mode ran
   * in caviar mode unless told, and the study does not say). A grid whose every
   * point has run runs no more on any budget (as tune's summary says).
   */
  static String runMore(StudyInfo info, History history, Integer budget, java.util.function.Function<Integer, String> tune) {
    String resolution = info.settings().get("--grid-resolution");
    if ("grid".equals(info.settings().get("--sampler")) && resolution != null && !resolution.isEmpty()) {
      long points = new GridSampler(Integer.parseInt(resolution)).pointCount(info.space());
      if (TuneCommand.gridSpent(history.trials(), points)) {
        return "the grid sampler's " + Counts.of(points, "point") + (points == 1 ? " has" : " have") + " all run: a finer grid "
            + "is a new --study with a larger --grid-resolution; or give";
      }
    }
    int finished = TuneCommand.finishedTrials(history.trials());
    int trials = budget != null ? budget : TuneCommand.DEFAULT_TRIALS;
    if (finished < trials) {
      return "run the rest of its budget (" + Counts.of(trials - finished, "trial") + " to go) with " + tune.apply(null)
          + " until one completes, or give";
    }
    return "run more with " + tune.apply((int) Math.min((long) Math.max(trials, finished) + MORE_TRIALS, Integer.MAX_VALUE))
        + " until one completes, or give";
  }

  static Object literal(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException notInt) {
      try {
        return Double.parseDouble(s);
      } catch (NumberFormatException notNumber) {
        return s;
      }
    }
  }
}
