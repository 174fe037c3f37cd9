package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.caviar.search.cli.CaviarCli;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Credentials for real: a server of its own whose pg_hba.conf (the {@code hba_file} setting) asks
 * for scram-sha-256 passwords over TCP, a role with a password, and the {@code caviar} command in
 * a child JVM, so that PGPASSWORD, PGPASSFILE and ~/.pgpass are read from a real environment. The
 * child's HOME and user.home are a temporary folder: the real ~/.pgpass is never read.
 */
class PasswordAuthTest {
  private static final String USER = "alice";
  private static final String PASSWORD = "alice-s3cret-8d1f";
  private static final String WRONG = "not-alices-9a2c";
  private static final String DB = "caviar_auth";

  @TempDir static Path dir;
  private static EmbeddedPostgres server;
  private static String url;

  @BeforeAll
  static void start() throws Exception {
    Path hba = dir.resolve("pg_hba.conf");
    // The embedded server's own checks connect as postgres; everyone else needs a password.
    Files.writeString(hba, """
        local all postgres               trust
        host  all postgres 127.0.0.1/32  trust
        host  all postgres ::1/128       trust
        host  all all      127.0.0.1/32  scram-sha-256
        host  all all      ::1/128       scram-sha-256
        """);
    server = EmbeddedPostgres.builder().setServerConfig("hba_file", hba.toString())
        .setServerConfig("password_encryption", "scram-sha-256").start();
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
      s.execute("CREATE DATABASE " + DB + " OWNER " + USER);
    }
    url = "postgresql://" + USER + "@127.0.0.1:" + server.getPort() + "/" + DB;
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) server.close();
  }

  private record Run(int code, String out, String err) {}

  /** {@code caviar train --from-study nope --storage URL} in a child JVM with {@code env}, in its own empty home. */
  private static Process caviar(String name, Map<String, String> env, Path home) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-Duser.home=" + home, "-cp", TestPostgres.classPath(),
        CaviarCli.class.getName(), "train", "--from-study", "nope", "--storage", url, "--out", dir.resolve(name + ".caviar").toString())
        .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
    Map<String, String> e = pb.environment();
    for (String k : List.of("PGPASSWORD", "PGPASSFILE", "PGUSER", "PGHOST", "PGSERVICEFILE")) e.remove(k);
    e.put("HOME", home.toString());
    e.putAll(env);
    return pb.start();
  }

  private static Run await(String name, Process p) throws Exception {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), name + " did not finish");
    return new Run(p.exitValue(), Files.readString(dir.resolve(name + ".out")), Files.readString(dir.resolve(name + ".err")));
  }

  private static Path home(String name, String pgpass) throws IOException {
    Path h = Files.createDirectories(dir.resolve("home-" + name));
    if (pgpass != null) {
      Path f = h.resolve(".pgpass");
      Files.writeString(f, pgpass);
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }
    return h;
  }

  private static String pgpassLine(String password) {
    return "127.0.0.1:" + server.getPort() + ":" + DB + ":" + USER + ":" + password + "\n";
  }

  /** Exit {@code code} and one line on stderr that contains {@code expected} and no password. */
  private static void assertOneLine(String name, Run r, int code, String expected) {
    String err = r.err().strip();
    assertEquals(code, r.code(), name + ": " + r.out() + err);
    assertFalse(err.contains("\n"), name + ": more than one line: " + err);
    assertTrue(err.startsWith("caviar train: ") && err.contains(expected), name + ": " + err);
    assertFalse(err.contains(PASSWORD) || err.contains(WRONG) || r.out().contains(PASSWORD) || r.out().contains(WRONG),
        name + ": a password was printed: " + err);
  }

  @Test
  void passwordsComeFromPgpasswordOrAPgpassFileAndWrongOnesAreOneLineErrors() throws Exception {
    Path empty = home("empty", null);
    Path pgpassFile = Files.writeString(dir.resolve("pgpass-elsewhere"), pgpassLine(PASSWORD));
    Files.setPosixFilePermissions(pgpassFile, PosixFilePermissions.fromString("rw-------"));
    // Five child JVMs at once: each spends most of its time starting and loading the data.
    List<String> names = List.of("env", "pgpassfile", "home-pgpass", "wrong", "none");
    List<Process> runs = new ArrayList<>();
    runs.add(caviar("env", Map.of("PGPASSWORD", PASSWORD), empty));
    runs.add(caviar("pgpassfile", Map.of("PGPASSFILE", pgpassFile.toString()), empty));
    runs.add(caviar("home-pgpass", Map.of(), home("with-pgpass", pgpassLine(PASSWORD))));
    runs.add(caviar("wrong", Map.of("PGPASSWORD", WRONG), home("wrong-pgpass", pgpassLine(WRONG))));
    runs.add(caviar("none", Map.of(), empty));
    List<Run> r = new ArrayList<>();
    for (int i = 0; i < runs.size(); i++) r.add(await(names.get(i), runs.get(i)));
    // Connected, authenticated and migrated: the study is what is missing.
    String connected = "no study 'nope' in postgresql://" + USER + "@127.0.0.1:" + server.getPort() + "/" + DB;
    assertOneLine("env", r.get(0), 2, connected);
    assertOneLine("pgpassfile", r.get(1), 2, connected);
    assertOneLine("home-pgpass", r.get(2), 2, connected);
    // Refused by the server: a failed run (exit 1), not bad usage.
    assertOneLine("wrong", r.get(3), 1,
        "refused user 'alice': FATAL: password authentication failed for user \"alice\" (password from PGPASSWORD)");
    assertOneLine("none", r.get(4), 1, "wants a password for user 'alice' and none was found: set PGPASSWORD");
  }
}
