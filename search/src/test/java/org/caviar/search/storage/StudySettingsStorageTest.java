package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A study's settings: stored once at creation by both storages, and absent (not recorded) in studies from before. */
class StudySettingsStorageTest {
  @TempDir Path dir;

  private static final SearchSpace SPACE = TestFunction.BRANIN.space();
  /** Keys that sort differently from insertion order, a value with JSON's special characters, an empty value. */
  private static final Map<String, String> SETTINGS = Map.of("--sampler", "tpe", "--epochs", "30",
      "--csv", "/data/a \"b\"\\c.csv", "--label-column", "");
  private static final StudyInfo WITH = new StudyInfo("s", Direction.MAXIMIZE, SPACE, 7, SETTINGS);

  @Test
  void settingsAreSortedUnmodifiableAndPartOfEquality() {
    assertEquals(List.of("--csv", "--epochs", "--label-column", "--sampler"), List.copyOf(WITH.settings().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> WITH.settings().put("--epochs", "1"));
    assertTrue(WITH.settingsRecorded());
    StudyInfo without = new StudyInfo("s", Direction.MAXIMIZE, SPACE, 7);
    assertFalse(without.settingsRecorded());
    assertFalse(without.equals(WITH));
    without.checkResumableAs(WITH); // settings are the caller's to compare, not the storage's
  }

  @Test
  void journalSettingsRoundTrip() {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(WITH, s.open(WITH));
    }
    assertEquals(WITH, JournalStorage.peek(file));
    // Reopened with other settings (or none): the stored ones are the study's.
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(WITH, s.open(new StudyInfo("s", Direction.MAXIMIZE, SPACE, 7, Map.of("--epochs", "5"))));
    }
    try (JournalStorage s = new JournalStorage(file)) {
      assertEquals(SETTINGS, s.open(new StudyInfo("s", Direction.MAXIMIZE, SPACE, 7)).settings());
    }
  }

  @Test
  void aJournalWithoutSettingsIsNotRecordedAndStaysSo() throws Exception {
    // The header exactly as journals were written before settings were stored, then one finished trial.
    Path file = dir.resolve("old.jsonl");
    String old = OldJournal.withOneFinishedTrial("s", "MAXIMIZE", 7, SPACE);
    Files.writeString(file, old);
    assertFalse(JournalStorage.peek(file).settingsRecorded());
    try (JournalStorage s = new JournalStorage(file)) {
      StudyInfo back = s.open(WITH); // a newer run brings settings: they are not written into an old study
      assertEquals(new StudyInfo("s", Direction.MAXIMIZE, SPACE, 7), back);
      List<TrialRecord> trials = s.trials();
      assertEquals(1, trials.size());
      assertEquals(TrialState.COMPLETE, trials.get(0).state());
      assertEquals(3.0, trials.get(0).value());
    }
    assertEquals(old, Files.readString(file, StandardCharsets.UTF_8));
  }

  @Test
  void aJournalWithBadSettingsIsAnErrorNamingTheLine() throws Exception {
    Path file = dir.resolve("bad.jsonl");
    Files.writeString(file, "{\"op\":\"study\",\"version\":1,\"name\":\"s\",\"direction\":\"MAXIMIZE\",\"seed\":7,"
        + "\"space\":\"x = uniform(0, 1)\",\"settings\":{\"--epochs\":30}}\n");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> new JournalStorage(file).open(new StudyInfo("s", Direction.MAXIMIZE, SearchSpace.parse("x = uniform(0, 1)"), 7)));
    assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("'--epochs'"), e.getMessage());
  }

  /** A study of the same name as {@link #WITH}, of another space, seed and settings. */
  private static final StudyInfo OTHER = new StudyInfo("s", Direction.MAXIMIZE, SearchSpace.parse("x = uniform(0, 1)"), 8,
      Map.of("--epochs", "5"));

  /**
   * create, for a run that found no study: true when it created it; false when another process had
   * (the run then takes that study's settings as a resume does), whose study is neither compared
   * (another space is no error here) nor changed, and the journal is left closed: unlocked.
   */
  @Test
  void journalCreateSaysWhetherItCreatedTheStudy() throws Exception {
    Path file = dir.resolve("journal.jsonl");
    try (JournalStorage first = new JournalStorage(file)) {
      assertTrue(first.create(WITH));
      assertEquals(WITH, first.open(WITH)); // as the study opens it
    }
    byte[] written = Files.readAllBytes(file);
    try (JournalStorage second = new JournalStorage(file)) {
      assertFalse(second.create(OTHER));
      assertArrayEquals(written, Files.readAllBytes(file));
      try (JournalStorage third = new JournalStorage(file)) {
        assertEquals(WITH, third.open(WITH));
      }
    }
  }

  @Test
  void postgresCreateSaysWhetherItCreatedTheStudy() {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage a = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings());
        PostgresStorage b = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertTrue(a.create(WITH));
      assertFalse(b.create(OTHER));
      assertEquals(WITH, b.peek("s"));
      assertEquals(WITH, a.open(WITH));
    }
  }

  @Test
  void postgresSettingsRoundTrip() {
    String url = TestPostgres.newDatabase();
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(null, s.peek("s"));
      assertEquals(WITH, s.open(WITH));
      assertEquals(WITH, s.peek("s"));
      StudyInfo none = new StudyInfo("none", Direction.MINIMIZE, SPACE, 1);
      assertEquals(none, s.open(none));
      assertFalse(s.peek("none").settingsRecorded());
    }
    // Another process joining with other settings gets the stored ones.
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      assertEquals(WITH, s.open(new StudyInfo("s", Direction.MAXIMIZE, SPACE, 7, Map.of("--epochs", "5"))));
    }
  }

  @Test
  void v4MigratesAV3DatabaseAndItsStudiesAreNotRecorded() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresUrl u = PostgresUrl.parse(url);
    Flyway.configure().dataSource(u.jdbcUrl(), u.user(), null).locations("classpath:db/migration")
        .table("caviar_schema_history").target("3").load().migrate();
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("INSERT INTO caviar_study (name, direction, space, seed, max_trials) VALUES ('old', 'MAXIMIZE', '"
          + SPACE.spec().replace("'", "''") + "', 7, 10)");
      try (ResultSet r = st.executeQuery("SELECT count(*) FROM information_schema.columns "
          + "WHERE table_name = 'caviar_study' AND column_name = 'settings'")) {
        r.next();
        assertEquals(0, r.getInt(1), "V3 has no settings column");
      }
    }
    try (PostgresStorage s = new PostgresStorage(u, TestPostgres.fastSettings())) {
      StudyInfo old = s.peek("old");
      assertFalse(old.settingsRecorded());
      assertEquals(10, s.trialBudget("old"));
      // Opened by a newer run that brings settings: the old study stays not recorded.
      StudyInfo reopened = s.open(new StudyInfo("old", Direction.MAXIMIZE, SPACE, 7, SETTINGS));
      assertEquals(new StudyInfo("old", Direction.MAXIMIZE, SPACE, 7), reopened);
      assertFalse(s.peek("old").settingsRecorded());
      s.open(WITH);
      assertEquals(SETTINGS, s.peek("s").settings());
    }
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT max(version::int) FROM caviar_schema_history WHERE success")) {
      r.next();
      assertEquals(5, r.getInt(1), "migrated to the latest (V5: trial threads)");
    }
  }
}
