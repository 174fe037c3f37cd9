package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.options.TimeValue;

/** What one operation of a kernel benchmark counts, method by method: the bytes its GB/s divides. */
class KernelWorkTest {
  static BenchmarkParams params(String benchmark, Map<String, String> values) {
    WorkloadParams w = new WorkloadParams();
    int order = 0;
    for (Map.Entry<String, String> e : values.entrySet()) w.put(e.getKey(), e.getValue(), order++);
    IterationParams iteration = new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1);
    return new BenchmarkParams(benchmark, benchmark + "_Throughput", false, 1, new int[] {1}, List.of(), 1, 0,
        iteration, iteration, Mode.Throughput, w, TimeUnit.SECONDS, 1, "java", List.of(), "25", "vm", "25", "1.37",
        TimeValue.minutes(10));
  }

  private static Work softmax(String method) {
    return SoftmaxBench.work(params(SoftmaxBench.class.getName() + "." + method, Map.of("rows", "3", "cols", "5", "impl", "vector")));
  }

  private static Work batchNorm(String method) {
    return BatchNormBench.work(params(BatchNormBench.class.getName() + "." + method,
        Map.of("examples", "3", "features", "5", "impl", "scalar")));
  }

  @Test
  void eachSoftmaxKernelReadsTheLogitsAndWritesOneOutput() {
    Work xent = softmax("crossEntropy");
    assertEquals("softmax-xent", xent.kernel());
    assertEquals(8 * 15 + 4 * 3, xent.bytes()); // logits in, gradient out, and the labels
    Work forward = softmax("forward");
    assertEquals("softmax", forward.kernel());
    assertEquals(8 * 15, forward.bytes()); // logits in, probabilities out
    Work log = softmax("logForward");
    assertEquals("log-softmax", log.kernel());
    assertEquals(8 * 15, log.bytes());
    assertEquals(15, log.elements());
    assertEquals("caviar-vector", log.impl());
  }

  @Test
  void batchNormInferenceCountsOnePassAndTheStatistics() {
    Work train = batchNorm("forwardBackward");
    assertEquals("batchnorm-train", train.kernel());
    assertEquals(4 * (6 * 15 + 12 * 5), train.bytes());
    Work inference = batchNorm("forwardInference");
    assertEquals("batchnorm-inference", inference.kernel());
    assertEquals(4 * (2 * 15 + 4 * 5), inference.bytes()); // x in, y out; gamma, beta, running mean and variance in
    assertEquals(15, inference.elements());
  }

  private static Work mlp(String layer, String impl) {
    return GemmMlpBench.work(params(GemmMlpBench.class.getName() + ".gemm",
        Map.of("batch", "32", "layer", layer, "form", "forward", "impl", impl)));
  }

  /**
   * The parallel GEMM keeps a product below Gemm.MIN_PARALLEL_FLOPS on the calling thread: its row
   * must say one thread, or its % of peak is taken against the peak of all of them (half, on two).
   */
  @Test
  void anMlpProductTooSmallToSplitRanOnOneThread() {
    Work small = mlp("256x10", "caviar-all"); // 2 x 32 x 256 x 10 = 164 kflop
    assertEquals(1, small.threads());
    assertEquals(2.0 * 32 * 256 * 10, small.flops());
    Work large = mlp("784x256", "caviar-all"); // 12.8 Mflop
    assertEquals(Runtime.getRuntime().availableProcessors(), large.threads());
    assertEquals(1, mlp("784x256", "caviar").threads());
  }
}
