package dev.shunt.backend.secrets;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.model.AliasListEntry;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretResponse;

/**
 * Secret values: CreateSecret, GetSecretValue, PutSecretValue, UpdateSecret,
 * UpdateSecretVersionStage, ListSecretVersionIds and DescribeSecret, with their staging labels,
 * idempotency tokens, KMS encryption, size and name rules, Regions and accounts.
 */
class SecretValuesIT extends BackendTest {
  private static final String ARN_PREFIX = "arn:aws:secretsmanager:us-east-1:000000000000:secret:";

  private static String put(String name, String value) {
    return sm.putSecretValue(r -> r.secretId(name).secretString(value)).versionId();
  }

  private static Map<String, List<String>> stagesOf(String name) {
    return sm.describeSecret(r -> r.secretId(name)).versionIdsToStages();
  }

  private static List<SecretVersionsListEntry> allVersions(String name) {
    List<SecretVersionsListEntry> all = new ArrayList<>();
    sm.listSecretVersionIdsPaginator(r -> r.secretId(name).includeDeprecated(true))
        .forEach(p -> all.addAll(p.versions()));
    return all;
  }

  // ---- create and read ----------------------------------------------------------------------

  @Test
  void aSecretStringRoundTrips() {
    CreateSecretResponse created = sm.createSecret(r -> r.name("app/db").secretString("{\"password\":\"pä$$\"}"));
    assertThat(created.name()).isEqualTo("app/db");
    assertThat(created.arn()).matches("arn:aws:secretsmanager:us-east-1:000000000000:secret:app/db-[A-Za-z0-9]{6}");
    assertThat(created.versionId()).isNotBlank();

    GetSecretValueResponse value = sm.getSecretValue(r -> r.secretId("app/db"));
    assertThat(value.secretString()).isEqualTo("{\"password\":\"pä$$\"}");
    assertThat(value.secretBinary()).isNull();
    assertThat(value.arn()).isEqualTo(created.arn());
    assertThat(value.name()).isEqualTo("app/db");
    assertThat(value.versionId()).isEqualTo(created.versionId());
    assertThat(value.versionStages()).containsExactly("AWSCURRENT");
    assertThat(value.createdDate()).isNotNull();
  }

  @Test
  void aSecretBinaryRoundTrips() {
    byte[] bytes = new byte[256];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) i;
    }
    sm.createSecret(r -> r.name("cert").secretBinary(SdkBytes.fromByteArray(bytes)));
    GetSecretValueResponse value = sm.getSecretValue(r -> r.secretId("cert"));
    assertThat(value.secretBinary().asByteArray()).isEqualTo(bytes);
    assertThat(value.secretString()).isNull();

    sm.putSecretValue(r -> r.secretId("cert").secretString("now text"));
    assertThat(sm.getSecretValue(r -> r.secretId("cert")).secretString()).isEqualTo("now text");
    assertThat(sm.getSecretValue(r -> r.secretId("cert").versionStage("AWSPREVIOUS")).secretBinary().asByteArray())
        .isEqualTo(bytes);
  }

  @Test
  void aSecretWithoutValueHasNoCurrentVersionUntilOneIsPut() {
    CreateSecretResponse created = sm.createSecret(r -> r.name("empty").description("later"));
    assertThat(created.versionId()).isNull();
    var error = expectError("ResourceNotFoundException", () -> sm.getSecretValue(r -> r.secretId("empty")));
    assertThat(message(error))
        .isEqualTo("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
    assertThat(sm.describeSecret(r -> r.secretId("empty")).hasVersionIdsToStages()).isFalse();
    assertThat(allVersions("empty")).isEmpty();

    // The first version of a secret gets AWSCURRENT even when VersionStages names other labels.
    String first = sm.putSecretValue(r -> r.secretId("empty").secretString("v1").versionStages("blue")).versionId();
    assertThat(stagesOf("empty")).containsOnlyKeys(first);
    assertThat(stagesOf("empty").get(first)).containsExactlyInAnyOrder("blue", "AWSCURRENT");
    assertThat(sm.getSecretValue(r -> r.secretId("empty")).secretString()).isEqualTo("v1");
  }

  @Test
  void descriptionTagsAndKeyAreKept() {
    String keyArn = kms.createKey(r -> r.description("for secrets")).keyMetadata().arn();
    sm.createSecret(r -> r.name("tagged").secretString("s").description("the db").kmsKeyId(keyArn)
        .tags(Tag.builder().key("team").value("payments").build(), Tag.builder().key("env").value("prod").build()));
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("tagged"));
    assertThat(described.description()).isEqualTo("the db");
    assertThat(described.kmsKeyId()).isEqualTo(keyArn);
    assertThat(described.tags()).containsExactlyInAnyOrder(Tag.builder().key("team").value("payments").build(),
        Tag.builder().key("env").value("prod").build());
    assertThat(allVersions("tagged")).singleElement()
        .satisfies(v -> assertThat(v.kmsKeyIds()).containsExactly(keyArn));
  }

  @Test
  void aCustomerKeyReallyProtectsTheValue() {
    String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
    sm.createSecret(r -> r.name("guarded").secretString("v1").kmsKeyId(keyId));
    assertThat(sm.getSecretValue(r -> r.secretId("guarded")).secretString()).isEqualTo("v1");

    kms.disableKey(r -> r.keyId(keyId));
    expectError("DecryptionFailure", () -> sm.getSecretValue(r -> r.secretId("guarded")));
    expectError("EncryptionFailure", () -> sm.putSecretValue(r -> r.secretId("guarded").secretString("v2")));
    expectError("EncryptionFailure", () -> sm.createSecret(r -> r.name("other").secretString("x").kmsKeyId(keyId)));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("other")));
    // A secret without a value needs no key yet.
    sm.createSecret(r -> r.name("no-value-yet").kmsKeyId(keyId));

    kms.enableKey(r -> r.keyId(keyId));
    assertThat(sm.getSecretValue(r -> r.secretId("guarded")).secretString()).isEqualTo("v1");
    put("guarded", "v2");
    assertThat(sm.getSecretValue(r -> r.secretId("guarded")).secretString()).isEqualTo("v2");

    kms.scheduleKeyDeletion(r -> r.keyId(keyId).pendingWindowInDays(7));
    expectError("DecryptionFailure", () -> sm.getSecretValue(r -> r.secretId("guarded")));
    expectError("DecryptionFailure", () -> sm.getSecretValue(r -> r.secretId("guarded").versionStage("AWSPREVIOUS")));
    expectError("EncryptionFailure", () -> sm.putSecretValue(r -> r.secretId("guarded").secretString("v3")));

    kms.cancelKeyDeletion(r -> r.keyId(keyId));
    kms.enableKey(r -> r.keyId(keyId));
    assertThat(sm.getSecretValue(r -> r.secretId("guarded")).secretString()).isEqualTo("v2");
  }

  @Test
  void theDefaultKeyIsTheAwsManagedKeyCreatedOnFirstEncryption() {
    assertThat(managedAlias().targetKeyId()).isNull();
    sm.createSecret(r -> r.name("no-value"));
    assertThat(managedAlias().targetKeyId()).as("no value, nothing encrypted yet").isNull();

    sm.createSecret(r -> r.name("default-key").secretString("v"));
    String target = managedAlias().targetKeyId();
    assertThat(target).isNotNull();
    KeyMetadata key = kms.describeKey(r -> r.keyId("alias/aws/secretsmanager")).keyMetadata();
    assertThat(key.keyId()).isEqualTo(target);
    assertThat(key.keyManager()).isEqualTo(KeyManagerType.AWS);
    assertThat(sm.describeSecret(r -> r.secretId("default-key")).kmsKeyId()).isNull();
    assertThat(allVersions("default-key")).singleElement()
        .satisfies(v -> assertThat(v.kmsKeyIds()).containsExactly(key.arn()));
    // The AWS managed key is only usable through Secrets Manager.
    expectError("AccessDeniedException", () -> kms.encrypt(r -> r.keyId("alias/aws/secretsmanager")
        .plaintext(SdkBytes.fromUtf8String("x"))));
  }

  private static AliasListEntry managedAlias() {
    return kms.listAliasesPaginator(r -> { }).aliases().stream()
        .filter(a -> a.aliasName().equals("alias/aws/secretsmanager")).findFirst().orElseThrow();
  }

  // ---- how a secret is named ---------------------------------------------------------------

  @Test
  void aSecretIsFoundByNameFullArnAndPartialArn() {
    String arn = sm.createSecret(r -> r.name("svc/token").secretString("t")).arn();
    String partial = arn.substring(0, arn.length() - 7);
    assertThat(partial).isEqualTo(ARN_PREFIX + "svc/token");
    for (String id : List.of("svc/token", arn, partial)) {
      assertThat(sm.getSecretValue(r -> r.secretId(id)).secretString()).as(id).isEqualTo("t");
      assertThat(sm.describeSecret(r -> r.secretId(id)).arn()).as(id).isEqualTo(arn);
    }
    String wrongSuffix = partial + "-" + (arn.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
    expectError("ResourceNotFoundException", () -> sm.getSecretValue(r -> r.secretId(wrongSuffix)));
    expectError("ResourceNotFoundException",
        () -> sm.getSecretValue(r -> r.secretId(arn.replace("us-east-1", "us-west-2"))));
    var missing = expectError("ResourceNotFoundException", () -> sm.getSecretValue(r -> r.secretId("svc/missing")));
    assertThat(message(missing)).isEqualTo("Secrets Manager can't find the specified secret.");
  }

  @Test
  void validNamesAreAcceptedAndOthersRefused() {
    String allowed = "Az09/_+=.@-";
    assertThat(sm.createSecret(r -> r.name(allowed).secretString("x")).arn()).startsWith(ARN_PREFIX + allowed + "-");
    for (String bad : List.of("has space", "semi;colon", "naïve", "star*", "quote'")) {
      var error = expectError("InvalidParameterException", () -> sm.createSecret(r -> r.name(bad).secretString("x")));
      assertThat(message(error)).as(bad).startsWith("Invalid name.");
    }
    expectError("ValidationException", () -> sm.createSecret(r -> r.name("n".repeat(513)).secretString("x")));
    expectError("ValidationException", () -> sm.createSecret(r -> r.name("").secretString("x")));
    assertThat(sm.listSecrets().secretList()).hasSize(1);
  }

  @Test
  void aTakenNameIsResourceExists() {
    sm.createSecret(r -> r.name("dup").secretString("x"));
    var error = expectError("ResourceExistsException", () -> sm.createSecret(r -> r.name("dup").secretString("y")));
    assertThat(message(error)).isEqualTo("The operation failed because the secret dup already exists.");
    assertThat(sm.getSecretValue(r -> r.secretId("dup")).secretString()).isEqualTo("x");
  }

  // ---- versions and labels -------------------------------------------------------------------

  @Test
  void versionsAreSelectedByIdOrStage() {
    String v1 = sm.createSecret(r -> r.name("versions").secretString("one")).versionId();
    String v2 = put("versions", "two");
    String v3 = sm.putSecretValue(r -> r.secretId("versions").secretString("three")).versionId();
    String v4 = sm.putSecretValue(r -> r.secretId("versions").secretString("four").versionStages("canary")).versionId();

    assertThat(sm.getSecretValue(r -> r.secretId("versions")).versionId()).isEqualTo(v3);
    assertThat(sm.getSecretValue(r -> r.secretId("versions").versionStage("AWSCURRENT")).secretString())
        .isEqualTo("three");
    GetSecretValueResponse previous = sm.getSecretValue(r -> r.secretId("versions").versionStage("AWSPREVIOUS"));
    assertThat(previous.versionId()).isEqualTo(v2);
    assertThat(previous.secretString()).isEqualTo("two");
    assertThat(previous.versionStages()).containsExactly("AWSPREVIOUS");
    assertThat(sm.getSecretValue(r -> r.secretId("versions").versionStage("canary")).secretString()).isEqualTo("four");
    GetSecretValueResponse old = sm.getSecretValue(r -> r.secretId("versions").versionId(v1));
    assertThat(old.secretString()).isEqualTo("one");
    assertThat(old.versionStages()).isEmpty();
    assertThat(sm.getSecretValue(r -> r.secretId("versions").versionId(v4).versionStage("canary")).secretString())
        .isEqualTo("four");

    var mismatch = expectError("InvalidRequestException",
        () -> sm.getSecretValue(r -> r.secretId("versions").versionId(v2).versionStage("AWSCURRENT")));
    assertThat(message(mismatch)).contains("VersionStage").contains("VersionId");
    String unknown = UUID.randomUUID().toString();
    var noVersion = expectError("ResourceNotFoundException",
        () -> sm.getSecretValue(r -> r.secretId("versions").versionId(unknown)));
    assertThat(message(noVersion)).contains(unknown);
    var noLabel = expectError("ResourceNotFoundException",
        () -> sm.getSecretValue(r -> r.secretId("versions").versionStage("nope")));
    assertThat(message(noLabel)).endsWith("staging label: nope");
  }

  @Test
  void putSecretValueMovesCurrentAndPrevious() {
    String v1 = sm.createSecret(r -> r.name("labels").secretString("one")).versionId();
    PutSecretValueResponse second = sm.putSecretValue(r -> r.secretId("labels").secretString("two"));
    assertThat(second.versionStages()).containsExactly("AWSCURRENT");
    assertThat(second.arn()).startsWith(ARN_PREFIX + "labels-");
    String v2 = second.versionId();
    assertThat(stagesOf("labels")).containsOnly(Map.entry(v1, List.of("AWSPREVIOUS")), Map.entry(v2,
        List.of("AWSCURRENT")));

    String v3 = put("labels", "three");
    assertThat(stagesOf("labels")).containsOnly(Map.entry(v2, List.of("AWSPREVIOUS")), Map.entry(v3,
        List.of("AWSCURRENT")));
    // v1 lost its last label: deprecated, listed only on request.
    ListSecretVersionIdsResponse listed = sm.listSecretVersionIds(r -> r.secretId("labels"));
    assertThat(listed.versions()).extracting(SecretVersionsListEntry::versionId).containsExactlyInAnyOrder(v2, v3);
    assertThat(listed.arn()).startsWith(ARN_PREFIX + "labels-");
    assertThat(listed.name()).isEqualTo("labels");
    assertThat(allVersions("labels")).extracting(SecretVersionsListEntry::versionId).containsExactlyInAnyOrder(v1, v2,
        v3);
    assertThat(allVersions("labels")).filteredOn(v -> v.versionId().equals(v1)).singleElement()
        .satisfies(v -> assertThat(v.versionStages()).isEmpty());
    assertThat(sm.getSecretValue(r -> r.secretId("labels").versionId(v1)).secretString()).isEqualTo("one");
  }

  @Test
  void pendingAndCustomLabelsLeaveCurrentAlone() {
    String v1 = sm.createSecret(r -> r.name("staged").secretString("live")).versionId();
    String pending = sm.putSecretValue(r -> r.secretId("staged").secretString("next").versionStages("AWSPENDING"))
        .versionId();
    assertThat(sm.getSecretValue(r -> r.secretId("staged")).secretString()).isEqualTo("live");
    assertThat(sm.getSecretValue(r -> r.secretId("staged").versionStage("AWSPENDING")).versionId()).isEqualTo(pending);
    assertThat(stagesOf("staged")).containsOnly(Map.entry(v1, List.of("AWSCURRENT")), Map.entry(pending,
        List.of("AWSPENDING")));

    String colours = sm.putSecretValue(r -> r.secretId("staged").secretString("c").versionStages("blue", "green"))
        .versionId();
    String blue = sm.putSecretValue(r -> r.secretId("staged").secretString("b").versionStages("blue")).versionId();
    Map<String, List<String>> stages = stagesOf("staged");
    assertThat(stages.get(v1)).containsExactly("AWSCURRENT");
    assertThat(stages.get(colours)).containsExactly("green");
    assertThat(stages.get(blue)).containsExactly("blue");
    assertThat(stages.get(pending)).containsExactly("AWSPENDING");
    assertThat(stages.values().stream().flatMap(List::stream)).doesNotContain("AWSPREVIOUS");
  }

  @Test
  void aClientRequestTokenMakesPutAndCreateIdempotent() {
    String token = UUID.randomUUID().toString();
    String arn = sm.createSecret(r -> r.name("idem").secretString("zero")).arn();
    PutSecretValueResponse first = sm
        .putSecretValue(r -> r.secretId("idem").clientRequestToken(token).secretString("same"));
    assertThat(first.versionId()).isEqualTo(token);
    PutSecretValueResponse again = sm
        .putSecretValue(r -> r.secretId("idem").clientRequestToken(token).secretString("same"));
    assertThat(again.versionId()).isEqualTo(token);
    assertThat(allVersions("idem")).hasSize(2);
    assertThat(stagesOf("idem").get(token)).containsExactly("AWSCURRENT");

    var changed = expectError("ResourceExistsException",
        () -> sm.putSecretValue(r -> r.secretId("idem").clientRequestToken(token).secretString("different")));
    assertThat(message(changed)).isEqualTo("You can't use ClientRequestToken " + token
        + " because that value is already in use for a version of secret " + arn + ".");
    // The same bytes as binary are a different value.
    expectError("ResourceExistsException", () -> sm.putSecretValue(r -> r.secretId("idem").clientRequestToken(token)
        .secretBinary(SdkBytes.fromUtf8String("same"))));
    assertThat(allVersions("idem")).hasSize(2);
    assertThat(sm.getSecretValue(r -> r.secretId("idem")).secretString()).isEqualTo("same");

    String createToken = UUID.randomUUID().toString();
    CreateSecretResponse created = sm
        .createSecret(r -> r.name("idem2").clientRequestToken(createToken).secretString("v"));
    CreateSecretResponse retried = sm
        .createSecret(r -> r.name("idem2").clientRequestToken(createToken).secretString("v"));
    assertThat(retried.arn()).isEqualTo(created.arn());
    assertThat(retried.versionId()).isEqualTo(createToken);
    expectError("ResourceExistsException",
        () -> sm.createSecret(r -> r.name("idem2").clientRequestToken(createToken).secretString("w")));
    assertThat(allVersions("idem2")).hasSize(1);
  }

  /**
   * A ClientRequestToken names a version: sent again with another value, CreateSecret,
   * PutSecretValue and UpdateSecret answer ResourceExistsException in AWS's words, and UpdateSecret
   * changes nothing; with the same value it is the same version again. Source: moto's
   * {@code test_create_different_secret_with_same_token},
   * {@code test_put_different_secret_value_with_same_token},
   * {@code test_update_different_secret_value_with_same_token} and
   * {@code test_update_same_secret_value_with_same_token}, marked aws_verified.
   */
  @Test
  void aClientRequestTokenReusedWithAnotherValueIsResourceExistsException() {
    String token = UUID.randomUUID().toString();
    String arn = sm.createSecret(r -> r.name("reused").clientRequestToken(token).secretString("Hello")).arn();
    String inUse = "You can't use ClientRequestToken " + token
        + " because that value is already in use for a version of secret " + arn + ".";

    assertThat(message(expectError("ResourceExistsException",
        () -> sm.createSecret(r -> r.name("reused").clientRequestToken(token).secretString("Hi"))))).isEqualTo(inUse);
    assertThat(message(expectError("ResourceExistsException",
        () -> sm.putSecretValue(r -> r.secretId(arn).clientRequestToken(token).secretString("Hi"))))).isEqualTo(inUse);
    assertThat(message(expectError("ResourceExistsException", () -> sm.putSecretValue(r -> r.secretId(arn)
        .clientRequestToken(token).secretBinary(SdkBytes.fromUtf8String("Hello")))))).isEqualTo(inUse);
    assertThat(message(expectError("ResourceExistsException", () -> sm.updateSecret(r -> r.secretId(arn)
        .clientRequestToken(token).secretString("Hi").description("changed"))))).isEqualTo(inUse);
    assertThat(sm.describeSecret(r -> r.secretId(arn)).description()).isNull();

    UpdateSecretResponse same = sm.updateSecret(r -> r.secretId("reused").clientRequestToken(token)
        .secretString("Hello"));
    assertThat(same.versionId()).isEqualTo(token);
    assertThat(allVersions("reused")).singleElement().satisfies(v -> assertThat(v.versionId()).isEqualTo(token));
    assertThat(sm.getSecretValue(r -> r.secretId(arn)).secretString()).isEqualTo("Hello");
  }

  /**
   * AWS checks a ClientRequestToken's length (32 to 64) itself, answering
   * InvalidParameterException, not the model's ValidationException. Source: moto's
   * {@code test_rotate_secret_client_request_token_too_short}, sent past botocore's own checks,
   * and its token validation in every operation that takes one.
   */
  @Test
  void aClientRequestTokenNotOf32To64CharactersIsInvalidParameterException() {
    sm.createSecret(r -> r.name("tokens").secretString("a"));
    String message = "ClientRequestToken must be 32-64 characters long.";
    for (String token : List.of("TOO-SHORT", "x".repeat(31), "x".repeat(65))) {
      assertThat(message(expectError("InvalidParameterException",
          () -> sm.createSecret(r -> r.name("tokens-new").clientRequestToken(token).secretString("v")))))
          .isEqualTo(message);
      assertThat(message(expectError("InvalidParameterException",
          () -> sm.putSecretValue(r -> r.secretId("tokens").clientRequestToken(token).secretString("v")))))
          .isEqualTo(message);
      assertThat(message(expectError("InvalidParameterException",
          () -> sm.updateSecret(r -> r.secretId("tokens").clientRequestToken(token).secretString("v")))))
          .isEqualTo(message);
      assertThat(message(expectError("InvalidParameterException",
          () -> sm.rotateSecret(r -> r.secretId("tokens").clientRequestToken(token)))))
          .isEqualTo(message);
    }
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("tokens-new")));
    assertThat(allVersions("tokens")).hasSize(1);
    // 32 and 64 characters are fine.
    sm.putSecretValue(r -> r.secretId("tokens").clientRequestToken("y".repeat(32)).secretString("b"));
    sm.putSecretValue(r -> r.secretId("tokens").clientRequestToken("z".repeat(64)).secretString("c"));
    // Another member's limits are still the model's ValidationException.
    expectError("ValidationException", () -> sm.createSecret(r -> r.name("").secretString("v")));
  }

  @Test
  void updateSecretChangesMetadataAndOptionallyTheValue() {
    String v1 = sm.createSecret(r -> r.name("upd").secretString("one").description("before")).versionId();
    Instant changedAtCreation = sm.describeSecret(r -> r.secretId("upd")).lastChangedDate();
    shunt.backend().clock().advance(Duration.ofHours(1));

    UpdateSecretResponse described = sm.updateSecret(r -> r.secretId("upd").description("after"));
    assertThat(described.versionId()).isNull();
    assertThat(described.name()).isEqualTo("upd");
    DescribeSecretResponse afterDescription = sm.describeSecret(r -> r.secretId("upd"));
    assertThat(afterDescription.description()).isEqualTo("after");
    assertThat(afterDescription.versionIdsToStages()).containsOnly(Map.entry(v1, List.of("AWSCURRENT")));
    assertThat(afterDescription.lastChangedDate()).isAfterOrEqualTo(changedAtCreation.plus(Duration.ofHours(1)));
    assertThat(allVersions("upd")).hasSize(1);

    UpdateSecretResponse valued = sm.updateSecret(r -> r.secretId("upd").secretString("two"));
    String v2 = valued.versionId();
    assertThat(v2).isNotNull().isNotEqualTo(v1);
    assertThat(stagesOf("upd")).containsOnly(Map.entry(v1, List.of("AWSPREVIOUS")), Map.entry(v2,
        List.of("AWSCURRENT")));
    assertThat(sm.getSecretValue(r -> r.secretId("upd")).secretString()).isEqualTo("two");
    assertThat(sm.describeSecret(r -> r.secretId("upd")).description()).isEqualTo("after");

    expectError("InvalidParameterException", () -> sm.updateSecret(r -> r.secretId("upd").secretString("a")
        .secretBinary(SdkBytes.fromUtf8String("b"))));
    expectError("ResourceNotFoundException", () -> sm.updateSecret(r -> r.secretId("nope").description("x")));
  }

  @Test
  void updateSecretWithANewKeyReencryptsTheLabelledVersions() {
    String first = kms.createKey(r -> { }).keyMetadata().arn();
    String second = kms.createKey(r -> { }).keyMetadata().arn();
    String v1 = sm.createSecret(r -> r.name("rekey").secretString("one").kmsKeyId(first)).versionId();
    String v2 = put("rekey", "two");
    String v3 = put("rekey", "three");

    sm.updateSecret(r -> r.secretId("rekey").kmsKeyId(second));
    assertThat(sm.describeSecret(r -> r.secretId("rekey")).kmsKeyId()).isEqualTo(second);
    Map<String, List<String>> keys = allVersions("rekey").stream()
        .collect(Collectors.toMap(SecretVersionsListEntry::versionId, SecretVersionsListEntry::kmsKeyIds));
    assertThat(keys).containsOnly(Map.entry(v1, List.of(first)), Map.entry(v2, List.of(second)),
        Map.entry(v3, List.of(second)));

    kms.disableKey(r -> r.keyId(first));
    assertThat(sm.getSecretValue(r -> r.secretId("rekey")).secretString()).isEqualTo("three");
    assertThat(sm.getSecretValue(r -> r.secretId("rekey").versionStage("AWSPREVIOUS")).secretString()).isEqualTo("two");
    // The deprecated version stayed under the old key.
    expectError("DecryptionFailure", () -> sm.getSecretValue(r -> r.secretId("rekey").versionId(v1)));
    String v4 = put("rekey", "four");
    assertThat(allVersions("rekey")).filteredOn(v -> v.versionId().equals(v4)).singleElement()
        .satisfies(v -> assertThat(v.kmsKeyIds()).containsExactly(second));

    // An empty KmsKeyId goes back to aws/secretsmanager.
    sm.updateSecret(r -> r.secretId("rekey").kmsKeyId(""));
    assertThat(sm.describeSecret(r -> r.secretId("rekey")).kmsKeyId()).isNull();
    kms.disableKey(r -> r.keyId(second));
    assertThat(sm.getSecretValue(r -> r.secretId("rekey")).secretString()).isEqualTo("four");
  }

  @Test
  void updateSecretVersionStageMovesAndRemovesLabels() {
    String v1 = sm.createSecret(r -> r.name("stage").secretString("one")).versionId();
    String v2 = put("stage", "two");
    String v3 = put("stage", "three");

    var needsRemove = expectError("InvalidParameterException",
        () -> sm.updateSecretVersionStage(r -> r.secretId("stage").versionStage("AWSCURRENT").moveToVersionId(v1)));
    assertThat(message(needsRemove)).contains("RemoveFromVersionId").contains(v3);
    expectError("InvalidParameterException", () -> sm.updateSecretVersionStage(r -> r.secretId("stage")
        .versionStage("AWSCURRENT").moveToVersionId(v1).removeFromVersionId(v2)));
    assertThat(stagesOf("stage")).containsOnly(Map.entry(v2, List.of("AWSPREVIOUS")), Map.entry(v3,
        List.of("AWSCURRENT")));

    // Rolling back: AWSCURRENT to v1, and AWSPREVIOUS follows to the version it left.
    sm.updateSecretVersionStage(r -> r.secretId("stage").versionStage("AWSCURRENT").moveToVersionId(v1)
        .removeFromVersionId(v3));
    assertThat(stagesOf("stage")).containsOnly(Map.entry(v1, List.of("AWSCURRENT")), Map.entry(v3,
        List.of("AWSPREVIOUS")));
    assertThat(sm.getSecretValue(r -> r.secretId("stage")).secretString()).isEqualTo("one");

    // A label attached nowhere needs no RemoveFromVersionId; removing one takes only RemoveFromVersionId.
    sm.updateSecretVersionStage(r -> r.secretId("stage").versionStage("audit").moveToVersionId(v2));
    assertThat(stagesOf("stage").get(v2)).containsExactly("audit");
    expectError("InvalidParameterException", () -> sm.updateSecretVersionStage(r -> r.secretId("stage")
        .versionStage("audit").moveToVersionId(v3)));
    sm.updateSecretVersionStage(r -> r.secretId("stage").versionStage("audit").removeFromVersionId(v2));
    assertThat(stagesOf("stage")).doesNotContainKey(v2);
    expectError("ResourceNotFoundException", () -> sm.getSecretValue(r -> r.secretId("stage").versionStage("audit")));
  }

  @Test
  void listSecretVersionIdsPages() {
    Set<String> ids = new HashSet<>();
    ids.add(sm.createSecret(r -> r.name("many").secretString("0")).versionId());
    for (int i = 1; i < 7; i++) {
      ids.add(put("many", "v" + i));
    }
    assertThat(sm.listSecretVersionIds(r -> r.secretId("many")).versions()).hasSize(2);

    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String current = token;
      ListSecretVersionIdsResponse page = sm.listSecretVersionIds(r -> r.secretId("many").includeDeprecated(true)
          .maxResults(3).nextToken(current));
      assertThat(page.versions()).hasSizeLessThanOrEqualTo(3);
      page.versions().forEach(v -> seen.add(v.versionId()));
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    expectError("InvalidNextTokenException", () -> sm.listSecretVersionIds(r -> r.secretId("many").nextToken("bogus")));
    expectError("ValidationException", () -> sm.listSecretVersionIds(r -> r.secretId("many").maxResults(101)));
  }

  @Test
  void pastOneHundredVersionsTheOldestUnlabelledOnesOlderThanADayGo() {
    List<String> ids = new ArrayList<>();
    ids.add(sm.createSecret(r -> r.name("busy").secretString("v0")).versionId());
    for (int i = 1; i <= 105; i++) {
      ids.add(put("busy", "v" + i));
    }
    String kept = ids.get(2);
    sm.updateSecretVersionStage(r -> r.secretId("busy").versionStage("keep").moveToVersionId(kept));
    // Versions created in the last 24 hours are all kept, even past 100.
    assertThat(allVersions("busy")).hasSize(106);

    shunt.backend().clock().advance(Duration.ofHours(25));
    ids.add(put("busy", "v106"));
    List<String> expected = new ArrayList<>();
    expected.add(kept);
    expected.addAll(ids.subList(8, ids.size()));
    assertThat(expected).hasSize(100);
    assertThat(allVersions("busy")).extracting(SecretVersionsListEntry::versionId)
        .containsExactlyInAnyOrderElementsOf(expected);
    assertThat(sm.getSecretValue(r -> r.secretId("busy").versionStage("keep")).secretString()).isEqualTo("v2");
    assertThat(sm.getSecretValue(r -> r.secretId("busy").versionStage("AWSPREVIOUS")).secretString()).isEqualTo("v105");
    String removed = ids.get(0);
    expectError("ResourceNotFoundException", () -> sm.getSecretValue(r -> r.secretId("busy").versionId(removed)));
  }

  // ---- value rules ----------------------------------------------------------------------------

  @Test
  void valuesAreLimitedTo65536Bytes() {
    String largest = "x".repeat(65_536);
    sm.createSecret(r -> r.name("big").secretString(largest));
    assertThat(sm.getSecretValue(r -> r.secretId("big")).secretString()).isEqualTo(largest);
    byte[] bytes = new byte[65_536];
    bytes[65_535] = 7;
    sm.putSecretValue(r -> r.secretId("big").secretBinary(SdkBytes.fromByteArray(bytes)));
    assertThat(sm.getSecretValue(r -> r.secretId("big")).secretBinary().asByteArray()).isEqualTo(bytes);

    // 32,769 two-byte characters: within the model's 65,536 characters, past 65,536 UTF-8 bytes.
    String wide = "é".repeat(32_769);
    expectError("LimitExceededException", () -> sm.createSecret(r -> r.name("wide").secretString(wide)));
    expectError("LimitExceededException", () -> sm.putSecretValue(r -> r.secretId("big").secretString(wide)));
    expectError("LimitExceededException", () -> sm.updateSecret(r -> r.secretId("big").secretString(wide)));
    sm.putSecretValue(r -> r.secretId("big").secretString("é".repeat(32_768)));

    var tooLong = expectError("ValidationException", () -> sm.createSecret(r -> r.name("long")
        .secretString("x".repeat(65_537))));
    assertThat(message(tooLong)).contains("length less than or equal to 65536");
    expectError("ValidationException", () -> sm.putSecretValue(r -> r.secretId("big")
        .secretBinary(SdkBytes.fromByteArray(new byte[65_537]))));
    assertThat(sm.listSecrets().secretList()).extracting(s -> s.name()).containsExactly("big");
  }

  @Test
  void aStringAndABinaryTogetherAreRefused() {
    SdkBytes binary = SdkBytes.fromUtf8String("b");
    expectError("InvalidParameterException",
        () -> sm.createSecret(r -> r.name("both").secretString("s").secretBinary(binary)));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("both")));
    sm.createSecret(r -> r.name("one").secretString("s"));
    expectError("InvalidParameterException", () -> sm.putSecretValue(r -> r.secretId("one").secretString("s2")
        .secretBinary(binary)));
    assertThat(allVersions("one")).hasSize(1);
  }

  // ---- DescribeSecret --------------------------------------------------------------------------

  @Test
  void describeSecretReportsDatesAndVersions() {
    Instant before = shunt.backend().clock().now().truncatedTo(ChronoUnit.MILLIS);
    CreateSecretResponse created = sm.createSecret(r -> r.name("described").secretString("v")
        .tags(Tag.builder().key("k").value("v").build()));
    Instant after = shunt.backend().clock().now();
    DescribeSecretResponse d = sm.describeSecret(r -> r.secretId("described"));
    assertThat(d.arn()).isEqualTo(created.arn()).matches(ARN_PREFIX + "described-[A-Za-z0-9]{6}");
    assertThat(d.name()).isEqualTo("described");
    assertThat(d.createdDate()).isBetween(before, after);
    assertThat(d.lastChangedDate()).isEqualTo(d.createdDate());
    assertThat(d.lastAccessedDate()).isNull();
    assertThat(d.deletedDate()).isNull();
    assertThat(d.kmsKeyId()).isNull();
    assertThat(d.description()).isNull();
    // Never replicated nor rotated: AWS omits PrimaryRegion and RotationEnabled.
    assertThat(d.primaryRegion()).isNull();
    assertThat(d.rotationEnabled()).isNull();
    assertThat(d.tags()).containsExactly(Tag.builder().key("k").value("v").build());
    assertThat(d.versionIdsToStages()).containsOnly(Map.entry(created.versionId(), List.of("AWSCURRENT")));

    // LastAccessedDate is the day (UTC) of the last read; reading changes nothing else.
    shunt.backend().clock().advance(Duration.ofDays(3).plusHours(5));
    Instant readFrom = shunt.backend().clock().now().truncatedTo(ChronoUnit.DAYS);
    sm.getSecretValue(r -> r.secretId("described"));
    Instant readTo = shunt.backend().clock().now().truncatedTo(ChronoUnit.DAYS);
    DescribeSecretResponse read = sm.describeSecret(r -> r.secretId("described"));
    assertThat(read.lastAccessedDate()).isIn(readFrom, readTo);
    assertThat(read.lastAccessedDate()).isEqualTo(read.lastAccessedDate().truncatedTo(ChronoUnit.DAYS));
    assertThat(read.lastChangedDate()).isEqualTo(d.lastChangedDate());
    assertThat(allVersions("described")).singleElement()
        .satisfies(v -> assertThat(v.lastAccessedDate()).isEqualTo(read.lastAccessedDate()));
  }

  // ---- Regions and accounts --------------------------------------------------------------------

  @Test
  void secretsBelongToOneRegionOfOneAccount() {
    String arn = sm.createSecret(r -> r.name("shared-name").secretString("east")).arn();
    try (SecretsManagerClient west = shunt.secrets("AKIDTEST", Region.EU_WEST_1);
        SecretsManagerClient other = shunt.secrets("111122223333", Region.US_EAST_1)) {
      expectError("ResourceNotFoundException", () -> west.getSecretValue(r -> r.secretId("shared-name")));
      expectError("ResourceNotFoundException", () -> west.describeSecret(r -> r.secretId(arn)));
      String westArn = west.createSecret(r -> r.name("shared-name").secretString("west")).arn();
      assertThat(westArn).startsWith("arn:aws:secretsmanager:eu-west-1:000000000000:secret:shared-name-");
      assertThat(west.describeSecret(r -> r.secretId("shared-name")).arn()).isEqualTo(westArn);
      assertThat(west.getSecretValue(r -> r.secretId("shared-name")).secretString()).isEqualTo("west");

      // A 12-digit access key is its own account.
      expectError("ResourceNotFoundException", () -> other.getSecretValue(r -> r.secretId("shared-name")));
      String otherArn = other.createSecret(r -> r.name("shared-name").secretString("other")).arn();
      assertThat(otherArn).startsWith("arn:aws:secretsmanager:us-east-1:111122223333:secret:shared-name-");
      assertThat(other.getSecretValue(r -> r.secretId("shared-name")).secretString()).isEqualTo("other");
      assertThat(other.listSecrets().secretList()).extracting(s -> s.arn()).containsExactly(otherArn);
    }
    assertThat(sm.getSecretValue(r -> r.secretId("shared-name")).secretString()).isEqualTo("east");
    assertThat(sm.listSecrets().secretList()).extracting(s -> s.arn()).containsExactly(arn);
  }
}
