package dev.shunt.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a careless or hostile client sends over raw HTTP: broken JSON, wrong member types, bad
 * targets, oversized bodies and headers, broken HTTP framing, pipelining, half requests and
 * dropped connections. Each must get a 4xx answer in AWS's JSON error envelope with a request id
 * (never a stack trace), and the server must keep serving afterwards.
 */
class HostileRequestsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String AMZ_JSON = "application/x-amz-json-1.1";
  /**
   * Fragments that only a Java stack trace, an exception dump or a library's own advice (Jackson
   * names its settings in backticks) would put in a response.
   */
  private static final Pattern JAVA_LEAK = Pattern.compile(
      "\\bat (dev\\.shunt|io\\.netty|java\\.|com\\.fasterxml)|java\\.lang|java\\.io\\.|io\\.netty|com\\.fasterxml"
          + "|\\b[a-z]\\w*(\\.[a-z]\\w*)+\\.[A-Z]\\w*(Exception|Error)\\b|\\w(Exception|Error): [A-Za-z]"
          + "|\\.java:\\d+\\)|`[A-Z]\\w*\\.\\w|Feature '|StreamRead|JsonRead|DeserializationFeature");

  private static BackendFixture shunt;
  /** A backend whose body limit is 2 KiB, to test the configured limit cheaply. */
  private static BackendFixture small;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    small = BackendFixture.start(ShuntBackend.builder().option("max-body-bytes", "2048"));
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      // After the whole batch, too.
      assertHealthy(shunt);
      assertHealthy(small);
    } finally {
      closeAll();
    }
  }

  private static void closeAll() {
    if (small != null) {
      small.close();
    }
    if (shunt != null) {
      shunt.close();
    }
  }

  /** After every case, both servers still answer. */
  @AfterEach
  void serverStillServes() throws Exception {
    assertHealthy(shunt);
    assertHealthy(small);
  }

  // ---- the JSON body -----------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {
      "{", "}", "{\"KeyId\":", "{\"KeyId\":\"alias/x\"", "{KeyId: \"alias/x\"}", "{'KeyId':'alias/x'}",
      "{\"KeyId\":\"alias/x\",}", "{\"KeyId\" \"alias/x\"}", "not json at all", "{\"KeyId\":\"unterminated}",
      "{\"KeyId\":\"alias/x\"} trailing", "{}{}", "{\"KeyId\":\"alias/a\",\"KeyId\":\"alias/b\"}",
      "{\"KeyId\":\"\\q\"}", "{\"KeyId\":\"tab\there\"}", "{\"KeyId\":01}", "{\"KeyId\":NaN}",
      "{\"KeyId\":\"alias/x\" /* comment */}", "{\"GrantTokens\":[\"t\",]}", "{\"KeyId\":1"
          + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
          + "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000}"})
  void malformedJsonIsASerializationException(String body) throws Exception {
    HttpResponse<byte[]> response = post("TrentService.DescribeKey", body);
    assertEnvelope(response, 400, "SerializationException");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"KeyId\": s3cr3tTokenValue}", "s3cr3tTokenValue", "{\"KeyId\":\"a\", s3cr3tTokenValue: 1}",
      "{\"KeyId\": \"x\"} s3cr3tTokenValue", "{\"KeyId\": [s3cr3tTokenValue]}"})
  void aMalformedBodyIsNeitherEchoedNorAudited(String body) throws Exception {
    HttpResponse<byte[]> response = post("TrentService.DescribeKey", body);
    assertEnvelope(response, 400, "SerializationException");
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).doesNotContain("s3cr3t");
    assertThat(shunt.get("/_shunt/audit?limit=20").body()).doesNotContain("s3cr3t");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SYMMETRIC_DEFAULT\\r\\nX-Injected: 1", "SYMMETRIC_DEFAULT\\u0000", "\\n", "é\\u2028"})
  void aRequestFieldThatWouldBreakAResponseHeaderIsLeftOutOfIt(String algorithm) throws Exception {
    HttpResponse<byte[]> response = post("TrentService.Encrypt",
        "{\"KeyId\":\"alias/x\",\"Plaintext\":\"YQ==\",\"EncryptionAlgorithm\":\"" + algorithm + "\"}");
    assertEnvelope(response, 400, "ValidationException");
    assertThat(response.headers().map()).doesNotContainKey("x-injected");
    assertThat(response.headers().firstValue("x-shunt-encryption-algorithm")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"TrentService.<script>alert(1)</script>", "TrentService.Decrypt{}", "NoSuch.Op x"})
  void anUnknownTargetThatIsNotAPlainNameIsNotEchoed(String target) throws Exception {
    HttpResponse<byte[]> response = post(target, "{}");
    assertEnvelope(response, 400, "UnknownOperationException");
    assertThat(JSON.readTree(response.body()).path("message").asText()).isEqualTo("Unknown operation");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"KeyId\":\"alias/x\"}]", "\"KeyId\"", "42", "-1.5e3", "true", "false"})
  void aBodyThatIsNotAnObjectIsASerializationException(String body) throws Exception {
    HttpResponse<byte[]> response = post("TrentService.DescribeKey", body);
    assertEnvelope(response, 400, "SerializationException");
  }

  static Stream<Arguments> wrongMemberTypes() {
    return Stream.of(
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\": 5}", "NUMBER_VALUE can not be converted to a String"),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\": true}", "BOOLEAN_VALUE can not be converted to a String"),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\": {\"a\": 1}}", "Start of structure or map found"),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\": [\"alias/x\"]}", "Start of list found"),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\": \"alias/x\", \"GrantTokens\": \"t\"}",
            "STRING_VALUE can not be converted to a List"),
        Arguments.of("TrentService.DescribeKey", "{\"KeyId\": \"alias/x\", \"GrantTokens\": [1]}",
            "NUMBER_VALUE can not be converted to a String"),
        Arguments.of("TrentService.GenerateRandom", "{\"NumberOfBytes\": \"ten\"}",
            "STRING_VALUE can not be converted to an Integer"),
        Arguments.of("TrentService.GenerateRandom", "{\"NumberOfBytes\": 1.5}",
            "DECIMAL_VALUE can not be converted to an Integer"),
        Arguments.of("TrentService.GenerateRandom", "{\"NumberOfBytes\": 99999999999999}", "out of range"),
        Arguments.of("TrentService.Encrypt", "{\"KeyId\": \"alias/x\", \"Plaintext\": 123}",
            "NUMBER_VALUE can not be converted to a Blob"),
        Arguments.of("TrentService.Encrypt", "{\"KeyId\": \"alias/x\", \"Plaintext\": \"AA==\", \"EncryptionContext\": []}",
            "Start of list found"),
        Arguments.of("TrentService.Encrypt", "{\"KeyId\": \"alias/x\", \"Plaintext\": \"AA==\", \"EncryptionContext\": \"a=b\"}",
            "STRING_VALUE can not be converted to a Map"),
        Arguments.of("TrentService.Encrypt",
            "{\"KeyId\": \"alias/x\", \"Plaintext\": \"AA==\", \"EncryptionContext\": {\"a\": 1}}",
            "NUMBER_VALUE can not be converted to a String"),
        Arguments.of("TrentService.CreateKey", "{\"BypassPolicyLockoutSafetyCheck\": \"yes\"}",
            "STRING_VALUE can not be converted to a Boolean"),
        Arguments.of("TrentService.CreateKey", "{\"Tags\": {\"TagKey\": \"a\", \"TagValue\": \"b\"}}",
            "Start of structure or map found"),
        Arguments.of("TrentService.CreateKey", "{\"Tags\": [\"a\"]}", "STRING_VALUE can not be converted to a Structure"),
        Arguments.of("TrentService.ListKeys", "{\"Limit\": true}", "BOOLEAN_VALUE can not be converted to an Integer"));
  }

  @ParameterizedTest
  @MethodSource("wrongMemberTypes")
  void aMemberOfTheWrongTypeIsASerializationException(String target, String body, String message) throws Exception {
    HttpResponse<byte[]> response = post(target, body);
    JsonNode error = assertEnvelope(response, 400, "SerializationException");
    assertThat(error.path("message").asText()).contains(message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64!!", "A", "====", "AA==AA==", "🙂", "QUJD\u0000"})
  void aBlobThatIsNotBase64IsASerializationException(String plaintext) throws Exception {
    String body = "{\"KeyId\": \"alias/x\", \"Plaintext\": " + JSON.writeValueAsString(plaintext) + "}";
    assertEnvelope(post("TrentService.Encrypt", body), 400, "SerializationException");
    assertEnvelope(post("TrentService.Decrypt", "{\"CiphertextBlob\": " + JSON.writeValueAsString(plaintext) + "}"),
        400, "SerializationException");
  }

  @Test
  void aMissingRequiredMemberIsAValidationExceptionWordedAsAwsWordsIt() throws Exception {
    JsonNode error = assertEnvelope(post("TrentService.DescribeKey", "{}"), 400, "ValidationException");
    assertThat(error.path("message").asText()).isEqualTo(
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");

    // JSON null counts as absent.
    error = assertEnvelope(post("TrentService.DescribeKey", "{\"KeyId\": null}"), 400, "ValidationException");
    assertThat(error.path("message").asText()).isEqualTo(
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");

    // Every violation is reported at once, and a sensitive member's value is never echoed.
    error = assertEnvelope(post("TrentService.Encrypt", "{}"), 400, "ValidationException");
    assertThat(error.path("message").asText())
        .startsWith("2 validation errors detected: ")
        .contains("Value null at 'keyId' failed to satisfy constraint: Member must not be null")
        .contains("Value null at 'plaintext' failed to satisfy constraint: Member must not be null");
  }

  @Test
  void deeplyNestedJsonIsRejectedWithoutOverflowingTheStack() throws Exception {
    String arrays = "[".repeat(10_000);
    assertEnvelope(post("TrentService.DescribeKey", arrays), 400, "SerializationException");
    assertEnvelope(post("TrentService.DescribeKey", arrays + "]".repeat(10_000)), 400, "SerializationException");
    assertEnvelope(post("TrentService.DescribeKey", "{\"KeyId\":" + arrays), 400, "SerializationException");
    assertEnvelope(post("TrentService.DescribeKey", "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)), 400,
        "SerializationException");
  }

  static Stream<Arguments> undecodableBodies() {
    byte[] nul = new byte[4096];
    byte[] invalidUtf8InString = concat("{\"KeyId\":\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xff, (byte) 0xfe}, "\"}".getBytes(StandardCharsets.US_ASCII));
    byte[] overlong = concat("{\"KeyId\":\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xc0, (byte) 0xaf}, "\"}".getBytes(StandardCharsets.US_ASCII));
    byte[] overlongThreeBytes = concat("{\"KeyId\":\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xe0, (byte) 0x80, (byte) 0xaf}, "\"}".getBytes(StandardCharsets.US_ASCII));
    byte[] pastU10ffff = concat("{\"KeyId\":\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\"}".getBytes(StandardCharsets.US_ASCII));
    byte[] encodedSurrogate = concat("{\"KeyId\":\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80}, "\"}".getBytes(StandardCharsets.US_ASCII));
    byte[] truncatedSequence = concat("{\"KeyId\":\"".getBytes(StandardCharsets.US_ASCII),
        new byte[] {(byte) 0xe2, (byte) 0x82}, "\"}".getBytes(StandardCharsets.US_ASCII));
    return Stream.of(
        Arguments.of("NUL bytes", nul),
        Arguments.of("NUL inside the object", "{\"KeyId\":\u0000\"x\"}".getBytes(StandardCharsets.UTF_8)),
        Arguments.of("raw 0xFF bytes", new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}),
        Arguments.of("invalid UTF-8 in a string", invalidUtf8InString),
        Arguments.of("overlong UTF-8 for '/'", overlong),
        Arguments.of("overlong three-byte UTF-8 for '/'", overlongThreeBytes),
        Arguments.of("a code point past U+10FFFF", pastU10ffff),
        Arguments.of("a UTF-8 encoded surrogate", encodedSurrogate),
        Arguments.of("truncated UTF-8 sequence", truncatedSequence));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("undecodableBodies")
  void aBodyThatIsNotUtf8JsonIsASerializationException(String name, byte[] body) throws Exception {
    assertEnvelope(post("TrentService.DescribeKey", body), 400, "SerializationException");
  }

  @Test
  void anUnpairedSurrogateEscapeIsEchoedBackEscapedNotBreakingTheResponse() throws Exception {
    // An escaped lone surrogate is valid JSON grammar but no Unicode character (RFC 8259 8.2). It
    // reaches the operation as Java text, and must come back escaped: raw, it has no UTF-8 form.
    JsonNode error = assertEnvelope(post("TrentService.DescribeKey", "{\"KeyId\":\"abc\\udc00\"}"), 400,
        "NotFoundException");
    assertThat(error.path("message").asText()).endsWith("abc\udc00");

    HttpResponse<byte[]> created = post("TrentService.CreateKey", "{\"Description\":\"\\ud800x\"}");
    assertThat(created.statusCode()).isEqualTo(200);
    assertThat(new String(created.body(), StandardCharsets.UTF_8)).containsIgnoringCase("\\ud800x");
    String keyId = JSON.readTree(created.body()).path("KeyMetadata").path("KeyId").asText();
    HttpResponse<byte[]> described = post("TrentService.DescribeKey", "{\"KeyId\":\"" + keyId + "\"}");
    assertThat(described.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(described.body()).path("KeyMetadata").path("Description").asText()).isEqualTo("\ud800x");
  }

  @Test
  void wellFormedNonAsciiUtf8IsAccepted() throws Exception {
    String description = "clé, 1 € and a 🙂";
    HttpResponse<byte[]> created = post("TrentService.CreateKey",
        "{\"Description\":\"" + description + "\"}");
    assertThat(created.statusCode()).as(new String(created.body(), StandardCharsets.UTF_8)).isEqualTo(200);
    assertThat(JSON.readTree(created.body()).path("KeyMetadata").path("Description").asText()).isEqualTo(description);
  }

  @Test
  void anEmptyBodyWithAValidTargetIsAnEmptyObject() throws Exception {
    HttpResponse<byte[]> response = post("TrentService.ListKeys", new byte[0]);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-amzn-RequestId")).hasValueSatisfying(id -> assertThat(id).isNotBlank());
    assertThat(JSON.readTree(response.body()).path("Keys").isArray()).isTrue();

    // Whitespace only is empty too; and a required member is still required.
    assertThat(post("TrentService.ListKeys", " \r\n\t ").statusCode()).isEqualTo(200);
    assertEnvelope(post("TrentService.DescribeKey", new byte[0]), 400, "ValidationException");

    // Over a raw socket, with no Content-Length at all.
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Type: application/x-amz-json-1.1\r\n\r\n");
      RawResponse listed = raw.read();
      assertThat(listed.status()).isEqualTo(200);
      assertThat(JSON.readTree(listed.body()).path("Keys").isArray()).isTrue();
    }
  }

  // ---- the target ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {"TrentService.NoSuchOp", "Foo.Bar", "TrentService.", "TrentService", ".ListKeys",
      "TrentService.ListKeys.Extra", " ", "TrentService.listKeys"})
  void anUnknownTargetIsAnUnknownOperationException(String target) throws Exception {
    assertEnvelope(post(target, "{}"), 400, "UnknownOperationException");
  }

  @Test
  void aMissingTargetIsAnUnknownOperationException() throws Exception {
    assertEnvelope(post(null, "{}"), 400, "UnknownOperationException");
    // Even with a body that is not JSON: the operation is found before the body is read.
    assertEnvelope(post(null, "garbage"), 400, "UnknownOperationException");
  }

  // ---- sizes --------------------------------------------------------------------------------

  @Test
  void aBodyOverTheDefaultLimitIs413() throws Exception {
    byte[] body = jsonOfSize(1024 * 1024 + 1);
    JsonNode error = assertEnvelope(post(shunt, "TrentService.ListKeys", body), 413, "RequestEntityTooLargeException");
    assertThat(error.path("message").asText()).contains("1048576");

    // At the limit exactly, the body is read and served.
    assertThat(post(shunt, "TrentService.ListKeys", jsonOfSize(1024 * 1024)).statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyOverAConfiguredLimitIs413() throws Exception {
    assertEnvelope(post(small, "TrentService.ListKeys", jsonOfSize(2049)), 413, "RequestEntityTooLargeException");
    assertThat(post(small, "TrentService.ListKeys", jsonOfSize(2048)).statusCode()).isEqualTo(200);
    // Every time: a server that closes on a client still sending makes the kernel reset the
    // connection, and the 413 is lost with it now and then.
    for (int i = 0; i < 25; i++) {
      assertEnvelope(post(small, "TrentService.ListKeys", jsonOfSize(64 * 1024)), 413,
          "RequestEntityTooLargeException");
    }
  }

  @Test
  void aKeepAliveConnectionSurvivesA413() throws Exception {
    try (RawConnection raw = new RawConnection(small)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 100000\r\n\r\n" + " ".repeat(100_000));
      assertEnvelope(raw.read(), 413, "RequestEntityTooLargeException");
      // The rest of the body was read and dropped; the next request is served on the same connection.
      raw.send(request("TrentService.ListKeys", "{}", true));
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void aChunkedBodyOverTheLimitIs413() throws Exception {
    try (RawConnection raw = new RawConnection(small)) {
      StringBuilder request = new StringBuilder("POST / HTTP/1.1\r\nHost: localhost\r\n"
          + "X-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\nTransfer-Encoding: chunked\r\n\r\n");
      String chunk = " ".repeat(1000);
      for (int i = 0; i < 3; i++) {
        request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
      }
      request.append("0\r\n\r\n");
      raw.send(request.toString());
      assertEnvelope(raw.read(), 413, "RequestEntityTooLargeException");
      raw.send(request("TrentService.ListKeys", "{}", true));
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void anExpectContinueForABodyOverTheLimitIsAnsweredWithTheEnvelope() throws Exception {
    // curl sends 'Expect: 100-continue' before any body over 1 KiB.
    try (RawConnection raw = new RawConnection(small)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 100000\r\nExpect: 100-continue\r\n\r\n");
      assertEnvelope(raw.read(), 413, "RequestEntityTooLargeException");
      assertThat(raw.readToEnd()).isEmpty();
    }
    // Within the limit the client is told to go on, and the request is served.
    try (RawConnection raw = new RawConnection(small)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n");
      assertThat(raw.readInterim().status()).isEqualTo(100);
      raw.send("{}");
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void anExpectationTheServerCannotMeetIsAnsweredWithTheEnvelope() throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 2\r\nExpect: the-impossible\r\n\r\n{}");
      assertEnvelope(raw.read(), 417, "ExpectationFailedException");
      assertThat(raw.readToEnd()).isEmpty();
    }
  }

  @Test
  void hugeHeadersAreRejectedWithTheEnvelope() throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.sendIgnoringReset("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "X-Padding: " + "a".repeat(20 * 1024) + "\r\nContent-Length: 2\r\n\r\n{}");
      assertFourHundredEnvelope(raw.read());
    }
    try (RawConnection raw = new RawConnection(shunt)) {
      StringBuilder request = new StringBuilder("POST / HTTP/1.1\r\nHost: localhost\r\n");
      for (int i = 0; i < 2000; i++) {
        request.append("X-Many-").append(i).append(": value\r\n");
      }
      raw.sendIgnoringReset(request.append("Content-Length: 2\r\n\r\n{}").toString());
      assertFourHundredEnvelope(raw.read());
    }
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.sendIgnoringReset("POST /" + "x".repeat(20 * 1024) + " HTTP/1.1\r\nHost: localhost\r\n"
          + "Content-Length: 2\r\n\r\n{}");
      assertFourHundredEnvelope(raw.read());
    }
  }

  // ---- HTTP framing -------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(strings = {
      "GARBAGE\r\n\r\n",
      "\u0001\u0002\u0003\u0004 binary junk\r\n\r\n",
      "POST\r\n\r\n",
      "POST / HTTP/1.1 extra words\r\nHost: localhost\r\n\r\n",
      "POST / FTP/1.1\r\nHost: localhost\r\n\r\n",
      "P@ST / HTTP/1.1\r\nHost: localhost\r\n\r\n",
      "POST / HTTP/1.1\r\nNo colon header\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\n\r\n{}",
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n{}",
      "POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 7\r\n\r\n{}",
      "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n"})
  void invalidHttpIsA400Envelope(String request) throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.sendIgnoringReset(request);
      RawResponse response = raw.read();
      assertEnvelope(response, 400, "BadRequestException");
      // The connection's framing cannot be trusted any more: the server closes it.
      assertThat(raw.readToEnd()).isEmpty();
    }
  }

  @Test
  void otherOddButParseableRequestLinesStillGetTheEnvelope() throws Exception {
    for (String request : List.of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET / HTTP/9.9\r\nHost: localhost\r\n\r\n",
        "DELETE /?x=%zz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")) {
      try (RawConnection raw = new RawConnection(shunt)) {
        raw.sendIgnoringReset(request);
        assertFourHundredEnvelope(raw.read());
      }
    }
  }

  @Test
  void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
    String list = request("TrentService.ListKeys", "{}", true);
    String invalid = request("TrentService.DescribeKey", "{}", true);
    String random = request("TrentService.GenerateRandom", "{\"NumberOfBytes\": 8}", true);
    String malformed = request("TrentService.DescribeKey", "{oops", true);
    String last = request("TrentService.GenerateRandom", "{\"NumberOfBytes\": 16}", false);
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send(list + invalid + random + malformed + last);
      RawResponse first = raw.read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(JSON.readTree(first.body()).path("Keys").isArray()).isTrue();
      assertEnvelope(raw.read(), 400, "ValidationException");
      RawResponse third = raw.read();
      assertThat(third.status()).isEqualTo(200);
      assertThat(JSON.readTree(third.body()).path("Plaintext").binaryValue()).hasSize(8);
      assertEnvelope(raw.read(), 400, "SerializationException");
      RawResponse fifth = raw.read();
      assertThat(fifth.status()).isEqualTo(200);
      assertThat(JSON.readTree(fifth.body()).path("Plaintext").binaryValue()).hasSize(16);
      assertThat(fifth.header("connection")).isEqualToIgnoringCase("close");
      assertThat(raw.readToEnd()).isEmpty();
      // Every response had its own request id.
      assertThat(Stream.of(first, third, fifth).map(r -> r.header("x-amzn-requestid")).distinct()).hasSize(3);
    }
  }

  @Test
  void aKeepAliveConnectionSurvivesAnErrorResponse() throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send(request("TrentService.DescribeKey", "[[[", true));
      assertEnvelope(raw.read(), 400, "SerializationException");
      raw.send(request("TrentService.NoSuchOp", "{}", true));
      assertEnvelope(raw.read(), 400, "UnknownOperationException");
      raw.send(request("TrentService.ListKeys", "{}", true));
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void http10IsServedAndTheConnectionClosedUnlessKeptAlive() throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send("POST / HTTP/1.0\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\n\r\n{}");
      RawResponse response = raw.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(response.header("x-amzn-requestid")).isNotBlank();
      assertThat(raw.readToEnd()).isEmpty();
    }
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send("POST / HTTP/1.0\r\nX-Amz-Target: TrentService.DescribeKey\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 5\r\n\r\n{nope");
      assertEnvelope(raw.read(), 400, "SerializationException");
      assertThat(raw.readToEnd()).isEmpty();
    }
    try (RawConnection raw = new RawConnection(shunt)) {
      String keepAlive = "POST / HTTP/1.0\r\nConnection: keep-alive\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 2\r\n\r\n{}";
      raw.send(keepAlive);
      RawResponse first = raw.read();
      assertThat(first.status()).isEqualTo(200);
      assertThat(first.header("connection")).isEqualToIgnoringCase("keep-alive");
      raw.send(keepAlive);
      assertThat(raw.read().status()).isEqualTo(200);
    }
  }

  @Test
  void aContentLengthShorterThanTheBodyCutsTheBodyThere() throws Exception {
    // The server reads exactly Content-Length bytes: '{"Ke' is malformed JSON. What follows is
    // read as the next request, which is not HTTP.
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.sendIgnoringReset("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.DescribeKey\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 4\r\n\r\n{\"KeyId\":\"alias/x\"}\r\n\r\n");
      assertEnvelope(raw.read(), 400, "SerializationException");
      assertEnvelope(raw.read(), 400, "BadRequestException");
      assertThat(raw.readToEnd()).isEmpty();
    }
  }

  @Test
  void aContentLengthLongerThanTheBodyThenAHangUpLeavesTheServerServing() throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Content-Length: 100\r\n\r\n{}");
      raw.socket.shutdownOutput();
      // Nothing complete was sent: whatever comes back, if anything, is an envelope.
      RawResponse response = raw.readOrNull();
      if (response != null) {
        assertFourHundredEnvelope(response);
      }
    }
  }

  @Test
  void chunkedBodiesAreReassembled() throws Exception {
    try (RawConnection raw = new RawConnection(shunt)) {
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.GenerateRandom\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n"
          + "5\r\n{\"Num\r\n" + "c\r\nberOfBytes\":\r\n" + "3\r\n 32\r\n" + "1;ext=1\r\n}\r\n" + "0\r\n\r\n");
      RawResponse response = raw.read();
      assertThat(response.status()).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).path("Plaintext").binaryValue()).hasSize(32);
      raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.DescribeKey\r\nContent-Type: application/x-amz-json-1.1\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n3\r\n{\"K\r\n0\r\n\r\n");
      assertEnvelope(raw.read(), 400, "SerializationException");
    }
  }

  // ---- connections that go away -----------------------------------------------------------

  @Test
  void halfARequestThenAHangUpLeavesTheServerServing() throws Exception {
    List<String> halves = List.of("POST / HTTP/1.1\r\nHost: loc",
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 100\r\n\r\n{\"Li",
        "POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"Li",
        "POST / HT", "P");
    for (String half : halves) {
      try (RawConnection raw = new RawConnection(shunt)) {
        raw.send(half);
      }
      try (RawConnection raw = new RawConnection(shunt)) {
        raw.send(half);
        raw.reset();
      }
    }
    assertHealthy(shunt);
  }

  @Test
  void manyConnectionsOpenedAndDroppedLeaveTheServerServing() throws Exception {
    List<RawConnection> open = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        RawConnection raw = new RawConnection(shunt);
        open.add(raw);
        switch (i % 4) {
          case 0 -> { }
          case 1 -> raw.send("POST / HTTP/1.1\r\n");
          case 2 -> raw.send(request("TrentService.ListKeys", "{}", true));
          default -> raw.send("POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{");
        }
      }
      // While they are all open, a well-behaved client is still served.
      assertHealthy(shunt);
      assertThat(post("TrentService.ListKeys", "{}").statusCode()).isEqualTo(200);
    } finally {
      for (int i = 0; i < open.size(); i++) {
        if (i % 2 == 0) {
          open.get(i).reset();
        }
        open.get(i).close();
      }
    }
    assertHealthy(shunt);
    assertThat(post("TrentService.ListKeys", "{}").statusCode()).isEqualTo(200);
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static HttpResponse<byte[]> post(String target, String body) throws Exception {
    return post(shunt, target, body.getBytes(StandardCharsets.UTF_8));
  }

  private static HttpResponse<byte[]> post(String target, byte[] body) throws Exception {
    return post(shunt, target, body);
  }

  private static HttpResponse<byte[]> post(BackendFixture backend, String target, byte[] body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(backend.uri().resolve("/"))
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", AMZ_JSON)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (target != null) {
      request.header("X-Amz-Target", target);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static void assertHealthy(BackendFixture backend) throws Exception {
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(backend.uri().resolve("/_shunt/health"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("ok");
  }

  /** Asserts AWS's error envelope: status, {@code __type}, a message, a request id, and no Java internals. */
  private static JsonNode assertEnvelope(HttpResponse<byte[]> response, int status, String type) throws IOException {
    Map<String, String> headers = new LinkedHashMap<>();
    response.headers().map().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), values.get(0)));
    return assertEnvelope(new RawResponse(response.statusCode(), headers, response.body()), status, type);
  }

  private static JsonNode assertFourHundredEnvelope(RawResponse response) throws IOException {
    assertThat(response).as("a response").isNotNull();
    assertThat(response.status()).as("status of %s", response).isBetween(400, 499);
    return assertEnvelope(response, response.status(), null);
  }

  private static JsonNode assertEnvelope(RawResponse response, int status, String type) throws IOException {
    assertThat(response).as("a response").isNotNull();
    String text = new String(response.body(), StandardCharsets.UTF_8);
    assertThat(response.status()).as("status of %s", text).isEqualTo(status);
    assertThat(JAVA_LEAK.matcher(text).find()).as("Java internals in %s", text).isFalse();
    assertThat(response.header("x-amzn-requestid")).as("request id").isNotBlank();
    assertThat(response.header("content-type")).isEqualTo(AMZ_JSON);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.isObject()).as(text).isTrue();
    assertThat(error.path("__type").isTextual()).as(text).isTrue();
    if (type != null) {
      assertThat(error.path("__type").asText()).as(text).isEqualTo(type);
    }
    assertThat(response.header("x-amzn-errortype")).isEqualTo(error.path("__type").asText());
    assertThat(error.path("message").isTextual()).as(text).isTrue();
    assertThat(error.path("message").asText()).as(text).isNotBlank();
    return error;
  }

  /** A complete keep-alive (or closing) AWS JSON request as raw HTTP/1.1 text. */
  private static String request(String target, String body, boolean keepAlive) {
    return "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: " + target + "\r\n"
        + "Content-Type: " + AMZ_JSON + "\r\n" + (keepAlive ? "" : "Connection: close\r\n")
        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  /** {@code {}} padded with spaces to exactly {@code size} bytes. */
  private static byte[] jsonOfSize(int size) {
    byte[] body = new byte[size];
    Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[size - 1] = '}';
    return body;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** One HTTP response read off a socket: status, headers (lower-cased names), body. */
  record RawResponse(int status, Map<String, String> headers, byte[] body) {
    String header(String name) {
      return headers.get(name);
    }

    @Override
    public String toString() {
      return status + " " + headers + " " + new String(body, StandardCharsets.UTF_8);
    }
  }

  /** A plain socket to the backend, for what java.net.http will not send. */
  private static final class RawConnection implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawConnection(BackendFixture backend) throws IOException {
      URI uri = backend.uri();
      socket = new Socket(uri.getHost(), uri.getPort());
      socket.setSoTimeout(10_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
      send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** Sends what the server may answer (and close on) before it has read it all. */
    void sendIgnoringReset(String text) throws IOException {
      try {
        send(text);
      } catch (SocketException e) {
        // The server answered and closed early; the answer is still to be read.
      }
    }

    /** The next final response (100 Continue skipped); fails on end of stream. */
    RawResponse read() throws IOException {
      RawResponse response = readOrNull();
      assertThat(response).as("a response before the connection closed").isNotNull();
      return response;
    }

    /** The next response, even an interim 1xx one. */
    RawResponse readInterim() throws IOException {
      RawResponse response = readOne();
      assertThat(response).as("a response before the connection closed").isNotNull();
      return response;
    }

    RawResponse readOrNull() throws IOException {
      RawResponse response;
      do {
        response = readOne();
      } while (response != null && response.status() >= 100 && response.status() < 200);
      return response;
    }

    private RawResponse readOne() throws IOException {
      String statusLine;
      try {
        statusLine = readLine();
      } catch (SocketException e) {
        return null; // reset by the server: no response
      }
      if (statusLine == null) {
        return null;
      }
      String[] parts = statusLine.split(" ", 3);
      assertThat(parts[0]).as(statusLine).startsWith("HTTP/1.");
      int status = Integer.parseInt(parts[1]);
      Map<String, String> headers = new LinkedHashMap<>();
      for (String line = readLine(); line != null && !line.isEmpty(); line = readLine()) {
        int colon = line.indexOf(':');
        headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
      }
      int length = headers.containsKey("content-length") ? Integer.parseInt(headers.get("content-length")) : 0;
      byte[] body = in.readNBytes(length);
      assertThat(body).as("body of " + statusLine).hasSize(length);
      return new RawResponse(status, headers, body);
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) != -1) {
        if (c == '\n') {
          int end = line.length();
          return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
        }
        line.append((char) c);
      }
      return line.length() == 0 ? null : line.toString();
    }

    /** Whatever the server still sends before it closes the connection. */
    byte[] readToEnd() throws IOException {
      try {
        return in.readAllBytes();
      } catch (SocketException e) {
        return new byte[0];
      }
    }

    /** Drops the connection with a TCP reset rather than an orderly close. */
    void reset() throws IOException {
      if (!socket.isClosed()) {
        socket.setSoLinger(true, 0);
        socket.close();
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
