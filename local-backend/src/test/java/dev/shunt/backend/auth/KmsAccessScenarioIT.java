package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * ../shared/reference/kms-access-scenario.md, every cell: four users, three keys, key policies
 * that delegate to IAM or do not, an explicit deny; under SigV4 with the real SDK.
 */
class KmsAccessScenarioIT {
  private static final String ACCOUNT = "111122223333";
  private static final Map<String, String> KEYS = Map.of(
      "A", "aaaaaaaa-1111-4111-8111-111111111111",
      "B", "bbbbbbbb-2222-4222-8222-222222222222",
      "C", "cccccccc-3333-4333-8333-333333333333",
      "D", "dddddddd-4444-4444-8444-444444444444");
  @TempDir
  static Path dir;
  private static BackendFixture shunt;
  private static final Map<String, KmsClient> USERS = new LinkedHashMap<>();
  private static final Map<String, SdkBytes> CIPHERTEXTS = new LinkedHashMap<>();

  private static String arn(String key) {
    return "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/" + KEYS.get(key);
  }

  private static String user(String name) {
    return "arn:aws:iam::" + ACCOUNT + ":user/" + name;
  }

  private static String statement(String effect, String principals, String actions) {
    return "{\"Effect\":\"" + effect + "\",\"Principal\":{\"AWS\":" + principals + "},\"Action\":" + actions
        + ",\"Resource\":\"*\"}";
  }

  private static String policy(String... statements) {
    return "'{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}'";
  }

  @BeforeAll
  static void start() throws Exception {
    String root = "\"arn:aws:iam::" + ACCOUNT + ":root\"";
    String seed = "version: 1\nregions:\n  - account: \"" + ACCOUNT + "\"\n    region: us-east-1\n    kms:\n      keys:\n"
        + "        - KeyId: " + KEYS.get("A") + "\n          Policy: " + policy(statement("Allow", root, "\"kms:*\""))
        + "\n        - KeyId: " + KEYS.get("B") + "\n          Policy: " + policy(statement("Allow",
            "[\"" + user("bob") + "\",\"" + user("charlie") + "\"]", "\"kms:*\""))
        + "\n        - KeyId: " + KEYS.get("C") + "\n          Policy: " + policy(statement("Allow", root, "\"kms:*\""),
            statement("Allow", "\"" + user("alice") + "\"", "\"kms:*\""),
            statement("Deny", "[\"" + user("bob") + "\",\"" + user("charlie") + "\",\"" + user("david") + "\"]",
                "\"kms:*\"")) + "\n"
        + "        - KeyId: " + KEYS.get("D") + "\n          Policy: " + policy(statement("Allow", root, "\"kms:*\""),
            "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + user("bob") + "\"},\"Action\":\"kms:Encrypt\","
            + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:EncryptionContext:tenant\":\"t1\"}}}") + "\n";
    Path seedFile = dir.resolve("seed.yaml");
    Files.writeString(seedFile, seed);
    String principals = "principals:\n"
        + entry("alice", "[{Effect: Allow, Action: \"kms:*\", Resource: [\"" + arn("A") + "\", \"" + arn("B") + "\"]}]")
        + entry("bob", null)
        + entry("charlie", "[{Effect: Allow, Action: \"kms:Encrypt\", Resource: \"" + arn("A") + "\"}]")
        + entry("david", "[{Effect: Allow, Action: \"kms:*\", Resource: [\"" + arn("B") + "\", \"" + arn("C") + "\"]}]")
        + "  - arn: arn:aws:iam::" + ACCOUNT + ":root\n    accessKeys: [{id: AKIAROOT1, secret: root-secret}]\n";
    Path principalsFile = dir.resolve("principals.yaml");
    Files.writeString(principalsFile, principals);
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4).option("seed", seedFile.toString())
        .option("principals", principalsFile.toString()).option("admin-token", "a-test-admin-token-1234"));
    for (String name : List.of("alice", "bob", "charlie", "david")) {
      USERS.put(name, shunt.kms("AKIA" + name.toUpperCase(), name + "-secret", Region.US_EAST_1));
    }
    // Ciphertexts under each key, made by someone the scenario lets encrypt with it.
    CIPHERTEXTS.put("A", encrypt("alice", "A"));
    CIPHERTEXTS.put("B", encrypt("bob", "B"));
    CIPHERTEXTS.put("C", encrypt("alice", "C"));
  }

  private static String entry(String name, String statements) {
    return "  - arn: " + user(name) + "\n    accessKeys: [{id: AKIA" + name.toUpperCase() + ", secret: " + name
        + "-secret}]\n" + (statements == null ? "" : "    policies: [{Version: \"2012-10-17\", Statement: "
        + statements + "}]\n");
  }

  private static SdkBytes encrypt(String name, String key) {
    return USERS.get(name).encrypt(r -> r.keyId(KEYS.get(key)).plaintext(SdkBytes.fromUtf8String("x")))
        .ciphertextBlob();
  }

  @AfterAll
  static void stop() {
    USERS.values().forEach(KmsClient::close);
    shunt.close();
  }

  @Test
  void aKeyPolicyConditionOnTheEncryptionContextDecides() {
    KmsClient bob = USERS.get("bob");
    bob.encrypt(r -> r.keyId(KEYS.get("D")).plaintext(SdkBytes.fromUtf8String("x"))
        .encryptionContext(Map.of("tenant", "t1")));
    assertThatThrownBy(() -> bob.encrypt(r -> r.keyId(KEYS.get("D")).plaintext(SdkBytes.fromUtf8String("x"))
        .encryptionContext(Map.of("tenant", "t2")))).isInstanceOfSatisfying(KmsException.class,
            // Key D delegates to IAM (its root statement), so AWS names the identity policies.
            e -> assertThat(e.awsErrorDetails().errorMessage()).endsWith(
                "because no identity-based policy allows the kms:Encrypt action"));
    assertThatThrownBy(() -> bob.encrypt(r -> r.keyId(KEYS.get("D")).plaintext(SdkBytes.fromUtf8String("x"))))
        .isInstanceOf(KmsException.class);
  }

  @Test
  void aGrantLetsItsGranteeDoItsOperationsWithinItsConstraintsButNotPastAnExplicitDeny() {
    try (KmsClient root = shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1)) {
      KmsClient david = USERS.get("david");
      assertThatThrownBy(() -> david.encrypt(r -> r.keyId(KEYS.get("D")).plaintext(SdkBytes.fromUtf8String("x"))
          .encryptionContext(Map.of("tenant", "t9")))).isInstanceOf(KmsException.class);
      root.createGrant(r -> r.keyId(KEYS.get("D")).granteePrincipal(user("david"))
          .operations(software.amazon.awssdk.services.kms.model.GrantOperation.ENCRYPT)
          .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "t9"))));
      david.encrypt(r -> r.keyId(KEYS.get("D")).plaintext(SdkBytes.fromUtf8String("x"))
          .encryptionContext(Map.of("tenant", "t9", "order", "1")));
      assertThatThrownBy(() -> david.encrypt(r -> r.keyId(KEYS.get("D")).plaintext(SdkBytes.fromUtf8String("x"))
          .encryptionContext(Map.of("tenant", "t8")))).isInstanceOf(KmsException.class);
      assertThatThrownBy(() -> david.describeKey(r -> r.keyId(KEYS.get("D")))).isInstanceOf(KmsException.class);
      // Key C denies David explicitly: a grant cannot get past that.
      root.createGrant(r -> r.keyId(KEYS.get("C")).granteePrincipal(user("david"))
          .operations(software.amazon.awssdk.services.kms.model.GrantOperation.DESCRIBE_KEY));
      assertThatThrownBy(() -> david.describeKey(r -> r.keyId(KEYS.get("C")))).isInstanceOf(KmsException.class);
    }
  }

  @Test
  void anExplicitDenySaysWhereItIsAndAPolicyWithAnUnknownOperatorIsRefused() {
    assertThatThrownBy(() -> USERS.get("bob").describeKey(r -> r.keyId(KEYS.get("C"))))
        .isInstanceOfSatisfying(KmsException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .endsWith("with an explicit deny in a resource-based policy"));
    assertThatThrownBy(() -> USERS.get("alice").describeKey(r -> r.keyId(KEYS.get("B"))))
        .isInstanceOfSatisfying(KmsException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .endsWith("because no resource-based policy allows the kms:DescribeKey action"));
    assertThatThrownBy(() -> USERS.get("charlie").decrypt(r -> r.ciphertextBlob(CIPHERTEXTS.get("A"))))
        .isInstanceOfSatisfying(KmsException.class, e -> assertThat(e.awsErrorDetails().errorMessage())
            .endsWith("because no identity-based policy allows the kms:Decrypt action"));
    String bad = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\""
        + "arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\",\"Condition\":"
        + "{\"StringEqualz\":{\"kms:CallerAccount\":\"" + ACCOUNT + "\"}}}]}";
    assertThatThrownBy(() -> USERS.get("alice").putKeyPolicy(r -> r.keyId(KEYS.get("A")).policyName("default")
        .policy(bad))).isInstanceOfSatisfying(KmsException.class, e -> {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocumentException");
          assertThat(e.awsErrorDetails().errorMessage()).contains("StringEqualz");
        });
  }

  @Test
  void explainSaysWhichPolicyAndStatementDecided() throws Exception {
    USERS.get("alice").describeKey(r -> r.keyId(KEYS.get("C")));
    assertThatThrownBy(() -> USERS.get("charlie").decrypt(r -> r.ciphertextBlob(CIPHERTEXTS.get("A"))))
        .isInstanceOf(KmsException.class);
    var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        shunt.uri().resolve("/_shunt/explain?limit=2")).header("Authorization", "Bearer a-test-admin-token-1234")
        .GET().build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    com.fasterxml.jackson.databind.JsonNode decisions = dev.shunt.backend.core.Json.readTree(response.body())
        .get("decisions");
    assertThat(decisions).hasSize(2);
    com.fasterxml.jackson.databind.JsonNode charlie = decisions.get(0);
    assertThat(charlie.get("principal").asText()).isEqualTo(user("charlie"));
    assertThat(charlie.get("action").asText()).isEqualTo("kms:Decrypt");
    assertThat(charlie.get("resource").asText()).isEqualTo(arn("A"));
    assertThat(charlie.get("decision").asText()).isEqualTo("denied");
    assertThat(charlie.get("reason").asText()).isEqualTo("NO_IDENTITY_POLICY_ALLOWS");
    assertThat(charlie.get("policy").asText()).isEqualTo("key policy");
    assertThat(charlie.get("statement").asText()).isEqualTo("#0");
    com.fasterxml.jackson.databind.JsonNode alice = decisions.get(1);
    assertThat(alice.get("decision").asText()).isEqualTo("allowed");
    assertThat(alice.get("reason").asText()).isEqualTo("ALLOWED_BY_KEY_POLICY");
    assertThat(alice.get("statement").asText()).isEqualTo("#1");
    // A careless or hostile caller: a malformed limit is refused, and without the admin token nothing is told.
    var client = java.net.http.HttpClient.newHttpClient();
    assertThat(client.send(java.net.http.HttpRequest.newBuilder(shunt.uri().resolve("/_shunt/explain?limit=lots"))
        .header("Authorization", "Bearer a-test-admin-token-1234").GET().build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body()).contains("ValidationException");
    var anonymous = client.send(java.net.http.HttpRequest.newBuilder(shunt.uri().resolve("/_shunt/explain")).GET()
        .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(anonymous.statusCode()).isEqualTo(403);
    assertThat(anonymous.body()).doesNotContain("charlie");
  }

  @Test
  void aKeyPolicyThatWouldLockTheCallerOutIsRefusedUnlessTheCheckIsBypassed() {
    String onlyBob = "{\"Version\":\"2012-10-17\",\"Statement\":[" + statement("Allow", "\"" + user("bob") + "\"",
        "\"kms:*\"") + "]}";
    try (KmsClient root = shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1)) {
      assertThatThrownBy(() -> root.createKey(r -> r.policy(onlyBob))).isInstanceOfSatisfying(KmsException.class,
          e -> {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocumentException");
            assertThat(e.awsErrorDetails().errorMessage())
                .isEqualTo("The new key policy will not allow you to update the key policy in the future.");
          });
      String locked = root.createKey(r -> r.policy(onlyBob).bypassPolicyLockoutSafetyCheck(true)).keyMetadata()
          .keyId();
      assertThatThrownBy(() -> root.describeKey(r -> r.keyId(locked))).isInstanceOf(KmsException.class);
      String key = root.createKey(r -> { }).keyMetadata().keyId();
      assertThatThrownBy(() -> root.putKeyPolicy(r -> r.keyId(key).policyName("default").policy(onlyBob)))
          .isInstanceOfSatisfying(KmsException.class,
              e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MalformedPolicyDocumentException"));
      root.putKeyPolicy(r -> r.keyId(key).policyName("default").policy(onlyBob).bypassPolicyLockoutSafetyCheck(true));
    }
    // A user whose identity policies name keys, not "*", may not create one.
    assertThatThrownBy(() -> USERS.get("alice").createKey(r -> { })).isInstanceOfSatisfying(KmsException.class,
        e -> assertThat(e.awsErrorDetails().errorMessage()).endsWith(
            "on resource: * because no identity-based policy allows the kms:CreateKey action"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"ListAliases", "GenerateRandom", "DescribeCustomKeyStores", "CreateCustomKeyStore",
      "DeleteCustomKeyStore"})
  void anOperationOnNoKeyNeedsAnIdentityPolicyAllowingItOnStar(String action) {
    KmsClient alice = USERS.get("alice");
    Runnable call = switch (action) {
      case "ListAliases" -> alice::listAliases;
      case "GenerateRandom" -> () -> alice.generateRandom(r -> r.numberOfBytes(16));
      case "DescribeCustomKeyStores" -> alice::describeCustomKeyStores;
      case "CreateCustomKeyStore" -> () -> alice.createCustomKeyStore(r -> r.customKeyStoreName("s")
          .customKeyStoreType("AWS_CLOUDHSM").cloudHsmClusterId("cluster-abcdefghijk").trustAnchorCertificate("c")
          .keyStorePassword("password"));
      default -> () -> alice.deleteCustomKeyStore(r -> r.customKeyStoreId("cks-1234567890abcdef0"));
    };
    assertThatThrownBy(call::run).isInstanceOfSatisfying(KmsException.class, e -> assertThat(
        e.awsErrorDetails().errorMessage()).isEqualTo("User: " + user("alice") + " is not authorized to perform: kms:"
            + action + " on resource: * because no identity-based policy allows the kms:" + action + " action"));
    try (KmsClient root = shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1)) {
      root.describeCustomKeyStores();
      root.listAliases();
    }
  }

  @ParameterizedTest(name = "{0} {1} on key {2}: {3}")
  @CsvSource({
      "alice, Encrypt, A, allowed", "alice, Decrypt, A, allowed", "alice, DescribeKey, A, allowed",
      "alice, Encrypt, B, denied", "alice, Decrypt, B, denied", "alice, DescribeKey, B, denied",
      "alice, Encrypt, C, allowed", "alice, Decrypt, C, allowed", "alice, DescribeKey, C, allowed",
      "bob, Encrypt, A, denied", "bob, Decrypt, A, denied", "bob, DescribeKey, A, denied",
      "bob, Encrypt, B, allowed", "bob, Decrypt, B, allowed", "bob, DescribeKey, B, allowed",
      "bob, Encrypt, C, denied", "bob, Decrypt, C, denied", "bob, DescribeKey, C, denied",
      "charlie, Encrypt, A, allowed", "charlie, Decrypt, A, denied", "charlie, DescribeKey, A, denied",
      "charlie, Encrypt, B, allowed", "charlie, Decrypt, B, allowed", "charlie, DescribeKey, B, allowed",
      "charlie, Encrypt, C, denied", "charlie, Decrypt, C, denied", "charlie, DescribeKey, C, denied",
      "david, Encrypt, A, denied", "david, Decrypt, A, denied", "david, DescribeKey, A, denied",
      "david, Encrypt, B, denied", "david, Decrypt, B, denied", "david, DescribeKey, B, denied",
      "david, Encrypt, C, denied", "david, Decrypt, C, denied", "david, DescribeKey, C, denied",
  })
  void everyCellOfTheScenario(String name, String action, String key, String outcome) {
    KmsClient client = USERS.get(name);
    Runnable call = switch (action) {
      case "Encrypt" -> () -> client.encrypt(r -> r.keyId(arn(key)).plaintext(SdkBytes.fromUtf8String("y")));
      case "Decrypt" -> () -> client.decrypt(r -> r.ciphertextBlob(CIPHERTEXTS.get(key)).keyId(arn(key)));
      default -> () -> client.describeKey(r -> r.keyId(arn(key)));
    };
    if (outcome.equals("allowed")) {
      call.run();
    } else {
      assertThatThrownBy(call::run).isInstanceOfSatisfying(KmsException.class, e -> {
        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
        assertThat(e.awsErrorDetails().errorMessage()).startsWith("User: " + user(name)
            + " is not authorized to perform: kms:" + action + " on resource: " + arn(key));
      });
    }
  }
}
