package org.caviar.model.layer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.caviar.model.Activation;
import org.caviar.model.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The double-precision reference passes are public: arrays too short for {@code rows}, or
 * parameters of the wrong count or length, were an ArrayIndexOutOfBoundsException from inside
 * their loops (or, for dropout's copy, an ArrayIndexOutOfBoundsException from System.arraycopy).
 * They are refused up front, naming the argument, as {@link Layer#forward} does.
 */
class ReferenceArgumentsTest {
  private static final Kernels K = Kernels.vector();

  private static void refused(String message, Executable call) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
  }

  private static List<Layer> layers() {
    return List.of(
        new Dense("dense1", 3, 2, true, K.gemm(), K.arrayOps()),
        new BatchNormLayer("bn1", 3, K.batchNorm()),
        new ActivationLayer("act1", 3, Activation.TANH, 0f, K.activations()),
        new Dropout("drop1", 3, 0.5f, 1));
  }

  private static double[][] params(Layer layer) {
    return layer.parameters().stream().map(p -> new double[p.size()]).toArray(double[][]::new);
  }

  @Test
  void referenceForwardRefusesShortArraysByName() {
    for (Layer layer : layers()) {
      String n = layer.name();
      int in = layer.inputSize();
      int out = layer.outputSize();
      double[][] p = params(layer);
      refused(n + ": rows must be > 0, got 0", () -> layer.referenceForward(new double[in], 0, p, new double[out]));
      refused(n + ": input needs 6 elements (2 x 3), got 5", () -> layer.referenceForward(new double[5], 2, p, new double[2 * out]));
      refused(n + ": input needs 6 elements (2 x 3), got null", () -> layer.referenceForward(null, 2, p, new double[2 * out]));
      refused(n + ": output needs " + 2 * out + " elements (2 x " + out + "), got " + (2 * out - 1),
          () -> layer.referenceForward(new double[2 * in], 2, p, new double[2 * out - 1]));
      refused(n + ": params must not be null", () -> layer.referenceForward(new double[2 * in], 2, null, new double[2 * out]));
      refused(n + ": params needs " + p.length + " arrays (one per parameter), got " + (p.length + 1),
          () -> layer.referenceForward(new double[2 * in], 2, new double[p.length + 1][], new double[2 * out]));
      // A longer array than needed is fine, as for forward: only the prefix is read.
      layer.referenceForward(new double[2 * in + 1], 2, p, new double[2 * out + 1]);
    }
  }

  @Test
  void referenceForwardRefusesParametersOfTheWrongLength() {
    Dense dense = new Dense("dense1", 3, 2, true, K.gemm(), K.arrayOps());
    refused("dense1: params[0] (dense1.weight) needs 6 values, got 2",
        () -> dense.referenceForward(new double[3], 1, new double[][] {new double[2], new double[6]}, new double[2]));
    refused("dense1: params[1] (dense1.bias) must not be null",
        () -> dense.referenceForward(new double[3], 1, new double[][] {new double[6], null}, new double[2]));
    BatchNormLayer bn = new BatchNormLayer("bn1", 3, K.batchNorm());
    refused("bn1: params[1] (bn1.beta) needs 3 values, got 4",
        () -> bn.referenceForward(new double[6], 2, new double[][] {new double[3], new double[4]}, new double[6]));
  }

  @Test
  void referenceBackwardErrorRefusesShortArraysByName() {
    for (Layer layer : layers()) {
      String n = layer.name();
      int in = layer.inputSize();
      int out = layer.outputSize();
      double[][] p = params(layer);
      double[][] pe = params(layer);
      double[] x = new double[2 * in];
      double[] y = new double[2 * out];
      double[] dy = new double[2 * out];
      double[] e = new double[2 * out];
      refused(n + ": gradOutput needs " + 2 * out + " elements (2 x " + out + "), got 1",
          () -> layer.referenceBackwardError(x, y, 2, p, new double[1], e, pe, new double[2 * in]));
      refused(n + ": errorOutput needs " + 2 * out + " elements (2 x " + out + "), got null",
          () -> layer.referenceBackwardError(x, y, 2, p, dy, null, pe, new double[2 * in]));
      refused(n + ": errorInput needs " + 2 * in + " elements (2 x " + in + "), got 1",
          () -> layer.referenceBackwardError(x, y, 2, p, dy, e, pe, new double[1]));
      refused(n + ": output needs " + 2 * out + " elements (2 x " + out + "), got 0",
          () -> layer.referenceBackwardError(x, new double[0], 2, p, dy, e, pe, new double[2 * in]));
      refused(n + ": paramErrors must not be null", () -> layer.referenceBackwardError(x, y, 2, p, dy, e, null, null));
      // errorInput may be null: the first layer's input error is not needed.
      layer.referenceBackwardError(x, y, 2, p, dy, e, pe, null);
    }
    Dense dense = new Dense("dense1", 3, 2, false, K.gemm(), K.arrayOps());
    refused("dense1: paramErrors[0] (dense1.weight) needs 6 values, got 5",
        () -> dense.referenceBackwardError(
            new double[3], new double[2], 1, new double[][] {new double[6]}, new double[2], new double[2],
            new double[][] {new double[5]}, null));
  }

  /** The public double-precision activation: a null activation was a bare NullPointerException from its switch. */
  @Test
  void applyRefusesANullActivationByName() {
    refused("activation must not be null", () -> ActivationLayer.apply(null, 0.01, 1.0));
    // Exact: -2 * 0.01 only scales 0.01's double by a power of two, as the literal -0.02 is.
    assertEquals(-0.02, ActivationLayer.apply(Activation.LEAKY_RELU, 0.01, -2.0), 0.0);
  }

  /**
   * The output's public double references: Network.referenceLoss checked its arguments, but the
   * static one it calls took a label past the classes as a logit of the next row (a wrong loss, no
   * error), and logSumExp of no entries was -Infinity; short arrays were index errors.
   */
  @Test
  void outputReferencesRefuseBadArgumentsByName() {
    double[] logits = {0, 0, 0, 0, 5, 0};
    refused("labels[0] must be in [0, 3), got 4", () -> SoftmaxCrossEntropy.referenceLoss(logits, new int[] {4, 0}, 2, 3));
    refused("labels[1] must be in [0, 3), got -1", () -> SoftmaxCrossEntropy.referenceLoss(logits, new int[] {0, -1}, 2, 3));
    refused("labels needs 2 elements (one per row), got 1", () -> SoftmaxCrossEntropy.referenceLoss(logits, new int[] {0}, 2, 3));
    refused("logits needs 9 values (3 x 3), got 6", () -> SoftmaxCrossEntropy.referenceLoss(logits, new int[] {0, 0, 0}, 3, 3));
    refused("rows must be > 0, got 0", () -> SoftmaxCrossEntropy.referenceLoss(logits, new int[0], 0, 3));
    refused("classes must be > 0, got 0", () -> SoftmaxCrossEntropy.referenceLoss(logits, new int[] {0}, 1, 0));
    refused("n must be > 0, got 0", () -> SoftmaxCrossEntropy.logSumExp(logits, 0, 0));
    refused("z needs 3 values from offset 4, has 6", () -> SoftmaxCrossEntropy.logSumExp(logits, 4, 3));
    refused("z needs 3 values from offset -1, has 6", () -> SoftmaxCrossEntropy.logSumExp(logits, -1, 3));
    refused("z must not be null", () -> SoftmaxCrossEntropy.logSumExp(null, 0, 3));
    // Row 1 of the logits: log(e^0 + e^5 + e^0) - 0, to double rounding of a few ulp.
    assertEquals(Math.log(2 + Math.exp(5)), SoftmaxCrossEntropy.referenceLoss(logits, new int[] {0, 0}, 2, 3) * 2 - Math.log(3), 1e-12);
  }
}
