package org.caviar.search.space;

/** A parameter that always has the same value; samplers leave it alone. */
public final class FixedParameter extends Parameter {
  private final Object value;
  /** A number's text as the spec it was read from spelled it (1e-3 for 0.001), or null: see {@link #valueSpec}. */
  private final String typed;

  FixedParameter(String name, Object value, Condition condition) {
    this(name, value, null, condition);
  }

  /** With a number's text as typed in a spec, which reads back as {@code value} (null: written as {@link #valueSpec} writes it). */
  FixedParameter(String name, Object value, String typed, Condition condition) {
    super(name, condition);
    this.value = normalize(value, typed);
    this.typed = this.value instanceof Number ? typed : null;
  }

  private Object normalize(Object v, String typed) {
    if (v instanceof Integer || v instanceof String) {
      if (v instanceof String s && !s.matches("[^\\s,|()=#;]+")) {
        throw invalid("fixed text must be a word without spaces or any of , | ( ) = # ;, got '" + s + "'");
      }
      return v;
    }
    if (v instanceof Long l && l == (int) (long) l) return (int) (long) l;
    if (v instanceof Short || v instanceof Byte) return ((Number) v).intValue();
    if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (!Double.isFinite(d)) throw invalid("fixed value must be finite, got " + (typed != null ? SpaceSpec.asRead(typed, d) : d));
      return d;
    }
    throw invalid("fixed value must be an int, a double or a word, got " + v);
  }

  public Object value() {
    return value;
  }

  @Override
  public Scale scale() {
    return Scale.LINEAR;
  }

  @Override
  public Object fromUnit(double u) {
    return value;
  }

  @Override
  public double toUnit(Object v) {
    coerce(v);
    return 0.5;
  }

  /**
   * Also takes a number's text form and the reverse: a journal written before text was quoted in a
   * spec may hold "30" for a study stored as fixed(30).
   */
  @Override
  public Object coerce(Object v) {
    if (v != null && (v.equals(value)
        || (v instanceof Number || value instanceof Number) && asNumber(v) == asNumber(value))) {
      return value;
    }
    throw invalid("fixed at " + (typed != null ? typed : value instanceof Double d ? SpaceSpec.number(d) : value) + ", got " + v);
  }

  /** v as a double, parsed if it is text; NaN, equal to nothing, when it is not a number. */
  private static double asNumber(Object v) {
    if (v instanceof Number n) return n.doubleValue();
    if (!(v instanceof String s)) return Double.NaN;
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  @Override
  Parameter withCondition(Condition condition) {
    return new FixedParameter(name(), value, typed, condition);
  }

  @Override
  String kindSpec() {
    return typed != null ? "fixed(" + typed + ")" : valueSpec();
  }

  @Override
  String valueSpec() {
    // Text the spec would read back as something else ("30" as a number) is quoted. A double is
    // written as a user would (1e-4), but keeps a ".0" where it would otherwise read back as an int.
    String text = value instanceof Double d ? SpaceSpec.number(d) : value.toString();
    if (value instanceof Double && SpaceSpec.fixedValue(text) instanceof Integer) text += ".0";
    boolean readsBack = !(value instanceof String) || text.equals(SpaceSpec.fixedValue(text));
    return "fixed(" + (readsBack ? text : "\"" + text + "\"") + ")";
  }
}
