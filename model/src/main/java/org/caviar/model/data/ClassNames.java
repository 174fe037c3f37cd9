package org.caviar.model.data;

/**
 * What a class name is, in one place: the loaders, {@link Dataset#inClasses} and the command line
 * must agree on which names are numbers, or data numbered one way meets a model named another.
 */
public final class ClassNames {
  private ClassNames() {}

  /**
   * Whether a class name is an integer: what {@link Long#parseLong(String)} reads, an optional sign
   * and decimal digits (any script's, as parseLong reads them) within a long's range ("7", "-1",
   * "+1", "01"; not " 1", "1e0", "1.0", "0x1" or a number past a long). Such classes sort by
   * value in {@link CsvLoader}, and are numbers to {@link Dataset#inClasses}.
   */
  public static boolean isInteger(String name) {
    if (name == null) return false;
    try {
      Long.parseLong(name);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /**
   * Throws an {@link IllegalArgumentException} naming {@code what} if a name is null or given twice:
   * classes are matched by name ({@link Dataset#inClasses}), and a name given twice would take every
   * row of that name for its first class.
   */
  public static void requireDistinct(java.util.List<String> names, String what) {
    java.util.Map<String, Integer> seen = new java.util.HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null) throw new IllegalArgumentException(what + "[" + i + "] must not be null");
      Integer first = seen.putIfAbsent(name, i);
      if (first != null) {
        throw new IllegalArgumentException(what + " has '" + name + "' twice (classes " + first + " and " + i + "): classes are matched by name");
      }
    }
  }
}
