package org.caviar.model;

import java.util.Locale;

/** A hidden layer's non-linearity, with the weight initialization that suits it. */
public enum Activation {
  /** {@code max(x, 0)}. */
  RELU("relu", Init.HE),
  /** {@code x > 0 ? x : slope * x}, slope from the network spec. */
  LEAKY_RELU("leaky_relu", Init.HE),
  /** {@code tanh(x)}. */
  TANH("tanh", Init.XAVIER),
  /** {@code 1 / (1 + exp(-x))}. */
  SIGMOID("sigmoid", Init.GLOROT);

  private final String label;
  private final Init defaultInit;

  Activation(String label, Init defaultInit) {
    this.label = label;
    this.defaultInit = defaultInit;
  }

  /** The name used in network specs, e.g. {@code leaky_relu}. */
  public String label() {
    return label;
  }

  /**
   * He for the rectifiers (they zero half their input, so the variance needs doubling), Xavier
   * for tanh (unit gain around 0), Glorot for sigmoid (balances forward and backward variance).
   */
  public Init defaultInit() {
    return defaultInit;
  }

  /** Parses a label as written by {@link #label()}, case-insensitively. */
  public static Activation parse(String text) {
    if (text == null) throw new IllegalArgumentException("activation must not be null");
    String t = text.trim().toLowerCase(Locale.ROOT);
    for (Activation a : values()) if (a.label.equals(t)) return a;
    throw new IllegalArgumentException(
        "unknown activation '" + text + "': expected one of relu, leaky_relu, tanh, sigmoid");
  }
}
