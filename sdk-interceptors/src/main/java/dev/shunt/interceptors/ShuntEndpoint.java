package dev.shunt.interceptors;

import java.net.URI;
import java.util.Locale;

/**
 * Where Shunt is, and how far it reaches: {@code shunt.endpoint} / {@code SHUNT_ENDPOINT}
 * (default {@code http://127.0.0.1:4566}), and {@code shunt.override-endpoints} /
 * {@code SHUNT_OVERRIDE_ENDPOINTS} (default false: a client the application pointed at an
 * endpoint of its own keeps it). The system properties are read each time they are asked for,
 * since the agent sets {@code shunt.endpoint} after it starts the embedded backend; the
 * environment, which cannot change, is read once.
 */
public final class ShuntEndpoint {
  public static final String PROPERTY = "shunt.endpoint";
  public static final String DEFAULT = "http://127.0.0.1:4566";
  /** Set by the agent while its backend starts ({@link #STARTING}), then {@link #READY} or {@link #FAILED}. */
  public static final String AGENT_STATE = "shunt.agent.state";
  /** {@link #AGENT_STATE} while the agent's backend starts. */
  public static final String STARTING = "starting";
  /** {@link #AGENT_STATE} once the agent's backend is up (or the agent was given a running one). */
  public static final String READY = "ready";
  /** {@link #AGENT_STATE} when the agent's backend could not start: no routing at all. */
  public static final String FAILED = "failed";
  private static final String OVERRIDE_PROPERTY = "shunt.override-endpoints";
  private static final long AGENT_WAIT_MILLIS = 60_000;

  // The environment's values of the settings read on every call, read once.
  private static final String ENDPOINT_ENV = System.getenv(variable(PROPERTY));
  private static final String OVERRIDE_ENV = System.getenv(variable(OVERRIDE_PROPERTY));

  /** The endpoint last parsed, with the {@code shunt.endpoint} property it was parsed for. */
  private record Parsed(String property, URI uri) {}

  private static volatile Parsed parsed;

  private ShuntEndpoint() {}

  /**
   * Whether Shunt is there to route to. Without the agent it is assumed to be (the endpoint is
   * configured); under the agent, the first caller waits while the backend starts in the
   * background, and a backend that failed to start means no routing at all.
   */
  public static boolean available() {
    String state = System.getProperty(AGENT_STATE);
    if (state == null || state.equals(READY)) {
      return true;
    }
    long deadline = System.currentTimeMillis() + AGENT_WAIT_MILLIS;
    while (STARTING.equals(state) && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      state = System.getProperty(AGENT_STATE);
    }
    return READY.equals(state);
  }

  /** Whether the agent's backend could not start (then nothing is routed, and no client is configured for Shunt). */
  public static boolean failed() {
    return FAILED.equals(System.getProperty(AGENT_STATE));
  }

  /** Shunt's endpoint, parsed again only when {@code shunt.endpoint} changed. */
  public static URI uri() {
    String property = System.getProperty(PROPERTY);
    Parsed last = parsed;
    if (last != null && (property == null ? last.property == null : property.equals(last.property))) {
      return last.uri;
    }
    String value = value(property, ENDPOINT_ENV);
    URI uri = URI.create(value == null ? DEFAULT : value);
    parsed = new Parsed(property, uri);
    return uri;
  }

  public static boolean overrideAppEndpoints() {
    return Boolean.parseBoolean(value(System.getProperty(OVERRIDE_PROPERTY), OVERRIDE_ENV));
  }

  /** An option by its one name: system property {@code shunt.NAME}, then environment {@code SHUNT_NAME}. */
  static String setting(String name, String fallback) {
    String value = option("shunt." + name);
    return value == null ? fallback : value;
  }

  /**
   * A setting (Shunt's or OpenTelemetry's): the system property {@code property}, else the
   * environment variable named by it upper-cased with '.' and '-' as '_'; blank is unset, the
   * value is trimmed; null when unset.
   */
  static String option(String property) {
    return value(System.getProperty(property), System.getenv(variable(property)));
  }

  /** The environment variable of a setting: {@code shunt.override-endpoints} is {@code SHUNT_OVERRIDE_ENDPOINTS}. */
  private static String variable(String property) {
    return property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** A setting's value from its property's and its environment variable's: blank is unset; trimmed; null when unset. */
  private static String value(String property, String environment) {
    String value = property == null || property.isBlank() ? environment : property;
    return value == null || value.isBlank() ? null : value.trim();
  }
}
