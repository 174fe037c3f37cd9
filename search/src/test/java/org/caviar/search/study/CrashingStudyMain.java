package org.caviar.search.study;

import java.nio.file.Path;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.trial.Direction;

/** Runs a slow study on a journal until it is killed: the victim of {@link ResumeTest}'s kill -9. */
public final class CrashingStudyMain {
  private CrashingStudyMain() {}

  static Study study(Path journal) {
    return Study.builder(TestFunction.BRANIN.space()).name("crash").direction(Direction.MINIMIZE)
        .storage(new JournalStorage(journal)).seed(77).workers(2).build();
  }

  static double objective(Trial t) throws InterruptedException {
    for (int e = 1; e <= 3; e++) {
      Thread.sleep(10);
      t.report(e, TestFunction.BRANIN.evaluate(t.params()) + 1.0 / e);
    }
    return TestFunction.BRANIN.evaluate(t.params());
  }

  public static void main(String[] args) {
    study(Path.of(args[0])).optimize(CrashingStudyMain::objective, Budget.trials(100_000));
  }
}
