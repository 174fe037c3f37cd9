package org.caviar.search.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.Storage;
import org.caviar.search.storage.TestPostgres;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.study.Trial;

/**
 * Storage overhead per trial (claim, three intermediate values, finish; an objective that does
 * nothing else) for 1, 2, 4 and 8 workers, as trials per second of wall time. On PostgreSQL each
 * worker has its own storage and pool, as separate processes would; the journal is one process's
 * file, so its workers are threads of one study. Lives with the tests because it starts the
 * embedded PostgreSQL of the test class path:
 *
 * <pre>java -cp search/target/test-classes:search/target/classes:DEPENDENCIES org.caviar.search.bench.StorageOverhead [TRIALS]</pre>
 */
public final class StorageOverhead {
  private StorageOverhead() {}

  private static double objective(Trial t) {
    double v = t.getDouble("lr") + t.getDouble("dropout");
    for (int step = 1; step <= 3; step++) t.report(step, v + step);
    return v;
  }

  private static Study study(Storage storage, int threads) {
    return Study.builder(Overhead.FIVE).name("overhead").sampler(new RandomSampler()).storage(storage).seed(1).workers(threads).build();
  }

  /** Trials per second of {@code workers} PostgreSQL workers sharing a study of {@code trials}. */
  static double postgres(int workers, int trials) throws Exception {
    String url = TestPostgres.newDatabase();
    List<PostgresStorage> storages = new ArrayList<>();
    for (int w = 0; w < workers; w++) storages.add(new PostgresStorage(PostgresUrl.parse(url), PostgresStorage.Settings.defaults()));
    List<Study> studies = new ArrayList<>();
    for (PostgresStorage s : storages) studies.add(study(s, 1));
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      long t0 = System.nanoTime();
      List<Future<?>> done = new ArrayList<>();
      for (Study s : studies) done.add(pool.submit(() -> s.optimize(StorageOverhead::objective, Budget.trials(trials))));
      for (Future<?> f : done) f.get();
      return trials / ((System.nanoTime() - t0) / 1e9);
    } finally {
      pool.shutdown();
      for (Study s : studies) s.close();
    }
  }

  /** Trials per second of one journaled study on {@code workers} threads. */
  static double journal(int workers, int trials, Path file) {
    Study s = study(new JournalStorage(file), workers);
    try {
      long t0 = System.nanoTime();
      s.optimize(StorageOverhead::objective, Budget.trials(trials));
      return trials / ((System.nanoTime() - t0) / 1e9);
    } finally {
      s.close();
    }
  }

  public static void main(String[] args) throws Exception {
    int trials = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    Path dir = Files.createTempDirectory("caviar-storage-overhead");
    postgres(2, trials); // warm-up: JIT, the server's caches
    journal(2, trials, dir.resolve("warm.jsonl"));
    System.out.printf(Locale.ROOT, "%d trials, claim + 3 reports + finish, random sampler, %d cores%n", trials,
        Runtime.getRuntime().availableProcessors());
    for (int w : new int[] {1, 2, 4, 8}) {
      double pg = postgres(w, trials);
      double j = journal(w, trials, dir.resolve("j" + w + ".jsonl"));
      System.out.printf(Locale.ROOT, "%d workers: PostgreSQL %7.0f trials/s (%.2f ms/trial)   journal %8.0f trials/s (%.3f ms/trial)%n",
          w, pg, 1000 / pg, j, 1000 / j);
    }
    System.exit(0); // the embedded server stops in its shutdown hook
  }
}
