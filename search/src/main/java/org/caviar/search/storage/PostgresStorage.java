package org.caviar.search.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.caviar.search.space.Point;
import org.caviar.search.space.SearchSpace;
import org.caviar.search.trial.Direction;
import org.caviar.search.trial.TrialRecord;
import org.caviar.search.trial.TrialState;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * A study in a PostgreSQL database, shared by any number of worker processes on any machines.
 *
 * <p>Claims lock the study's row ({@code SELECT ... FOR UPDATE}) for one short transaction in
 * which lost trials are reaped, all trials are read, the study decides, and the new trial is
 * inserted with its parameters: the numbering, the budget check and the sampler's view are
 * therefore the same in every process. Every other event is one autocommitted statement.
 *
 * <p>Heartbeats: while this process runs a trial, a daemon thread refreshes the trial's
 * {@code heartbeat} (the server's clock) every {@link Settings#heartbeat}; a RUNNING trial whose
 * heartbeat is older than {@link Settings#grace} is finished as FAILED with reason
 * {@code interrupted: ...} by the next claim of any worker, which is what studies re-run.
 *
 * <p>Lost connections (the server restarts, the network drops) are retried with exponential
 * backoff for {@link Settings#retryFor}, then fail with one clear message. Recording an outcome
 * twice, or for a trial already reaped, changes nothing, so a retried write is harmless.
 *
 * <p>The schema is created and migrated by Flyway from {@code db/migration} on the class path.
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

    /** Beats every 5 s, lost after 60 s of silence, retries a lost database for 60 s. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  /** Flyway logs every check at INFO through java.util.logging; only its warnings matter here. */
  private static final java.util.logging.Logger FLYWAY_LOG = java.util.logging.Logger.getLogger("org.flywaydb");

  static {
    FLYWAY_LOG.setLevel(java.util.logging.Level.WARNING);
  }

  private static final long MAX_BACKOFF_MILLIS = 4_000;

  private final PostgresUrl url;
  private final Settings settings;
  private final HikariDataSource pool;
  private final String worker;
  private final Set<Integer> mine = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService beat;
  private volatile StudyInfo info;
  private volatile long studyId = -1;

  public PostgresStorage(String url) {
    this(PostgresUrl.parse(url), Settings.defaults());
  }

  /** Connects (failing at once, in one line, if the server cannot be used) and migrates the schema. */
  public PostgresStorage(PostgresUrl url, Settings settings) {
    this.url = url;
    this.settings = settings;
    HikariConfig c = new HikariConfig();
    c.setPoolName("caviar-storage");
    c.setJdbcUrl(url.jdbcUrl());
    c.setUsername(url.user());
    String password = System.getenv("PGPASSWORD");
    if (password != null) c.setPassword(password); // else the driver reads PGPASSFILE or ~/.pgpass
    c.setMaximumPoolSize(4); // the study's claims are serialized; beats, reports and reads share the rest
    c.setMinimumIdle(1);
    c.setConnectionTimeout(2_000); // a wait for a pooled connection; withRetry bounds the whole
    c.addDataSourceProperty("connectTimeout", "5");
    c.addDataSourceProperty("ApplicationName", "caviar");
    try {
      pool = new HikariDataSource(c);
    } catch (RuntimeException e) {
      throw new IllegalStateException(describeConnectFailure(url, e), e);
    }
    try {
      Flyway.configure().dataSource(pool).locations("classpath:db/migration")
          .table("caviar_schema_history").load().migrate();
    } catch (FlywayException e) {
      pool.close();
      throw new IllegalStateException("cannot migrate the caviar schema in " + url + ": " + firstLine(e.getMessage()), e);
    }
    this.worker = workerName();
    this.beat = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "caviar-heartbeat");
      t.setDaemon(true);
      return t;
    });
    long every = settings.heartbeat.toMillis();
    beat.scheduleWithFixedDelay(this::beatOnce, every, every, TimeUnit.MILLISECONDS);
  }

  public PostgresUrl url() {
    return url;
  }

  public Settings settings() {
    return settings;
  }

  /** The stored study named {@code name}, or null when there is none; creates nothing. */
  public StudyInfo peek(String name) {
    return withRetry("read study '" + name + "'", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT direction, space, seed FROM caviar_study WHERE name = ?")) {
        q.setString(1, name);
        try (ResultSet r = q.executeQuery()) {
          return r.next() ? new StudyInfo(name, Direction.valueOf(r.getString(1)), SearchSpace.parse(r.getString(2)), r.getLong(3)) : null;
        }
      }
    });
  }

  /** The trial budget stored for the study named {@code name}, or null when none was set. */
  public Integer trialBudget(String name) {
    return withRetry("read the budget of study '" + name + "'", c -> {
      try (PreparedStatement q = c.prepareStatement("SELECT max_trials FROM caviar_study WHERE name = ?")) {
        q.setString(1, name);
        try (ResultSet r = q.executeQuery()) {
          if (!r.next()) return null;
          int n = r.getInt(1);
          return r.wasNull() ? null : n;
        }
      }
    });
  }

  /** Stores the open study's trial budget, which workers started without one then use. */
  public void recordTrialBudget(int maxTrials) {
    requireOpen();
    if (maxTrials < 1) throw new IllegalArgumentException("maxTrials must be >= 1, got " + maxTrials);
    update("record the budget of study '" + info.name() + "'", "UPDATE caviar_study SET max_trials = ? WHERE id = ?", ps -> {
      ps.setInt(1, maxTrials);
      ps.setLong(2, studyId);
    });
  }

  @Override
  public StudyInfo open(StudyInfo requested) {
    StudyInfo stored = withRetry("open study '" + requested.name() + "'", c -> {
      try (PreparedStatement ins = c.prepareStatement(
          "INSERT INTO caviar_study (name, direction, space, seed) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
        ins.setString(1, requested.name());
        ins.setString(2, requested.direction().name());
        ins.setString(3, requested.space().spec());
        ins.setLong(4, requested.seed());
        ins.executeUpdate();
      }
      try (PreparedStatement q = c.prepareStatement("SELECT id, direction, space, seed FROM caviar_study WHERE name = ?")) {
        q.setString(1, requested.name());
        try (ResultSet r = q.executeQuery()) {
          r.next();
          studyId = r.getLong(1);
          return new StudyInfo(requested.name(), Direction.valueOf(r.getString(2)), SearchSpace.parse(r.getString(3)), r.getLong(4));
        }
      }
    });
    stored.checkResumableAs(requested);
    info = stored;
    return stored;
  }

  @Override
  public List<TrialRecord> trials() {
    requireOpen();
    return withRetry("read trials", c -> {
      // One snapshot for the three queries: a trial claimed between them must not half-appear.
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        List<TrialRecord> all = load(c);
        c.commit();
        return all;
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        c.setAutoCommit(true);
      }
    });
  }

  @Override
  public TrialRecord claimTrial(long startMillis) {
    return claim(startMillis, null, true);
  }

  @Override
  public TrialRecord claimDecided(long startMillis, Decision decision) {
    if (decision == null) throw new IllegalArgumentException("decision must not be null");
    return claim(startMillis, decision, false);
  }

  private TrialRecord claim(long startMillis, Decision decision, boolean bare) {
    requireOpen();
    TrialRecord t = withRetry("claim a trial", c -> {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement lock = c.prepareStatement("SELECT id FROM caviar_study WHERE id = ? FOR UPDATE")) {
          lock.setLong(1, studyId);
          lock.executeQuery().close();
        }
        reapLost(c);
        List<TrialRecord> all = load(c);
        int number = all.size();
        Proposal p = bare ? null : decision.decide(all, number);
        if (!bare && p == null) {
          c.rollback();
          return null;
        }
        try (PreparedStatement ins = c.prepareStatement(
            "INSERT INTO caviar_trial (study_id, number, state, params, retry_of, start_millis, worker) VALUES (?, ?, 'RUNNING', ?, ?, ?, ?)")) {
          ins.setLong(1, studyId);
          ins.setInt(2, number);
          ins.setString(3, p == null ? null : toJson(p.params()));
          ins.setInt(4, p == null ? -1 : p.retryOf());
          ins.setLong(5, startMillis);
          ins.setString(6, worker);
          ins.executeUpdate();
        }
        c.commit();
        TrialRecord claimed = TrialRecord.claimed(number, startMillis);
        return p == null ? claimed : claimed.withParams(p.params(), p.retryOf());
      } catch (SQLException | RuntimeException | Error e) {
        rollbackQuietly(c);
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    });
    if (t != null) mine.add(t.number());
    return t;
  }

  /** Finishes RUNNING trials whose heartbeat is older than the grace period as interrupted. */
  private void reapLost(Connection c) throws SQLException {
    try (PreparedStatement up = c.prepareStatement(
        "UPDATE caviar_trial SET state = 'FAILED', value = NULL, end_millis = ?, reason = ? || worker || ' sent no heartbeat for '"
            + " || to_char(now() - heartbeat, 'FMHH24:MI:SS') WHERE study_id = ? AND state = 'RUNNING'"
            + " AND heartbeat < now() - make_interval(secs => ?)")) {
      up.setLong(1, System.currentTimeMillis());
      up.setString(2, TrialRecord.INTERRUPTED + ": worker lost, ");
      up.setLong(3, studyId);
      up.setDouble(4, settings.grace.toMillis() / 1000.0);
      up.executeUpdate();
    }
  }

  @Override
  public void recordParams(int number, Point params, int retryOf) {
    requireOpen();
    int n = update("record parameters of trial " + number,
        "UPDATE caviar_trial SET params = ?, retry_of = ?, heartbeat = now() WHERE study_id = ? AND number = ? AND state = 'RUNNING'",
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
   * parameters re-queued) keeps its outcome: the late value is dropped.
   */
  @Override
  public void recordIntermediate(int number, int step, double value) {
    requireOpen();
    withRetry("report a value of trial " + number, c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "WITH t AS (UPDATE caviar_trial SET heartbeat = now() WHERE study_id = ? AND number = ? AND state = 'RUNNING' RETURNING study_id, number)"
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

  /** Finishes the trial, unless it is already finished (a retried write, or a lost trial's late result). */
  @Override
  public void recordOutcome(int number, TrialState state, double value, String reason, long endMillis) {
    requireOpen();
    if (state == null || !state.isFinished()) throw new IllegalArgumentException("outcome state must be finished, got " + state);
    update("finish trial " + number,
        "UPDATE caviar_trial SET state = ?, value = ?, reason = ?, end_millis = ? WHERE study_id = ? AND number = ? AND state = 'RUNNING'",
        ps -> {
          ps.setString(1, state.name());
          if (Double.isNaN(value)) ps.setNull(2, Types.DOUBLE); else ps.setDouble(2, value);
          ps.setString(3, reason);
          ps.setLong(4, endMillis);
          ps.setLong(5, studyId);
          ps.setInt(6, number);
        });
    mine.remove(number);
  }

  @Override
  public void close() {
    beat.shutdownNow();
    pool.close();
  }

  private void beatOnce() {
    if (mine.isEmpty() || studyId < 0) return;
    try (Connection c = pool.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "UPDATE caviar_trial SET heartbeat = now() WHERE study_id = ? AND number = ANY (?) AND state = 'RUNNING'")) {
      ps.setLong(1, studyId);
      ps.setArray(2, c.createArrayOf("integer", mine.toArray()));
      ps.executeUpdate();
    } catch (SQLException | RuntimeException e) {
      // The next beat tries again; a server away for longer than the grace loses these trials.
    }
  }

  /**
   * All trials, read by three queries that must share one view of the study: inside a claim the
   * study lock keeps new trials out; elsewhere a repeatable-read transaction gives one snapshot.
   */
  private List<TrialRecord> load(Connection c) throws SQLException {
    List<TrialRecord> out = new ArrayList<>();
    try (PreparedStatement q = c.prepareStatement(
        "SELECT number, state, params, retry_of, value, reason, start_millis, end_millis FROM caviar_trial WHERE study_id = ? ORDER BY number")) {
      q.setLong(1, studyId);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          TrialRecord t = TrialRecord.claimed(r.getInt(1), r.getLong(7));
          String params = r.getString(3);
          if (params != null) t = t.withParams(fromJson(params), r.getInt(4));
          out.add(t);
        }
      }
    }
    try (PreparedStatement q = c.prepareStatement(
        "SELECT number, step, value FROM caviar_intermediate WHERE study_id = ? ORDER BY number, seq")) {
      q.setLong(1, studyId);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          int n = r.getInt(1);
          out.set(n, out.get(n).withIntermediate(r.getInt(2), r.getDouble(3)));
        }
      }
    }
    try (PreparedStatement q = c.prepareStatement(
        "SELECT number, state, value, reason, end_millis FROM caviar_trial WHERE study_id = ? AND state <> 'RUNNING'")) {
      q.setLong(1, studyId);
      try (ResultSet r = q.executeQuery()) {
        while (r.next()) {
          int n = r.getInt(1);
          double v = r.getDouble(3);
          if (r.wasNull()) v = Double.NaN;
          out.set(n, out.get(n).withOutcome(TrialState.valueOf(r.getString(2)), v, r.getString(4), r.getLong(5)));
        }
      }
    }
    return List.copyOf(out);
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

  private void requireOpen() {
    if (studyId < 0) throw new IllegalStateException("open the study before using the storage");
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
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
          throw new StorageException("PostgreSQL storage " + url + ": cannot " + what + ": " + firstLine(e.getMessage()), e);
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

  /** Connection failures (class 08), a server shutting down or starting (57P0x), or no pooled connection in time. */
  static boolean isConnectionLoss(SQLException e) {
    if (e instanceof SQLTransientConnectionException) return true;
    String s = e.getSQLState();
    return s != null && (s.startsWith("08") || s.startsWith("57P"));
  }

  private static String describeConnectFailure(PostgresUrl url, Throwable e) {
    SQLException sql = null;
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        sql = s;
        break;
      }
    }
    String state = sql == null ? "" : String.valueOf(sql.getSQLState());
    String msg = firstLine(sql != null ? sql.getMessage() : e.getMessage());
    String where = "PostgreSQL at " + url.host() + ":" + url.port();
    if (state.startsWith("28")) return where + " refused user '" + url.user() + "': " + msg;
    if (state.equals("3D000")) return where + " has no database '" + url.database() + "': " + msg;
    if (state.startsWith("08")) return "cannot reach " + where + ": " + msg;
    return "cannot use " + where + "/" + url.database() + ": " + msg;
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // The connection is gone; the server rolls the transaction back itself.
    }
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
