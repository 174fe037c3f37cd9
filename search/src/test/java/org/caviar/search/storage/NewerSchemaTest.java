package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.Statement;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.trial.Direction;
import org.junit.jupiter.api.Test;

/**
 * A database whose schema a newer Caviar migrated: Flyway ignores migrations it does not know by
 * default, so this Caviar opened it as its own and then failed at its first claim ("null value in
 * column "host" violates not-null constraint", from a NOT NULL column the newer one added). It is
 * refused when opened, for writing and for reading, as a newer journal is.
 */
class NewerSchemaTest {
  @Test
  void aSchemaANewerCaviarMigratedIsRefusedWhenOpened() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresUrl u = PostgresUrl.parse(url);
    try (PostgresStorage s = new PostgresStorage(u, TestPostgres.fastSettings())) {
      s.open(new StudyInfo("mine", Direction.MINIMIZE, TestFunction.BRANIN.space(), 1));
      s.claimNext(10, 5, Long.MAX_VALUE); // this Caviar's schema works
    }
    // What a newer Caviar's V6 would leave: a column this one does not fill, and its history row.
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE caviar_trial ADD COLUMN host text NOT NULL DEFAULT 'x'");
      st.execute("ALTER TABLE caviar_trial ALTER COLUMN host DROP DEFAULT");
      st.execute("INSERT INTO caviar_schema_history (installed_rank, version, description, type, script, checksum, installed_by,"
          + " execution_time, success) SELECT max(installed_rank) + 1, '6', 'trial host', 'SQL', 'V6__trial_host.sql', 0,"
          + " current_user, 1, true FROM caviar_schema_history");
    }
    String expected = "the caviar schema in " + u + " is at version 6, which a newer Caviar applied (this one knows versions up to 5): "
        + "use that Caviar, or a later one";
    var writer = assertThrows(IllegalStateException.class, () -> new PostgresStorage(u, TestPostgres.fastSettings()).close());
    assertEquals(expected, writer.getMessage());
    var reader = assertThrows(IllegalStateException.class, () -> PostgresStorage.readOnly(u, TestPostgres.fastSettings()).close());
    assertEquals(expected, reader.getMessage());
  }
}
