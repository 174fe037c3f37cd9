package org.caviar.model.train;

import java.util.ArrayList;
import java.util.List;
import org.caviar.kernels.ArrayOps;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Gemm.Op;
import org.caviar.kernels.Workers;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.MiniBatches;
import org.caviar.model.layer.ActivationLayer;
import org.caviar.model.layer.BatchNormLayer;
import org.caviar.model.layer.Dense;
import org.caviar.model.layer.Dropout;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;
import org.caviar.model.layer.Parameter;
import org.caviar.model.layer.SoftmaxCrossEntropy;
import org.caviar.model.optim.Optimizer;
import org.caviar.model.optim.OptimizerSpec;

/**
 * One network's training step split over the threads of a team (tensor parallelism, the hidden
 * blocks paired as in Megatron-LM's MLP). The blocks alternate between two splits:
 * <ul>
 *   <li>a block split by its units (the first, the third, ...) gives shard {@code t} a contiguous
 *       share of its units, with its own arrays for their weight columns, bias, batch norm and
 *       optimizer state; it reads the block's whole input, which every shard holds;
 *   <li>the block after it is split by its inputs: shard {@code t} multiplies its units of the
 *       block before by its rows of the weights, a partial pre-activation over all of the block's
 *       units. Every shard sums the shards' partial sums in the same order, then runs the block's
 *       bias, batch norm, activation and dropout over all the units itself, so that every shard
 *       holds the block's whole output, as the next block (split by its units) needs.
 * </ul>
 * The output layer follows the same rule: split by its inputs after a block split by its units
 * (partial logits, summed by every shard), else run whole by every shard. The loss and its
 * gradient are repeated on every shard (a few classes: cheaper to repeat than to share).
 *
 * <p>Backward needs no hand-off inside a pair: the gradient at a block split by its inputs is
 * whole on every shard, and the shard's weight rows give the gradient at its own units of the
 * block before. Only a block split by its units (not the first) leaves a partial gradient at its
 * input, which the shards sum. At 784-256-256-10 a step has one hand-off in the middle (the second
 * block's partial pre-activation) and one at its end.
 *
 * <p>The split before this one put every hidden block on its units: four hand-offs a step at
 * 784-256-256-10 instead of two. This one repeats more work on every shard (the second block's
 * batch norm and activation, the output layer) and measured about even against it; it is kept for
 * its fewer hand-offs, each a point where a vCPU held up stalls the other.
 *
 * <p>Why not split each product instead: the team then shares every buffer, and a step moves the
 * batch, the weights and every product between the cores' caches; on two Zen 5 vCPUs the
 * 784-256-256-10 step at batch 32 ran at 0.78x of one thread that way. Here a step moves only
 * what the math needs: the partial sums each shard reads of the others.
 *
 * <p>What else was tried on this step and measured, and why it is not here (one team task per
 * epoch, work stealing, stealing the update, shares sized to the threads' speeds, a balancer):
 * bench/RESULTS.md, "Tried in the sharded step and not kept".
 *
 * <p>Partial sums are added in shard order, so the
 * result is a function of the shard count, not of the threads or their timing: the same
 * step on a team of one thread (shards run in turn) gives the same bits as on a team of two. It
 * differs from the unsharded step by rounding only (sums over a layer's units that the shards
 * split into one partial sum each: the pre-activations of the blocks split by their inputs, the
 * gradients at the inputs of the blocks split by their units, the logits when the output is
 * split), and in dropout's masks: drawn per shard in a block split by its units, the same on
 * every shard in a block split by its inputs.
 *
 * <p>The shards hold the live parameters: {@link #pull} copies the network's into them and
 * {@link #push} copies them back (what every shard holds a copy of from shard 0: the output bias,
 * the output weights when the output is not split, and a block split by its inputs but for its
 * weight rows).
 */
final class ShardedStep {
  /** Shares of a layer's units are whole cache lines of floats when the layer is wide enough. */
  private static final int UNIT = 16;

  private final Network network;
  private final Workers team;
  private final int shards;
  /** Hidden blocks (dense, batch norm, activation, dropout) of the network, in order. */
  private final Block[] blocks;
  private final Dense output;
  /** Whether the output layer is split by its inputs (the last hidden block is split by its units). */
  private final boolean outputSplit;
  /** bounds[i][t]: first unit of hidden block i owned by shard t; bounds[i][shards] = width. */
  private final int[][] bounds;
  private final Shard[] shard;
  /** The step's phases, run one after the other by every shard; each ends where a shard reads another's partial sums. */
  private final Workers.Task[] phases;
  /** The phase that computes the loss; a shard that finds it not finite stops there. */
  private final int lossPhase;

  /** One piece of a shard's step; false stops the shard's step (the loss was not finite). */
  private interface Piece {
    boolean run(Shard s);
  }

  // The step's arguments, read by the phases: the batch itself, or where each shard loads it from.
  private float[] x;
  private int[] labels;
  private MiniBatches batches;
  private int batch;
  /**
   * The batch loader's prefetch: in a step's last phase each shard gathers the whole next batch
   * into a spare buffer of its own, which its next step reads. Each shard gathers every row
   * rather than half of them into a buffer both read, because on these VMs a cache line that one
   * core writes after the other core has read it costs far more than a fresh one: a worker
   * rewriting 64 KiB that the other thread had read took 9-12 us with the two vCPUs on cores
   * that share an L3 and 30-44 us on cores that do not, against 1-2 us for 64 KiB the other
   * thread had not read (scratch probe). The shared buffer paid that at every step for the
   * half each shard wrote, and each shard then read the other half across the cores. The two
   * ways alternating epoch by epoch (784-256-256-10, 150-200 epochs each, ratio of total times
   * against one thread): 1.545 -> 1.611 and 1.603 -> 1.642 at batch 32, 1.641 -> 1.689 and
   * 1.570 -> 1.639 at batch 128.
   * Other ways of loading the batch, tried and measured: bench/RESULTS.md, "Tried in the sharded
   * step and not kept".
   */
  private boolean prefetched;
  private int nextRows;
  private MiniBatches prefetchFrom;
  private int prefetchBatch;
  private int prefetchGeneration;
  /** Which of the two batch buffers the current step uses. */
  private int current;
  private int rows;
  private float learningRate;

  /** The canonical layers of one hidden block. */
  private record Block(Dense dense, BatchNormLayer batchNorm, ActivationLayer activation, Dropout dropout) {
    int width() {
      return dense.outputSize();
    }
  }

  /**
   * Whether hidden block i is split by its inputs (its dense rows; every shard then holds all its
   * units): the odd ones, each following a block split by its units.
   */
  private static boolean byInputs(int block) {
    return (block & 1) == 1;
  }

  /**
   * Whether a network can be sharded {@code shards} ways: built from a spec (dense blocks and a
   * dense output) with at least one hidden layer, each at least {@code shards} units wide.
   */
  static boolean supports(Network network, int shards) {
    return network.spec() != null && supports(network.spec(), shards);
  }

  /** {@link #supports(Network, int)} of the network {@code spec} builds, before it is built (Trainer's memory estimate). */
  static boolean supports(NetworkSpec spec, int shards) {
    if (spec.hidden().isEmpty() || shards < 2) return false;
    for (int w : spec.hidden()) if (w < shards) return false;
    return true;
  }

  /**
   * @param dropoutSeed seeds the shards' dropout masks (each shard and layer its own stream)
   */
  ShardedStep(Network network, int shards, Workers team, OptimizerSpec optimizer, float weightDecay, long dropoutSeed) {
    if (!supports(network, shards)) throw new IllegalArgumentException("network " + network + " cannot be split " + shards + " ways");
    this.network = network;
    this.team = team;
    this.shards = shards;
    this.blocks = blocks(network.layers());
    this.output = (Dense) network.layers().get(network.layers().size() - 1);
    this.outputSplit = !byInputs(blocks.length - 1);
    this.bounds = new int[blocks.length][shards + 1];
    for (int i = 0; i < blocks.length; i++) {
      int w = blocks[i].width();
      int unit = w >= UNIT * shards ? UNIT : 1;
      for (int t = 0; t <= shards; t++) bounds[i][t] = Workers.boundary(w, unit, t, shards);
    }
    Kernels k = network.kernels().withGemm(Gemm.vector());
    this.shard = new Shard[shards];
    for (int t = 0; t < shards; t++) shard[t] = new Shard(t, k, optimizer, weightDecay, dropoutSeed);

    // The step as pieces, cut into phases where a shard next reads the others' partial sums.
    List<List<Piece>> cut = new ArrayList<>();
    List<Piece> phase = new ArrayList<>();
    for (int i = 0; i < blocks.length; i++) {
      int b = i;
      if (byInputs(b)) {
        phase.add(s -> s.partialPreActivation(b));
        cut.add(phase);
        phase = new ArrayList<>();
        phase.add(s -> s.forwardByInputs(b));
      } else {
        phase.add(s -> s.forwardByUnits(b));
      }
    }
    if (outputSplit) {
      phase.add(Shard::partialLogits);
      cut.add(phase);
      phase = new ArrayList<>();
    }
    phase.add(Shard::loss);
    this.lossPhase = cut.size();
    phase.add(Shard::outputBackward);
    for (int i = blocks.length - 1; i >= 0; i--) {
      int b = i;
      if (byInputs(b)) {
        phase.add(s -> s.backwardByInputs(b));
      } else {
        phase.add(s -> s.backwardByUnits(b));
        if (b > 0) {
          cut.add(phase);
          phase = new ArrayList<>();
          phase.add(s -> s.sumInputGradient(b));
        }
      }
    }
    phase.add(Shard::loadNextBatch);
    cut.add(phase);
    this.phases = new Workers.Task[cut.size()];
    for (int p = 0; p < phases.length; p++) {
      Piece[] pieces = cut.get(p).toArray(new Piece[0]);
      phases[p] = (t, n) -> {
        Shard s = shard[t];
        for (Piece piece : pieces) if (!piece.run(s)) return;
      };
    }
    pull();
  }

  private static Block[] blocks(List<Layer> layers) {
    List<Block> out = new ArrayList<>();
    int i = 0;
    while (i < layers.size() - 1) {
      Dense d = (Dense) layers.get(i++);
      BatchNormLayer bn = layers.get(i) instanceof BatchNormLayer b ? b : null;
      if (bn != null) i++;
      ActivationLayer act = (ActivationLayer) layers.get(i++);
      Dropout drop = i < layers.size() - 1 && layers.get(i) instanceof Dropout dr ? dr : null;
      if (drop != null) i++;
      out.add(new Block(d, bn, act, drop));
    }
    return out.toArray(new Block[0]);
  }

  /**
   * One step on {@code rows} examples: forward, loss, backward and update on every shard. Returns
   * the mean loss, or NaN without updating anything (batch norm's running statistics included, as in
   * the unsharded step) if a logit or the loss is not finite.
   */
  float step(float[] x, int[] labels, int rows, float learningRate) {
    prefetchFrom = null;
    prefetched = false;
    nextRows = 0;
    this.x = x;
    this.labels = labels;
    try {
      return step(rows, learningRate);
    } finally {
      this.x = null;
      this.labels = null;
    }
  }

  /**
   * {@link #step} on batch {@code b} of {@code batches}, which each shard loaded into buffers of
   * its own at the end of the step before, or else loads at the start of this one.
   */
  float step(MiniBatches batches, int b, float learningRate) {
    boolean ready = prefetchFrom == batches && prefetchBatch == b && prefetchGeneration == batches.generation();
    prefetchFrom = null;
    int next = b + 1;
    int following = next < batches.batchCount() ? batches.rows(next) : 0;
    // Grown here for this batch and the next, so that even a step that grows them loads ahead;
    // growing drops what was loaded ahead.
    int need = Math.max(batches.rows(b), following);
    if (need > capacity) {
      ensureCapacity(need);
      ready = false;
    }
    // The spare buffer, filled by the shards, becomes the current one; else the current one is reloaded.
    if (ready) current ^= 1;
    this.batches = batches;
    this.batch = b;
    this.prefetched = ready;
    this.nextRows = following;
    try {
      float loss = step(batches.rows(b), learningRate);
      // The last phase loaded each shard's copy of the next batch (unless the step stopped early).
      if (nextRows > 0 && !Float.isNaN(loss)) {
        prefetchFrom = batches;
        prefetchBatch = next;
        prefetchGeneration = batches.generation();
      }
      return loss;
    } finally {
      this.batches = null;
    }
  }

  private float step(int rows, float learningRate) {
    if (rows > capacity) {
      ensureCapacity(rows);
      prefetched = false;
      nextRows = 0;
    }
    this.rows = rows;
    this.learningRate = learningRate;
    for (int p = 0; p < phases.length; p++) {
      run(phases[p]);
      if (p == lossPhase && diverged()) return Float.NaN;
    }
    return shard[0].loss;
  }

  /**
   * Whether a shard stopped at the loss. Every shard computes the same logits, so all stop or none
   * does; asking all of them keeps a step from returning NaN while a shard went on to update.
   */
  private boolean diverged() {
    boolean any = false;
    for (Shard s : shard) any |= Float.isNaN(s.loss);
    return any;
  }

  /** Rows the last step classified right (before its update), or -1 if it diverged. */
  int lastCorrect() {
    return shard[0].correct;
  }

  private void run(Workers.Task task) {
    if (team.threads() >= shards) {
      team.run(shards, task);
    } else {
      for (int t = 0; t < shards; t++) task.run(t, shards);
    }
  }

  private int capacity;

  private void ensureCapacity(int rows) {
    if (rows <= capacity) return;
    for (Shard s : shard) s.allocate(rows);
    capacity = rows;
  }

  /** Forgets every shard's optimizer state (moments and step counts), as at construction. */
  void resetOptimizers() {
    for (Shard sh : shard) {
      for (Optimizer o : sh.optimizers) o.reset();
      sh.outOptimizer.reset();
    }
  }

  /** Copies the network's parameters and batch norm statistics into the shards. */
  void pull() {
    for (Shard s : shard) s.copy(true);
  }

  /** Copies the shards' parameters and batch norm statistics into the network. */
  void push() {
    for (Shard s : shard) s.copy(false);
  }

  /**
   * Whether every shard's copies of what all shards hold (the output bias; of a block split by its
   * inputs all but its weight rows; the output weights when not split) have the same bits as shard
   * 0's: the shards compute them from the same sums in the same order, and draw the same dropout
   * masks there. For tests; {@link #push} takes shard 0's.
   */
  boolean copiesAgree() {
    List<float[]> first = shard[0].copies();
    for (int q = 1; q < shards; q++) {
      List<float[]> other = shard[q].copies();
      for (int i = 0; i < first.size(); i++) if (!java.util.Arrays.equals(first.get(i), other.get(i))) return false;
    }
    return true;
  }

  /**
   * The layers, buffers and optimizer of one shard. Only its own thread writes them in a step; the
   * other shards read its partial sums ({@code partial}, {@code partialLogits}) in the phase after
   * the one that wrote them.
   */
  private final class Shard {
    private final int t;
    /**
     * Each block's dense layer: this shard's weight columns (and bias) for a block split by its
     * units; its weight rows, for its units of the block before, for a block split by its inputs.
     */
    private final Dense[] dense;
    /** The whole bias of a block split by its inputs (every shard a copy), or null. */
    private final Parameter[] inputsBias;
    /** Each block's batch norm, activation and dropout: over this shard's units, or all of a block split by its inputs. */
    private final Layer[][] post;
    /** This shard's rows of the output weights (its units of the last hidden layer x classes), or all of them; and the whole output bias. */
    private final Parameter outWeight;
    private final Parameter outBias;
    private final int outRows;
    private final int classes;
    private final SoftmaxCrossEntropy softmax;
    /**
     * One optimizer per hidden block and one for the output layer, each stepped as soon as its
     * layer's backward is done: the weight gradient and the weights are then still in this core's
     * cache. Nothing reads a layer's weights after its own backward in a step, so the result is
     * the same as one update at the end.
     */
    private final Optimizer[] optimizers;
    private final Optimizer outOptimizer;
    /** Each block's output in the current step: this shard's units, or all of a block split by its inputs. */
    private final float[][] out;
    /**
     * What the other shards read: for a block split by its inputs, this shard's partial
     * pre-activation (rows x width); for a block i >= 1 split by its units, this shard's partial
     * gradient at block i - 1's output (rows x width of block i - 1).
     */
    private final float[][] partial;
    /** A block split by its inputs: every shard's partial pre-activation summed, plus the bias. */
    private final float[][] summed;
    /** The gradient arriving at each block's output, and buffers for the sums that make it. */
    private final float[][] grad;
    private final float[][] gradSum;
    private final Gemm gemm;
    private final ArrayOps arrayOps;
    /** This shard's copies of the batch: the current one ({@code current}) and the one loaded ahead. */
    private final float[][] xs = {new float[0], new float[0]};
    private final int[][] ys = {new int[0], new int[0]};
    private float[] partialLogits = new float[0];
    private float[] logits = new float[0];
    float loss;
    int correct;
    /** Batch norm's running statistics in this shard's layers, as they were before the step's forward pass. */
    private final Snapshot statisticsBefore;

    Shard(int t, Kernels k, OptimizerSpec spec, float weightDecay, long dropoutSeed) {
      this.t = t;
      this.gemm = k.gemm();
      this.arrayOps = k.arrayOps();
      int n = blocks.length;
      dense = new Dense[n];
      inputsBias = new Parameter[n];
      post = new Layer[n][];
      optimizers = new Optimizer[n];
      int in = network.inputSize();
      for (int i = 0; i < n; i++) {
        Block b = blocks[i];
        String name = b.dense.name();
        int units;
        long stream;
        if (byInputs(i)) {
          units = b.width();
          dense[i] = new Dense(name, own(i - 1, t), units, false, gemm, arrayOps);
          if (b.dense.hasBias()) inputsBias[i] = new Parameter(name + ".bias", 1, units, false);
          // Every shard computes this block's layers over all its units: the same masks.
          stream = 1 + i * (long) shards;
        } else {
          units = own(i, t);
          dense[i] = new Dense(name, in, units, b.dense.hasBias(), gemm, arrayOps);
          // The first block's input gradient would be the network input's: nothing consumes it.
          dense[i].setInputGradientNeeded(i > 0);
          stream = 1 + i * (long) shards + t;
        }
        List<Layer> c = new ArrayList<>();
        if (b.batchNorm != null) c.add(new BatchNormLayer(b.batchNorm.name(), units, k.batchNorm()));
        c.add(new ActivationLayer(b.activation.name(), units, b.activation.activation(), b.activation.slope(), k.activations()));
        if (b.dropout != null) {
          c.add(new Dropout(b.dropout.name(), units, b.dropout.rate(), dropoutSeed ^ (0x9E3779B97F4A7C15L * stream), k.dropout()));
        }
        post[i] = c.toArray(new Layer[0]);
        List<Parameter> params = new ArrayList<>(dense[i].parameters());
        if (inputsBias[i] != null) params.add(inputsBias[i]);
        for (Layer l : post[i]) params.addAll(l.parameters());
        optimizers[i] = new Optimizer(spec, params, weightDecay, k.optimizers());
        in = b.width();
      }
      classes = output.outputSize();
      outRows = outputSplit ? own(n - 1, t) : blocks[n - 1].width();
      outWeight = new Parameter(output.name() + ".weight", outRows, classes, true);
      outBias = output.hasBias() ? new Parameter(output.name() + ".bias", 1, classes, false) : null;
      softmax = new SoftmaxCrossEntropy(classes, k.softmax());
      outOptimizer = new Optimizer(spec, outBias == null ? List.of(outWeight) : List.of(outWeight, outBias), weightDecay, k.optimizers());
      List<float[]> stats = new ArrayList<>();
      for (Layer[] c : post) for (Layer l : c) for (var st : l.state()) stats.add(st.values());
      statisticsBefore = new Snapshot(stats);
      out = new float[n][];
      partial = new float[n][];
      summed = new float[n][];
      grad = new float[n][];
      gradSum = new float[n][];
    }

    /** Units of block i this shard computes: its share, or all of a block split by its inputs. */
    private int units(int i) {
      return byInputs(i) ? blocks[i].width() : own(i, t);
    }

    void allocate(int rows) {
      for (int b = 0; b < 2; b++) {
        xs[b] = new float[rows * network.inputSize()];
        ys[b] = new int[rows];
      }
      for (int i = 0; i < blocks.length; i++) {
        if (byInputs(i)) summed[i] = new float[rows * blocks[i].width()];
        // The output's gradient at the last block, or the sum of a block split by its units at its input.
        if (i == blocks.length - 1 || byInputs(i)) gradSum[i] = new float[rows * units(i)];
      }
      if (outputSplit) partialLogits = new float[rows * classes];
      logits = new float[rows * classes];
      for (int i = 0; i < blocks.length; i++) {
        dense[i].ensureCapacity(rows);
        for (Layer l : post[i]) l.ensureCapacity(rows);
      }
      softmax.ensureCapacity(rows);
    }

    /** The network's input for this step: the batch this shard loaded, or the caller's. */
    private float[] input() {
      if (batches == null) return ShardedStep.this.x;
      // Not loaded ahead (an epoch's first batch, say): loaded here.
      if (!prefetched) batches.load(batch, xs[current], ys[current]);
      return xs[current];
    }

    /** Block i over this shard's units, from the block's whole input (which every shard holds). */
    boolean forwardByUnits(int i) {
      // Block 0 comes first in a step: the statistics as they were, for a step that diverges.
      if (i == 0) statisticsBefore.save();
      float[] a = dense[i].forward(i == 0 ? input() : out[i - 1], rows, Mode.TRAIN);
      for (Layer l : post[i]) a = l.forward(a, rows, Mode.TRAIN);
      out[i] = a;
      return true;
    }

    /** Block i's pre-activation from this shard's units of block i - 1 alone: a partial sum. */
    boolean partialPreActivation(int i) {
      partial[i] = dense[i].forward(out[i - 1], rows, Mode.TRAIN);
      return true;
    }

    /** Block i split by its inputs: every shard's partial sums added, then the bias and the rest of the block over all units. */
    boolean forwardByInputs(int i) {
      int w = blocks[i].width();
      float[] a = summed[i];
      sumInShardOrder(i, w, a);
      if (inputsBias[i] != null) arrayOps.addBias(rows, w, inputsBias[i].values(), a);
      for (Layer l : post[i]) a = l.forward(a, rows, Mode.TRAIN);
      out[i] = a;
      return true;
    }

    /** This shard's units of the last hidden block times its rows of the output weights. */
    boolean partialLogits() {
      gemm.gemm(Op.N, Op.N, rows, classes, outRows, 1f, out[blocks.length - 1], 0, outRows, outWeight.values(), 0, classes, 0f, partialLogits, 0, classes);
      return true;
    }

    /** All logits (every shard's partial sums, or the whole product), the loss and its gradient. */
    boolean loss() {
      if (outputSplit) {
        sumInShardOrder(-1, classes, logits);
      } else {
        gemm.gemm(Op.N, Op.N, rows, classes, outRows, 1f, out[blocks.length - 1], 0, outRows, outWeight.values(), 0, classes, 0f, logits, 0, classes);
      }
      if (outBias != null) arrayOps.addBias(rows, classes, outBias.values(), logits);
      int[] y = batches != null ? ys[current] : ShardedStep.this.labels;
      correct = Network.countCorrect(logits, y, rows, classes);
      loss = correct < 0 ? Float.NaN : softmax.lossAndGradient(logits, y, rows);
      if (Float.isFinite(loss)) return true;
      loss = Float.NaN;
      statisticsBefore.restore();
      return false;
    }

    /** The gradient and update of this shard's output weights, and the gradient at its part of the last hidden block. */
    boolean outputBackward() {
      int last = blocks.length - 1;
      float[] dz = softmax.gradient();
      gemm.gemm(Op.T, Op.N, outRows, classes, rows, 1f, out[last], 0, outRows, dz, 0, classes, 0f, outWeight.gradient(), 0, classes);
      if (outBias != null) arrayOps.columnSums(rows, classes, dz, outBias.gradient());
      gemm.gemm(Op.N, Op.T, rows, outRows, classes, 1f, dz, 0, classes, outWeight.values(), 0, classes, 0f, gradSum[last], 0, outRows);
      grad[last] = gradSum[last];
      outOptimizer.step(learningRate);
      return true;
    }

    /** Block i split by its units: backward and update; for i >= 1 the partial gradient at block i - 1's output. */
    boolean backwardByUnits(int i) {
      float[] g = grad[i];
      for (int l = post[i].length - 1; l >= 0; l--) g = post[i][l].backward(g, rows);
      partial[i] = dense[i].backward(g, rows);
      optimizers[i].step(learningRate);
      return true;
    }

    /** The gradient at block i - 1's output: every shard's partial gradient from block i, added. */
    boolean sumInputGradient(int i) {
      sumInShardOrder(i, blocks[i - 1].width(), gradSum[i - 1]);
      grad[i - 1] = gradSum[i - 1];
      return true;
    }

    /** Block i split by its inputs: the rest of the block over all units, then this shard's weight rows, which give the gradient at its units of block i - 1. */
    boolean backwardByInputs(int i) {
      float[] g = grad[i];
      for (int l = post[i].length - 1; l >= 0; l--) g = post[i][l].backward(g, rows);
      if (inputsBias[i] != null) arrayOps.columnSums(rows, blocks[i].width(), g, inputsBias[i].gradient());
      grad[i - 1] = dense[i].backward(g, rows);
      optimizers[i].step(learningRate);
      return true;
    }

    /** The next batch into this shard's spare buffers, which its next step reads. */
    boolean loadNextBatch() {
      if (batches != null && nextRows > 0) batches.load(batch + 1, xs[current ^ 1], ys[current ^ 1]);
      return true;
    }

    /**
     * {@code d = sum over shards q, in shard order, of q's partial[block]} (its partial logits for
     * {@code block < 0}), each {@code rows x width}. The fixed order makes the sum a function of
     * the shard count only, and every shard that makes it gets the same bits.
     */
    private void sumInShardOrder(int block, int width, float[] d) {
      arrayOps.add(rows, width, partial(0, block), 0, width, partial(1, block), 0, width, d, 0, width);
      for (int q = 2; q < shards; q++) arrayOps.add(rows, width, d, 0, width, partial(q, block), 0, width, d, 0, width);
    }

    private float[] partial(int q, int block) {
      return block < 0 ? shard[q].partialLogits : shard[q].partial[block];
    }

    /** The arrays every shard holds a copy of, in the same order on every shard. */
    private List<float[]> copies() {
      List<float[]> arrays = new ArrayList<>();
      for (int i = 0; i < blocks.length; i++) {
        if (!byInputs(i)) continue;
        if (inputsBias[i] != null) arrays.add(inputsBias[i].values());
        for (Layer l : post[i]) {
          for (Parameter p : l.parameters()) arrays.add(p.values());
          for (var st : l.state()) arrays.add(st.values());
        }
      }
      if (!outputSplit) arrays.add(outWeight.values());
      if (outBias != null) arrays.add(outBias.values());
      return arrays;
    }

    /** Network to shard ({@code in}) or back; what every shard holds a copy of goes back from shard 0. */
    void copy(boolean in) {
      boolean whole = in || t == 0;
      for (int i = 0; i < blocks.length; i++) {
        Block b = blocks[i];
        int w = b.width();
        float[] full = b.dense.weight().values();
        float[] mine = dense[i].weight().values();
        if (byInputs(i)) {
          // Rows of the weights: this shard's units of block i - 1.
          copy(in, full, bounds[i - 1][t] * w, mine, 0, own(i - 1, t) * w);
          if (b.dense.hasBias() && whole) copy(in, b.dense.bias().values(), 0, inputsBias[i].values(), 0, w);
          if (b.batchNorm != null && whole) copyBatchNorm(in, b.batchNorm, (BatchNormLayer) post[i][0], 0, w);
        } else {
          int lo = bounds[i][t];
          int own = own(i, t);
          for (int p = 0; p < b.dense.inputSize(); p++) copy(in, full, p * w + lo, mine, p * own, own);
          if (b.dense.hasBias()) copy(in, b.dense.bias().values(), lo, dense[i].bias().values(), 0, own);
          if (b.batchNorm != null) copyBatchNorm(in, b.batchNorm, (BatchNormLayer) post[i][0], lo, own);
        }
      }
      int last = blocks.length - 1;
      if (outputSplit) {
        copy(in, output.weight().values(), bounds[last][t] * classes, outWeight.values(), 0, outRows * classes);
      } else if (whole) {
        copy(in, output.weight().values(), 0, outWeight.values(), 0, outRows * classes);
      }
      if (outBias != null && whole) copy(in, output.bias().values(), 0, outBias.values(), 0, classes);
    }

    private static void copyBatchNorm(boolean in, BatchNormLayer full, BatchNormLayer mine, int lo, int len) {
      copy(in, full.gamma().values(), lo, mine.gamma().values(), 0, len);
      copy(in, full.beta().values(), lo, mine.beta().values(), 0, len);
      copy(in, full.runningMean(), lo, mine.runningMean(), 0, len);
      copy(in, full.runningVar(), lo, mine.runningVar(), 0, len);
    }

    private static void copy(boolean in, float[] full, int fullOff, float[] mine, int mineOff, int len) {
      if (in) System.arraycopy(full, fullOff, mine, mineOff, len);
      else System.arraycopy(mine, mineOff, full, fullOff, len);
    }
  }

  private int own(int block, int t) {
    return bounds[block][t + 1] - bounds[block][t];
  }
}
