package org.caviar.model.train;

import java.util.Locale;

/**
 * How a loss or a statistic is printed: in fixed notation with a given number of decimals, as
 * {@code %.4f} does, but in scientific notation (the same number of decimals in the mantissa) where
 * fixed notation would be unreadable or say nothing: from {@value #LARGE} in magnitude on (a
 * diverging run's loss of 1.9e21 took 27 characters), and below 10<sup>1 - decimals</sup> but not 0,
 * where fewer than two significant digits would show (a memorized batch's loss of 3.2e-6 was
 * "0.0000"). Zero, NaN and the infinities print as {@code %f} prints them. Locale.ROOT: a decimal
 * point in any locale.
 */
public final class Figures {
  /** The magnitude from which a figure is printed in scientific notation. */
  public static final double LARGE = 1e5;

  private Figures() {}

  /** {@code v} with {@code decimals} decimals, in scientific notation when very large or tiny (see the class). */
  public static String fixed(double v, int decimals) {
    if (decimals < 1) throw new IllegalArgumentException("decimals must be >= 1, got " + decimals);
    double a = Math.abs(v);
    boolean scientific = Double.isFinite(v) && a != 0 && (a >= LARGE || a < Math.pow(10, 1 - decimals));
    return String.format(Locale.ROOT, "%." + decimals + (scientific ? "e" : "f"), v);
  }

  /** A loss as the command line prints it: {@code fixed(loss, 4)}. */
  public static String loss(double loss) {
    return fixed(loss, 4);
  }
}
