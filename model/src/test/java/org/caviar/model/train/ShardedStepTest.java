package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.caviar.kernels.Workers;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.DigitsSplit;
import org.caviar.model.data.MiniBatches;
import org.caviar.model.layer.Parameter;
import org.caviar.model.optim.OptimizerSpec;
import org.junit.jupiter.api.Test;

/**
 * The training step split by features ({@link ShardedStep}): its result depends on the number of
 * shards only, never on the threads that run them; it computes what the unsharded step computes
 * up to rounding; and the trainer uses it for {@code Kernels.parallel(n)} without the caller
 * noticing anything but the speed.
 */
class ShardedStepTest {
  private static final Dataset DATA = ParallelTrainingTest.randomData(384, 200, 10, 5);

  /** Widths that are not multiples of a vector or of the shard count, every activation, dropout. */
  private static final List<String> SPECS = List.of(
      "200-128-128-10 relu batchnorm",
      "200-100-37-10 tanh batchnorm dropout=0.2",
      "200-64-48-33-10 sigmoid",
      "200-96-10 leaky_relu batchnorm",
      "200-5-10 relu");

  @Test
  void theShardsGiveTheSameBitsOnAnyTeam() {
    for (String spec : SPECS) {
      for (int shards : new int[] {2, 3}) {
        // Shards in turn on the calling thread against shards on a team of their own count.
        float[] inTurn = train(spec, shards, Workers.of(1));
        float[] onTeam = train(spec, shards, Workers.of(shards));
        TrainerTest.assertAllFinite(inTurn, spec + ", " + shards + " shards in turn");
        assertArrayEquals(inTurn, onTeam, spec + ", " + shards + " shards: losses, parameters and running statistics");
      }
    }
  }

  /**
   * What every shard holds a copy of (a block split by its inputs but for its weight rows, the
   * output bias, the output weights after such a block) stays the same on every shard through
   * training: each shard sums the same partial sums in the same order and draws the same dropout
   * masks there. Different masks, say, would pass the bit test above (the run is deterministic
   * either way) but train each shard's rows on another gradient.
   */
  @Test
  void theShardsCopiesStayTheSame() {
    for (String spec : SPECS) {
      for (int shards : new int[] {2, 3}) {
        for (int threads : new int[] {1, shards}) {
          Network n = Network.create(NetworkSpec.parse(spec), 8);
          ShardedStep step = new ShardedStep(n, shards, Workers.of(threads), new OptimizerSpec.Adam(), 1e-4f, 4);
          MiniBatches batches = new MiniBatches(DATA, 64, 2, 4);
          for (int e = 0; e < 2; e++) {
            batches.shuffle();
            for (int b = 0; b < batches.batchCount(); b++) assertTrue(Float.isFinite(step.step(batches, b, 1e-3f)), spec);
          }
          assertTrue(step.copiesAgree(), spec + ", " + shards + " shards on " + threads + " threads");
        }
      }
    }
  }

  /** Three epochs of Adam from seed 8 on {@code shards} shards; the losses of every step, then the network's arrays. */
  private static float[] train(String spec, int shards, Workers team) {
    Network n = Network.create(NetworkSpec.parse(spec), 8);
    ShardedStep step = new ShardedStep(n, shards, team, new OptimizerSpec.Adam(), 1e-4f, 4);
    MiniBatches batches = new MiniBatches(DATA, 64, 2, 4);
    float[] losses = new float[3 * batches.batchCount()];
    for (int e = 0, i = 0; e < 3; e++) {
      batches.shuffle();
      for (int b = 0; b < batches.batchCount(); b++) losses[i++] = step.step(batches, b, 1e-3f);
    }
    step.push();
    float[] weights = TrainerTest.parametersAndState(n);
    float[] all = new float[losses.length + weights.length];
    System.arraycopy(losses, 0, all, 0, losses.length);
    System.arraycopy(weights, 0, all, losses.length, weights.length);
    return all;
  }

  /**
   * Each shard loads the whole next batch into buffers of its own at the end of a step: the steps
   * see the same batches as steps on batches loaded by the caller, also across a reshuffle in the
   * middle of an epoch (the loaded-ahead rows are then stale).
   */
  @Test
  void batchesLoadedAheadAreTheBatchesLoadedByTheCaller() {
    AheadAndCaller both = new AheadAndCaller();
    MiniBatches ba = new MiniBatches(DATA, 50, 2, 3); // 384 rows: 7 batches of 50, the last of 34
    MiniBatches bc = new MiniBatches(DATA, 50, 2, 3);
    for (int epoch = 0; epoch < 2; epoch++) {
      ba.shuffle();
      bc.shuffle();
      for (int b = 0; b < ba.batchCount(); b++) {
        if (epoch == 1 && b == 3) {
          ba.shuffle();
          bc.shuffle();
        }
        both.step(ba, bc, b, "epoch " + epoch + ", batch " + b);
      }
    }
    both.assertSameNetworks();
  }

  /**
   * A step whose batch is larger than any before grows the shards' buffers (and drops what was
   * loaded ahead): batches of 32, then of 64, then of 32 again, as the caller's batches.
   */
  @Test
  void stepsThatGrowTheBuffersSeeTheCallersBatches() {
    AheadAndCaller both = new AheadAndCaller();
    for (int size : new int[] {32, 64, 32}) {
      MiniBatches ba = new MiniBatches(DATA, size, 2, size);
      MiniBatches bc = new MiniBatches(DATA, size, 2, size);
      ba.shuffle();
      bc.shuffle();
      for (int b = 0; b < ba.batchCount(); b++) both.step(ba, bc, b, "batch size " + size + ", batch " + b);
    }
    both.assertSameNetworks();
  }

  /** Two sharded steps from the same network: one loads its batches ahead, the other is given the caller's. */
  private static final class AheadAndCaller {
    final Network ahead = Network.create(NetworkSpec.parse("200-64-48-10 relu batchnorm"), 6);
    final Network caller = Network.create(NetworkSpec.parse("200-64-48-10 relu batchnorm"), 6);
    final ShardedStep a = new ShardedStep(ahead, 2, Workers.of(2), new OptimizerSpec.Adam(), 0f, 1);
    final ShardedStep c = new ShardedStep(caller, 2, Workers.of(2), new OptimizerSpec.Adam(), 0f, 1);

    /** Batch b: of {@code ba} loaded ahead, of {@code bc} (shuffled alike) loaded by the caller; the same loss. */
    void step(MiniBatches ba, MiniBatches bc, int b, String what) {
      int rows = bc.load(b);
      float lossCaller = c.step(bc.features(), bc.labels(), rows, 1e-3f);
      assertTrue(Float.isFinite(lossCaller), what + ": loss " + lossCaller);
      assertEquals(lossCaller, a.step(ba, b, 1e-3f), what);
    }

    void assertSameNetworks() {
      a.push();
      c.push();
      TrainerTest.assertAllFinite(TrainerTest.parametersAndState(caller), "the caller-loaded run");
      assertArrayEquals(TrainerTest.parametersAndState(caller), TrainerTest.parametersAndState(ahead));
    }
  }

  /**
   * One SGD step with weight decay, sharded and not, from the same network: nearly the same loss,
   * update and running statistics. A block split by its units computes each of its elements by the
   * same chain of operations as the unsharded layer; what differs are sums over a layer's units that the shards
   * split into one partial sum each: the pre-activation of a block split by its inputs (the second
   * hidden block), the gradient at the input of a block split by its units, and the logits when the
   * output is split. Float sums of n terms err by at most n * 2^-24 of the sum of the terms'
   * magnitudes (7.6e-6 for 128 units); the test allows 1e-4 of a tensor's largest change in the
   * step, with room for cancellation and for batch norm, which divides a pre-activation's error by
   * the batch's standard deviation.
   */
  @Test
  void oneStepUpdatesAsTheUnshardedStepUpToRounding() {
    for (String spec : List.of("200-128-128-10 relu batchnorm", "200-64-48-33-10 sigmoid", "200-96-10 tanh")) {
      for (int shards : new int[] {2, 3}) {
        oneStepAgainstTheUnshardedStep(spec, shards);
      }
    }
  }

  private static void oneStepAgainstTheUnshardedStep(String spec, int shards) {
    Network plain = Network.create(NetworkSpec.parse(spec), 3);
    Network sharded = Network.create(NetworkSpec.parse(spec), 3);
    float[] before = TrainerTest.parametersAndState(plain);
    MiniBatches batches = new MiniBatches(DATA, 128, 2, 1);
    batches.shuffle();
    int rows = batches.load(0);
    // With weight decay, which each shard's optimizers apply to their own tensors: it must reach
    // the same tensors as unsharded (weights, not biases, gamma or beta), the output layer's too.
    float decay = 0.1f;
    TrainingConfig config = TrainingConfig.builder().optimizer(new OptimizerSpec.Sgd()).batchSize(128).weightDecay(decay).build();
    float plainLoss = new Trainer(plain, config).step(batches.features(), batches.labels(), rows, 0.1f);
    ShardedStep step = new ShardedStep(sharded, shards, Workers.of(shards), new OptimizerSpec.Sgd(), decay, 1);
    float shardedLoss = step.step(batches.features(), batches.labels(), rows, 0.1f);
    step.push();
    // The loss is a function of the logits, and cross-entropy moves by at most twice a logit's
    // error: a float sum of n <= 128 terms of magnitude about 1 errs by 7.6e-6 at most.
    spec = spec + ", " + shards + " shards";
    assertEquals(plainLoss, shardedLoss, 2e-5f * plainLoss, spec + ": loss");
    int at = 0;
    for (int i = 0; i < plain.parameters().size(); i++) {
      Parameter p = plain.parameters().get(i);
      assertChangedAlike(spec + ": " + p.name(), before, at, p.values(), sharded.parameters().get(i).values());
      at += p.size();
    }
    for (int i = 0; i < plain.state().size(); i++) {
      var s = plain.state().get(i);
      assertChangedAlike(spec + ": " + s.name() + " (forward only)", before, at, s.values(), sharded.state().get(i).values());
      at += s.values().length;
    }
  }

  /** {@code sharded} is {@code plain} to 1e-4 of the largest change from {@code before[at...]}, plus two ulps. */
  private static void assertChangedAlike(String what, float[] before, int at, float[] plain, float[] sharded) {
    double largest = 0;
    for (int j = 0; j < plain.length; j++) largest = Math.max(largest, Math.abs(plain[j] - before[at + j]));
    for (int j = 0; j < plain.length; j++) {
      double bound = 1e-4 * largest + Math.ulp(Math.abs(plain[j])) * 2;
      assertTrue(Math.abs(plain[j] - sharded[j]) <= bound,
          what + "[" + j + "] changed to " + sharded[j] + " sharded, " + plain[j] + " not (bound " + bound + ")");
    }
  }

  @Test
  void smallStepsStayOnOneThread() {
    // 64-32-10 at batch 50: 6 x 2,368 x 50 = 0.7 MFLOP a step, far below the threshold.
    Network n = Network.create(NetworkSpec.parse("64-32-10 relu"), 1, Kernels.parallel(2));
    Trainer small = new Trainer(n, TrainingConfig.builder().batchSize(50).build());
    float[] before = TrainerTest.parametersAndState(n);
    MiniBatches batches = small.batches(DigitsSplit.TRAIN);
    batches.shuffle();
    int rows = batches.load(0);
    small.step(batches.features(), batches.labels(), rows, 1e-3f);
    assertFalse(java.util.Arrays.equals(before, TrainerTest.parametersAndState(n)), "an unsharded step updates the network at once");
  }

  @Test
  void pullAndPushCopyEveryParameterAndStatistic() {
    for (String spec : SPECS) {
      for (int shards : new int[] {2, 3}) {
        Network n = Network.create(NetworkSpec.parse(spec), 2);
        Random r = new Random(9);
        for (Parameter p : n.parameters()) for (int i = 0; i < p.size(); i++) p.values()[i] = (float) r.nextGaussian();
        for (var s : n.state()) for (int i = 0; i < s.values().length; i++) s.values()[i] = r.nextFloat() + 0.5f;
        float[] original = TrainerTest.parametersAndState(n);
        ShardedStep step = new ShardedStep(n, shards, Workers.of(1), new OptimizerSpec.Adam(), 0f, 1); // pulls
        for (Parameter p : n.parameters()) java.util.Arrays.fill(p.values(), 0f);
        for (var s : n.state()) java.util.Arrays.fill(s.values(), 0f);
        step.push();
        assertArrayEquals(original, TrainerTest.parametersAndState(n), spec + ", " + shards + " shards");
      }
    }
  }

  @Test
  void aTrainerOnParallelKernelsTrainsDigitsAsWellAsOneThread() {
    // DigitsTrainingTest's run on two threads: 97% test accuracy, the same claim with the same margin.
    Network network = Network.create(NetworkSpec.parse("64-128-128-10 relu batchnorm"), 1, Kernels.parallel(2));
    // Sharded although the step is small enough to stay on one thread by default.
    Trainer trainer = new Trainer(network, TrainingConfig.builder().epochs(30).batchSize(64).seed(1).build(), true);
    TrainingResult result = trainer.fit(DigitsSplit.TRAIN, DigitsSplit.VALIDATION, null);
    Evaluation test = trainer.evaluate(DigitsSplit.TEST);
    assertEquals(TrainingStatus.COMPLETED, result.status());
    assertTrue(test.accuracy() >= 0.97, "test accuracy " + test.accuracy());
  }

  /**
   * The benchmarks' trainer with the shards in turn on the caller (a team of one) trains to the
   * bits of the shards on a team of two, and so is the split step: not the unsharded one.
   */
  @Test
  void aTrainerWithShardsInTurnTrainsToTheBitsOfShardsOnTheirOwnThreads() {
    NetworkSpec spec = NetworkSpec.parse("200-100-37-10 relu batchnorm");
    TrainingConfig config = TrainingConfig.builder().batchSize(64).seed(3).build();
    float[] inTurn = twoEpochs(spec, config, 0);
    float[] onTeam = twoEpochs(spec, config, 1);
    float[] unsharded = twoEpochs(spec, config, 2);
    TrainerTest.assertAllFinite(inTurn, "shards in turn");
    assertArrayEquals(onTeam, inTurn);
    assertFalse(java.util.Arrays.equals(unsharded, inTurn), "the split step's partial sums round unlike the unsharded step's");
  }

  /** The network's arrays after two epochs of a trainer: 0 shards in turn, 1 shards on two threads, 2 one thread unsharded. */
  private static float[] twoEpochs(NetworkSpec spec, TrainingConfig config, int kind) {
    Network n = Network.create(spec, 5, kind == 2 ? Kernels.vector() : Kernels.parallel(2));
    Trainer t = kind == 0 ? Trainer.shardedInTurn(n, config) : new Trainer(n, config, true);
    MiniBatches batches = t.batches(DATA);
    for (int e = 0; e < 2; e++) assertFalse(t.trainEpoch(batches, 1e-3f).diverged());
    return TrainerTest.parametersAndState(n);
  }

  @Test
  void shardsInTurnNeedKernelsOfSeveralThreadsAndANetworkThatSplits() {
    TrainingConfig config = TrainingConfig.builder().build();
    Network oneThread = Network.create(NetworkSpec.parse("200-64-10 relu"), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.shardedInTurn(oneThread, config));
    assertTrue(e.getMessage().contains("threads = 1"), e.getMessage());
    Network narrow = Network.create(NetworkSpec.parse("200-1-10 relu"), 1, Kernels.parallel(2));
    e = assertThrows(IllegalArgumentException.class, () -> Trainer.shardedInTurn(narrow, config));
    assertTrue(e.getMessage().contains("cannot be split 2 ways"), e.getMessage());
  }

  @Test
  void bareStepsReachTheNetworkWhenSynced() {
    Network n = Network.create(NetworkSpec.parse("200-128-64-10 relu batchnorm"), 2, Kernels.parallel(2));
    float[] before = TrainerTest.parametersAndState(n);
    Trainer trainer = new Trainer(n, TrainingConfig.builder().batchSize(64).build(), true);
    MiniBatches batches = trainer.batches(DATA);
    batches.shuffle();
    int rows = batches.load(0);
    trainer.step(batches.features(), batches.labels(), rows, 1e-3f);
    assertArrayEquals(before, TrainerTest.parametersAndState(n), "the shards hold the step's update until a sync");
    trainer.syncNetwork();
    float[] synced = TrainerTest.parametersAndState(n);
    assertFalse(java.util.Arrays.equals(before, synced), "synced");
    // evaluate() syncs by itself: after a second step, it scores the updated network.
    trainer.step(batches.features(), batches.labels(), rows, 1e-3f);
    trainer.evaluate(DATA);
    assertFalse(java.util.Arrays.equals(synced, TrainerTest.parametersAndState(n)), "evaluate synced the second step");
  }

  /**
   * After a sync the network's arrays are the live ones again: a bare step that follows starts from
   * them, changed or not (weights put back by hand here; fit's restoreBest does the same), as an
   * epoch does. SGD has no state, so the same step from the same weights gives the same bits.
   */
  @Test
  void aBareStepAfterASyncStartsFromTheNetworksWeights() {
    Network n = Network.create(NetworkSpec.parse("200-128-64-10 relu"), 2, Kernels.parallel(2));
    List<Parameter> ps = n.parameters();
    float[][] initial = new float[ps.size()][];
    for (int i = 0; i < ps.size(); i++) initial[i] = ps.get(i).values().clone();
    Trainer trainer = new Trainer(n, TrainingConfig.builder().batchSize(64).optimizer(new OptimizerSpec.Sgd()).build(), true);
    MiniBatches batches = trainer.batches(DATA);
    batches.shuffle();
    int rows = batches.load(0);
    trainer.step(batches.features(), batches.labels(), rows, 1e-2f);
    trainer.syncNetwork();
    float[] once = TrainerTest.parametersAndState(n);
    for (int i = 0; i < ps.size(); i++) System.arraycopy(initial[i], 0, ps.get(i).values(), 0, initial[i].length);
    trainer.step(batches.features(), batches.labels(), rows, 1e-2f);
    trainer.syncNetwork();
    assertArrayEquals(once, TrainerTest.parametersAndState(n), "the second step started from the weights put back");
  }

  @Test
  void aStepWithNonFiniteLogitsUpdatesNothing() {
    // The output whole on every shard (two hidden blocks) or split by its inputs (one or three).
    for (String spec : List.of("200-64-32-10 relu batchnorm", "200-96-10 relu batchnorm", "200-64-48-33-10 sigmoid")) {
      for (int shards : new int[] {2, 3}) {
        Network n = Network.create(NetworkSpec.parse(spec), 2);
        ShardedStep step = new ShardedStep(n, shards, Workers.of(shards), new OptimizerSpec.Adam(), 0f, 1);
        MiniBatches batches = new MiniBatches(DATA, 64, 2, 1);
        batches.shuffle();
        // A finite step first: the statistics are then not those of a new network.
        assertTrue(Float.isFinite(step.step(batches, 0, 1e-3f)), spec);
        step.push();
        List<Parameter> ps = n.parameters();
        // An output weight of the first unit (shard 0's row when split): every logit of class 3 is NaN.
        ps.get(ps.size() - 2).values()[3] = Float.NaN;
        step.pull();
        float[] before = TrainerTest.parametersAndState(n);
        assertTrue(Float.isNaN(step.step(batches, 1, 1e-3f)), spec);
        assertEquals(-1, step.lastCorrect(), spec);
        assertTrue(step.copiesAgree(), spec);
        step.push();
        // The parameters and batch norm's running statistics, as in the unsharded step.
        assertArrayEquals(before, TrainerTest.parametersAndState(n), spec + ", " + shards + " shards");
      }
    }
  }

  @Test
  void divergenceStopsTrainingWithAClearStatus() {
    Network network = Network.create(NetworkSpec.parse("64-32-10 relu"), 3, Kernels.parallel(2));
    TrainingConfig config = TrainingConfig.builder().epochs(5).optimizer(new OptimizerSpec.Sgd()).learningRate(1e9f).build();
    TrainingResult r = new Trainer(network, config, true).fit(DigitsSplit.TRAIN, DigitsSplit.VALIDATION, null);
    assertEquals(TrainingStatus.DIVERGED, r.status(), r.message());
    assertTrue(r.message().contains("lower learning rate"), r.message());
  }
}
