package org.caviar.model;

import java.util.Locale;

/**
 * Weight initialization: weights drawn from a zero-mean Gaussian with the standard deviation
 * below; biases start at 0.
 */
public enum Init {
  /** He et al. 2015: {@code sqrt(2 / nIn)}, for ReLU and leaky ReLU. */
  HE("he"),
  /** Xavier (LeCun) scaling: {@code sqrt(1 / nIn)}, for tanh. */
  XAVIER("xavier"),
  /** Glorot and Bengio 2010: {@code sqrt(2 / (nIn + nOut))}, for sigmoid and the output layer. */
  GLOROT("glorot");

  private final String label;

  Init(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** The standard deviation for a layer with {@code nIn} inputs and {@code nOut} outputs. */
  public double std(int nIn, int nOut) {
    // A layer of no inputs or outputs would get an infinite (or NaN) standard deviation.
    if (nIn < 1) throw new IllegalArgumentException("nIn must be >= 1, got " + nIn);
    if (nOut < 1) throw new IllegalArgumentException("nOut must be >= 1, got " + nOut);
    return switch (this) {
      case HE -> Math.sqrt(2.0 / nIn);
      case XAVIER -> Math.sqrt(1.0 / nIn);
      case GLOROT -> Math.sqrt(2.0 / ((double) nIn + nOut)); // in double: an int sum past 2^31 wrapped negative (NaN)
    };
  }

  public static Init parse(String text) {
    if (text == null) throw new IllegalArgumentException("init must not be null");
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (Init i : values()) if (i.label.equals(t)) return i;
    throw new IllegalArgumentException("unknown init '" + text + "': expected one of he, xavier, glorot");
  }
}
