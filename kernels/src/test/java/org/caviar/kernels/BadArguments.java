package org.caviar.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** The kernels' contract for bad input, checked the same way by every family's tests. */
final class BadArguments {
  private BadArguments() {}

  /**
   * {@code call} throws {@link IllegalArgumentException} whose message starts with the argument's
   * name, and writes none of {@code watched} (the checks run before any write).
   */
  static void rejects(String argument, Executable call, float[]... watched) {
    float[][] before = new float[watched.length][];
    for (int k = 0; k < watched.length; k++) before[k] = watched[k].clone();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, argument);
    assertTrue(e.getMessage().startsWith(argument + " "), "message should name " + argument + ": " + e.getMessage());
    for (int k = 0; k < watched.length; k++) assertArrayEquals(before[k], watched[k], "written despite the bad " + argument);
  }
}
