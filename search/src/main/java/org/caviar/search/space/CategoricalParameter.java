package org.caviar.search.space;

import java.util.HashSet;
import java.util.List;

/** One of a list of words. Choice i covers [i / k, (i + 1) / k) of the unit interval. */
public final class CategoricalParameter extends Parameter {
  private final List<String> choices;

  CategoricalParameter(String name, List<String> choices, Condition condition) {
    super(name, condition);
    if (choices == null || choices.isEmpty()) throw invalid("categorical needs at least one choice, got none");
    var seen = new HashSet<String>();
    for (String c : choices) {
      if (c == null || !c.matches("[^\\s,|()=#;]+")) {
        throw invalid("choice must be a word without spaces or any of , | ( ) = # ;, got '" + c + "'");
      }
      if (!seen.add(c)) throw invalid("choice '" + c + "' appears twice");
    }
    this.choices = List.copyOf(choices);
  }

  public List<String> choices() {
    return choices;
  }

  public int size() {
    return choices.size();
  }

  /** The index of {@code choice}, or -1. */
  public int indexOf(String choice) {
    return choices.indexOf(choice);
  }

  /** The index of the choice at unit position u. */
  public int indexAt(double u) {
    return Math.min(choices.size() - 1, (int) (clampUnit(u) * choices.size()));
  }

  /** The unit position of the middle of choice i's share. */
  public double unitOfIndex(int i) {
    return (i + 0.5) / choices.size();
  }

  @Override
  public Scale scale() {
    return Scale.LINEAR;
  }

  @Override
  public Object fromUnit(double u) {
    return choices.get(indexAt(u));
  }

  @Override
  public double toUnit(Object value) {
    return unitOfIndex(indexOf((String) coerce(value)));
  }

  @Override
  public Object coerce(Object value) {
    String s = value == null ? null : value.toString();
    if (value instanceof Double d && d == Math.rint(d) && !choices.contains(s)) {
      s = Long.toString(d.longValue()); // JSON may hand back 64 as 64.0
    }
    if (!choices.contains(s)) throw invalid("value '" + value + "' is not one of " + choices);
    return s;
  }

  @Override
  Parameter withCondition(Condition condition) {
    return new CategoricalParameter(name(), choices, condition);
  }

  @Override
  String kindSpec() {
    return "categorical(" + String.join(", ", choices) + ")";
  }
}
