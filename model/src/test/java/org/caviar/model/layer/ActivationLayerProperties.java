package org.caviar.model.layer;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.caviar.model.Activation;
import org.caviar.model.Kernels;
import org.caviar.model.TestShapes;
import org.junit.jupiter.api.Test;

/**
 * Each activation's forward against {@code Math} in double, its backward against central
 * differences. Tanh and sigmoid come from the kernels' float approximations, which Activations
 * documents within 2 ulp of the value rounded once to float: so 2.5 ulp of the exact value (see
 * {@link #approxError}).
 */
class ActivationLayerProperties {
  private static final Kernels K = Kernels.vector();

  /**
   * How far the kernels' tanh or sigmoid of a float may be from the exact value {@code exact}: 2
   * ulp of the reference (the exact value rounded once to float) plus that rounding's half ulp.
   */
  private static double approxError(double exact) {
    return 2.5 * Math.ulp((float) exact);
  }

  @Provide
  Arbitrary<Integer> sizes() {
    return TestShapes.sizes(1, 41);
  }

  /** Inputs in [-6, 6] but at least 1e-3 from the ReLU kink, so a difference of h = 1e-6 never crosses it. */
  private static float[] inputs(Random rnd, int len) {
    float[] x = TestShapes.uniform(rnd, len, 6f);
    for (int i = 0; i < len; i++) if (Math.abs(x[i]) < 1e-3f) x[i] = x[i] < 0 ? -1e-3f : 1e-3f;
    return x;
  }

  @Property(tries = 80)
  void forwardMatchesMath(
      @ForAll Activation activation, @ForAll("sizes") int rows, @ForAll("sizes") int width, @ForAll long seed) {
    Random rnd = new Random(seed);
    float slope = 0.01f + 0.3f * rnd.nextFloat();
    ActivationLayer layer = new ActivationLayer("a", width, activation, slope, K.activations());
    float[] x = inputs(rnd, rows * width);
    float[] y = layer.forward(x, rows, Mode.TRAIN);
    double[] ref = new double[rows * width];
    layer.referenceForward(TestShapes.toDouble(x, x.length), rows, new double[0][], ref);
    for (int i = 0; i < rows * width; i++) {
      double exact = ActivationLayer.apply(activation, slope, x[i]);
      // ReLU is exact; leaky ReLU rounds one product; tanh and sigmoid are approximations.
      double tol = switch (activation) {
        case RELU -> 0;
        case LEAKY_RELU -> U * Math.abs(exact);
        case TANH, SIGMOID -> approxError(exact);
      };
      assertTrue(Math.abs(y[i] - exact) <= tol, activation + " y[" + i + "] = " + y[i] + " vs " + exact);
      assertTrue(ref[i] == exact, "reference");
    }
  }

  @Property(tries = 80)
  void backwardMatchesFiniteDifferences(
      @ForAll Activation activation, @ForAll("sizes") int rows, @ForAll("sizes") int width, @ForAll long seed) {
    Random rnd = new Random(seed);
    float slope = 0.01f + 0.3f * rnd.nextFloat();
    ActivationLayer layer = new ActivationLayer("a", width, activation, slope, K.activations());
    int len = rows * width;
    float[] x = inputs(rnd, len);
    float[] r = TestShapes.uniform(rnd, len, 1f);
    layer.forward(x, rows, Mode.TRAIN);
    float[] dx = layer.backward(r, rows);
    double h = 1e-6;
    for (int i = 0; i < len; i++) {
      double xi = x[i];
      // Element-wise, so d/dx_i of sum_k f(x_k) r_k is r_i (f(x_i + h) - f(x_i - h)) / 2h; rounding ~1e-10.
      double numeric = r[i] * (ActivationLayer.apply(activation, slope, xi + h) - ActivationLayer.apply(activation, slope, xi - h)) / (2 * h);
      // ReLU: dy or 0 exactly; leaky: one rounded product. Tanh: dy (1 - y^2) with y off by up to
      // e = approxError(y), so 1 - y^2 is off by up to 2 |y| e; sigmoid: y (1 - y) off by up to
      // |1 - 2y| e; plus the backward kernel's 3 roundings of the product.
      double f = ActivationLayer.apply(activation, slope, xi);
      double tol = switch (activation) {
        case RELU -> 1e-9 * Math.abs(r[i]);
        case LEAKY_RELU -> U * Math.abs(numeric) + 1e-9 * Math.abs(r[i]);
        case TANH -> Math.abs(r[i]) * 2 * Math.abs(f) * approxError(f) + 3 * U * Math.abs(numeric) + 1e-9;
        case SIGMOID -> Math.abs(r[i]) * Math.abs(1 - 2 * f) * approxError(f) + 3 * U * Math.abs(numeric) + 1e-9;
      };
      assertTrue(Math.abs(dx[i] - numeric) <= tol, activation + " dx[" + i + "] = " + dx[i] + " vs " + numeric + " at x " + xi);
    }
  }

  @Test
  void inPlaceSafeBuffersAreTheLayersOwn() {
    ActivationLayer layer = new ActivationLayer("a", 4, Activation.RELU, 0f, K.activations());
    float[] x = {-1, 2, -3, 4};
    float[] y = layer.forward(x, 1, Mode.TRAIN);
    assertTrue(y != x && x[0] == -1f, "forward must not overwrite its input: backward needs it");
    assertSame(y, layer.forward(x, 1, Mode.TRAIN), "workspaces are reused");
  }

  @Test
  void leakySlopeOutsideUnitIntervalIsRejected() {
    var e = assertThrows(IllegalArgumentException.class,
        () -> new ActivationLayer("a", 4, Activation.LEAKY_RELU, -0.5f, K.activations()));
    assertTrue(e.getMessage().contains("slope"), e.getMessage());
  }
}
