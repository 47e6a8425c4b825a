package dev.shunt.agent.core;

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
final class EmbeddedBackend {
  private final String endpoint;
  private final Map<String, String> options;
  private final AtomicBoolean started = new AtomicBoolean();

  /** @param endpoint a running backend's URL, or null to start one with {@code options} */
  EmbeddedBackend(String endpoint, Map<String, String> options) {
    this.endpoint = endpoint;
    this.options = options;
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
        ShuntBackend backend = ShuntBackend.builder().options(options).start();
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "shunt-backend-shutdown"));
        ready(backend.uri().toString());
      } catch (Throwable e) {
        System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.FAILED);
        System.err.println("[shunt] agent disabled, the application runs without Shunt: " + e);
      }
    }, "shunt-backend-start", 0, false);
    starter.setContextClassLoader(EmbeddedBackend.class.getClassLoader());
    starter.setDaemon(true);
    starter.start();
  }

  private static void ready(String endpoint) {
    System.setProperty(ShuntEndpoint.PROPERTY, endpoint);
    System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.READY);
    System.err.println("[shunt] KMS, Secrets Manager and SSM clients go to " + endpoint);
  }
}
