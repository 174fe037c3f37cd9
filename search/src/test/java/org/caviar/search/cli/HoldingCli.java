package org.caviar.search.cli;

/**
 * The command line in a child JVM whose {@code tune} or {@code train} holds {@link #HOLD_MILLIS} at the point of
 * {@link TuneCommand#at} or {@link TrainCommand#at} that the system property {@code caviar.test.hold} names: it prints
 * {@link #holding} of it to stdout, for the test to stop it there.
 */
final class HoldingCli {
  static final String POINT = "caviar.test.hold";
  static final long HOLD_MILLIS = 5000;

  private HoldingCli() {}

  /** The line the child prints when it holds at {@code point}. */
  static String holding(String point) {
    return "holding " + point;
  }

  public static void main(String[] args) {
    String point = System.getProperty(POINT);
    java.util.function.Consumer<String> hold = p -> {
      if (!p.equals(point)) return;
      System.out.println(holding(p));
      System.out.flush();
      CliRun.sleep(HOLD_MILLIS);
    };
    TuneCommand.at = hold;
    TrainCommand.at = hold;
    CaviarCli.main(args);
  }
}
