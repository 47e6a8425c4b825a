package dev.shunt.agent.core;

import dev.shunt.backend.FatalErrors;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.interceptors.ShuntEndpoint;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the routed clients go: the backend this JVM starts, in the background, the first time it
 * is needed, or a running one the {@code endpoint} option names. The interceptors learn of it
 * through system properties ({@code shunt.endpoint}, and {@code shunt.agent.state}, on which the
 * first routed call waits while the backend starts).
 */
final class BackendLink {
  private final String endpoint;
  private final Map<String, String> options;
  private final AtomicBoolean started = new AtomicBoolean();
  /** Set when a routed client exists, and when the backend is up: the one that comes second says where clients go. */
  private boolean clientBuilt;
  private String readyEndpoint;
  private boolean announced;

  /** @param endpoint a running backend's URL, or null to start one with {@code options} */
  BackendLink(String endpoint, Map<String, String> options) {
    this.endpoint = endpoint;
    this.options = options;
  }

  /** Whether this JVM runs the backend (it ends with the JVM), rather than a running one the option named. */
  boolean embedded() {
    return endpoint == null;
  }

  boolean started() {
    return started.get();
  }

  /** A KMS, Secrets Manager or SSM client was built: once the backend is up, say where it goes. */
  synchronized void clientBuilt() {
    clientBuilt = true;
    announce();
  }

  /** Starts the backend unless started already; returns at once. */
  void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    if (endpoint != null) {
      ready(endpoint);
      return;
    }
    System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.STARTING);
    // The backend's threads (its event loops, its rotation scheduler) inherit this one's context class
    // loader: the agent's, never the application's, which they would pin (a web application's, say).
    Thread starter = new Thread(null, () -> {
      try {
        // The agent is a guest: should the JVM fail under the backend (out of memory), the backend stops
        // listening and says so in one [shunt] line; it never ends the application.
        ShuntBackend backend = withoutNettyJfrEvents(() -> ShuntBackend.builder().options(options)
            .onFatalError(FatalErrors.Policy.CLOSE_SERVER).start());
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "shunt-backend-shutdown"));
        backend.generatedAdminToken().ifPresent(token -> {
          // The interceptors' retry reports go to /_shunt/client-stats, which then needs it.
          System.setProperty("shunt.admin-token", token);
          System.err.println("[shunt] admin token for " + backend.uri() + "/_shunt/ (shown once): " + token);
        });
        warmUp(backend);
        ready(backend.uri().toString());
      } catch (Throwable e) {
        System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.FAILED);
        System.err.println("[shunt] agent disabled, the application runs without Shunt: " + e);
      }
    }, "shunt-backend-start", 0, false);
    starter.setContextClassLoader(BackendLink.class.getClassLoader());
    starter.setDaemon(true);
    starter.start();
  }

  /**
   * Netty 4.2 declares JFR events for its allocator, and registering them loads the JDK's flight
   * recorder (eighty classes, a tenth of a second of the first call's wait) in an application that
   * may record nothing. The backend's Netty, which reads the setting as it initialises here, goes
   * without them; the property is restored at once, for an application's own Netty to read its own
   * value (unless the two initialise in the same instant).
   */
  private static <T> T withoutNettyJfrEvents(java.util.function.Supplier<T> start) {
    String property = "io.netty.jfr.enabled";
    String before = System.getProperty(property);
    if (before != null) {
      return start.get();
    }
    System.setProperty(property, "false");
    try {
      return start.get();
    } finally {
      System.clearProperty(property);
    }
  }

  /** The first call waits for the backend anyway: it should not wait for a cold request path as well. */
  private static void warmUp(ShuntBackend backend) {
    try {
      backend.warmUp();
    } catch (RuntimeException | LinkageError e) {
      // the first request pays for it instead
    }
  }

  private synchronized void ready(String endpoint) {
    System.setProperty(ShuntEndpoint.PROPERTY, endpoint);
    System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.READY);
    readyEndpoint = endpoint;
    announce();
  }

  /** Says where clients go, once: only when there is a client, and a backend to go to. */
  private void announce() {
    if (clientBuilt && readyEndpoint != null && !announced) {
      announced = true;
      System.err.println("[shunt] KMS, Secrets Manager and SSM clients go to " + readyEndpoint + " (dashboard: "
          + readyEndpoint.replaceFirst("/+$", "") + "/_shunt/)");
    }
  }
}
