package org.caviar.search.space;

/**
 * An integer parameter in [lo, hi] on a linear or log scale. The unit interval covers
 * [lo - 1/2, hi + 1/2] on the scale and rounds, so on a linear scale every integer gets the same
 * share and on a log scale each gets a share proportional to its log-width.
 */
public final class IntParameter extends Parameter {
  private final int lo;
  private final int hi;
  // The bounds as the spec they were read from spelled them (1e3 for 1000), which the spec writes
  // back and errors name.
  private final String loText;
  private final String hiText;
  private final Scale scale;
  private final double a;
  private final double b;

  IntParameter(String name, int lo, int hi, Scale scale, Condition condition) {
    this(name, lo, hi, null, null, scale, condition);
  }

  /** With the bounds' text as typed in a spec ({@code loText} and {@code hiText}; null: the integers' digits). */
  IntParameter(String name, int lo, int hi, String loText, String hiText, Scale scale, Condition condition) {
    super(name, condition);
    loText = loText != null ? loText : Integer.toString(lo);
    hiText = hiText != null ? hiText : Integer.toString(hi);
    if (lo >= hi) throw invalid("needs lo < hi, got lo = " + loText + ", hi = " + hiText + " (use fixed for one value)");
    switch (scale) {
      case LOG -> {
        if (lo < 1) throw invalid("int_log scale needs lo >= 1, got lo = " + loText);
      }
      case ONE_MINUS_LOG -> throw invalid("an integer parameter cannot use the one_minus_log scale");
      case LINEAR -> {}
    }
    this.lo = lo;
    this.hi = hi;
    this.loText = loText;
    this.hiText = hiText;
    this.scale = scale;
    this.a = forward(lo - 0.5);
    this.b = forward(hi + 0.5);
  }

  private double forward(double v) {
    return scale == Scale.LOG ? Math.log(v) : v;
  }

  private double inverse(double r) {
    return scale == Scale.LOG ? Math.exp(r) : r;
  }

  public int lo() {
    return lo;
  }

  public int hi() {
    return hi;
  }

  @Override
  public Scale scale() {
    return scale;
  }

  /** The integer at u. */
  public int valueAt(double u) {
    double c = clampUnit(u);
    int v = (int) Math.max(lo, Math.min(hi, Math.round(inverse(a + c * (b - a)))));
    // Rounding in exp and log (or in a long linear range) can land a position within an ulp of
    // a share's end on the wrong side of it: the shares decide, so that they are where v is.
    if (v > lo && c < shareStart(v)) return v - 1;
    if (v < hi && c >= shareEnd(v)) return v + 1;
    return v;
  }

  /** The unit position of the centre of v's share. */
  public double unitOf(int v) {
    return clampUnit((forward(v) - a) / (b - a));
  }

  /**
   * The start of v's share of the unit interval: {@link #valueAt} gives v exactly on
   * [shareStart(v), shareEnd(v)) (the last share includes 1).
   */
  public double shareStart(int v) {
    return clampUnit((forward(v - 0.5) - a) / (b - a));
  }

  /** The end of v's share of the unit interval; see {@link #shareStart}. */
  public double shareEnd(int v) {
    return clampUnit((forward(v + 0.5) - a) / (b - a));
  }

  @Override
  public Object fromUnit(double u) {
    return valueAt(u);
  }

  @Override
  public double toUnit(Object value) {
    return unitOf((Integer) coerce(value));
  }

  @Override
  public Object coerce(Object value) {
    if (!(value instanceof Number n)) throw invalid("needs an integer, got " + value);
    double d = n.doubleValue();
    if (d != Math.rint(d)) throw invalid("needs an integer, got " + value);
    if (d < lo || d > hi) throw invalid("value " + value + " is outside [" + loText + ", " + hiText + "]");
    return (int) d;
  }

  @Override
  Parameter withCondition(Condition condition) {
    return new IntParameter(name(), lo, hi, loText, hiText, scale, condition);
  }

  @Override
  String kindSpec() {
    return (scale == Scale.LOG ? "int_log" : "int") + "(" + loText + ", " + hiText + ")";
  }

  @Override
  String valueSpec() {
    return (scale == Scale.LOG ? "int_log" : "int") + "(" + lo + ", " + hi + ")";
  }
}
