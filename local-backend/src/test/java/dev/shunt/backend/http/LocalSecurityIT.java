package dev.shunt.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * Shunt on a developer's laptop, attacked as a web page in their browser would attack it (simple
 * cross-site requests, preflights, DNS rebinding) and as another local user would (the admin API
 * of a backend that checks signatures). Raw HTTP over a socket: the point is the exact headers.
 */
class LocalSecurityIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AMZ_JSON = "application/x-amz-json-1.1";
  private static final String TOKEN = "local-security-it-admin-token";

  /** Trust mode on loopback: what a developer runs. */
  private static BackendFixture trusting;
  /** Signatures checked, with a configured admin token. */
  private static BackendFixture checking;
  /** Signatures checked, no token configured: one is generated. */
  private static BackendFixture generated;

  @BeforeAll
  static void start() {
    trusting = BackendFixture.start(ShuntBackend.builder().option("allowed-hosts", "shunt.test,Dev.Example"));
    checking = BackendFixture.start(ShuntBackend.builder().option("auth", "sigv4")
        .option("credentials", "AKIDTEST:" + BackendFixture.SECRET).option("admin-token", TOKEN));
    generated = BackendFixture.start(ShuntBackend.builder().option("auth", "sigv4"));
  }

  @AfterAll
  static void stop() {
    for (BackendFixture backend : new BackendFixture[] {trusting, checking, generated}) {
      if (backend != null) {
        backend.close();
      }
    }
  }

  // ---- a web page in the developer's browser -------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""})
  void anAdminChangeAPageCouldSendWithoutAPreflightIsRefused(String contentType) throws Exception {
    String keyId = createKey(trusting);
    Map<String, String> headers = new LinkedHashMap<>();
    if (!contentType.isEmpty()) {
      headers.put("Content-Type", contentType);
    }
    Answer reset = send(trusting, "POST", "/_shunt/reset", headers, "{}");
    assertThat(reset.status).isEqualTo(415);
    assertThat(reset.json().path("__type").asText()).isEqualTo("UnsupportedMediaTypeException");
    assertThat(describeKeyStatus(trusting, keyId)).as("the key survives").isEqualTo(200);

    Answer faults = send(trusting, "POST", "/_shunt/faults", headers, "[{\"error\":\"InternalFailure\"}]");
    assertThat(faults.status).isEqualTo(415);
    assertThat(send(trusting, "GET", "/_shunt/faults", Map.of(), "").body).isEqualTo("[]");
  }

  @Test
  void aScriptsJsonPostNeedsNoTokenOnLoopbackInTrustMode() throws Exception {
    String keyId = createKey(trusting);
    Answer reset = send(trusting, "POST", "/_shunt/reset", Map.of("Content-Type", "application/json"), "");
    assertThat(reset.status).as(reset.body).isEqualTo(200);
    assertThat(describeKeyStatus(trusting, keyId)).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/_shunt/reset", "/_shunt/faults", "/"})
  void aCorsPreflightIsNeverGranted(String path) throws Exception {
    Answer preflight = send(trusting, "OPTIONS", path, Map.of("Origin", "https://evil.example",
        "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-amz-target"), "");
    assertThat(preflight.status).isEqualTo(403);
    assertThat(preflight.headers.keySet()).noneMatch(name -> name.startsWith("access-control-"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://evil.example", "null", "http://127.0.0.1:1", "http://localhost.evil.example"})
  void aRequestFromAnotherOriginIsRefused(String origin) throws Exception {
    String keyId = createKey(trusting);
    Answer reset = send(trusting, "POST", "/_shunt/reset",
        Map.of("Content-Type", "application/json", "Origin", origin), "");
    assertThat(reset.status).isEqualTo(403);
    assertThat(describeKeyStatus(trusting, keyId)).isEqualTo(200);
    Answer aws = send(trusting, "POST", "/", Map.of("Content-Type", AMZ_JSON, "X-Amz-Target", "TrentService.ListKeys",
        "Origin", origin), "{}");
    assertThat(aws.status).isEqualTo(403);
    assertThat(aws.json().path("__type").asText()).isEqualTo("AccessDeniedException");
    // The state export (key material in the clear when asked for) is no exception.
    Answer export = send(trusting, "GET", "/_shunt/export?plaintext=true", Map.of("Origin", origin), "");
    assertThat(export.status).isEqualTo(403);
    assertThat(export.body).doesNotContain(keyId);
  }

  @Test
  void thePagesOwnOriginIsAccepted() throws Exception {
    String origin = "http://127.0.0.1:" + trusting.uri().getPort();
    Answer answer = send(trusting, "GET", "/_shunt/clock", Map.of("Origin", origin), "");
    assertThat(answer.status).as(answer.body).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"attacker.example", "attacker.example:4566", "localhost.attacker.example", "127.0.0.1.nip.io",
      "shunt.test.evil.example", "", "a:b:c", "127.0.0.1:port"})
  void aHostNameThatIsNotThisMachineIsRefusedAgainstDnsRebinding(String host) throws Exception {
    String name = "rebinding-" + Math.abs(host.hashCode());
    try (SecretsManagerClient secrets = trusting.secrets()) {
      secrets.createSecret(r -> r.name(name).secretString("hunter2"));
    }
    Answer answer = send(trusting, "POST", "/", host, Map.of("Content-Type", AMZ_JSON,
        "X-Amz-Target", "secretsmanager.GetSecretValue"), "{\"SecretId\":\"" + name + "\"}");
    assertThat(answer.status).isIn(400, 403);
    assertThat(answer.body).doesNotContain("hunter2");
    assertThat(send(trusting, "GET", "/_shunt/audit", host, Map.of(), "").status).isIn(400, 403);
    Answer export = send(trusting, "GET", "/_shunt/export?plaintext=true", host, Map.of(), "");
    assertThat(export.status).isIn(400, 403);
    assertThat(export.body).doesNotContain("hunter2").doesNotContain(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "localhost", "LOCALHOST", "shunt.localhost", "[::1]", "10.1.2.3", "shunt.test",
      "dev.example"})
  void loopbackNamesAddressesAndConfiguredHostsAreServed(String host) throws Exception {
    Answer answer = send(trusting, "POST", "/", host + ":" + trusting.uri().getPort(),
        Map.of("Content-Type", AMZ_JSON, "X-Amz-Target", "TrentService.ListKeys"), "{}");
    assertThat(answer.status).as(answer.body).isEqualTo(200);
  }

  @Test
  void anHttp11RequestWithoutHostIsRefused() throws Exception {
    Answer answer = send(trusting, "POST", "/", null, Map.of("Content-Type", AMZ_JSON,
        "X-Amz-Target", "TrentService.ListKeys"), "{}");
    assertThat(answer.status).isEqualTo(400);
  }

  // ---- the AWS API: POST and its content type only --------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"GET", "HEAD", "PUT", "DELETE", "PATCH"})
  void onlyPostRunsAnOperation(String method) throws Exception {
    int before = keyCount(trusting);
    Answer answer = send(trusting, method, "/", Map.of("Content-Type", AMZ_JSON, "X-Amz-Target",
        "TrentService.CreateKey"), method.equals("GET") || method.equals("HEAD") ? "" : "{}");
    assertThat(answer.status).isEqualTo(400);
    assertThat(answer.headers.get("x-amzn-errortype")).isEqualTo("UnknownOperationException");
    assertThat(keyCount(trusting)).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "application/xml",
      "application/x-amz-json-1.2", "application/x-amz-json-1.11", ""})
  void anOperationNeedsAwsJsonContent(String contentType) throws Exception {
    int before = keyCount(trusting);
    Map<String, String> headers = new LinkedHashMap<>(Map.of("X-Amz-Target", "TrentService.CreateKey"));
    if (!contentType.isEmpty()) {
      headers.put("Content-Type", contentType);
    }
    Answer answer = send(trusting, "POST", "/", headers, "{}");
    assertThat(answer.status).isEqualTo(400);
    assertThat(answer.json().path("__type").asText()).isEqualTo("UnknownOperationException");
    assertThat(keyCount(trusting)).isEqualTo(before);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/x-amz-json-1.1", "application/x-amz-json-1.0", "APPLICATION/X-AMZ-JSON-1.1",
      "application/x-amz-json-1.1; charset=utf-8"})
  void awsJsonContentTypesAreAccepted(String contentType) throws Exception {
    Answer answer = send(trusting, "POST", "/", Map.of("Content-Type", contentType,
        "X-Amz-Target", "TrentService.ListKeys"), "{}");
    assertThat(answer.status).as(answer.body).isEqualTo(200);
  }

  // ---- other local users: the admin API of a backend that checks signatures ---------------------

  @ParameterizedTest
  @ValueSource(strings = {"GET /_shunt/audit", "GET /_shunt/quotas", "GET /_shunt/clock", "POST /_shunt/reset",
      "POST /_shunt/clock", "DELETE /_shunt/faults", "GET /_shunt/rotations", "POST /_shunt/rotators",
      "GET /_shunt/export"})
  void underSigV4EveryAdminEndpointButHealthNeedsTheToken(String route) throws Exception {
    String method = route.substring(0, route.indexOf(' '));
    String path = route.substring(route.indexOf(' ') + 1);
    Map<String, String> json = Map.of("Content-Type", "application/json");
    Answer none = send(checking, method, path, json, "{\"reset\":true}");
    assertThat(none.status).isEqualTo(403);
    assertThat(none.json().path("__type").asText()).isEqualTo("MissingAuthenticationTokenException");
    Answer wrong = send(checking, method, path, Map.of("Content-Type", "application/json",
        "Authorization", "Bearer " + TOKEN + "x"), "{\"reset\":true}");
    assertThat(wrong.status).isEqualTo(403);
    assertThat(wrong.json().path("__type").asText()).isEqualTo("AccessDeniedException");
    Answer sigv4 = send(checking, method, path, Map.of("Content-Type", "application/json", "Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00"),
        "{}");
    assertThat(sigv4.status).as("an AWS signature is not the admin token").isEqualTo(403);
    Answer right = send(checking, method, path, Map.of("Content-Type", "application/json",
        "Authorization", "Bearer " + TOKEN), "{\"reset\":true}");
    assertThat(right.status).as(right.body).isNotEqualTo(403);
  }

  @Test
  void healthNeedsNoToken() throws Exception {
    assertThat(send(checking, "GET", "/_shunt/health", Map.of(), "").status).isEqualTo(200);
    assertThat(send(generated, "GET", "/_shunt/health", Map.of(), "").status).isEqualTo(200);
  }

  @Test
  void withoutAConfiguredTokenOneIsGeneratedUnderSigV4() throws Exception {
    String token = generated.backend().generatedAdminToken().orElseThrow();
    assertThat(token).hasSizeGreaterThan(40);
    assertThat(checking.backend().generatedAdminToken()).isEmpty();
    assertThat(trusting.backend().generatedAdminToken()).isEmpty();
    assertThat(send(generated, "GET", "/_shunt/audit", Map.of(), "").status).isEqualTo(403);
    assertThat(send(generated, "GET", "/_shunt/audit", Map.of("Authorization", "Bearer " + token), "").status)
        .isEqualTo(200);
  }

  @Test
  void aRotationCallbackCanNotBeRegisteredWithoutTheToken() throws Exception {
    Answer answer = send(checking, "POST", "/_shunt/rotators", Map.of("Content-Type", "application/json"),
        "{\"name\":\"steal\",\"url\":\"http://127.0.0.1:9/\"}");
    assertThat(answer.status).isEqualTo(403);
    Answer rotators = send(checking, "GET", "/_shunt/rotations", Map.of("Authorization", "Bearer " + TOKEN), "");
    assertThat(rotators.json().path("rotators").toString()).doesNotContain("steal");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static String createKey(BackendFixture backend) {
    try (KmsClient kms = backend.kms()) {
      return kms.createKey(r -> { }).keyMetadata().keyId();
    }
  }

  private static int keyCount(BackendFixture backend) {
    try (KmsClient kms = backend.kms()) {
      return kms.listKeys(r -> r.limit(1000)).keys().size();
    }
  }

  private static int describeKeyStatus(BackendFixture backend, String keyId) throws Exception {
    return send(backend, "POST", "/", Map.of("Content-Type", AMZ_JSON, "X-Amz-Target", "TrentService.DescribeKey"),
        "{\"KeyId\":\"" + keyId + "\"}").status;
  }

  /** A response: status, headers (names in lower case) and body. */
  record Answer(int status, Map<String, String> headers, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  static Answer send(BackendFixture backend, String method, String path, Map<String, String> headers, String body)
      throws IOException {
    return send(backend, method, path, "127.0.0.1:" + backend.uri().getPort(), headers, body);
  }

  /** One HTTP/1.1 request on a fresh connection, with exactly this Host header (none for null). */
  static Answer send(BackendFixture backend, String method, String path, String host, Map<String, String> headers,
      String body) throws IOException {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    if (host != null) {
      request.append("Host: ").append(host).append("\r\n");
    }
    headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
    request.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
    try (Socket socket = new Socket(backend.uri().getHost(), backend.uri().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.write(content);
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String text = all.toString(StandardCharsets.ISO_8859_1);
      int headEnd = text.indexOf("\r\n\r\n");
      assertThat(headEnd).as("a complete response head").isPositive();
      String[] lines = text.substring(0, headEnd).split("\r\n");
      Map<String, String> responseHeaders = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        responseHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      String responseBody = new String(text.substring(headEnd + 4).getBytes(StandardCharsets.ISO_8859_1),
          StandardCharsets.UTF_8);
      return new Answer(Integer.parseInt(lines[0].split(" ")[1]), responseHeaders, responseBody);
    }
  }
}
