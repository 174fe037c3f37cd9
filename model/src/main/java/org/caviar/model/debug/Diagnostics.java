package org.caviar.model.debug;

import java.util.SplittableRandom;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.layer.Mode;
import org.caviar.model.train.EpochMetrics;
import org.caviar.model.train.Figures;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;
import org.caviar.model.train.TrainingListener;

/** Sanity checks from practice, to run before spending compute on a long training. */
public final class Diagnostics {
  private Diagnostics() {}

  /** {@link #overfitTinyBatch(NetworkSpec, Dataset, int, int, long, Kernels)} with 32 examples, 300 steps, seed 0. */
  public static OverfitReport overfitTinyBatch(NetworkSpec spec, Dataset data) {
    return overfitTinyBatch(spec, data, 32, 300, 0L, Kernels.vector());
  }

  /**
   * Trains a fresh network of {@code spec} (dropout removed) on {@code examples} random examples
   * of {@code data}, full batch, Adam at 1e-2, until it classifies all of them right or
   * {@code maxSteps} steps pass. A sound network and pipeline memorize a few dozen examples
   * quickly; one that cannot has a bug (wrong gradients, labels misaligned with features, a
   * learning rate far off, an architecture that cannot fit). Pass data as training will see it
   * (standardized).
   */
  public static OverfitReport overfitTinyBatch(
      NetworkSpec spec, Dataset data, int examples, int maxSteps, long seed, Kernels kernels) {
    if (spec == null) throw new IllegalArgumentException("spec must not be null");
    if (data == null) throw new IllegalArgumentException("data must not be null");
    if (examples < 2) throw new IllegalArgumentException("examples must be >= 2, got " + examples);
    if (maxSteps < 1) throw new IllegalArgumentException("maxSteps must be >= 1, got " + maxSteps);
    // Before the trainer, which names the data "train", an argument the caller never gave.
    NetworkSpec trained = spec.withDropout(0f);
    Network network = Network.create(trained, seed, kernels);
    network.checkFits(data, "data");
    if (data.rows() < examples) throw new IllegalArgumentException("data has " + data.rows() + " rows, fewer than " + examples);
    int[] pick = new int[data.rows()];
    for (int i = 0; i < pick.length; i++) pick[i] = i;
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < examples; i++) {
      int j = i + random.nextInt(pick.length - i);
      int t = pick[i];
      pick[i] = pick[j];
      pick[j] = t;
    }
    Dataset tiny = data.subset(java.util.Arrays.copyOf(pick, examples));
    TrainingConfig config = TrainingConfig.builder()
        .epochs(maxSteps).batchSize(examples).learningRate(1e-2f).restoreBest(false).seed(seed).build();
    Trainer trainer = new Trainer(network, config);
    // One batch per epoch, so the epoch's accuracy is the full set's, before that step's update:
    // all right in epoch e (the last one run, since the listener stops there) means memorized
    // after e steps, and judged there (the update of epoch e itself comes after the look).
    var result = trainer.fit(tiny, null, m -> m.trainAccuracy() >= 1.0 ? TrainingListener.Action.STOP : TrainingListener.Action.CONTINUE);
    EpochMetrics last = result.last();
    boolean passed;
    double accuracy;
    double loss;
    int steps;
    if (last != null && last.trainAccuracy() >= 1.0) {
      passed = true;
      accuracy = 1.0;
      loss = last.trainLoss();
      steps = last.epoch();
    } else {
      network.forward(tiny.features(), examples, Mode.PROBE);
      int correct = network.countCorrect(tiny.labels(), examples);
      accuracy = correct < 0 ? 0 : (double) correct / examples;
      loss = correct < 0 ? Double.NaN : network.loss(tiny.labels(), examples);
      passed = correct == examples;
      steps = result.epochsRun();
    }
    // The network trained: the spec with its dropout would read as if dropout had been on.
    String name = trained.equals(spec) ? spec.toString() : trained + " (dropout=" + org.caviar.model.optim.Floats.text(spec.dropout()) + " off)";
    String message = passed
        ? String.format(java.util.Locale.ROOT, "PASSED: %s memorized %d examples in %d step%s (loss %s)", name, examples, steps,
            steps == 1 ? "" : "s", Figures.loss(loss))
        : String.format(java.util.Locale.ROOT,
            "FAILED: %s reached only %.1f%% on %d examples after %d step%s (loss %s, %s): suspect the gradients"
                + " (run GradientCheck), the labels, the learning rate or too small a network",
            name, 100 * accuracy, examples, steps, steps == 1 ? "" : "s", Figures.loss(loss), result.status());
    return new OverfitReport(passed, accuracy, loss, steps, examples, message);
  }
}
