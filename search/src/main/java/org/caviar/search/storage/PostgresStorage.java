package org.caviar.search.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;

/**
 * A study in a PostgreSQL database, shared by any number of worker processes on any machines.
 *
 * <p>Claims ({@link #claimNext}) are one message, one implicit transaction: it locks the study
 * row, then one statement takes a lost trial's parameters waiting for a re-run ({@code FOR UPDATE SKIP LOCKED}),
 * numbers the trial and checks the budget by incrementing the study row's counter (with a limit on
 * fresh trials, a grid's, it also counts the points given up against the limit), and inserts the
 * RUNNING trial. The budget is the one stored on that row ({@link #recordTrialBudget}) as it is
 * then, so that a budget another process raised or lowered meanwhile applies to this one's next
 * claim; the caller's only for a study that stores none. Locked first, the row and the trials that statement counts are read after any reap
 * or claim that committed while it waited. The study row is locked only for that message, so
 * claims do not wait for each other's samplers, and their cost does not grow with the study. Every
 * other event is one autocommitted statement.
 *
 * <p>Reads are incremental: this process keeps its copy of the study ({@link TrialCache}) and asks
 * only for trials changed since its last read (see the {@code changed_xid} column in the V3
 * migration), in one statement, so one snapshot.
 *
 * <p>Heartbeats: while this process runs a trial, a daemon thread refreshes the trial's
 * {@code heartbeat} (the server's clock) every {@link Settings#heartbeat}; a RUNNING trial whose
 * heartbeat is older than {@link Settings#grace} is finished as FAILED with reason
 * {@code interrupted: worker lost, ...} by a later claim of any worker (each worker looks at most
 * once per heartbeat period, skipping rows another is finishing), and its parameters wait for a
 * re-run, unless it was a re-run itself: interrupted while it ran, its point is given up
 * ({@code Study.givenUpPoints}). A worker that stops (Ctrl-C) releases its trials at once instead
 * ({@link #releaseHeld}), with the same effect: a released re-run gives its point up too, since
 * Ctrl-C is often the answer to a configuration that hangs. Only a trial given back before it ran
 * (its claim committed as its worker stopped, or a listener failed as it started: {@link #giveBack})
 * leaves the re-run it took due again. A re-run's
 * {@code retry_of} is always the first run.
 *
 * <p>Lost connections (the server restarts, the network drops) are retried with exponential
 * backoff for {@link Settings#retryFor}, then fail with one clear message; a statement with no reply
 * for {@link Settings#socketTimeout} counts as one (a network that drops packets silently). Every write is safe to
 * retry: a claim whose reply was lost finds its committed trial by the claim's own token, and
 * recording an outcome twice changes nothing. The result of a trial that was declared lost meanwhile
 * is not counted, but is appended to the lost trial's reason and logged.
 *
 * <p>The schema is created and migrated by Flyway from {@code db/migration} on the class path.
 *
 * <p>A {@link #readOnly} storage (e.g. for {@code train --from-study}) only reads: it neither
 * migrates the schema nor creates the study, and its connections are read-only, so a role that may
 * only SELECT can use it, and a database an older Caviar wrote is read as it is (what a column that
 * a later migration adds would hold reads as "not recorded").
 */
public final class PostgresStorage implements SharedStorage {
  /** Timing of heartbeats, of declaring a silent worker lost, and of retrying a lost connection. */
  public record Settings(Duration heartbeat, Duration grace, Duration retryFor) {
    public Settings {
      if (heartbeat == null || heartbeat.isNegative() || heartbeat.isZero()) {
        throw new IllegalArgumentException("heartbeat must be > 0, got " + heartbeat);
      }
      if (grace == null || grace.compareTo(heartbeat.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException("grace must be at least two heartbeats (" + heartbeat.multipliedBy(2) + "), got " + grace);
      }
      if (retryFor == null || retryFor.isNegative()) throw new IllegalArgumentException("retryFor must be >= 0, got " + retryFor);
    }

    /**
     * How long a statement waits for the server's reply before its connection counts as lost (and
     * is retried on another, within {@link #retryFor}): without it, a network that silently drops
     * packets blocks the statement for TCP's ~15 min of retransmissions, and a hung heartbeat lets
     * other workers reap this one's live trials. Half the grace, so that a hung beat gives way to
     * the next in time, but at least 10 s (no statement of this storage waits that long on a
     * healthy server; tests use a grace of about a second) and at most 30 s. Whole seconds, as the
     * driver's {@code socketTimeout}.
     */
    public Duration socketTimeout() {
      long seconds = Math.clamp(grace.toSeconds() / 2, 10, 30);
      return Duration.ofSeconds(seconds);
    }

    /** Beats every 5 s, lost after 60 s of silence, retries a lost database for 60 s. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Flyway logs every check at INFO through java.util.logging; only its warnings matter here. */
  private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");
  private static final System.Logger LOG = System.getLogger(PostgresStorage.class.getName());

  static {
    FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private static final long MAX_BACKOFF_MILLIS = 4_000;

  /**
   * The claim, in one statement so that the study row stays locked only while it runs: take the
   * oldest lost trial waiting for its re-run (skipping one another claim holds), number the new
   * trial if the budget allows (the re-run's limit; a fresh trial's limit less the re-runs still
   * waiting, locked ones included, so that a fresh claim never takes the slot of a re-run another
   * claim is taking), mark the re-run taken only if a number was given, and insert the RUNNING
   * trial with the re-run's parameters, if any, and its threads (NULL: not recorded). Parameters:
   * study, whether to take re-runs, study, budget, study, budget, fresh limit, study, study, start,
   * worker, token, threads. The {@code %1$s} is the budget checked, with the budget parameter in it
   * ({@link #STORED_BUDGET}, or the parameter alone); the {@code %2$s} is what else counts against
   * the fresh limit (not the budget): {@link #CLAIM_LIMITED}, {@link #CLAIM_UNLIMITED}.
   */
  private static final String CLAIM = """
      WITH rerun AS (
        SELECT number, params FROM caviar_trial WHERE study_id = ? AND requeued AND ?
        ORDER BY number LIMIT 1 FOR UPDATE SKIP LOCKED),
      numbered AS (
        UPDATE caviar_study SET next_number = next_number + 1
        WHERE id = ? AND CASE WHEN EXISTS (SELECT 1 FROM rerun) THEN next_number - lost < %1$s
          ELSE next_number - lost + (SELECT count(*) FROM caviar_trial WHERE study_id = ? AND requeued) < least(%1$s, ? - %2$s) END
        RETURNING next_number - 1 AS number),
      taken AS (
        UPDATE caviar_trial t SET requeued = false FROM rerun, numbered
        WHERE t.study_id = ? AND t.number = rerun.number
        RETURNING t.number, t.params)
      INSERT INTO caviar_trial (study_id, number, state, params, retry_of, start_millis, worker, claim_token, threads)
      SELECT ?, numbered.number, 'RUNNING', taken.params, coalesce(taken.number, -1), ?, ?, ?, ?
      FROM numbered LEFT JOIN taken ON true
      RETURNING number, params, retry_of, threads""";

  /**
   * How many points are given up ({@code Study.givenUpPoints}, in SQL, correlated on the study row
   * {@code caviar_study.id}): the distinct parameters of re-runs interrupted while they ran
   * (interrupted for a reason {@link TrialRecord#NEVER_RAN} does not match: reaped or released)
   * that no trial but an interrupted one has. Parameters compare as jsonb, whatever the text's spacing.
   */
  private static final String GIVEN_UP = """
      (SELECT count(DISTINCT g.params::jsonb) FROM caviar_trial g
        WHERE g.study_id = caviar_study.id AND g.retry_of >= 0 AND g.params IS NOT NULL AND g.state = 'FAILED'
          AND starts_with(g.reason, '%1$s') AND g.reason !~ '%2$s'
          AND NOT EXISTS (SELECT 1 FROM caviar_trial o WHERE o.study_id = g.study_id AND o.params::jsonb = g.params::jsonb
            AND NOT (o.state = 'FAILED' AND starts_with(coalesce(o.reason, ''), '%1$s'))))"""
      .formatted(TrialRecord.INTERRUPTED, TrialRecord.NEVER_RAN.replace("'", "''"));

  /**
   * The budget a claim checks, on the study row it updates: the one stored with the study as it is
   * at the claim (set by any process, e.g. {@code tune --trials} on another machine), else the
   * claim's own (the parameter).
   */
  private static final String STORED_BUDGET = "coalesce(max_trials, ?)";

  /**
   * What a claim sends before {@link #CLAIM}, in the same message: the study row locked, so that
   * the claim statement's snapshot, taken after, holds every reap and claim that committed while
   * this one waited for the row. Sent together (the extended protocol's one Sync), the two run as
   * one implicit transaction in one round trip. Parameter: study.
   */
  private static final String LOCKED = "SELECT 1 FROM caviar_study WHERE id = ? FOR UPDATE;\n";

  /**
   * {@link #CLAIM} for a limited number of fresh trials (a grid's points): the points given up
   * count against it, read by the claim itself after {@link #LOCKED}, so that a re-run reaped by
   * another worker meanwhile counts both as lost on the study row and as given up, or as neither.
   * Read from the trials the study had just read,
   * the count missed a re-run reaped between the two, and the claim took a fresh trial past the grid.
   */
  private static final String CLAIM_LIMITED = LOCKED + CLAIM.formatted(STORED_BUDGET, GIVEN_UP);

  /** {@link #CLAIM} without a limit on fresh trials: no point is given up for want of another. */
  private static final String CLAIM_UNLIMITED = LOCKED + CLAIM.formatted(STORED_BUDGET, "0");

  /** {@link #CLAIM_UNLIMITED} against the budget given, whatever the study stores ({@link #claimTrial}: none). */
  private static final String CLAIM_ANY = LOCKED + CLAIM.formatted("?", "0");

  /**
   * Finishes RUNNING trials silent for longer than the grace as interrupted, skipping rows another
   * transaction holds (their worker is finishing them, or another reaper is), re-queues those that
   * have parameters and are not re-runs themselves, and counts them lost on the study row, which is
   * touched only when something was reaped. Parameters: study, grace in s, end, reason prefix, study.
   */
  private static final String REAP = interrupt("heartbeat < now() - make_interval(secs => ?)",
      "' sent no heartbeat for ' || to_char(now() - t.heartbeat, 'FMHH24:MI:SS')", "");

  /**
   * The reaper's statement for the trials this storage holds, whatever their heartbeat: its process
   * stops, so they are lost now rather than after the grace. Returns how many it finished.
   * Parameters: study, worker, numbers, end, reason prefix, study, study.
   */
  private static final String RELEASE = interrupt("worker = ? AND number = ANY (?)", "' stopped while this trial ran'",
      " RETURNING (SELECT count(*) FROM reaped), (SELECT count(*) FROM reaped WHERE reaped.retry_of >= 0 AND reaped.has_params)");

  /** {@link #REAP} for the RUNNING trials that match {@code which}, with the reason's end and the last clause's. */
  private static String interrupt(String which, String reasonEnd, String returning) {
    return """
        WITH stale AS (
          SELECT number FROM caviar_trial
          WHERE study_id = ? AND state = 'RUNNING' AND %s
          FOR UPDATE SKIP LOCKED),
        reaped AS (
          UPDATE caviar_trial t SET state = 'FAILED', value = NULL, end_millis = ?,
            reason = ? || t.worker || %s,
            requeued = t.params IS NOT NULL AND t.retry_of < 0, changed_xid = pg_current_xact_id()
          FROM stale WHERE t.study_id = ? AND t.number = stale.number
          RETURNING t.number, t.retry_of, t.params IS NOT NULL AS has_params)
        UPDATE caviar_study SET lost = lost + (SELECT count(*) FROM reaped)
        WHERE id = ? AND EXISTS (SELECT 1 FROM reaped)%s""".formatted(which, reasonEnd, returning);
  }

  /**
   * Gives back a trial whose claim committed after {@link #releaseHeld}: finishes it as interrupted
   * with neither parameters nor a re-run of its own (it never ran, so it is nobody's re-run), puts
   * the interrupted trial it took, if any, back in the queue for its re-run, and counts it lost.
   * Parameters: end, reason, study, number, study, number of the re-run taken (-1: none), study.
   */
  private static final String GIVE_BACK = """
      WITH gone AS (
        UPDATE caviar_trial SET state = 'FAILED', value = NULL, params = NULL, retry_of = -1, end_millis = ?, reason = ?,
          requeued = false, changed_xid = pg_current_xact_id()
        WHERE study_id = ? AND number = ? AND state = 'RUNNING'
        RETURNING number),
      back AS (
        UPDATE caviar_trial SET requeued = true
        WHERE study_id = ? AND number = ? AND EXISTS (SELECT 1 FROM gone))
      UPDATE caviar_study SET lost = lost + 1 WHERE id = ? AND EXISTS (SELECT 1 FROM gone)""";

  /** How long a release may wait for the database: it runs as the process stops (e.g. in a shutdown hook). */
  private static final int RELEASE_TIMEOUT_SECONDS = 3;

  /**
   * Trials changed at or after the horizon, each with its intermediate values in report order, and
   * the new horizon (the xmin of this statement's snapshot). One statement: one snapshot, and a row
   * even when nothing changed. Parameters: study, horizon.
   */
  private static final String READ_CHANGED = """
      SELECT h.horizon, t.number, t.state, t.params, t.retry_of, t.value, t.reason, t.start_millis, t.end_millis,
             i.steps, i.vals, t.threads
      FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon) h
      LEFT JOIN caviar_trial t ON t.study_id = ? AND t.changed_xid >= ?::xid8
      LEFT JOIN LATERAL (
        SELECT array_agg(m.step ORDER BY m.seq) AS steps, array_agg(m.value ORDER BY m.seq) AS vals
        FROM caviar_intermediate m WHERE m.study_id = t.study_id AND m.number = t.number) i ON true
      ORDER BY t.number""";

  private final PostgresUrl url;
  private final Settings settings;
  /** Set by {@link #readOnly}: no migration, no study created, read-only connections, every write refused. */
  private final boolean readOnly;
  /**
   * The schema's version (the last migration applied, Flyway's), so that a read-only storage reads
   * an older schema as it is: 0 when the database holds no caviar tables. A writer migrates to the
   * latest, and reads every column.
   */
  private volatile int schemaVersion = Integer.MAX_VALUE;
  /** The connections, and the heartbeat's thread: replaced when a closed storage is opened again ({@link #open}). */
  private volatile HikariDataSource pool;
  private volatile ScheduledExecutorService beat;
  /** Set by {@link #close}: the next {@link #open} connects again, as a new storage would. */
  private boolean closed;
  /** Guards {@link #pool}, {@link #beat} and {@link #closed} as they change. */
  private final Object lifecycle = new Object();
  private final String worker;
  private final Set<Integer> mine = ConcurrentHashMap.newKeySet();
  /** Set by {@link #releaseHeld}: a claim that commits after it gives its trial back, and none follows. */
  private volatile boolean released;
  /**
   * Makes setting {@link #released} and reading {@link #mine} one step against a claim's check and
   * add: each trial is either released with the held ones or given back by its claim, never both.
   */
  private final Object releaseLock = new Object();
  /** Guards {@link #cache}: reads and merges happen one at a time, in order. */
  private final Object cacheLock = new Object();
  private final AtomicLong nextReapNanos = new AtomicLong(Long.MIN_VALUE);
  private TrialCache cache = new TrialCache();
  private volatile StudyInfo info;
  private volatile long studyId = -1;
  /** Tests only: runs when a claim has committed, before this storage takes the trial as its own. */
  volatile Runnable afterClaimCommit = () -> {};
  /** Tests only: runs at the start of each heartbeat that has trials to refresh. */
  volatile Runnable beforeBeat = () -> {};

  public PostgresStorage(String url) {
    this(PostgresUrl.parse(url), Settings.defaults());
  }

  /** Connects (failing at once, in one line, if the server cannot be used) and migrates the schema. */
  public PostgresStorage(PostgresUrl url, Settings settings) {
    this(url, settings, false);
  }

  private PostgresStorage(PostgresUrl url, Settings settings, boolean readOnly) {
    this.url = url;
    this.settings = settings;
    this.readOnly = readOnly;
    this.worker = workerName();
    connect();
  }

  /**
   * A storage that only reads the database at {@code url} (e.g. to train from a study's best
   * trial): it connects read-only, migrates nothing and creates no study, so that a role that may
   * only SELECT can use it, on the current schema or an older one, which it leaves as it is.
   */
  public static PostgresStorage readOnly(String url) {
    return readOnly(PostgresUrl.parse(url), Settings.defaults());
  }

  /** {@link #readOnly(String)} with {@code settings}. */
  public static PostgresStorage readOnly(PostgresUrl url, Settings settings) {
    return new PostgresStorage(url, settings, true);
  }

  /** Opens the pool (failing at once, in one line, if the server cannot be used), migrates the schema and starts the heartbeat. */
  private void connect() {
    HikariConfig c = new HikariConfig();
    c.setPoolName("caviar-storage");
    c.setJdbcUrl(url.jdbcUrl());
    c.setUsername(url.user());
    String password = System.getenv("PGPASSWORD");
    if (password != null) c.setPassword(password); // else the driver reads PGPASSFILE or ~/.pgpass
    // A study's worker thread holds one connection at a time, and runs one per core by default; plus the heartbeat's.
    c.setMaximumPoolSize(Runtime.getRuntime().availableProcessors() + 2);
    c.setMinimumIdle(1);
    c.setConnectionTimeout(2_000); // a wait for a pooled connection; withRetry bounds the whole
    c.addDataSourceProperty("connectTimeout", "5");
    c.addDataSourceProperty("socketTimeout", String.valueOf(settings.socketTimeout().toSeconds()));
    // The OS notices a dead peer of an idle pooled connection (after its keepalive time) rather than never.
    c.addDataSourceProperty("tcpKeepAlive", "true");
    c.addDataSourceProperty("ApplicationName", "caviar");
    if (readOnly) {
      // Every statement in a read-only transaction, autocommitted ones too: the server refuses any write.
      c.setReadOnly(true);
      c.addDataSourceProperty("readOnlyMode", "always");
    }
    HikariDataSource connected;
    try {
      connected = new HikariDataSource(c);
    } catch (RuntimeException e) {
      throw new IllegalStateException(describeConnectFailure(url, e, password != null), e);
    }
    try {
      Flyway flyway = flywayOn(connected);
      String newer = newerSchema(flyway);
      if (newer != null) {
        connected.close();
        throw new IllegalStateException(newer);
      }
      if (readOnly) {
        MigrationInfo current = flyway.info().current();
        schemaVersion = current == null ? 0 : Integer.parseInt(current.getVersion().getVersion());
      } else {
        flyway.migrate();
      }
    } catch (FlywayException e) {
      String why = migrationFailure(e, readOnly ? null : flywayOn(connected));
      connected.close();
      throw new IllegalStateException(why, e);
    }
    pool = connected;
    ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "caviar-heartbeat");
      t.setDaemon(true);
      return t;
    });
    long every = settings.heartbeat.toMillis();
    beats.scheduleWithFixedDelay(this::beatOnce, every, every, TimeUnit.MILLISECONDS);
    beat = beats;
  }

  /**
   * Why this Caviar must not use the database, if a newer one migrated its schema past the
   * migrations this one knows (Flyway's "future" migrations, which it would otherwise ignore): a
   * writer would then leave new columns unset (a NOT NULL one failed the first claim), and a reader
   * could not know what they mean. Null if the schema is this Caviar's or older. A newer journal
   * is refused alike ({@link JournalStorage}).
   */
  private String newerSchema(Flyway flyway) {
    MigrationInfo[] all = flyway.info().all();
    String newest = null;
    int known = 0;
    for (MigrationInfo m : all) {
      if (m.getVersion() == null) continue;
      if (m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED) {
        newest = m.getVersion().getVersion();
      } else {
        known = Math.max(known, Integer.parseInt(m.getVersion().getVersion()));
      }
    }
    if (newest == null) return null;
    return "the caviar schema in " + url + " is at version " + newest + ", which a newer Caviar applied (this one knows versions up to "
        + known + "): use that Caviar, or a later one";
  }

  private static Flyway flywayOn(HikariDataSource data) {
    return Flyway.configure().dataSource(data).locations("classpath:db/migration").table("caviar_schema_history").load();
  }

  /**
   * One line for a schema that could not be read ({@code flyway} null) or migrated: the server's
   * reason rather than Flyway's "failed to execute script", and for a migration, the versions and
   * the role, which may lack the rights to upgrade (a role that may only read), and what to do.
   */
  private String migrationFailure(FlywayException e, Flyway flyway) {
    String reason = firstLine(e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        reason = firstLine(sql.getMessage());
        break;
      }
    }
    if (flyway == null) return "cannot read the caviar schema in " + url + " as role '" + url.user() + "': " + reason;
    String versions = "";
    try {
      MigrationInfo[] pending = flyway.info().pending();
      MigrationInfo current = flyway.info().current();
      if (pending.length > 0) {
        versions = " from version " + (current == null ? "none" : current.getVersion().getVersion()) + " to "
            + pending[pending.length - 1].getVersion().getVersion();
      }
    } catch (FlywayException unread) {
      // The reason above says enough.
    }
    return "cannot upgrade the caviar schema in " + url + versions + " as role '" + url.user() + "': " + reason
        + "; run the same command once as a role that may alter the caviar tables (their owner): it upgrades the schema. "
        + "A role that may only read can still train from a study (caviar train --from-study NAME --storage URL)";
  }

  /**
   * After {@link #close}: connects again, and forgets what the closed storage held (its trials were
   * released or finished; a release must not stop this one's claims), as a new storage would.
   */
  private void reconnectIfClosed() {
    synchronized (lifecycle) {
      if (!closed) return;
      connect();
      closed = false;
      synchronized (releaseLock) {
        released = false;
        mine.clear();
      }
      nextReapNanos.set(Long.MIN_VALUE);
    }
  }

  public PostgresUrl url() {
    return url;
  }

  public Settings settings() {
    return settings;
  }

  /** The stored study named {@code name}, or null when there is none; creates nothing. */
  public StudyInfo peek(String name) {
    reconnectIfClosed();
    if (schemaVersion == 0) return null;
    return withRetry("read study '" + name + "'", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT direction, space, seed, " + since(4, "settings") + " FROM caviar_study WHERE name = ?")) {
        q.setString(1, name);
        try (ResultSet r = q.executeQuery()) {
          return r.next() ? storedStudy(name, r, 1) : null;
        }
      }
    });
  }

  /** The trial budget stored for the study named {@code name}, or null when none was set. */
  public Integer trialBudget(String name) {
    reconnectIfClosed();
    if (schemaVersion == 0) return null;
    return withRetry("read the budget of study '" + name + "'", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT " + since(2, "max_trials") + " FROM caviar_study WHERE name = ?")) {
        q.setString(1, name);
        try (ResultSet r = q.executeQuery()) {
          if (!r.next()) return null;
          int n = r.getInt(1);
          return r.wasNull() ? null : n;
        }
      }
    });
  }

  /**
   * Stores the open study's trial budget: every claim after it checks it, those of workers already
   * running too (see {@link #claimNext}), and workers started without --trials run to it.
   */
  public void recordTrialBudget(int maxTrials) {
    requireWritable();
    if (maxTrials < 1) throw new IllegalArgumentException("maxTrials must be >= 1, got " + maxTrials);
    // The same budget again (a plain resume, a report) is not written: a role that may only SELECT reports a study.
    if (Integer.valueOf(maxTrials).equals(trialBudget(info.name()))) return;
    update("record the budget of study '" + info.name() + "'", "UPDATE caviar_study SET max_trials = ? WHERE id = ?", ps -> {
      ps.setInt(1, maxTrials);
      ps.setLong(2, studyId);
    });
  }

  /**
   * The budget claims check against now: the one stored with the open study (by any process, e.g.
   * {@code tune --trials N} on another machine), else {@code fallback}. One read of the study row.
   */
  @Override
  public int budget(int fallback) {
    requireOpen();
    if (schemaVersion < 2) return fallback; // a read-only storage on a schema from before budgets were stored
    return withRetry("read the budget of study '" + info.name() + "'", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT " + STORED_BUDGET + " FROM caviar_study WHERE id = ?")) {
        q.setInt(1, fallback);
        q.setLong(2, studyId);
        try (ResultSet r = q.executeQuery()) {
          return r.next() ? r.getInt(1) : fallback;
        }
      }
    });
  }

  /**
   * Opens (or creates) the study; a storage that was closed connects again first (as {@link #peek}
   * and {@link #trialBudget} do), and then works as a new one.
   */
  @Override
  public StudyInfo open(StudyInfo requested) {
    reconnectIfClosed();
    StudyInfo stored = withRetry("open study '" + requested.name() + "'", c -> {
      // Read first, created only when missing: reopening a study writes nothing, so that a role that
      // may only SELECT can report a study whose trials have all run (tune --study S again).
      StudyInfo existing = readStudy(c, requested.name());
      if (readOnly || existing != null) return existing;
      insertStudy(c, requested);
      return readStudy(c, requested.name());
    });
    if (stored == null) throw new IllegalArgumentException("no study '" + requested.name() + "' in " + url);
    stored.checkResumableAs(requested);
    info = stored;
    synchronized (cacheLock) {
      cache = new TrialCache();
    }
    return stored;
  }

  /**
   * Creates the study {@code requested} unless one of its name exists; true when this call created
   * it. A run that looked for the study ({@link #peek}) and found none must know: another process
   * may have created it since, with settings of its own, which the run must then take as a resume
   * does rather than run its trials with its own. Opens nothing: {@link #open} opens the study. (A
   * retry after a lost reply finds the study its first attempt created, and says false: the caller
   * then takes the study's settings, which are its own.)
   */
  public boolean create(StudyInfo requested) {
    requireNotReadOnly();
    reconnectIfClosed();
    return withRetry("create study '" + requested.name() + "'", c -> insertStudy(c, requested));
  }

  /** Inserts the study {@code requested} unless one of its name exists; true when it did. */
  private boolean insertStudy(Connection c, StudyInfo requested) throws SQLException {
    try (PreparedStatement ins = c.prepareStatement(
        "INSERT INTO caviar_study (name, direction, space, seed, settings) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
      ins.setString(1, requested.name());
      ins.setString(2, requested.direction().name());
      ins.setString(3, requested.space().spec());
      ins.setLong(4, requested.seed());
      ins.setString(5, requested.settingsRecorded() ? toJson(requested.settings()) : null);
      return ins.executeUpdate() == 1;
    }
  }

  /** The study named {@code name}, its id noted as the open study's, or null when there is none (nor any caviar table). */
  private StudyInfo readStudy(Connection c, String name) throws SQLException {
    if (schemaVersion == 0) return null;
    try (PreparedStatement q = c.prepareStatement("SELECT id, direction, space, seed, " + since(4, "settings") + " FROM caviar_study WHERE name = ?")) {
      q.setString(1, name);
      try (ResultSet r = q.executeQuery()) {
        if (!r.next()) return null;
        StudyInfo stored = storedStudy(name, r, 2);
        studyId = r.getLong(1);
        return stored;
      }
    }
  }

  /** The study in columns direction, space, seed, settings from {@code first} on; one this Caviar cannot read is named with the database. */
  private StudyInfo storedStudy(String name, ResultSet r, int first) throws SQLException {
    SearchSpace space;
    try {
      space = SearchSpace.parse(r.getString(first + 1));
    } catch (RuntimeException e) {
      throw new IllegalStateException("the study '" + name + "' in " + url + " has a stored space this Caviar cannot read: " + e.getMessage(), e);
    }
    return new StudyInfo(name, Direction.valueOf(r.getString(first)), space, r.getLong(first + 2), settingsFromJson(r.getString(first + 3)));
  }

  /**
   * {@code column} if the schema has it (migration {@code version} added it), else NULL: a
   * read-only storage reads an older schema as it is, and what it lacks as "not recorded".
   */
  private String since(int version, String column) {
    return schemaVersion >= version ? column : "NULL";
  }

  /** {@link #READ_CHANGED} for this schema: before V3 no trial notes its change (every read reads all), before V5 none its threads. */
  private String readChanged() {
    String sql = READ_CHANGED.replace("t.threads", since(5, "t.threads"));
    return schemaVersion >= 3 ? sql : sql.replace("t.changed_xid >= ?::xid8", "?::text IS NOT NULL");
  }

  /** All trials: this process's copy, brought up to date with what changed since its last read. */
  @Override
  public List<TrialRecord> trials() {
    requireOpen();
    synchronized (cacheLock) {
      TrialCache into = cache;
      withRetry("read trials", c -> {
        try (PreparedStatement q = c.prepareStatement(readChanged())) {
          q.setLong(1, studyId);
          q.setString(2, into.horizon());
          try (ResultSet r = q.executeQuery()) {
            String horizon = null;
            while (r.next()) {
              horizon = r.getString(1);
              if (r.getObject(2) != null) into.put(record(r));
            }
            into.advanceTo(horizon);
          }
        }
        return null;
      });
      return into.snapshot();
    }
  }

  /** One row of {@link #READ_CHANGED} as a record: claimed, then parameters, reports and outcome in that order. */
  private TrialRecord record(ResultSet r) throws SQLException {
    TrialRecord t = TrialRecord.claimed(r.getInt(2), r.getLong(8), r.getInt(12)); // NULL reads as 0: THREADS_UNKNOWN
    String params = r.getString(4);
    if (params != null) t = t.withParams(fromJson(params), r.getInt(5));
    Array steps = r.getArray(10);
    if (steps != null) {
      Object[] s = (Object[]) steps.getArray();
      Object[] v = (Object[]) r.getArray(11).getArray();
      for (int k = 0; k < s.length; k++) t = t.withIntermediate(((Number) s[k]).intValue(), ((Number) v[k]).doubleValue());
    }
    TrialState state = TrialState.valueOf(r.getString(3));
    if (state != TrialState.RUNNING) {
      double v = r.getDouble(6);
      if (r.wasNull()) v = Double.NaN;
      t = t.withOutcome(state, v, r.getString(7), r.getLong(9));
    }
    return t;
  }

  /** A new RUNNING trial with the next number and no parameters, whatever the budget; takes no re-run. */
  @Override
  public TrialRecord claimTrial(long startMillis, int threads) {
    checkThreads(threads);
    return claim(CLAIM_ANY, startMillis, false, Integer.MAX_VALUE, Integer.MAX_VALUE, threads);
  }

  @Override
  public TrialRecord claimNext(long startMillis, int budget, long freshLimit, int threads) {
    if (budget < 0) throw new IllegalArgumentException("budget must be >= 0, got " + budget);
    if (freshLimit < 0) throw new IllegalArgumentException("freshLimit must be >= 0, got " + freshLimit);
    checkThreads(threads);
    requireWritable();
    if (released) return null;
    reapLostNowAndThen();
    int limit = (int) Math.min(freshLimit, Integer.MAX_VALUE);
    for (int attempt = 0; ; attempt++) {
      // Released meanwhile (Ctrl-C): a given-back claim frees a slot, so without this the loop
      // would claim and give back until the process halts.
      if (released) return null;
      TrialRecord t;
      try {
        t = claim(limit == Integer.MAX_VALUE ? CLAIM_UNLIMITED : CLAIM_LIMITED, startMillis, true, budget, limit, threads);
      } catch (StorageException e) {
        // A role that may only SELECT claims nothing; where nothing was left to claim, that is no error (a report).
        if (deniedWrite(e) && !slotsRemain(budget, limit)) return null;
        throw e;
      }
      if (t != null || !slotsRemain(budget, limit)) return t;
      // Refused while a slot remains: a re-run another claim holds (it waits for that claim to
      // commit), or a fresh claim that counted a re-run taken meanwhile (its statement's snapshot
      // is older than the study row it saw). Either clears within a commit; try again.
      sleepQuietly(Math.min(attempt, 10));
    }
  }

  /**
   * Whether another claim could still succeed: a re-run is waiting and the budget (the stored one,
   * else {@code budget}, as the claim checks) has room, or the fresh limit has room beyond the
   * waiting re-runs (and, for a limited one, the given-up points).
   */
  private boolean slotsRemain(int budget, int freshLimit) {
    boolean limited = freshLimit < Integer.MAX_VALUE;
    return withRetry("read the study's budget", c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT next_number - lost, (SELECT count(*) FROM caviar_trial WHERE study_id = ? AND requeued), "
              + (limited ? GIVEN_UP : "0") + ", " + STORED_BUDGET + " FROM caviar_study WHERE id = ?")) {
        ps.setLong(1, studyId);
        ps.setInt(2, budget);
        ps.setLong(3, studyId);
        try (ResultSet r = ps.executeQuery()) {
          if (!r.next()) return false;
          long used = r.getLong(1);
          long waiting = r.getLong(2);
          long givenUp = r.getLong(3);
          long max = r.getLong(4);
          return (waiting > 0 && used < max) || used + waiting < Math.min(max, freshLimit - givenUp);
        }
      }
    });
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while claiming a trial", e);
    }
  }

  private static void checkThreads(int threads) {
    if (threads < 0) throw new IllegalArgumentException("threads must be >= 1, or THREADS_UNKNOWN (0), got " + threads);
  }

  /** Claims with {@code sql}: {@link #CLAIM_LIMITED}, {@link #CLAIM_UNLIMITED} or {@link #CLAIM_ANY}. */
  private TrialRecord claim(String sql, long startMillis, boolean takeReruns, int budget, int freshLimit, int threads) {
    requireWritable();
    UUID token = UUID.randomUUID();
    boolean[] sent = {false};
    TrialRecord t = withRetry("claim a trial", c -> {
      // A retry after a lost connection: the earlier attempt may have committed, its reply lost.
      if (sent[0]) {
        TrialRecord earlier = claimedWith(c, token);
        if (earlier != null) return earlier;
      }
      sent[0] = true;
      // The study row is locked first, and the claim's statement (a snapshot of its own) reads the
      // trials after: a reap or a claim that committed while this one waited for the row is in both
      // the row and the trials it counts (the waiting re-runs, a grid's given-up points). Counted in
      // a snapshot taken before the wait, a re-run re-queued meanwhile was missed while the row
      // counted its trial out, and a fresh trial took the re-run's slot (see LOCKED). Both
      // statements go in one message, one implicit transaction: one round trip, as one statement.
      return claimIn(c, sql, token, startMillis, takeReruns, budget, freshLimit, threads);
    });
    afterClaimCommit.run();
    if (t == null) return null;
    synchronized (releaseLock) {
      if (!released) {
        mine.add(t.number());
        return t;
      }
    }
    // Committed after releaseHeld read mine: the trial never ran, so its re-run, if it took one, is still due.
    giveBack(t, TrialRecord.INTERRUPTED + ": worker " + worker + " stopped before this trial ran", "claimed as this worker stopped");
    return null;
  }

  /** Runs the claim statement {@code sql} ({@link #CLAIM_LIMITED}, {@link #CLAIM_UNLIMITED} or {@link #CLAIM_ANY}) on {@code c}. */
  private TrialRecord claimIn(Connection c, String sql, UUID token, long startMillis, boolean takeReruns, int budget, int freshLimit,
      int threads) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, studyId); // LOCKED's
      ps.setLong(2, studyId);
      ps.setBoolean(3, takeReruns);
      ps.setLong(4, studyId);
      ps.setInt(5, budget);
      ps.setLong(6, studyId);
      ps.setInt(7, budget);
      ps.setInt(8, freshLimit);
      ps.setLong(9, studyId);
      ps.setLong(10, studyId);
      ps.setLong(11, startMillis);
      ps.setString(12, worker);
      ps.setObject(13, token);
      if (threads == TrialRecord.THREADS_UNKNOWN) ps.setNull(14, Types.INTEGER); else ps.setInt(14, threads);
      ps.execute(); // the lock's row, then the claim's
      if (!ps.getMoreResults()) throw new SQLException("the claim returned no rows after the study row's lock");
      try (ResultSet r = ps.getResultSet()) {
        return r.next() ? claimedRecord(r, startMillis, r.getInt(4)) : null;
      }
    }
  }

  /**
   * {@link #GIVE_BACK} for a held trial that never ran, and this storage no longer holds it (no
   * heartbeat, no release). A trial already finished (released meanwhile) is left as it is.
   */
  @Override
  public void giveBack(TrialRecord claimed, String why) {
    requireWritable();
    giveBack(claimed, TrialRecord.INTERRUPTED + ": " + why, "which never ran");
    mine.remove(claimed.number());
  }

  /**
   * Runs {@link #GIVE_BACK} for {@code t} with {@code reason}, waiting for the database a few
   * seconds at most, as {@link #releaseHeld}; {@code claimedWhen} says when it was claimed, for the error.
   */
  private void giveBack(TrialRecord t, String reason, String claimedWhen) {
    try {
      asStopping(GIVE_BACK, (c, ps) -> {
        ps.setLong(1, System.currentTimeMillis());
        ps.setString(2, reason);
        ps.setLong(3, studyId);
        ps.setInt(4, t.number());
        ps.setLong(5, studyId);
        ps.setInt(6, t.retryOf());
        ps.setLong(7, studyId);
        return ps.executeUpdate();
      });
    } catch (SQLException | RuntimeException e) {
      throw new StorageException("PostgreSQL storage " + url + ": cannot give back trial " + t.number() + ", " + claimedWhen + " ("
          + firstLine(e.getMessage()) + "); another worker's claim finishes it once it has sent no heartbeat for "
          + settings.grace.toSeconds() + " s" + (t.retryOf() >= 0 ? ", but the re-run of trial " + t.retryOf() + " it took is lost" : ""), e);
    }
  }

  /** The trial an earlier attempt of a claim committed, or null. */
  private TrialRecord claimedWith(Connection c, UUID token) throws SQLException {
    try (PreparedStatement q = c.prepareStatement(
        "SELECT number, params, retry_of, start_millis, threads FROM caviar_trial WHERE study_id = ? AND claim_token = ?")) {
      q.setLong(1, studyId);
      q.setObject(2, token);
      try (ResultSet r = q.executeQuery()) {
        return r.next() ? claimedRecord(r, r.getLong(4), r.getInt(5)) : null;
      }
    }
  }

  /** A claimed trial from (number, params, retry_of), with its threads (0, as a NULL reads: not recorded). */
  private TrialRecord claimedRecord(ResultSet r, long startMillis, int threads) throws SQLException {
    TrialRecord t = TrialRecord.claimed(r.getInt(1), startMillis, threads);
    String params = r.getString(2);
    return params == null ? t : t.withParams(fromJson(params), r.getInt(3));
  }

  /** Reaps lost trials, unless this storage did less than a heartbeat period ago. */
  private void reapLostNowAndThen() {
    long now = System.nanoTime();
    long due = nextReapNanos.get();
    if (due != Long.MIN_VALUE && now - due < 0) return;
    if (!nextReapNanos.compareAndSet(due, now + settings.heartbeat.toNanos())) return; // another thread of ours does it
    try {
      update("fail lost trials", REAP, ps -> {
        ps.setLong(1, studyId);
        ps.setDouble(2, settings.grace.toMillis() / 1000.0);
        ps.setLong(3, System.currentTimeMillis());
        ps.setString(4, TrialRecord.INTERRUPTED + ": worker lost, ");
        ps.setLong(5, studyId);
        ps.setLong(6, studyId);
      });
    } catch (StorageException e) {
      // A role that may only SELECT reaps nothing (the workers that write do); its claim says more if it needs to write.
      if (!deniedWrite(e)) throw e;
    }
  }

  /** Whether the server refused a statement for want of privileges (SQLSTATE 42501). */
  private static boolean deniedWrite(StorageException e) {
    return e.getCause() instanceof SQLException s && "42501".equals(s.getSQLState());
  }

  @Override
  public void recordParams(int number, Point params, int retryOf) {
    requireWritable();
    int n = update("record parameters of trial " + number,
        "UPDATE caviar_trial SET params = ?, retry_of = ?, heartbeat = now(), changed_xid = pg_current_xact_id()"
            + " WHERE study_id = ? AND number = ? AND state = 'RUNNING'",
        ps -> {
          ps.setString(1, toJson(params));
          ps.setInt(2, retryOf);
          ps.setLong(3, studyId);
          ps.setInt(4, number);
        });
    if (n == 0) throw new IllegalStateException("trial " + number + " of study '" + info.name() + "' is not running");
  }

  /**
   * Stores the value and refreshes the heartbeat. A trial that was already declared lost (its
   * parameters re-queued) keeps its outcome: the late value is dropped, its final result noted.
   */
  @Override
  public void recordIntermediate(int number, int step, double value) {
    requireWritable();
    withRetry("report a value of trial " + number, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "WITH t AS (UPDATE caviar_trial SET heartbeat = now(), changed_xid = pg_current_xact_id()"
              + " WHERE study_id = ? AND number = ? AND state = 'RUNNING' RETURNING study_id, number)"
              + " INSERT INTO caviar_intermediate (study_id, number, step, value) SELECT study_id, number, ?, ? FROM t"
              + " ON CONFLICT (study_id, number, step) DO UPDATE SET value = EXCLUDED.value")) {
        ps.setLong(1, studyId);
        ps.setInt(2, number);
        ps.setInt(3, step);
        ps.setDouble(4, value);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * Finishes the trial, unless it is already finished: a retried write changes nothing, and the
   * result of a trial declared lost meanwhile is not counted (its parameters wait for, or had, their
   * re-run) but is appended to its reason, once, and logged.
   */
  @Override
  public void recordOutcome(int number, TrialState state, double value, String reason, long endMillis) {
    requireWritable();
    if (state == null || !state.isFinished()) throw new IllegalArgumentException("outcome state must be finished, got " + state);
    int n = update("finish trial " + number,
        "UPDATE caviar_trial SET state = ?, value = ?, reason = ?, end_millis = ?, changed_xid = pg_current_xact_id()"
            + " WHERE study_id = ? AND number = ? AND state = 'RUNNING'",
        ps -> {
          ps.setString(1, state.name());
          if (Double.isNaN(value)) ps.setNull(2, Types.DOUBLE); else ps.setDouble(2, value);
          ps.setString(3, reason);
          ps.setLong(4, endMillis);
          ps.setLong(5, studyId);
          ps.setInt(6, number);
        });
    mine.remove(number);
    if (n == 0) noteLateResult(number, state, value, reason);
  }

  /** The text appended to a lost trial's reason when its worker's result arrives after all. */
  static final String LATE_RESULT = "; late result, not counted: ";

  private void noteLateResult(int number, TrialState state, double value, String reason) {
    String late = state + (Double.isNaN(value) ? "" : " " + value) + (reason == null ? "" : " (" + reason + ")") + " from " + worker;
    int n = update("note the late result of trial " + number,
        "UPDATE caviar_trial SET reason = reason || ? || ?, changed_xid = pg_current_xact_id()"
            + " WHERE study_id = ? AND number = ? AND state = 'FAILED' AND starts_with(reason, ?) AND strpos(reason, ?) = 0",
        ps -> {
          ps.setString(1, LATE_RESULT);
          ps.setString(2, late);
          ps.setLong(3, studyId);
          ps.setInt(4, number);
          ps.setString(5, TrialRecord.INTERRUPTED);
          ps.setString(6, LATE_RESULT);
        });
    if (n > 0) {
      LOG.log(System.Logger.Level.WARNING, "trial {0} of study ''{1}'' finished {2} after it was declared lost: not counted, noted in its reason",
          number, info.name(), late);
    }
  }

  /**
   * Finishes the trials this storage claimed and has not finished as interrupted, at once, rather
   * than leave them to the reaper once their heartbeat is older than the grace: the next claim of
   * any worker re-runs those with parameters, but for re-runs: interrupted while they ran, as when
   * reaped, they give their point up (a hang answered by Ctrl-C must not come back on every resume).
   * For a process that stops (the study is
   * closed, Ctrl-C); the storage claims nothing after. Waits for the database a few seconds at
   * most, then throws a {@link StorageException} saying that the trials are re-run after the grace.
   * Returns how many trials it finished, and how many of them were re-runs.
   */
  @Override
  public Released releaseHeld() {
    Integer[] held;
    synchronized (releaseLock) {
      released = true;
      held = mine.toArray(Integer[]::new);
    }
    if (held.length == 0 || studyId < 0) return Released.NONE;
    Released n;
    try {
      n = asStopping(RELEASE, (c, ps) -> {
        ps.setLong(1, studyId);
        ps.setString(2, worker);
        ps.setArray(3, c.createArrayOf("integer", held));
        ps.setLong(4, System.currentTimeMillis());
        ps.setString(5, TrialRecord.INTERRUPTED + ": worker ");
        ps.setLong(6, studyId);
        ps.setLong(7, studyId);
        try (ResultSet r = ps.executeQuery()) {
          return r.next() ? new Released(r.getInt(1), r.getInt(2)) : Released.NONE;
        }
      });
    } catch (SQLException | RuntimeException e) {
      throw new StorageException("PostgreSQL storage " + url + ": cannot release " + (held.length == 1 ? "the running trial" : "the " + held.length + " running trials") + " of this worker ("
          + firstLine(e.getMessage()) + "); another worker's claim re-runs " + (held.length == 1 ? "it once it has" : "them once they have") + " sent no heartbeat for "
          + settings.grace.toSeconds() + " s", e);
    }
    mine.removeAll(List.of(held));
    return n;
  }

  /** Tests only: a connection from the pool, as every statement of this storage gets one. */
  Connection connection() throws SQLException {
    return pool.getConnection();
  }

  /** Tests only: a property the driver gets for each new connection, or null. */
  String dataSourceProperty(String name) {
    return pool.getDataSourceProperties().getProperty(name);
  }

  /** Stops the heartbeat and closes the connections; {@link #open} connects again. Closing twice is harmless. */
  @Override
  public void close() {
    synchronized (lifecycle) {
      closed = true;
      beat.shutdownNow();
      pool.close();
    }
  }

  private void beatOnce() {
    if (mine.isEmpty() || studyId < 0) return;
    try {
      beforeBeat.run();
      try (Connection c = pool.getConnection();
          PreparedStatement ps = c.prepareStatement(
              "UPDATE caviar_trial SET heartbeat = now() WHERE study_id = ? AND number = ANY (?) AND state = 'RUNNING'")) {
        ps.setLong(1, studyId);
        ps.setArray(2, c.createArrayOf("integer", mine.toArray()));
        ps.executeUpdate();
      }
    } catch (SQLException | RuntimeException e) {
      // The next beat tries again; a server away for longer than the grace loses these trials.
    } catch (Throwable e) {
      // An Error (e.g. OutOfMemoryError) thrown out of a scheduled task cancels it for good: no
      // beat would follow, and other workers would reap this one's live trials. Say so and go on.
      System.err.println("caviar: a heartbeat failed (" + e + "); the next one tries again");
    }
  }

  private String toJson(Point p) {
    try {
      return JSON.writeValueAsString(p.asMap());
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write parameters " + p + ": " + e.getMessage(), e);
    }
  }

  private Point fromJson(String text) {
    try {
      Map<String, Object> values = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : JSON.readTree(text).properties()) {
        JsonNode v = f.getValue();
        values.put(f.getKey(), v.isInt() ? (Object) v.intValue() : v.isNumber() ? (Object) v.doubleValue() : v.asText());
      }
      return info.space().pointFromValues(values);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored parameters are not JSON: " + text, e);
    }
  }

  private static String toJson(Map<String, String> settings) {
    try {
      return JSON.writeValueAsString(settings);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write study settings " + settings + ": " + e.getMessage(), e);
    }
  }

  /** The stored settings; none (NULL) for a study created before they were recorded. */
  private static Map<String, String> settingsFromJson(String text) {
    if (text == null) return Map.of();
    try {
      Map<String, String> settings = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> f : JSON.readTree(text).properties()) settings.put(f.getKey(), f.getValue().asText());
      return settings;
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("stored study settings are not JSON: " + text, e);
    }
  }

  private void requireOpen() {
    if (studyId < 0) throw new IllegalStateException("open the study before using the storage");
  }

  private void requireWritable() {
    requireNotReadOnly();
    requireOpen();
  }

  private void requireNotReadOnly() {
    if (readOnly) throw new IllegalStateException("PostgreSQL storage " + url + " is open read-only");
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  private interface StatementWork<T> {
    T run(Connection c, PreparedStatement ps) throws SQLException;
  }

  /**
   * {@code work} on {@code sql}, once, waiting for the database {@link #RELEASE_TIMEOUT_SECONDS} at
   * most: for a process that stops, which must not wait a minute for a database that is away (not
   * {@link #withRetry}).
   */
  private <T> T asStopping(String sql, StatementWork<T> work) throws SQLException {
    try (Connection c = pool.getConnection()) {
      c.setNetworkTimeout(Runnable::run, RELEASE_TIMEOUT_SECONDS * 1000);
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setQueryTimeout(RELEASE_TIMEOUT_SECONDS);
        return work.run(c, ps);
      }
    }
  }

  @FunctionalInterface
  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private int update(String what, String sql, Binder binder) {
    return withRetry(what, c -> {
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        binder.bind(ps);
        return ps.executeUpdate();
      }
    });
  }

  /**
   * Runs {@code work} on a pooled connection; a lost connection is retried with exponential
   * backoff (100 ms doubling to 4 s) for {@link Settings#retryFor}, any other error fails at once.
   */
  private <T> T withRetry(String what, SqlWork<T> work) {
    long deadline = System.nanoTime() + settings.retryFor.toNanos();
    long backoff = 100;
    int attempts = 0;
    while (true) {
      attempts++;
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        if (!isConnectionLoss(e)) {
          throw new StorageException("PostgreSQL storage " + url + ": cannot " + what + ": " + firstLine(e.getMessage()) + privilegesNeeded(e), e);
        }
        if (System.nanoTime() + backoff * 1_000_000 > deadline) {
          throw new StorageException("PostgreSQL storage " + url + ": cannot " + what + " after " + attempts
              + " attempts over " + settings.retryFor.toSeconds() + " s: " + firstLine(e.getMessage()), e);
        }
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new StorageException("interrupted while waiting for PostgreSQL at " + url, ie);
        }
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
      }
    }
  }

  /**
   * Connection failures (class 08, but not 08004: the server or driver rejected the connection, e.g.
   * no password was given, which retrying does not mend), a server shutting down or starting
   * (57P0x), or no pooled connection in time.
   */
  static boolean isConnectionLoss(SQLException e) {
    if (e instanceof SQLTransientConnectionException) return true;
    String s = e.getSQLState();
    return s != null && ((s.startsWith("08") && !s.equals(REJECTED)) || s.startsWith("57P"));
  }

  /** For a statement the server refused for want of privileges (SQLSTATE 42501), which ones this storage needs; else nothing. */
  private String privilegesNeeded(SQLException e) {
    if (!"42501".equals(e.getSQLState())) return "";
    return readOnly
        ? "; role '" + url.user() + "' may not read the caviar tables: reading a study needs SELECT on caviar_study, caviar_trial,"
            + " caviar_intermediate and caviar_schema_history"
        : "; role '" + url.user() + "' may not write the caviar tables: tune and worker need SELECT, INSERT and UPDATE on them"
            + " (and USAGE on their sequences); train --from-study needs SELECT only";
  }

  /** SQLSTATE sqlserver_rejected_establishment_of_sqlconnection; the driver's, e.g., when no password is given. */
  private static final String REJECTED = "08004";

  /** One line naming what failed; never the password (the server's and driver's messages do not hold it). */
  static String describeConnectFailure(PostgresUrl url, Throwable e, boolean passwordFromEnv) {
    SQLException sql = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        sql = s;
        break;
      }
    }
    String state = sql == null ? "" : String.valueOf(sql.getSQLState());
    String msg = firstLine(sql != null ? sql.getMessage() : e.getMessage());
    String where = "PostgreSQL at " + url.hostAndPort();
    String source = passwordFromEnv ? " (password from PGPASSWORD)" : " (no PGPASSWORD: password from PGPASSFILE or ~/.pgpass, if any)";
    if (state.startsWith("28")) return where + " refused user '" + url.user() + "': " + msg + source;
    if (state.equals(REJECTED) && msg.contains("password")) {
      return where + " wants a password for user '" + url.user() + "' and none was found: set PGPASSWORD or add a line to "
          + "the pgpass file (PGPASSFILE, else ~/.pgpass): " + msg;
    }
    if (state.equals("3D000")) return where + " has no database '" + url.database() + "': " + msg;
    if (state.startsWith("08")) return "cannot reach " + where + ": " + msg;
    return "cannot use " + where + "/" + url.database() + ": " + msg;
  }

  static String firstLine(String s) {
    if (s == null) return "(no message)";
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }

  private static String workerName() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "unknown-host";
    }
    return host + ":" + ManagementFactory.getRuntimeMXBean().getPid();
  }
}
