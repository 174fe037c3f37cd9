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
 * ({@link Trial#kernelThreads()}), seeded from {@link Trial#seed()}. A trial whose training would
 * need more memory than the heap holds ({@link MlpSettings#requireMemory}) fails at once with the
 * estimate, before it allocates anything.
 */
public final class MlpObjective implements Objective {
  private final Dataset train;
  private final Dataset validation;
  private final int epochs;
  /** The most the heap may hold: a trial whose training would need more fails at once. */
  private final java.util.function.LongSupplier heapBytes;

  /** @param epochs the epochs of a trial whose space has no {@code epochs} parameter */
  public MlpObjective(Dataset train, Dataset validation, int epochs) {
    this(train, validation, epochs, MlpSettings::heapBytes);
  }

  /** The same with the heap's size given (a test's small one: no gigabytes allocated to find a trial too large). */
  MlpObjective(Dataset train, Dataset validation, int epochs, java.util.function.LongSupplier heapBytes) {
    if (train == null || validation == null) throw new IllegalArgumentException("train and validation must not be null");
    if (validation.rows() == 0) throw new IllegalArgumentException("the validation set is empty");
    if (epochs < 1) throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    this.train = train;
    this.validation = validation;
    this.epochs = epochs;
    this.heapBytes = heapBytes;
  }

  public int classes() {
    return Math.max(train.classCount(), validation.classCount());
  }

  /** The settings a trial's parameters give on this objective's data. */
  public MlpSettings settings(Trial trial) {
    return MlpSettings.from(trial.params().asMap(), train.featureCount(), classes(), epochs, trial.seed());
  }

  @Override
  public double evaluate(Trial trial) {
    MlpSettings s = settings(trial);
    // Before anything is allocated: a network larger than the heap allocated for half a minute (the
    // study stalled) before an OutOfMemoryError failed the trial. Checked against the whole heap; the
    // data and the trials beside this one hold part of it.
    s.requireMemory(trial.kernelThreads(), train.rows(), heapBytes.getAsLong(), MlpSettings.machineBytes(), s.sizes(),
        n -> "JDK_JAVA_OPTIONS=-Xmx" + n + "g ./caviar tune ... (the JVM's option -Xmx" + n + "g)");
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
