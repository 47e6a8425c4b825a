package dev.shunt.interceptors;

import java.net.URI;

/**
 * Where Shunt is, and how far it reaches: {@code shunt.endpoint} / {@code SHUNT_ENDPOINT}
 * (default {@code http://127.0.0.1:4566}), and {@code shunt.override-endpoints} /
 * {@code SHUNT_OVERRIDE_ENDPOINTS} (default false: a client the application pointed at an
 * endpoint of its own keeps it). Read from the environment each time it is asked, since the agent
 * sets the property after it starts the embedded backend; callers cache what they need.
 */
public final class ShuntEndpoint {
  public static final String PROPERTY = "shunt.endpoint";
  public static final String DEFAULT = "http://127.0.0.1:4566";
  /** Set by the agent while its backend starts ({@code starting}), then {@code ready} or {@code failed}. */
  public static final String AGENT_STATE = "shunt.agent.state";
  private static final long AGENT_WAIT_MILLIS = 60_000;

  private ShuntEndpoint() {}

  /**
   * Whether Shunt is there to route to. Without the agent it is assumed to be (the endpoint is
   * configured); under the agent, the first caller waits while the backend starts in the
   * background, and a backend that failed to start means no routing at all.
   */
  public static boolean available() {
    String state = System.getProperty(AGENT_STATE);
    if (state == null || state.equals("ready")) {
      return true;
    }
    long deadline = System.currentTimeMillis() + AGENT_WAIT_MILLIS;
    while ("starting".equals(state) && System.currentTimeMillis() < deadline) {
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      state = System.getProperty(AGENT_STATE);
    }
    return "ready".equals(state);
  }

  public static URI uri() {
    return URI.create(setting("endpoint", DEFAULT));
  }

  public static boolean overrideAppEndpoints() {
    return Boolean.parseBoolean(setting("override-endpoints", "false"));
  }

  /** An option by its one name: system property {@code shunt.NAME}, then environment {@code SHUNT_NAME}. */
  static String setting(String name, String fallback) {
    String value = System.getProperty("shunt." + name);
    if (value == null || value.isBlank()) {
      value = System.getenv("SHUNT_" + name.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }
    return value == null || value.isBlank() ? fallback : value.trim();
  }
}
