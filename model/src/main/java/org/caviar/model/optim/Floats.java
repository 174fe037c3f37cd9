package org.caviar.model.optim;

/** Numbers as a user writes them in a setting: 0.9, 1e-8, 1 (not Java's 1.0E-8 and 1.0), read back exactly. */
public final class Floats {
  private Floats() {}

  /** {@link Float#toString}'s shortest digits, which read back to the same float, without a ".0" and with a small "e". */
  public static String text(float v) {
    return written(Float.toString(v));
  }

  /** {@link Double#toString}'s shortest digits, which read back to the same double, written as {@link #text(float)}. */
  public static String text(double v) {
    return written(Double.toString(v));
  }

  private static String written(String java) {
    int e = java.indexOf('E');
    String digits = e < 0 ? java : java.substring(0, e);
    if (digits.endsWith(".0")) digits = digits.substring(0, digits.length() - 2);
    return e < 0 ? digits : digits + "e" + java.substring(e + 1);
  }
}
