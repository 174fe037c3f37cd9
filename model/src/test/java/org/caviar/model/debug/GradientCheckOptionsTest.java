package org.caviar.model.debug;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
}
