package org.caviar.search.cli;

/**
 * The command line in a child JVM whose {@code tune} holds {@link #HOLD_MILLIS} once the study is
 * created, before its budget is recorded and its trials' hook is set ({@link TuneCommand#beforeBudget}):
 * it prints {@link #HOLDING} to stdout, for the test to stop it there.
 */
final class StudyCreationCli {
  static final String HOLDING = "holding before the budget";
  static final long HOLD_MILLIS = 5000;

  private StudyCreationCli() {}

  public static void main(String[] args) {
    TuneCommand.beforeBudget = () -> {
      System.out.println(HOLDING);
      System.out.flush();
      CliRun.sleep(HOLD_MILLIS);
    };
    CaviarCli.main(args);
  }
}
