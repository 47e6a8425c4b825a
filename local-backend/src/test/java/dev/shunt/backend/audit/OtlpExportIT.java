package dev.shunt.backend.audit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The standalone backend ({@code java -jar shunt-backend.jar serve}) exports its spans and
 * metrics over OTLP/HTTP when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set: a WireMock receiver
 * captures {@code /v1/traces} and {@code /v1/metrics}, and the protobuf bodies are decoded.
 */
class OtlpExportIT {
  private static final Path JAR = Path.of("target", "shunt-backend.jar");

  private final WireMockServer receiver = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
  private Process backend;

  @BeforeEach
  void start() {
    receiver.start();
    receiver.stubFor(post(urlEqualTo("/v1/traces")).willReturn(aResponse().withStatus(200)));
    receiver.stubFor(post(urlEqualTo("/v1/metrics")).willReturn(aResponse().withStatus(200)));
  }

  @AfterEach
  void stop() throws Exception {
    if (backend != null) {
      backend.destroy();
      backend.waitFor(10, TimeUnit.SECONDS);
    }
    receiver.stop();
  }

  @Test
  void theStandaloneBackendExportsSpansAndMetricsOverOtlp() throws Exception {
    assertThat(JAR).as("built by the package phase").exists();
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", JAR.toString(), "serve", "--port", "0", "--in-memory");
    builder.environment().put("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + receiver.port());
    builder.environment().put("OTEL_BSP_SCHEDULE_DELAY", "100");
    builder.environment().put("OTEL_METRIC_EXPORT_INTERVAL", "300");
    builder.environment().remove("OTEL_SERVICE_NAME");
    builder.redirectErrorStream(true);
    backend = builder.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(backend.getInputStream(), StandardCharsets.UTF_8));
    String line;
    URI endpoint = null;
    List<String> seen = new ArrayList<>();
    while (endpoint == null && (line = out.readLine()) != null) {
      seen.add(line);
      if (line.startsWith("Shunt listening on ")) {
        endpoint = URI.create(line.substring("Shunt listening on ".length()).trim());
      }
    }
    assertThat(endpoint).as(String.join("\n", seen)).isNotNull();
    try (KmsClient kms = KmsClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDOTLP", "s")))
        .httpClient(UrlConnectionHttpClient.create()).build()) {
      kms.generateRandom(r -> r.numberOfBytes(16));
    }

    Span span = awaitSpan("KMS.GenerateRandom");
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(attribute(span.getAttributesList(), "rpc.method")).isEqualTo("GenerateRandom");
    assertThat(attribute(span.getAttributesList(), "cloud.region")).isEqualTo("eu-west-1");
    assertThat(traceRequests()).anySatisfy(request -> assertThat(attribute(
        request.getResourceSpans(0).getResource().getAttributesList(), "service.name")).isEqualTo("shunt"));

    List<String> metricNames = awaitMetrics("shunt.requests");
    assertThat(metricNames).contains("shunt.requests", "rpc.server.call.duration");
  }

  private Span awaitSpan(String name) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      for (ExportTraceServiceRequest request : traceRequests()) {
        for (var resourceSpans : request.getResourceSpansList()) {
          for (var scopeSpans : resourceSpans.getScopeSpansList()) {
            for (Span span : scopeSpans.getSpansList()) {
              if (span.getName().equals(name)) {
                return span;
              }
            }
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("No span " + name + " exported; log: " + log());
  }

  private List<ExportTraceServiceRequest> traceRequests() throws Exception {
    List<ExportTraceServiceRequest> requests = new ArrayList<>();
    for (LoggedRequest request : receiver.findAll(postRequestedFor(urlEqualTo("/v1/traces")))) {
      assertThat(request.getHeader("Content-Type")).isEqualTo("application/x-protobuf");
      requests.add(ExportTraceServiceRequest.parseFrom(request.getBody()));
    }
    return requests;
  }

  private List<String> awaitMetrics(String wanted) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      List<String> names = new ArrayList<>();
      for (LoggedRequest request : receiver.findAll(postRequestedFor(urlEqualTo("/v1/metrics")))) {
        ExportMetricsServiceRequest metrics = ExportMetricsServiceRequest.parseFrom(request.getBody());
        metrics.getResourceMetricsList().forEach(resource -> resource.getScopeMetricsList().forEach(scope ->
            scope.getMetricsList().forEach(metric -> names.add(metric.getName()))));
      }
      if (names.contains(wanted)) {
        return names;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("No metric " + wanted + " exported; log: " + log());
  }

  private static String attribute(List<KeyValue> attributes, String key) {
    return attributes.stream().filter(a -> a.getKey().equals(key)).map(a -> a.getValue().getStringValue())
        .findFirst().orElse(null);
  }

  private String log() throws Exception {
    return backend.isAlive() ? "(running)" : new String(backend.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
        + Files.exists(JAR);
  }
}
