package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresStorage#readOnly}: a role that may only SELECT reads a study, on an older schema
 * too, which stays as it was; nothing is written through it.
 */
class ReadOnlyStorageTest {
  private static final SearchSpace SPACE = TestFunction.BRANIN.space();
  private static final StudyInfo OLD = new StudyInfo("old", Direction.MINIMIZE, SPACE, 5);

  /** A database at schema {@code version} holding the study 'old' (one complete trial with a report, one lost), and the URL of a role that may only SELECT in it. */
  private static String[] oldStudy(String version) throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresUrl u = PostgresUrl.parse(url);
    Flyway.configure().dataSource(u.jdbcUrl(), u.user(), null).locations("classpath:db/migration")
        .table("caviar_schema_history").target(version).load().migrate();
    Point a = SPACE.pointFromUnit(new double[] {0.25, 0.5});
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO caviar_study (id, name, direction, space, seed) VALUES (1, 'old', 'MINIMIZE', '"
          + SPACE.spec().replace("'", "''") + "', 5)");
      st.execute("INSERT INTO caviar_trial (study_id, number, state, params, value, start_millis, end_millis, worker) VALUES"
          + " (1, 0, 'COMPLETE', '{\"x1\":" + a.get("x1") + ",\"x2\":" + a.get("x2") + "}', 3.0, 10, 20, 'w'),"
          + " (1, 1, 'FAILED', NULL, NULL, 30, 40, 'w')");
      st.execute("INSERT INTO caviar_intermediate (study_id, number, step, value) VALUES (1, 0, 1, 4.0)");
    }
    return new String[] {url, TestPostgres.reader(url)};
  }


  private static int schemaVersion(String url) throws Exception {
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT max(version::int) FROM caviar_schema_history WHERE success")) {
      r.next();
      return r.getInt(1);
    }
  }

  @Test
  void aRoleThatMayOnlySelectReadsAStudyOnEachOlderSchemaAndLeavesItAsItWas() throws Exception {
    for (String version : List.of("1", "2", "3", "4")) {
      String[] db = oldStudy(version);
      try (PostgresStorage s = PostgresStorage.readOnly(PostgresUrl.parse(db[1]), TestPostgres.fastSettings())) {
        StudyInfo stored = s.peek("old");
        assertEquals(OLD.space().spec(), stored.space().spec(), "V" + version);
        assertEquals(Map.of(), stored.settings(), "V" + version + ": no settings recorded");
        assertNull(s.trialBudget("old"), "V" + version);
        s.open(OLD);
        List<TrialRecord> trials = s.trials();
        assertEquals(2, trials.size(), "V" + version);
        assertEquals(TrialState.COMPLETE, trials.get(0).state());
        assertEquals(3.0, trials.get(0).value());
        assertEquals(TrialRecord.THREADS_UNKNOWN, trials.get(0).threads(), "V" + version + ": threads not recorded");
        assertEquals(4.0, trials.get(0).intermediate(1), "V" + version);
        assertEquals(TrialState.FAILED, trials.get(1).state());
        assertEquals(trials, s.trials(), "V" + version + ": a second read");
      }
      assertEquals(Integer.parseInt(version), schemaVersion(db[0]), "V" + version + " was migrated");
    }
  }

  @Test
  void aRoleThatMayOnlySelectReadsAStudyOnTheCurrentSchema() throws Exception {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage w = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      w.open(OLD);
      TrialRecord t = w.claimNext(10, 5, Long.MAX_VALUE, 3);
      w.recordParams(t.number(), SPACE.pointFromUnit(new double[] {0.5, 0.5}), -1);
      w.recordOutcome(t.number(), TrialState.COMPLETE, 2.0, null, 20);
      w.recordTrialBudget(5);
    }
    try (PostgresStorage s = PostgresStorage.readOnly(PostgresUrl.parse(TestPostgres.reader(url)), TestPostgres.fastSettings())) {
      assertEquals(5, s.trialBudget("old"));
      s.open(s.peek("old"));
      List<TrialRecord> trials = s.trials();
      assertEquals(1, trials.size());
      assertEquals(3, trials.get(0).threads());
      assertEquals(2.0, trials.get(0).value());
    }
  }

  @Test
  void nothingIsWrittenThroughAReadOnlyStorageEvenByARoleThatMayWrite() throws Exception {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage s = PostgresStorage.readOnly(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      // An empty database: no study, and no table created.
      assertNull(s.peek("old"));
      assertNull(s.trialBudget("old"));
      IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> s.open(OLD));
      assertEquals("no study 'old' in " + s.url(), none.getMessage());
    }
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT to_regclass('caviar_study') IS NULL")) {
      r.next();
      assertTrue(r.getBoolean(1), "a read-only storage created the schema");
    }
    new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings()).close();
    try (PostgresStorage s = PostgresStorage.readOnly(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertThrows(IllegalArgumentException.class, () -> s.open(OLD), "a read-only storage created the study");
    }
    String[] db = oldStudy("4");
    try (PostgresStorage s = PostgresStorage.readOnly(PostgresUrl.parse(db[0]), TestPostgres.fastSettings())) {
      s.open(OLD);
      IllegalStateException claim = assertThrows(IllegalStateException.class, () -> s.claimNext(10, 5, Long.MAX_VALUE));
      assertEquals("PostgreSQL storage " + s.url() + " is open read-only", claim.getMessage());
      assertThrows(IllegalStateException.class, () -> s.recordOutcome(1, TrialState.COMPLETE, 1.0, null, 50));
      assertThrows(IllegalStateException.class, () -> s.recordTrialBudget(9));
      // And its connections: the server refuses a write in them.
      try (Connection c = s.connection(); Statement st = c.createStatement()) {
        java.sql.SQLException refused = assertThrows(java.sql.SQLException.class, () -> st.executeUpdate("DELETE FROM caviar_trial"));
        assertTrue(refused.getMessage().contains("read-only transaction"), refused.getMessage());
      }
      assertEquals(2, s.trials().size());
    }
    assertEquals(4, schemaVersion(db[0]));
  }

  /**
   * A writer (tune, worker) whose role may not upgrade an older schema: one line naming the role,
   * the schema's version and this Caviar's, and what to run; the schema and study stay as they were.
   */
  @Test
  void aRoleThatMayNotUpgradeAnOlderSchemaIsToldWhatToRun() throws Exception {
    String[] db = oldStudy("4");
    PostgresUrl reader = PostgresUrl.parse(db[1]);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PostgresStorage(reader, TestPostgres.fastSettings()));
    assertTrue(e.getMessage().startsWith("cannot upgrade the caviar schema in " + reader + " from version 4 to 5 as role '"
        + reader.user() + "': ERROR: must be owner of table caviar_trial; run the same command once as a role that may alter"), e.getMessage());
    assertEquals(4, schemaVersion(db[0]));
  }

  /**
   * A role without the privileges a command needs: the server's reason, and which privileges on
   * which tables, for the role named (not only "permission denied for table caviar_study").
   */
  @Test
  void aRoleWithoutThePrivilegesItNeedsIsToldWhichItNeeds() throws Exception {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage w = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      w.open(OLD);
    }
    PostgresUrl reader = PostgresUrl.parse(TestPostgres.reader(url));
    // A writer (tune, worker) as a role that may only read: opening a study that exists writes
    // nothing (a report of a study whose trials have all run needs no more), the first claim does.
    try (PostgresStorage s = new PostgresStorage(reader, TestPostgres.fastSettings())) {
      s.open(OLD);
      StorageException e = assertThrows(StorageException.class, () -> s.claimNext(10, 5, Long.MAX_VALUE));
      assertTrue(e.getMessage().startsWith("PostgreSQL storage " + reader + ": cannot claim a trial: ERROR: permission denied for table "),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("; role '" + reader.user() + "' may not write the caviar tables: tune and worker need SELECT, "
          + "INSERT and UPDATE on them (and USAGE on their sequences); train --from-study needs SELECT only"), e.getMessage());
      assertNull(s.claimNext(10, 0, Long.MAX_VALUE), "nothing left to claim: no write needed, none refused");
    }
    // A reader that may not read the trials.
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("REVOKE SELECT ON caviar_trial FROM " + reader.user());
    }
    try (PostgresStorage s = PostgresStorage.readOnly(reader, TestPostgres.fastSettings())) {
      s.open(OLD);
      StorageException e = assertThrows(StorageException.class, s::trials);
      assertEquals("PostgreSQL storage " + reader + ": cannot read trials: ERROR: permission denied for table caviar_trial; role '"
          + reader.user() + "' may not read the caviar tables: reading a study needs SELECT on caviar_study, caviar_trial,"
          + " caviar_intermediate and caviar_schema_history", e.getMessage());
    }
  }
}
