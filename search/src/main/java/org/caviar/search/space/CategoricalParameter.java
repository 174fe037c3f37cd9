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

  /**
   * The index of the choice at unit position u: the i whose share [i / k, (i + 1) / k) holds u,
   * its ends the doubles nearest i / k (1 in the last share).
   */
  public int indexAt(double u) {
    int k = choices.size();
    double c = clampUnit(u);
    int i = (int) (c * k);
    if (i >= k) return k - 1;
    // The product rounds: at a share's start (1.0 / 49 * 49 is 0.9999999999999999) or just below
    // it, u * k can land one choice off; the shares decide, and one step always suffices.
    if (i > 0 && c < (double) i / k) return i - 1;
    if (i + 1 < k && c >= (double) (i + 1) / k) return i + 1;
    return i;
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
