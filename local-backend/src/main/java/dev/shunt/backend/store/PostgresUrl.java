package dev.shunt.backend.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where a PostgreSQL store is, from {@code postgresql://USER:PASSWORD@HOST:PORT/DATABASE?PARAMS}
 * (libpq's URI form). It shows itself without the password.
 */
record PostgresUrl(String host, int port, String database, String user, String password, String query) {
  /** Parses {@code spec}, or says what is wrong with it (never repeating the password). */
  static PostgresUrl parse(String spec) {
    URI uri;
    try {
      uri = new URI(spec.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("store must be postgresql://USER:PASSWORD@HOST:PORT/DATABASE: it is not a URL");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("store must be postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("store must name a host: postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty() || database.contains("/")) {
      throw new IllegalArgumentException("store must name one database: postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    }
    String user = null;
    String password = null;
    String info = uri.getRawUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    return new PostgresUrl(uri.getHost(), uri.getPort() < 0 ? 5432 : uri.getPort(), database, user, password,
        uri.getRawQuery());
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  Connection connect(String applicationName) throws SQLException {
    Properties properties = new Properties();
    if (user != null) {
      properties.setProperty("user", user);
    }
    if (password != null) {
      properties.setProperty("password", password);
    }
    properties.setProperty("ApplicationName", applicationName);
    properties.setProperty("connectTimeout", "5");
    properties.setProperty("tcpKeepAlive", "true");
    String jdbc = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database
        + (query == null ? "" : "?" + query);
    return DriverManager.getConnection(jdbc, properties);
  }

  @Override
  public String toString() {
    return "postgresql://" + (user == null ? "" : user + "@") + host + ":" + port + "/" + database;
  }
}
