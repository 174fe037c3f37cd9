package org.caviar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InitTest {
  /**
   * Glorot's {@code nIn + nOut} was summed in int: two sizes whose sum passes 2^31 wrapped to a
   * negative count, and the standard deviation was NaN (the square root of a negative number).
   */
  @Test
  void glorotOfLargeSizesIsNotNaN() {
    int big = Integer.MAX_VALUE;
    // Exact (delta 0): the same double expression, and sqrt is correctly rounded; small sizes give the same bits as before.
    assertEquals(Math.sqrt(2.0 / (2.0 * big)), Init.GLOROT.std(big, big), 0.0);
    assertEquals(Math.sqrt(2.0 / 5), Init.GLOROT.std(2, 3), 0.0);
  }
}
