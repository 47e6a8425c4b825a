package dev.shunt.backend.auth;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CreateGrantRequest;
import software.amazon.awssdk.services.kms.model.CreateGrantResponse;
import software.amazon.awssdk.services.kms.model.GrantListEntry;
import software.amazon.awssdk.services.kms.model.GrantOperation;

/**
 * Grants under a principals file, with the real SDK over SigV4: who may create, use, list, retire
 * and revoke them (AWS, "Controlling access to grants", "Retiring and revoking grants"), the grant
 * condition keys and the others a policy may read (tags, aliases, key spec...), grant tokens, the
 * 500 grants per grantee principal, hostile input, and the audit records of grant operations.
 */
class KmsGrantsAccessIT {
  private static final String ACCOUNT = "111122223333";
  private static final String KEY = "a1a1a1a1-1111-4111-8111-111111111111";
  private static final String ORDERS_KEY = "b2b2b2b2-2222-4222-8222-222222222222";
  private static final String PLAIN_KEY = "c3c3c3c3-3333-4333-8333-333333333333";
  private static final String SECRETS_KEY = "d4d4d4d4-4444-4444-8444-444444444444";
  private static final String ADMIN_TOKEN = "a-grants-admin-token-5678";
  @TempDir
  static Path dir;
  private static BackendFixture shunt;
  private static final Map<String, KmsClient> USERS = new LinkedHashMap<>();

  private static String user(String name) {
    return "arn:aws:iam::" + ACCOUNT + ":user/" + name;
  }

  private static String arn(String keyId) {
    return "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/" + keyId;
  }

  private static KmsClient as(String name) {
    return USERS.get(name);
  }

  @BeforeAll
  static void start() throws Exception {
    String policy = "'{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}'";
    String seed = "version: 1\nregions:\n  - account: \"" + ACCOUNT + "\"\n    region: us-east-1\n    kms:\n      keys:\n"
        + "        - KeyId: " + KEY + "\n          Policy: " + policy + "\n"
        + "        - KeyId: " + ORDERS_KEY + "\n          Policy: " + policy + "\n          Aliases: [alias/orders]\n"
        + "        - KeyId: " + PLAIN_KEY + "\n          Policy: " + policy + "\n"
        // The app may use this key only through Secrets Manager, and only for its own secrets (AWS's example).
        + "        - KeyId: " + SECRETS_KEY + "\n          Policy: '{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
        + "\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"kms:*\",\"Resource\":"
        + "\"*\"},{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + user("app") + "\"},\"Action\":[\"kms:Decrypt\","
        + "\"kms:GenerateDataKey\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:ViaService\":"
        + "\"secretsmanager.us-east-1.amazonaws.com\"},\"StringLike\":{\"kms:EncryptionContext:SecretARN\":"
        + "\"arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:app/*\"}}}]}'\n";
    Path seedFile = dir.resolve("seed.yaml");
    Files.writeString(seedFile, seed);
    String all = "[{Effect: Allow, Action: \"kms:*\", Resource: \"*\"}]";
    String principals = "principals:\n"
        + entry("admin", all)
        + entry("grantee", null)
        + entry("bob", null)
        + entry("carol", null)
        + entry("busy", null)
        // Only grants for Encrypt and Decrypt (a set operator over the request's operations).
        + entry("ops", "[{Effect: Allow, Action: \"kms:CreateGrant\", Resource: \"*\", Condition: "
            + "{\"ForAllValues:StringEquals\": {\"kms:GrantOperations\": [Encrypt, Decrypt]}}}]")
        // Only grants to Bob that Cleaner may retire.
        + entry("delegator", "[{Effect: Allow, Action: \"kms:CreateGrant\", Resource: \"*\", Condition: "
            + "{StringEquals: {\"kms:GranteePrincipal\": \"" + user("bob") + "\", \"kms:RetiringPrincipal\": \""
            + user("cleaner") + "\"}}}]")
        // Only grants with an EncryptionContextEquals constraint, whose tenant is t1.
        + entry("strict", "[{Effect: Allow, Action: \"kms:CreateGrant\", Resource: \"*\", Condition: "
            + "{StringEquals: {\"kms:GrantConstraintType\": EncryptionContextEquals, "
            + "\"kms:EncryptionContext:tenant\": t1}}}]")
        // Grant operations only when an AWS service asks for them: never over the wire.
        + entry("viaservice", "[{Effect: Allow, Action: [\"kms:CreateGrant\", \"kms:ListGrants\", "
            + "\"kms:RevokeGrant\"], Resource: \"*\", Condition: {Bool: {\"kms:GrantIsForAWSResource\": true}}}]")
        + entry("direct", "[{Effect: Allow, Action: [\"kms:CreateGrant\", \"kms:ListGrants\"], Resource: \"*\", "
            + "Condition: {Bool: {\"kms:GrantIsForAWSResource\": false}}}]")
        // ABAC by alias: any key whose aliases include alias/orders.
        + entry("abac", "[{Effect: Allow, Action: [\"kms:Encrypt\", \"kms:DescribeKey\"], Resource: \"arn:aws:kms:*:"
            + ACCOUNT + ":key/*\", Condition: {\"ForAnyValue:StringEquals\": {\"kms:ResourceAliases\": alias/orders}}}]")
        // Keys only with the payments team's tag, and no other tag; only the scratch tag may go.
        + entry("tagger", "[{Effect: Allow, Action: [\"kms:CreateKey\", \"kms:TagResource\"], Resource: \"*\", "
            + "Condition: {StringEquals: {\"aws:RequestTag/team\": payments}, \"ForAllValues:StringEquals\": "
            + "{\"aws:TagKeys\": [team]}}}, {Effect: Allow, Action: \"kms:UntagResource\", Resource: \"*\", "
            + "Condition: {\"ForAllValues:StringEquals\": {\"aws:TagKeys\": [scratch]}}}]")
        // Only single-Region symmetric keys.
        + entry("keyspec", "[{Effect: Allow, Action: \"kms:CreateKey\", Resource: \"*\", Condition: "
            + "{StringEquals: {\"kms:KeySpec\": SYMMETRIC_DEFAULT}, Bool: {\"kms:MultiRegion\": false}}}]")
        + entry("cleaner", "[{Effect: Allow, Action: \"kms:ListRetirableGrants\", Resource: \"*\"}]")
        + entry("retirer", "[{Effect: Allow, Action: \"kms:RetireGrant\", Resource: \"*\"}]")
        + entry("stubborn", "[{Effect: Deny, Action: \"kms:RetireGrant\", Resource: \"*\"}]")
        + entry("reader", "[{Effect: Allow, Action: [\"kms:ListGrants\", \"kms:DescribeKey\"], Resource: \"*\"}]")
        + entry("app", "[{Effect: Allow, Action: \"secretsmanager:*\", Resource: \"*\"}]")
        + "  - arn: arn:aws:iam::" + ACCOUNT + ":root\n    accessKeys: [{id: AKIAROOT1, secret: root-secret}]\n";
    Path principalsFile = dir.resolve("principals.yaml");
    Files.writeString(principalsFile, principals);
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4).option("seed", seedFile.toString())
        .option("principals", principalsFile.toString()).option("admin-token", ADMIN_TOKEN)
        // Hundreds of CreateGrant calls in a row: AWS's 50 a second would only slow the test down.
        .option("quotas", "off"));
    for (String name : List.of("admin", "grantee", "bob", "carol", "busy", "ops", "delegator", "strict",
        "viaservice", "direct", "abac", "tagger", "keyspec", "cleaner", "retirer", "stubborn", "reader", "app")) {
      USERS.put(name, shunt.kms("AKIA" + name.toUpperCase(), name + "-secret", Region.US_EAST_1));
    }
    USERS.put("root", shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1));
  }

  private static String entry(String name, String statements) {
    return "  - arn: " + user(name) + "\n    accessKeys: [{id: AKIA" + name.toUpperCase() + ", secret: " + name
        + "-secret}]\n" + (statements == null ? "" : "    policies: [{Version: \"2012-10-17\", Statement: "
        + statements + "}]\n");
  }

  @AfterAll
  static void stop() {
    USERS.values().forEach(KmsClient::close);
    shunt.close();
  }

  private static CreateGrantResponse grant(String caller, Consumer<CreateGrantRequest.Builder> request) {
    return as(caller).createGrant(r -> {
      r.keyId(KEY);
      request.accept(r);
    });
  }

  private static void denied(String caller, Consumer<CreateGrantRequest.Builder> request) {
    expectError("AccessDeniedException", () -> grant(caller, request));
  }

  private static software.amazon.awssdk.services.kms.model.Tag tag(String key, String value) {
    return software.amazon.awssdk.services.kms.model.Tag.builder().tagKey(key).tagValue(value).build();
  }

  private static SdkBytes bytes(String text) {
    return SdkBytes.fromUtf8String(text);
  }

  // ---- condition keys of CreateGrant -----------------------------------------------------------

  @Test
  void grantOperationsLimitWhatAGrantMayAllow() {
    grant("ops", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.ENCRYPT, GrantOperation.DECRYPT));
    denied("ops", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.ENCRYPT,
        GrantOperation.RE_ENCRYPT_FROM));
    denied("ops", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.CREATE_GRANT));
    // The same operation twice is one operation: allowed, and listed once.
    String id = grant("ops", r -> r.granteePrincipal(user("carol")).operationsWithStrings("Encrypt", "Encrypt",
        "Encrypt")).grantId();
    GrantListEntry listed = as("admin").listGrants(r -> r.keyId(KEY).grantId(id)).grants().get(0);
    assertThat(listed.operationsAsStrings()).containsExactly("Encrypt");
  }

  @Test
  void granteeAndRetiringPrincipalConditions() {
    grant("delegator", r -> r.granteePrincipal(user("bob")).retiringPrincipal(user("cleaner"))
        .operations(GrantOperation.DECRYPT));
    denied("delegator", r -> r.granteePrincipal(user("carol")).retiringPrincipal(user("cleaner"))
        .operations(GrantOperation.DECRYPT));
    // No retiring principal: the condition reads a key the request lacks, and fails.
    denied("delegator", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT));
    AwsServiceExceptionAssert.endsWith(() -> grant("delegator", r -> r.granteePrincipal(user("bob"))
        .retiringPrincipal(user("carol")).operations(GrantOperation.DECRYPT)),
        "because no identity-based policy allows the kms:CreateGrant action");
  }

  @Test
  void grantConstraintTypeAndTheConstraintsEncryptionContext() {
    grant("strict", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT)
        .constraints(c -> c.encryptionContextEquals(Map.of("tenant", "t1"))));
    denied("strict", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT)
        .constraints(c -> c.encryptionContextEquals(Map.of("tenant", "t2"))));
    denied("strict", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT)
        .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "t1"))));
    denied("strict", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT));
  }

  @Test
  void grantIsForAwsResourceIsFalseForACallOverTheWire() {
    denied("viaservice", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT));
    expectError("AccessDeniedException", () -> as("viaservice").listGrants(r -> r.keyId(KEY)));
    grant("direct", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT));
    as("direct").listGrants(r -> r.keyId(KEY));
  }

  // ---- other condition keys ----------------------------------------------------------------------

  @Test
  void resourceAliasesFollowTheKeysAliases() {
    as("abac").encrypt(r -> r.keyId(ORDERS_KEY).plaintext(bytes("x")));
    as("abac").describeKey(r -> r.keyId(ORDERS_KEY));
    expectError("AccessDeniedException", () -> as("abac").encrypt(r -> r.keyId(PLAIN_KEY).plaintext(bytes("x"))));
    // Another alias on the key changes nothing; the alias moved onto the other key takes the permission with it.
    as("admin").createAlias(r -> r.aliasName("alias/orders-too").targetKeyId(ORDERS_KEY));
    as("abac").describeKey(r -> r.keyId(ORDERS_KEY));
    as("admin").updateAlias(r -> r.aliasName("alias/orders").targetKeyId(PLAIN_KEY));
    try {
      as("abac").describeKey(r -> r.keyId(PLAIN_KEY));
      expectError("AccessDeniedException", () -> as("abac").describeKey(r -> r.keyId(ORDERS_KEY)));
    } finally {
      as("admin").updateAlias(r -> r.aliasName("alias/orders").targetKeyId(ORDERS_KEY));
      as("admin").deleteAlias(r -> r.aliasName("alias/orders-too"));
    }
    as("abac").describeKey(r -> r.keyId(ORDERS_KEY));
  }

  @Test
  void requestTagsAndTagKeysOnCreateKeyTagResourceAndUntagResource() {
    KmsClient tagger = as("tagger");
    String keyId = tagger.createKey(r -> r.tags(tag("team", "payments"))).keyMetadata().keyId();
    expectError("AccessDeniedException", () -> tagger.createKey(r -> r.tags(tag("team", "ads"))));
    expectError("AccessDeniedException", () -> tagger.createKey(r -> r.description("no tags")));
    expectError("AccessDeniedException", () -> tagger.createKey(r -> r.tags(tag("team", "payments"), tag("cost", "1"))));
    // TagResource and UntagResource on the key: the key policy delegates to IAM.
    tagger.tagResource(r -> r.keyId(keyId).tags(tag("team", "payments")));
    expectError("AccessDeniedException", () -> tagger.tagResource(r -> r.keyId(keyId)
        .tags(tag("team", "ads"))));
    tagger.untagResource(r -> r.keyId(keyId).tagKeys("scratch"));
    expectError("AccessDeniedException", () -> tagger.untagResource(r -> r.keyId(keyId).tagKeys("team")));
  }

  @Test
  void createKeyConditionsReadTheKeyToBe() {
    KmsClient keyspec = as("keyspec");
    keyspec.createKey(r -> r.description("default spec"));
    keyspec.createKey(r -> r.keySpec("SYMMETRIC_DEFAULT").multiRegion(false));
    expectError("AccessDeniedException", () -> keyspec.createKey(r -> r.keySpec("RSA_2048")
        .keyUsage("SIGN_VERIFY")));
    expectError("AccessDeniedException", () -> keyspec.createKey(r -> r.multiRegion(true)));
  }

  // ---- grant tokens and grants that allow CreateGrant ------------------------------------------

  @Test
  void aGrantWorksAtOnceWithItsTokenAndAForgedTokenIsRefused() {
    KmsClient grantee = as("grantee");
    expectError("AccessDeniedException", () -> grantee.encrypt(r -> r.keyId(PLAIN_KEY).plaintext(bytes("x"))));
    String token = as("admin").createGrant(r -> r.keyId(PLAIN_KEY).granteePrincipal(user("grantee"))
        .operations(GrantOperation.ENCRYPT)).grantToken();
    grantee.encrypt(r -> r.keyId(PLAIN_KEY).plaintext(bytes("x")).grantTokens(token));
    grantee.encrypt(r -> r.keyId(PLAIN_KEY).plaintext(bytes("x")));
    expectError("AccessDeniedException", () -> grantee.describeKey(r -> r.keyId(PLAIN_KEY).grantTokens(token)));
    expectError("InvalidGrantTokenException", () -> grantee.encrypt(r -> r.keyId(PLAIN_KEY).plaintext(bytes("x"))
        .grantTokens("forged")));
  }

  @Test
  void aGrantThatAllowsCreateGrantAllowsOnlyNarrowerGrants() {
    as("admin").createGrant(r -> r.keyId(KEY).granteePrincipal(user("grantee")).operations(GrantOperation.ENCRYPT,
        GrantOperation.DECRYPT, GrantOperation.CREATE_GRANT)
        .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "t1"))));
    grant("grantee", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT)
        .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "t1", "app", "billing"))));
    grant("grantee", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT,
        GrantOperation.CREATE_GRANT).constraints(c -> c.encryptionContextEquals(Map.of("tenant", "t1"))));
    // An operation the parent grant lacks, no constraint, a looser or another constraint: refused.
    denied("grantee", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.GENERATE_DATA_KEY)
        .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "t1"))));
    denied("grantee", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT));
    denied("grantee", r -> r.granteePrincipal(user("bob")).operations(GrantOperation.DECRYPT)
        .constraints(c -> c.encryptionContextSubset(Map.of("tenant", "t2"))));
  }

  // ---- RetireGrant, RevokeGrant, ListGrants, ListRetirableGrants -------------------------------

  @Test
  void theGrantDecidesWhoMayRetireIt() {
    KmsClient admin = as("admin");
    // The retiring principal may; the grantee may not unless the grant allows RetireGrant.
    String first = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob")).retiringPrincipal(user("carol"))
        .operations(GrantOperation.DECRYPT)).grantId();
    expectError("AccessDeniedException", () -> as("bob").retireGrant(r -> r.keyId(KEY).grantId(first)));
    expectError("AccessDeniedException", () -> as("grantee").retireGrant(r -> r.keyId(KEY).grantId(first)));
    as("carol").retireGrant(r -> r.keyId(arn(KEY)).grantId(first));

    CreateGrantResponse second = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .operations(GrantOperation.DECRYPT, GrantOperation.RETIRE_GRANT));
    as("bob").retireGrant(r -> r.grantToken(second.grantToken()));
    expectError("NotFoundException", () -> as("bob").retireGrant(r -> r.grantToken(second.grantToken())));

    // Another principal of the key's account needs kms:RetireGrant in an identity policy; the root needs nothing.
    String third = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .operations(GrantOperation.DECRYPT)).grantId();
    expectError("AccessDeniedException", () -> as("carol").retireGrant(r -> r.keyId(KEY).grantId(third)));
    as("retirer").retireGrant(r -> r.keyId(KEY).grantId(third));
    String fourth = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .operations(GrantOperation.DECRYPT)).grantId();
    as("root").retireGrant(r -> r.keyId(KEY).grantId(fourth));

    // An explicit Deny of kms:RetireGrant beats even the grant naming the caller.
    String fifth = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .retiringPrincipal(user("stubborn")).operations(GrantOperation.DECRYPT)).grantId();
    assertThat(message(expectError("AccessDeniedException", () -> as("stubborn").retireGrant(r -> r.keyId(KEY)
        .grantId(fifth))))).endsWith("with an explicit deny in an identity-based policy");
    admin.revokeGrant(r -> r.keyId(KEY).grantId(fifth));
  }

  @Test
  void revokeListAndListRetirableNeedTheirPermissions() {
    String id = as("admin").createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .retiringPrincipal(user("cleaner")).operations(GrantOperation.DECRYPT)).grantId();
    expectError("AccessDeniedException", () -> as("bob").revokeGrant(r -> r.keyId(KEY).grantId(id)));
    expectError("AccessDeniedException", () -> as("reader").revokeGrant(r -> r.keyId(KEY).grantId(id)));
    expectError("AccessDeniedException", () -> as("bob").listGrants(r -> r.keyId(KEY)));
    assertThat(as("reader").listGrants(r -> r.keyId(KEY).grantId(id)).grants()).hasSize(1);
    assertThat(message(expectError("AccessDeniedException", () -> as("bob").listRetirableGrants(r -> r
        .retiringPrincipal(user("cleaner")))))).isEqualTo("User: " + user("bob") + " is not authorized to perform: "
            + "kms:ListRetirableGrants on resource: * because no identity-based policy allows the "
            + "kms:ListRetirableGrants action");
    assertThat(as("cleaner").listRetirableGrants(r -> r.retiringPrincipal(user("cleaner"))).grants())
        .extracting(GrantListEntry::grantId).contains(id);
    as("admin").revokeGrant(r -> r.keyId(KEY).grantId(id));
    assertThat(as("reader").listGrants(r -> r.keyId(KEY).grantId(id)).grants()).isEmpty();
  }

  // ---- the quota, hostile input ------------------------------------------------------------------

  @Test
  void fiveHundredGrantsPerGranteePrincipalOnAKey() {
    KmsClient admin = as("admin");
    List<CreateGrantResponse> made = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      made.add(admin.createGrant(r -> r.keyId(PLAIN_KEY).granteePrincipal(user("busy"))
          .operations(GrantOperation.DECRYPT)));
    }
    assertThat(message(expectError("LimitExceededException", () -> admin.createGrant(r -> r.keyId(PLAIN_KEY)
        .granteePrincipal(user("busy")).operations(GrantOperation.DECRYPT))))).contains("(500)", user("busy"));
    // Another grantee, or the same one on another key, is not held back.
    admin.createGrant(r -> r.keyId(PLAIN_KEY).granteePrincipal(user("carol")).operations(GrantOperation.DECRYPT));
    admin.createGrant(r -> r.keyId(ORDERS_KEY).granteePrincipal(user("busy")).operations(GrantOperation.DECRYPT));
    // A retired grant frees a place (the root of the key's account may retire any grant).
    as("root").retireGrant(r -> r.grantToken(made.get(0).grantToken()));
    admin.createGrant(r -> r.keyId(PLAIN_KEY).granteePrincipal(user("busy")).operations(GrantOperation.DECRYPT));
    expectError("LimitExceededException", () -> admin.createGrant(r -> r.keyId(PLAIN_KEY)
        .granteePrincipal(user("busy")).operations(GrantOperation.DECRYPT)));
    // The grantee's 500 grants still let it decrypt at once.
    SdkBytes blob = admin.encrypt(r -> r.keyId(PLAIN_KEY).plaintext(bytes("x"))).ciphertextBlob();
    as("busy").decrypt(r -> r.ciphertextBlob(blob));
  }

  @Test
  void hostileGrantRequestsAreRefusedWithKmsErrors() throws Exception {
    KmsClient admin = as("admin");
    expectError("InvalidArnException", () -> admin.createGrant(r -> r.keyId(KEY).granteePrincipal("bob")
        .operations(GrantOperation.DECRYPT)));
    expectError("InvalidArnException", () -> admin.createGrant(r -> r.keyId(KEY).granteePrincipal("arn:aws:iam::x")
        .operations(GrantOperation.DECRYPT)));
    expectError("ValidationException", () -> admin.createGrant(r -> r.keyId(KEY)
        .granteePrincipal("arn:aws:iam::" + ACCOUNT + ":user/<script>").operations(GrantOperation.DECRYPT)));
    expectError("ValidationException", () -> admin.createGrant(r -> r.keyId(KEY)
        .granteePrincipal("arn:aws:iam::" + ACCOUNT + ":user/" + "x".repeat(300)).operations(GrantOperation.DECRYPT)));
    expectError("ValidationException", () -> admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .operationsWithStrings("Decrypt", "Fly")));
    expectError("ValidationException", () -> admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .operationsWithStrings(List.of())));
    // A huge list of one operation over and over: one grant, with one operation.
    List<String> huge = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      huge.add("Decrypt");
    }
    String id = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("carol")).operationsWithStrings(huge))
        .grantId();
    assertThat(admin.listGrants(r -> r.keyId(KEY).grantId(id)).grants().get(0).operationsAsStrings())
        .containsExactly("Decrypt");
    // Too many grant tokens, or garbage ones, on a grant-aware operation.
    expectError("ValidationException", () -> admin.encrypt(r -> r.keyId(KEY).plaintext(bytes("x"))
        .grantTokens("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")));
    expectError("InvalidGrantTokenException", () -> admin.describeKey(r -> r.keyId(KEY).grantTokens("x".repeat(8192))));
  }

  @Test
  void aServiceCallIsDecidedOnTheKmsRequestTheServiceMakes() {
    // Secrets Manager encrypts with the context {SecretARN, SecretVersionId}: the key policy's condition sees it.
    try (var secrets = shunt.secrets("AKIAAPP", "app-secret", Region.US_EAST_1)) {
      secrets.createSecret(r -> r.name("app/db").kmsKeyId(SECRETS_KEY).secretString("s3cret"));
      assertThat(secrets.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("s3cret");
      assertThat(org.assertj.core.api.Assertions.catchThrowableOfType(
          software.amazon.awssdk.awscore.exception.AwsServiceException.class,
          () -> secrets.createSecret(r -> r.name("other/db").kmsKeyId(SECRETS_KEY).secretString("s3cret"))))
          .isNotNull();
    }
    // Directly, not through Secrets Manager, the app may not use the key at all.
    try (KmsClient app = shunt.kms("AKIAAPP", "app-secret", Region.US_EAST_1)) {
      expectError("AccessDeniedException", () -> app.generateDataKey(r -> r.keyId(SECRETS_KEY).numberOfBytes(32)
          .encryptionContext(Map.of("SecretARN", "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:app/x"))));
    }
  }

  // ---- audit ----------------------------------------------------------------------------------

  @Test
  void grantOperationsAreAuditedAsCloudTrailRecordsThem() throws Exception {
    KmsClient admin = as("admin");
    CreateGrantResponse created = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .retiringPrincipal(user("carol")).operations(GrantOperation.DECRYPT).name("audited"));
    admin.listGrants(r -> r.keyId(KEY).grantId(created.grantId()));
    as("carol").retireGrant(r -> r.grantToken(created.grantToken()));
    String revoked = admin.createGrant(r -> r.keyId(KEY).granteePrincipal(user("bob"))
        .operations(GrantOperation.DECRYPT)).grantId();
    admin.revokeGrant(r -> r.keyId(KEY).grantId(revoked));

    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(shunt.uri()
        .resolve("/_shunt/audit?limit=1000")).header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).doesNotContain(created.grantToken());
    List<JsonNode> records = new ArrayList<>();
    Json.readTree(response.body()).get("Records").forEach(records::add);

    JsonNode create = last(records, "CreateGrant", r -> r.path("responseElements").path("grantId").asText()
        .equals(created.grantId()));
    assertThat(create.get("requestParameters").get("keyId").asText()).isEqualTo(KEY);
    assertThat(create.get("requestParameters").get("granteePrincipal").asText()).isEqualTo(user("bob"));
    assertThat(create.get("requestParameters").get("operations").get(0).asText()).isEqualTo("Decrypt");
    assertThat(create.get("responseElements").has("grantToken")).isFalse();
    assertThat(create.get("resources").get(0).get("ARN").asText()).isEqualTo(arn(KEY));
    assertThat(create.get("userIdentity").get("arn").asText()).isEqualTo(user("admin"));

    JsonNode list = last(records, "ListGrants", r -> r.path("requestParameters").path("grantId").asText()
        .equals(created.grantId()));
    assertThat(list.get("readOnly").asBoolean()).isTrue();
    assertThat(list.get("responseElements").isNull()).isTrue();

    JsonNode retire = last(records, "RetireGrant", r -> r.path("userIdentity").path("arn").asText()
        .equals(user("carol")));
    assertThat(retire.get("additionalEventData").get("grantId").asText()).isEqualTo(created.grantId());
    assertThat(retire.get("resources").get(0).get("ARN").asText()).isEqualTo(arn(KEY));

    JsonNode revoke = last(records, "RevokeGrant", r -> r.path("requestParameters").path("grantId").asText()
        .equals(revoked));
    assertThat(revoke.get("requestParameters").get("keyId").asText()).isEqualTo(KEY);
    assertThat(revoke.get("readOnly").asBoolean()).isFalse();
  }

  private static JsonNode last(List<JsonNode> records, String name, java.util.function.Predicate<JsonNode> match) {
    List<JsonNode> found = records.stream().filter(r -> r.get("eventName").asText().equals(name)).filter(match)
        .toList();
    assertThat(found).as(name).isNotEmpty();
    return found.get(found.size() - 1);
  }

  /** An AccessDeniedException whose message ends as AWS's does. */
  private static final class AwsServiceExceptionAssert {
    static void endsWith(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String end) {
      assertThat(message(expectError("AccessDeniedException", call))).endsWith(end);
    }
  }
}
