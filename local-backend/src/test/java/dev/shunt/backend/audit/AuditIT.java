package dev.shunt.backend.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** CloudTrail-shaped records over real HTTP: their fields, what they leave out, the log file, the endpoint. */
class AuditIT {
  /** CloudTrail's record contents (CloudTrail User Guide, "CloudTrail record contents for management events"). */
  private static final Set<String> RECORD_FIELDS = Set.of("eventTime", "eventVersion", "userIdentity", "eventSource",
      "eventName", "awsRegion", "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters",
      "responseElements", "additionalEventData", "requestID", "eventID", "eventType", "apiVersion",
      "managementEvent", "readOnly", "resources", "recipientAccountId", "serviceEventDetails", "sharedEventID",
      "vpcEndpointId", "vpcEndpointAccountId", "eventCategory", "addendum", "sessionCredentialFromConsole",
      "edgeDeviceDetails", "tlsDetails", "insightDetails");
  private static final Set<String> ALWAYS = Set.of("eventVersion", "userIdentity", "eventTime", "eventSource",
      "eventName", "awsRegion", "sourceIPAddress", "userAgent", "requestParameters", "responseElements", "requestID",
      "eventID", "readOnly", "eventType", "managementEvent", "recipientAccountId", "eventCategory");
  private static final Set<String> IDENTITY_FIELDS = Set.of("type", "principalId", "arn", "accountId", "accessKeyId",
      "userName", "sessionContext", "invokedBy", "sessionIssuer", "webIdFederationData", "identityProvider",
      "credentialId", "onBehalfOf", "inScopeOf");

  private BackendFixture shunt;

  @AfterEach
  void stop() {
    if (shunt != null) {
      shunt.close();
    }
  }

  private List<JsonNode> records() throws Exception {
    HttpResponse<String> response = shunt.get("/_shunt/audit?limit=1000");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<JsonNode> records = new ArrayList<>();
    Json.readTree(response.body()).get("Records").forEach(records::add);
    return records;
  }

  private static JsonNode only(List<JsonNode> records, String source, String name) {
    List<JsonNode> matching = records.stream().filter(r -> r.get("eventSource").asText().equals(source)
        && r.get("eventName").asText().equals(name) && !r.get("userIdentity").has("invokedBy")).toList();
    assertThat(matching).as(source + " " + name).hasSize(1);
    return matching.get(0);
  }

  @Test
  void everyCallBecomesACloudTrailRecordWithTheDocumentedFields() throws Exception {
    shunt = BackendFixture.start();
    KmsClient kms = shunt.kms();
    String keyArn = kms.createKey(r -> r.description("orders")).keyMetadata().arn();
    kms.encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String("x"))
        .encryptionContext(Map.of("tenant", "acme")));
    List<JsonNode> records = records();
    for (JsonNode record : records) {
      assertThat(iterable(record.fieldNames())).isSubsetOf(RECORD_FIELDS).containsAll(ALWAYS);
      assertThat(iterable(record.get("userIdentity").fieldNames())).isSubsetOf(IDENTITY_FIELDS);
    }
    JsonNode created = only(records, "kms.amazonaws.com", "CreateKey");
    assertThat(created.get("readOnly").asBoolean()).isFalse();
    assertThat(created.get("requestParameters").get("description").asText()).isEqualTo("orders");
    assertThat(created.get("responseElements").get("keyMetadata").get("arn").asText()).isEqualTo(keyArn);
    JsonNode encrypt = only(records, "kms.amazonaws.com", "Encrypt");
    assertThat(encrypt.get("eventVersion").asText()).isEqualTo("1.11");
    assertThat(encrypt.get("eventType").asText()).isEqualTo("AwsApiCall");
    assertThat(encrypt.get("eventCategory").asText()).isEqualTo("Management");
    assertThat(encrypt.get("managementEvent").asBoolean()).isTrue();
    assertThat(encrypt.get("readOnly").asBoolean()).isTrue();
    assertThat(encrypt.get("awsRegion").asText()).isEqualTo("us-east-1");
    assertThat(encrypt.get("sourceIPAddress").asText()).isEqualTo("127.0.0.1");
    assertThat(encrypt.get("userAgent").asText()).contains("aws-sdk-java");
    assertThat(encrypt.get("eventTime").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(encrypt.get("recipientAccountId").asText()).isEqualTo("000000000000");
    assertThat(encrypt.get("userIdentity").get("type").asText()).isEqualTo("Root");
    assertThat(encrypt.get("userIdentity").get("arn").asText()).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(encrypt.get("userIdentity").get("accessKeyId").asText()).isEqualTo("AKIDTEST");
    // CloudTrail keeps the key, algorithm and context, never the plaintext; no response for a read-only call.
    JsonNode parameters = encrypt.get("requestParameters");
    assertThat(parameters.get("keyId").asText()).isEqualTo(keyArn);
    assertThat(parameters.get("encryptionContext").get("tenant").asText()).isEqualTo("acme");
    assertThat(parameters.has("plaintext")).isFalse();
    assertThat(encrypt.get("responseElements").isNull()).isTrue();
    assertThat(encrypt.get("resources")).hasSize(1);
    assertThat(encrypt.get("resources").get(0).get("ARN").asText()).isEqualTo(keyArn);
    assertThat(encrypt.get("resources").get(0).get("type").asText()).isEqualTo("AWS::KMS::Key");
    assertThat(encrypt.get("resources").get(0).get("accountId").asText()).isEqualTo("000000000000");
    assertThat(encrypt.get("requestID").asText()).isNotEqualTo(encrypt.get("eventID").asText());
  }

  @Test
  void failuresAreRecordedWithTheirErrorAndAServiceActingForTheCallerGetsItsOwnKmsRecord() throws Exception {
    shunt = BackendFixture.start();
    try {
      shunt.kms().describeKey(r -> r.keyId("alias/missing"));
    } catch (AwsServiceException expected) {
      // recorded below
    }
    String secretArn = shunt.secrets().createSecret(r -> r.name("orders/db").secretString("{\"password\":\"p\"}"))
        .arn();
    shunt.secrets().getSecretValue(r -> r.secretId("orders/db"));
    List<JsonNode> records = records();
    JsonNode missing = only(records, "kms.amazonaws.com", "DescribeKey");
    assertThat(missing.get("errorCode").asText()).isEqualTo("NotFoundException");
    assertThat(missing.get("errorMessage").asText()).contains("alias/missing");
    JsonNode read = only(records, "secretsmanager.amazonaws.com", "GetSecretValue");
    assertThat(read.get("requestParameters").get("secretId").asText()).isEqualTo("orders/db");
    assertThat(read.get("resources").get(0).get("ARN").asText()).isEqualTo(secretArn);
    assertThat(read.get("resources").get(0).get("type").asText()).isEqualTo("AWS::SecretsManager::Secret");
    JsonNode created = only(records, "secretsmanager.amazonaws.com", "CreateSecret");
    assertThat(created.get("responseElements").get("arn").asText()).isEqualTo(secretArn);
    assertThat(created.get("requestParameters").has("secretString")).isFalse();
    // Secrets Manager decrypted the value under aws/secretsmanager for the caller: a KMS record, invokedBy it.
    List<JsonNode> byService = records.stream().filter(r -> r.get("userIdentity").has("invokedBy")).toList();
    assertThat(byService).extracting(r -> r.get("eventName").asText()).contains("GenerateDataKey", "Decrypt");
    JsonNode decrypt = byService.stream().filter(r -> r.get("eventName").asText().equals("Decrypt")).findFirst()
        .orElseThrow();
    assertThat(decrypt.get("eventSource").asText()).isEqualTo("kms.amazonaws.com");
    assertThat(decrypt.get("userIdentity").get("invokedBy").asText()).isEqualTo("secretsmanager.amazonaws.com");
    assertThat(decrypt.get("sourceIPAddress").asText()).isEqualTo("secretsmanager.amazonaws.com");
    assertThat(decrypt.get("requestID").asText()).isEqualTo(read.get("requestID").asText());
    assertThat(decrypt.get("resources").get(0).get("type").asText()).isEqualTo("AWS::KMS::Key");
  }

  @Test
  void throttledAndDeniedCallsAreRecordedAndTheResponseCarriesTheDecision() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().option("quotas", "off"));
    shunt.backend().quotas().configure(dev.shunt.backend.quota.QuotaConfig.parse(
        Json.parseRequest("{\"rates\": {\"kms:GenerateRandom\": 0}}".getBytes(StandardCharsets.UTF_8))));
    HttpResponse<String> throttled = shunt.post("/", "TrentService.GenerateRandom", "{\"NumberOfBytes\": 8}");
    assertThat(throttled.statusCode()).isEqualTo(400);
    assertThat(throttled.headers().firstValue("x-shunt-decision")).hasValue("throttled");
    assertThat(only(records(), "kms.amazonaws.com", "GenerateRandom").get("errorCode").asText())
        .isEqualTo("ThrottlingException");
    // Another account's key without a policy that lets the caller in: denied.
    String foreign = shunt.kms("111122223333", software.amazon.awssdk.regions.Region.US_EAST_1).createKey(r -> { })
        .keyMetadata().arn();
    HttpResponse<String> denied = shunt.post("/", "TrentService.Encrypt",
        "{\"KeyId\": \"" + foreign + "\", \"Plaintext\": \"eA==\"}");
    assertThat(denied.statusCode()).isEqualTo(400);
    assertThat(denied.headers().firstValue("x-shunt-decision")).hasValue("denied");
    assertThat(denied.headers().firstValue("x-shunt-key-arn")).hasValue(foreign);
    JsonNode record = only(records(), "kms.amazonaws.com", "Encrypt");
    assertThat(record.get("errorCode").asText()).isEqualTo("AccessDeniedException");
    assertThat(record.get("recipientAccountId").asText()).isEqualTo("111122223333");
  }

  @Test
  void responsesCarryWhatTheBackendResolved() throws Exception {
    shunt = BackendFixture.start();
    String keyArn = shunt.kms().createKey(r -> { }).keyMetadata().arn();
    shunt.kms().createAlias(r -> r.aliasName("alias/orders").targetKeyId(keyArn));
    HttpResponse<String> encrypted = shunt.post("/", "TrentService.Encrypt", "{\"KeyId\": \"alias/orders\", "
        + "\"Plaintext\": \"eA==\", \"EncryptionContext\": {\"tenant\": \"acme\", \"order\": \"7\", "
        + "\"a,b \u00e9\": \"x\"}}");
    assertThat(encrypted.statusCode()).as(encrypted.body()).isEqualTo(200);
    assertThat(encrypted.headers().firstValue("x-shunt-key-arn")).hasValue(keyArn);
    assertThat(encrypted.headers().firstValue("x-shunt-key-spec")).hasValue("SYMMETRIC_DEFAULT");
    assertThat(encrypted.headers().firstValue("x-shunt-encryption-algorithm")).hasValue("SYMMETRIC_DEFAULT");
    assertThat(encrypted.headers().firstValue("x-shunt-encryption-context-keys")).hasValue("tenant,order,a%2Cb%20%C3%A9");
    assertThat(encrypted.headers().firstValue("x-shunt-principal-arn")).hasValue("arn:aws:iam::000000000000:root");
    assertThat(encrypted.headers().firstValue("x-shunt-decision")).hasValue("allowed");
    shunt.ssm().putParameter(r -> r.name("/orders/size").value("10").type(ParameterType.STRING));
    HttpResponse<String> parameter = shunt.post("/", "AmazonSSM.GetParameter", "{\"Name\": \"/orders/size\"}");
    assertThat(parameter.headers().firstValue("x-shunt-parameter-name")).hasValue("/orders/size");
  }

  @Test
  void aSignatureIsAuditedWithItsKeySpecAndAlgorithmAndNeitherItsMessageNorItsSignature() throws Exception {
    shunt = BackendFixture.start();
    String keyArn = shunt.kms().createKey(r -> r.keySpec("ECC_NIST_P256").keyUsage("SIGN_VERIFY")).keyMetadata()
        .arn();
    String message = "bWVzc2FnZS10by1zaWduLTQ0YjE=";
    HttpResponse<String> signed = shunt.post("/", "TrentService.Sign", "{\"KeyId\": \"" + keyArn + "\", "
        + "\"Message\": \"" + message + "\", \"SigningAlgorithm\": \"ECDSA_SHA_256\"}");
    assertThat(signed.statusCode()).as(signed.body()).isEqualTo(200);
    assertThat(signed.headers().firstValue("x-shunt-key-spec")).hasValue("ECC_NIST_P256");
    assertThat(signed.headers().firstValue("x-shunt-encryption-algorithm")).hasValue("ECDSA_SHA_256");
    String signature = Json.readTree(signed.body()).get("Signature").asText();
    JsonNode record = only(records(), "kms.amazonaws.com", "Sign");
    assertThat(record.toString()).contains(keyArn).doesNotContain(message).doesNotContain(signature);
  }

  @Test
  void noRecordHoldsAPlaintextADataKeyASecretOrAParameterValue(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("audit.jsonl");
    shunt = BackendFixture.start(ShuntBackend.builder().option("audit-log", log.toString()));
    String plaintext = "PLAINTEXT-7d1f0c2a";
    String secret = "SECRET-VALUE-9b2e44";
    String binarySecret = "BINARY-SECRET-51aa";
    String parameterValue = "PARAMETER-VALUE-3c8d";
    String rotatedSecret = "SECRET-PUT-2f6b";
    KmsClient kms = shunt.kms();
    String key = kms.createKey(r -> { }).keyMetadata().keyId();
    SdkBytes ciphertext = kms.encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String(plaintext)))
        .ciphertextBlob();
    kms.decrypt(r -> r.ciphertextBlob(ciphertext));
    GenerateDataKeyResponse dataKey = kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256));
    String randomBytes = Base64.getEncoder().encodeToString(kms.generateRandom(r -> r.numberOfBytes(32))
        .plaintext().asByteArray());
    shunt.secrets().createSecret(r -> r.name("app/db").secretString(secret));
    shunt.secrets().createSecret(r -> r.name("app/bin").secretBinary(SdkBytes.fromUtf8String(binarySecret)));
    shunt.secrets().putSecretValue(r -> r.secretId("app/db").secretString(rotatedSecret));
    shunt.secrets().getSecretValue(r -> r.secretId("app/db"));
    shunt.secrets().getSecretValue(r -> r.secretId("app/bin"));
    shunt.secrets().batchGetSecretValue(r -> r.secretIdList("app/db", "app/bin"));
    String password = shunt.secrets().getRandomPassword(r -> r.passwordLength(40L)).randomPassword();
    shunt.ssm().putParameter(r -> r.name("/app/token").value(parameterValue).type(ParameterType.SECURE_STRING));
    shunt.ssm().getParameter(r -> r.name("/app/token").withDecryption(true));
    shunt.ssm().getParameters(r -> r.names("/app/token").withDecryption(true));
    shunt.ssm().getParametersByPath(r -> r.path("/app").withDecryption(true));
    shunt.ssm().getParameterHistory(r -> r.name("/app/token").withDecryption(true));

    String endpoint = shunt.get("/_shunt/audit?limit=1000").body();
    shunt.backend().audit().close(); // flushes the file
    String file = Files.readString(log);
    List<String> forbidden = List.of(plaintext, b64(plaintext), secret, binarySecret, b64(binarySecret),
        rotatedSecret, parameterValue, password, randomBytes,
        Base64.getEncoder().encodeToString(dataKey.plaintext().asByteArray()),
        Base64.getEncoder().encodeToString(ciphertext.asByteArray()));
    for (String output : List.of(endpoint, file)) {
      assertThat(output).contains("GetSecretValue", "PutParameter", "GenerateDataKey");
      for (String value : forbidden) {
        assertThat(output).doesNotContain(value);
      }
    }
    assertThat(file.lines()).allSatisfy(line -> assertThat(Json.readTree(line).has("eventID")).isTrue());
  }

  @Test
  void theLogFileRotatesBySizeAndKeepsItsNumberOfFiles(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("audit.jsonl");
    shunt = BackendFixture.start(ShuntBackend.builder().option("audit-log", log.toString())
        .option("audit-log-max-bytes", "4096").option("audit-log-files", "2"));
    KmsClient kms = shunt.kms();
    for (int i = 0; i < 60; i++) {
      kms.generateRandom(r -> r.numberOfBytes(8));
    }
    shunt.backend().audit().close();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2");
    }
    for (String name : List.of("audit.jsonl", "audit.jsonl.1", "audit.jsonl.2")) {
      Path file = dir.resolve(name);
      assertThat(Files.size(file)).isLessThanOrEqualTo(4096);
      assertThat(Files.readAllLines(file)).isNotEmpty().allSatisfy(line ->
          assertThat(Json.readTree(line).get("eventName").asText()).isEqualTo("GenerateRandom"));
    }
  }

  @Test
  void theEndpointServesTheMostRecentRecordsOldestFirstAndRefusesBadLimits() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().option("audit-recent", "5"));
    for (int bytes = 1; bytes <= 8; bytes++) {
      int n = bytes;
      shunt.kms().generateRandom(r -> r.numberOfBytes(n));
    }
    JsonNode all = Json.readTree(shunt.get("/_shunt/audit").body()).get("Records");
    assertThat(all).hasSize(5);
    assertThat(all.get(0).get("requestParameters").get("numberOfBytes").asInt()).isEqualTo(4);
    assertThat(all.get(4).get("requestParameters").get("numberOfBytes").asInt()).isEqualTo(8);
    JsonNode two = Json.readTree(shunt.get("/_shunt/audit?limit=2").body()).get("Records");
    assertThat(two).extracting(r -> r.get("requestParameters").get("numberOfBytes").asInt()).containsExactly(7, 8);
    for (String bad : List.of("0", "-3", "abc", "100001")) {
      assertThat(shunt.get("/_shunt/audit?limit=" + bad).statusCode()).as(bad).isEqualTo(400);
    }
    shunt.post("/_shunt/reset", null, "");
    assertThat(Json.readTree(shunt.get("/_shunt/audit").body()).get("Records")).isEmpty();
  }

  @Test
  void eachAttemptOfAnSdkCallIsAnEventNamingTheCallAndTheAttempt() throws Exception {
    shunt = BackendFixture.start(ShuntBackend.builder().option("quotas", "aws").option("quota-scale", "0"));
    KmsClient kms = shunt.kms();
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> kms.generateRandom(r -> r.numberOfBytes(8))))
        .isInstanceOf(AwsServiceException.class).hasMessageContaining("SDK Attempt Count: 3");
    List<AuditEvent> events = shunt.backend().audit().recent(100);
    assertThat(events).extracting(AuditEvent::attempt).containsExactly(1, 2, 3);
    assertThat(events).extracting(AuditEvent::errorCode).containsOnly("ThrottlingException");
    assertThat(events.get(0).invocationId()).isNotBlank();
    assertThat(events).extracting(AuditEvent::invocationId).containsOnly(events.get(0).invocationId());
    // A request that does not say which call it is (not an SDK's) has neither.
    shunt.post("/", "TrentService.GenerateRandom", "{\"NumberOfBytes\": 8}");
    AuditEvent raw = shunt.backend().audit().recent(1).get(0);
    assertThat(raw.invocationId()).isNull();
    assertThat(raw.attempt()).isZero();
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static <T> List<T> iterable(Iterator<T> iterator) {
    List<T> items = new ArrayList<>();
    iterator.forEachRemaining(items::add);
    return items;
  }
}
