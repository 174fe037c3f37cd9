package org.caviar.model.optim;

import java.util.Locale;

/**
 * Counts as the messages and the READMEs write them: from 1,000 on, their digits grouped in threes
 * with a comma (1,797 rows; 3,000,000,000 weights), whatever the machine's locale. A value the user
 * typed, and an option's value in a command to run, stay as typed.
 */
public final class Counts {
  private Counts() {}

  /** {@code n} with its digits grouped in threes: "999", "1,000", "-1,000". */
  public static String grouped(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  /** {@code n} and the noun, in the plural unless n is 1: "1 trial", "2 trials", "2,000 trials", "10 classes". */
  public static String of(long n, String noun) {
    return grouped(n) + " " + (n == 1 ? noun : noun.endsWith("s") ? noun + "es" : noun + "s");
  }
}
