package org.caviar.search.space;

import java.util.List;

/**
 * A parameter is active only when the categorical parameter {@code parent} has one of
 * {@code values}, e.g. {@code beta2} only when {@code optimizer} is {@code adam}. The parent must be
 * declared before the child; {@link SearchSpace} checks that when it is built.
 */
public record Condition(String parent, List<String> values) {
  public Condition {
    if (parent == null || parent.isBlank()) {
      throw new IllegalArgumentException("condition parent must be a parameter name, got '" + parent + "'");
    }
    if (values == null || values.isEmpty()) {
      throw new IllegalArgumentException("condition on '" + parent + "' needs at least one value");
    }
    // Not values.contains(null): List.of's lists throw on that question.
    if (values.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("condition on '" + parent + "' has a null value: " + values);
    }
    values = List.copyOf(values);
  }

  /** {@code if parent = a | b}, as in a space spec. */
  public String spec() {
    return "if " + parent + " = " + String.join(" | ", values);
  }
}
