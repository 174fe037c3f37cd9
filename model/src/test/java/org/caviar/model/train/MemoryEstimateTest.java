package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.management.ManagementFactory;
import java.util.List;
import org.caviar.model.CoverageAgent;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.data.Dataset;
import org.caviar.model.data.DigitsSplit;
import org.caviar.model.optim.OptimizerSpec;
import org.junit.jupiter.api.Test;

/**
 * Trainer.memoryEstimate: what training a spec holds, counted before anything is allocated, so
 * that a network too large for the heap can be refused at once (it allocated for half a minute and
 * ended in an OutOfMemoryError). Checked by its arithmetic, and against what one thread allocates.
 */
class MemoryEstimateTest {
  private static TrainingConfig config(OptimizerSpec optimizer, int batch, boolean restoreBest) {
    return TrainingConfig.builder().optimizer(optimizer).batchSize(batch).restoreBest(restoreBest).epochs(1).build();
  }

  /** The spec's counts are those of the network it builds: parameters, batch norm statistics. */
  @Test
  void theSpecCountsWhatItsNetworkHolds() {
    for (String text : List.of("64-10", "64-100-10 relu", "5-7-6-3 tanh batchnorm dropout=0.1", "3-4-4-4-2 sigmoid batchnorm")) {
      NetworkSpec spec = NetworkSpec.parse(text);
      Network network = Network.create(spec, 1);
      assertEquals(network.parameterCount(), spec.parameterCount(), text);
      assertEquals(network.state().stream().mapToLong(s -> s.values().length).sum(), spec.stateCount(), text);
    }
  }

  /** Per row: a dense layer's output and input gradient, batch norm 3, activation 2, dropout 3 per unit, the loss's gradient. */
  @Test
  void theWorkspacePerRowIsEachLayersArrays() {
    assertEquals((64 + 100) + 2 * 100 + (100 + 10) + 10, NetworkSpec.parse("64-100-10").workspaceFloatsPerRow());
    assertEquals((5 + 7) + 3 * 7 + 2 * 7 + 3 * 7 + (7 + 3) + 3, NetworkSpec.parse("5-7-3 tanh batchnorm dropout=0.1").workspaceFloatsPerRow());
    assertEquals(64 + 10 + 10, NetworkSpec.parse("64-10").workspaceFloatsPerRow());
  }

  @Test
  void oneThreadHoldsWeightsGradientsMomentsAndTheBestEpoch() {
    NetworkSpec spec = NetworkSpec.parse("64-100-10");
    long values = 64 * 100 + 100 + 100 * 10 + 10;
    // Rows: the larger of a batch (64) and an evaluation chunk (256), each the workspace and its inputs.
    long workspace = 256L * (spec.workspaceFloatsPerRow() + 64);
    Trainer.MemoryEstimate adam = Trainer.memoryEstimate(spec, config(new OptimizerSpec.Adam(), 64, true), 1, 1000);
    assertEquals(values, adam.values());
    assertEquals(5, adam.copies(), adam.held());
    assertEquals("weights, gradients, adam's 2 moments, the best epoch's copy", adam.held());
    assertEquals(4 * (values * 5 + workspace), adam.bytes());
    Trainer.MemoryEstimate sgd = Trainer.memoryEstimate(spec, config(new OptimizerSpec.Sgd(), 64, false), 1, 1000);
    assertEquals(2, sgd.copies(), sgd.held());
    assertEquals("weights, gradients", sgd.held());
    Trainer.MemoryEstimate momentum = Trainer.memoryEstimate(spec, config(new OptimizerSpec.Momentum(), 64, false), 1, 1000);
    assertEquals(3, momentum.copies());
    assertEquals("weights, gradients, momentum's moment", momentum.held());
    Trainer.MemoryEstimate rmsprop = Trainer.memoryEstimate(spec, config(new OptimizerSpec.RmsProp(), 64, false), 1, 1000);
    assertEquals(3, rmsprop.copies());
    assertEquals("weights, gradients, rmsprop's moment", rmsprop.held());
    // A batch of 4096 rows of a file of 1000 is 1000 rows: the trainer sizes for no more.
    Trainer.MemoryEstimate large = Trainer.memoryEstimate(spec, config(new OptimizerSpec.Sgd(), 4096, false), 1, 1000);
    assertEquals(1000, large.batchRows());
    assertEquals(1000L * (spec.workspaceFloatsPerRow() + 64), large.workspaceFloats());
  }

  @Test
  void severalThreadsAddTheSplitStepAndTheEvaluationReplicas() {
    // 6 x 148,000 multiply-adds x 64 rows = 57 MFLOP a step, past Trainer.MIN_SHARDED_FLOPS: split.
    NetworkSpec wide = NetworkSpec.parse("64-2000-10");
    Trainer.MemoryEstimate split = Trainer.memoryEstimate(wide, config(new OptimizerSpec.Adam(), 64, true), 2, 1000);
    // The replicas only evaluate: their weights, one float each, and no gradients (EvaluatorReplicasTest).
    assertEquals(5 + 4 + 2, split.copies(), split.held());
    assertEquals("weights, gradients, adam's 2 moments, the best epoch's copy, the step split over 2 threads (4 more), "
        + "2 evaluation replicas' weights", split.held());
    // A batch for the network, one for each shard, and an evaluation chunk for each replica.
    assertEquals((64L * 3 + 2 * 256) * (wide.workspaceFloatsPerRow() + 64), split.workspaceFloats());
    // The digits MLP's step is too small to split: only the replicas.
    Trainer.MemoryEstimate small = Trainer.memoryEstimate(NetworkSpec.parse("64-128-128-10"), config(new OptimizerSpec.Adam(), 64, true), 2, 1000);
    assertEquals(5 + 2, small.copies(), small.held());
  }

  @Test
  void badArgumentsAreNamed() {
    NetworkSpec spec = NetworkSpec.parse("64-10");
    TrainingConfig c = config(new OptimizerSpec.Sgd(), 8, false);
    assertEquals("threads must be >= 1, got 0", assertThrows(IllegalArgumentException.class, () -> Trainer.memoryEstimate(spec, c, 0, 10)).getMessage());
    assertEquals("trainRows must be >= 0, got -1", assertThrows(IllegalArgumentException.class, () -> Trainer.memoryEstimate(spec, c, 1, -1)).getMessage());
  }

  /**
   * The estimate against the bytes one thread allocates to build the network and the trainer and
   * to fit one epoch with validation (scalar kernels: the Vector API boxes its vectors until C2
   * compiles them, allocation that is garbage at once and no part of what training holds).
   */
  @Test
  void theEstimateIsWhatOneThreadAllocates() {
    assumeFalse(CoverageAgent.attached(), "allocation is not measured under the JaCoCo agent (see CoverageAgent)");
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    NetworkSpec spec = NetworkSpec.parse("64-600-600-10 relu batchnorm dropout=0.1");
    // Batches of an evaluation chunk's rows: the workspaces are sized once. With smaller batches
    // the first batch's are replaced by the chunk's, garbage that counts as allocated, not as held.
    TrainingConfig config = config(new OptimizerSpec.Adam(), Evaluator.CHUNK_ROWS, true);
    Dataset train = DigitsSplit.TRAIN.head(2 * Evaluator.CHUNK_ROWS);
    Dataset validation = DigitsSplit.VALIDATION; // 359 rows: a whole evaluation chunk of 256, as the estimate takes
    long before = mx.getCurrentThreadAllocatedBytes();
    Network network = Network.create(spec, 1, Kernels.scalar());
    Trainer trainer = new Trainer(network, config);
    trainer.fit(train, validation, null);
    long allocated = mx.getCurrentThreadAllocatedBytes() - before;
    long estimate = Trainer.memoryEstimate(spec, config, 1, train.rows()).bytes();
    // 5 floats per value of 0.4 M values (8.2 MB) and 256 rows of workspaces (12.4 MB): the arrays'
    // headers, the objects that hold them and fit's own small allocations (metrics, the confusion
    // matrix, the batches' indices) add the rest, 2.1% here (2026-12-06); under 10% allowed.
    double ratio = (double) allocated / estimate;
    assertTrue(ratio >= 1 && ratio < 1.1, "allocated " + allocated + " bytes, estimated " + estimate + " (ratio " + ratio + ")");
  }
}
