package org.caviar.search.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A space read from text keeps each number as it was typed: a user who wrote lr = log(1e-3, 1e-1)
 * read lr = log(0.001, 0.1) back in the journal, the report, --show-space and a refused resume.
 * Equality goes by the values, so a space spelled otherwise (or stored by an older version in
 * Java's forms, 1.0E-3) is the same space.
 */
class TypedNumbersTest {
  @Test
  void aSpecKeepsEachNumberAsTyped() {
    String typed = """
        lr = log(1e-3, 1e-1)
        weight_decay = log(1E-6, 1.0e-2)
        dropout = uniform(.05, 5e-1)
        beta = one_minus_log(0.9, 0.999) if optimizer = adam
        units = int(1e1, 1e2)
        epochs = fixed(1e1)
        decay = fixed(0.001)
        n = fixed(+30)
        """;
    String spec = SearchSpace.parse("optimizer = categorical(adam, sgd)\n" + typed).spec();
    assertEquals("optimizer = categorical(adam, sgd)\n" + typed, spec);
    // What it writes reads back to the same space, and writes the same text again.
    assertEquals(spec, SearchSpace.parse(spec).spec());
    assertEquals(SearchSpace.parse(spec), SearchSpace.parse(spec.replace("1e1)", "10.0)")));
  }

  @Test
  void spellingsOfTheSameNumbersAreTheSameSpace() {
    SearchSpace typed = SearchSpace.parse("lr = log(1e-3, 1e-1)\nd = uniform(0, .5)\nn = int(1e1, 1e2)\ne = fixed(3e1)");
    // As versions before this one stored it: Java's forms, then one short form.
    SearchSpace java = SearchSpace.parse("lr = log(1.0E-3, 0.1)\nd = uniform(0.0, 0.5)\nn = int(10, 100)\ne = fixed(30.0)");
    SearchSpace shortForm = SearchSpace.parse("lr = log(0.001, 0.1)\nd = uniform(0, 0.5)\nn = int(10, 100)\ne = fixed(30.0)");
    SearchSpace built = SearchSpace.of(Parameter.logUniform("lr", 1e-3, 0.1), Parameter.uniform("d", 0, 0.5),
        Parameter.intUniform("n", 10, 100), Parameter.fixed("e", 30.0));
    for (SearchSpace other : new SearchSpace[] {java, shortForm, built}) {
      assertEquals(typed, other, other.spec());
      assertEquals(typed.hashCode(), other.hashCode(), other.spec());
    }
    assertEquals("lr = log(0.001, 0.1)\nd = uniform(0, 0.5)\nn = int(10, 100)\ne = fixed(30.0)\n", built.spec());
    // Another value, or a fixed integer for a fixed float, is another space.
    assertNotEquals(typed, SearchSpace.parse("lr = log(1e-3, 2e-1)\nd = uniform(0, .5)\nn = int(1e1, 1e2)\ne = fixed(3e1)"));
    assertNotEquals(typed, SearchSpace.parse("lr = log(1e-3, 1e-1)\nd = uniform(0, .5)\nn = int(1e1, 1e2)\ne = fixed(30)"));
  }

  @Test
  void errorsNameTheNumbersAsTyped() {
    // The two ends looked the same ("lo = 0.5, hi = 0.5"), or not as the user wrote them.
    rejects("d = uniform(.5, 5E-1)", "'d'", "lo = .5, hi = 5E-1 (");
    rejects("lr = log(1e-3, 1e-4)", "'lr'", "lo = 1e-3, hi = 1e-4 (");
    rejects("lr = log(-1e-3, 1e-1)", "'lr'", "lo > 0, got lo = -1e-3");
    rejects("b = one_minus_log(0.9, 1e0)", "'b'", "hi < 1, got hi = 1e0");
    rejects("n = int(1e2, 1e1)", "'n'", "lo = 1e2, hi = 1e1 (");
    rejects("n = int_log(0e0, 1e1)", "'n'", "lo >= 1, got lo = 0e0");
    // A number too large for a double is named with what it became.
    rejects("x = uniform(0, 1e999)", "'x'", "hi must be finite, got 1e999 (Infinity)");
    Parameter lr = SearchSpace.parse("lr = log(1e-3, 1e-1)").get(0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lr.coerce(0.5));
    assertTrue(e.getMessage().contains("value 0.5 is outside [1e-3, 1e-1]"), e.getMessage());
    // A fixed value as typed, and one built in code as a user writes it (it said "fixed at 1.0E-4").
    e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse("decay = fixed(1e-3)").get(0).coerce(0.5));
    assertTrue(e.getMessage().contains("fixed at 1e-3, got 0.5"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Parameter.fixed("decay", 1e-4).coerce(0.5));
    assertTrue(e.getMessage().contains("fixed at 1e-4, got 0.5"), e.getMessage());
  }

  private static void rejects(String spec, String... words) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SearchSpace.parse(spec));
    for (String w : words) assertTrue(e.getMessage().contains(w), "'" + e.getMessage() + "' should name " + w);
  }
}
