package org.caviar.bench;

import java.util.List;
import org.caviar.kernels.Gemm;
import org.caviar.kernels.Gemm.Op;
import org.caviar.model.NetworkSpec;

/**
 * The matrix products of an MLP's training steps and nothing else, on buffers of the sizes the
 * network's own would have: what {@link GemmShareBench#gemmReplay} times to find GEMM's share of a
 * training step without instrumenting the model.
 *
 * <p>The calls mirror the model's {@code Dense} (W stored {@code in x out} row-major) and
 * {@code Network} (layers forward in order, then backward in reverse), each with the same operand
 * roles, leading dimensions and order:
 * <ul>
 *   <li>forward, each dense layer: {@code Y = X W}, NN, {@code m = rows, n = out, k = in};
 *   <li>backward, each dense layer from the last: {@code dW = X^T dY}, TN, {@code m = in, n = out,
 *       k = rows}; then, except for the first layer (whose input gradient nothing consumes),
 *       {@code dX = dY W^T}, NT, {@code m = rows, n = in, k = out}.
 * </ul>
 * Every layer has its own input, output, weight and gradient arrays, as in the network, so the
 * replay's working set, and so its cache behaviour, is that of the real step.
 * {@code TrainGemmReplayTest} holds these calls to a real network's step, bit for bit.
 */
final class TrainGemmReplay {
  private final Gemm gemm;
  private final int[] sizes;
  private final int[] batchRows;

  // Per dense layer l (sizes[l] inputs, sizes[l + 1] outputs); package-private for the test.
  final float[][] input;
  final float[][] weight;
  final float[][] output;
  final float[][] outputGradient;
  final float[][] weightGradient;
  /** Null for the first layer, which has no input gradient. */
  final float[][] inputGradient;

  /**
   * @param sizes layer widths: inputs, hidden..., classes
   * @param batchRows the rows of each batch of the epoch {@link #epoch()} replays
   */
  TrainGemmReplay(int[] sizes, int[] batchRows, Gemm gemm) {
    if (sizes.length < 2) throw new IllegalArgumentException("sizes needs inputs and classes, got " + sizes.length);
    if (batchRows.length == 0) throw new IllegalArgumentException("batchRows must not be empty");
    this.gemm = gemm;
    this.sizes = sizes.clone();
    this.batchRows = batchRows.clone();
    int rows = 0;
    for (int r : batchRows) rows = Math.max(rows, r);
    int layers = sizes.length - 1;
    input = new float[layers][];
    weight = new float[layers][];
    output = new float[layers][];
    outputGradient = new float[layers][];
    weightGradient = new float[layers][];
    inputGradient = new float[layers][];
    for (int l = 0; l < layers; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      // Values in [-1, 1): no subnormals, whose slow path would distort the time.
      input[l] = RandomArrays.uniform(100 + l, rows * in, 1f);
      weight[l] = RandomArrays.uniform(200 + l, in * out, 1f);
      outputGradient[l] = RandomArrays.uniform(300 + l, rows * out, 1f);
      output[l] = new float[rows * out];
      weightGradient[l] = new float[in * out];
      inputGradient[l] = l == 0 ? null : new float[rows * in];
    }
  }

  /** The replay of a network that {@code spec} describes. */
  static TrainGemmReplay of(NetworkSpec spec, int[] batchRows, Gemm gemm) {
    return new TrainGemmReplay(sizes(spec), batchRows, gemm);
  }

  /** Inputs, hidden widths, classes. */
  static int[] sizes(NetworkSpec spec) {
    List<Integer> hidden = spec.hidden();
    int[] sizes = new int[hidden.size() + 2];
    sizes[0] = spec.inputs();
    for (int i = 0; i < hidden.size(); i++) sizes[i + 1] = hidden.get(i);
    sizes[sizes.length - 1] = spec.classes();
    return sizes;
  }

  /** The products of every batch of the epoch. */
  void epoch() {
    for (int rows : batchRows) step(rows);
  }

  /** The products of one training step on {@code rows} examples, in the network's order. */
  void step(int rows) {
    int layers = sizes.length - 1;
    for (int l = 0; l < layers; l++) {
      int in = sizes[l];
      int out = sizes[l + 1];
      gemm.gemm(Op.N, Op.N, rows, out, in, 1f, input[l], 0, in, weight[l], 0, out, 0f, output[l], 0, out);
    }
    for (int l = layers - 1; l >= 0; l--) {
      int in = sizes[l];
      int out = sizes[l + 1];
      gemm.gemm(Op.T, Op.N, in, out, rows, 1f, input[l], 0, in, outputGradient[l], 0, out, 0f, weightGradient[l], 0, out);
      if (l > 0) {
        gemm.gemm(Op.N, Op.T, rows, in, out, 1f, outputGradient[l], 0, out, weight[l], 0, out, 0f, inputGradient[l], 0, in);
      }
    }
  }

  /** A result of the last step, for JMH to consume. */
  float[] lastWeightGradient() {
    return weightGradient[0];
  }

  /** Whether any product of a step on {@code rows} examples is large enough for a parallel GEMM to split. */
  static boolean anyProductSplits(int[] sizes, int rows) {
    for (int l = 0; l + 1 < sizes.length; l++) {
      if (2.0 * rows * sizes[l] * sizes[l + 1] >= Gemm.MIN_PARALLEL_FLOPS) return true;
    }
    return false;
  }

  /** Flops the products of an epoch of batches of {@code batchRows} rows compute: {@code 2 m n k} each. */
  static double flopsPerEpoch(int[] sizes, int[] batchRows) {
    double total = 0;
    for (int rows : batchRows) total += flopsPerStep(sizes, rows);
    return total;
  }

  /**
   * Flops of one step's products: forward and weight gradient of every layer, input gradient of all
   * but the first, {@code 2 rows in out} each. Less than the 3 x forward count by the
   * first layer's input gradient, which the model skips.
   */
  static double flopsPerStep(int[] sizes, int rows) {
    double total = 0;
    for (int l = 0; l + 1 < sizes.length; l++) {
      double product = 2.0 * rows * sizes[l] * sizes[l + 1];
      total += (l == 0 ? 2 : 3) * product;
    }
    return total;
  }
}
