package org.caviar.search.storage;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * A storage URL {@code postgresql://[user@]host[:port]/database}. Passwords do not belong in it
 * (they would show in process lists and shell history): they come from {@code PGPASSWORD} or a
 * pgpass file, which the JDBC driver reads itself.
 */
public record PostgresUrl(String host, int port, String database, String user) {
  public static final String SCHEME = "postgresql";

  /** True when {@code storage} names a PostgreSQL database rather than a journal folder. */
  public static boolean isPostgres(String storage) {
    return storage != null && (storage.startsWith(SCHEME + "://") || storage.startsWith("postgres://"));
  }

  /** Parses {@code url}; the user defaults to {@code PGUSER}, then to the OS user. */
  public static PostgresUrl parse(String url) {
    if (!isPostgres(url)) {
      // A JDBC URL is the likeliest other spelling: say which part to drop.
      if (url != null && url.startsWith("jdbc:") && isPostgres(url.substring(5))) {
        String shown = stripPassword(url);
        throw bad(shown, "leave out the 'jdbc:': " + shown.substring(5));
      }
      throw bad(url, "expected postgresql://host[:port]/database");
    }
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw bad(url, e.getReason());
    }
    String host = u.getHost();
    String port = portText(u.getRawAuthority());
    // A port that is not a number leaves the URI without a host: name the port, not the host.
    if (port != null && !validPort(port)) throw bad(url, "port '" + port + "' is not a number from 1 to 65535");
    if (host == null || host.isEmpty()) throw bad(url, "no host");
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1); // IPv6 literal
    if (u.getRawQuery() != null || u.getRawFragment() != null) throw bad(url, "no '?' or '#' parts are read");
    String path = u.getPath() == null ? "" : u.getPath();
    String db = path.startsWith("/") ? path.substring(1) : path;
    if (db.isEmpty() || db.contains("/")) throw bad(url, "expected one database name after the host");
    String user = u.getUserInfo();
    if (user != null && user.contains(":")) {
      throw bad(stripPassword(url), "put the password in PGPASSWORD or ~/.pgpass, not in the URL");
    }
    if (user == null || user.isEmpty()) user = System.getenv("PGUSER");
    if (user == null || user.isEmpty()) user = System.getProperty("user.name");
    return new PostgresUrl(host, u.getPort() < 0 ? 5432 : u.getPort(), db, user);
  }

  /** The text after the host's ':' in {@code authority} (user and IPv6 brackets skipped), or null when there is none or it is empty. */
  private static String portText(String authority) {
    if (authority == null) return null;
    String hostPort = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0 || hostPort.lastIndexOf(']') > colon || colon == hostPort.length() - 1) return null; // "h:" is the default port
    return hostPort.substring(colon + 1);
  }

  private static boolean validPort(String port) {
    if (port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) return false;
    int p = Integer.parseInt(port);
    return p >= 1 && p <= 65535;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + bracketed() + ":" + port + "/" + database;
  }

  /** The URL as shown in messages: never with a password. */
  @Override
  public String toString() {
    return SCHEME + "://" + user + "@" + bracketed() + ":" + port + "/" + database;
  }

  /** host:port as messages show it, an IPv6 host in brackets ([::1]:5432, not ::1:5432). */
  public String hostAndPort() {
    return bracketed() + ":" + port;
  }

  private String bracketed() {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  private static String stripPassword(String url) {
    return url.replaceFirst("://([^:/@]*):[^@]*@", "://$1:***@");
  }

  private static IllegalArgumentException bad(String url, String why) {
    return new IllegalArgumentException("bad storage URL '" + url + "': " + why);
  }
}
