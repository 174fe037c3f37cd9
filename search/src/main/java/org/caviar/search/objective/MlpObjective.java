package org.caviar.search.objective;

import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.data.Dataset;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingListener;
import org.caviar.model.train.TrainingResult;
import org.caviar.model.train.TrainingStatus;
import org.caviar.search.study.Objective;
import org.caviar.search.study.Trial;
import org.caviar.search.study.TrialDivergedException;
import org.caviar.search.study.TrialPrunedException;

/**
 * The built-in objective: trains the model module's MLP with the trial's parameters
 * ({@link MlpSettings}) on a training set and maximizes the best validation accuracy over its
 * epochs. After each epoch it reports the validation accuracy (step = epoch, from 1) and, but after
 * the last, stops through the trainer's listener when the pruner says so; a diverged run fails the
 * trial with the trainer's message.
 *
 * <p>The datasets are shared by all trials and only read. Each trial builds its own network and
 * trainer, single-threaded in CAVIAR mode and with a GEMM over all cores in PANDA mode
 * ({@link Trial#kernelThreads()}), seeded from {@link Trial#seed()}.
 *
 * <p>Memory: the trials of one objective share a {@link HeapBudget}, the heap less the data (and
 * less what the caller says it holds beside them). A trial whose training would need more than
 * that ({@link MlpSettings#requireMemory}) fails at once with the estimate, before it allocates
 * anything; one that fits, but not beside the trials running, waits until they release enough (an
 * interrupt ends the wait, and the study stops), and a listener given is told of the wait as it
 * starts and ends (tune's display says why a study seems stuck).
 */
public final class MlpObjective implements Objective {
  private final Dataset train;
  private final Dataset validation;
  private final int epochs;
  /** The most the heap may hold. */
  private final long heapBytes;
  /** What the datasets hold, which every trial reads, and what the caller holds beside them. */
  private final long dataBytes;
  /** The heap less the data, shared by the trials that run at once. */
  private final HeapBudget budget;

  /** @param epochs the epochs of a trial whose space has no {@code epochs} parameter */
  public MlpObjective(Dataset train, Dataset validation, int epochs) {
    this(train, validation, epochs, 0, HeapBudget.Listener.NONE);
  }

  /**
   * The same, beside what else the caller holds for the run, and telling {@code waits} when a trial
   * waits for memory.
   *
   * @param heldBytes what the caller keeps on the heap for as long as the trials run, beside the
   *     training and validation sets (tune: the test split, the rows as read): the budget leaves it
   *     out too, and a refusal counts it as taken by the data
   * @param waits told when a trial starts and ends a wait for memory ({@link HeapBudget.Listener#NONE}: no one)
   */
  public MlpObjective(Dataset train, Dataset validation, int epochs, long heldBytes, HeapBudget.Listener waits) {
    this(train, validation, epochs, heldBytes, waits, MlpSettings::heapBytes);
  }

  /** The first with the heap's size given (a test's small one: no gigabytes allocated to find a trial too large). */
  MlpObjective(Dataset train, Dataset validation, int epochs, java.util.function.LongSupplier heapBytes) {
    this(train, validation, epochs, 0, HeapBudget.Listener.NONE, heapBytes);
  }

  /** The second with the heap's size given. */
  MlpObjective(Dataset train, Dataset validation, int epochs, long heldBytes, HeapBudget.Listener waits,
      java.util.function.LongSupplier heapBytes) {
    if (train == null || validation == null) throw new IllegalArgumentException("train and validation must not be null");
    if (validation.rows() == 0) throw new IllegalArgumentException("the validation set is empty");
    if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    if (heldBytes < 0) throw new IllegalArgumentException("heldBytes must be >= 0, got " + heldBytes);
    if (waits == null) throw new IllegalArgumentException("waits must not be null (HeapBudget.Listener.NONE tells no one)");
    this.train = train;
    this.validation = validation;
    this.epochs = epochs;
    this.heapBytes = heapBytes.getAsLong();
    // What is already held, as the datasets' arrays count it rather than as the heap's use is
    // measured now: that counts the loading's garbage too (a CSV's parsed text can be larger than
    // the data), which differs from run to run and which the next collection frees, and a
    // collection forced to measure it is slow on a large heap and may be disabled. So the budget is
    // the same on every run, and a trial is refused or waits for the same reasons each time. Not
    // counted: the JVM's own, small beside the networks (the -Xmx a refusal suggests is a quarter
    // above what it counts). What the caller keeps beside is its to say (heldBytes).
    this.dataBytes = dataBytes(train) + dataBytes(validation) + heldBytes;
    this.budget = new HeapBudget(Math.max(0, this.heapBytes - dataBytes), waits);
  }

  /** The bytes of {@code d}'s features and labels. */
  public static long dataBytes(Dataset d) {
    return (long) Float.BYTES * d.rows() * d.featureCount() + (long) Integer.BYTES * d.rows();
  }

  /** The memory this objective's trials share. */
  HeapBudget budget() {
    return budget;
  }

  public int classes() {
    return Math.max(train.classCount(), validation.classCount());
  }

  /** The settings a trial's parameters give on this objective's data. */
  public MlpSettings settings(Trial trial) {
    return MlpSettings.from(trial.params().asMap(), train.featureCount(), classes(), epochs, trial.seed());
  }

  @Override
  public double evaluate(Trial trial) throws InterruptedException {
    MlpSettings s = settings(trial);
    // Before anything is allocated: a network larger than the heap allocated for half a minute (the
    // study stalled) before an OutOfMemoryError failed the trial. Beside the data, which stay.
    Trainer.MemoryEstimate estimate = s.requireMemory(trial.kernelThreads(), train.rows(), heapBytes, dataBytes, MlpSettings.machineBytes(),
        s.sizes(), n -> "JDK_JAVA_OPTIONS=-Xmx" + n + "g ./caviar tune ... (the JVM's option -Xmx" + n + "g)");
    // Beside the trials running: each passed the check above alone, and together they overran the
    // heap. Released however the trial ends (complete, pruned, diverged, failed, interrupted).
    HeapBudget.Reservation held = budget.reserve(trial.number(), estimate.bytes());
    try {
      return train(trial, s);
    } finally {
      held.close();
    }
  }

  /** Trains {@code trial}'s network, its memory reserved. */
  private double train(Trial trial, MlpSettings s) {
    // Gemm.parallel keeps one pool per thread count, so asking per trial starts no new threads.
    Kernels k = trial.kernelThreads() > 1 ? Kernels.parallel(trial.kernelThreads()) : Kernels.vector();
    Network network = Network.create(s.network(), trial.seed(), k);
    Trainer trainer = new Trainer(network, s.training());
    double[] best = {Double.NEGATIVE_INFINITY};
    boolean[] pruned = {false};
    TrainingListener listener = (EpochMetrics m) -> {
      best[0] = Math.max(best[0], m.validationAccuracy());
      trial.report(m.epoch() + 1, m.validationAccuracy());
      // After the last epoch the work is done: a trial stopped there would be PRUNED, not COMPLETE.
      if (m.epoch() + 1 < s.training().epochs() && trial.shouldPrune()) {
        pruned[0] = true;
        return TrainingListener.Action.STOP;
      }
      return TrainingListener.Action.CONTINUE;
    };
    TrainingResult result = trainer.fit(train, validation, listener);
    // How many epochs it ran ("pruned at epoch 1" was after the first, which train and a diverged
    // trial's reason call epoch 0).
    if (pruned[0]) throw new TrialPrunedException("pruned after " + result.epochsRun() + (result.epochsRun() == 1 ? " epoch" : " epochs"));
    if (result.status() == TrainingStatus.DIVERGED) throw new TrialDivergedException(result.message());
    return best[0];
  }
}
