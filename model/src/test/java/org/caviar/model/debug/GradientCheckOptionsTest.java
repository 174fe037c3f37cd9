package org.caviar.model.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.caviar.model.Kernels;
import org.caviar.model.Network;
import org.caviar.model.NetworkSpec;
import org.junit.jupiter.api.Test;

class GradientCheckOptionsTest {
  /**
   * An infinite difference step makes every numerical gradient NaN (L(w + inf) - L(w - inf)): a
   * check of nothing. It is refused with the other steps that are not numbers > 0.
   */
  @Test
  void anInfiniteStepIsRefused() {
    var e = assertThrows(IllegalArgumentException.class, () -> new GradientCheck.Options(Double.POSITIVE_INFINITY, 1e-3, 10, 1, 0));
    assertEquals("step must be finite and > 0, got Infinity", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GradientCheck.Options(Double.NaN, 1e-3, 10, 1, 0));
    assertEquals("step must be finite and > 0, got NaN", e.getMessage());
  }

  /** Bad values are written as a person writes them: -1e-4 and 0, not Java's -1.0E-4 and 0.0. */
  @Test
  void badValuesAreNamedAsWritten() {
    var e = assertThrows(IllegalArgumentException.class, () -> new GradientCheck.Options(-1e-4, 1e-3, 10, 1, 0));
    assertEquals("step must be finite and > 0, got -1e-4", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new GradientCheck.Options(1e-3, 0.0, 10, 1, 0));
    assertEquals("threshold must be > 0, got 0", e.getMessage());
  }

  /**
   * The batch is checked before the check: a NaN feature was "the network's logits are not finite:
   * nothing to check" (an IllegalStateException blaming a sound network), and a label out of range
   * an error from the softmax kernel after the forward pass.
   */
  @Test
  void aBatchThatCannotBeCheckedIsNamed() {
    Network network = Network.create(NetworkSpec.parse("3-4-2 tanh"), 1, Kernels.scalar());
    float[] x = {0.1f, 0.2f, 0.3f, 0.4f, Float.NaN, 0.6f};
    var e = assertThrows(IllegalArgumentException.class,
        () -> GradientCheck.check(network, x, new int[] {0, 1}, 2, 0f, GradientCheck.Options.defaults()));
    assertEquals("x[4] (row 1, feature 1) is NaN: the gradient check takes finite values", e.getMessage());
    float[] finite = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    e = assertThrows(IllegalArgumentException.class,
        () -> GradientCheck.check(network, finite, new int[] {0, 2}, 2, 0f, GradientCheck.Options.defaults()));
    assertEquals("labels[1] must be in [0, 2), got 2", e.getMessage());
    assertEquals(GradientCheck.class.getName(), e.getStackTrace()[1].getClassName(), "checked by the gradient check, not a kernel");
    e = assertThrows(IllegalArgumentException.class,
        () -> GradientCheck.check(network, finite, new int[] {0, 1}, 0, 0f, GradientCheck.Options.defaults()));
    assertEquals("rows must be > 0, got 0", e.getMessage());
  }
}
