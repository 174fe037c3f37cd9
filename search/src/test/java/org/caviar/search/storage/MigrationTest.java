package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** A study written under the V2 schema carries on under V3: numbering, budget and the lost trial's re-run. */
class MigrationTest {
  private static final SearchSpace SPACE = TestFunction.BRANIN.space();

  @Test
  void aStudyWrittenBeforeV3ResumesWithItsCountsAndReRuns() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresUrl u = PostgresUrl.parse(url);
    Flyway.configure().dataSource(u.jdbcUrl(), u.user(), null).locations("classpath:db/migration")
        .table("caviar_schema_history").target("2").load().migrate();
    Point a = SPACE.pointFromUnit(new double[] {0.25, 0.5});
    Point b = SPACE.pointFromUnit(new double[] {0.75, 0.5});
    String pa = "{\"x1\":" + a.get("x1") + ",\"x2\":" + a.get("x2") + "}";
    String pb = "{\"x1\":" + b.get("x1") + ",\"x2\":" + b.get("x2") + "}";
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO caviar_study (id, name, direction, space, seed) VALUES (1, 'old', 'MINIMIZE', '"
          + SPACE.spec().replace("'", "''") + "', 5)");
      st.execute("INSERT INTO caviar_trial (study_id, number, state, params, value, start_millis, end_millis, worker) VALUES"
          + " (1, 0, 'COMPLETE', '" + pa + "', 3.0, 10, 20, 'w'),"
          + " (1, 1, 'FAILED', '" + pb + "', NULL, 30, 40, 'w'),"
          + " (1, 2, 'FAILED', NULL, NULL, 50, 60, 'w')");
      st.execute("UPDATE caviar_trial SET reason = 'interrupted: worker lost, w sent no heartbeat for 0:01:00' WHERE number IN (1, 2)");
    }
    try (PostgresStorage s = new PostgresStorage(u, TestPostgres.fastSettings())) {
      s.open(new StudyInfo("old", Direction.MINIMIZE, SPACE, 5));
      List<TrialRecord> before = s.trials();
      assertEquals(3, before.size());
      assertEquals(TrialState.COMPLETE, before.get(0).state());
      // Counted: trial 0 only. A budget of 3 gives the lost trial 1 its re-run, then one fresh trial.
      TrialRecord rerun = s.claimNext(100, 3, Long.MAX_VALUE);
      assertEquals(3, rerun.number());
      assertEquals(1, rerun.retryOf());
      assertEquals(b, rerun.params());
      TrialRecord fresh = s.claimNext(100, 3, Long.MAX_VALUE);
      assertEquals(4, fresh.number());
      assertNull(fresh.params());
      assertNull(s.claimNext(100, 3, Long.MAX_VALUE));
    }
  }
}
