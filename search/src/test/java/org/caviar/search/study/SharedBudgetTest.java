package org.caviar.search.study;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.junit.jupiter.api.Test;

/**
 * A study running on PostgreSQL follows the budget stored with it as another process changes it
 * (tune --trials N on another machine), not the budget it started with.
 */
class SharedBudgetTest {
  private static PostgresStorage storage(String url) {
    return new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
  }

  private static Study study(PostgresStorage storage) {
    return Study.builder(TestFunction.BRANIN.space()).name("budget").sampler(new RandomSampler()).storage(storage).seed(5).workers(1).build();
  }

  /** Runs a study started with a budget of {@code start} while another storage handle sets {@code changed} during trial 0. */
  private static History runWhileChanged(int start, int changed) {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage other = storage(url); Study s = study(storage(url))) {
      other.open(s.info());
      other.recordTrialBudget(start);
      Budget budget = Budget.trials(start);
      assertEquals(start, s.trialsLeft(budget));
      AtomicLong leftAfterChange = new AtomicLong(-1);
      History h = s.optimize(t -> {
        if (t.number() == 0) {
          other.recordTrialBudget(changed);
          leftAfterChange.set(s.trialsLeft(budget));
        }
        return TestFunction.BRANIN.evaluate(t.params());
      }, budget);
      assertEquals(changed, leftAfterChange.get(), "trials left follow the stored budget (trial 0 still ran: none finished)");
      assertEquals(0, s.trialsLeft(budget));
      return h;
    }
  }

  @Test
  void aBudgetRaisedElsewhereExtendsTheRunningStudy() {
    History h = runWhileChanged(2, 4);
    assertEquals(4, h.size(), h.trials().toString());
    for (TrialRecord t : h.trials()) assertEquals(org.caviar.search.trial.TrialState.COMPLETE, t.state(), t::toString);
  }

  @Test
  void aBudgetLoweredElsewhereStopsTheRunningStudyThere() {
    History h = runWhileChanged(6, 2);
    assertEquals(2, h.size(), h.trials().toString());
  }
}
