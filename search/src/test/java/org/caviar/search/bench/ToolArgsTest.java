package org.caviar.search.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ToolArgsTest {
  private static final String USAGE = "usage: SamplerComparison [SEEDS [TRIALS [CSV]]]";

  @Test
  void aMissingArgumentTakesItsDefault() {
    String[] args = {"5"};
    assertEquals(5, ToolArgs.positiveInt(args, 0, "SEEDS", 20, USAGE));
    assertEquals(100, ToolArgs.positiveInt(args, 1, "TRIALS", 100, USAGE));
  }

  /** A bad argument was a NumberFormatException's stack trace; it is now one line naming it, with the usage. */
  @Test
  void aBadArgumentIsNamedWithTheUsage() {
    var e = assertThrows(ToolArgs.BadArgument.class, () -> ToolArgs.positiveInt(new String[] {"x20"}, 0, "SEEDS", 20, USAGE));
    assertEquals("SEEDS must be a whole number >= 1, got 'x20'\n" + USAGE, e.getMessage());
    e = assertThrows(ToolArgs.BadArgument.class, () -> ToolArgs.positiveInt(new String[] {"1", "0"}, 1, "TRIALS", 100, USAGE));
    assertEquals("TRIALS must be a whole number >= 1, got '0'\n" + USAGE, e.getMessage());
    e = assertThrows(ToolArgs.BadArgument.class, () -> ToolArgs.positiveInt(new String[] {"99999999999"}, 0, "SEEDS", 20, USAGE));
    assertEquals("SEEDS must be a whole number >= 1, got '99999999999'\n" + USAGE, e.getMessage());
  }

  @Test
  void tooManyArgumentsAreRefused() {
    var e = assertThrows(ToolArgs.BadArgument.class, () -> ToolArgs.atMost(new String[] {"1", "2", "3", "4"}, 3, USAGE));
    assertEquals("at most 3 arguments, got 4\n" + USAGE, e.getMessage());
  }
}
