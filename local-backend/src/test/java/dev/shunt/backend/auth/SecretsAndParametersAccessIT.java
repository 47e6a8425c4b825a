package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
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
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Secrets Manager and Parameter Store under a principals file, with the real SDK and SigV4: the
 * account's root creates; alice may read app/* only; bob has no policy; eve, in another account,
 * may read any secret her identity policy allows only where its resource policy also lets her.
 */
class SecretsAndParametersAccessIT {
  private static final String ACCOUNT = "111122223333";
  private static final String OTHER = "444455556666";
  private static final String ALICE = "arn:aws:iam::" + ACCOUNT + ":user/alice";
  private static final String BOB = "arn:aws:iam::" + ACCOUNT + ":user/bob";
  private static final String EVE = "arn:aws:iam::" + OTHER + ":user/eve";
  @TempDir
  static Path dir;
  private static BackendFixture shunt;
  private static SecretsManagerClient root;
  private static SsmClient rootSsm;
  private static SecretsManagerClient alice;
  private static SsmClient aliceSsm;
  private static SecretsManagerClient bob;
  private static SsmClient bobSsm;
  private static SecretsManagerClient eve;
  private static String crossArn;
  private static String privateArn;

  private static String policy(String effect, String principal) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"Principal\":{\"AWS\":\""
        + principal + "\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
  }

  @BeforeAll
  static void start() throws Exception {
    String principals = """
        principals:
          - arn: arn:aws:iam::111122223333:root
            accessKeys: [{id: AKIAROOT1, secret: root-secret}]
          - arn: arn:aws:iam::111122223333:user/alice
            accessKeys: [{id: AKIAALICE, secret: alice-secret}]
            policies:
              - Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: "secretsmanager:GetSecretValue", Resource: "arn:aws:secretsmanager:us-east-1:111122223333:secret:app/*"}
                  - {Effect: Allow, Action: "ssm:GetParameter", Resource: "arn:aws:ssm:us-east-1:111122223333:parameter/app/*"}
          - arn: arn:aws:iam::111122223333:user/bob
            accessKeys: [{id: AKIABOB, secret: bob-secret}]
          - arn: arn:aws:iam::444455556666:user/eve
            accessKeys: [{id: AKIAEVE, secret: eve-secret}]
            policies:
              - Version: "2012-10-17"
                Statement:
                  - {Effect: Allow, Action: ["secretsmanager:GetSecretValue", "kms:Decrypt"], Resource: "*"}
        """;
    Path principalsFile = dir.resolve("principals.yaml");
    Files.writeString(principalsFile, principals);
    shunt = BackendFixture.start(ShuntBackend.builder().auth(AuthMode.SIGV4)
        .option("principals", principalsFile.toString()).option("admin-token", "a-test-admin-token-1234"));
    root = shunt.secrets("AKIAROOT1", "root-secret", Region.US_EAST_1);
    rootSsm = shunt.ssm("AKIAROOT1", "root-secret", Region.US_EAST_1);
    alice = shunt.secrets("AKIAALICE", "alice-secret", Region.US_EAST_1);
    aliceSsm = shunt.ssm("AKIAALICE", "alice-secret", Region.US_EAST_1);
    bob = shunt.secrets("AKIABOB", "bob-secret", Region.US_EAST_1);
    bobSsm = shunt.ssm("AKIABOB", "bob-secret", Region.US_EAST_1);
    eve = shunt.secrets("AKIAEVE", "eve-secret", Region.US_EAST_1);

    for (String name : new String[] {"app/db", "other/db", "bob/shared", "app/locked"}) {
      root.createSecret(r -> r.name(name).secretString("value of " + name));
    }
    root.putResourcePolicy(r -> r.secretId("bob/shared").resourcePolicy(policy("Allow", BOB)));
    root.putResourcePolicy(r -> r.secretId("app/locked").resourcePolicy(policy("Deny", ALICE)));
    // A secret another account reads must be under a customer managed key that account may use.
    String keyPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "[\"arn:aws:iam::" + ACCOUNT + ":root\",\"arn:aws:iam::" + OTHER + ":root\"]},\"Action\":\"kms:*\","
        + "\"Resource\":\"*\"}]}";
    String keyId;
    try (KmsClient kms = shunt.kms("AKIAROOT1", "root-secret", Region.US_EAST_1)) {
      keyId = kms.createKey(r -> r.policy(keyPolicy)).keyMetadata().arn();
    }
    crossArn = root.createSecret(r -> r.name("shared/cross").kmsKeyId(keyId).secretString("for eve")).arn();
    root.putResourcePolicy(r -> r.secretId("shared/cross").resourcePolicy(policy("Allow", EVE)));
    privateArn = root.createSecret(r -> r.name("shared/private").kmsKeyId(keyId).secretString("not for eve")).arn();
    rootSsm.putParameter(r -> r.name("/app/p").value("app value").type(ParameterType.STRING));
    rootSsm.putParameter(r -> r.name("/other/p").value("other value").type(ParameterType.STRING));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable client : new AutoCloseable[] {root, rootSsm, alice, aliceSsm, bob, bobSsm, eve}) {
      try {
        client.close();
      } catch (Exception ignored) {
        // closing a client cannot fail a test
      }
    }
    shunt.close();
  }

  private static void denied(ThrowableAssert.ThrowingCallable call, String message) {
    assertThatThrownBy(call).isInstanceOfSatisfying(AwsServiceException.class, e -> {
      assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDeniedException");
      assertThat(e.awsErrorDetails().errorMessage()).matches(message);
    });
  }

  private static String secretArn(String name) {
    return "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + name + "-\\w{6}";
  }

  @Test
  void aliceReadsTheSecretsAndParametersHerPolicyNamesAndNothingElse() {
    assertThat(alice.getSecretValue(r -> r.secretId("app/db")).secretString()).isEqualTo("value of app/db");
    denied(() -> alice.getSecretValue(r -> r.secretId("other/db")), "User: " + ALICE
        + " is not authorized to perform: secretsmanager:GetSecretValue on resource: " + secretArn("other/db")
        + " because no identity-based policy allows the secretsmanager:GetSecretValue action");
    assertThat(aliceSsm.getParameter(r -> r.name("/app/p")).parameter().value()).isEqualTo("app value");
    denied(() -> aliceSsm.getParameter(r -> r.name("/other/p")), "User: " + ALICE
        + " is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:" + ACCOUNT
        + ":parameter/other/p because no identity-based policy allows the ssm:GetParameter action");
    // Reading is all she was given: writing her own path is refused too.
    denied(() -> aliceSsm.putParameter(r -> r.name("/app/new").value("x").type(ParameterType.STRING)),
        ".* ssm:PutParameter on resource: arn:aws:ssm:us-east-1:" + ACCOUNT
            + ":parameter/app/new because no identity-based policy allows the ssm:PutParameter action");
    denied(() -> alice.createSecret(r -> r.name("app/new").secretString("x")),
        ".* secretsmanager:CreateSecret on resource: " + secretArn("app/new")
            + " because no identity-based policy allows the secretsmanager:CreateSecret action");
  }

  @Test
  void bobWithoutPoliciesReadsNothingButWhatAResourcePolicyGivesHim() {
    denied(() -> bob.getSecretValue(r -> r.secretId("app/db")), "User: " + BOB
        + " is not authorized to perform: secretsmanager:GetSecretValue on resource: " + secretArn("app/db")
        + " because no identity-based policy allows the secretsmanager:GetSecretValue action");
    denied(() -> bobSsm.getParameter(r -> r.name("/app/p")), "User: " + BOB
        + " is not authorized to perform: ssm:GetParameter on resource: arn:aws:ssm:us-east-1:" + ACCOUNT
        + ":parameter/app/p because no identity-based policy allows the ssm:GetParameter action");
    denied(() -> bob.listSecrets(r -> { }), "User: " + BOB + " is not authorized to perform: "
        + "secretsmanager:ListSecrets on resource: \\* because no identity-based policy allows the "
        + "secretsmanager:ListSecrets action");
    denied(() -> bobSsm.describeParameters(r -> { }),
        ".* ssm:DescribeParameters on resource: arn:aws:ssm:us-east-1:[0-9]+:\\* because .*");
    // In the secret's account either policy suffices: the resource policy names bob.
    assertThat(bob.getSecretValue(r -> r.secretId("bob/shared")).secretString()).isEqualTo("value of bob/shared");
  }

  @Test
  void anExplicitDenyInTheResourcePolicyStopsAliceDespiteHerIdentityPolicy() {
    denied(() -> alice.getSecretValue(r -> r.secretId("app/locked")), "User: " + ALICE
        + " is not authorized to perform: secretsmanager:GetSecretValue on resource: " + secretArn("app/locked")
        + " with an explicit deny in a resource-based policy");
  }

  @Test
  void theAccountRootMayDoAnything() {
    assertThat(root.getSecretValue(r -> r.secretId("other/db")).secretString()).isEqualTo("value of other/db");
    assertThat(root.listSecrets(r -> { }).secretList()).isNotEmpty();
    assertThat(rootSsm.getParameter(r -> r.name("/other/p")).parameter().value()).isEqualTo("other value");
  }

  @Test
  void anotherAccountNeedsTheResourcePolicyAsWellAsItsIdentityPolicy() {
    assertThat(eve.getSecretValue(r -> r.secretId(crossArn)).secretString()).isEqualTo("for eve");
    denied(() -> eve.getSecretValue(r -> r.secretId(privateArn)), "User: " + EVE
        + " is not authorized to perform: secretsmanager:GetSecretValue on resource: " + secretArn("shared/private")
        + " because no resource-based policy allows the secretsmanager:GetSecretValue action");
  }

  @Test
  void withoutAPrincipalsFileNothingIsChecked() {
    try (BackendFixture plain = BackendFixture.start();
        SecretsManagerClient secrets = plain.secrets();
        SsmClient ssm = plain.ssm()) {
      secrets.createSecret(r -> r.name("other/db").secretString("v"));
      assertThat(secrets.getSecretValue(r -> r.secretId("other/db")).secretString()).isEqualTo("v");
      assertThat(secrets.listSecrets(r -> { }).secretList()).hasSize(1);
      ssm.putParameter(r -> r.name("/other/p").value("v").type(ParameterType.STRING));
      assertThat(ssm.getParameter(r -> r.name("/other/p")).parameter().value()).isEqualTo("v");
      assertThat(ssm.describeParameters(r -> { }).parameters()).hasSize(1);
    }
  }
}
