package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.caviar.kernels.Workers;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.study.Budget;
import org.caviar.search.study.ExecutionMode;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each trial records the threads its training ran on ({@link TrialRecord#threads()}), in every
 * storage, so that {@code train --from-study} trains it again on as many; journals and databases
 * written before report {@link TrialRecord#THREADS_UNKNOWN}.
 */
class TrialThreadsStorageTest {
  @TempDir Path dir;

  private static final SearchSpace SPACE = TestFunction.BRANIN.space();
  private static final StudyInfo INFO = new StudyInfo("threads", Direction.MINIMIZE, SPACE, 42);
  private static final long UNLIMITED = Long.MAX_VALUE;

  private static Point point(double x, double y) {
    return SPACE.pointFromUnit(new double[] {x, y});
  }

  /** Three trials: on one thread, on eight, and claimed without threads; returns the records. */
  private static List<TrialRecord> claimThree(Storage s) {
    s.open(INFO);
    s.claimTrial(1000, 1);
    s.recordParams(0, point(0.1, 0.2), -1);
    s.recordOutcome(0, TrialState.COMPLETE, 1.5, null, 1500);
    s.claimTrial(2000, 8);
    s.recordParams(1, point(0.3, 0.4), -1);
    s.recordIntermediate(1, 1, 2.5);
    s.claimTrial(3000);
    return s.trials();
  }

  private static List<Integer> threads(List<TrialRecord> trials) {
    List<Integer> t = new ArrayList<>();
    for (TrialRecord r : trials) t.add(r.threads());
    return t;
  }

  @Test
  void inMemoryAndJournalRecordEachTrialsThreads() {
    assertEquals(List.of(1, 8, 0), threads(claimThree(new InMemoryStorage())));
    Path file = dir.resolve("journal.jsonl");
    List<TrialRecord> written;
    try (JournalStorage j = new JournalStorage(file)) {
      written = claimThree(j);
    }
    assertEquals(List.of(1, 8, 0), threads(written));
    // Read back: the running ones are now interrupted, with their threads still.
    List<TrialRecord> view;
    try (JournalStorage j = JournalStorage.readOnly(file)) {
      j.open(INFO);
      view = j.trials();
    }
    assertEquals(written.subList(0, 1), view.subList(0, 1));
    assertEquals(List.of(1, 8, 0), threads(view));
  }

  /** A journal written before threads were recorded: its claims have none, and it opens, resumes and stays as it was. */
  @Test
  void aJournalWithoutThreadsOpensWithUnknownThreads() throws Exception {
    Path file = dir.resolve("old.jsonl");
    String old = OldJournal.withOneFinishedTrial("threads", "MINIMIZE", 42, SPACE);
    Files.writeString(file, old);
    try (JournalStorage j = new JournalStorage(file)) {
      j.open(INFO);
      assertEquals(TrialRecord.THREADS_UNKNOWN, j.trials().get(0).threads());
      assertEquals(TrialState.COMPLETE, j.trials().get(0).state());
    }
    assertEquals(old, Files.readString(file, StandardCharsets.UTF_8), "opening it changes nothing");
    try (JournalStorage j = new JournalStorage(file)) {
      j.open(INFO);
      j.claimTrial(3000, 1); // a resume's new trial records its own
    }
    try (JournalStorage j = JournalStorage.readOnly(file)) {
      j.open(INFO);
      assertEquals(List.of(0, 1), threads(j.trials()));
    }
  }

  /** A claim with threads that no study writes is corruption, named by its line. */
  @Test
  void aClaimWithBadThreadsIsAnErrorNamingTheLine() throws Exception {
    String header = OldJournal.header("threads", "MINIMIZE", 42, SPACE);
    for (String bad : List.of("0", "-1", "\"2\"", "1.5", Integer.toString(Workers.MAX_THREADS + 1))) {
      Path file = dir.resolve("bad" + bad.hashCode() + ".jsonl");
      Files.writeString(file, header + "{\"op\":\"claim\",\"trial\":0,\"t\":1000,\"threads\":" + bad + "}\n");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> JournalStorage.readOnly(file).open(INFO));
      assertTrue(e.getMessage().contains("line 2") && e.getMessage().contains("threads"), e.getMessage());
    }
  }

  /** In PostgreSQL: a claim of either kind records its threads; a re-run its own, not the lost trial's. */
  @Test
  void postgresRoundTripsEachTrialsThreads() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresStorage.Settings silent = new PostgresStorage.Settings(Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(10));
    try (PostgresStorage dead = new PostgresStorage(PostgresUrl.parse(url), silent)) {
      dead.open(INFO);
      assertEquals(16, dead.claimNext(1000, 10, UNLIMITED, 16).threads());
      dead.recordParams(0, point(0.1, 0.2), -1); // lost with its worker: waits for its re-run
    }
    Thread.sleep(TestPostgres.fastSettings().grace().toMillis() + 300);
    List<TrialRecord> written;
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      s.open(INFO);
      TrialRecord rerun = s.claimNext(2000, 10, UNLIMITED, 1);
      assertEquals(0, rerun.retryOf());
      assertEquals(1, rerun.threads(), "the re-run's own threads");
      s.recordOutcome(rerun.number(), TrialState.COMPLETE, 1.0, null, 2500);
      assertEquals(3, s.claimTrial(3000, 3).threads());
      assertEquals(TrialRecord.THREADS_UNKNOWN, s.claimNext(4000, 10, UNLIMITED).threads());
      written = s.trials();
      assertEquals(List.of(16, 1, 3, 0), threads(written));
    }
    // Another process reads them as written (a fresh cache: a full read).
    try (PostgresStorage s = new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings())) {
      s.open(INFO);
      assertEquals(written, s.trials());
    }
  }

  /**
   * A database whose schema predates the threads (V4): V5 adds the column, its trials report
   * unknown threads, and new ones record theirs. A table that has the column already (added by
   * hand, or a V5 that ran half-way) is left as it is.
   */
  @Test
  void v5MigratesAV4DatabaseAndItsTrialsHaveUnknownThreads() throws Exception {
    String url = TestPostgres.newDatabase();
    PostgresUrl u = PostgresUrl.parse(url);
    Flyway.configure().dataSource(u.jdbcUrl(), u.user(), null).locations("classpath:db/migration")
        .table("caviar_schema_history").target("4").load().migrate();
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      assertEquals(0, threadsColumns(st), "V4 has no threads column");
      st.execute("INSERT INTO caviar_study (name, direction, space, seed, next_number) VALUES ('threads', 'MINIMIZE', '"
          + SPACE.spec().replace("'", "''") + "', 42, 1)");
      st.execute("INSERT INTO caviar_trial (study_id, number, state, params, retry_of, start_millis, end_millis, value, worker) "
          + "SELECT id, 0, 'COMPLETE', '{\"x1\":1.5,\"x2\":2.5}', -1, 1000, 2000, 3.0, 'old' FROM caviar_study WHERE name = 'threads'");
    }
    try (PostgresStorage s = new PostgresStorage(u, TestPostgres.fastSettings())) {
      s.open(INFO);
      TrialRecord old = s.trials().get(0);
      assertEquals(TrialState.COMPLETE, old.state());
      assertEquals(TrialRecord.THREADS_UNKNOWN, old.threads());
      s.claimNext(3000, 10, UNLIMITED, 2);
      assertEquals(List.of(0, 2), threads(s.trials()));
    }
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      assertEquals(1, threadsColumns(st));
    }
    String byHand = TestPostgres.newDatabase();
    PostgresUrl h = PostgresUrl.parse(byHand);
    Flyway.configure().dataSource(h.jdbcUrl(), h.user(), null).locations("classpath:db/migration")
        .table("caviar_schema_history").target("4").load().migrate();
    try (Connection c = TestPostgres.connect(byHand); Statement st = c.createStatement()) {
      st.execute("ALTER TABLE caviar_trial ADD COLUMN threads INTEGER");
    }
    try (PostgresStorage s = new PostgresStorage(h, TestPostgres.fastSettings())) {
      s.open(INFO);
      assertEquals(4, s.claimTrial(1000, 4).threads());
      assertEquals(List.of(4), threads(s.trials()));
    }
  }

  private static int threadsColumns(Statement st) throws Exception {
    try (ResultSet r = st.executeQuery("SELECT count(*) FROM information_schema.columns "
        + "WHERE table_name = 'caviar_trial' AND column_name = 'threads'")) {
      r.next();
      return r.getInt(1);
    }
  }

  /** A study records the threads it gives each trial: one in caviar mode, every processor in panda mode; on each storage. */
  @Test
  void aStudyRecordsTheThreadsOfItsMode() {
    String url = TestPostgres.newDatabase();
    for (ExecutionMode mode : ExecutionMode.values()) {
      int expected = mode == ExecutionMode.PANDA ? Workers.allProcessors() : 1;
      List<Storage> storages = List.of(new InMemoryStorage(), new JournalStorage(dir.resolve(mode + ".jsonl")),
          new PostgresStorage(PostgresUrl.parse(url), TestPostgres.fastSettings()));
      for (Storage storage : storages) {
        try (Study study = Study.builder(SPACE).name("study-" + mode).sampler(new RandomSampler()).storage(storage).seed(5)
            .mode(mode).workers(1).build()) {
          List<TrialRecord> trials = study.optimize(t -> {
            assertEquals(expected, t.kernelThreads());
            return TestFunction.BRANIN.evaluate(t.params());
          }, Budget.trials(2)).trials();
          assertEquals(List.of(expected, expected), threads(trials), mode + " on " + storage.getClass().getSimpleName());
        }
      }
    }
  }
}
