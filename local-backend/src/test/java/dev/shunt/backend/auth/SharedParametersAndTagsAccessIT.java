package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Shared parameters, tag condition keys and explain under a principals file with two accounts, with
 * the real SDK and SigV4. Account 111122223333 owns; in 444455556666 eve may read the owner's
 * parameters and decrypt with any key (her identity policy), mallory has no identity policy, trent
 * may read but is denied /shared/denied by his own policy, and carol may read but not decrypt.
 * Another account's caller needs both the parameter's resource policy and an identity policy (AWS:
 * "Cross-account policy evaluation logic"); an explicit Deny anywhere wins. In the owner's account
 * alice may create parameters and secrets only with the tag team=core, tag only with the keys team
 * and env, and untag only env.
 */
class SharedParametersAndTagsAccessIT {
  private static final String OWNER = "111122223333";
  private static final String OTHER = "444455556666";
  private static final String ADMIN_TOKEN = "a-test-admin-token-1234";
  private static final String EVE = "arn:aws:iam::" + OTHER + ":user/eve";
  private static final String MALLORY = "arn:aws:iam::" + OTHER + ":user/mallory";
  private static final String TRENT = "arn:aws:iam::" + OTHER + ":user/trent";
  private static final String CAROL = "arn:aws:iam::" + OTHER + ":user/carol";
  private static final String ALICE = "arn:aws:iam::" + OWNER + ":user/alice";

  @TempDir
  static Path dir;
  private static BackendFixture shunt;
  private static SsmClient root;
  private static SsmClient eve;
  private static SsmClient mallory;
  private static SsmClient trent;
  private static SsmClient carol;
  private static SsmClient otherRoot;
  private static SsmClient alice;
  private static SecretsManagerClient aliceSecrets;
  private static SecretsManagerClient rootSecrets;

  static String arn(String name) {
    return "arn:aws:ssm:us-east-1:" + OWNER + ":parameter" + name;
  }

  static String share(String principal, String effect, String... actions) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"" + effect + "Other\",\"Effect\":\"" + effect
        + "\",\"Principal\":{\"AWS\":\"" + principal + "\"},\"Action\":" + Json.text(Json.array().addAll(
            java.util.Arrays.stream(actions).map(com.fasterxml.jackson.databind.node.TextNode::valueOf).toList()))
        + ",\"Resource\":\"*\"}]}";
  }

  @BeforeAll
  static void start() throws Exception {
    String principals = """
        principals:
          - arn: arn:aws:iam::111122223333:root
            accessKeys: [{id: AKIAROOT1, secret: root-secret}]
          - arn: arn:aws:iam::444455556666:root
            accessKeys: [{id: AKIAROOT2, secret: root2-secret}]
          - arn: arn:aws:iam::111122223333:user/alice
            accessKeys: [{id: AKIAALICE, secret: alice-secret}]
            policies:
              - Version: "2012-10-17"
                Statement:
                  - Sid: CreateTaggedForCore
                    Effect: Allow
                    Action: ["ssm:PutParameter", "secretsmanager:CreateSecret"]
                    Resource: "*"
                    Condition: {StringEquals: {"aws:RequestTag/team": core}}
                  - Sid: TagWithKnownKeys
                    Effect: Allow
                    Action: ["ssm:AddTagsToResource", "secretsmanager:TagResource"]
                    Resource: "*"
                    Condition: {"ForAllValues:StringEquals": {"aws:TagKeys": [team, env]}}
                  - Sid: UntagEnvOnly
                    Effect: Allow
                    Action: ["ssm:RemoveTagsFromResource", "secretsmanager:UntagResource"]
                    Resource: "*"
                    Condition: {"ForAllValues:StringEquals": {"aws:TagKeys": [env]}, "Null": {"aws:TagKeys": "false"}}
          - arn: arn:aws:iam::444455556666:user/eve
            accessKeys: [{id: AKIAEVE, secret: eve-secret}]
            policies:
              - Version: "2012-10-17"
                Statement:
                  - {Sid: ReadOwners, Effect: Allow, Action: "ssm:GetParameter*", Resource: "arn:aws:ssm:*:111122223333:parameter/*"}
                  - {Sid: ListShared, Effect: Allow, Action: "ssm:DescribeParameters", Resource: "*"}
                  - {Sid: Decrypt, Effect: Allow, Action: "kms:Decrypt", Resource: "*"}
          - arn: arn:aws:iam::444455556666:user/mallory
            accessKeys: [{id: AKIAMALLORY, secret: mallory-secret}]
          - arn: arn:aws:iam::444455556666:user/trent
            accessKeys: [{id: AKIATRENT, secret: trent-secret}]
            policies:
              - Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: "ssm:GetParameter", Resource: "*"}
                  - {Sid: NotThatOne, Effect: Deny, Action: "ssm:GetParameter", Resource: "arn:aws:ssm:us-east-1:111122223333:parameter/shared/denied"}
          - arn: arn:aws:iam::444455556666:user/carol
            accessKeys: [{id: AKIACAROL, secret: carol-secret}]
            policies:
              - {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "ssm:GetParameter", Resource: "*"}]}
        """;
    Path file = dir.resolve("principals.yaml");
    Files.writeString(file, principals);
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4).option("principals", file.toString())
        .option("admin-token", ADMIN_TOKEN));
    root = shunt.ssm("AKIAROOT1", "root-secret", Region.US_EAST_1);
    otherRoot = shunt.ssm("AKIAROOT2", "root2-secret", Region.US_EAST_1);
    eve = shunt.ssm("AKIAEVE", "eve-secret", Region.US_EAST_1);
    mallory = shunt.ssm("AKIAMALLORY", "mallory-secret", Region.US_EAST_1);
    trent = shunt.ssm("AKIATRENT", "trent-secret", Region.US_EAST_1);
    carol = shunt.ssm("AKIACAROL", "carol-secret", Region.US_EAST_1);
    alice = shunt.ssm("AKIAALICE", "alice-secret", Region.US_EAST_1);
    aliceSecrets = shunt.secrets("AKIAALICE", "alice-secret", Region.US_EAST_1);
    rootSecrets = shunt.secrets("AKIAROOT1", "root-secret", Region.US_EAST_1);

    String account = "arn:aws:iam::" + OTHER + ":root";
    for (String name : new String[] {"/shared/config", "/shared/denied", "/shared/unshared", "/shared/for-eve",
        "/shared/blocked"}) {
      root.putParameter(r -> r.name(name).value("value of " + name).type(ParameterType.STRING)
          .tier(ParameterTier.ADVANCED));
    }
    for (String name : new String[] {"/shared/config", "/shared/denied"}) {
      root.putResourcePolicy(r -> r.resourceArn(arn(name)).policy(share(account, "Allow", "ssm:GetParameter",
          "ssm:DescribeParameters")));
    }
    root.putResourcePolicy(r -> r.resourceArn(arn("/shared/for-eve")).policy(share(EVE, "Allow",
        "ssm:GetParameter")));
    root.putResourcePolicy(r -> r.resourceArn(arn("/shared/blocked")).policy(share(account, "Allow",
        "ssm:GetParameter")));
    root.putResourcePolicy(r -> r.resourceArn(arn("/shared/blocked")).policy(share(EVE, "Deny",
        "ssm:GetParameter")));

    // A SecureString another account reads is under a customer managed key that delegates to that account.
    String keyPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "[\"arn:aws:iam::" + OWNER + ":root\",\"" + account + "\"]},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
    String key;
    try (KmsClient kms = shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1)) {
      key = kms.createKey(r -> r.policy(keyPolicy)).keyMetadata().arn();
    }
    root.putParameter(r -> r.name("/shared/secure").value("s3cret").type(ParameterType.SECURE_STRING).keyId(key)
        .tier(ParameterTier.ADVANCED));
    root.putResourcePolicy(r -> r.resourceArn(arn("/shared/secure")).policy(share(account, "Allow",
        "ssm:GetParameter")));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable client : new AutoCloseable[] {root, otherRoot, eve, mallory, trent, carol, alice, aliceSecrets,
        rootSecrets}) {
      try {
        client.close();
      } catch (Exception ignored) {
        // closing a client cannot fail a test
      }
    }
    shunt.close();
  }

  /** The call fails AccessDeniedException with this message (a regex); its request id. */
  private static String denied(ThrowableAssert.ThrowingCallable call, String message) {
    String[] requestId = new String[1];
    assertThatThrownBy(call).isInstanceOfSatisfying(AwsServiceException.class, e -> {
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(e.awsErrorDetails().errorMessage()).matches(message);
      requestId[0] = e.requestId();
    });
    return requestId[0];
  }

  private static String ssmDenial(String principal, String action, String name, String why) {
    return "User: " + principal + " is not authorized to perform: ssm:" + action + " on resource: " + arn(name) + why;
  }

  /** The decisions explain lists for one request, newest first. */
  private static JsonNode explain(String requestId) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(shunt.uri() + "/_shunt/explain?requestId=" + requestId)).header("Authorization", "Bearer "
        + ADMIN_TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return Json.readTree(response.body()).get("decisions");
  }

  private static void decision(JsonNode decision, String principal, String action, String resource, String verdict,
      String reason, String policy, String statement) {
    assertThat(decision.get("principal").asText()).isEqualTo(principal);
    assertThat(decision.get("action").asText()).isEqualTo(action);
    assertThat(decision.get("resource").asText()).isEqualTo(resource);
    assertThat(decision.get("decision").asText()).isEqualTo(verdict);
    assertThat(decision.get("reason").asText()).isEqualTo(reason);
    assertThat(decision.path("policy").asText(null)).isEqualTo(policy);
    assertThat(decision.path("statement").asText(null)).isEqualTo(statement);
  }

  // ---- shared parameters across accounts ------------------------------------------------------

  @Test
  void eveReadsASharedParameterByArnWithHerIdentityPolicyAndTheResourcePolicy() throws Exception {
    var response = eve.getParameter(r -> r.name(arn("/shared/config")));
    assertThat(response.parameter().value()).isEqualTo("value of /shared/config");
    JsonNode decisions = explain(response.responseMetadata().requestId());
    assertThat(decisions).hasSize(1);
    decision(decisions.get(0), EVE, "ssm:GetParameter", arn("/shared/config"), "allowed",
        "ALLOWED_BY_IDENTITY_POLICY", "eve-1", "ReadOwners");
    assertThat(eve.getParameter(r -> r.name(arn("/shared/for-eve"))).parameter().value())
        .isEqualTo("value of /shared/for-eve");
    // The other account's root holds every permission of its account: the resource policy is all it needs.
    var asRoot = otherRoot.getParameter(r -> r.name(arn("/shared/config")));
    decision(explain(asRoot.responseMetadata().requestId()).get(0), "arn:aws:iam::" + OTHER + ":root",
        "ssm:GetParameter", arn("/shared/config"), "allowed", "ALLOWED_BY_RESOURCE_POLICY",
        "resource policy " + root.getResourcePolicies(r -> r.resourceArn(arn("/shared/config"))).policies().get(0)
            .policyId(), "AllowOther");
    assertThat(eve.describeParameters(r -> r.shared(true).maxResults(50)).parameters()).extracting(p -> p.arn())
        .containsExactlyInAnyOrder(arn("/shared/config"), arn("/shared/denied"));
  }

  @Test
  void malloryWithoutAnIdentityPolicyIsRefusedThoughTheParameterIsSharedWithHisAccount() throws Exception {
    String requestId = denied(() -> mallory.getParameter(r -> r.name(arn("/shared/config"))),
        ssmDenial(MALLORY, "GetParameter", "/shared/config",
            " because no identity-based policy allows the ssm:GetParameter action"));
    JsonNode decision = explain(requestId).get(0);
    assertThat(decision.get("reason").asText()).isEqualTo("NO_IDENTITY_POLICY_ALLOWS");
    assertThat(decision.get("policy").asText()).startsWith("resource policy ");
    assertThat(decision.get("statement").asText()).isEqualTo("AllowOther");
  }

  @Test
  void withoutAResourcePolicyOrOneNamingSomeoneElseTheOtherAccountIsRefused() throws Exception {
    String requestId = denied(() -> eve.getParameter(r -> r.name(arn("/shared/unshared"))),
        ssmDenial(EVE, "GetParameter", "/shared/unshared",
            " because no resource-based policy allows the ssm:GetParameter action"));
    decision(explain(requestId).get(0), EVE, "ssm:GetParameter", arn("/shared/unshared"), "denied",
        "NO_RESOURCE_POLICY_ALLOWS", null, null);
    // /shared/for-eve names eve, not her account: trent's identity policy does not make up for it.
    denied(() -> trent.getParameter(r -> r.name(arn("/shared/for-eve"))), ssmDenial(TRENT, "GetParameter",
        "/shared/for-eve", " because no resource-based policy allows the ssm:GetParameter action"));
  }

  @Test
  void anExplicitDenyInEitherPolicyWins() throws Exception {
    String requestId = denied(() -> trent.getParameter(r -> r.name(arn("/shared/denied"))),
        ssmDenial(TRENT, "GetParameter", "/shared/denied", " with an explicit deny in an identity-based policy"));
    decision(explain(requestId).get(0), TRENT, "ssm:GetParameter", arn("/shared/denied"), "denied",
        "EXPLICIT_DENY_IN_IDENTITY_POLICY", "trent-1", "NotThatOne");
    assertThat(trent.getParameter(r -> r.name(arn("/shared/config"))).parameter().value())
        .isEqualTo("value of /shared/config");
    requestId = denied(() -> eve.getParameter(r -> r.name(arn("/shared/blocked"))),
        ssmDenial(EVE, "GetParameter", "/shared/blocked", " with an explicit deny in a resource-based policy"));
    JsonNode decision = explain(requestId).get(0);
    assertThat(decision.get("reason").asText()).isEqualTo("EXPLICIT_DENY_IN_RESOURCE_POLICY");
    assertThat(decision.get("statement").asText()).isEqualTo("DenyOther");
    assertThat(trent.getParameter(r -> r.name(arn("/shared/blocked"))).parameter().value())
        .isEqualTo("value of /shared/blocked");
  }

  @Test
  void aSharedSecureStringNeedsKmsDecryptForTheCallerToo() throws Exception {
    assertThat(eve.getParameter(r -> r.name(arn("/shared/secure")).withDecryption(true)).parameter().value())
        .isEqualTo("s3cret");
    String requestId = denied(() -> carol.getParameter(r -> r.name(arn("/shared/secure")).withDecryption(true)),
        "User: " + CAROL + " is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:" + OWNER
            + ":key/[-0-9a-f]+ because no identity-based policy allows the kms:Decrypt action");
    JsonNode decisions = explain(requestId);
    assertThat(decisions).hasSize(2);
    assertThat(decisions.get(0).get("action").asText()).isEqualTo("kms:Decrypt");
    assertThat(decisions.get(0).get("decision").asText()).isEqualTo("denied");
    assertThat(decisions.get(1).get("action").asText()).isEqualTo("ssm:GetParameter");
    assertThat(decisions.get(1).get("decision").asText()).isEqualTo("allowed");
    // Its ciphertext needs no key.
    assertThat(carol.getParameter(r -> r.name(arn("/shared/secure"))).parameter().value()).isNotEqualTo("s3cret");
  }

  @Test
  void theOwnersAccountStillDecidesByItsIdentityPolicies() throws Exception {
    var response = root.getParameter(r -> r.name("/shared/unshared"));
    decision(explain(response.responseMetadata().requestId()).get(0), "arn:aws:iam::" + OWNER + ":root",
        "ssm:GetParameter", arn("/shared/unshared"), "allowed", "ALLOWED_AS_ACCOUNT_ROOT", null, null);
    // A resource policy sharing with another account gives nothing in the owner's account.
    denied(() -> alice.getParameter(r -> r.name("/shared/config")), ssmDenial(ALICE, "GetParameter",
        "/shared/config", " because no identity-based policy allows the ssm:GetParameter action"));
    // Nobody of another account writes, whatever the policies.
    denied(() -> eve.putParameter(r -> r.name(arn("/shared/config")).value("x").overwrite(true)),
        ssmDenial(EVE, "PutParameter", "/shared/config",
            " because no resource-based policy allows the ssm:PutParameter action"));
    denied(() -> otherRoot.deleteParameter(r -> r.name(arn("/shared/config"))), ".* because no resource-based "
        + "policy allows the ssm:DeleteParameter action");
    denied(() -> otherRoot.putResourcePolicy(r -> r.resourceArn(arn("/shared/config")).policy(share(EVE, "Allow",
        "ssm:GetParameter"))), ".* because no resource-based policy allows the ssm:PutResourcePolicy action");
  }

  // ---- tag condition keys -----------------------------------------------------------------

  @Test
  void aliceCreatesAndTagsParametersOnlyAsTheTagConditionsSay() throws Exception {
    var made = alice.putParameter(r -> r.name("/tagged/ok").value("v").type(ParameterType.STRING)
        .tags(Tag.builder().key("team").value("core").build()));
    decision(explain(made.responseMetadata().requestId()).get(0), ALICE, "ssm:PutParameter", arn("/tagged/ok"),
        "allowed", "ALLOWED_BY_IDENTITY_POLICY", "alice-1", "CreateTaggedForCore");
    denied(() -> alice.putParameter(r -> r.name("/tagged/other").value("v").type(ParameterType.STRING)
        .tags(Tag.builder().key("team").value("web").build())), ssmDenial(ALICE, "PutParameter", "/tagged/other",
            " because no identity-based policy allows the ssm:PutParameter action"));
    denied(() -> alice.putParameter(r -> r.name("/tagged/none").value("v").type(ParameterType.STRING)),
        ".* ssm:PutParameter .*");

    alice.addTagsToResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId("/tagged/ok")
        .tags(Tag.builder().key("env").value("prod").build()));
    denied(() -> alice.addTagsToResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId("/tagged/ok")
        .tags(Tag.builder().key("env").value("dev").build(), Tag.builder().key("owner").value("me").build())),
        ssmDenial(ALICE, "AddTagsToResource", "/tagged/ok",
            " because no identity-based policy allows the ssm:AddTagsToResource action"));
    alice.removeTagsFromResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId("/tagged/ok")
        .tagKeys("env"));
    denied(() -> alice.removeTagsFromResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER)
        .resourceId("/tagged/ok").tagKeys("team")), ".* ssm:RemoveTagsFromResource .*");
    assertThat(root.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER)
        .resourceId("/tagged/ok")).tagList()).extracting(Tag::key).containsExactly("team");
  }

  @Test
  void aliceCreatesAndTagsSecretsOnlyAsTheTagConditionsSay() throws Exception {
    var made = aliceSecrets.createSecret(r -> r.name("tagged/ok").secretString("v")
        .tags(software.amazon.awssdk.services.secretsmanager.model.Tag.builder().key("team").value("core").build()));
    JsonNode decision = explain(made.responseMetadata().requestId()).get(0);
    assertThat(decision.get("action").asText()).isEqualTo("secretsmanager:CreateSecret");
    assertThat(decision.get("reason").asText()).isEqualTo("ALLOWED_BY_IDENTITY_POLICY");
    assertThat(decision.get("statement").asText()).isEqualTo("CreateTaggedForCore");
    String requestId = denied(() -> aliceSecrets.createSecret(r -> r.name("tagged/web").secretString("v")
        .tags(software.amazon.awssdk.services.secretsmanager.model.Tag.builder().key("team").value("web").build())),
        "User: " + ALICE + " is not authorized to perform: secretsmanager:CreateSecret on resource: "
            + "arn:aws:secretsmanager:us-east-1:" + OWNER + ":secret:tagged/web-\\w{6} because no identity-based "
            + "policy allows the secretsmanager:CreateSecret action");
    decision = explain(requestId).get(0);
    assertThat(decision.get("decision").asText()).isEqualTo("denied");
    assertThat(decision.get("reason").asText()).isEqualTo("NO_IDENTITY_POLICY_ALLOWS");
    denied(() -> aliceSecrets.createSecret(r -> r.name("tagged/none").secretString("v")), ".* secretsmanager:CreateSecret .*");

    aliceSecrets.tagResource(r -> r.secretId(made.arn()).tags(software.amazon.awssdk.services.secretsmanager.model.Tag
        .builder().key("env").value("prod").build()));
    denied(() -> aliceSecrets.tagResource(r -> r.secretId(made.arn()).tags(
        software.amazon.awssdk.services.secretsmanager.model.Tag.builder().key("owner").value("me").build())),
        ".* secretsmanager:TagResource .* because no identity-based policy allows the secretsmanager:TagResource action");
    aliceSecrets.untagResource(r -> r.secretId(made.arn()).tagKeys("env"));
    denied(() -> aliceSecrets.untagResource(r -> r.secretId(made.arn()).tagKeys("team")),
        ".* secretsmanager:UntagResource .*");
    assertThat(rootSecrets.describeSecret(r -> r.secretId(made.arn())).tags())
        .extracting(software.amazon.awssdk.services.secretsmanager.model.Tag::key).containsExactly("team");
  }

  @Test
  void secretsManagerDecisionsNameTheResourcePolicyAndItsStatement() throws Exception {
    String arn = rootSecrets.createSecret(r -> r.name("explained").secretString("v")).arn();
    rootSecrets.putResourcePolicy(r -> r.secretId(arn).resourcePolicy("{\"Version\":\"2012-10-17\",\"Statement\":["
        + "{\"Sid\":\"NoEve\",\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"" + EVE + "\"},\"Action\":\"secretsmanager:*\","
        + "\"Resource\":\"*\"}]}"));
    try (SecretsManagerClient eveSecrets = shunt.secrets("AKIAEVE", "eve-secret", Region.US_EAST_1)) {
      String requestId = denied(() -> eveSecrets.getSecretValue(r -> r.secretId(arn)), ".* with an explicit deny in "
          + "a resource-based policy");
      decision(explain(requestId).get(0), EVE, "secretsmanager:GetSecretValue", arn, "denied",
          "EXPLICIT_DENY_IN_RESOURCE_POLICY", "resource policy", "NoEve");
    }
    var read = rootSecrets.getSecretValue(r -> r.secretId(arn));
    decision(explain(read.responseMetadata().requestId()).get(0), "arn:aws:iam::" + OWNER + ":root",
        "secretsmanager:GetSecretValue", arn, "allowed", "ALLOWED_AS_ACCOUNT_ROOT", null, null);
  }
}
