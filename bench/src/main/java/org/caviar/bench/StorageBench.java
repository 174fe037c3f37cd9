package org.caviar.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.caviar.search.bench.Overhead;
import org.caviar.search.sampler.RandomSampler;
import org.caviar.search.storage.JournalStorage;
import org.caviar.search.storage.PostgresStorage;
import org.caviar.search.storage.PostgresUrl;
import org.caviar.search.storage.Storage;
import org.caviar.search.study.Budget;
import org.caviar.search.study.Study;
import org.caviar.search.study.Trial;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Storage overhead per trial of a study: claim, three intermediate values, finish, with an
 * objective that does nothing else (and the random sampler, whose proposals cost next to nothing),
 * for 1 to 8 workers on the journal and on PostgreSQL.
 *
 * <p>One invocation runs {@value #TRIALS} more trials of one study on {@code workers} workers and
 * is timed whole (JMH's single-shot mode); the score is in milliseconds per trial of wall time
 * (JMH divides by {@value #TRIALS}), so trials per second = 1000 / score, and the targets
 * are at most 5 ms per trial with 8 workers on PostgreSQL, 1 ms on the journal, and a score that
 * falls (throughput that grows) as workers are added. The study keeps growing from invocation to
 * invocation, as a long study does, so a cost that grows with the study shows as a drift.
 *
 * <p>With {@code objectiveMillis = 0} the score is the storage's own cost. On a small machine that
 * cost already fills the cores with one worker (the workers and the database server share them),
 * so more workers cannot raise throughput there whatever the locking. {@code objectiveMillis = 5}
 * asks the other question, whether workers wait for each other: each trial then also sleeps 5 ms,
 * as a worker does while its model trains on cores the database does not share (another machine).
 * Workers that never block each other give {@code w} trials per (5 ms + overhead): the score falls
 * about as 1 / w until the storage's own CPU work fills the machine; a lock held across trials
 * would keep it near 5 ms whatever {@code w}.
 *
 * <ul>
 *   <li>{@code postgresql}: each worker is a storage with its own connection pool, as a separate
 *       process on another machine would be, on an embedded PostgreSQL (binaries from the Maven
 *       artifact, started once per JVM, a fresh database per configuration) on this machine: the
 *       server's work shares the cores with the workers';
 *   <li>{@code journal}: one process's file, so the workers are threads of one study.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@OperationsPerInvocation(StorageBench.TRIALS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.VECTOR, ForkArgs.NATIVE, ForkArgs.UNSAFE, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX})
public class StorageBench {
  /** Trials per invocation: about a second on PostgreSQL, enough that thread start-up and the last stragglers weigh little. */
  static final int TRIALS = 400;

  private static final String STUDY = "storage-bench";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres server;

  @Param({"1", "2", "4", "8"})
  public int workers;

  @Param({"journal", "postgresql"})
  public String storage;

  /** Milliseconds each trial's objective sleeps (see the class comment). */
  @Param({"0", "5"})
  public int objectiveMillis;

  private final List<Study> studies = new ArrayList<>();
  private ExecutorService pool;
  private Path journalDir;
  /** This trial's database on the embedded server, dropped at its end. */
  private String database;
  private int target;

  /** The objective: three reports and a value, after {@code objectiveMillis} of sleep. */
  private double objective(Trial t) throws InterruptedException {
    if (objectiveMillis > 0) Thread.sleep(objectiveMillis);
    double v = t.getDouble("lr") + t.getDouble("dropout");
    for (int step = 1; step <= 3; step++) t.report(step, v + step);
    return v;
  }

  private static Study study(Storage s, int threads) {
    return Study.builder(Overhead.FIVE).name(STUDY).sampler(new RandomSampler()).storage(s).seed(1).workers(threads).build();
  }

  @Setup(Level.Trial)
  public void setup() throws IOException {
    target = 0;
    switch (storage) {
      case "postgresql" -> {
        database = newDatabase();
        String url = "postgresql://postgres@localhost:" + server.getPort() + "/" + database;
        for (int w = 0; w < workers; w++) {
          studies.add(study(new PostgresStorage(PostgresUrl.parse(url), PostgresStorage.Settings.defaults()), 1));
        }
        pool = Executors.newFixedThreadPool(workers);
      }
      case "journal" -> {
        journalDir = Files.createTempDirectory("caviar-storage-bench");
        studies.add(study(new JournalStorage(journalDir.resolve("journal.jsonl")), workers));
      }
      default -> throw new IllegalArgumentException("storage must be journal or postgresql, got " + storage);
    }
  }

  /** Runs {@value #TRIALS} more trials; returns the study's trial count. */
  @Benchmark
  public int trials() throws InterruptedException, ExecutionException {
    target += TRIALS;
    Budget budget = Budget.trials(target);
    if (pool == null) return studies.getFirst().optimize(this::objective, budget).size();
    List<Future<?>> done = new ArrayList<>(workers);
    for (Study s : studies) done.add(pool.submit(() -> s.optimize(this::objective, budget)));
    for (Future<?> f : done) f.get();
    return target;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    if (pool != null) pool.shutdownNow();
    pool = null;
    for (Study s : studies) s.close();
    studies.clear();
    // The quick run measures everything in one JVM: a populated database left behind keeps the
    // server's autovacuum busy on the vCPUs of the benchmarks after this one.
    if (database != null) {
      onServer("DROP DATABASE " + database + " WITH (FORCE)");
      database = null;
    }
    if (journalDir != null) {
      try (Stream<Path> files = Files.walk(journalDir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
      }
      journalDir = null;
    }
  }

  /** The name of a new database on the JVM's one embedded server (started on first use, stopped by its shutdown hook). */
  private static synchronized String newDatabase() {
    try {
      if (server == null) server = EmbeddedPostgres.builder().start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
    }
    String name = "caviar_bench_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    onServer("CREATE DATABASE " + name);
    return name;
  }

  /** Runs one statement on the embedded server's postgres database. */
  private static void onServer(String sql) {
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot " + sql, e);
    }
  }

  static Work work(BenchmarkParams params) {
    int sleep = Integer.parseInt(params.getParam("objectiveMillis"));
    String shape = "claim+3-reports+finish" + (sleep > 0 ? "+" + sleep + "ms-sleep" : "");
    return Work.latency("storage-trial", params.getParam("storage"), shape, Integer.parseInt(params.getParam("workers")));
  }
}
