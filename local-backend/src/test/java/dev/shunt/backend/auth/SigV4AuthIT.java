package dev.shunt.backend.auth;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;

/**
 * SigV4 checking ({@code --auth sigv4}) with the real SDK v2 client and with requests signed by
 * hand with the SDK's own signer: who is let in, with which account, and AWS's errors (and no
 * pointless retries) for everyone else. Also the default trust mode, where the signature is not
 * checked but the credential scope still picks account and Region.
 */
class SigV4AuthIT {
  private static final String ACCESS_KEY = "AKIDSHUNT";
  private static final String SECRET = "s3cr3t";
  private static final String ACCOUNT_KEY = "111122223333";
  private static final String ACCOUNT_SECRET = "other-secret";
  private static final String AMZ_JSON = "application/x-amz-json-1.1";
  private static final String MISMATCH = "The request signature we calculated does not match";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static BackendFixture checking;
  private static BackendFixture trusting;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    checking = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .credentials(ACCESS_KEY + ":" + SECRET + "," + ACCOUNT_KEY + ":" + ACCOUNT_SECRET));
    trusting = BackendFixture.start();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    if (checking != null) {
      checking.close();
    }
    if (trusting != null) {
      trusting.close();
    }
  }

  // ---- the SDK client ----------------------------------------------------------------------

  @Test
  void theRightSecretIsLetInAndServed() {
    try (KmsClient kms = checking.kms(ACCESS_KEY, SECRET, Region.US_EAST_1)) {
      KeyMetadata key = kms.createKey(r -> r.description("signed")).keyMetadata();
      SdkBytes blob = kms.encrypt(r -> r.keyId(key.keyId()).plaintext(SdkBytes.fromUtf8String("signed and sealed")))
          .ciphertextBlob();
      assertThat(kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String()).isEqualTo("signed and sealed");
      // A key that is not 12 digits belongs to the default account.
      assertThat(key.awsAccountId()).isEqualTo("000000000000");
      assertThat(key.arn()).startsWith("arn:aws:kms:us-east-1:000000000000:key/");
    }
  }

  @Test
  void aTwelveDigitAccessKeyIsItsOwnAccount() {
    try (KmsClient own = checking.kms(ACCOUNT_KEY, ACCOUNT_SECRET, Region.US_EAST_1);
        KmsClient other = checking.kms(ACCESS_KEY, SECRET, Region.US_EAST_1)) {
      KeyMetadata key = own.createKey(r -> r.description("account 1111")).keyMetadata();
      assertThat(key.awsAccountId()).isEqualTo(ACCOUNT_KEY);
      assertThat(key.arn()).startsWith("arn:aws:kms:us-east-1:111122223333:key/");
      assertThat(own.describeKey(r -> r.keyId(key.keyId())).keyMetadata().arn()).isEqualTo(key.arn());
      // Another account does not see it by its bare id.
      expectError("NotFoundException", () -> other.describeKey(r -> r.keyId(key.keyId())));
    }
  }

  @Test
  void aWrongSecretIsAnInvalidSignatureAndIsNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    try (KmsClient kms = countingClient(checking, ACCESS_KEY, "not-the-secret", attempts)) {
      AwsServiceException error = expectError("InvalidSignatureException", () -> kms.listKeys());
      assertThat(message(error)).startsWith(MISMATCH);
      assertThat(attempts).hasValue(1);
    }
    // The secret of another configured key is just as wrong.
    try (KmsClient kms = checking.kms(ACCESS_KEY, ACCOUNT_SECRET, Region.US_EAST_1)) {
      assertThat(message(expectError("InvalidSignatureException", () -> kms.listKeys()))).startsWith(MISMATCH);
    }
  }

  @Test
  void anUnknownAccessKeyIsUnrecognizedAndIsNotRetried() {
    AtomicInteger attempts = new AtomicInteger();
    try (KmsClient kms = countingClient(checking, "AKIDNOBODY", SECRET, attempts)) {
      AwsServiceException error = expectError("UnrecognizedClientException", () -> kms.listKeys());
      assertThat(message(error)).isEqualTo("The security token included in the request is invalid.");
      assertThat(attempts).hasValue(1);
    }
    // Twelve digits that are not configured are no more welcome when signatures are checked.
    try (KmsClient kms = checking.kms("444455556666", SECRET, Region.US_EAST_1)) {
      expectError("UnrecognizedClientException", () -> kms.listKeys());
    }
  }

  // ---- requests signed by hand -------------------------------------------------------------

  @Test
  void aRequestSignedByHandWithTheSdkSignerIsLetIn() throws Exception {
    HttpResponse<String> response = send(checking, sign(checking, "TrentService.ListKeys", "{}", r -> { }));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("Keys").isArray()).isTrue();
  }

  @Test
  void aSignatureComputedAsAwsDocumentsItWithoutThePayloadHashHeaderIsLetIn() throws Exception {
    // The AWS CLI, boto3, the Go SDK and SDK for Java v1 sign only the headers they send, and for
    // KMS that is not x-amz-content-sha256 (only the Java SDK v2 adds it). The server must verify
    // exactly the SignedHeaders it is given.
    String body = "{\"NumberOfBytes\":24}";
    HttpResponse<String> response = send(checking, signedAsDocumented("TrentService.GenerateRandom", body, body,
        ACCESS_KEY, SECRET, Instant.now()));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("Plaintext").binaryValue()).hasSize(24);

    // The same independent signer with the wrong secret, or over another body, is refused.
    assertThat(assertError(send(checking, signedAsDocumented("TrentService.GenerateRandom", body, body,
        ACCESS_KEY, "wrong", Instant.now())), "InvalidSignatureException").path("message").asText()).startsWith(MISMATCH);
    assertThat(assertError(send(checking, signedAsDocumented("TrentService.GenerateRandom", body,
        "{\"NumberOfBytes\":42}", ACCESS_KEY, SECRET, Instant.now())), "InvalidSignatureException")
        .path("message").asText()).startsWith(MISMATCH);
  }

  @Test
  void aSignatureThatLeavesOutHostIsRefused() throws Exception {
    String body = "{\"NumberOfBytes\":24}";
    HttpResponse<String> response = send(checking, signedAsDocumented("TrentService.GenerateRandom",
        "TrentService.GenerateRandom", "content-type;x-amz-date;x-amz-target", body, body, ACCESS_KEY, SECRET,
        Instant.now()));
    assertThat(assertError(response, "InvalidSignatureException").path("message").asText())
        .isEqualTo("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }

  @Test
  void aSignatureThatLeavesOutTheTargetCannotBeReusedForAnotherOperation() throws Exception {
    int keysBefore = keyCount();
    // Signed (correctly) for ListKeys without X-Amz-Target among the signed headers, then sent
    // as CreateKey: were the target not required to be signed, the signature would still match.
    HttpResponse<String> swapped = send(checking, signedAsDocumented("TrentService.ListKeys", "TrentService.CreateKey",
        "content-type;host;x-amz-date", "{}", "{}", ACCESS_KEY, SECRET, Instant.now()));
    assertThat(assertError(swapped, "InvalidSignatureException").path("message").asText())
        .startsWith("There were headers present in the request which were not signed");
    HttpResponse<String> unswapped = send(checking, signedAsDocumented("TrentService.ListKeys", "TrentService.ListKeys",
        "content-type;host;x-amz-date", "{}", "{}", ACCESS_KEY, SECRET, Instant.now()));
    assertError(unswapped, "InvalidSignatureException");
    assertThat(keyCount()).isEqualTo(keysBefore);
  }

  private static int keyCount() {
    try (KmsClient kms = countingClient(checking, ACCESS_KEY, SECRET, new AtomicInteger())) {
      return kms.listKeys(r -> r.limit(1000)).keys().size();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/?b=2&a=1", "/?a=%2F&a=1&empty=&flag", "/?q=x%20y+z&%C3%A9=%E2%82%AC", "/x%20y/",
      "/a/b/../c", "/a/./b/", "/~user/A-Z_0.9"})
  void aPathAndQuerySignedByTheSdkAreCanonicalizedTheSameWay(String pathAndQuery) throws Exception {
    URI uri = URI.create(checking.uri() + pathAndQuery);
    SignedRequest signed = sign(uri, "TrentService.ListKeys", "{}", r -> { });
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString("{}"));
    signed.request().headers().forEach((name, values) -> {
      if (!isRestricted(name)) {
        values.forEach(value -> request.header(name, value));
      }
    });
    HttpResponse<String> response = send(checking, request.build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void noAuthorizationHeaderIsAMissingAuthenticationToken() throws Exception {
    HttpResponse<String> response = send(checking, unsigned("TrentService.ListKeys", "{}").build());
    JsonNode error = assertError(response, "MissingAuthenticationTokenException");
    assertThat(error.path("message").asText()).isNotBlank();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // no Signature=
      "AWS4-HMAC-SHA256 Credential=AKIDSHUNT/{date}/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date",
      // no Credential=
      "AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=0123456789abcdef",
      // no SignedHeaders=
      "AWS4-HMAC-SHA256 Credential=AKIDSHUNT/{date}/us-east-1/kms/aws4_request, Signature=0123456789abcdef",
      // a scope that is not key/date/region/service/terminator
      "AWS4-HMAC-SHA256 Credential=AKIDSHUNT/{date}/us-east-1, SignedHeaders=host;x-amz-date, Signature=0123",
      "AWS4-HMAC-SHA256 Credential=, SignedHeaders=host;x-amz-date, Signature=0123",
      // another algorithm, or another scheme altogether
      "AWS4-HMAC-SHA512 Credential=AKIDSHUNT/{date}/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, "
          + "Signature=0123456789abcdef",
      "AWS4-ECDSA-P256-SHA256 Credential=AKIDSHUNT/{date}/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00",
      "AWS AKIDSHUNT:c2lnbmF0dXJl",
      "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
      "AWS4-HMAC-SHA256",
      "garbage"})
  void aMalformedAuthorizationHeaderIsAnIncompleteSignature(String authorization) throws Exception {
    String header = authorization.replace("{date}", AMZ_DATE.format(Instant.now()).substring(0, 8));
    HttpRequest request = unsigned("TrentService.ListKeys", "{}")
        .header("Authorization", header)
        .header("X-Amz-Date", AMZ_DATE.format(Instant.now()))
        .build();
    JsonNode error = assertError(send(checking, request), "IncompleteSignatureException");
    // The signature itself is never echoed back.
    assertThat(error.path("message").asText()).doesNotContain("0123456789abcdef");
  }

  @Test
  void aSignedRequestWithoutADateIsAnIncompleteSignature() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}", r -> { });
    assertError(send(checking, withHeader(signed, "X-Amz-Date", null)), "IncompleteSignatureException");
  }

  @Test
  void aDateThatIsNotIso8601BasicIsAnIncompleteSignatureAndAScopeOfAnotherDayIsInvalid() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}", r -> { });
    String amzDate = signed.request().firstMatchingHeader("X-Amz-Date").orElseThrow();
    JsonNode error = assertError(send(checking, withHeader(signed, "X-Amz-Date", "yesterday")),
        "IncompleteSignatureException");
    assertThat(error.path("message").asText()).contains("ISO-8601");

    String authorization = signed.request().firstMatchingHeader("Authorization").orElseThrow()
        .replace("/" + amzDate.substring(0, 8) + "/", "/20200101/");
    error = assertError(send(checking, withHeader(signed, "Authorization", authorization)), "InvalidSignatureException");
    assertThat(error.path("message").asText()).startsWith("Date in Credential scope does not match");
  }

  @Test
  void aScopeForAnotherServiceIsAnInvalidSignature() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}",
        r -> r.putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "secretsmanager"));
    JsonNode error = assertError(send(checking, signed), "InvalidSignatureException");
    assertThat(error.path("message").asText()).contains("Credential should be scoped to correct service: 'kms'");
  }

  @Test
  void aSignatureTwentyMinutesOldHasExpired() throws Exception {
    Instant past = Instant.now().minus(Duration.ofMinutes(20));
    SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}",
        r -> r.putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(past, ZoneOffset.UTC)));
    JsonNode error = assertError(send(checking, signed), "InvalidSignatureException");
    assertThat(error.path("message").asText())
        .startsWith("Signature expired: " + AMZ_DATE.format(past) + " is now earlier than ")
        .endsWith(" - 15 min.)");
  }

  @Test
  void aSignatureTwentyMinutesAheadIsNotYetCurrent() throws Exception {
    Instant future = Instant.now().plus(Duration.ofMinutes(20));
    SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}",
        r -> r.putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(future, ZoneOffset.UTC)));
    JsonNode error = assertError(send(checking, signed), "InvalidSignatureException");
    assertThat(error.path("message").asText())
        .startsWith("Signature not yet current: " + AMZ_DATE.format(future) + " is still later than ")
        .endsWith(" + 15 min.)");
  }

  @Test
  void aSignatureFiveMinutesOffIsWithinTheAllowedSkew() throws Exception {
    for (Duration skew : List.of(Duration.ofMinutes(-5), Duration.ofMinutes(5))) {
      Instant at = Instant.now().plus(skew);
      SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}",
          r -> r.putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)));
      HttpResponse<String> response = send(checking, signed);
      assertThat(response.statusCode()).as("%s: %s", skew, response.body()).isEqualTo(200);
    }
  }

  @Test
  void aBodyChangedAfterSigningIsAnInvalidSignature() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.GenerateRandom", "{\"NumberOfBytes\":16}", r -> { });
    // Same length, one digit changed: only the payload hash can tell.
    HttpResponse<String> response = send(checking, signed, "{\"NumberOfBytes\":32}");
    assertThat(assertError(response, "InvalidSignatureException").path("message").asText()).startsWith(MISMATCH);
    // Unchanged, the same signed request is served.
    assertThat(send(checking, signed).statusCode()).isEqualTo(200);
  }

  @Test
  void aSignedHeaderChangedAfterSigningIsAnInvalidSignature() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.ListKeys", "{}", r -> { });
    HttpRequest request = withHeader(signed, "X-Amz-Target", "TrentService.ListAliases");
    assertThat(assertError(send(checking, request), "InvalidSignatureException").path("message").asText())
        .startsWith(MISMATCH);
  }

  @Test
  void aSignatureForAnotherRegionStillHasToMatchItsOwnScope() throws Exception {
    // Signed for eu-west-1 and verified as eu-west-1: let in, and served from eu-west-1's state.
    SignedRequest signed = sign(checking, "TrentService.CreateKey", "{}",
        r -> r.putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1"));
    HttpResponse<String> response = send(checking, signed);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("KeyMetadata").path("Arn").asText())
        .startsWith("arn:aws:kms:eu-west-1:000000000000:key/");
    // The same signature with the scope's Region edited is someone else's.
    String authorization = signed.request().firstMatchingHeader("Authorization").orElseThrow()
        .replace("/eu-west-1/", "/us-east-1/");
    HttpRequest forged = withHeader(signed, "Authorization", authorization);
    assertThat(assertError(send(checking, forged), "InvalidSignatureException").path("message").asText())
        .startsWith(MISMATCH);
  }

  @Test
  void aScopeNamingARegionAwsDoesNotHaveIsRefusedEvenWhenSignedForIt() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.CreateKey", "{}",
        r -> r.putProperty(AwsV4HttpSigner.REGION_NAME, "xx-east-1"));
    assertThat(assertError(send(checking, signed), "InvalidSignatureException").path("message").asText())
        .isEqualTo("Credential should be scoped to a valid region, not 'xx-east-1'. ");
  }

  @Test
  void aScopeNamingNoRegionIsRefusedEvenWhenSignedForIt() throws Exception {
    SignedRequest signed = sign(checking, "TrentService.CreateKey", "{}",
        r -> r.putProperty(AwsV4HttpSigner.REGION_NAME, "nowhere"));
    assertThat(assertError(send(checking, signed), "InvalidSignatureException").path("message").asText())
        .isEqualTo("Credential should be scoped to a valid region, not 'nowhere'. ");
  }

  // ---- trust mode --------------------------------------------------------------------------

  @Test
  void inTrustModeAScopeNamingNoRegionIsRefusedAndCreatesNoState() throws Exception {
    String longest = "a".repeat(300);
    for (String region : List.of("local", "US-EAST-1", "us-east-", "us--east-1", "us-east-1a", "us_east_1",
        longest)) {
      HttpResponse<String> response = send(trusting, unsigned(trusting, "TrentService.CreateKey", "{}")
          .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDANY/20261125/" + region
              + "/kms/aws4_request, SignedHeaders=host, Signature=00")
          .build());
      String shown = region.equals(longest) ? "a".repeat(32) + "..." : region;
      assertThat(assertError(response, "InvalidSignatureException").path("message").asText())
          .isEqualTo("Credential should be scoped to a valid region, not '" + shown + "'. ");
    }
    // AWS's Regions of every partition are served.
    for (String region : List.of("us-gov-west-1", "eu-isoe-west-1")) {
      HttpResponse<String> response = send(trusting, unsigned(trusting, "TrentService.CreateKey", "{}")
          .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDANY/20261125/" + region
              + "/kms/aws4_request, SignedHeaders=host, Signature=00")
          .build());
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
      assertThat(JSON.readTree(response.body()).path("KeyMetadata").path("Arn").asText()).contains(":" + region + ":");
    }
  }

  @Test
  void inTrustModeARegionShapedNameAwsDoesNotHaveIsRefusedAsAwsRefusesIt() throws Exception {
    // Each Region holds its own state: names a client invents must not make the backend grow.
    HttpResponse<String> response = send(trusting, unsigned(trusting, "TrentService.CreateKey", "{}")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDANY/20261125/xx-future-12"
            + "/kms/aws4_request, SignedHeaders=host, Signature=00")
        .build());
    assertThat(assertError(response, "InvalidSignatureException").path("message").asText())
        .isEqualTo("Credential should be scoped to a valid region, not 'xx-future-12'. ");
    AtomicInteger attempts = new AtomicInteger();
    try (KmsClient kms = countingClient(trusting, "AKIDANY", "whatever", attempts, Region.of("xx-future-12"))) {
      assertThat(message(expectError("InvalidSignatureException", () -> kms.listKeys())))
          .isEqualTo("Credential should be scoped to a valid region, not 'xx-future-12'. ");
      assertThat(attempts).hasValue(1);
    }
  }

  @Test
  void inTrustModeAnySecretIsAcceptedButTheScopeStillPicksAccountAndRegion() {
    try (KmsClient virginia = trusting.kms("AKIDANY", "whatever-secret", Region.US_EAST_1);
        KmsClient ireland = trusting.kms("AKIDANY", "another-secret-altogether", Region.EU_WEST_1);
        KmsClient account = trusting.kms(ACCOUNT_KEY, "irrelevant", Region.US_EAST_1)) {
      KeyMetadata key = virginia.createKey(r -> r.description("us-east-1 only")).keyMetadata();
      assertThat(key.arn()).startsWith("arn:aws:kms:us-east-1:000000000000:key/");
      assertThat(virginia.describeKey(r -> r.keyId(key.keyId())).keyMetadata().arn()).isEqualTo(key.arn());

      expectError("NotFoundException", () -> ireland.describeKey(r -> r.keyId(key.keyId())));
      assertThat(ireland.listKeys().keys()).noneMatch(k -> k.keyId().equals(key.keyId()));

      assertThat(account.createKey(r -> r.description("by account")).keyMetadata().awsAccountId())
          .isEqualTo(ACCOUNT_KEY);
    }
  }

  @Test
  void inTrustModeAnUnsignedRequestIsServedInTheDefaultRegion() throws Exception {
    HttpResponse<String> response = send(trusting, unsigned(trusting, "TrentService.CreateKey", "{}").build());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(JSON.readTree(response.body()).path("KeyMetadata").path("Arn").asText())
        .startsWith("arn:aws:kms:us-east-1:000000000000:key/");
  }

  // ---- helpers ------------------------------------------------------------------------------

  /**
   * A request signed the way the SigV4 documentation describes, with no SDK involved: canonical
   * request over content-type, host, x-amz-date and x-amz-target, then the HMAC-SHA256 key chain.
   * Signs {@code signedBody} and sends {@code sentBody}.
   */
  private static HttpRequest signedAsDocumented(String target, String signedBody, String sentBody, String accessKey,
      String secret, Instant at) throws Exception {
    return signedAsDocumented(target, target, "content-type;host;x-amz-date;x-amz-target", signedBody, sentBody,
        accessKey, secret, at);
  }

  /**
   * The same, signing only {@code signedHeaders} (a subset of content-type, host, x-amz-date,
   * x-amz-target) and sending {@code sentTarget} in X-Amz-Target.
   */
  private static HttpRequest signedAsDocumented(String signedTarget, String sentTarget, String signedHeaders,
      String signedBody, String sentBody, String accessKey, String secret, Instant at) throws Exception {
    URI uri = checking.uri().resolve("/");
    String amzDate = AMZ_DATE.format(at);
    String date = amzDate.substring(0, 8);
    Map<String, String> values = Map.of("content-type", AMZ_JSON, "host", uri.getHost() + ":" + uri.getPort(),
        "x-amz-date", amzDate, "x-amz-target", signedTarget);
    StringBuilder canonicalHeaders = new StringBuilder();
    for (String name : signedHeaders.split(";")) {
      canonicalHeaders.append(name).append(':').append(values.get(name)).append('\n');
    }
    String canonicalRequest = "POST\n/\n\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + hex(sha256(signedBody));
    String scope = date + "/us-east-1/kms/aws4_request";
    String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + hex(sha256(canonicalRequest));
    byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
    for (String part : new String[] {"us-east-1", "kms", "aws4_request"}) {
      key = hmac(key, part);
    }
    String signature = hex(hmac(key, stringToSign));
    return HttpRequest.newBuilder(uri)
        .header("Content-Type", AMZ_JSON)
        .header("X-Amz-Date", amzDate)
        .header("X-Amz-Target", sentTarget)
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/" + scope
            + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature)
        .POST(HttpRequest.BodyPublishers.ofString(sentBody))
        .build();
  }

  private static byte[] sha256(String text) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(byte[] key, String data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  /** A KMS client like the fixture's, counting the HTTP attempts each call makes. */
  private static KmsClient countingClient(BackendFixture backend, String accessKey, String secret,
      AtomicInteger attempts) {
    return countingClient(backend, accessKey, secret, attempts, Region.US_EAST_1);
  }

  private static KmsClient countingClient(BackendFixture backend, String accessKey, String secret,
      AtomicInteger attempts, Region region) {
    return KmsClient.builder()
        .endpointOverride(backend.uri())
        .region(region)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret)))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(RetryMode.STANDARD)
            .apiCallTimeout(Duration.ofSeconds(30))
            .addExecutionInterceptor(new ExecutionInterceptor() {
              @Override
              public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                attempts.incrementAndGet();
              }
            })
            .build())
        .build();
  }

  private static HttpRequest.Builder unsigned(String target, String body) {
    return unsigned(checking, target, body);
  }

  private static HttpRequest.Builder unsigned(BackendFixture backend, String target, String body) {
    return HttpRequest.newBuilder(backend.uri().resolve("/"))
        .header("Content-Type", AMZ_JSON)
        .header("X-Amz-Target", target)
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  /**
   * Signs a KMS request for {@code AKIDSHUNT} in us-east-1, now, with the SDK's signer; {@code
   * tweak} changes the signing properties (clock, Region, service).
   */
  private static SignedRequest sign(BackendFixture backend, String target, String body,
      Consumer<SignRequest.Builder<AwsCredentialsIdentity>> tweak) {
    return sign(backend.uri().resolve("/"), target, body, tweak);
  }

  private static SignedRequest sign(URI uri, String target, String body,
      Consumer<SignRequest.Builder<AwsCredentialsIdentity>> tweak) {
    SdkHttpRequest request = SdkHttpRequest.builder()
        .uri(uri)
        .method(SdkHttpMethod.POST)
        .putHeader("Host", uri.getHost() + ":" + uri.getPort())
        .putHeader("Content-Type", AMZ_JSON)
        .putHeader("X-Amz-Target", target)
        .build();
    byte[] payload = body.getBytes(StandardCharsets.UTF_8);
    return AwsV4HttpSigner.create().sign(r -> {
      r.identity(AwsCredentialsIdentity.create(ACCESS_KEY, SECRET))
          .request(request)
          .payload(ContentStreamProvider.fromByteArray(payload))
          .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
          .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, "kms");
      tweak.accept(r);
    });
  }

  private static HttpResponse<String> send(BackendFixture backend, SignedRequest signed) throws Exception {
    byte[] body = signed.payload().orElseThrow().newStream().readAllBytes();
    return send(backend, signed, new String(body, StandardCharsets.UTF_8));
  }

  /** Sends the signed request's headers with this body (the signed one, or a tampered one). */
  private static HttpResponse<String> send(BackendFixture backend, SignedRequest signed, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(backend.uri().resolve("/"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    signed.request().headers().forEach((name, values) -> {
      if (!isRestricted(name)) {
        values.forEach(value -> request.header(name, value));
      }
    });
    return send(backend, request.build());
  }

  private static HttpResponse<String> send(BackendFixture backend, HttpRequest request) throws Exception {
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  /** The signed request as sent, with one header's value replaced (or, for null, removed) after signing. */
  private static HttpRequest withHeader(SignedRequest signed, String header, String value) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(checking.uri().resolve("/"))
        .POST(HttpRequest.BodyPublishers.ofByteArray(signed.payload().orElseThrow().newStream().readAllBytes()));
    signed.request().headers().forEach((name, values) -> {
      if (isRestricted(name)) {
        return;
      }
      if (!name.equalsIgnoreCase(header)) {
        values.forEach(v -> request.header(name, v));
      } else if (value != null) {
        request.header(name, value);
      }
    });
    return request.build();
  }

  /** Headers java.net.http sets itself (with the same values the signer saw). */
  private static boolean isRestricted(String name) {
    return Set.of("host", "content-length", "connection", "expect", "upgrade")
        .contains(name.toLowerCase(Locale.ROOT));
  }

  /** Asserts a 4xx AWS error envelope of this type, with a request id, and returns its body. */
  private static JsonNode assertError(HttpResponse<String> response, String type) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isBetween(400, 499);
    assertThat(response.headers().firstValue("x-amzn-RequestId")).hasValueSatisfying(id -> assertThat(id).isNotBlank());
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.path("__type").asText()).as(response.body()).isEqualTo(type);
    assertThat(error.path("message").asText()).as(response.body()).isNotBlank();
    return error;
  }
}
