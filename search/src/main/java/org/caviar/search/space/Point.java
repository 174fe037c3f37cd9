package org.caviar.search.space;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One assignment of a {@link SearchSpace}: a value for every active parameter, and its position in
 * the unit interval of the parameter's scale (NaN for inactive parameters), which is what samplers
 * learn from. Immutable.
 */
public final class Point {
  private final SearchSpace space;
  private final Object[] values;
  private final double[] unit;

  Point(SearchSpace space, Object[] values, double[] unit) {
    this.space = space;
    this.values = values;
    this.unit = unit;
  }

  public SearchSpace space() {
    return space;
  }

  /** The value of parameter i (Double, Integer or String), or null when it is inactive. */
  public Object value(int i) {
    return values[i];
  }

  /** The unit position of parameter i, NaN when it is inactive. */
  public double unit(int i) {
    return unit[i];
  }

  /** A copy of all unit positions. */
  public double[] units() {
    return unit.clone();
  }

  /**
   * Whether parameter {@code name} is active here; a name the space does not have is an error, as
   * in {@link #get} (a misspelt name, were it just inactive, would silently never apply).
   */
  public boolean isActive(String name) {
    return values[indexOf(name)] != null;
  }

  /** The value of an active parameter; an unknown or inactive name is an error. */
  public Object get(String name) {
    int i = indexOf(name);
    if (values[i] == null) {
      throw new IllegalArgumentException("parameter '" + name + "' is not active here ("
          + space.get(i).condition().spec() + ")");
    }
    return values[i];
  }

  /** The index of {@code name} in the space; an unknown name is an error, with the name meant if it is a misspelling. */
  private int indexOf(String name) {
    int i = space.indexOf(name);
    if (i < 0) {
      java.util.List<String> names = space.parameters().stream().map(Parameter::name).toList();
      String meant = SearchSpace.closest(String.valueOf(name), names);
      throw new IllegalArgumentException("unknown parameter '" + name + "'"
          + (meant != null ? "; did you mean '" + meant + "'?" : " (" + String.join(", ", names) + ")"));
    }
    return i;
  }

  public double getDouble(String name) {
    Object v = get(name);
    if (v instanceof Number n) return n.doubleValue();
    try {
      return Double.parseDouble((String) v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("parameter '" + name + "' is '" + v + "', not a number", e);
    }
  }

  public int getInt(String name) {
    Object v = get(name);
    double d;
    if (v instanceof Integer i) return i;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else {
      try {
        d = Double.parseDouble((String) v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("parameter '" + name + "' is '" + v + "', not an integer", e);
      }
    }
    if (d != Math.rint(d)) throw new IllegalArgumentException("parameter '" + name + "' is " + v + ", not an integer");
    if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("parameter '" + name + "' is " + v + ", outside the int range");
    }
    return (int) d;
  }

  public String getString(String name) {
    return get(name).toString();
  }

  /** The active parameters' values by name, in declaration order. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < values.length; i++) if (values[i] != null) m.put(space.get(i).name(), values[i]);
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Point p && p.space.equals(space) && Arrays.equals(p.values, values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return asMap().toString();
  }
}
