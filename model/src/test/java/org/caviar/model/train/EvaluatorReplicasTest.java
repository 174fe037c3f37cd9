package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.lang.management.ManagementFactory;
import org.caviar.model.CoverageAgent;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.junit.jupiter.api.Test;

/**
 * The evaluator's replicas of a network on parallel kernels (one per thread) only run forward in
 * inference mode: they hold the network's weights and batch-norm statistics, copied in at each
 * evaluation, and no gradients. Each was a full network, a gradient array for every parameter
 * that evaluation never wrote nor read: 2 of the 13 floats per parameter that
 * Trainer.memoryEstimate counts for Adam on two threads.
 */
class EvaluatorReplicasTest {
  /**
   * The bytes building an evaluator on two threads allocates: per replica, its parameters and
   * statistics once, and its chunk's inputs and labels. With gradients it was twice the values.
   */
  @Test
  void theReplicasHoldTheirWeightsAndNoGradients() {
    assumeFalse(CoverageAgent.attached(), "allocation is not measured under the JaCoCo agent (see CoverageAgent)");
    var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    NetworkSpec spec = NetworkSpec.parse("128-1000-1000-10 relu batchnorm");
    int threads = 2;
    Network network = Network.create(spec, 1, Kernels.parallel(threads));
    long before = mx.getCurrentThreadAllocatedBytes();
    new Evaluator(network);
    long allocated = mx.getCurrentThreadAllocatedBytes() - before;
    // The replicas' share of Trainer.memoryEstimate (one float per value each), and a chunk of
    // Evaluator.CHUNK_ROWS rows of inputs and labels per replica.
    long values = spec.parameterCount() + spec.stateCount();
    long chunk = (long) Evaluator.CHUNK_ROWS * (spec.inputs() + 1);
    long expected = (long) Float.BYTES * threads * (values + chunk);
    // 1.14 M values (4.6 MB a replica): the arrays' headers, the layers' objects and batch norm's
    // per-unit scratch (its batch mean and 1/std, a probe's statistics) add 1.7% here (2026-12-06);
    // under 10% allowed. A gradient per value made it 1.98: twice the values, and the chunks.
    double ratio = (double) allocated / expected;
    assertTrue(ratio >= 1 && ratio < 1.1, "allocated " + allocated + " bytes, expected " + expected + " (ratio " + ratio + ")");
  }
}
