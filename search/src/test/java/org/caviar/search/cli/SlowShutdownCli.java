package org.caviar.search.cli;

/**
 * The command line in a child JVM whose shutdown takes {@link #SHUTDOWN_MILLIS} longer: a hook of
 * its own sleeps that long, and the JVM halts only once every hook has returned. It widens the
 * window between a stop hook's message and the halt, in which the main thread runs on.
 */
final class SlowShutdownCli {
  static final long SHUTDOWN_MILLIS = 3000;

  private SlowShutdownCli() {}

  public static void main(String[] args) {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> CliRun.sleep(SHUTDOWN_MILLIS), "slow-shutdown"));
    CaviarCli.main(args);
  }
}
