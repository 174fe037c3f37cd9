package org.caviar.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Figures on both sides of each boundary: the switch to scientific notation at 1e5 and below 10^(1 - decimals). */
class FiguresTest {
  @Test
  void ordinaryLossesAreFixedWithFourDecimals() {
    assertEquals("2.3026", Figures.loss(2.302585));
    assertEquals("0.0000", Figures.loss(0));
    assertEquals("0.0010", Figures.loss(1e-3)); // the smallest with two significant digits shown: still fixed
    assertEquals("99999.5000", Figures.loss(99999.5)); // just below LARGE
    assertEquals("-12.5000", Figures.loss(-12.5));
  }

  @Test
  void largeMagnitudesAreScientificFromLargeOn() {
    assertEquals("1.0000e+05", Figures.loss(1e5));
    assertEquals("1.8946e+21", Figures.loss(1.8946381943521288e21));
    assertEquals("-1.0000e+05", Figures.loss(-1e5));
    assertEquals("3.4028e+38", Figures.loss(Float.MAX_VALUE));
  }

  @Test
  void tinyNonZeroMagnitudesAreScientific() {
    assertEquals("9.9900e-04", Figures.loss(9.99e-4)); // just below 1e-3
    assertEquals("3.2000e-06", Figures.loss(3.2e-6));
    assertEquals("4.9000e-324", Figures.loss(Double.MIN_VALUE));
    assertEquals("-5.0000e-04", Figures.loss(-5e-4));
  }

  @Test
  void theTinyBoundaryFollowsTheDecimals() {
    assertEquals("0.010", Figures.fixed(0.01, 3));
    assertEquals("9.000e-03", Figures.fixed(0.009, 3));
    assertEquals("0.10", Figures.fixed(0.1, 2));
    assertEquals("9.00e-02", Figures.fixed(0.09, 2));
  }

  @Test
  void nanAndInfinitiesPrintAsFixedNotationDoes() {
    assertEquals("NaN", Figures.loss(Double.NaN));
    assertEquals("Infinity", Figures.loss(Double.POSITIVE_INFINITY));
    assertEquals("-Infinity", Figures.loss(Double.NEGATIVE_INFINITY));
  }

  @Test
  void noDecimalsAreRefused() {
    assertEquals("decimals must be >= 1, got 0", assertThrows(IllegalArgumentException.class, () -> Figures.fixed(1, 0)).getMessage());
  }
}
