package dev.shunt.backend.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.quota.QuotaConfig;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.EncryptResponse;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** The backend's SERVER spans and metrics, recorded by an in-memory OpenTelemetry SDK. */
class TelemetryIT {
  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final InMemoryMetricReader metrics = InMemoryMetricReader.create();
  private OpenTelemetrySdk sdk;
  private BackendFixture shunt;

  @BeforeEach
  void setUp() {
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .build();
  }

  @AfterEach
  void tearDown() {
    if (shunt != null) {
      shunt.close();
    }
    sdk.close();
    GlobalOpenTelemetry.resetForTest();
  }

  private SpanData span(String name) {
    List<SpanData> named = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as(name + " in " + spans.getFinishedSpanItems()).hasSize(1);
    return named.get(0);
  }

  private static String attribute(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void eachRequestIsAServerSpanWithItsAuditFactsButNoContextValues() {
    shunt = BackendFixture.start(ShuntBackend.builder().openTelemetry(sdk));
    String keyArn = shunt.kms().createKey(r -> { }).keyMetadata().arn();
    EncryptResponse encrypted = shunt.kms().encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String("hi"))
        .encryptionContext(Map.of("tenant", "CONTEXT-VALUE-42")));
    SpanData span = span("KMS.Encrypt");
    assertThat(span.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(span.getParentSpanContext().isValid()).isFalse();
    assertThat(span.getInstrumentationScopeInfo().getName()).isEqualTo("dev.shunt.backend");
    assertThat(attribute(span, "rpc.system")).isEqualTo("aws-api");
    assertThat(attribute(span, "rpc.service")).isEqualTo("Kms");
    assertThat(attribute(span, "rpc.method")).isEqualTo("Encrypt");
    assertThat(attribute(span, "aws.request_id")).isEqualTo(encrypted.responseMetadata().requestId());
    assertThat(attribute(span, "cloud.region")).isEqualTo("us-east-1");
    assertThat(attribute(span, "cloud.account.id")).isEqualTo("000000000000");
    assertThat(attribute(span, "aws.kms.key_id")).isEqualTo(keyArn);
    assertThat(attribute(span, "aws.kms.key_spec")).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(attribute(span, "aws.kms.encryption_algorithm")).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(span.getAttributes().get(AttributeKey.stringArrayKey("aws.kms.encryption_context.keys")))
        .containsExactly("tenant");
    assertThat(attribute(span, "shunt.principal.arn")).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(attribute(span, "shunt.decision")).isEqualTo("allowed");
    assertThat(attribute(span, "error.type")).isNull();
    for (SpanData any : spans.getFinishedSpanItems()) {
      assertThat(any.getAttributes().toString()).doesNotContain("CONTEXT-VALUE-42", "aGk=");
    }
  }

  /**
   * The agent warms its backend up before the first call: nothing of that shows, not a span, a
   * metric, an audit record, a quota count or a key (the global OpenTelemetry is set too, as an
   * application under the OpenTelemetry agent has it).
   */
  @Test
  void theWarmUpLeavesNoTrace() throws Exception {
    GlobalOpenTelemetry.set(sdk);
    shunt = BackendFixture.start(ShuntBackend.builder().openTelemetry(sdk));
    shunt.backend().warmUp();
    assertThat(spans.getFinishedSpanItems()).isEmpty();
    assertThat(metrics.collectAllMetrics()).isEmpty();
    assertThat(shunt.backend().audit().recent(100)).isEmpty();
    assertThat(shunt.get("/_shunt/quotas").body()).doesNotContain("GenerateRandom");
    assertThat(shunt.kms().listKeys().keys()).isEmpty();
    // and the path it warmed serves the real thing
    assertThat(shunt.kms().generateRandom(r -> r.numberOfBytes(8)).plaintext().asByteArray()).hasSize(8);
    assertThat(span("KMS.GenerateRandom").getKind()).isEqualTo(SpanKind.SERVER);
  }

  @Test
  void aTraceparentHeaderMakesTheServerSpanItsChild() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().openTelemetry(sdk));
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String parentId = "00f067aa0ba902b7";
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(shunt.uri())
        .header("X-Amz-Target", "TrentService.GenerateRandom").header("Content-Type", "application/x-amz-json-1.1")
        .header("traceparent", "00-" + traceId + "-" + parentId + "-01")
        .POST(HttpRequest.BodyPublishers.ofString("{\"NumberOfBytes\": 4}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    SpanData span = span("KMS.GenerateRandom");
    assertThat(span.getTraceId()).isEqualTo(traceId);
    assertThat(span.getParentSpanId()).isEqualTo(parentId);
    assertThat(span.getParentSpanContext().isRemote()).isTrue();
    // A malformed traceparent starts a trace of its own rather than failing the request.
    HttpResponse<String> malformed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(shunt.uri())
        .header("X-Amz-Target", "TrentService.ListKeys").header("Content-Type", "application/x-amz-json-1.1")
        .header("traceparent", "00-zz-" + parentId + "-01")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(malformed.statusCode()).isEqualTo(200);
    assertThat(span("KMS.ListKeys").getParentSpanContext().isValid()).isFalse();
  }

  @Test
  void secretsAndParametersNameTheirResourceAndTheKeyTheServiceUsed() {
    shunt = BackendFixture.start(ShuntBackend.builder().openTelemetry(sdk));
    String secretArn = shunt.secrets().createSecret(r -> r.name("orders/db").secretString("SECRET-VALUE-1")).arn();
    shunt.secrets().getSecretValue(r -> r.secretId("orders/db"));
    shunt.ssm().putParameter(r -> r.name("/orders/token").value("PARAM-VALUE-1").type(ParameterType.SECURE_STRING));
    shunt.ssm().getParameter(r -> r.name("/orders/token").withDecryption(true));
    SpanData read = span("SecretsManager.GetSecretValue");
    assertThat(attribute(read, "rpc.service")).isEqualTo("SecretsManager");
    assertThat(attribute(read, "aws.secretsmanager.secret.arn")).isEqualTo(secretArn);
    assertThat(attribute(read, "aws.kms.key_id")).contains(":key/");
    SpanData parameter = span("SSM.GetParameter");
    assertThat(attribute(parameter, "rpc.service")).isEqualTo("Ssm");
    assertThat(attribute(parameter, "aws.ssm.parameter.name")).isEqualTo("/orders/token");
    for (SpanData any : spans.getFinishedSpanItems()) {
      assertThat(any.getAttributes().toString()).doesNotContain("SECRET-VALUE-1", "PARAM-VALUE-1");
    }
    // The key Secrets Manager used for the caller is counted as a use by secretsmanager.amazonaws.com.
    LongPointData usedBySecrets = sum("shunt.kms.key_usage").stream()
        .filter(p -> "secretsmanager.amazonaws.com".equals(p.getAttributes().get(AttributeKey.stringKey(
            "shunt.invoked_by"))) && "Decrypt".equals(p.getAttributes().get(AttributeKey.stringKey("rpc.method"))))
        .findFirst().orElseThrow();
    assertThat(usedBySecrets.getValue()).isEqualTo(1);
  }

  @Test
  void metricsCountRequestsByDecisionThrottlesAndKeyUse() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().openTelemetry(sdk));
    String key = shunt.kms().createKey(r -> { }).keyMetadata().arn();
    for (int i = 0; i < 3; i++) {
      shunt.kms().encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String("x")));
    }
    shunt.backend().quotas().configure(QuotaConfig.parse(Json.parseRequest(
        "{\"rates\": {\"kms:GenerateRandom\": 0}}".getBytes(StandardCharsets.UTF_8))));
    shunt.post("/", "TrentService.GenerateRandom", "{\"NumberOfBytes\": 8}");
    SpanData throttled = span("KMS.GenerateRandom");
    assertThat(attribute(throttled, "error.type")).isEqualTo("ThrottlingException");
    assertThat(attribute(throttled, "shunt.decision")).isEqualTo("throttled");

    Collection<MetricData> collected = metrics.collectAllMetrics();
    assertThat(point(collected, "shunt.requests", "Encrypt", "allowed")).isEqualTo(3);
    assertThat(point(collected, "shunt.requests", "GenerateRandom", "throttled")).isEqualTo(1);
    assertThat(collected.stream().filter(m -> m.getName().equals("shunt.throttled_requests"))
        .flatMap(m -> m.getLongSumData().getPoints().stream()).mapToLong(LongPointData::getValue).sum()).isEqualTo(1);
    MetricData duration = collected.stream().filter(m -> m.getName().equals("rpc.server.call.duration")).findFirst()
        .orElseThrow();
    assertThat(duration.getUnit()).isEqualTo("s");
    assertThat(duration.getHistogramData().getPoints()).anySatisfy(p -> assertThat(p.getCount()).isEqualTo(3));
    LongPointData keyUse = collected.stream().filter(m -> m.getName().equals("shunt.kms.key_usage"))
        .flatMap(m -> m.getLongSumData().getPoints().stream())
        .filter(p -> key.equals(p.getAttributes().get(AttributeKey.stringKey("aws.kms.key_id")))
            && "Encrypt".equals(p.getAttributes().get(AttributeKey.stringKey("rpc.method"))))
        .findFirst().orElseThrow();
    assertThat(keyUse.getValue()).isEqualTo(3);
  }

  @Test
  void withoutAnOpenTelemetryItWaitsForTheGlobalOneAndNeverSetsIt() throws Exception {
    shunt = BackendFixture.start();
    shunt.kms().generateRandom(r -> r.numberOfBytes(1));
    assertThat(GlobalOpenTelemetry.isSet()).isFalse();
    GlobalOpenTelemetry.set(sdk);
    shunt.kms().listKeys();
    assertThat(span("KMS.ListKeys").getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(spans.getFinishedSpanItems()).extracting(SpanData::getName).doesNotContain("KMS.GenerateRandom");
  }

  private List<LongPointData> sum(String name) {
    return metrics.collectAllMetrics().stream().filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getLongSumData().getPoints().stream()).map(p -> (LongPointData) p).toList();
  }

  private static long point(Collection<MetricData> collected, String name, String method, String decision) {
    return collected.stream().filter(m -> m.getName().equals(name))
        .flatMap(m -> m.getLongSumData().getPoints().stream())
        .filter(p -> method.equals(p.getAttributes().get(AttributeKey.stringKey("rpc.method")))
            && decision.equals(p.getAttributes().get(AttributeKey.stringKey("shunt.decision"))))
        .mapToLong(LongPointData::getValue).sum();
  }
}
