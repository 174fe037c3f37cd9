package org.caviar.bench;

import java.util.Arrays;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.Datasets;
import org.caviar.model.data.MiniBatches;
import org.caviar.model.data.Split;
import org.caviar.model.data.Standardizer;
import org.caviar.model.optim.OptimizerSpec;
import org.caviar.model.train.Trainer;
import org.caviar.model.train.TrainingConfig;

/**
 * The training problems {@link TrainBench} measures, by the name its {@code config} parameter
 * gives them: a network, a batch size and the data of one epoch. The data sets are built once per
 * JVM and shared, and everything here follows from the name alone, because {@link Work} must know
 * an operation's size from the benchmark's parameters.
 */
enum TrainCase {
  /** The digits MLP on the training part of the model README's split, standardized. */
  DIGITS_B64("digits-b64", "64-128-128-10 relu batchnorm", 64, "digits"),
  /** 784-256-256-10 on MNIST-shaped random data: the GEMM-heavy case. */
  MNIST_B32("mnist-b32", "784-256-256-10 relu batchnorm", 32, "mnist-shaped"),
  MNIST_B128("mnist-b128", "784-256-256-10 relu batchnorm", 128, "mnist-shaped");

  /** The split of the model README (60% train, 20% validation, 20% test, seed 42). */
  static final double TRAIN_FRACTION = 0.6;
  static final double VALIDATION_FRACTION = 0.2;
  static final long SPLIT_SEED = 42;

  /** MNIST-shaped data: 4096 examples of 28 x 28 features in 10 classes. */
  static final int MNIST_ROWS = 4096;
  static final int MNIST_FEATURES = 784;
  static final int MNIST_CLASSES = 10;

  /** Adam at the model's default rate, as the targets train. */
  static final float LEARNING_RATE = 1e-3f;

  /** Seed of the batch order. */
  static final long SHUFFLE_SEED = 1;

  /** Batch norm cannot train on one row, so the trainer drops a remainder batch of one (see MiniBatches). */
  private static final int MIN_BATCH_WITH_BATCH_NORM = 2;

  final String label;
  final NetworkSpec spec;
  final int batchSize;
  private final String dataName;

  TrainCase(String label, String spec, int batchSize, String dataName) {
    this.label = label;
    this.spec = NetworkSpec.parse(spec);
    this.batchSize = batchSize;
    this.dataName = dataName;
  }

  /** The case a {@code config} parameter names. */
  static TrainCase of(String label) {
    for (TrainCase c : values()) if (c.label.equals(label)) return c;
    throw new IllegalArgumentException("unknown training case: " + label + "; known: "
        + Arrays.stream(values()).map(c -> c.label).toList());
  }

  /** The network, batch and data, without commas (it goes into a CSV cell). */
  String shape() {
    return spec + " b" + batchSize + " " + dataName;
  }

  /** Whether the trainer splits this case's steps over threads on parallel kernels (see Trainer.MIN_SHARDED_FLOPS). */
  boolean stepIsSharded() {
    return flopsPerExample() * batchSize >= Trainer.MIN_SHARDED_FLOPS;
  }

  TrainingConfig trainingConfig() {
    return TrainingConfig.builder()
        .batchSize(batchSize).optimizer(new OptimizerSpec.Adam()).learningRate(LEARNING_RATE)
        .seed(SHUFFLE_SEED).build();
  }

  /** The data one epoch goes through (shared: do not modify). */
  Dataset data() {
    return switch (this) {
      case DIGITS_B64 -> Digits.TRAIN;
      case MNIST_B32, MNIST_B128 -> MnistShaped.DATA;
    };
  }

  /** A freshly initialized network of this case on {@code kernels}, ready to train epochs. */
  Fresh fresh(long networkSeed, Kernels kernels) {
    return fresh(networkSeed, SHUFFLE_SEED, kernels);
  }

  /** {@link #fresh(long, Kernels)} with its own batch order, from {@code shuffleSeed}. */
  Fresh fresh(long networkSeed, long shuffleSeed, Kernels kernels) {
    TrainingConfig config = trainingConfig().toBuilder().seed(shuffleSeed).build();
    return Fresh.of(new Trainer(Network.create(spec, networkSeed, kernels), config), data());
  }

  /**
   * {@link #fresh} on {@code Kernels.parallel(shards)} with the split steps' shards run one after
   * another on the calling thread ({@code Trainer.shardedInTurn}): the split's work without a second thread.
   */
  Fresh freshInTurn(long networkSeed, int shards) {
    return Fresh.of(Trainer.shardedInTurn(Network.create(spec, networkSeed, Kernels.parallel(shards)), trainingConfig()), data());
  }

  /** A trainer, its shuffled batches and its first learning rate. */
  record Fresh(Trainer trainer, MiniBatches batches, float learningRate) {
    /** {@code trainer} with its batches of {@code data} and its first learning rate. */
    static Fresh of(Trainer trainer, Dataset data) {
      return new Fresh(trainer, trainer.batches(data), trainer.config().schedule().rate(0));
    }
  }

  /** Rows of each batch of an epoch, cut by the model's own {@link MiniBatches}. */
  int[] batchRows() {
    MiniBatches batches = new MiniBatches(data(), batchSize, MIN_BATCH_WITH_BATCH_NORM, SHUFFLE_SEED);
    int[] rows = new int[batches.batchCount()];
    for (int b = 0; b < rows.length; b++) rows[b] = batches.load(b);
    return rows;
  }

  /** Examples one epoch trains on. */
  int examplesPerEpoch() {
    return Arrays.stream(batchRows()).sum();
  }

  /** The measure of a training example's work: 3 x its forward multiply-adds x 2 flops. */
  double flopsPerExample() {
    return 3.0 * 2.0 * spec.forwardMultiplyAdds();
  }

  /** The shipped digits data cut by the model README's split, unstandardized. */
  static Split digitsSplit() {
    return Digits.SPLIT;
  }

  /** Built on first use: a run that selects other cases does not pay for these. */
  private static final class Digits {
    static final Split SPLIT = Split.stratified(Datasets.digits(), TRAIN_FRACTION, VALIDATION_FRACTION, SPLIT_SEED);
    static final Dataset TRAIN = Standardizer.fit(SPLIT.train()).apply(SPLIT.train());
  }

  /** Standardized-like features in [-1, 1) and uniform labels: GEMM speed does not depend on the values. */
  private static final class MnistShaped {
    static final Dataset DATA = Dataset.of(
        RandomArrays.uniform(11, MNIST_ROWS * MNIST_FEATURES, 1f),
        RandomArrays.labels(12, MNIST_ROWS, MNIST_CLASSES), MNIST_FEATURES, MNIST_CLASSES);
  }
}
