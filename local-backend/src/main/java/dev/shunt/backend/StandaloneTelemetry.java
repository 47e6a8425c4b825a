package dev.shunt.backend;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.Locale;
import java.util.Map;

/**
 * The standalone backend's OpenTelemetry SDK, configured the standard way (OTEL_* environment
 * variables or otel.* system properties, e.g. {@code OTEL_EXPORTER_OTLP_ENDPOINT}) when any
 * exporter setting is given; otherwise none, and nothing is exported. Service name {@code shunt}
 * unless set; OTLP over HTTP/protobuf (the jar carries no gRPC sender); logs are not exported
 * (the backend emits none through OpenTelemetry).
 */
final class StandaloneTelemetry {
  private static final String[] TRIGGERS = {"otel.exporter.otlp.endpoint", "otel.exporter.otlp.traces.endpoint",
      "otel.exporter.otlp.metrics.endpoint", "otel.traces.exporter", "otel.metrics.exporter"};

  private StandaloneTelemetry() {}

  /** The SDK if the environment or system properties ask for export, else null. */
  static OpenTelemetrySdk fromEnvironment(Map<String, String> environment) {
    boolean asked = false;
    for (String property : TRIGGERS) {
      String variable = property.toUpperCase(Locale.ROOT).replace('.', '_');
      asked |= present(System.getProperty(property)) || present(environment.get(variable));
    }
    if (!asked) {
      return null;
    }
    return AutoConfiguredOpenTelemetrySdk.builder()
        .addPropertiesSupplier(() -> Map.of("otel.service.name", "shunt", "otel.logs.exporter", "none",
            "otel.exporter.otlp.protocol", "http/protobuf"))
        .build()
        .getOpenTelemetrySdk();
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }
}
