package org.caviar.search.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.caviar.search.space.Parameter;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.junit.jupiter.api.Test;

class ProgressDisplayTest {
  private static Study study(String url, ProgressDisplay progress) {
    Study.Builder b = Study.builder(SearchSpace.of(Parameter.uniform("x", 0, 1))).name("shared").direction(Direction.MAXIMIZE)
        .storage(new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())).seed(4).workers(1);
    if (progress != null) b.listener(progress);
    return b.build();
  }

  /**
   * Two processes on one study in the database: this one's progress is the study's, the other's
   * trials included, and still moves with its own. (Not on a terminal, so it prints a line at every
   * tenth of the budget, 2 trials here.)
   */
  @Test
  void showsTheSharedStudysFinishedTrials() {
    String url = TestPostgres.newDatabase();
    StringWriter out = new StringWriter();
    ProgressDisplay progress = new ProgressDisplay(20, false, new PrintWriter(out));
    try (Study mine = study(url, progress); Study other = study(url, null)) {
      progress.start(0);
      mine.optimize(t -> {
        // While this process runs its first trial, the other finishes 10 (the 11th counting is this one).
        if (t.number() == 0) other.optimize(u -> u.getDouble("x"), Budget.trials(11));
        return t.getDouble("x");
      }, Budget.trials(20));
    } finally {
      progress.close();
    }
    List<String> counts = out.toString().lines().map(l -> l.substring(0, l.indexOf(" |"))).toList();
    assertEquals(List.of("trials 11/20", "trials 13/20", "trials 15/20", "trials 17/20", "trials 19/20", "trials 20/20"), counts,
        out.toString());
  }
}
