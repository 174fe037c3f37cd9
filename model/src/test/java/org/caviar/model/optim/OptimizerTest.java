package org.caviar.model.optim;

import static org.caviar.model.TestShapes.U;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.caviar.kernels.Optimizers;
import org.caviar.model.layer.Parameter;
import org.junit.jupiter.api.Test;

/**
 * The optimizer's wiring: the right rule, the step count for Adam, weight decay on decayed tensors
 * only. (The update kernels' arithmetic is the kernels' own tests' business.) Expected values are
 * computed in double; a handful of float operations on values ~1 allow 8 u relative.
 */
class OptimizerTest {
  private static final Optimizers K = Optimizers.vector();

  private static Parameter param(String name, boolean decayed, float w, float g) {
    Parameter p = new Parameter(name, 1, 3, decayed);
    java.util.Arrays.fill(p.values(), w);
    java.util.Arrays.fill(p.gradient(), g);
    return p;
  }

  private static void assertClose(double expected, float actual) {
    assertEquals(expected, actual, 8 * U * Math.max(1, Math.abs(expected)));
  }

  /** As train's "training:" line shows them: numbers as written, not Java's 1.0E-8. */
  @Test
  void specsSayTheirSettingsAsWritten() {
    assertEquals("adam(beta1=0.9, beta2=0.999, eps=1e-8)", new OptimizerSpec.Adam().toString());
    assertEquals("rmsprop(beta=0.9, eps=1e-8)", new OptimizerSpec.RmsProp(0.9f, 1e-8f).toString());
    assertEquals("momentum(beta=0.5)", new OptimizerSpec.Momentum(0.5f).toString());
    assertEquals("1", Floats.text(1f));
    assertEquals("-2.5e-7", Floats.text(-2.5e-7f));
    // Read back exactly: the shortest digits of the float.
    for (float f : new float[] {0.99960965f, 2.642528e-6f, Float.MIN_VALUE, Float.MAX_VALUE, 3e10f}) {
      assertEquals(f, Float.parseFloat(Floats.text(f)));
    }
  }

  @Test
  void sgdDecaysOnlyDecayedTensors() {
    Parameter w = param("w", true, 2f, 0.5f);
    Parameter b = param("b", false, 2f, 0.5f);
    new Optimizer(new OptimizerSpec.Sgd(), List.of(w, b), 0.1f, K).step(0.1f);
    assertClose(2 - 0.1 * (0.5 + 0.1 * 2), w.values()[0]);
    assertClose(2 - 0.1 * 0.5, b.values()[0]);
  }

  @Test
  void momentumAveragesGradients() {
    Parameter w = param("w", false, 1f, 1f);
    Optimizer o = new Optimizer(new OptimizerSpec.Momentum(0.9f), List.of(w), 0f, K);
    o.step(0.1f); // v = 0.1, w = 1 - 0.01
    o.step(0.1f); // v = 0.09 + 0.1 = 0.19, w = 0.99 - 0.019
    assertClose(0.99 - 0.019, w.values()[0]);
  }

  @Test
  void rmspropScalesByTheRootMeanSquare() {
    Parameter w = param("w", false, 1f, 2f);
    new Optimizer(new OptimizerSpec.RmsProp(0.9f, 1e-8f), List.of(w), 0f, K).step(0.01f);
    double s = 0.1 * 4;
    assertClose(1 - 0.01 * 2 / (Math.sqrt(s) + 1e-8), w.values()[0]);
  }

  @Test
  void adamCorrectsItsBiasWithTheStepCount() {
    Parameter w = param("w", true, 1f, 0.3f);
    Optimizer o = new Optimizer(new OptimizerSpec.Adam(), List.of(w), 0.5f, K);
    o.step(0.01f);
    // Step 1: m^ = g', v^ = g'^2, so the step is lr * g' / (|g'| + eps) = lr * sign(g') (g' = 0.3 + 0.5).
    double g = 0.3 + 0.5;
    assertClose(1 - 0.01 * g / (g + 1e-8), w.values()[0]);
    assertEquals(1, o.steps());
    double w1 = w.values()[0];
    o.step(0.01f);
    double g2 = 0.3 + 0.5 * w1;
    double m = 0.9 * 0.1 * g + 0.1 * g2;
    double v = 0.999 * 0.001 * g * g + 0.001 * g2 * g2;
    double expected = w1 - 0.01 * (m / (1 - 0.81)) / (Math.sqrt(v / (1 - 0.999 * 0.999)) + 1e-8);
    assertClose(expected, w.values()[0]);
    o.reset();
    assertEquals(0, o.steps());
  }

  @Test
  void defaultsAreTheUsualOnes() {
    OptimizerSpec.Adam adam = new OptimizerSpec.Adam();
    assertEquals(0.9f, adam.beta1());
    assertEquals(0.999f, adam.beta2());
    assertEquals(1e-8f, adam.eps());
    var e = assertThrows(IllegalArgumentException.class, () -> new OptimizerSpec.Adam(1f, 0.999f, 1e-8f));
    assertTrue(e.getMessage().contains("beta1"), e.getMessage());
    var d = assertThrows(IllegalArgumentException.class, () -> new Optimizer(adam, List.of(), -1f, K));
    assertTrue(d.getMessage().contains("weightDecay"), d.getMessage());
  }

  /**
   * A tensor listed twice (a network's parameters and a layer's, concatenated) was updated twice a
   * step, with Adam's state of the first update ignored by the second: a silently wrong step.
   */
  @Test
  void aParameterListedTwiceIsRefused() {
    Parameter w = param("dense1.weight", true, 2f, 0.5f);
    Parameter b = param("dense1.bias", false, 2f, 0.5f);
    assertEquals("parameters[2] is parameters[0] (dense1.weight): each tensor once, or it is updated twice a step",
        assertThrows(IllegalArgumentException.class, () -> new Optimizer(new OptimizerSpec.Adam(), List.of(w, b, w), 0f, K)).getMessage());
  }
}
