package org.caviar.search.trial;

/** Whether a study looks for the smallest or the largest value. */
public enum Direction {
  MINIMIZE,
  MAXIMIZE;

  /** The value as a loss: smaller is better whatever the direction. Samplers and pruners work on this. */
  public double loss(double value) {
    return this == MINIMIZE ? value : -value;
  }

  /** Whether {@code a} is strictly better than {@code b}; NaN is never better. */
  public boolean isBetter(double a, double b) {
    if (Double.isNaN(a)) return false;
    if (Double.isNaN(b)) return true;
    return this == MINIMIZE ? a < b : a > b;
  }

  /** The worst value in this direction. */
  public double worst() {
    return this == MINIMIZE ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
  }
}
