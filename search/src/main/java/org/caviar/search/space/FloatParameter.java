package org.caviar.search.space;

/** A real-valued parameter in [lo, hi] on a linear, log or one-minus-log scale. */
public final class FloatParameter extends Parameter {
  private final double lo;
  private final double hi;
  // The bounds as the spec they were read from spelled them (1e-3, not 0.001), which the spec
  // writes back and errors name.
  private final String loText;
  private final String hiText;
  private final Scale scale;
  // The bounds on the scale: value = inverse(a + u (b - a)).
  private final double a;
  private final double b;

  FloatParameter(String name, double lo, double hi, Scale scale, Condition condition) {
    this(name, lo, hi, null, null, scale, condition);
  }

  /** With the bounds' text as typed in a spec ({@code loText} and {@code hiText}; null: as {@link SpaceSpec#number} writes them). */
  FloatParameter(String name, double lo, double hi, String loText, String hiText, Scale scale, Condition condition) {
    super(name, condition);
    loText = loText != null ? loText : SpaceSpec.number(lo);
    hiText = hiText != null ? hiText : SpaceSpec.number(hi);
    if (!Double.isFinite(lo)) throw invalid("lo must be finite, got " + SpaceSpec.asRead(loText, lo));
    if (!Double.isFinite(hi)) throw invalid("hi must be finite, got " + SpaceSpec.asRead(hiText, hi));
    if (!(lo < hi)) throw invalid("needs lo < hi, got lo = " + loText + ", hi = " + hiText + " (use fixed for one value)");
    switch (scale) {
      case LOG -> {
        if (lo <= 0) throw invalid("log scale needs lo > 0, got lo = " + loText);
      }
      case ONE_MINUS_LOG -> {
        if (hi >= 1) throw invalid("one_minus_log scale needs hi < 1, got hi = " + hiText);
      }
      case LINEAR -> {
        // Values are lo + u (hi - lo): were hi - lo to overflow, every value would be NaN.
        if (Double.isInfinite(hi - lo)) {
          throw invalid("needs hi - lo <= Double.MAX_VALUE, got lo = " + loText + ", hi = " + hiText + " (use a narrower range)");
        }
      }
    }
    this.lo = lo;
    this.hi = hi;
    this.loText = loText;
    this.hiText = hiText;
    this.scale = scale;
    this.a = forward(lo);
    this.b = forward(hi);
    // Ends this close map to one position (1 - 1e-17 is 1): every unit position would be 0 / 0.
    // (On one_minus_log a > b: the scale runs down.)
    if (a == b) {
      throw invalid("lo = " + loText + " and hi = " + hiText + " are one position on the " + scale.specName()
          + " scale (use fixed for one value, or a wider range)");
    }
  }

  private double forward(double v) {
    return switch (scale) {
      case LINEAR -> v;
      case LOG -> Math.log10(v);
      case ONE_MINUS_LOG -> Math.log10(1 - v);
    };
  }

  private double inverse(double r) {
    return switch (scale) {
      case LINEAR -> r;
      case LOG -> Math.pow(10, r);
      case ONE_MINUS_LOG -> 1 - Math.pow(10, r);
    };
  }

  public double lo() {
    return lo;
  }

  public double hi() {
    return hi;
  }

  @Override
  public Scale scale() {
    return scale;
  }

  /** The value at u, a double in [lo, hi]: lo itself at 0 (or below), hi itself at 1 (or above). */
  public double valueAt(double u) {
    // The ends are the user's own numbers: 10^log10(0.5) is 0.49999999999999994, which a grid's
    // last point showed as its learning rate.
    if (u <= 0) return lo;
    if (u >= 1) return hi;
    double v = inverse(a + u * (b - a)); // NaN stays NaN, as before
    return v < lo ? lo : (v > hi ? hi : v); // rounding in pow may step just outside
  }

  /** The unit position of v in [lo, hi]. */
  public double unitOf(double v) {
    return clampUnit((forward(v) - a) / (b - a));
  }

  @Override
  public Object fromUnit(double u) {
    return valueAt(u);
  }

  @Override
  public double toUnit(Object value) {
    return unitOf((Double) coerce(value));
  }

  @Override
  public Object coerce(Object value) {
    if (!(value instanceof Number n)) throw invalid("needs a number, got " + value);
    double v = n.doubleValue();
    if (!(v >= lo && v <= hi)) throw invalid("value " + SpaceSpec.number(v) + " is outside [" + loText + ", " + hiText + "]");
    return v;
  }

  @Override
  Parameter withCondition(Condition condition) {
    return new FloatParameter(name(), lo, hi, loText, hiText, scale, condition);
  }

  @Override
  String kindSpec() {
    return scale.specName() + "(" + loText + ", " + hiText + ")";
  }

  @Override
  String valueSpec() {
    return scale.specName() + "(" + SpaceSpec.number(lo) + ", " + SpaceSpec.number(hi) + ")";
  }
}
