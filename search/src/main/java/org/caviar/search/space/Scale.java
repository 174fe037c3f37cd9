package org.caviar.search.space;

/**
 * How a numeric parameter's range is laid onto the unit interval that samplers work in. A sampler
 * that spreads its draws evenly over [0, 1] spreads them evenly on this scale, so a learning rate
 * on {@link #LOG} gets as many draws in [1e-4, 1e-3] as in [0.1, 1].
 */
public enum Scale {
  /** Value = lo + u (hi - lo). */
  LINEAR("uniform"),
  /** Value = 10^r with r uniform in [log10 lo, log10 hi]; needs lo > 0. */
  LOG("log"),
  /**
   * Value = 1 - 10^r with r uniform in [log10(1 - hi), log10(1 - lo)]; needs hi < 1. For averaging
   * coefficients such as beta in [0.9, 0.999], whose effect is set by the horizon 1 / (1 - beta).
   */
  ONE_MINUS_LOG("one_minus_log");

  private final String specName;

  Scale(String specName) {
    this.specName = specName;
  }

  /** The word for this scale in a space spec: {@code uniform}, {@code log} or {@code one_minus_log}. */
  public String specName() {
    return specName;
  }
}
