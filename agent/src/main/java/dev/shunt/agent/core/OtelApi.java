package dev.shunt.agent.core;

import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarFile;

/**
 * OpenTelemetry's API for an application that runs under the OpenTelemetry Java agent without
 * the API on its class path. Shunt's interceptors enrich the OTel agent's span of each KMS, Secrets
 * Manager and SSM call through the API, which such an application lacks; so when the AWS SDK is
 * first loaded (after every agent's premain), if the OTel agent runs in this JVM (its bootstrap
 * classes are there) and neither the system class loader nor the SDK's sees
 * {@code io.opentelemetry.api.GlobalOpenTelemetry}, the API and context jars this agent carries are
 * appended to the system class path, where the OTel agent bridges them to its own SDK. Otherwise
 * nothing is added: an application's own API is used as it is, and without the OTel agent no
 * OpenTelemetry class ever joins the application's class path.
 */
final class OtelApi {
  static final String API_CLASS = "io/opentelemetry/api/GlobalOpenTelemetry.class";
  private static final AtomicBoolean DECIDED = new AtomicBoolean();
  private static volatile Instrumentation instrumentation;
  private static volatile List<Path> jars = List.of();

  private OtelApi() {}

  static void prepare(Instrumentation with, List<Path> apiJars) {
    instrumentation = with;
    jars = apiJars == null ? List.of() : List.copyOf(apiJars);
  }

  /** Called as the SDK's client builder class is transformed; decides once. Returns {@code passThrough}. */
  static <T> T sdkLoaded(ClassLoader sdkLoader, T passThrough) {
    if (!DECIDED.compareAndSet(false, true)) {
      return passThrough;
    }
    try {
      if (shouldAppend(sdkLoader)) {
        for (Path jar : jars) {
          instrumentation.appendToSystemClassLoaderSearch(new JarFile(jar.toFile()));
        }
      }
    } catch (Exception | LinkageError e) {
      System.err.println("[shunt] OpenTelemetry spans are not enriched: could not add OpenTelemetry's API: " + e);
    }
    return passThrough;
  }

  static boolean shouldAppend(ClassLoader sdkLoader) {
    if (jars.isEmpty() || instrumentation == null || !otelAgentPresent()) {
      return false;
    }
    return ClassLoader.getSystemClassLoader().getResource(API_CLASS) == null
        && (sdkLoader == null || sdkLoader.getResource(API_CLASS) == null);
  }

  /** Whether the OpenTelemetry Java agent runs here and is not turned off ({@code otel.javaagent.enabled}). */
  static boolean otelAgentPresent() {
    try {
      Class.forName("io.opentelemetry.javaagent.bootstrap.AgentInitializer", false, null);
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
    String enabled = System.getProperty("otel.javaagent.enabled");
    if (enabled == null || enabled.isBlank()) {
      enabled = System.getenv("OTEL_JAVAAGENT_ENABLED");
    }
    return enabled == null || enabled.isBlank() || Boolean.parseBoolean(enabled.trim());
  }
}
