package org.caviar.model.train;

import java.util.ArrayList;
import java.util.List;
import org.caviar.kernels.ArrayOps;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Gemm.Op;
import org.caviar.kernels.Workers;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
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
 * One network's training step split over the threads of a team by features (tensor parallelism,
 * as in Megatron-LM): shard {@code t} owns a contiguous share of every hidden layer's units, with
 * its own arrays for their weight columns, bias, batch norm and optimizer state, and runs their
 * forward, backward and update on its own thread. The output layer is split by its inputs: each
 * shard multiplies its units of the last hidden layer by its rows of the output weights, every
 * shard sums the partial logits in the same order and computes the loss and its gradient (a few
 * classes: cheaper to repeat than to share), then the gradient of its own rows.
 *
 * <p>Why not split each product instead: the team then shares every buffer, and a step moves the
 * batch, the weights and every product between the cores' caches; on two Zen 5 vCPUs the
 * 784-256-256-10 step at batch 32 ran at 0.78x of one thread that way. Here a step moves only
 * what the math needs: each hidden layer's output but the last (all-gather, so that the next
 * layer sees its whole input), the partial logits, and each shard's partial input gradient
 * (summed by the owner of those units): {@code 2 x hidden} hand-offs per step.
 *
 * <p>Tried and not kept: one team task per epoch, each shard running all its steps and waiting
 * (a spin on the others' published progress) only for the outputs it reads, instead of a barrier
 * after every phase; a shard computed a block's partial input gradient before its weight gradient
 * and update, and loaded its share of the next batch first, so two of the four waits per step had
 * slack. Those waits fell to zero, but the threads' imbalance (on these VMs one vCPU runs slower
 * than the other for seconds at a time) moved to the next hard wait, the all-gather after the
 * first block: 784-256-256-10 at batch 32, the two alternating in one JVM (medians of eight runs
 * of 40-60 epochs), 1.61-1.77x one thread against 1.56-1.80x with barriers: no gain beyond noise.
 * Nor three hand-offs a step instead of four: the first block's backward and update left to the
 * next step's first phase, which then ran them and the first block's forward (no shard reads
 * another's data between the two; same bits). Against this class, alternating epoch by epoch,
 * 60-100 epochs each: 0.978-1.042x the speed at batch 32 in five runs (median 1.000), 1.002 and
 * 1.005x at batch 128.
 * Nor work stealing: each shard's dense products cut into chunks (12 or 8 rows of the forward
 * product, 48 rows of the weight gradient) that a thread out of work could claim from the other
 * shard (same bits: a block of C comes out the same whichever call computes it). With stealing on
 * and off alternating epoch by epoch in one JVM, the median ratio over 20-30 epochs was 0.99-1.07
 * in five runs, and about one chunk in ten steps was stolen. In some stretches of these VMs both
 * vCPUs slow down together (two threads running a shard's products and update on data of their
 * own, side by side, each took 300 us where one alone took 176), which no balancing recovers; and
 * chunks cost a little each (the input gradient in four column blocks ran 28% slower).
 * Nor stealing the update, which is element by element and so gives the same bits whichever
 * thread runs it: each shard's Adam of the block just back-propagated cut into chunks of 4,096
 * floats a tensor, claimed from an atomic counter, and a shard done with its own chunks claiming
 * the other's once that shard's gradient was complete. 1.4-4.4 chunks a step changed threads,
 * and the step ran at 0.89-0.94x the speed (batch 32, epochs alternating with the plain update);
 * the chunks alone, none stolen, at 0.975-0.981x. A stolen chunk reads the gradient from the
 * other core's cache and leaves the weights and averages in the stealer's, where the owner's next
 * forward product finds them.
 * Nor shares sized to the threads' speeds. Over seconds one thread runs a few percent slower than
 * the other (784-256-256-10, batch 32: busy 292 against 316 us a step), but it is neither one vCPU
 * nor one role: with the caller and the worker pinned to the two vCPUs, swapped every five epochs,
 * the caller's shard took 331 and 332 us a step and the worker's 337 and 337 either way, and which
 * thread is slower changes within a run. An uneven split could follow that. Only the first
 * block's split could move without changing a bit (the later blocks' splits enter the partial
 * sums), and since a last panel of 16 columns runs one-vector kernels, a share of 16 units costs
 * its part: 32 x N x 784 forward products took 30.4, 37.0, 39.4, 43.2 and 47.4 us for N = 96,
 * 112, 128, 144 and 160 (Zen 5, medians of five; before, 112 and 144 cost as much as 128 and
 * 160). But moving 16 of a shard's 128 first-block units moves 12.5% of the two phases that
 * block runs in, so it pays only where the threads differ by more than that, and the phase
 * timers saw differences of 2-17% (busy 176.7 against 173.0 us a step on 2026-12-04). Measured in
 * training later that day: with the first block split 112/144 at batch 32, the 112-unit shard was as
 * busy as with 128 while the other did 12% more, and a split chosen in hindsight for every window of
 * 4-256 steps would have saved 0.5-1.4% of the step in a balanced run and 6-7% in a run where the
 * worker's vCPU was 21% slower throughout. Built the next sitting (branch
 * experiment/first-block-balancer): every 64 steps a balancer compared the shards' time in the
 * first block's two phases and moved whole 16-unit shares, with their weights, statistics and
 * optimizer state, to even them out (the same bits, tested with moves after every step). Two
 * sharded trainers alternating epoch by epoch, the balancer on in one, the roles swapped halfway
 * (identical trainers differ by up to 9% in one JVM): 0.949-1.005x at batch 32 in ten runs of 400
 * epochs, with moves made in 8 of them; a product pinned to each vCPU ran 35% and 58% slower on
 * one of them in 2 of the 11 checks between runs, and moves also came in the even stretches. The
 * phases the split cannot move still wait for the slower thread, which changed within seconds to a
 * minute.
 *
 * <p>Partial sums (a hidden layer's input gradient, the logits) are added in shard order, so the
 * result is a function of the shard count, not of the threads or their timing: the same
 * step on a team of one thread (shards run in turn) gives the same bits as on a team of two. It
 * differs from the unsharded step by rounding only (the logits and the hidden layers' input
 * gradients are sums over a layer's units, split into one partial sum per shard), and dropout
 * draws its masks per shard.
 *
 * <p>The shards hold the live parameters: {@link #pull} copies the network's into them and
 * {@link #push} copies them back (the output bias, which every shard holds, from shard 0).
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
  /** bounds[i][t]: first unit of hidden block i owned by shard t; bounds[i][shards] = width. */
  private final int[][] bounds;
  private final Shard[] shard;
  private final Workers.Task[] forward;
  private final Workers.Task outputAndLast;
  private final Workers.Task[] backward;

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
   * 1.570 -> 1.639 at batch 128. (A session before measured the opposite, 1-3% against, with
   * the epochs classed by the hand-off time before each; the host's states vary.) Having the
   * reading core write back the lines it read from the other core (the other's input gradient
   * and layer output), so that the next write finds them in no other cache, gave nothing
   * measurable on top. The most that sharing the gather could give: each shard gathering only
   * half of the rows into its own buffer (the rest left stale; a timing probe, not a step),
   * alternating epoch by epoch with the whole gather, ran 0.6% and 0.6% faster in total at
   * batch 32 and 1.8% at batch 128. Nor did gathering while waiting pay: a shard that finished
   * a phase first copied rows of the next batch, one at a time, until the other finished (the
   * rest at the next step's start); 12-17 of 32 rows and 59-65 of 128 were copied that way, and
   * the totals against the gather in the last phase were +0.4%, -1.4% and -1.7% at batch 32,
   * -0.3% at batch 128. Nor did starting each shard's gather at its own share of the rows (shard 1
   * copies rows 16-31, then 0-15, and finds those in the L3 that shard 0 has just filled): the
   * gather fell from 12.0-13.9 to 9.4-11.8 us a step at batch 32, and the step's total time
   * changed by -1.1% to +1.4% in six runs of 40-60 epochs each way, alternating epoch by epoch.
   * Nor a permuted copy of the whole epoch, made at its start by both threads (each copying every
   * other batch into arrays of its own batch) and read in place by both shards, which removes the
   * per-step gathers (a probe with no gather at all ran 4.5-6.8% faster): 0.975-1.006 of the time
   * in three runs of 50 epochs each way, the rows then coming from the L3 at each step, for a
   * second copy of the data. Nor copying the next batch a row at a time between the first block's
   * weight-gradient tiles, so that its misses overlap the product: 0.953-0.982x the speed, sharded
   * and in turn (the product lost more than the copy saved).
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
   * Whether a network can be sharded {@code shards} ways: built from a spec (dense blocks and a
   * dense output) with at least one hidden layer, each at least {@code shards} units wide.
   */
  static boolean supports(Network network, int shards) {
    if (network.spec() == null || network.spec().hidden().isEmpty() || shards < 2) return false;
    for (int w : network.spec().hidden()) if (w < shards) return false;
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
    this.bounds = new int[blocks.length][shards + 1];
    for (int i = 0; i < blocks.length; i++) {
      int w = blocks[i].width();
      int unit = w >= UNIT * shards ? UNIT : 1;
      for (int t = 0; t <= shards; t++) bounds[i][t] = Workers.boundary(w, unit, t, shards);
    }
    Kernels k = network.kernels().withGemm(Gemm.vector());
    this.shard = new Shard[shards];
    for (int t = 0; t < shards; t++) shard[t] = new Shard(t, k, optimizer, weightDecay, dropoutSeed);
    this.forward = new Workers.Task[blocks.length];
    for (int i = 0; i < blocks.length; i++) {
      int block = i;
      forward[i] = (t, n) -> shard[t].forward(block);
    }
    this.outputAndLast = (t, n) -> shard[t].outputAndLastBlock();
    this.backward = new Workers.Task[blocks.length];
    for (int i = 0; i + 1 < blocks.length; i++) {
      int block = i;
      backward[i] = (t, n) -> shard[t].backward(block);
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
   * the mean loss, or NaN without updating anything if a logit or the loss is not finite.
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
    // The spare buffer, filled by the shards, becomes the current one; else the current one is reloaded.
    if (ready) current ^= 1;
    this.batches = batches;
    this.batch = b;
    this.prefetched = ready;
    int next = b + 1;
    this.nextRows = next < batches.batchCount() && batches.rows(next) <= capacity ? batches.rows(next) : 0;
    try {
      float loss = step(batches.rows(b), learningRate);
      // The last phase loaded each shard's share of the next batch (unless the step stopped early).
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
    for (Workers.Task f : forward) run(f);
    run(outputAndLast);
    if (Float.isNaN(shard[0].loss)) return Float.NaN;
    for (int i = blocks.length - 2; i >= 0; i--) run(backward[i]);
    return shard[0].loss;
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

  /** Copies the network's parameters and batch norm statistics into the shards. */
  void pull() {
    for (Shard s : shard) s.copy(true);
  }

  /** Copies the shards' parameters and batch norm statistics into the network. */
  void push() {
    for (Shard s : shard) s.copy(false);
  }

  /** The layers, buffers and optimizer of one shard; only its own thread touches them in a step. */
  private final class Shard {
    private final int t;
    private final Dense[] dense;
    private final BatchNormLayer[] batchNorm;
    private final Layer[][] chain;
    /** This shard's rows of the output weights (its units of the last hidden layer x classes), and the whole output bias. */
    private final Parameter outWeight;
    private final Parameter outBias;
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
    /** gathered[i]: the whole input of hidden block i >= 1 (rows x width of block i - 1). */
    private final float[][] gathered;
    /** Output of each hidden block's last layer in the current step (rows x own units). */
    private final float[][] blockOut;
    /** Partial input gradient of hidden block i >= 1 over this shard's units (rows x width of block i - 1). */
    private final float[][] partial;
    /** Gradient arriving at hidden block i's own units (rows x own units). */
    private final float[][] reduced;
    private final Gemm gemm;
    private final ArrayOps arrayOps;
    /** This shard's copies of the batch: the current one ({@code current}) and the one loaded ahead. */
    private final float[][] xs = {new float[0], new float[0]};
    private final int[][] ys = {new int[0], new int[0]};
    private float[] partialLogits = new float[0];
    private float[] logits = new float[0];
    float loss;
    int correct;

    Shard(int t, Kernels k, OptimizerSpec spec, float weightDecay, long dropoutSeed) {
      this.t = t;
      this.gemm = k.gemm();
      this.arrayOps = k.arrayOps();
      int n = blocks.length;
      dense = new Dense[n];
      batchNorm = new BatchNormLayer[n];
      chain = new Layer[n][];
      optimizers = new Optimizer[n];
      int in = network.inputSize();
      for (int i = 0; i < n; i++) {
        Block b = blocks[i];
        int own = own(i, t);
        List<Layer> c = new ArrayList<>();
        dense[i] = new Dense(b.dense.name(), in, own, b.dense.hasBias(), gemm, arrayOps);
        // The first block's input gradient would be the network input's: nothing consumes it.
        dense[i].setInputGradientNeeded(i > 0);
        c.add(dense[i]);
        if (b.batchNorm != null) {
          batchNorm[i] = new BatchNormLayer(b.batchNorm.name(), own, k.batchNorm());
          c.add(batchNorm[i]);
        }
        c.add(new ActivationLayer(b.activation.name(), own, b.activation.activation(), b.activation.slope(), k.activations()));
        if (b.dropout != null) {
          long seed = dropoutSeed ^ (0x9E3779B97F4A7C15L * (1 + i * (long) shards + t));
          c.add(new Dropout(b.dropout.name(), own, b.dropout.rate(), seed, k.dropout()));
        }
        chain[i] = c.toArray(new Layer[0]);
        List<Parameter> params = new ArrayList<>();
        for (Layer l : chain[i]) params.addAll(l.parameters());
        optimizers[i] = new Optimizer(spec, params, weightDecay, k.optimizers());
        in = b.width();
      }
      classes = output.outputSize();
      outWeight = new Parameter(output.name() + ".weight", own(n - 1, t), classes, true);
      outBias = output.hasBias() ? new Parameter(output.name() + ".bias", 1, classes, false) : null;
      softmax = new SoftmaxCrossEntropy(classes, k.softmax());
      outOptimizer = new Optimizer(spec, outBias == null ? List.of(outWeight) : List.of(outWeight, outBias), weightDecay, k.optimizers());
      gathered = new float[n][];
      blockOut = new float[n][];
      partial = new float[n][];
      reduced = new float[n][];
    }

    void allocate(int rows) {
      for (int b = 0; b < 2; b++) {
        xs[b] = new float[rows * network.inputSize()];
        ys[b] = new int[rows];
      }
      for (int i = 1; i < blocks.length; i++) gathered[i] = new float[rows * blocks[i - 1].width()];
      partialLogits = new float[rows * classes];
      logits = new float[rows * classes];
      for (int i = 0; i < blocks.length; i++) reduced[i] = new float[rows * own(i, t)];
      for (Layer[] c : chain) for (Layer l : c) l.ensureCapacity(rows);
      softmax.ensureCapacity(rows);
    }

    /** Hidden block i over this shard's units; its input is the network's or every shard's last outputs. */
    void forward(int i) {
      float[] a;
      if (i > 0) {
        a = gather(i);
      } else if (batches != null) {
        // Not loaded ahead (an epoch's first batch, say): loaded here.
        if (!prefetched) batches.load(batch, xs[current], ys[current]);
        a = xs[current];
      } else {
        a = ShardedStep.this.x;
      }
      for (Layer l : chain[i]) a = l.forward(a, rows, Mode.TRAIN);
      blockOut[i] = a;
      if (i == blocks.length - 1) {
        gemm.gemm(Op.N, Op.N, rows, classes, own(i, t), 1f, a, 0, own(i, t), outWeight.values(), 0, classes, 0f, partialLogits, 0, classes);
      }
    }

    /**
     * All logits (every shard's partial sums), the loss and its gradient, the gradient and update
     * of this shard's rows of the output layer, the gradient at this shard's units of the last
     * hidden block and that block's backward and update.
     */
    void outputAndLastBlock() {
      int last = blocks.length - 1;
      sumInShardOrder(-1, 0, classes, classes, logits);
      if (outBias != null) arrayOps.addBias(rows, classes, outBias.values(), logits);
      int[] y = batches != null ? ys[current] : ShardedStep.this.labels;
      correct = Network.countCorrect(logits, y, rows, classes);
      loss = correct < 0 ? Float.NaN : softmax.lossAndGradient(logits, y, rows);
      if (!Float.isFinite(loss)) {
        loss = Float.NaN;
        return;
      }
      float[] dz = softmax.gradient();
      int own = own(last, t);
      float[] a = blockOut[last];
      gemm.gemm(Op.T, Op.N, own, classes, rows, 1f, a, 0, own, dz, 0, classes, 0f, outWeight.gradient(), 0, classes);
      if (outBias != null) arrayOps.columnSums(rows, classes, dz, outBias.gradient());
      gemm.gemm(Op.N, Op.T, rows, own, classes, 1f, dz, 0, classes, outWeight.values(), 0, classes, 0f, reduced[last], 0, own);
      outOptimizer.step(learningRate);
      backwardBlock(last);
    }

    /** Sums the shards' partial gradients at this shard's units of block i, then block i's backward. */
    void backward(int i) {
      sumInShardOrder(i + 1, bounds[i][t], own(i, t), blocks[i].width(), reduced[i]);
      backwardBlock(i);
    }

    /**
     * {@code d[r * width + j] = sum over shards q, in shard order, of src_q[r * ld + lo + j]}, where
     * src_q is shard q's partial input gradient of hidden block {@code block}, or its partial logits
     * for {@code block < 0}. The fixed order makes the sum a function of the shard count only.
     */
    private void sumInShardOrder(int block, int lo, int width, int ld, float[] d) {
      arrayOps.add(rows, width, partial(0, block), lo, ld, partial(1, block), lo, ld, d, 0, width);
      for (int q = 2; q < shards; q++) arrayOps.add(rows, width, d, 0, width, partial(q, block), lo, ld, d, 0, width);
    }

    private float[] partial(int q, int block) {
      return block < 0 ? shard[q].partialLogits : shard[q].partial[block];
    }

    private void backwardBlock(int i) {
      float[] g = reduced[i];
      Layer[] c = chain[i];
      for (int l = c.length - 1; l >= 0; l--) g = c[l].backward(g, rows);
      partial[i] = g;
      optimizers[i].step(learningRate);
      if (i == 0) {
        if (batches != null && nextRows > 0) batches.load(batch + 1, xs[current ^ 1], ys[current ^ 1]);
      }
    }

    /** The whole input of hidden block i >= 1: every shard's share of block i - 1. */
    private float[] gather(int i) {
      float[] g = gathered[i];
      int w = blocks[i - 1].width();
      for (int q = 0; q < shards; q++) {
        float[] src = shard[q].blockOut[i - 1];
        int lo = bounds[i - 1][q];
        int own = own(i - 1, q);
        for (int r = 0; r < rows; r++) System.arraycopy(src, r * own, g, r * w + lo, own);
      }
      return g;
    }

    /** Network to shard ({@code in}) or back. */
    void copy(boolean in) {
      for (int i = 0; i < blocks.length; i++) {
        Block b = blocks[i];
        int lo = bounds[i][t];
        int own = own(i, t);
        int w = b.width();
        float[] full = b.dense.weight().values();
        float[] mine = dense[i].weight().values();
        for (int p = 0; p < b.dense.inputSize(); p++) copy(in, full, p * w + lo, mine, p * own, own);
        if (b.dense.hasBias()) copy(in, b.dense.bias().values(), lo, dense[i].bias().values(), 0, own);
        if (b.batchNorm != null) {
          copy(in, b.batchNorm.gamma().values(), lo, batchNorm[i].gamma().values(), 0, own);
          copy(in, b.batchNorm.beta().values(), lo, batchNorm[i].beta().values(), 0, own);
          copy(in, b.batchNorm.runningMean(), lo, batchNorm[i].runningMean(), 0, own);
          copy(in, b.batchNorm.runningVar(), lo, batchNorm[i].runningVar(), 0, own);
        }
      }
      int last = blocks.length - 1;
      copy(in, output.weight().values(), bounds[last][t] * classes, outWeight.values(), 0, own(last, t) * classes);
      // Every shard holds the same output bias; the network takes shard 0's.
      if (outBias != null && (in || t == 0)) copy(in, output.bias().values(), 0, outBias.values(), 0, classes);
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
