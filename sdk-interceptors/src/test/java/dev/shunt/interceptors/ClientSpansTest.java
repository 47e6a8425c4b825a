package dev.shunt.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KmsException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Shunt's CLIENT spans, exported by an in-memory OpenTelemetry SDK registered as the global one:
 * real KMS, Secrets Manager and SSM clients against a local server that answers in AWS's JSON with
 * the backend's {@code x-shunt-*} headers (or without them), throttles, denies, and keeps the
 * {@code traceparent} each request carried.
 */
class ClientSpansTest {
  static final String KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  static final String PRINCIPAL = "arn:aws:iam::111122223333:user/app";
  static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:orders/db-AbCdEf";
  static final Duration BACKOFF = Duration.ofMillis(60);
  // What must never be in a span.
  static final String PLAINTEXT = "plain-attack-at-dawn";
  static final String DATA_KEY = "datakey-0123456789abcdef0123456789";
  static final String CIPHERTEXT = "ciphertext-blob-opaque";
  static final String SECRET_VALUE = "s3cr3t-hunter2-password";
  static final String PARAMETER_VALUE = "param-value-batch-size-4242";
  static final String CONTEXT_VALUE = "context-value-tenant-77";

  private static StubAws aws;
  private static URI endpoint;
  /** Scripted answers, in order; when empty, each target's normal answer. */
  private static final ConcurrentLinkedQueue<String> SCRIPT = new ConcurrentLinkedQueue<>();
  /** Whether answers carry the backend's x-shunt-* headers. */
  private static volatile boolean shuntHeaders = true;
  /** The traceparent header of each request, in order. */
  private static final List<String> TRACEPARENTS = new CopyOnWriteArrayList<>();

  private InMemorySpanExporter exporter;
  private OpenTelemetrySdk sdk;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @BeforeAll
  static void startServer() throws IOException {
    aws = StubAws.start(ClientSpansTest::answer);
    endpoint = aws.endpoint;
    System.setProperty("shunt.log-retries", "false");
  }

  @AfterAll
  static void stopServer() {
    System.clearProperty("shunt.log-retries");
    aws.close();
  }

  @BeforeEach
  void openTelemetry() {
    GlobalOpenTelemetry.resetForTest();
    exporter = InMemorySpanExporter.create();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
        .buildAndRegisterGlobal();
    SCRIPT.clear();
    TRACEPARENTS.clear();
    shuntHeaders = true;
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    sdk.close();
    GlobalOpenTelemetry.resetForTest();
  }

  // ---- the server ------------------------------------------------------------------------------

  private static void answer(HttpExchange exchange) throws IOException {
    exchange.getRequestBody().readAllBytes();
    if (exchange.getRequestURI().getPath().startsWith("/_shunt/")) {
      StubAws.send(exchange, 200, "{}");
      return;
    }
    TRACEPARENTS.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
    String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
    exchange.getResponseHeaders().add("x-amzn-RequestId", "req-" + TRACEPARENTS.size());
    String next = SCRIPT.poll();
    if ("throttle".equals(next)) {
      if (shuntHeaders) {
        exchange.getResponseHeaders().add("x-shunt-decision", "throttled");
        exchange.getResponseHeaders().add("x-shunt-principal-arn", PRINCIPAL);
      }
      StubAws.throttle(exchange);
      return;
    }
    if ("deny".equals(next)) {
      if (shuntHeaders) {
        exchange.getResponseHeaders().add("x-shunt-decision", "denied");
        exchange.getResponseHeaders().add("x-shunt-principal-arn", PRINCIPAL);
        exchange.getResponseHeaders().add("x-shunt-key-arn", KEY_ARN);
      }
      StubAws.error(exchange, 400, "AccessDeniedException", "User: " + PRINCIPAL + " is not authorized");
      return;
    }
    String operation = target.substring(target.indexOf('.') + 1);
    if (shuntHeaders) {
      exchange.getResponseHeaders().add("x-shunt-decision", "allowed");
      exchange.getResponseHeaders().add("x-shunt-principal-arn", PRINCIPAL);
      if (target.startsWith("TrentService.")) {
        exchange.getResponseHeaders().add("x-shunt-key-arn", KEY_ARN);
        exchange.getResponseHeaders().add("x-shunt-key-spec", "SYMMETRIC_DEFAULT");
        exchange.getResponseHeaders().add("x-shunt-encryption-algorithm", "SYMMETRIC_DEFAULT");
        exchange.getResponseHeaders().add("x-shunt-encryption-context-keys", "purpose,tenant%2Cid");
        exchange.getResponseHeaders().add("x-shunt-cache", "hit");
      } else if (target.startsWith("secretsmanager.")) {
        exchange.getResponseHeaders().add("x-shunt-secret-arn", SECRET_ARN);
      } else if (target.startsWith("AmazonSSM.")) {
        exchange.getResponseHeaders().add("x-shunt-parameter-name", "/orders/batch-size");
        exchange.getResponseHeaders().add("x-shunt-key-arn", KEY_ARN);
      }
    }
    String body = switch (operation) {
      case "Decrypt" -> "{\"KeyId\":\"" + KEY_ARN + "\",\"Plaintext\":\"" + b64(PLAINTEXT)
          + "\",\"EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}";
      case "Encrypt" -> "{\"KeyId\":\"" + KEY_ARN + "\",\"CiphertextBlob\":\"" + b64(CIPHERTEXT)
          + "\",\"EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}";
      case "GenerateDataKey" -> "{\"KeyId\":\"" + KEY_ARN + "\",\"Plaintext\":\"" + b64(DATA_KEY)
          + "\",\"CiphertextBlob\":\"" + b64(CIPHERTEXT) + "\"}";
      case "GenerateRandom" -> "{\"Plaintext\":\"" + b64(DATA_KEY) + "\"}";
      case "GetSecretValue" -> "{\"ARN\":\"" + SECRET_ARN + "\",\"Name\":\"orders/db\",\"SecretString\":\""
          + SECRET_VALUE + "\",\"VersionId\":\"v1\",\"VersionStages\":[\"AWSCURRENT\"]}";
      case "PutParameter" -> "{\"Version\":1,\"Tier\":\"Standard\"}";
      case "GetParameter" -> "{\"Parameter\":{\"Name\":\"/orders/batch-size\",\"Type\":\"SecureString\",\"Value\":\""
          + PARAMETER_VALUE + "\",\"Version\":1,\"ARN\":\"arn:aws:ssm:us-east-1:111122223333:parameter/orders/batch-size\"}}";
      default -> "{}";
    };
    StubAws.send(exchange, 200, body);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  // ---- clients ---------------------------------------------------------------------------------

  private static final StaticCredentialsProvider CREDENTIALS = StubAws.CREDENTIALS;

  private KmsClient kms(ExecutionInterceptor... extra) {
    KmsClient kms = StubAws.kms(BACKOFF, extra).build();
    clients.add(kms);
    return kms;
  }

  private SecretsManagerClient secrets() {
    SecretsManagerClient client = SecretsManagerClient.builder().region(Region.US_EAST_1)
        .credentialsProvider(CREDENTIALS).httpClient(UrlConnectionHttpClient.create()).build();
    clients.add(client);
    return client;
  }

  private SsmClient ssm() {
    SsmClient client = SsmClient.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.create()).build();
    clients.add(client);
    return client;
  }

  private List<SpanData> shuntSpans() {
    return exporter.getFinishedSpanItems().stream()
        .filter(span -> span.getInstrumentationScopeInfo().getName().equals(OtelSpans.INSTRUMENTATION_NAME))
        .toList();
  }

  private static String traceparent(SpanData span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
  }

  // ---- the tests -------------------------------------------------------------------------------

  @Test
  void aDecryptIsOneClientSpanUnderTheApplicationsSpanWithTheConventionsAttributesAndShuntsFacts() {
    KmsClient kms = kms();
    Tracer app = GlobalOpenTelemetry.getTracer("app");
    Span parent = app.spanBuilder("handle-order").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromUtf8String(CIPHERTEXT))
          .encryptionContext(Map.of("purpose", CONTEXT_VALUE)));
    } finally {
      parent.end();
    }

    SpanData span = shuntSpans().stream().filter(s -> s.getName().equals("KMS.Decrypt")).findFirst().orElseThrow();
    assertThat(shuntSpans()).hasSize(1);
    assertThat(span.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(span.getParentSpanContext()).isEqualTo(parent.getSpanContext());
    assertThat(span.getInstrumentationScopeInfo().getVersion()).isNotBlank();
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    Attributes attributes = span.getAttributes();
    assertThat(attributes.get(AttributeKey.stringKey("rpc.system"))).isEqualTo("aws-api");
    assertThat(attributes.get(AttributeKey.stringKey("rpc.service"))).isEqualTo("Kms");
    assertThat(attributes.get(AttributeKey.stringKey("rpc.method"))).isEqualTo("Decrypt");
    assertThat(attributes.get(AttributeKey.stringKey("shunt.cache"))).isEqualTo("hit");
    assertThat(attributes.get(AttributeKey.stringKey("aws.request_id"))).isEqualTo("req-1");
    assertThat(attributes.get(AttributeKey.stringKey("cloud.region"))).isEqualTo("us-east-1");
    assertThat(attributes.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
    assertThat(attributes.get(AttributeKey.stringKey("http.request.method"))).isEqualTo("POST");
    assertThat(attributes.get(AttributeKey.stringKey("server.address"))).isEqualTo("127.0.0.1");
    assertThat(attributes.get(AttributeKey.longKey("server.port"))).isEqualTo((long) endpoint.getPort());
    assertThat(attributes.get(AttributeKey.stringKey("error.type"))).isNull();
    assertThat(attributes.get(AttributeKey.stringKey("aws.kms.key_id"))).isEqualTo(KEY_ARN);
    assertThat(attributes.get(AttributeKey.stringKey("aws.kms.key_spec"))).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(attributes.get(AttributeKey.stringKey("aws.kms.encryption_algorithm"))).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(attributes.get(AttributeKey.stringArrayKey("aws.kms.encryption_context.keys")))
        .as("the keys the backend named, decoded").containsExactly("purpose", "tenant,id");
    assertThat(attributes.get(AttributeKey.stringKey("shunt.principal.arn"))).isEqualTo(PRINCIPAL);
    assertThat(attributes.get(AttributeKey.stringKey("shunt.decision"))).isEqualTo("allowed");

    assertThat(span.getEvents()).singleElement().satisfies(event -> {
      assertThat(event.getName()).isEqualTo("attempt");
      assertThat(event.getAttributes().get(AttributeKey.longKey("shunt.attempt.number"))).isEqualTo(1L);
      assertThat(event.getAttributes().get(AttributeKey.stringKey("shunt.attempt.outcome"))).isEqualTo("ok");
      assertThat(event.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
      assertThat(event.getAttributes().get(AttributeKey.longKey("shunt.attempt.backoff_ms"))).isZero();
      assertThat(event.getAttributes().get(AttributeKey.longKey("shunt.attempt.duration_ms"))).isNotNegative();
      assertThat(event.getAttributes().get(AttributeKey.stringKey("error.type"))).isNull();
      assertThat(event.getEpochNanos()).isBetween(span.getStartEpochNanos(), span.getEndEpochNanos());
    });
    assertThat(TRACEPARENTS).containsExactly(traceparent(span));
  }

  @Test
  void aThrottledFirstAttemptAndTheBackoffBeforeTheSecondAreEvents() {
    SCRIPT.addAll(List.of("throttle", "ok"));
    kms().generateRandom(r -> r.numberOfBytes(16));

    SpanData span = shuntSpans().get(0);
    assertThat(span.getName()).isEqualTo("KMS.GenerateRandom");
    assertThat(span.getParentSpanContext().isValid()).as("no application span: a root").isFalse();
    List<EventData> events = span.getEvents();
    assertThat(events).hasSize(2);
    Attributes first = events.get(0).getAttributes();
    assertThat(first.get(AttributeKey.longKey("shunt.attempt.number"))).isEqualTo(1L);
    assertThat(first.get(AttributeKey.stringKey("shunt.attempt.outcome"))).isEqualTo("throttled");
    assertThat(first.get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(400L);
    assertThat(first.get(AttributeKey.stringKey("error.type"))).isEqualTo("ThrottlingException");
    assertThat(first.get(AttributeKey.longKey("shunt.attempt.backoff_ms"))).isZero();
    Attributes second = events.get(1).getAttributes();
    assertThat(second.get(AttributeKey.longKey("shunt.attempt.number"))).isEqualTo(2L);
    assertThat(second.get(AttributeKey.stringKey("shunt.attempt.outcome"))).isEqualTo("ok");
    assertThat(second.get(AttributeKey.longKey("shunt.attempt.backoff_ms")))
        .as("the backoff the SDK slept").isGreaterThanOrEqualTo(BACKOFF.toMillis() - 1);
    assertThat(events.get(1).getEpochNanos() - events.get(0).getEpochNanos())
        .isGreaterThanOrEqualTo(BACKOFF.toNanos() - 1_000_000);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("shunt.decision"))).as("the last answer's").isEqualTo("allowed");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("aws.request_id"))).isEqualTo("req-2");
    assertThat(TRACEPARENTS).as("every attempt carries the call span's context")
        .containsExactly(traceparent(span), traceparent(span));
  }

  @Test
  void aDeniedCallIsAnErrorSpan() {
    SCRIPT.add("deny");
    KmsClient kms = kms();
    assertThatThrownBy(() -> kms.encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String(PLAINTEXT))))
        .isInstanceOf(KmsException.class);
    SpanData span = shuntSpans().get(0);
    assertThat(span.getName()).isEqualTo("KMS.Encrypt");
    assertThat(span.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("AccessDeniedException");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("shunt.decision"))).isEqualTo("denied");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("aws.kms.key_id"))).isEqualTo(KEY_ARN);
    assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(400L);
    assertThat(span.getEvents()).singleElement().satisfies(event -> assertThat(event.getAttributes()
        .get(AttributeKey.stringKey("shunt.attempt.outcome"))).isEqualTo("client_error"));
  }

  @Test
  void withoutTheBackendsHeadersTheClientTellsWhatItKnows() {
    shuntHeaders = false;
    SCRIPT.add("deny");
    KmsClient kms = kms();
    assertThatThrownBy(() -> kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromUtf8String(CIPHERTEXT))))
        .isInstanceOf(KmsException.class);
    SCRIPT.addAll(List.of("throttle", "throttle", "throttle"));
    assertThatThrownBy(() -> kms.generateRandom(r -> r.numberOfBytes(8))).isInstanceOf(KmsException.class);
    kms.generateDataKey(r -> r.keyId("alias/orders").keySpec(DataKeySpec.AES_256)
        .encryptionContext(Map.of("tenant", CONTEXT_VALUE, "purpose", CONTEXT_VALUE)));
    ssm().getParameter(r -> r.name("/orders/batch-size").withDecryption(true));
    secrets().getSecretValue(r -> r.secretId("orders/db"));

    List<SpanData> spans = shuntSpans();
    assertThat(spans).extracting(SpanData::getName).containsExactly("KMS.Decrypt", "KMS.GenerateRandom",
        "KMS.GenerateDataKey", "SSM.GetParameter", "SecretsManager.GetSecretValue");
    Attributes denied = spans.get(0).getAttributes();
    assertThat(denied.get(AttributeKey.stringKey("shunt.decision"))).isEqualTo("denied");
    assertThat(denied.get(AttributeKey.stringKey("shunt.principal.arn"))).isNull();
    Attributes gaveUp = spans.get(1).getAttributes();
    assertThat(gaveUp.get(AttributeKey.stringKey("shunt.decision"))).isEqualTo("throttled");
    assertThat(gaveUp.get(AttributeKey.stringKey("error.type"))).isEqualTo("ThrottlingException");
    assertThat(spans.get(1).getEvents()).hasSize(3);
    Attributes dataKey = spans.get(2).getAttributes();
    assertThat(dataKey.get(AttributeKey.stringKey("shunt.decision"))).isEqualTo("allowed");
    assertThat(dataKey.get(AttributeKey.stringKey("aws.kms.key_id"))).as("the response's KeyId").isEqualTo(KEY_ARN);
    assertThat(dataKey.get(AttributeKey.stringArrayKey("aws.kms.encryption_context.keys")))
        .as("the request's keys, sorted").containsExactly("purpose", "tenant");
    assertThat(spans.get(3).getAttributes().get(AttributeKey.stringKey("aws.ssm.parameter.name")))
        .as("the request's Name").isEqualTo("/orders/batch-size");
    assertThat(spans.get(3).getAttributes().get(AttributeKey.stringKey("rpc.service"))).isEqualTo("Ssm");
    assertThat(spans.get(4).getAttributes().get(AttributeKey.stringKey("aws.secretsmanager.secret.arn")))
        .as("the response's ARN").isEqualTo(SECRET_ARN);
    assertThat(spans.get(4).getAttributes().get(AttributeKey.stringKey("rpc.service"))).isEqualTo("SecretsManager");
  }

  @Test
  void noPlaintextDataKeySecretParameterValueOrContextValueIsEverInASpan() {
    KmsClient kms = kms();
    kms.encrypt(r -> r.keyId("alias/orders").plaintext(SdkBytes.fromUtf8String(PLAINTEXT))
        .encryptionContext(Map.of("tenant", CONTEXT_VALUE)));
    kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromUtf8String(CIPHERTEXT)).encryptionContext(Map.of("tenant", CONTEXT_VALUE)));
    kms.generateDataKey(r -> r.keyId("alias/orders").keySpec(DataKeySpec.AES_256)
        .encryptionContext(Map.of("tenant", CONTEXT_VALUE)));
    secrets().createSecret(r -> r.name("orders/db").secretString(SECRET_VALUE));
    secrets().getSecretValue(r -> r.secretId("orders/db"));
    ssm().putParameter(r -> r.name("/orders/batch-size").value(PARAMETER_VALUE).type(ParameterType.SECURE_STRING));
    ssm().getParameter(r -> r.name("/orders/batch-size").withDecryption(true));
    shuntHeaders = false;
    kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromUtf8String(CIPHERTEXT)).encryptionContext(Map.of("tenant", CONTEXT_VALUE)));
    ssm().getParameter(r -> r.name("/orders/batch-size").withDecryption(true));

    List<SpanData> spans = shuntSpans();
    assertThat(spans).hasSize(9);
    StringBuilder everything = new StringBuilder();
    for (SpanData span : spans) {
      everything.append(span.getName()).append('\n');
      span.getAttributes().forEach((key, value) -> everything.append(key.getKey()).append('=').append(value).append('\n'));
      for (EventData event : span.getEvents()) {
        everything.append(event.getName()).append('\n');
        event.getAttributes().forEach((key, value) -> everything.append(key.getKey()).append('=').append(value).append('\n'));
      }
    }
    String recorded = everything.toString();
    assertThat(recorded).contains("tenant").contains(KEY_ARN);
    for (String secret : new String[] {PLAINTEXT, DATA_KEY, CIPHERTEXT, SECRET_VALUE, PARAMETER_VALUE, CONTEXT_VALUE}) {
      assertThat(recorded).doesNotContain(secret).doesNotContain(b64(secret));
    }
  }

  @Test
  void anAsyncClientsCallIsASpanToo() {
    SCRIPT.addAll(List.of("throttle", "ok"));
    Tracer app = GlobalOpenTelemetry.getTracer("app");
    Span parent = app.spanBuilder("async-work").startSpan();
    try (KmsAsyncClient async = StubAws.kmsAsync(BACKOFF).build(); Scope ignored = parent.makeCurrent()) {
      async.generateRandom(r -> r.numberOfBytes(3)).join();
    } finally {
      parent.end();
    }
    SpanData span = shuntSpans().get(0);
    assertThat(span.getName()).isEqualTo("KMS.GenerateRandom");
    assertThat(span.getParentSpanContext()).isEqualTo(parent.getSpanContext());
    assertThat(span.getEvents()).hasSize(2);
    assertThat(TRACEPARENTS).containsOnly(traceparent(span));
  }

  /** Another instrumentation made its span current for the call (as OpenTelemetry's agent does): Shunt enriches it. */
  @Test
  void aSpanAnotherInstrumentationMadeCurrentIsEnrichedInsteadOfDuplicated() {
    Tracer other = GlobalOpenTelemetry.getTracer("other-aws-instrumentation");
    List<Span> theirs = new CopyOnWriteArrayList<>();
    ExecutionInterceptor likeTheAgent = new ExecutionInterceptor() {
      private final ThreadLocal<Scope> scope = new ThreadLocal<>();

      @Override
      public void afterMarshalling(Context.AfterMarshalling context, ExecutionAttributes attributes) {
        Span span = other.spanBuilder("Kms.Decrypt").setSpanKind(SpanKind.CLIENT).startSpan();
        theirs.add(span);
        scope.set(span.makeCurrent());
      }

      @Override
      public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        scope.get().close();
        theirs.get(0).end();
      }
    };
    kms(likeTheAgent).decrypt(r -> r.ciphertextBlob(SdkBytes.fromUtf8String(CIPHERTEXT)));

    assertThat(shuntSpans()).as("no span of Shunt's own").isEmpty();
    SpanData span = exporter.getFinishedSpanItems().get(0);
    assertThat(span.getName()).isEqualTo("Kms.Decrypt");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("aws.kms.key_id"))).isEqualTo(KEY_ARN);
    assertThat(span.getAttributes().get(AttributeKey.stringKey("shunt.decision"))).isEqualTo("allowed");
    assertThat(span.getAttributes().get(AttributeKey.stringKey("shunt.principal.arn"))).isEqualTo(PRINCIPAL);
    assertThat(span.getEvents()).extracting(EventData::getName).containsExactly("attempt");
    assertThat(TRACEPARENTS).containsExactly(traceparent(span));
  }

  @Test
  void aSyncCallsSpanIsCurrentWhileItsRequestsAreSentAndNoLongerAfter() {
    List<String> currentWhileSending = new CopyOnWriteArrayList<>();
    ExecutionInterceptor observer = new ExecutionInterceptor() {
      @Override
      public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        currentWhileSending.add(Span.current().getSpanContext().getSpanId());
      }
    };
    Span parent = GlobalOpenTelemetry.getTracer("app").spanBuilder("work").startSpan();
    try (Scope ignored = parent.makeCurrent()) {
      SCRIPT.addAll(List.of("throttle", "ok"));
      kms(observer).generateRandom(r -> r.numberOfBytes(3));
      assertThat(Span.current()).as("the application's span again").isEqualTo(parent);
    } finally {
      parent.end();
    }
    SpanData span = shuntSpans().get(0);
    assertThat(currentWhileSending).containsExactly(span.getSpanId(), span.getSpanId());
  }

  @Test
  void anUnsampledCallRecordsNothingButPropagatesItsContext() {
    sdk.close();
    GlobalOpenTelemetry.resetForTest();
    sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .setSampler(Sampler.alwaysOff()).addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .buildAndRegisterGlobal();
    kms().generateRandom(r -> r.numberOfBytes(3));
    assertThat(exporter.getFinishedSpanItems()).isEmpty();
    assertThat(TRACEPARENTS).singleElement().asString().matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]");
  }

  /**
   * Before the application sets its global OpenTelemetry, calls make no span and leave the global
   * alone: the application can still set it afterwards (a {@code GlobalOpenTelemetry.get()} would have
   * frozen it to a no-op).
   */
  @Test
  void callsBeforeTheApplicationSetsOpenTelemetryMakeNoSpanAndLeaveItSettable() {
    sdk.close();
    GlobalOpenTelemetry.resetForTest();
    kms().generateRandom(r -> r.numberOfBytes(3));
    assertThat(TRACEPARENTS).containsExactly("null");
    exporter = InMemorySpanExporter.create();
    sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
        .buildAndRegisterGlobal();
    kms().generateRandom(r -> r.numberOfBytes(3));
    assertThat(shuntSpans()).extracting(SpanData::getName).containsExactly("KMS.GenerateRandom");
  }

  @Test
  void percentEncodedHeaderValuesAreDecoded() {
    assertThat(OtelSpans.commaSeparated("a,b%2Cc, d ,,%C3%A9t%C3%A9")).containsExactly("a", "b,c", "d", "été");
    assertThat(OtelSpans.percentDecoded("100%")).isEqualTo("100%");
    assertThat(OtelSpans.percentDecoded("/a%2Fb")).isEqualTo("/a/b");
  }
}
