package org.caviar.search.cli;

import static org.caviar.search.cli.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.caviar.search.storage.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --from-study} only reads the study: a role that may only SELECT (common on shared
 * databases) trains from it, on the current schema and on one an older Caviar wrote, which it
 * leaves as it is (a read must not migrate a shared database under its other users).
 */
class ReadOnlyRoleCliTest {
  @TempDir Path dir;

  @Test
  void aRoleThatMayOnlySelectTrainsFromAStudyOnTheCurrentAndAnOlderSchema() throws Exception {
    String url = TestPostgres.newDatabase();
    CliRun tune = run("tune", "--trials", "1", "--no-report", "--epochs", "1", "--workers", "1", "--no-progress", "--storage", url,
        "--study", "shared", "--sampler", "random", "--pruner", "none", "--param", "lr = log(1e-3, 1e-1)",
        "--param", "units = int_log(8, 16)", "--param", "layers = fixed(1)");
    assertEquals(0, tune.code(), tune.out() + tune.err());
    String asReader = TestPostgres.reader(url);
    String reader = url.substring(url.lastIndexOf('/') + 1) + "_reader";

    CliRun current = run("train", "--from-study", "shared", "--storage", asReader, "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("current.caviar").toString());
    assertEquals(0, current.code(), current.out() + current.err());
    assertTrue(current.out().contains("from 'shared' in postgresql://" + reader + "@"), current.out());

    // search/README's "later, anywhere: report it": the study's one trial has run, so tune only reports,
    // which a role that may only SELECT can do; asked for more trials, it is told what it lacks.
    CliRun report = run("tune", "--storage", asReader, "--study", "shared", "--no-report", "--no-progress");
    assertEquals(0, report.code(), report.out() + report.err());
    assertTrue(report.out().contains("best: trial 0, validation accuracy "), report.out());
    CliRun more = run("tune", "--storage", asReader, "--study", "shared", "--trials", "2", "--no-report", "--no-progress");
    assertEquals(1, more.code(), more.out() + more.err());
    assertTrue(more.err().contains("role '" + reader + "' may not write the caviar tables"), more.err());

    // The schema as Caviar before V5 left it: no threads column, history up to version 4.
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE caviar_trial DROP COLUMN threads");
      st.execute("DELETE FROM caviar_schema_history WHERE version = '5'");
    }
    CliRun older = run("train", "--from-study", "shared", "--storage", asReader, "--epochs", "1", "--threads", "1",
        "--out", dir.resolve("older.caviar").toString());
    assertEquals(0, older.code(), older.out() + older.err());
    assertTrue(older.out().contains("from 'shared' in postgresql://" + reader + "@"), older.out());
    // Left as it was: still at version 4, without the column V5 adds.
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT max(version::int), (SELECT count(*) FROM information_schema.columns"
            + " WHERE table_name = 'caviar_trial' AND column_name = 'threads') FROM caviar_schema_history WHERE success")) {
      r.next();
      assertEquals(4, r.getInt(1));
      assertEquals(0, r.getInt(2));
    }
  }
}
