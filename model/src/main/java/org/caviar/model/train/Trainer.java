package org.caviar.model.train;

import java.util.ArrayList;
import java.util.List;
import org.caviar.kernels.Workers;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.MiniBatches;
import org.caviar.model.layer.BatchNormLayer;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.optim.Floats;
import org.caviar.model.optim.Optimizer;
import org.caviar.model.optim.OptimizerSpec;

/**
 * Trains a network by mini-batch gradient descent: {@link #fit} runs epochs with validation,
 * early stopping, a listener and divergence detection; {@link #trainEpoch} and {@link #step} are
 * the bare loop, for benchmarks.
 *
 * <p>The loop allocates nothing per batch: the network's workspaces, the batch buffers and the
 * optimizer state are sized once. With single-threaded kernels the result is a function of the
 * network's seed and the configuration's seed.
 *
 * <p>A NaN or infinite loss (or logit) stops training with {@link TrainingStatus#DIVERGED} before
 * the bad gradient reaches the weights.
 *
 * <p>When the network's kernels allow several threads ({@code Kernels.parallel(n)}) and a step is
 * big enough ({@link #MIN_SHARDED_FLOPS}), each step is split over them by features
 * ({@link ShardedStep}): the threads hold the live parameters during
 * an epoch, and the network's own arrays are brought up to date at the end of each epoch of
 * {@link #trainEpoch} and {@link #fit} (or by {@link #syncNetwork()} after bare {@link #step}s).
 * The result is deterministic for a thread count and differs from one thread's by rounding.
 */
public final class Trainer {

  private final Network network;
  private final TrainingConfig config;
  private final Optimizer optimizer;
  private final int minBatch;
  /** The step split over threads by features, or null to step on the calling thread. */
  private final ShardedStep sharded;
  /**
   * Batch norm's running statistics before a step's forward pass, put back when its loss is not
   * finite: a step that diverges changes nothing, so a network trained without a validation set
   * (nothing to restore the best epoch from) keeps the statistics of its last finite step.
   */
  private final Snapshot statisticsBefore;
  /** Whether the sharded step's parameters are newer than the network's. */
  private boolean networkBehind;
  private Evaluator evaluator;
  private int lastCorrect;
  /** The classes of the last {@link #fit}'s training data: evaluated data is matched to them by name. */
  private List<String> trainedClasses;

  /**
   * Steps of fewer flops (3 x forward multiply-adds x 2 x batch size) stay on one thread even on
   * parallel kernels: the hand-offs and the shards' duplicated work (each loads and packs the
   * whole batch, each runs the output layer) cost more than half the step saves. Measured (JMH,
   * two Zen 5 vCPUs): the digits MLP 64-128-128-10 at batch 64, 9.9 MFLOP a step, ran 0.90x of
   * one thread sharded; 784-256-256-10 at batch 32, 51.6 MFLOP, 1.58x.
   */
  public static final double MIN_SHARDED_FLOPS = 32e6;

  public Trainer(Network network, TrainingConfig config) {
    this(network, config, false);
  }

  /** With {@code alwaysShard}, parallel kernels shard every step whatever its size (for tests). */
  Trainer(Network network, TrainingConfig config, boolean alwaysShard) {
    this(network, config, alwaysShard, null);
  }

  /**
   * A trainer whose steps are split as on {@code network}'s parallel kernels, with the shards run
   * one after another on the calling thread: what the split costs in work alone, without a second
   * thread. Benchmarks set it beside one thread and beside the shards on threads of their own (it
   * gives the latter's bits, see {@link ShardedStep}); 784-256-256-10 ran at 0.87-0.92 of one
   * thread's speed this way (bench/RESULTS.md).
   *
   * @throws IllegalArgumentException unless the network's kernels have several threads and the
   *     network can be split that many ways (dense blocks built from a spec, each as wide)
   */
  public static Trainer shardedInTurn(Network network, TrainingConfig config) {
    if (network == null || config == null) throw new IllegalArgumentException("network and config must not be null");
    int threads = network.kernels().threads();
    if (threads < 2) {
      throw new IllegalArgumentException("shardedInTurn needs kernels of several threads (Kernels.parallel(n), n >= 2), got threads = " + threads);
    }
    if (!ShardedStep.supports(network, threads)) {
      throw new IllegalArgumentException("network " + network + " cannot be split " + threads + " ways (its kernels' threads)");
    }
    return new Trainer(network, config, true, Workers.of(1));
  }

  /** {@code team} runs the shards of a split step; null for the team of the kernels' thread count. */
  private Trainer(Network network, TrainingConfig config, boolean alwaysShard, Workers team) {
    if (network == null || config == null) throw new IllegalArgumentException("network and config must not be null");
    // Here, not at the first step's backward, after the optimizer allocated its moments.
    if (network.inferenceOnly()) {
      throw new IllegalArgumentException("network is inference-only (Network.createForInference): its parameters have no "
          + "gradients to train; build it with Network.create");
    }
    this.network = network;
    this.config = config;
    this.optimizer = new Optimizer(config.optimizer(), network.parameters(), config.weightDecay(), network.kernels().optimizers());
    boolean hasBatchNorm = false;
    for (Layer l : network.layers()) hasBatchNorm |= l instanceof BatchNormLayer;
    if (hasBatchNorm && config.batchSize() < 2) {
      throw new IllegalArgumentException("batchSize must be >= 2 with batch norm, got " + config.batchSize());
    }
    // Batch norm cannot train on a single row: a remainder batch of one is left out of its epoch.
    this.minBatch = hasBatchNorm ? 2 : 1;
    // The network's workspaces are sized for the batches in batches(train): no larger than the data.
    int threads = network.kernels().threads();
    boolean bigEnough = alwaysShard || network.spec() != null && bigEnoughToSplit(network.spec(), config.batchSize());
    this.sharded = bigEnough && ShardedStep.supports(network, threads)
        ? new ShardedStep(network, threads, team != null ? team : Workers.of(threads), config.optimizer(), config.weightDecay(), config.seed())
        : null;
    this.statisticsBefore = Snapshot.ofState(network);
  }

  /** Whether a step of {@code spec} at {@code batchSize} has the flops to split over threads ({@link #MIN_SHARDED_FLOPS}). */
  private static boolean bigEnoughToSplit(NetworkSpec spec, int batchSize) {
    return 6.0 * spec.forwardMultiplyAdds() * batchSize >= MIN_SHARDED_FLOPS;
  }

  /**
   * The memory a trainer of a network of {@code spec} holds while it trains with {@code config}
   * ({@link #fit}, with validation), estimated from the spec before anything is allocated: a
   * network too large for the heap is then refused at once, where its allocation ran for half a
   * minute (the OS paging in gigabytes) and ended in an OutOfMemoryError. It counts the arrays this
   * class and the network allocate, not the data, nor the JVM's own overhead:
   * <ul>
   *   <li>per value of the network (its {@link NetworkSpec#parameterCount parameters} and batch norm
   *       {@link NetworkSpec#stateCount statistics}; the statistics have no gradient or moment, and
   *       are counted as if they had, a few floats per unit): its weight and gradient; the
   *       optimizer's moments (none for SGD, one for momentum and RMSprop, two for Adam); with
   *       {@code restoreBest}, the best epoch's copy; on several threads, when the step is split
   *       over them ({@link #MIN_SHARDED_FLOPS}), the shards' own weight, gradient and moments, and
   *       the evaluation's replica of the network on each thread (its weights only: a replica is
   *       {@linkplain Network#createForInference inference-only}, without gradients);
   *   <li>per row of a batch (at most the training rows), {@link NetworkSpec#workspaceFloatsPerRow}
   *       and the batch's inputs; evaluation's chunks of {@link Evaluator#CHUNK_ROWS} rows the
   *       same, taken whole (on one thread the network's own workspaces, sized for the larger of
   *       the two; on several, a chunk per replica, and a split step's shards a batch each).
   * </ul>
   * The bytes {@code Network.create}, the trainer and a one-epoch {@code fit} allocate on one
   * thread are 2% above it (MemoryEstimateTest: the arrays' headers and fit's small objects).
   *
   * @param threads the kernels' threads ({@code Kernels.parallel(threads)}, 1 for {@code Kernels.vector()})
   * @param trainRows the rows of the training data (a batch has no more)
   */
  public static MemoryEstimate memoryEstimate(NetworkSpec spec, TrainingConfig config, int threads, int trainRows) {
    if (spec == null || config == null) throw new IllegalArgumentException("spec and config must not be null");
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    if (trainRows < 0) throw new IllegalArgumentException("trainRows must be >= 0, got " + trainRows);
    OptimizerSpec optimizer = config.optimizer();
    int moments = optimizer.moments(); // the arrays Optimizer allocates by the same count
    String name = optimizer.name(); // "adam", not its toString with the betas
    boolean split = threads > 1 && bigEnoughToSplit(spec, config.batchSize()) && ShardedStep.supports(spec, threads);
    List<String> held = new ArrayList<>(List.of("weights", "gradients"));
    if (moments > 0) held.add(name + "'s " + (moments == 1 ? "moment" : moments + " moments"));
    int copies = 2 + moments;
    if (config.restoreBest()) {
      held.add("the best epoch's copy");
      copies++;
    }
    if (split) {
      held.add("the step split over " + threads + " threads (" + (2 + moments) + " more)");
      copies += 2 + moments;
    }
    if (threads > 1) {
      held.add(threads + " evaluation replicas' weights");
      copies += threads;
    }
    int batchRows = (int) Math.max(1, Math.min(config.batchSize(), (long) trainRows));
    long widest = Math.max(spec.inputs(), spec.classes());
    for (int h : spec.hidden()) widest = Math.max(widest, h);
    long chunkRows = Math.max(1, Math.min(Evaluator.CHUNK_ROWS, NetworkSpec.MAX_ARRAY_LENGTH / widest));
    long rows = threads == 1 ? Math.max(batchRows, chunkRows) : (long) batchRows * (split ? 1 + threads : 1) + threads * chunkRows;
    long workspace = rows * (spec.workspaceFloatsPerRow() + spec.inputs());
    return new MemoryEstimate(spec.parameterCount() + spec.stateCount(), copies, String.join(", ", held), batchRows, workspace);
  }

  /**
   * An estimate of {@link #memoryEstimate}.
   *
   * @param values the network's parameters and batch norm statistics
   * @param copies floats held per value
   * @param held what they are, as a person reads it: "weights, gradients, adam's 2 moments, the best epoch's copy"
   * @param batchRows the rows of a training batch
   * @param workspaceFloats the floats of the layers' workspaces for batches and evaluation chunks
   */
  public record MemoryEstimate(long values, int copies, String held, int batchRows, long workspaceFloats) {
    /** The whole estimate in bytes. */
    public long bytes() {
      return Float.BYTES * (values * copies + workspaceFloats);
    }
  }

  public Network network() {
    return network;
  }

  public TrainingConfig config() {
    return config;
  }

  /** The optimizer of steps on the calling thread (a step split over threads has one per thread). */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The mini-batches this trainer draws from {@code train} (shuffled with the configured seed). */
  public MiniBatches batches(Dataset train) {
    network.checkFits(train, "train");
    // Named here, not as MiniBatches' "dataset".
    if (train.rows() < minBatch) {
      throw new IllegalArgumentException(train.rows() == 0 ? "train has no rows"
          : "train has " + train.rows() + " row, batch norm trains on batches of at least " + minBatch);
    }
    // Sized here, not for config.batchSize(): a batch size above the row count (a search drawing
    // 4096 on a small file) would otherwise allocate for rows that never come.
    network.ensureCapacity(Math.min(config.batchSize(), Math.max(train.rows(), 1)));
    return new MiniBatches(train, config.batchSize(), minBatch, config.seed());
  }

  /**
   * One training step on {@code rows} examples: forward, loss and its gradient, backward, update.
   * Returns the batch's mean loss, or NaN (without updating the parameters, the optimizer or batch
   * norm's running statistics; dropout's stream has moved on) if the network diverged. Labels and
   * the learning rate are checked before the forward pass, so that a refused step changes nothing.
   */
  public float step(float[] x, int[] labels, int rows, float learningRate) {
    // Here, not in the shards: there a short array is an index out of bounds on a worker thread.
    Network.requireLabels(labels, rows, network.classes());
    requireLearningRate(learningRate);
    if (sharded != null) {
      pullNetwork();
      networkBehind = true;
      float loss = sharded.step(x, labels, rows, learningRate);
      lastCorrect = sharded.lastCorrect();
      return loss;
    }
    statisticsBefore.save();
    network.forward(x, rows, Mode.TRAIN);
    lastCorrect = network.countCorrect(labels, rows);
    float loss = lastCorrect < 0 ? Float.NaN : network.loss(labels, rows);
    if (!Float.isFinite(loss)) {
      statisticsBefore.restore();
      return Float.NaN;
    }
    network.backward();
    optimizer.step(learningRate);
    return loss;
  }

  /**
   * Brings the network's parameters and batch norm statistics up to date after bare {@link #step}s
   * split over threads; a no-op otherwise.
   */
  public void syncNetwork() {
    if (sharded != null && networkBehind) {
      sharded.push();
      networkBehind = false;
    }
  }

  /**
   * After a sync the network's arrays are the live ones, and may have been changed since (a
   * restored snapshot, fit's restoreBest): the shards take them before they step again. A no-op
   * while the shards are ahead, or unsharded.
   */
  private void pullNetwork() {
    if (sharded != null && !networkBehind) sharded.pull();
  }

  /** Examples the last {@link #step} classified right (before its update). */
  public int lastCorrect() {
    return lastCorrect;
  }

  private static void requireLearningRate(float learningRate) {
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new IllegalArgumentException("learningRate must be > 0 and finite, got " + learningRate);
    }
  }

  /**
   * One epoch over freshly shuffled batches. Returns the mean training loss and accuracy, or a
   * result marked diverged at the batch where the loss stopped being finite. The rate and the
   * batches are checked before the shuffle, so that a refused epoch changes nothing: batches of
   * data this network cannot take (another feature count, more classes, or with batch norm a
   * batch of one row, which {@link #batches} leaves out) are an error naming them.
   */
  public EpochTotals trainEpoch(MiniBatches batches, float learningRate) {
    // Here, not only in step: the split step takes its batches straight from the MiniBatches, and
    // there a refused rate was found by the optimizer kernels after the forward pass had moved
    // batch norm's running statistics. Rows of another width were read as rows of this one.
    requireLearningRate(learningRate);
    if (batches == null) throw new IllegalArgumentException("batches must not be null");
    network.checkFits(batches.data(), "batches");
    int last = batches.batchCount() - 1;
    if (last >= 0 && batches.rows(last) < minBatch) {
      throw new IllegalArgumentException("batches ends with a batch of " + batches.rows(last) + " row: batch norm trains on at least "
          + minBatch + " (Trainer.batches(data) leaves such a row out)");
    }
    pullNetwork();
    try {
      return epoch(batches, learningRate);
    } finally {
      syncNetwork();
    }
  }

  private EpochTotals epoch(MiniBatches batches, float learningRate) {
    batches.shuffle();
    double lossSum = 0;
    long correct = 0;
    int examples = 0;
    for (int b = 0; b < batches.batchCount(); b++) {
      int rows;
      float loss;
      if (sharded != null) {
        rows = batches.rows(b);
        networkBehind = true;
        loss = sharded.step(batches, b, learningRate);
        lastCorrect = sharded.lastCorrect();
      } else {
        rows = batches.load(b);
        loss = step(batches.features(), batches.labels(), rows, learningRate);
      }
      if (Float.isNaN(loss)) return new EpochTotals(Double.NaN, Double.NaN, examples, b);
      lossSum += (double) loss * rows;
      correct += lastCorrect;
      examples += rows;
    }
    return new EpochTotals(lossSum / examples, (double) correct / examples, examples, -1);
  }

  /**
   * Totals of one epoch.
   *
   * @param divergedAtBatch the batch whose loss was not finite, or -1
   */
  public record EpochTotals(double loss, double accuracy, int examples, int divergedAtBatch) {
    public boolean diverged() {
      return divergedAtBatch >= 0;
    }
  }

  /**
   * Loss, accuracy and confusion matrix on {@code data}, in inference mode; after {@link #fit}, its
   * labels matched to the training data's classes by name (see {@link Dataset#inClasses}). In chunks
   * of {@link Evaluator#CHUNK_ROWS} rows whatever the batch size, as the validation of {@link #fit}
   * and {@link org.caviar.model.Model#evaluate}: a saved model gives the same loss, to the bit.
   */
  public Evaluation evaluate(Dataset data) {
    if (data == null) throw new IllegalArgumentException("data must not be null");
    // After bare steps split over threads, the network's own arrays are behind.
    syncNetwork();
    return evaluator().evaluate(trainedClasses != null ? data.inClasses(trainedClasses, "the data", "the training data") : data);
  }

  /**
   * Trains for up to {@code config.epochs()} epochs. After each epoch the network is evaluated on
   * {@code validation} (may be null), the listener is told, and training stops early if the
   * listener asks, if the validation loss has not improved by {@code minDelta} for
   * {@code patience} epochs, or if the loss diverges (a loss or logit not finite; a validation loss
   * not finite; without a validation set, a weight the last update left not finite). With
   * {@code restoreBest} and a validation set, the network ends with the weights (and batch norm
   * statistics) of its best epoch; a run that diverges before it has one (its first validation loss
   * NaN or infinite, or its training loss in the first epoch) ends {@link TrainingStatus#DIVERGED}
   * with the weights it started from ({@code restoredEpoch} -1, {@code bestEpoch} -1, the message
   * says so). Without restoreBest a diverged run keeps its last weights, which may not be finite.
   * Without a validation set there is no best epoch: patience and restoreBest then do nothing.
   *
   * <p>Each fit is a new training run from the network's current weights: the batches are shuffled
   * from the configured seed again, the schedule starts at epoch 0, and the optimizer state (Adam's
   * moments and step count, momentum; each thread's under a split step) starts from zero, as on a
   * fresh trainer. Carrying the moments over while everything else restarted made a second fit
   * neither a continuation nor a fresh run. What lives in the network carries over: the weights,
   * batch norm's running statistics and its dropout layers' streams (a split step's dropout streams
   * are the trainer's and continue, so there only a network without dropout repeats a fresh
   * trainer's bits).
   */
  public TrainingResult fit(Dataset train, Dataset validation, TrainingListener listener) {
    TrainingListener l = listener == null ? TrainingListener.none() : listener;
    MiniBatches batches = batches(train);
    if (validation != null) {
      // Loaded from a file of its own, validation data numbers its own classes: match them by name.
      validation = validation.inClasses(train.classNames(), "validation", "the training data");
      network.checkFits(validation, "validation");
      if (validation.rows() == 0) {
        throw new IllegalArgumentException("validation has no rows: pass null to train without validation");
      }
    }
    trainedClasses = train.classNames();
    // A new run (see above); after the checks, so that a refused fit changes nothing.
    optimizer.reset();
    if (sharded != null) sharded.resetOptimizers();
    // After bare steps split over threads the shards hold the live weights: the listener was told
    // of a network whose arrays were behind, and the snapshot of the starting weights (restored by a
    // run that diverges before its first best) took those, from before the steps.
    syncNetwork();
    long start = System.nanoTime();
    l.onTrainingStart(network, config, trainedClasses);
    List<EpochMetrics> history = new ArrayList<>();
    Snapshot best = validation != null && config.restoreBest() ? Snapshot.ofEverything(network) : null;
    double bestLoss = Double.POSITIVE_INFINITY;
    int bestEpoch = -1;
    TrainingStatus status = TrainingStatus.COMPLETED;
    String message = "completed " + config.epochs() + (config.epochs() == 1 ? " epoch" : " epochs");
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      float lr = config.schedule().rate(epoch);
      long t0 = System.nanoTime();
      EpochTotals totals = trainEpoch(batches, lr);
      double seconds = (System.nanoTime() - t0) * 1e-9;
      if (totals.diverged()) {
        status = TrainingStatus.DIVERGED;
        message = "diverged: the loss became NaN or infinite in epoch " + epoch + ", batch " + totals.divergedAtBatch()
            + " (learning rate " + Floats.text(lr) + "); try a lower learning rate";
        break;
      }
      double valLoss = Double.NaN;
      double valAccuracy = Double.NaN;
      if (validation != null) {
        ConfusionMatrix cm = new ConfusionMatrix(
            validation.classCount() == network.classes() ? validation.classNames() : Dataset.numberedClasses(network.classes()));
        valLoss = evaluator().evaluate(validation, cm);
        valAccuracy = cm.accuracy();
      }
      EpochMetrics metrics = new EpochMetrics(epoch, totals.loss(), totals.accuracy(), valLoss, valAccuracy, lr, totals.examples(), seconds);
      history.add(metrics);
      if (validation != null && Double.isNaN(valLoss)) {
        status = TrainingStatus.DIVERGED;
        message = "diverged: the validation loss is NaN or infinite after epoch " + epoch + "; try a lower learning rate";
        break;
      }
      if (validation != null && valLoss < bestLoss - config.minDelta()) {
        bestLoss = valLoss;
        bestEpoch = epoch;
        if (best != null) best.save();
        l.onNewBest(metrics);
      }
      TrainingListener.Action action = l.onEpochEnd(metrics);
      if (action == TrainingListener.Action.STOP) {
        status = TrainingStatus.STOPPED_BY_LISTENER;
        message = "stopped by the listener after epoch " + epoch;
        break;
      }
      if (config.patience() > 0 && validation != null && epoch - bestEpoch >= config.patience()) {
        status = TrainingStatus.EARLY_STOPPED;
        message = "early stop after epoch " + epoch + ": no validation improvement for " + config.patience()
            + (config.patience() == 1 ? " epoch" : " epochs") + " (best " + Figures.loss(bestLoss) + " at epoch " + bestEpoch + ")";
        break;
      }
    }
    // An update that overflows leaves weights only the next step's forward pass finds not finite;
    // after the last step there is none, and without a validation set nothing evaluates them. So
    // a run whose last update overflowed ended COMPLETED (or stopped) with infinite weights.
    if (validation == null && status != TrainingStatus.DIVERGED && !history.isEmpty() && !finite(network)) {
      EpochMetrics last = history.get(history.size() - 1);
      status = TrainingStatus.DIVERGED;
      message = "diverged: a weight became NaN or infinite in the last update of epoch " + last.epoch() + " (learning rate "
          + Floats.text(last.learningRate()) + "); try a lower learning rate";
    }
    int restored = -1;
    int lastEpoch = history.isEmpty() ? -1 : history.get(history.size() - 1).epoch();
    if (best != null && bestEpoch >= 0 && (bestEpoch != lastEpoch || status == TrainingStatus.DIVERGED)) {
      best.restore();
      restored = bestEpoch;
      message += "; restored the weights of epoch " + bestEpoch;
    } else if (best != null && status == TrainingStatus.DIVERGED) {
      // Diverged before any epoch's validation loss was finite (the first one NaN, or the training
      // loss in the first epoch): there is no best epoch, and the network held the weights that
      // diverged. The snapshot still holds those the fit started from: the only ones that did not.
      best.restore();
      message += "; no epoch had a finite validation loss: restored the weights the run started from";
    }
    TrainingResult result = new TrainingResult(
        status, message, history, bestEpoch, bestEpoch >= 0 ? bestLoss : Double.NaN, restored,
        (System.nanoTime() - start) * 1e-9);
    l.onTrainingEnd(result);
    return result;
  }

  /** Whether every parameter and state value of {@code network} is finite (its arrays up to date). */
  private static boolean finite(Network network) {
    for (var p : network.parameters()) for (float v : p.values()) if (!Float.isFinite(v)) return false;
    for (var t : network.state()) for (float v : t.values()) if (!Float.isFinite(v)) return false;
    return true;
  }

  private Evaluator evaluator() {
    // Model.evaluate's chunks (Evaluator.CHUNK_ROWS), whatever the batch size: chunks of the batch
    // size gave a loss that differed from the saved model's in the last bits.
    if (evaluator == null) evaluator = new Evaluator(network);
    return evaluator;
  }
}
