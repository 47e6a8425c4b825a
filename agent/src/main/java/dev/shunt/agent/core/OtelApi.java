package dev.shunt.agent.core;

import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * OpenTelemetry's API for an application that runs under the OpenTelemetry Java agent without
 * the API itself. Shunt's interceptors enrich the OTel agent's span of each KMS, Secrets Manager and
 * SSM call through the API, which such an application lacks: so when the OTel agent runs in this
 * JVM (its bootstrap classes are there) and the SDK's class loader does not see
 * {@code io.opentelemetry.api.GlobalOpenTelemetry}, the API jars this agent carries join the
 * interceptors' own class loader (see {@link Guests}), where the OTel agent bridges them to its SDK.
 * Otherwise nothing is added: an application's own API is used as it is, and without the OTel agent
 * no OpenTelemetry class is ever loaded for Shunt.
 */
final class OtelApi {
  static final String API_CLASS = "io/opentelemetry/api/GlobalOpenTelemetry.class";
  private final List<URL> jars = new ArrayList<>();

  OtelApi(List<Path> apiJars) {
    for (Path jar : apiJars) {
      try {
        jars.add(jar.toUri().toURL());
      } catch (MalformedURLException e) {
        throw new IllegalArgumentException(e);
      }
    }
  }

  /** The API jars to define beside the interceptors for an SDK in {@code sdkLoader}: all, or none. */
  List<URL> jarsFor(ClassLoader sdkLoader) {
    return otelAgentPresent() && sdkLoader != null && sdkLoader.getResource(API_CLASS) == null ? jars : List.of();
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
