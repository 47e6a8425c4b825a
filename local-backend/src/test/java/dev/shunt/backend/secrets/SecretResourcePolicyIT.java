package dev.shunt.backend.secrets;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetResourcePolicyResponse;
import software.amazon.awssdk.services.secretsmanager.model.ValidateResourcePolicyResponse;

/**
 * Resource policies: Put/Get/Delete/ValidateResourcePolicy, BlockPublicPolicy, and what they
 * decide: another account reads a secret only when the secret's policy allows it and the KMS key
 * under the secret lets it decrypt; an explicit Deny stops even the owner.
 */
class SecretResourcePolicyIT {
  private static final String OWNER = "444455556666";
  private static final String OTHER = "111122223333";

  private static BackendFixture shunt;
  private static SecretsManagerClient owner;
  private static SecretsManagerClient other;
  private static KmsClient ownerKms;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    owner = shunt.secrets(OWNER, Region.US_EAST_1);
    other = shunt.secrets(OTHER, Region.US_EAST_1);
    ownerKms = shunt.kms(OWNER, Region.US_EAST_1);
  }

  @AfterAll
  static void stop() {
    owner.close();
    other.close();
    ownerKms.close();
    shunt.close();
  }

  @BeforeEach
  void reset() {
    shunt.backend().reset();
  }

  private static String allow(String account, String action) {
    return statementPolicy("Allow", "{\"AWS\":\"arn:aws:iam::" + account + ":root\"}", action);
  }

  private static String statementPolicy(String effect, String principal, String action) {
    return "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"" + effect + "\",\"Principal\":" + principal
        + ",\"Action\":\"" + action + "\",\"Resource\":\"*\"}]}";
  }

  /** A customer key of the owner whose policy also lets {@code decryptAccount} (if any) decrypt. */
  private static String ownerKey(String decryptAccount) {
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"owner\",\"Effect\":\"Allow\","
        + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + OWNER + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}"
        + (decryptAccount == null ? "" : ",{\"Sid\":\"reader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::"
            + decryptAccount + ":root\"},\"Action\":[\"kms:Decrypt\",\"kms:DescribeKey\"],\"Resource\":\"*\"}")
        + "]}";
    return ownerKms.createKey(r -> r.policy(policy)).keyMetadata().arn();
  }

  @Test
  void putGetAndDeleteResourcePolicy() {
    CreateSecretResponse created = owner.createSecret(r -> r.name("policy/crud").secretString("v"));
    GetResourcePolicyResponse none = owner.getResourcePolicy(r -> r.secretId("policy/crud"));
    assertThat(none.arn()).isEqualTo(created.arn());
    assertThat(none.name()).isEqualTo("policy/crud");
    assertThat(none.resourcePolicy()).isNull();

    String policy = allow(OTHER, "secretsmanager:GetSecretValue");
    var put = owner.putResourcePolicy(r -> r.secretId("policy/crud").resourcePolicy(policy));
    assertThat(put.arn()).isEqualTo(created.arn());
    assertThat(put.name()).isEqualTo("policy/crud");
    assertThat(owner.getResourcePolicy(r -> r.secretId(created.arn())).resourcePolicy()).isEqualTo(policy);

    var deleted = owner.deleteResourcePolicy(r -> r.secretId("policy/crud"));
    assertThat(deleted.arn()).isEqualTo(created.arn());
    assertThat(owner.getResourcePolicy(r -> r.secretId("policy/crud")).resourcePolicy()).isNull();
  }

  @Test
  void anotherAccountReadsOnlyWithASecretPolicyAndAKeyThatLetsItDecrypt() {
    String keyArn = ownerKey(OTHER);
    CreateSecretResponse created = owner.createSecret(r -> r.name("policy/shared").secretString("shared-value")
        .kmsKeyId(keyArn));

    var denied = expectError("AccessDeniedException", () -> other.getSecretValue(r -> r.secretId(created.arn())));
    assertThat(message(denied)).contains("arn:aws:iam::" + OTHER + ":root", "secretsmanager:GetSecretValue",
        created.arn());
    // A name resolves in the caller's own account, where there is no such secret.
    expectError("ResourceNotFoundException", () -> other.getSecretValue(r -> r.secretId("policy/shared")));

    owner.putResourcePolicy(r -> r.secretId(created.arn()).resourcePolicy(allow("999988887777",
        "secretsmanager:GetSecretValue")));
    expectError("AccessDeniedException", () -> other.getSecretValue(r -> r.secretId(created.arn())));

    owner.putResourcePolicy(r -> r.secretId(created.arn()).resourcePolicy(allow(OTHER,
        "secretsmanager:GetSecretValue")));
    var value = other.getSecretValue(r -> r.secretId(created.arn()));
    assertThat(value.secretString()).isEqualTo("shared-value");
    assertThat(value.arn()).isEqualTo(created.arn());
    // Only the action the policy names.
    expectError("AccessDeniedException", () -> other.describeSecret(r -> r.secretId(created.arn())));
    expectError("AccessDeniedException", () -> other.putSecretValue(r -> r.secretId(created.arn()).secretString("x")));
    assertThat(owner.getSecretValue(r -> r.secretId(created.arn())).secretString()).isEqualTo("shared-value");
  }

  @Test
  void aSecretPolicyIsNotEnoughWhenTheKeyDoesNotLetTheOtherAccountDecrypt() {
    CreateSecretResponse defaultKey = owner.createSecret(r -> r.name("policy/default-key").secretString("v"));
    owner.putResourcePolicy(r -> r.secretId(defaultKey.arn()).resourcePolicy(allow(OTHER,
        "secretsmanager:GetSecretValue")));
    // aws/secretsmanager can only be used by its own account: cross-account reads need a customer key.
    expectError("AccessDeniedException", () -> other.getSecretValue(r -> r.secretId(defaultKey.arn())));

    String ownerOnlyKey = ownerKey(null);
    CreateSecretResponse customerKey = owner.createSecret(r -> r.name("policy/owner-only-key").secretString("v")
        .kmsKeyId(ownerOnlyKey));
    owner.putResourcePolicy(r -> r.secretId(customerKey.arn()).resourcePolicy(allow(OTHER,
        "secretsmanager:GetSecretValue")));
    expectError("AccessDeniedException", () -> other.getSecretValue(r -> r.secretId(customerKey.arn())));

    assertThat(owner.getSecretValue(r -> r.secretId(defaultKey.arn())).secretString()).isEqualTo("v");
    assertThat(owner.getSecretValue(r -> r.secretId(customerKey.arn())).secretString()).isEqualTo("v");
  }

  @Test
  void listingVersionsNeedsOnlyItsOwnAction() {
    CreateSecretResponse created = owner.createSecret(r -> r.name("policy/versions").secretString("v"));
    owner.putResourcePolicy(r -> r.secretId(created.arn()).resourcePolicy(allow(OTHER,
        "secretsmanager:ListSecretVersionIds")));
    var listed = other.listSecretVersionIds(r -> r.secretId(created.arn()));
    assertThat(listed.arn()).isEqualTo(created.arn());
    assertThat(listed.name()).isEqualTo("policy/versions");
    assertThat(listed.versions()).extracting(v -> v.versionId()).containsExactly(created.versionId());
    expectError("AccessDeniedException", () -> other.describeSecret(r -> r.secretId(created.arn())));
  }

  @Test
  void anExplicitDenyStopsEvenTheOwner() {
    CreateSecretResponse created = owner.createSecret(r -> r.name("policy/deny").secretString("v"));
    owner.putResourcePolicy(r -> r.secretId("policy/deny").resourcePolicy(statementPolicy("Deny",
        "{\"AWS\":\"arn:aws:iam::" + OWNER + ":root\"}", "secretsmanager:GetSecretValue")));

    var denied = expectError("AccessDeniedException", () -> owner.getSecretValue(r -> r.secretId("policy/deny")));
    assertThat(message(denied)).contains("secretsmanager:GetSecretValue", created.arn(),
        "with an explicit deny in a resource-based policy");
    // Other actions are not denied; the owner can take the policy away.
    assertThat(owner.describeSecret(r -> r.secretId("policy/deny")).arn()).isEqualTo(created.arn());
    owner.deleteResourcePolicy(r -> r.secretId("policy/deny"));
    assertThat(owner.getSecretValue(r -> r.secretId("policy/deny")).secretString()).isEqualTo("v");

    // A Deny wins over an Allow for the same caller.
    String both = "{\"Version\":\"2012-10-17\",\"Statement\":["
        + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + OTHER + "\"},\"Action\":\"secretsmanager:*\",\"Resource\":\"*\"},"
        + "{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
    owner.putResourcePolicy(r -> r.secretId("policy/deny").resourcePolicy(both));
    expectError("AccessDeniedException", () -> other.getSecretValue(r -> r.secretId(created.arn())));
    expectError("AccessDeniedException", () -> owner.getSecretValue(r -> r.secretId(created.arn())));
    assertThat(other.describeSecret(r -> r.secretId(created.arn())).name()).isEqualTo("policy/deny");
  }

  @Test
  void blockPublicPolicyRefusesAPolicyForEveryone() {
    owner.createSecret(r -> r.name("policy/public").secretString("v"));
    String everyone = statementPolicy("Allow", "\"*\"", "secretsmanager:GetSecretValue");
    var error = expectError("PublicPolicyException", () -> owner.putResourcePolicy(r -> r.secretId("policy/public")
        .resourcePolicy(everyone).blockPublicPolicy(true)));
    assertThat(message(error)).contains("BlockPublicPolicy");
    assertThat(owner.getResourcePolicy(r -> r.secretId("policy/public")).resourcePolicy()).isNull();

    String everyoneAws = statementPolicy("Allow", "{\"AWS\":\"*\"}", "secretsmanager:GetSecretValue");
    expectError("PublicPolicyException", () -> owner.putResourcePolicy(r -> r.secretId("policy/public")
        .resourcePolicy(everyoneAws).blockPublicPolicy(true)));

    // A policy naming one account passes the block; by default public policies are not blocked.
    owner.putResourcePolicy(r -> r.secretId("policy/public").resourcePolicy(allow(OTHER,
        "secretsmanager:GetSecretValue")).blockPublicPolicy(true));
    owner.putResourcePolicy(r -> r.secretId("policy/public").resourcePolicy(everyone));
    assertThat(owner.getResourcePolicy(r -> r.secretId("policy/public")).resourcePolicy()).isEqualTo(everyone);
  }

  @Test
  void aMalformedPolicyIsRefused() {
    owner.createSecret(r -> r.name("policy/malformed").secretString("v"));
    for (String malformed : new String[] {"{not json", "[]", "{\"Version\":\"2012-10-17\"}",
        "{\"Statement\":[{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"secretsmanager:*\"}]}"}) {
      expectError("MalformedPolicyDocumentException", () -> owner.putResourcePolicy(r -> r
          .secretId("policy/malformed").resourcePolicy(malformed)));
    }
    assertThat(owner.getResourcePolicy(r -> r.secretId("policy/malformed")).resourcePolicy()).isNull();
  }

  @Test
  void validateResourcePolicyReportsPublicAccess() {
    owner.createSecret(r -> r.name("policy/validate").secretString("v"));
    ValidateResourcePolicyResponse ok = owner.validateResourcePolicy(r -> r.secretId("policy/validate")
        .resourcePolicy(allow(OTHER, "secretsmanager:GetSecretValue")));
    assertThat(ok.policyValidationPassed()).isTrue();
    assertThat(ok.validationErrors()).isEmpty();

    ValidateResourcePolicyResponse publicPolicy = owner.validateResourcePolicy(r -> r
        .resourcePolicy(statementPolicy("Allow", "\"*\"", "secretsmanager:GetSecretValue")));
    assertThat(publicPolicy.policyValidationPassed()).isFalse();
    assertThat(publicPolicy.validationErrors()).singleElement().satisfies(entry -> {
      assertThat(entry.checkName()).isNotBlank();
      assertThat(entry.errorMessage()).isNotBlank();
    });
    // Validation changes nothing.
    assertThat(owner.getResourcePolicy(r -> r.secretId("policy/validate")).resourcePolicy()).isNull();

    expectError("MalformedPolicyDocumentException", () -> owner.validateResourcePolicy(r -> r
        .resourcePolicy("{not json")));
  }
}
