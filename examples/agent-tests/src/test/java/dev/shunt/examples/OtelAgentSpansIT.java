package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Shunt beside the OpenTelemetry Java agent, for real: example applications run in their own JVM
 * with {@code -javaagent:opentelemetry-javaagent.jar} (exporting with its logging-otlp exporter, one
 * JSON batch per line on stderr) and {@code -javaagent:shunt-agent.jar}. The OTel agent makes a
 * CLIENT span per AWS SDK call; Shunt must not add a second one, and must enrich that one with its
 * attributes and attempt events, whether or not the application has OpenTelemetry's API itself.
 */
class OtelAgentSpansIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> SERVICES = Set.of("Kms", "SecretsManager", "Ssm");
  private static final String AGENT_SCOPE = "io.opentelemetry.aws-sdk-2.2";
  private static final String SHUNT_SCOPE = "dev.shunt.interceptors";

  /** One exported span, as the OTLP JSON tells it. */
  record Exported(String scope, String name, int kind, String traceId, String spanId, String parentSpanId,
      Map<String, JsonNode> attributes, List<Map<String, JsonNode>> events) {
    String string(String key) {
      JsonNode value = attributes.get(key);
      return value == null ? null : value.path("stringValue").asText(null);
    }

    List<String> strings(String key) {
      List<String> values = new ArrayList<>();
      JsonNode value = attributes.get(key);
      if (value != null) {
        value.path("arrayValue").path("values").forEach(v -> values.add(v.path("stringValue").asText()));
      }
      return values;
    }

    boolean isAwsCall() {
      return kind == 3 && "aws-api".equals(string("rpc.system")) && SERVICES.contains(string("rpc.service"));
    }
  }

  static JavaProcess.Result run(Path java, String... arguments) throws Exception {
    return new JavaProcess(java)
        .args("-javaagent:" + JavaProcess.OTEL_AGENT.toAbsolutePath(), "-Dotel.traces.exporter=logging-otlp",
            "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none",
            "-javaagent:" + JavaProcess.AGENT.toAbsolutePath())
        .args(arguments)
        .run(180);
  }

  /** Every span the logging-otlp exporter printed. */
  static List<Exported> spans(JavaProcess.Result result) throws Exception {
    List<Exported> spans = new ArrayList<>();
    for (String line : result.stderr().lines().toList()) {
      int start = line.indexOf("{\"resource\"");
      if (start < 0) {
        continue;
      }
      for (JsonNode scopeSpans : JSON.readTree(line.substring(start)).path("scopeSpans")) {
        String scope = scopeSpans.path("scope").path("name").asText();
        for (JsonNode span : scopeSpans.path("spans")) {
          spans.add(new Exported(scope, span.path("name").asText(), span.path("kind").asInt(),
              span.path("traceId").asText(), span.path("spanId").asText(), span.path("parentSpanId").asText(""),
              keyValues(span.path("attributes")), events(span.path("events"))));
        }
      }
    }
    return spans;
  }

  private static Map<String, JsonNode> keyValues(JsonNode attributes) {
    Map<String, JsonNode> map = new LinkedHashMap<>();
    attributes.forEach(attribute -> map.put(attribute.path("key").asText(), attribute.path("value")));
    return map;
  }

  private static List<Map<String, JsonNode>> events(JsonNode events) {
    List<Map<String, JsonNode>> list = new ArrayList<>();
    events.forEach(event -> {
      Map<String, JsonNode> map = keyValues(event.path("attributes"));
      map.put("@name", event.path("name"));
      list.add(map);
    });
    return list;
  }

  static List<Exported> awsCalls(List<Exported> spans) {
    return spans.stream().filter(Exported::isAwsCall).toList();
  }

  /** The application ran, both agents said so, and nothing of Shunt's failed. */
  static void ran(JavaProcess.Result result) {
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stderr()).as(result.describe())
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:")
        .contains("opentelemetry-javaagent")
        .doesNotContain("agent disabled").doesNotContain("could not").doesNotContain("are not enriched");
  }

  /** The OTel agent's span of each call carries Shunt's attributes and one attempt event. */
  static void enriched(Exported call) {
    assertThat(call.scope()).as(call.name()).isEqualTo(AGENT_SCOPE);
    assertThat(call.string("shunt.decision")).as(call.name()).isEqualTo("allowed");
    // [backend headers] the caller, as the backend resolved it
    assertThat(call.string("shunt.principal.arn")).as(call.name()).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(call.events()).as(call.name()).singleElement().satisfies(event -> {
      assertThat(event.get("@name").asText()).isEqualTo("attempt");
      assertThat(event.get("shunt.attempt.outcome").path("stringValue").asText()).isEqualTo("ok");
      assertThat(event.get("shunt.attempt.number").path("intValue").asText()).isEqualTo("1");
    });
  }

  /** The backend's SERVER span of each call is its child: Shunt sent the call span's traceparent. */
  static void theBackendsSpanIsUnder(Exported call, List<Exported> spans) {
    assertThat(spans).as("the backend's span under " + call.name())
        .anyMatch(server -> server.kind() == 2 && server.parentSpanId().equals(call.spanId())
            && server.traceId().equals(call.traceId()));
  }

  private static void sdkBasicsCallsAreTheAgentsSpansEnriched(JavaProcess.Result result) throws Exception {
    ran(result);
    List<Exported> spans = spans(result);
    List<Exported> calls = awsCalls(spans);
    assertThat(calls).as("one CLIENT span per call\n" + result.stderr()).extracting(Exported::name).containsExactly(
        "Kms.CreateKey", "Kms.GenerateDataKey", "Kms.Decrypt", "SecretsManager.CreateSecret",
        "SecretsManager.GetSecretValue", "Ssm.PutParameter", "Ssm.GetParameter");
    assertThat(spans).as("no span of Shunt's own").noneMatch(span -> span.scope().equals(SHUNT_SCOPE));
    for (Exported call : calls) {
      enriched(call);
      theBackendsSpanIsUnder(call, spans);
    }
    Map<String, Exported> byName = new LinkedHashMap<>();
    calls.forEach(call -> byName.put(call.name(), call));
    String keyArn = byName.get("Kms.CreateKey").string("aws.kms.key_id");
    // [backend headers] CreateKey's answer names its key only inside KeyMetadata; the header names it.
    assertThat(keyArn).startsWith("arn:aws:kms:us-east-1:000000000000:key/");
    for (String name : new String[] {"Kms.GenerateDataKey", "Kms.Decrypt"}) {
      assertThat(byName.get(name).string("aws.kms.key_id")).as(name).isEqualTo(keyArn);
      assertThat(byName.get(name).strings("aws.kms.encryption_context.keys")).as(name).containsExactly("purpose");
    }
    assertThat(byName.get("Kms.Decrypt").string("aws.kms.encryption_algorithm")).isEqualTo("SYMMETRIC_DEFAULT");
    assertThat(byName.get("SecretsManager.GetSecretValue").string("aws.secretsmanager.secret.arn"))
        .startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:orders/db-");
    assertThat(byName.get("Ssm.GetParameter").string("aws.ssm.parameter.name")).isEqualTo("/orders/batch-size");
    assertThat(result.stderr()).as("no secret value in any span").doesNotContain("\\\"password\\\":\\\"pw\\\"")
        .doesNotContain("order 42: 3 widgets");
  }

  /** An application without OpenTelemetry's API: Shunt's agent gives it the API, which the OTel agent bridges. */
  @Test
  void anApplicationWithoutTheApiHasOneEnrichedClientSpanPerCall() throws Exception {
    sdkBasicsCallsAreTheAgentsSpansEnriched(run(JavaProcess.JAVA_17, "-jar",
        JavaProcess.example("sdk-basics").toString()));
  }

  @Test
  void onJava25Too() throws Exception {
    sdkBasicsCallsAreTheAgentsSpansEnriched(run(JavaProcess.java25(), "-jar",
        JavaProcess.example("sdk-basics").toString()));
  }

  /** An application with its own API and spans: the calls under its span are the OTel agent's, enriched. */
  @Test
  void anApplicationWithItsOwnApiHasItsCallsEnrichedUnderItsSpan() throws Exception {
    JavaProcess.Result result = run(JavaProcess.JAVA_17, "-jar", JavaProcess.example("otel-tracing").toString());
    ran(result);
    List<Exported> spans = spans(result);
    Exported checkout = spans.stream().filter(span -> span.name().equals("checkout")).findFirst().orElseThrow();
    List<Exported> calls = awsCalls(spans);
    assertThat(calls).extracting(Exported::name).containsExactly("Kms.CreateKey", "Kms.CreateAlias",
        "SecretsManager.CreateSecret", "Ssm.PutParameter", "Kms.GenerateDataKey", "SecretsManager.GetSecretValue",
        "Ssm.GetParameter");
    assertThat(spans).noneMatch(span -> span.scope().equals(SHUNT_SCOPE));
    for (Exported call : calls) {
      enriched(call);
      theBackendsSpanIsUnder(call, spans);
    }
    assertThat(calls.subList(4, 7)).allSatisfy(call -> assertThat(call.parentSpanId()).isEqualTo(checkout.spanId()));
    assertThat(calls.get(4).strings("aws.kms.encryption_context.keys")).containsExactly("order");
  }

  /**
   * SDK 2.20, every HTTP client of the routing probe: the sync calls are the OTel agent's spans,
   * enriched. The async client's call is the agent's span alone: it is never current where Shunt's
   * interceptor runs, so Shunt can neither reach it nor, knowing it is there, add one of its own.
   */
  @Test
  void onSdk220TheSyncCallsAreEnrichedAndTheAsyncCallIsNotDuplicated() throws Exception {
    JavaProcess.Result result = run(JavaProcess.JAVA_17, "-jar",
        JavaProcess.example("routing-probe-sdk2.20").toString());
    ran(result);
    assertThat(result.stdout()).as(result.describe()).contains("PROBE done").noneMatch(line -> line.contains(" fail "));
    List<Exported> spans = spans(result);
    List<Exported> calls = awsCalls(spans);
    // 3 sync KMS clients x (CreateKey, Encrypt, Decrypt), 1 async CreateKey, 3 Secrets Manager, 3 SSM calls.
    assertThat(calls).as(result.stderr()).hasSize(16);
    assertThat(spans).noneMatch(span -> span.scope().equals(SHUNT_SCOPE));
    List<Exported> notEnriched = calls.stream().filter(call -> call.string("shunt.decision") == null).toList();
    assertThat(notEnriched).extracting(Exported::name).as("the async call").containsExactly("Kms.CreateKey");
    for (Exported call : calls) {
      if (!notEnriched.contains(call)) {
        enriched(call);
        theBackendsSpanIsUnder(call, spans);
      }
    }
  }

  /** With the OTel agent's AWS SDK instrumentation off, Shunt's own CLIENT spans are the calls' spans (one each). */
  @Test
  void withTheAgentsAwsSdkInstrumentationOffShuntsOwnSpansAreExported() throws Exception {
    JavaProcess.Result result = run(JavaProcess.JAVA_17, "-Dotel.instrumentation.aws-sdk.enabled=false", "-jar",
        JavaProcess.example("routing-probe-sdk2.20").toString());
    ran(result);
    List<Exported> spans = spans(result);
    assertThat(spans).noneMatch(span -> span.scope().equals(AGENT_SCOPE));
    List<Exported> calls = spans.stream().filter(span -> span.scope().equals(SHUNT_SCOPE)).toList();
    assertThat(calls).as(result.stderr()).hasSize(16).allSatisfy(call -> {
      assertThat(call.kind()).isEqualTo(3);
      assertThat(call.string("rpc.system")).isEqualTo("aws-api");
      assertThat(call.string("shunt.decision")).isEqualTo("allowed");
      assertThat(call.events()).hasSize(1);
    });
    assertThat(calls).extracting(Exported::name).contains("KMS.CreateKey", "KMS.Encrypt", "KMS.Decrypt",
        "SecretsManager.CreateSecret", "SecretsManager.GetSecretValue", "SSM.PutParameter", "SSM.GetParameter");
  }
}
