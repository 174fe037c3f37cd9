package org.caviar.search.space;

import java.util.List;

/**
 * One named dimension of a {@link SearchSpace}. Each maps the unit interval onto its values on its
 * own {@link Scale}: {@link #fromUnit} and {@link #toUnit} are inverse up to rounding, and samplers
 * never see anything but unit positions. Factories check their arguments and throw
 * {@link IllegalArgumentException} naming the parameter and the bad value.
 */
public abstract sealed class Parameter
    permits FloatParameter, IntParameter, CategoricalParameter, FixedParameter {
  private final String name;
  private final Condition condition;

  Parameter(String name, Condition condition) {
    if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.\\-]*")) {
      throw new IllegalArgumentException(
          "parameter name must be a word of letters, digits, '_', '.', '-' starting with a letter or '_', got '"
              + name + "'");
    }
    this.name = name;
    this.condition = condition;
  }

  /** A float drawn uniformly in [lo, hi]; hi - lo must not overflow (at most Double.MAX_VALUE). */
  public static FloatParameter uniform(String name, double lo, double hi) {
    return new FloatParameter(name, lo, hi, Scale.LINEAR, null);
  }

  /** A float drawn as 10^r, r uniform in [log10 lo, log10 hi] (e.g. a learning rate). */
  public static FloatParameter logUniform(String name, double lo, double hi) {
    return new FloatParameter(name, lo, hi, Scale.LOG, null);
  }

  /** A float drawn as 1 - 10^r, r uniform in [log10(1 - hi), log10(1 - lo)] (e.g. Adam's beta2). */
  public static FloatParameter oneMinusLog(String name, double lo, double hi) {
    return new FloatParameter(name, lo, hi, Scale.ONE_MINUS_LOG, null);
  }

  /** An integer in [lo, hi], each value equally likely. */
  public static IntParameter intUniform(String name, int lo, int hi) {
    return new IntParameter(name, lo, hi, Scale.LINEAR, null);
  }

  /** An integer in [lo, hi] drawn on a log scale (e.g. hidden units); needs lo >= 1. */
  public static IntParameter intLog(String name, int lo, int hi) {
    return new IntParameter(name, lo, hi, Scale.LOG, null);
  }

  /** One of the given words (e.g. an optimizer or an activation). */
  public static CategoricalParameter categorical(String name, String... choices) {
    return new CategoricalParameter(name, choices == null ? null : List.of(choices), null);
  }

  /** One of the given words. */
  public static CategoricalParameter categorical(String name, List<String> choices) {
    return new CategoricalParameter(name, choices, null);
  }

  /** Always {@code value}: an Integer, a Double or a String. */
  public static FixedParameter fixed(String name, Object value) {
    return new FixedParameter(name, value, null);
  }

  public final String name() {
    return name;
  }

  /** The condition under which this parameter is active, or null when it always is. */
  public final Condition condition() {
    return condition;
  }

  public final boolean isConditional() {
    return condition != null;
  }

  /** This parameter, active only when categorical {@code parent} has one of {@code values}. */
  public final Parameter when(String parent, String... values) {
    Condition condition;
    try {
      // Arrays.asList, not List.of: a null value is the condition's error naming it, not a bare NPE.
      condition = new Condition(parent, values == null ? List.of() : java.util.Arrays.asList(values));
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage()); // the parameter it is for, not only its parent
    }
    return withCondition(condition);
  }

  abstract Parameter withCondition(Condition condition);

  /** The value at position u of [0, 1] on this parameter's scale (u outside is clamped). */
  public abstract Object fromUnit(double u);

  /**
   * The position in [0, 1] of {@code value}, which must be a value of this parameter (see
   * {@link #coerce}).
   */
  public abstract double toUnit(Object value);

  /**
   * {@code value} as this parameter's own type (Double, Integer or String), e.g. a JSON number read
   * back from a journal; throws {@link IllegalArgumentException} when it is not a value of this
   * parameter.
   */
  public abstract Object coerce(Object value);

  /** The scale samplers see; categorical and fixed parameters are {@link Scale#LINEAR}. */
  public abstract Scale scale();

  /**
   * The kind and its arguments in a space spec, e.g. {@code log(1e-4, 1)}: each number as it was
   * typed in the spec it was read from, else as {@link SpaceSpec#number} writes it.
   */
  abstract String kindSpec();

  /**
   * The kind and its arguments with each number as {@link SpaceSpec#number} writes it (one text for
   * each value): what equality compares, so that 1e-3 and 0.001 make the same space.
   */
  String valueSpec() {
    return kindSpec();
  }

  /** One line of a space spec, e.g. {@code beta2 = one_minus_log(0.99, 0.9999) if optimizer = adam}. */
  public final String spec() {
    return line(kindSpec());
  }

  private String line(String kind) {
    return name + " = " + kind + (condition == null ? "" : " " + condition.spec());
  }

  @Override
  public final String toString() {
    return spec();
  }

  /** Equal when of the same kind, name, values and condition, however their numbers were spelled. */
  @Override
  public final boolean equals(Object o) {
    return o instanceof Parameter p && p.getClass() == getClass() && p.line(p.valueSpec()).equals(line(valueSpec()));
  }

  @Override
  public final int hashCode() {
    return line(valueSpec()).hashCode();
  }

  final IllegalArgumentException invalid(String what) {
    return new IllegalArgumentException("parameter '" + name + "': " + what);
  }

  static double clampUnit(double u) {
    // NaN-safe: a NaN position is a sampler bug, reported by the caller that checks activity.
    return u < 0 ? 0 : (u > 1 ? 1 : u);
  }
}
