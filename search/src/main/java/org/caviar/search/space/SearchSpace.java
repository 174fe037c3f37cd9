package org.caviar.search.space;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ordered set of named {@link Parameter}s. Building one checks what no single parameter can:
 * unique names, and that each condition's parent is a categorical parameter declared earlier whose
 * choices include the condition's values. Samplers fill a point in declaration order, so by the
 * time they reach a conditional parameter its parent is already set.
 */
public final class SearchSpace {
  private final Parameter[] parameters;
  private final Map<String, Integer> indexByName = new HashMap<>();
  /** Index of each parameter's parent, or -1 when it always is active. */
  private final int[] parent;
  /** For a conditional parameter, which of its parent's choices make it active. */
  private final boolean[][] activeForChoice;

  private SearchSpace(List<Parameter> list) {
    if (list == null || list.isEmpty()) throw new IllegalArgumentException("a search space needs at least one parameter");
    parameters = list.toArray(new Parameter[0]);
    parent = new int[parameters.length];
    activeForChoice = new boolean[parameters.length][];
    for (int i = 0; i < parameters.length; i++) {
      Parameter p = parameters[i];
      if (p == null) throw new IllegalArgumentException("parameter " + i + " is null");
      if (indexByName.putIfAbsent(p.name(), i) != null) {
        throw new IllegalArgumentException("parameter '" + p.name() + "' is declared twice");
      }
      parent[i] = -1;
      Condition c = p.condition();
      if (c == null) continue;
      Integer pi = indexByName.get(c.parent());
      if (pi == null || pi == i) throw new IllegalArgumentException(missingParent(parameters, i));
      if (!(parameters[pi] instanceof CategoricalParameter cat)) {
        throw new IllegalArgumentException("parameter '" + p.name() + "': condition parent '" + c.parent()
            + "' is " + parameters[pi].spec() + ", not categorical");
      }
      boolean[] allowed = new boolean[cat.size()];
      for (String v : c.values()) {
        int k = cat.indexOf(v);
        if (k < 0) {
          throw new IllegalArgumentException("parameter '" + p.name() + "': condition value '" + v
              + "' is not a choice of '" + cat.name() + "' " + cat.choices());
        }
        allowed[k] = true;
      }
      parent[i] = pi;
      activeForChoice[i] = allowed;
    }
  }

  public static SearchSpace of(Parameter... parameters) {
    return new SearchSpace(parameters == null ? null : Arrays.asList(parameters));
  }

  public static SearchSpace of(List<Parameter> parameters) {
    return new SearchSpace(parameters);
  }

  /** Parses a space spec; see {@link SpaceSpec}. */
  public static SearchSpace parse(String spec) {
    return SpaceSpec.parse(spec);
  }

  public int size() {
    return parameters.length;
  }

  public Parameter get(int i) {
    return parameters[i];
  }

  public List<Parameter> parameters() {
    return List.of(parameters);
  }

  /** The index of the parameter called {@code name}, or -1. */
  public int indexOf(String name) {
    Integer i = indexByName.get(name);
    return i == null ? -1 : i;
  }

  /** The index of this parameter's parent, or -1 when it is unconditional. */
  public int parentOf(int i) {
    return parent[i];
  }

  /**
   * Whether parameter i is active given the unit positions of the parameters before it (NaN for
   * inactive ones). Later entries of {@code unit} are not read.
   */
  public boolean isActive(int i, double[] unit) {
    int p = parent[i];
    if (p < 0) return true;
    double u = unit[p];
    if (Double.isNaN(u)) return false;
    return activeForChoice[i][((CategoricalParameter) parameters[p]).indexAt(u)];
  }

  /**
   * The point at the given unit positions. Entries of inactive parameters are ignored; an active
   * parameter's entry must be a number in [0, 1]. The point's own positions are recomputed from its
   * values, so that they agree with a point read back from a journal.
   */
  public Point pointFromUnit(double[] unit) {
    if (unit.length != parameters.length) {
      throw new IllegalArgumentException("unit has " + unit.length + " entries, the space has " + parameters.length);
    }
    double[] snapped = new double[parameters.length];
    Object[] values = new Object[parameters.length];
    for (int i = 0; i < parameters.length; i++) {
      if (!isActive(i, snapped)) {
        snapped[i] = Double.NaN;
        continue;
      }
      double u = unit[i];
      if (!(u >= 0 && u <= 1)) {
        throw new IllegalArgumentException("parameter '" + parameters[i].name() + "' is active but its unit position is " + u);
      }
      values[i] = parameters[i].fromUnit(u);
      snapped[i] = parameters[i].toUnit(values[i]);
    }
    return new Point(this, values, snapped);
  }

  /**
   * The point with the given values by name. Every active parameter must have a value (fixed ones
   * may be left out); a value for an inactive parameter or an unknown name is an error.
   */
  public Point pointFromValues(Map<String, ?> byName) {
    for (String name : byName.keySet()) {
      if (!indexByName.containsKey(name)) throw new IllegalArgumentException("unknown parameter '" + name + "'");
    }
    double[] unit = new double[parameters.length];
    Object[] values = new Object[parameters.length];
    for (int i = 0; i < parameters.length; i++) {
      Parameter p = parameters[i];
      Object v = byName.get(p.name());
      if (!isActive(i, unit)) {
        if (v != null) throw new IllegalArgumentException("parameter '" + p.name() + "' is inactive here (" + p.condition().spec() + ") but has value " + v);
        unit[i] = Double.NaN;
        continue;
      }
      if (v == null) {
        if (!(p instanceof FixedParameter f)) throw new IllegalArgumentException("parameter '" + p.name() + "' has no value");
        v = f.value();
      }
      values[i] = p.coerce(v);
      unit[i] = p.toUnit(values[i]);
    }
    return new Point(this, values, unit);
  }

  /** One parameter per line, in a form {@link #parse} reads back. */
  public String spec() {
    StringBuilder sb = new StringBuilder();
    for (Parameter p : parameters) sb.append(p.spec()).append('\n');
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SearchSpace s && Arrays.equals(parameters, s.parameters);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(parameters);
  }

  @Override
  public String toString() {
    return spec();
  }

  /**
   * Why parameter i's condition parent is not one before it: it is the parameter itself, one
   * declared after it, or none of the space's (a misspelling, said with the name meant).
   */
  private static String missingParent(Parameter[] parameters, int i) {
    String parent = parameters[i].condition().parent();
    String start = "parameter '" + parameters[i].name() + "': condition parent '" + parent + "' ";
    if (parameters[i].name().equals(parent)) return start + "is the parameter itself";
    java.util.List<String> names = java.util.Arrays.stream(parameters).map(Parameter::name).toList();
    if (names.contains(parent)) return start + "is declared after it: declare it first";
    String meant = closest(parent, names);
    return start + "is not a parameter of the space" + (meant != null ? "; did you mean '" + meant + "'?"
        : " (" + String.join(", ", names) + ")");
  }

  /**
   * The name among {@code names} that {@code name} is a misspelling of: within 2 edits (a letter
   * added, left out, changed, or two swapped), fewer than half its length, and the closest; null
   * when none is.
   */
  static String closest(String name, java.util.List<String> names) {
    String best = null;
    int bestDistance = Math.min(3, (name.length() + 1) / 2);
    for (String n : names) {
      int d = edits(name, n);
      if (d < bestDistance) {
        best = n;
        bestDistance = d;
      }
    }
    return best;
  }

  /** The optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
  private static int edits(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
