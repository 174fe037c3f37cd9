package org.caviar.search.study;

import org.caviar.search.bench.TestFunction;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.Direction;

/**
 * One worker process of {@link DistributedStudyTest}: runs the shared Branin study on a PostgreSQL
 * storage until its budget is spent, printing {@code reported <trial> <value>} for each result it
 * hands to the study. Arguments: storage URL, trial budget, milliseconds per reported step.
 */
public final class PostgresWorkerMain {
  static final String STUDY = "branin-distributed";

  private PostgresWorkerMain() {}

  static Study study(PostgresStorage storage) {
    return Study.builder(TestFunction.BRANIN.space()).name(STUDY).direction(Direction.MINIMIZE)
        .storage(storage).seed(2026).workers(1).build();
  }

  /** Three reports, then the Branin value; each step sleeps so that workers' trials overlap. */
  static double objective(Trial t, long stepMillis) throws InterruptedException {
    double v = TestFunction.BRANIN.evaluate(t.params());
    for (int step = 1; step <= 3; step++) {
      Thread.sleep(stepMillis);
      t.report(step, v + 1.0 / step);
    }
    return v;
  }

  public static void main(String[] args) {
    long stepMillis = Long.parseLong(args[2]);
    try (PostgresStorage storage = new PostgresStorage(PostgresUrl.parse(args[0]), TestPostgres.fastSettings())) {
      Study study = study(storage);
      study.optimize(t -> {
        double v = objective(t, stepMillis);
        synchronized (System.out) {
          System.out.println("reported " + t.number() + " " + v);
        }
        return v;
      }, Budget.trials(Integer.parseInt(args[1])));
    }
  }
}
