package org.caviar.search.cli;

/**
 * The command line in a child JVM whose interrupted {@code train} waits 0 s for its epoch to end:
 * its stop hook reports at once what a run halted mid-epoch leaves (after 120 s, in a real one).
 */
final class NoStopWaitCli {
  private NoStopWaitCli() {}

  public static void main(String[] args) {
    TrainCommand.stopWaitSeconds = 0;
    CaviarCli.main(args);
  }
}
