package dev.shunt.backend.quota;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Where the shared quota buckets live: the {@code quota-store} option, {@code
 * redis://[[USER]:PASSWORD@]HOST:PORT[/DB]}. Its {@link #toString()} never shows the password
 * (nor the user): that is the form every log line and {@code /_shunt/*} answer uses.
 */
public record RedisLocation(String host, int port, int database, String user, String password) {
  private static final String FORM = "redis://[:PASSWORD@]HOST:PORT[/DB]";

  /**
   * Reads the option's value; refuses (IllegalArgumentException) what is not a Redis URL, a port out
   * of range, a database that is not a number. The message never repeats the password.
   */
  public static RedisLocation parse(String text) {
    String value = text == null ? "" : text.trim();
    if (!value.toLowerCase(Locale.ROOT).startsWith("redis://")) {
      String scheme = value.contains("://") ? value.substring(0, value.indexOf("://")) : null;
      throw new IllegalArgumentException("quota-store must be " + FORM + (scheme == null || scheme.isEmpty()
          ? "" : ", not a " + scheme + ":// URL") + (scheme != null && scheme.equalsIgnoreCase("rediss")
          ? " (TLS is not supported yet)" : ""));
    }
    String rest = value.substring("redis://".length());
    String user = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String credentials = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = credentials.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "quota-store: give the password after a colon, as redis://:PASSWORD@HOST:PORT");
      }
      user = colon == 0 ? null : credentials.substring(0, colon);
      password = credentials.substring(colon + 1);
      if (password.isEmpty()) {
        throw new IllegalArgumentException("quota-store: the password after ':' is empty");
      }
    }
    int database = 0;
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String db = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
      if (!db.isEmpty()) {
        try {
          database = Integer.parseInt(db);
        } catch (NumberFormatException e) {
          database = -1;
        }
        if (database < 0) {
          throw new IllegalArgumentException("quota-store: the database after '/' must be a number from 0, not '"
              + db + "'");
        }
      }
    }
    if (rest.contains("?") || rest.contains("#")) {
      throw new IllegalArgumentException("quota-store takes no query or fragment: " + FORM);
    }
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || rest.endsWith("]")) {
      // Nothing of the value is repeated: a mistyped URL may hold a password where the host should be.
      throw new IllegalArgumentException("quota-store must name the host and the port: " + FORM);
    }
    String host = rest.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String portText = rest.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("quota-store: the port must be a number from 1 to 65535"
          + (portText.matches("[0-9]{1,12}") ? ", not " + portText : ""));
    }
    if (host.isEmpty() || !host.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '.' || c == '-'
        || c == ':' || c == '_')) {
      throw new IllegalArgumentException("quota-store: '" + host + "' is not a host name or address");
    }
    return new RedisLocation(host, port, database, user, password);
  }

  /** Refuses a host that does not resolve: a mistyped name should stop the start, not every request's quota. */
  public void checkResolves() {
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("quota-store: unknown host '" + host + "' (" + this + ")");
    }
  }

  /** Removes the password from a text that might hold it (an error message from the client). */
  String scrub(String text) {
    if (text == null) {
      return "";
    }
    return password == null ? text : text.replace(password, "****");
  }

  /** {@code redis://HOST:PORT/DB}, without the credentials. */
  @Override
  public String toString() {
    return "redis://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/" + database;
  }
}
