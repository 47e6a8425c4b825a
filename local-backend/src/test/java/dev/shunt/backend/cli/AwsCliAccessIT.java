package dev.shunt.backend.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.cli.AwsCli.Run;
import dev.shunt.backend.core.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Issue 17's access control, through the real AWS CLI under {@code --auth sigv4}: one backend, a
 * principals file, and each principal calling with its own access key. Account 111122223333 has
 * its root, alice, bob (no policies), charlie, david (the four users of
 * ../shared/reference/kms-access-scenario.md), mallory (allowed everything but denied some things
 * explicitly) and the role batch/app's session "nightly"; account 444455556666 has its root, eve
 * (the identity policies a cross-account caller needs), frank (none) and grace (Secrets Manager
 * but no KMS). Every rule of docs/access.md is tried allowed and denied, for KMS, Secrets Manager
 * and Parameter Store, and every denial is checked for AWS's error code and message. Setup that
 * is not itself under test (keys, secrets, parameters, ciphertexts to decrypt) goes through the
 * seed file or the SDK, to keep the CLI runs few: each costs a Python start. Skipped without a
 * CLI, as {@link AwsCliIT} is.
 */
class AwsCliAccessIT {
  private static final String ACCOUNT = "111122223333";
  private static final String OTHER = "444455556666";
  private static final String ADMIN_TOKEN = "a-test-admin-token-1234";
  private static final Map<String, String> KEY_IDS = Map.of(
      "A", "aaaaaaaa-1111-4111-8111-111111111111",
      "B", "bbbbbbbb-2222-4222-8222-222222222222",
      "C", "cccccccc-3333-4333-8333-333333333333",
      "D", "dddddddd-4444-4444-8444-444444444444",
      "X", "eeeeeeee-5555-4555-8555-555555555555",
      "Y", "ffffffff-6666-4666-8666-666666666666");
  /** Who calls, by name: access key id and secret. */
  private static final Map<String, String[]> CALLERS = Map.ofEntries(
      Map.entry("root", new String[] {"AKIAROOT1", "root1-secret"}),
      Map.entry("alice", new String[] {"AKIAALICE", "alice-secret"}),
      Map.entry("bob", new String[] {"AKIABOB", "bob-secret"}),
      Map.entry("charlie", new String[] {"AKIACHARLIE", "charlie-secret"}),
      Map.entry("david", new String[] {"AKIADAVID", "david-secret"}),
      Map.entry("mallory", new String[] {"AKIAMALLORY", "mallory-secret"}),
      Map.entry("app", new String[] {"AKIAAPP", "app-secret"}),
      Map.entry("otherRoot", new String[] {"AKIAROOT2", "root2-secret"}),
      Map.entry("eve", new String[] {"AKIAEVE", "eve-secret"}),
      Map.entry("frank", new String[] {"AKIAFRANK", "frank-secret"}),
      Map.entry("grace", new String[] {"AKIAGRACE", "grace-secret"}));
  private static final String APP_SESSION = "arn:aws:sts::" + ACCOUNT + ":assumed-role/app/nightly";

  @TempDir
  static Path dir;
  private static AwsCli aws;
  private static BackendFixture shunt;
  private static long startedAt;
  /** Ciphertexts of {@link #PLAINTEXT} under keys A, B and X, made through the SDK. */
  private static final Map<String, byte[]> CIPHERTEXTS = new HashMap<>();
  private static final byte[] PLAINTEXT = "attack at dawn".getBytes(StandardCharsets.UTF_8);
  /** Secret ARNs by name (AWS adds six random characters). */
  private static final Map<String, String> SECRETS = new HashMap<>();

  private static String keyArn(String key) {
    return "arn:aws:kms:us-east-1:" + ACCOUNT + ":key/" + KEY_IDS.get(key);
  }

  private static String user(String name) {
    return "arn:aws:iam::" + (List.of("eve", "frank", "grace").contains(name) ? OTHER : ACCOUNT) + ":user/" + name;
  }

  private static String root(String account) {
    return "arn:aws:iam::" + account + ":root";
  }

  private static String parameterArn(String name) {
    return "arn:aws:ssm:us-east-1:" + ACCOUNT + ":parameter" + name;
  }

  private static String secretPattern(String name) {
    return "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + name;
  }

  private static String statement(String sid, String effect, String principals, String actions, String condition) {
    return "{\"Sid\":\"" + sid + "\",\"Effect\":\"" + effect + "\",\"Principal\":{\"AWS\":" + principals
        + "},\"Action\":" + actions + ",\"Resource\":\"*\"" + (condition == null ? "" : ",\"Condition\":" + condition)
        + "}";
  }

  private static String policy(String... statements) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", statements) + "]}";
  }

  private static String quoted(String... arns) {
    return arns.length == 1 ? "\"" + arns[0] + "\"" : "[\"" + String.join("\",\"", arns) + "\"]";
  }

  @BeforeAll
  static void start() throws Exception {
    aws = AwsCli.find(dir);
    if (aws == null) {
      return;
    }
    startedAt = System.nanoTime();
    String rootStatement = statement("EnableIamPolicies", "Allow", quoted(root(ACCOUNT)), "\"kms:*\"", null);
    Map<String, String> keyPolicies = Map.of(
        // ../shared/reference/kms-access-scenario.md: A delegates to IAM, B names users and does not, C
        // delegates, names alice and denies the others.
        "A", policy(rootStatement),
        "B", policy(statement("BobAndCharlie", "Allow", quoted(user("bob"), user("charlie")), "\"kms:*\"", null)),
        "C", policy(rootStatement, statement("Alice", "Allow", quoted(user("alice")), "\"kms:*\"", null),
            statement("DenyBobCharlieDavid", "Deny", quoted(user("bob"), user("charlie"), user("david")),
                "\"kms:*\"", null)),
        // The role (with its path) may encrypt and decrypt only for tenant t1.
        "D", policy(rootStatement, statement("AppForTenantT1", "Allow",
            quoted("arn:aws:iam::" + ACCOUNT + ":role/batch/app"), "[\"kms:Encrypt\",\"kms:Decrypt\"]",
            "{\"StringEquals\":{\"kms:EncryptionContext:tenant\":\"t1\"}}")),
        // X lets the other account use it (its identity policies decide who there); Y does not.
        "X", policy(rootStatement, statement("OtherAccount", "Allow", quoted(root(OTHER)),
            "[\"kms:Encrypt\",\"kms:Decrypt\",\"kms:DescribeKey\"]", null)),
        "Y", policy(rootStatement));
    StringBuilder seed = new StringBuilder("version: 1\nregions:\n  - account: \"" + ACCOUNT
        + "\"\n    region: us-east-1\n    kms:\n      keys:\n");
    for (String key : List.of("A", "B", "C", "D", "X", "Y")) {
      seed.append("        - KeyId: ").append(KEY_IDS.get(key)).append("\n          Policy: '")
          .append(keyPolicies.get(key)).append("'\n");
    }
    Path seedFile = Files.writeString(dir.resolve("seed.yaml"), seed);
    Files.writeString(dir.resolve("app-policy.json"), policy(
        "{\"Effect\":\"Allow\",\"Action\":\"ssm:DescribeParameters\",\"Resource\":\"arn:aws:ssm:us-east-1:" + ACCOUNT
            + ":parameter/*\"}"));
    String principals = "principals:\n"
        + entry("root", root(ACCOUNT), null)
        + entry("alice", user("alice"), policy(
            "{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":" + quoted(keyArn("A"), keyArn("B")) + "}",
            "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\""
                + secretPattern("app/*") + "\"}",
            "{\"Effect\":\"Allow\",\"Action\":[\"ssm:GetParameter\",\"ssm:GetParametersByPath\"],\"Resource\":"
                + quoted(parameterArn("/app"), parameterArn("/app/*")) + "}"))
        + entry("bob", user("bob"), null)
        + entry("charlie", user("charlie"), policy(
            "{\"Effect\":\"Allow\",\"Action\":\"kms:Encrypt\",\"Resource\":\"" + keyArn("A") + "\"}"))
        + entry("david", user("david"), policy(
            "{\"Effect\":\"Allow\",\"Action\":\"kms:*\",\"Resource\":" + quoted(keyArn("B"), keyArn("C")) + "}"))
        // Allowed everything, but denied decrypting, reading app/* secrets and /app/* parameters.
        + entry("mallory", user("mallory"), policy(
            "{\"Effect\":\"Allow\",\"Action\":[\"kms:*\",\"secretsmanager:*\",\"ssm:*\"],\"Resource\":\"*\"}",
            "{\"Sid\":\"NoDecrypt\",\"Effect\":\"Deny\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"}",
            "{\"Effect\":\"Deny\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\""
                + secretPattern("app/*") + "\"}",
            "{\"Effect\":\"Deny\",\"Action\":\"ssm:GetParameter\",\"Resource\":\"" + parameterArn("/app/*") + "\"}"))
        + "  - arn: arn:aws:iam::" + ACCOUNT + ":role/batch/app\n    sessionName: nightly\n"
        + "    accessKeys: [{id: AKIAAPP, secret: app-secret}]\n    policies: [{file: app-policy.json}]\n"
        + entry("otherRoot", root(OTHER), null)
        + entry("eve", user("eve"), policy(
            "{\"Effect\":\"Allow\",\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\"],\"Resource\":"
                + quoted(keyArn("X"), keyArn("Y")) + "}",
            "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}"))
        + entry("frank", user("frank"), null)
        + entry("grace", user("grace"), policy(
            "{\"Effect\":\"Allow\",\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}"));
    Path principalsFile = Files.writeString(dir.resolve("principals.yaml"), principals);
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4).option("seed", seedFile.toString())
        .option("principals", principalsFile.toString()).option("admin-token", ADMIN_TOKEN));

    try (KmsClient rootKms = shunt.kms("AKIAROOT1", "root1-secret", Region.US_EAST_1);
        KmsClient bobKms = shunt.kms("AKIABOB", "bob-secret", Region.US_EAST_1);
        SecretsManagerClient secrets = shunt.secrets("AKIAROOT1", "root1-secret", Region.US_EAST_1);
        SsmClient ssm = shunt.ssm("AKIAROOT1", "root1-secret", Region.US_EAST_1)) {
      for (String key : List.of("A", "X")) {
        CIPHERTEXTS.put(key, rootKms.encrypt(r -> r.keyId(keyArn(key)).plaintext(SdkBytes.fromByteArray(PLAINTEXT)))
            .ciphertextBlob().asByteArray());
      }
      CIPHERTEXTS.put("B", bobKms.encrypt(r -> r.keyId(keyArn("B")).plaintext(SdkBytes.fromByteArray(PLAINTEXT)))
          .ciphertextBlob().asByteArray());
      for (String[] secret : new String[][] {{"app/db", null}, {"other/db", null}, {"bob/shared", null},
          {"app/locked", null}, {"shared/cross", "X"}, {"shared/private", "X"}, {"shared/wrong-key", "Y"}}) {
        SECRETS.put(secret[0], secrets.createSecret(r -> r.name(secret[0]).secretString("value of " + secret[0])
            .kmsKeyId(secret[1] == null ? null : keyArn(secret[1]))).arn());
      }
      ssm.putParameter(r -> r.name("/app/p").value("app value").type(ParameterType.STRING));
      ssm.putParameter(r -> r.name("/other/p").value("other value").type(ParameterType.STRING));
      ssm.putParameter(r -> r.name("/app/secure-a").value("secret under A").type(ParameterType.SECURE_STRING)
          .keyId(keyArn("A")));
      ssm.putParameter(r -> r.name("/app/secure-d").value("secret under D").type(ParameterType.SECURE_STRING)
          .keyId(keyArn("D")));
    }
    Run version = aws.run(shunt.uri(), "AKIAROOT1", "root1-secret", "--version");
    System.out.println("AwsCliAccessIT uses " + aws.executable() + ": " + (version.stdout() + version.stderr()).trim());
  }

  private static String entry(String caller, String arn, String policy) {
    String[] key = CALLERS.get(caller);
    return "  - arn: " + arn + "\n    accessKeys: [{id: " + key[0] + ", secret: " + key[1] + "}]\n"
        + (policy == null ? "" : "    policies: [" + policy + "]\n");
  }

  /** Skips each test (so the report counts them as skipped) when there is no CLI and none is required. */
  @BeforeEach
  void needsTheCli() {
    Assumptions.assumeTrue(aws != null, AwsCli.NO_CLI);
  }

  @AfterAll
  static void stop() {
    if (shunt != null) {
      shunt.close();
      System.out.printf("AwsCliAccessIT: %d CLI runs in %.1f s%n", aws.invocations(),
          (System.nanoTime() - startedAt) / 1e9);
    }
  }

  // ---- running the CLI as someone -------------------------------------------------------------

  private static Run as(String caller, String... args) throws Exception {
    String[] key = CALLERS.get(caller);
    return aws.run(shunt.uri(), key[0], key[1], args);
  }

  /** Runs the CLI as {@code caller}, asserts it succeeded, and returns its JSON output (null when it printed none). */
  private static JsonNode allowed(String caller, String... args) throws Exception {
    Run run = as(caller, args);
    assertThat(run.exitCode()).as("%s: aws %s failed: %s", caller, String.join(" ", args), run.stderr()).isZero();
    return run.stdout().isBlank() ? null : run.json();
  }

  /**
   * Runs the CLI as {@code caller} and asserts AWS's AccessDeniedException: "User: PRINCIPAL is not
   * authorized to perform: ACTION on resource: RESOURCE" followed by {@code why}.
   */
  private static void denied(String principal, String action, String resource, String why, String caller,
      String... args) throws Exception {
    deniedWith("User: " + principal + " is not authorized to perform: " + action + " on resource: " + resource + why,
        caller, args);
  }

  private static void deniedWith(String message, String caller, String... args) throws Exception {
    Run run = as(caller, args);
    assertThat(run.exitCode()).as("%s: aws %s should be denied; printed %s", caller, String.join(" ", args),
        run.stdout()).isNotZero();
    assertThat(run.stdout()).isBlank();
    String operation = operationOf(args[1]);
    assertThat(run.stderr()).contains("An error occurred (AccessDeniedException) when calling the " + operation
        + " operation: " + message);
  }

  /** {@code get-secret-value} -> {@code GetSecretValue}. */
  private static String operationOf(String command) {
    StringBuilder name = new StringBuilder();
    for (String part : command.split("-")) {
      name.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return name.toString();
  }

  private static String noIdentity(String action) {
    return " because no identity-based policy allows the " + action + " action";
  }

  private static String noResource(String action) {
    return " because no resource-based policy allows the " + action + " action";
  }

  private static final String DENIED_BY_RESOURCE = " with an explicit deny in a resource-based policy";
  private static final String DENIED_BY_IDENTITY = " with an explicit deny in an identity-based policy";

  private static String file(String name, byte[] content) throws IOException {
    return "fileb://" + Files.write(dir.resolve(name), content);
  }

  private static String ciphertext(String key) throws IOException {
    return file("cipher-" + key + ".bin", CIPHERTEXTS.get(key));
  }

  private static String plaintextFile() throws IOException {
    return file("plain.bin", PLAINTEXT);
  }

  private static void decrypted(JsonNode output, String key) {
    assertThat(Base64.getDecoder().decode(output.get("Plaintext").asText())).isEqualTo(PLAINTEXT);
    assertThat(output.get("KeyId").asText()).isEqualTo(keyArn(key));
  }

  /** The newest access decision {@code GET /_shunt/explain} reports. */
  private static JsonNode lastDecision() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        shunt.uri().resolve("/_shunt/explain?limit=1")).header("Authorization", "Bearer " + ADMIN_TOKEN).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode decisions = Json.readTree(response.body()).get("decisions");
    assertThat(decisions).hasSize(1);
    return decisions.get(0);
  }

  // ---- KMS --------------------------------------------------------------------------------------

  /** The four users, three keys scenario: each rule allowed and denied at least once. */
  @Test
  void kmsKeyPoliciesAndIdentityPoliciesAsInTheFourUsersThreeKeysScenario() throws Exception {
    // Key A delegates to IAM: alice's identity policy allows, bob has none, charlie's allows only Encrypt.
    JsonNode encrypted = allowed("alice", "kms", "encrypt", "--key-id", keyArn("A"), "--plaintext", plaintextFile());
    assertThat(encrypted.get("KeyId").asText()).isEqualTo(keyArn("A"));
    decrypted(allowed("alice", "kms", "decrypt", "--ciphertext-blob", ciphertext("A")), "A");
    denied(user("bob"), "kms:DescribeKey", keyArn("A"), noIdentity("kms:DescribeKey"),
        "bob", "kms", "describe-key", "--key-id", keyArn("A"));
    assertThat(allowed("charlie", "kms", "encrypt", "--key-id", keyArn("A"), "--plaintext", plaintextFile())
        .get("KeyId").asText()).isEqualTo(keyArn("A"));
    denied(user("charlie"), "kms:Decrypt", keyArn("A"), noIdentity("kms:Decrypt"),
        "charlie", "kms", "decrypt", "--ciphertext-blob", ciphertext("A"));

    // Key B names bob and charlie and does not delegate: identity policies (alice's, david's) do not count.
    decrypted(allowed("bob", "kms", "decrypt", "--ciphertext-blob", ciphertext("B")), "B");
    denied(user("alice"), "kms:DescribeKey", keyArn("B"), noResource("kms:DescribeKey"),
        "alice", "kms", "describe-key", "--key-id", keyArn("B"));
    denied(user("david"), "kms:Decrypt", keyArn("B"), noResource("kms:Decrypt"),
        "david", "kms", "decrypt", "--ciphertext-blob", ciphertext("B"));

    // Key C names alice; its explicit Deny beats david's identity policy and bob's nothing.
    assertThat(allowed("alice", "kms", "describe-key", "--key-id", keyArn("C")).at("/KeyMetadata/Arn").asText())
        .isEqualTo(keyArn("C"));
    denied(user("david"), "kms:DescribeKey", keyArn("C"), DENIED_BY_RESOURCE,
        "david", "kms", "describe-key", "--key-id", keyArn("C"));
    JsonNode decision = lastDecision();
    assertThat(decision.get("principal").asText()).isEqualTo(user("david"));
    assertThat(decision.get("action").asText()).isEqualTo("kms:DescribeKey");
    assertThat(decision.get("resource").asText()).isEqualTo(keyArn("C"));
    assertThat(decision.get("decision").asText()).isEqualTo("denied");
    assertThat(decision.get("reason").asText()).isEqualTo("EXPLICIT_DENY_IN_KEY_POLICY");
    assertThat(decision.get("policy").asText()).isEqualTo("key policy");
    assertThat(decision.get("statement").asText()).isEqualTo("DenyBobCharlieDavid");
    denied(user("bob"), "kms:Encrypt", keyArn("C"), DENIED_BY_RESOURCE,
        "bob", "kms", "encrypt", "--key-id", keyArn("C"), "--plaintext", plaintextFile());

    // An explicit Deny in an identity policy beats that policy's own Allow, under a key that delegates.
    assertThat(allowed("mallory", "kms", "encrypt", "--key-id", keyArn("A"), "--plaintext", plaintextFile())
        .get("KeyId").asText()).isEqualTo(keyArn("A"));
    denied(user("mallory"), "kms:Decrypt", keyArn("A"), DENIED_BY_IDENTITY,
        "mallory", "kms", "decrypt", "--ciphertext-blob", ciphertext("A"));
    decision = lastDecision();
    assertThat(decision.get("reason").asText()).isEqualTo("EXPLICIT_DENY_IN_IDENTITY_POLICY");
    assertThat(decision.get("policy").asText()).isEqualTo("mallory-1");
    assertThat(decision.get("statement").asText()).isEqualTo("NoDecrypt");
  }

  /** Another account's callers need the key policy to name their account and an identity policy of their own. */
  @Test
  void kmsAcrossAccountsNeedsTheKeyPolicyAndAnIdentityPolicy() throws Exception {
    JsonNode encrypted = allowed("eve", "kms", "encrypt", "--key-id", keyArn("X"), "--plaintext", plaintextFile());
    assertThat(encrypted.get("KeyId").asText()).isEqualTo(keyArn("X"));
    byte[] blob = Base64.getDecoder().decode(encrypted.get("CiphertextBlob").asText());
    decrypted(allowed("eve", "kms", "decrypt", "--ciphertext-blob", file("eve.bin", blob)), "X");
    // The other account's root needs no identity policy.
    assertThat(allowed("otherRoot", "kms", "describe-key", "--key-id", keyArn("X")).at("/KeyMetadata/Arn").asText())
        .isEqualTo(keyArn("X"));
    // No identity policy of frank's allows it, though the key policy names his account.
    denied(user("frank"), "kms:Decrypt", keyArn("X"), noIdentity("kms:Decrypt"),
        "frank", "kms", "decrypt", "--ciphertext-blob", ciphertext("X"));
    // Eve's identity policy names key Y, but key Y's policy does not name her account.
    denied(user("eve"), "kms:Encrypt", keyArn("Y"), noResource("kms:Encrypt"),
        "eve", "kms", "encrypt", "--key-id", keyArn("Y"), "--plaintext", plaintextFile());
  }

  /** Key D lets the role's session use it only with the encryption context tenant=t1. */
  @Test
  void kmsConditionOnTheEncryptionContextLetsARoleSessionIn() throws Exception {
    JsonNode encrypted = allowed("app", "kms", "encrypt", "--key-id", keyArn("D"), "--plaintext", plaintextFile(),
        "--encryption-context", "{\"tenant\":\"t1\"}");
    byte[] blob = Base64.getDecoder().decode(encrypted.get("CiphertextBlob").asText());
    decrypted(allowed("app", "kms", "decrypt", "--ciphertext-blob", file("tenant.bin", blob),
        "--encryption-context", "{\"tenant\":\"t1\"}"), "D");
    // Key D delegates to IAM (its root statement), so AWS names the identity policies.
    denied(APP_SESSION, "kms:Encrypt", keyArn("D"), noIdentity("kms:Encrypt"),
        "app", "kms", "encrypt", "--key-id", keyArn("D"), "--plaintext", plaintextFile());
    denied(APP_SESSION, "kms:Encrypt", keyArn("D"), noIdentity("kms:Encrypt"),
        "app", "kms", "encrypt", "--key-id", keyArn("D"), "--plaintext", plaintextFile(),
        "--encryption-context", "{\"tenant\":\"t2\"}");
  }

  /** A grant made with the CLI lets bob decrypt under key A, until he retires it or the account revokes it. */
  @Test
  void kmsGrantsAllowUntilRetiredOrRevoked() throws Exception {
    String[] decrypt = {"kms", "decrypt", "--key-id", keyArn("A"), "--ciphertext-blob", ciphertext("A")};
    String why = noIdentity("kms:Decrypt");
    denied(user("bob"), "kms:Decrypt", keyArn("A"), why, "bob", decrypt);

    JsonNode grant = allowed("root", "kms", "create-grant", "--key-id", keyArn("A"), "--grantee-principal",
        user("bob"), "--retiring-principal", user("bob"), "--operations", "Decrypt");
    assertThat(grant.get("GrantId").asText()).matches("[0-9a-f]{64}");
    decrypted(allowed("bob", decrypt), "A");
    JsonNode decision = lastDecision();
    assertThat(decision.get("decision").asText()).isEqualTo("allowed");
    assertThat(decision.get("reason").asText()).isEqualTo("ALLOWED_BY_GRANT");
    assertThat(allowed("bob", "kms", "retire-grant", "--grant-token", grant.get("GrantToken").asText())).isNull();
    denied(user("bob"), "kms:Decrypt", keyArn("A"), why, "bob", decrypt);

    grant = allowed("root", "kms", "create-grant", "--key-id", keyArn("A"), "--grantee-principal", user("bob"),
        "--operations", "Decrypt");
    decrypted(allowed("bob", decrypt), "A");
    assertThat(allowed("root", "kms", "revoke-grant", "--key-id", keyArn("A"), "--grant-id",
        grant.get("GrantId").asText())).isNull();
    denied(user("bob"), "kms:Decrypt", keyArn("A"), why, "bob", decrypt);
  }

  /**
   * A grant's retiring principal may retire it by key and grant id with no kms:RetireGrant
   * permission ("Principals specified in the grant can retire a grant without the
   * kms:RetireGrant permission", AWS KMS developer guide, Retiring and revoking grants).
   */
  @Test
  void kmsTheRetiringPrincipalRetiresByGrantIdWithoutPolicyPermission() throws Exception {
    JsonNode grant = allowed("root", "kms", "create-grant", "--key-id", keyArn("A"), "--grantee-principal",
        user("david"), "--retiring-principal", user("bob"), "--operations", "Decrypt");
    assertThat(allowed("bob", "kms", "retire-grant", "--key-id", keyArn("A"), "--grant-id",
        grant.get("GrantId").asText())).isNull();
  }

  /**
   * Only the retiring principal, the grantee when the grant allows RetireGrant, and the grant's
   * account may retire a grant; the token alone does not let anyone else (AWS KMS developer guide,
   * Retiring and revoking grants: "The kms:RetireGrant permission alone does not allow principals to
   * retire a grant").
   */
  @Test
  void kmsAGrantTokenAloneDoesNotLetAStrangerRetireTheGrant() throws Exception {
    JsonNode grant = allowed("root", "kms", "create-grant", "--key-id", keyArn("A"), "--grantee-principal",
        user("david"), "--retiring-principal", user("bob"), "--operations", "Decrypt");
    Run run = as("charlie", "kms", "retire-grant", "--grant-token", grant.get("GrantToken").asText());
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("AccessDeniedException");
  }

  /** CreateKey needs an identity policy on "*"; a key policy that would lock its author out needs the bypass. */
  @Test
  void kmsCreateKeyAndThePolicyLockoutSafetyCheck() throws Exception {
    denied(user("alice"), "kms:CreateKey", "*", noIdentity("kms:CreateKey"), "alice", "kms", "create-key");
    JsonNode metadata = allowed("root", "kms", "create-key", "--description", "lockout").get("KeyMetadata");
    assertThat(metadata.get("AWSAccountId").asText()).isEqualTo(ACCOUNT);
    String key = metadata.get("Arn").asText();

    String onlyBob = policy(statement("OnlyBob", "Allow", quoted(user("bob")), "\"kms:*\"", null));
    Run refused = as("root", "kms", "put-key-policy", "--key-id", key, "--policy-name", "default", "--policy",
        onlyBob);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.stderr()).contains("An error occurred (MalformedPolicyDocumentException) when calling the "
        + "PutKeyPolicy operation: The new key policy will not allow you to update the key policy in the future.");
    assertThat(allowed("root", "kms", "put-key-policy", "--key-id", key, "--policy-name", "default", "--policy",
        onlyBob, "--bypass-policy-lockout-safety-check")).isNull();
    // The new policy holds: bob is in, the account's root is out.
    assertThat(allowed("bob", "kms", "describe-key", "--key-id", key).at("/KeyMetadata/Arn").asText()).isEqualTo(key);
    denied(root(ACCOUNT), "kms:DescribeKey", key, noResource("kms:DescribeKey"),
        "root", "kms", "describe-key", "--key-id", key);
  }

  // ---- Secrets Manager ----------------------------------------------------------------------------

  @Test
  void secretsManagerIdentityPoliciesResourcePoliciesAndAnotherAccount() throws Exception {
    String getValue = "secretsmanager:GetSecretValue";
    // Same account, identity policies: alice may read app/*, mallory is denied it explicitly.
    assertThat(allowed("alice", "secretsmanager", "get-secret-value", "--secret-id", "app/db").get("SecretString")
        .asText()).isEqualTo("value of app/db");
    denied(user("alice"), getValue, SECRETS.get("other/db"), noIdentity(getValue),
        "alice", "secretsmanager", "get-secret-value", "--secret-id", "other/db");
    denied(user("mallory"), getValue, SECRETS.get("app/db"), DENIED_BY_IDENTITY,
        "mallory", "secretsmanager", "get-secret-value", "--secret-id", "app/db");

    // Same account, resource policies: one naming bob is enough for him; a Deny beats alice's identity policy.
    denied(user("bob"), getValue, SECRETS.get("bob/shared"), noIdentity(getValue),
        "bob", "secretsmanager", "get-secret-value", "--secret-id", "bob/shared");
    putResourcePolicy("bob/shared", "Allow", quoted(user("bob")));
    assertThat(allowed("bob", "secretsmanager", "get-secret-value", "--secret-id", "bob/shared").get("SecretString")
        .asText()).isEqualTo("value of bob/shared");
    putResourcePolicy("app/locked", "Deny", quoted(user("alice")));
    denied(user("alice"), getValue, SECRETS.get("app/locked"), DENIED_BY_RESOURCE,
        "alice", "secretsmanager", "get-secret-value", "--secret-id", "app/locked");

    // Another account: the resource policy, the caller's identity policy and the KMS key (policy and
    // identity policy) must all allow.
    putResourcePolicy("shared/cross", "Allow", quoted(root(OTHER)));
    putResourcePolicy("shared/wrong-key", "Allow", quoted(root(OTHER)));
    assertThat(allowed("eve", "secretsmanager", "get-secret-value", "--secret-id", SECRETS.get("shared/cross"))
        .get("SecretString").asText()).isEqualTo("value of shared/cross");
    denied(user("eve"), getValue, SECRETS.get("shared/private"), noResource(getValue),
        "eve", "secretsmanager", "get-secret-value", "--secret-id", SECRETS.get("shared/private"));
    denied(user("frank"), getValue, SECRETS.get("shared/cross"), noIdentity(getValue),
        "frank", "secretsmanager", "get-secret-value", "--secret-id", SECRETS.get("shared/cross"));
    // Secrets Manager's words when KMS refuses the caller: grace may not use key X, key Y does not name eve's account.
    deniedWith("Access to KMS is not allowed",
        "grace", "secretsmanager", "get-secret-value", "--secret-id", SECRETS.get("shared/cross"));
    deniedWith("Access to KMS is not allowed",
        "eve", "secretsmanager", "get-secret-value", "--secret-id", SECRETS.get("shared/wrong-key"));
  }

  private static void putResourcePolicy(String secret, String effect, String principals) throws Exception {
    JsonNode put = allowed("root", "secretsmanager", "put-resource-policy", "--secret-id", secret,
        "--resource-policy", policy(statement(effect + "Read", effect, principals,
            "\"secretsmanager:GetSecretValue\"", null)));
    assertThat(put.get("ARN").asText()).isEqualTo(SECRETS.get(secret));
  }

  // ---- Parameter Store -----------------------------------------------------------------------------

  @Test
  void parameterStoreIdentityPoliciesOnPathsAndTheKeyOfASecureString() throws Exception {
    assertThat(allowed("alice", "ssm", "get-parameter", "--name", "/app/p").at("/Parameter/Value").asText())
        .isEqualTo("app value");
    denied(user("alice"), "ssm:GetParameter", parameterArn("/other/p"), noIdentity("ssm:GetParameter"),
        "alice", "ssm", "get-parameter", "--name", "/other/p");
    denied(user("mallory"), "ssm:GetParameter", parameterArn("/app/p"), DENIED_BY_IDENTITY,
        "mallory", "ssm", "get-parameter", "--name", "/app/p");

    // GetParametersByPath is decided on the path's ARN.
    List<String> names = new ArrayList<>();
    allowed("alice", "ssm", "get-parameters-by-path", "--path", "/app").get("Parameters")
        .forEach(p -> names.add(p.get("Name").asText()));
    assertThat(names).containsExactly("/app/p", "/app/secure-a", "/app/secure-d");
    denied(user("alice"), "ssm:GetParametersByPath", parameterArn("/other"), noIdentity("ssm:GetParametersByPath"),
        "alice", "ssm", "get-parameters-by-path", "--path", "/other");
    denied(user("alice"), "ssm:GetParametersByPath", parameterArn("/"), noIdentity("ssm:GetParametersByPath"),
        "alice", "ssm", "get-parameters-by-path", "--path", "/", "--recursive");

    // A SecureString's value needs kms:Decrypt on its key too: alice may use key A, not key D.
    assertThat(allowed("alice", "ssm", "get-parameter", "--name", "/app/secure-a", "--with-decryption")
        .at("/Parameter/Value").asText()).isEqualTo("secret under A");
    Run run = as("alice", "ssm", "get-parameter", "--name", "/app/secure-d", "--with-decryption");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("An error occurred (AccessDeniedException) when calling the GetParameter "
        + "operation: User: " + user("alice") + " is not authorized to perform: kms:Decrypt on resource: "
        + keyArn("D"));
    assertThat(allowed("alice", "ssm", "get-parameter", "--name", "/app/secure-d").at("/Parameter/Value").asText())
        .isNotEqualTo("secret under D");

    // DescribeParameters names no parameter: the role's policy names parameters, so it may not; mallory's "*" may.
    // (The resource AWS names is checked in parameterStoreRefusesDescribeParametersOnTheAccountsSsmResource.)
    run = as("app", "ssm", "describe-parameters");
    assertThat(run.exitCode()).isNotZero();
    assertThat(run.stderr()).contains("An error occurred (AccessDeniedException) when calling the DescribeParameters "
        + "operation: User: " + APP_SESSION + " is not authorized to perform: ssm:DescribeParameters on resource: ")
        .contains(noIdentity("ssm:DescribeParameters"));
    List<String> described = new ArrayList<>();
    allowed("mallory", "ssm", "describe-parameters").get("Parameters")
        .forEach(p -> described.add(p.get("Name").asText()));
    assertThat(described).contains("/app/p", "/other/p", "/app/secure-a", "/app/secure-d");
  }

  /**
   * AWS names the account's SSM resource, not "*", when it refuses DescribeParameters: "User: ARN is
   * not authorized to perform: ssm:DescribeParameters on resource: arn:aws:ssm:REGION:ACCOUNT:*
   * because no identity-based policy allows the ssm:DescribeParameters action" (what the real service
   * answers in users' published transcripts; AWS documents no message).
   */
  @Test
  void parameterStoreRefusesDescribeParametersOnTheAccountsSsmResource() throws Exception {
    denied(APP_SESSION, "ssm:DescribeParameters", "arn:aws:ssm:us-east-1:" + ACCOUNT + ":*",
        noIdentity("ssm:DescribeParameters"), "app", "ssm", "describe-parameters");
  }
}
