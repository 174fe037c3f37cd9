package org.caviar.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.caviar.kernels.Gemm;
import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.caviar.model.layer.Dense;
import org.caviar.model.layer.Layer;
import org.caviar.model.layer.Mode;

/**
 * The replay makes the products a real training step makes: given the operands a network's step
 * used (each dense layer's input, weights and output gradient), its calls reproduce that step's
 * dense outputs, weight gradients and input gradients.
 *
 * <p>Exact equality: the replay runs the same GEMM as the network ({@link Gemm#vector()}) on the
 * same operands, shapes, transposes and leading dimensions, and that kernel is deterministic (its
 * lane-wise FMAs and adds are IEEE operations, with no lane reduction whose order could change).
 * A wrong shape, transpose, operand or a missing product changes values by O(1), or leaves zeros.
 */
class TrainGemmReplayTest {
  @Provide
  Arbitrary<List<Integer>> hidden() {
    return Arbitraries.integers().between(1, 40).list().ofMinSize(0).ofMaxSize(3);
  }

  @Property(tries = 30)
  void replayReproducesTheProductsOfANetworksStep(
      @ForAll @IntRange(min = 1, max = 40) int inputs,
      @ForAll("hidden") List<Integer> hidden,
      @ForAll @IntRange(min = 2, max = 12) int classes,
      @ForAll @IntRange(min = 2, max = 40) int rows,
      @ForAll boolean batchNorm,
      @ForAll long seed) {
    NetworkSpec spec = NetworkSpec.of(inputs, hidden, classes).withBatchNorm(batchNorm);
    Network network = Network.create(spec, seed, Kernels.vector());
    Random random = new Random(seed);
    float[] x = new float[rows * inputs];
    for (int i = 0; i < x.length; i++) x[i] = (float) (random.nextDouble() * 2 - 1);
    int[] labels = new int[rows];
    for (int r = 0; r < rows; r++) labels[r] = random.nextInt(classes);
    network.forward(x, rows, Mode.TRAIN);
    network.loss(labels, rows);
    network.backward();

    TrainGemmReplay replay = TrainGemmReplay.of(spec, new int[] {rows}, Gemm.vector());
    List<Integer> denseIndices = denseIndices(network);
    assertEquals(TrainGemmReplay.sizes(spec).length - 1, denseIndices.size(), "one replayed layer per dense layer");
    for (int l = 0; l < denseIndices.size(); l++) {
      int i = denseIndices.get(l);
      Dense dense = (Dense) network.layers().get(i);
      float[] in = i == 0 ? x : network.layerOutput(i - 1);
      copy(in, replay.input[l], rows * dense.inputSize());
      copy(dense.weight().values(), replay.weight[l], dense.weight().size());
      copy(network.layerOutputGradient(i), replay.outputGradient[l], rows * dense.outputSize());
    }

    replay.step(rows);

    for (int l = 0; l < denseIndices.size(); l++) {
      int i = denseIndices.get(l);
      Dense dense = (Dense) network.layers().get(i);
      int out = dense.outputSize();
      float[] bias = dense.hasBias() ? dense.bias().values() : null;
      float[] y = network.layerOutput(i);
      for (int e = 0; e < rows * out; e++) {
        // The layer adds its bias after the product: one float add, as here.
        float expected = replay.output[l][e] + (bias == null ? 0f : bias[e % out]);
        assertEquals(y[e], expected, dense.name() + " output " + e);
      }
      assertExactlyEqual(dense.weight().gradient(), replay.weightGradient[l], dense.weight().size(),
          dense.name() + " weight gradient");
      if (l == 0) {
        assertNull(replay.inputGradient[l], "the first layer has no input gradient");
      } else {
        assertExactlyEqual(network.layerOutputGradient(i - 1), replay.inputGradient[l], rows * dense.inputSize(),
            dense.name() + " input gradient");
      }
    }
  }

  /** The flop count follows the calls: 2 rows in out for each product, the first layer's input gradient left out. */
  @Example
  void flopsCountTheProductsOfTheMnistNetwork() {
    int[] sizes = {784, 256, 256, 10};
    double perRow = 2.0 * (2 * 784 * 256 + 3 * 256 * 256 + 3 * 256 * 10);
    assertEquals(32 * perRow, TrainGemmReplay.flopsPerStep(sizes, 32), 0);
    assertEquals((32 + 32 + 5) * perRow, TrainGemmReplay.flopsPerEpoch(sizes, new int[] {32, 32, 5}), 0);
    assertEquals(List.of(784, 256, 256, 10), toList(TrainGemmReplay.sizes(NetworkSpec.parse("784-256-256-10 relu batchnorm"))));
  }

  private static List<Integer> denseIndices(Network network) {
    List<Integer> indices = new ArrayList<>();
    List<Layer> layers = network.layers();
    for (int i = 0; i < layers.size(); i++) if (layers.get(i) instanceof Dense) indices.add(i);
    return indices;
  }

  private static void copy(float[] from, float[] to, int length) {
    System.arraycopy(from, 0, to, 0, length);
  }

  /** Bit for bit (assertEquals on floats compares floatToIntBits) over the first {@code length} elements. */
  private static void assertExactlyEqual(float[] expected, float[] actual, int length, String what) {
    for (int e = 0; e < length; e++) assertEquals(expected[e], actual[e], what + " " + e);
  }

  private static List<Integer> toList(int[] values) {
    List<Integer> list = new ArrayList<>();
    for (int v : values) list.add(v);
    return list;
  }

  /**
   * A case whose every product is below the parallel GEMM's threshold runs on one thread, and its
   * rows say so (their % of peak was against the two-thread peak): the digits MLP at batch 64 under
   * the GEMM split; 784-256-256-10 at batch 32 splits its first layer's products.
   */
  @Example
  void casesTooSmallToSplitReportOneThread() {
    assertEquals(false, TrainGemmReplay.anyProductSplits(TrainGemmReplay.sizes(TrainCase.DIGITS_B64.spec), 64));
    assertEquals(true, TrainGemmReplay.anyProductSplits(TrainGemmReplay.sizes(TrainCase.MNIST_B32.spec), 32));
    assertEquals(1, TrainBench.threadsThatRun(TrainCase.DIGITS_B64, "all-gemm"));
    assertEquals(1, TrainBench.threadsThatRun(TrainCase.DIGITS_B64, "all"));
    int n = Runtime.getRuntime().availableProcessors();
    assertEquals(n, TrainBench.threadsThatRun(TrainCase.MNIST_B32, "all-gemm"));
    assertEquals(n, TrainBench.threadsThatRun(TrainCase.MNIST_B128, "all"));
    assertEquals(1, GemmBench.threadsThatRun("caviar-all", 2.0 * 64 * 64 * 64));
    assertEquals(n, GemmBench.threadsThatRun("caviar-all", 2.0 * 128 * 128 * 128)); // exactly the threshold
  }
}
