package org.caviar.search.bench;

/**
 * The positional arguments of the comparison tools ({@link SamplerComparison}, {@link
 * PruningComparison}): a bad one is a line naming it, with the tool's usage, not a
 * NumberFormatException's stack trace.
 */
final class ToolArgs {
  private ToolArgs() {}

  /** A bad argument; its message names it and ends with the usage. */
  static final class BadArgument extends IllegalArgumentException {
    BadArgument(String problem, String usage) {
      super(problem + "\n" + usage);
    }
  }

  /** Argument {@code i} as a whole number >= 1, or {@code fallback} if there are fewer arguments. */
  static int positiveInt(String[] args, int i, String name, int fallback, String usage) {
    if (i >= args.length) return fallback;
    int value;
    try {
      value = Integer.parseInt(args[i].strip());
    } catch (NumberFormatException e) {
      value = 0;
    }
    if (value < 1) throw new BadArgument(name + " must be a whole number >= 1, got '" + args[i] + "'", usage);
    return value;
  }

  /** Refuses more than {@code most} arguments: an extra one was dropped without a word. */
  static void atMost(String[] args, int most, String usage) {
    if (args.length > most) throw new BadArgument("at most " + most + " arguments, got " + args.length, usage);
  }

  /** Runs {@code main}; a bad argument is printed to stderr and the JVM exits with status 2. */
  static void run(String[] args, Main main) throws Exception {
    try {
      main.run(args);
    } catch (BadArgument e) {
      System.err.println(e.getMessage());
      System.exit(2);
    }
  }

  @FunctionalInterface
  interface Main {
    void run(String[] args) throws Exception;
  }
}
