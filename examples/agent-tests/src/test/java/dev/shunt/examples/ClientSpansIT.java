package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.ShuntBackend;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Shunt's CLIENT spans against the real backend: the interceptors on this class path (as an
 * application without the agent has them), real SDK clients, and one in-memory OpenTelemetry SDK
 * that is both the application's global one and the backend's, so the backend's SERVER span is
 * seen beside the client's.
 *
 * <p>Assertions marked {@code [backend headers]} hold only because the backend sends its
 * {@code x-shunt-*} answer headers; everything else the client knows by itself.
 */
class ClientSpansIT {
  static final String PLAINTEXT = "plaintext-attack-at-dawn";
  static final String SECRET_VALUE = "s3cr3t-hunter2-password";
  static final String PARAMETER_VALUE = "parameter-value-4242";
  static final String CONTEXT_VALUE = "context-value-order-42";

  private InMemorySpanExporter exporter;
  private OpenTelemetrySdk sdk;
  private ShuntBackend backend;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeEach
  void start() {
    GlobalOpenTelemetry.resetForTest();
    exporter = InMemorySpanExporter.create();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .buildAndRegisterGlobal();
    backend = ShuntBackend.builder().port(0).option("quotas", "off").openTelemetry(sdk).start();
    System.setProperty("shunt.endpoint", backend.uri().toString());
    System.setProperty("shunt.log-retries", "false");
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    backend.close();
    sdk.close();
    GlobalOpenTelemetry.resetForTest();
    System.clearProperty("shunt.endpoint");
    System.clearProperty("shunt.log-retries");
  }

  private StaticCredentialsProvider account(String accessKey) {
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "secret"));
  }

  private KmsClient kms(String accessKey) {
    KmsClient kms = KmsClient.builder().region(Region.US_EAST_1).credentialsProvider(account(accessKey))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .maxAttempts(3)
            .backoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(30)))
            .throttlingBackoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(Duration.ofMillis(30)))
            .build()))
        .build();
    clients.add(kms);
    return kms;
  }

  private List<SpanData> clientSpans() {
    return exporter.getFinishedSpanItems().stream()
        .filter(span -> span.getInstrumentationScopeInfo().getName().equals("dev.shunt.interceptors")).toList();
  }

  private SpanData clientSpan(String name) {
    return clientSpans().stream().filter(span -> span.getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + clientSpans()));
  }

  private static String string(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.stringKey(key));
  }

  @Test
  void everyCallIsOneClientSpanWithTheStandardAttributesAndTheBackendsFacts() {
    KmsClient kms = kms("test");
    SecretsManagerClient secrets = SecretsManagerClient.builder().region(Region.US_EAST_1)
        .credentialsProvider(account("test")).httpClient(UrlConnectionHttpClient.create()).build();
    SsmClient ssm = SsmClient.builder().region(Region.US_EAST_1).credentialsProvider(account("test"))
        .httpClient(UrlConnectionHttpClient.create()).build();
    clients.add(secrets);
    clients.add(ssm);
    Span checkout = GlobalOpenTelemetry.getTracer("app").spanBuilder("checkout").startSpan();
    String keyArn;
    try (Scope ignored = checkout.makeCurrent()) {
      keyArn = kms.createKey(r -> r.description("orders")).keyMetadata().arn();
      SdkBytes blob = kms.encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String(PLAINTEXT))
          .encryptionContext(Map.of("order", CONTEXT_VALUE))).ciphertextBlob();
      kms.decrypt(r -> r.ciphertextBlob(blob).encryptionContext(Map.of("order", CONTEXT_VALUE)));
      kms.generateDataKey(r -> r.keyId(keyArn).keySpec(DataKeySpec.AES_256));
      secrets.createSecret(r -> r.name("orders/db").secretString(SECRET_VALUE));
      secrets.getSecretValue(r -> r.secretId("orders/db"));
      ssm.putParameter(r -> r.name("/orders/batch-size").value(PARAMETER_VALUE).type(ParameterType.SECURE_STRING));
      ssm.getParameter(r -> r.name("/orders/batch-size").withDecryption(true));
    } finally {
      checkout.end();
    }

    List<SpanData> spans = clientSpans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("KMS.CreateKey", "KMS.Encrypt", "KMS.Decrypt",
        "KMS.GenerateDataKey", "SecretsManager.CreateSecret", "SecretsManager.GetSecretValue", "SSM.PutParameter",
        "SSM.GetParameter");
    for (SpanData span : spans) {
      assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(span.getParentSpanContext()).as(span.getName()).isEqualTo(checkout.getSpanContext());
      assertThat(string(span, "rpc.system")).isEqualTo("aws-api");
      assertThat(string(span, "rpc.method")).isEqualTo(span.getName().substring(span.getName().indexOf('.') + 1));
      assertThat(string(span, "aws.request_id")).as(span.getName()).isNotBlank();
      assertThat(string(span, "cloud.region")).isEqualTo("us-east-1");
      assertThat(string(span, "server.address")).isEqualTo(backend.uri().getHost());
      assertThat(span.getAttributes().get(AttributeKey.longKey("server.port"))).isEqualTo((long) backend.uri().getPort());
      assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
      assertThat(string(span, "error.type")).isNull();
      assertThat(string(span, "shunt.decision")).isEqualTo("allowed");
      // [backend headers] who called, as the backend resolved it from the SigV4 credential scope.
      assertThat(string(span, "shunt.principal.arn")).as(span.getName()).isEqualTo("arn:aws:iam::000000000000:root");
      assertThat(span.getEvents()).as(span.getName()).singleElement().satisfies(event -> {
        assertThat(event.getName()).isEqualTo("attempt");
        assertThat(event.getAttributes().get(AttributeKey.stringKey("shunt.attempt.outcome"))).isEqualTo("ok");
      });
      // The backend parented its SERVER span on the traceparent this call carried.
      assertThat(exporter.getFinishedSpanItems()).as("the backend's span under " + span.getName())
          .anySatisfy(server -> {
            assertThat(server.getKind()).isEqualTo(SpanKind.SERVER);
            assertThat(server.getParentSpanContext().getSpanId()).isEqualTo(span.getSpanId());
            assertThat(server.getTraceId()).isEqualTo(span.getTraceId());
          });
    }
    assertThat(string(spans.get(0), "rpc.service")).isEqualTo("Kms");
    assertThat(string(spans.get(4), "rpc.service")).isEqualTo("SecretsManager");
    assertThat(string(spans.get(6), "rpc.service")).isEqualTo("Ssm");
    // [backend headers] the key the backend resolved, and its spec, even where the response does not name it.
    assertThat(string(clientSpan("KMS.CreateKey"), "aws.kms.key_id")).isEqualTo(keyArn);
    assertThat(string(clientSpan("KMS.Encrypt"), "aws.kms.key_spec")).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(string(clientSpan("SecretsManager.GetSecretValue"), "aws.kms.key_id"))
        .startsWith("arn:aws:kms:us-east-1:000000000000:key/");
    // The client's own knowledge (request and response fields), agreeing with the backend's.
    for (String name : new String[] {"KMS.Encrypt", "KMS.Decrypt", "KMS.GenerateDataKey"}) {
      assertThat(string(clientSpan(name), "aws.kms.key_id")).as(name).isEqualTo(keyArn);
    }
    assertThat(string(clientSpan("KMS.Decrypt"), "aws.kms.encryption_algorithm")).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(clientSpan("KMS.Decrypt").getAttributes().get(AttributeKey.stringArrayKey("aws.kms.encryption_context.keys")))
        .containsExactly("order");
    assertThat(string(clientSpan("SecretsManager.GetSecretValue"), "aws.secretsmanager.secret.arn"))
        .startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:orders/db-");
    assertThat(string(clientSpan("SSM.GetParameter"), "aws.ssm.parameter.name")).isEqualTo("/orders/batch-size");

    // Nothing secret in any span, the client's or the backend's.
    StringBuilder recorded = new StringBuilder();
    for (SpanData span : exporter.getFinishedSpanItems()) {
      recorded.append(span.getName()).append(span.getAttributes()).append('\n');
      for (EventData event : span.getEvents()) {
        recorded.append(event.getName()).append(event.getAttributes()).append('\n');
      }
    }
    for (String secret : new String[] {PLAINTEXT, SECRET_VALUE, PARAMETER_VALUE, CONTEXT_VALUE}) {
      assertThat(recorded.toString()).doesNotContain(secret);
    }
  }

  @Test
  void aCallTheBackendDeniesIsAnErrorSpanNamingTheCaller() {
    String keyArn = kms("111111111111").createKey(r -> r.description("not yours")).keyMetadata().arn();
    KmsClient other = kms("222222222222");
    assertThatThrownBy(() -> other.encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String(PLAINTEXT))))
        .isInstanceOf(KmsException.class);
    SpanData span = clientSpan("KMS.Encrypt");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(string(span, "error.type")).isEqualTo("AccessDeniedException");
    assertThat(string(span, "shunt.decision")).isEqualTo("denied");
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(400L);
    // [backend headers] the caller the backend denied.
    assertThat(string(span, "shunt.principal.arn")).isEqualTo("arn:aws:iam::222222222222:root");
  }

  @Test
  void aThrottledCallTellsEachAttemptAndTheBackoffs() throws Exception {
    HttpResponse<String> faults = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(backend.uri() + "/_shunt/faults")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("[{\"operations\": \"kms:GenerateRandom\", \"error\": {\"throttle\": true}}]"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(faults.statusCode()).as(faults.body()).isEqualTo(200);
    KmsClient kms = kms("test");
    assertThatThrownBy(() -> kms.generateRandom(r -> r.numberOfBytes(8))).isInstanceOf(KmsException.class);

    SpanData span = clientSpan("KMS.GenerateRandom");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(string(span, "error.type")).isEqualTo("ThrottlingException");
    assertThat(string(span, "shunt.decision")).isEqualTo("throttled");
    List<EventData> attempts = span.getEvents();
    assertThat(attempts).hasSize(3);
    for (int i = 0; i < 3; i++) {
      Attributes attempt = attempts.get(i).getAttributes();
      assertThat(attempt.get(AttributeKey.longKey("shunt.attempt.number"))).isEqualTo(i + 1L);
      assertThat(attempt.get(AttributeKey.stringKey("shunt.attempt.outcome"))).isEqualTo("throttled");
      assertThat(attempt.get(AttributeKey.stringKey("error.type"))).isEqualTo("ThrottlingException");
      assertThat(attempt.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(400L);
      assertThat(attempt.get(AttributeKey.longKey("shunt.attempt.backoff_ms"))).isGreaterThanOrEqualTo(i == 0 ? 0 : 29);
    }
  }
}
