package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.caviar.search.bench.TestFunction;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.History;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server of its own, stopped and started again under a running study. */
class DatabaseRestartTest {
  @TempDir Path dir;

  private EmbeddedPostgres start(Path data, int port) throws Exception {
    EmbeddedPostgres.Builder b = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false);
    if (port > 0) b.setPort(port);
    return b.start();
  }

  @Test
  void aRunningStudyRidesOutARestartThenFailsClearlyWhenTheServerStaysDown() throws Exception {
    Path data = dir.resolve("pgdata");
    EmbeddedPostgres server = start(data, 0);
    int port = server.getPort();
    // The grace outlasts the restart, so the worker's own running trial is not declared lost.
    PostgresStorage.Settings settings = new PostgresStorage.Settings(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofSeconds(30));
    String url = "postgresql://postgres@localhost:" + port + "/postgres";
    int budget = 12;
    try (PostgresStorage storage = new PostgresStorage(PostgresUrl.parse(url), settings)) {
      Study study = Study.builder(TestFunction.BRANIN.space()).name("restart").direction(Direction.MINIMIZE)
          .storage(storage).seed(3).workers(1).build();
      CompletableFuture<History> run = CompletableFuture.supplyAsync(() -> study.optimize(t -> {
        double v = TestFunction.BRANIN.evaluate(t.params());
        for (int step = 1; step <= 3; step++) {
          Thread.sleep(60);
          t.report(step, v + step);
        }
        return v;
      }, Budget.trials(budget)));
      while (storage.trials().stream().filter(t -> t.state().isFinished()).count() < 3) Thread.sleep(20);
      server.close(); // pg_ctl stop: every connection of the pool breaks
      assertFalse(run.isDone(), "the study should still be running");
      server = start(data, port);
      History h = run.get(60, TimeUnit.SECONDS);
      List<TrialRecord> all = h.trials();
      assertEquals(budget, all.size(), all::toString);
      for (TrialRecord t : all) {
        assertEquals(TrialState.COMPLETE, t.state(), t::toString);
        assertEquals(3, t.reportCount(), t::toString);
      }
    } finally {
      server.close();
    }
    // Down for good: retries give up after retryFor with one clear line.
    PostgresStorage.Settings impatient = new PostgresStorage.Settings(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(1));
    server = start(data, port);
    PostgresStorage storage = new PostgresStorage(PostgresUrl.parse(url), impatient);
    try {
      storage.open(new StudyInfo("restart", Direction.MINIMIZE, TestFunction.BRANIN.space(), 3));
      server.close();
      StorageException e = assertThrows(StorageException.class, storage::trials);
      assertTrue(e.getMessage().startsWith("PostgreSQL storage postgresql://postgres@localhost:" + port + "/postgres: cannot read trials after "),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    } finally {
      storage.close();
    }
  }

  /**
   * A worker that stops while the server is down cannot release its trials: it must not hold up
   * the stop (no minute of retries), and says that they are re-run after the grace.
   */
  @Test
  void releasingWithTheServerDownFailsFastAndSaysTheGraceStillApplies() throws Exception {
    EmbeddedPostgres server = start(dir.resolve("pgdata"), 0);
    String url = "postgresql://postgres@localhost:" + server.getPort() + "/postgres";
    PostgresStorage.Settings settings = new PostgresStorage.Settings(Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofSeconds(60));
    try (PostgresStorage storage = new PostgresStorage(PostgresUrl.parse(url), settings)) {
      storage.open(new StudyInfo("down", Direction.MINIMIZE, TestFunction.BRANIN.space(), 3));
      storage.claimNext(System.currentTimeMillis(), 5, Long.MAX_VALUE);
      server.close();
      long t0 = System.nanoTime();
      StorageException e = assertThrows(StorageException.class, storage::releaseHeld);
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0);
      assertTrue(seconds < 10, "took " + seconds + " s");
      assertTrue(e.getMessage().contains("cannot release the running trial of this worker")
          && e.getMessage().contains("re-runs it once it has sent no heartbeat for 60 s"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    } finally {
      server.close();
    }
  }
}
