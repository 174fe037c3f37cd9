package org.caviar.search.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PostgresUrlTest {
  @Test
  void parsesHostPortDatabaseAndUser() {
    PostgresUrl u = PostgresUrl.parse("postgresql://ann@db.example:6543/studies");
    assertEquals(new PostgresUrl("db.example", 6543, "studies", "ann"), u);
    assertEquals("jdbc:postgresql://db.example:6543/studies", u.jdbcUrl());
    assertEquals(5432, PostgresUrl.parse("postgresql://ann@db/studies").port());
    assertEquals(5432, PostgresUrl.parse("postgresql://ann@db:/studies").port()); // an empty port is the default
    assertEquals("jdbc:postgresql://[::1]:5432/s", PostgresUrl.parse("postgresql://ann@[::1]/s").jdbcUrl());
    assertTrue(PostgresUrl.isPostgres("postgres://h/d"));
    assertFalse(PostgresUrl.isPostgres("studies/x"));
  }

  /** An IPv6 host in a connect failure: "cannot reach PostgreSQL at ::1:5" read as host ::1:5 (or :: port 1:5). */
  @Test
  void aConnectFailureBracketsAnIpv6Host() {
    var refused = new java.sql.SQLException("Connection to [::1]:5 refused.", "08001");
    assertEquals("cannot reach PostgreSQL at [::1]:5: Connection to [::1]:5 refused.",
        PostgresStorage.describeConnectFailure(PostgresUrl.parse("postgresql://ann@[::1]:5/s"), refused, true));
    assertEquals("cannot reach PostgreSQL at db:5: Connection to [::1]:5 refused.",
        PostgresStorage.describeConnectFailure(PostgresUrl.parse("postgresql://ann@db:5/s"), refused, true));
  }

  @Test
  void badUrlsNameTheUrlAndWhatIsWrong() {
    for (String[] c : new String[][] {
        {"jdbc:postgresql://h/d", "leave out the 'jdbc:': postgresql://h/d"}, {"mysql://h/d", "expected postgresql://"}, {"postgresql:///d", "no host"}, {"postgresql://h", "one database"},
        {"postgresql://h/a/b", "one database"}, {"postgresql://h/d?ssl=true", "'?'"},
        // A port that is not one: the URI then has no host at all, and "no host" blamed the host.
        {"postgresql://h:notaport/d", "port 'notaport' is not a number from 1 to 65535"},
        {"postgresql://ann@h:5x/d", "port '5x' is not a number from 1 to 65535"},
        {"postgresql://h:99999/d", "port '99999' is not a number from 1 to 65535"},
        {"postgresql://h:0/d", "port '0' is not a number from 1 to 65535"}}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PostgresUrl.parse(c[0]));
      assertTrue(e.getMessage().startsWith("bad storage URL '" + c[0] + "': ") && e.getMessage().contains(c[1]), e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PostgresUrl.parse("postgresql://ann:hunter2@h/d"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertTrue(e.getMessage().contains("PGPASSWORD"), e.getMessage());
    IllegalArgumentException jdbc = assertThrows(IllegalArgumentException.class, () -> PostgresUrl.parse("jdbc:postgresql://ann:hunter2@h/d"));
    assertFalse(jdbc.getMessage().contains("hunter2"), jdbc.getMessage());
    assertTrue(jdbc.getMessage().contains("leave out the 'jdbc:'"), jdbc.getMessage());
  }
}
