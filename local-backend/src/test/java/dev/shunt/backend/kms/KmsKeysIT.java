package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.CustomerMasterKeySpec;
import software.amazon.awssdk.services.kms.model.KeyManagerType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.ListKeysResponse;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;
import software.amazon.awssdk.services.kms.model.Tag;

/** Key lifecycle: CreateKey, DescribeKey, ListKeys, states, deletion windows, descriptions, tags, policies. */
class KmsKeysIT extends BackendTest {

  @Test
  void createKeyReturnsAwsShapedMetadata() {
    Instant before = Instant.now().minusSeconds(1);
    KeyMetadata key = kms.createKey(r -> r.description("orders").tags(Tag.builder().tagKey("team").tagValue("a").build()))
        .keyMetadata();
    assertThat(key.keyId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(key.arn()).isEqualTo("arn:aws:kms:us-east-1:000000000000:key/" + key.keyId());
    assertThat(key.awsAccountId()).isEqualTo("000000000000");
    assertThat(key.description()).isEqualTo("orders");
    assertThat(key.enabled()).isTrue();
    assertThat(key.keyState()).isEqualTo(KeyState.ENABLED);
    assertThat(key.keyUsage()).isEqualTo(KeyUsageType.ENCRYPT_DECRYPT);
    assertThat(key.keySpec()).isEqualTo(KeySpec.SYMMETRIC_DEFAULT);
    assertThat(key.customerMasterKeySpec()).isEqualTo(CustomerMasterKeySpec.SYMMETRIC_DEFAULT);
    assertThat(key.origin()).isEqualTo(OriginType.AWS_KMS);
    assertThat(key.keyManager()).isEqualTo(KeyManagerType.CUSTOMER);
    assertThat(key.multiRegion()).isFalse();
    assertThat(key.encryptionAlgorithmsAsStrings()).containsExactly("SYMMETRIC_DEFAULT");
    assertThat(key.creationDate()).isBetween(before, Instant.now().plusSeconds(1));
    assertThat(kms.listResourceTags(r -> r.keyId(key.keyId())).tags())
        .containsExactly(Tag.builder().tagKey("team").tagValue("a").build());

    KeyMetadata described = kms.describeKey(r -> r.keyId(key.arn())).keyMetadata();
    assertThat(described).isEqualTo(key);
  }

  @Test
  void createKeyRejectsWhatShuntOrAwsDoesNotAllow() {
    expectError("ValidationException", () -> kms.createKey(r -> r.keyUsage(KeyUsageType.SIGN_VERIFY)));
    // Multi-Region and EXTERNAL keys are KmsMultiRegionIT's, KmsImportIT's and KmsAsymmetricImportIT's; an
    // Ed25519 key takes no imported material.
    expectError("UnsupportedOperationException", () -> kms.createKey(r -> r.origin(OriginType.AWS_CLOUDHSM)));
    expectError("UnsupportedOperationException", () -> kms.createKey(r -> r.origin(OriginType.EXTERNAL)
        .keySpec("ECC_NIST_EDWARDS25519").keyUsage(KeyUsageType.SIGN_VERIFY)));
    expectError("CustomKeyStoreNotFoundException", () -> kms.createKey(r -> r.customKeyStoreId("cks-1")));
    expectError("MalformedPolicyDocumentException", () -> kms.createKey(r -> r.policy("{not json")));
    expectError("MalformedPolicyDocumentException", () -> kms.createKey(r -> r.policy("{\"Version\":\"2012-10-17\"}")));
    expectError("TagException", () -> kms.createKey(r -> r.tags(Tag.builder().tagKey("aws:reserved").tagValue("x").build())));
    var description = expectError("ValidationException", () -> kms.createKey(r -> r.description("d".repeat(8193))));
    assertThat(message(description)).contains("at 'description'").contains("less than or equal to 8192");
    var tagKey = expectError("ValidationException", () -> kms.createKey(r -> r.tags(Tag.builder().tagKey("").tagValue("v").build())));
    assertThat(message(tagKey)).contains("'tags.1.member.tagKey'").contains("greater than or equal to 1");
    assertThat(kms.listKeys().keys()).isEmpty();
  }

  @Test
  void listKeysPagesWithLimitAndMarker() {
    Set<String> created = new HashSet<>();
    for (int i = 0; i < 7; i++) {
      created.add(kms.createKey(r -> { }).keyMetadata().keyId());
    }
    List<String> seen = new ArrayList<>();
    String marker = null;
    int pages = 0;
    do {
      String current = marker;
      ListKeysResponse page = kms.listKeys(r -> r.limit(3).marker(current));
      page.keys().forEach(k -> seen.add(k.keyId()));
      page.keys().forEach(k -> assertThat(k.keyArn()).endsWith(":key/" + k.keyId()));
      assertThat(page.truncated()).isEqualTo(page.nextMarker() != null);
      marker = page.nextMarker();
      pages++;
    } while (marker != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(7).containsExactlyInAnyOrderElementsOf(created);
    assertThat(kms.listKeysPaginator(r -> r.limit(2)).keys().stream().count()).isEqualTo(7);
    expectError("InvalidMarkerException", () -> kms.listKeys(r -> r.marker("garbage")));
    expectError("ValidationException", () -> kms.listKeys(r -> r.limit(0)));
    expectError("ValidationException", () -> kms.listKeys(r -> r.limit(1001)));
  }

  @Test
  void disableAndEnableChangeTheState() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    kms.disableKey(r -> r.keyId(id));
    KeyMetadata disabled = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(disabled.keyState()).isEqualTo(KeyState.DISABLED);
    assertThat(disabled.enabled()).isFalse();
    kms.enableKey(r -> r.keyId(id));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.ENABLED);
    // Management operations take key ids and ARNs, not aliases.
    kms.createAlias(r -> r.aliasName("alias/no-alias-here").targetKeyId(id));
    expectError("NotFoundException", () -> kms.disableKey(r -> r.keyId("alias/no-alias-here")));
  }

  @Test
  void scheduledDeletionTakesEffectWhenTheWindowHasPassed() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    kms.createAlias(r -> r.aliasName("alias/doomed").targetKeyId(id));
    Instant before = shunt.backend().clock().now();
    ScheduleKeyDeletionResponse scheduled = kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(7));
    assertThat(scheduled.keyState()).isEqualTo(KeyState.PENDING_DELETION);
    assertThat(scheduled.pendingWindowInDays()).isEqualTo(7);
    assertThat(Duration.between(before, scheduled.deletionDate()).toDays()).isEqualTo(7);
    KeyMetadata pending = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(pending.keyState()).isEqualTo(KeyState.PENDING_DELETION);
    assertThat(pending.enabled()).isFalse();
    assertThat(pending.deletionDate()).isEqualTo(scheduled.deletionDate());
    expectError("KMSInvalidStateException", () -> kms.scheduleKeyDeletion(r -> r.keyId(id)));
    expectError("KMSInvalidStateException", () -> kms.enableKey(r -> r.keyId(id)));
    expectError("KMSInvalidStateException", () -> kms.updateKeyDescription(r -> r.keyId(id).description("x")));

    shunt.backend().clock().advance(Duration.ofDays(6));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_DELETION);

    shunt.backend().clock().advance(Duration.ofDays(1).plusMinutes(1));
    expectError("NotFoundException", () -> kms.describeKey(r -> r.keyId(id)));
    expectError("NotFoundException", () -> kms.describeKey(r -> r.keyId("alias/doomed")));
    assertThat(kms.listKeys().keys()).extracting(k -> k.keyId()).doesNotContain(id);
    assertThat(kms.listAliases().aliases()).extracting(a -> a.aliasName()).doesNotContain("alias/doomed");
  }

  @Test
  void cancelKeyDeletionLeavesTheKeyDisabled() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    expectError("KMSInvalidStateException", () -> kms.cancelKeyDeletion(r -> r.keyId(id)));
    ScheduleKeyDeletionResponse scheduled = kms.scheduleKeyDeletion(r -> r.keyId(id));
    assertThat(scheduled.pendingWindowInDays()).isEqualTo(30);
    assertThat(kms.cancelKeyDeletion(r -> r.keyId(id)).keyId()).endsWith(":key/" + id);
    KeyMetadata key = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(key.keyState()).isEqualTo(KeyState.DISABLED);
    assertThat(key.deletionDate()).isNull();
    shunt.backend().clock().advance(Duration.ofDays(31));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.DISABLED);
  }

  @Test
  void deletionWindowIsSevenToThirtyDays() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    var tooShort = expectError("ValidationException", () -> kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(6)));
    assertThat(message(tooShort)).contains("'pendingWindowInDays'").contains("greater than or equal to 7");
    var tooLong = expectError("ValidationException", () -> kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(31)));
    assertThat(message(tooLong)).contains("less than or equal to 30");
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.ENABLED);
  }

  @Test
  void updateKeyDescriptionChangesOnlyTheDescription() {
    KeyMetadata key = kms.createKey(r -> r.description("old")).keyMetadata();
    kms.updateKeyDescription(r -> r.keyId(key.arn()).description("new"));
    KeyMetadata updated = kms.describeKey(r -> r.keyId(key.keyId())).keyMetadata();
    assertThat(updated.description()).isEqualTo("new");
    assertThat(updated.toBuilder().description("old").build()).isEqualTo(key);
    expectError("ValidationException", () -> kms.updateKeyDescription(r -> r.keyId(key.keyId())));
  }

  @Test
  void tagsCanBeAddedReplacedAndRemoved() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    kms.tagResource(r -> r.keyId(id).tags(tag("a", "1"), tag("b", "2")));
    kms.tagResource(r -> r.keyId(id).tags(tag("a", "one")));
    assertThat(kms.listResourceTags(r -> r.keyId(id)).tags()).containsExactly(tag("a", "one"), tag("b", "2"));
    kms.untagResource(r -> r.keyId(id).tagKeys("a", "missing"));
    assertThat(kms.listResourceTags(r -> r.keyId(id)).tags()).containsExactly(tag("b", "2"));
    expectError("TagException", () -> kms.tagResource(r -> r.keyId(id).tags(tag("aws:x", "1"))));
    List<Tag> many = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      many.add(tag("k" + i, "v"));
    }
    expectError("LimitExceededException", () -> kms.tagResource(r -> r.keyId(id).tags(many)));
    assertThat(kms.listResourceTags(r -> r.keyId(id)).tags()).hasSize(1);
  }

  @Test
  void tagsArePagedWithOpaqueMarkers() {
    String id = kms.createKey(r -> r.tags(tag("a", "1"), tag("b", "2"), tag("c", "3"))).keyMetadata().keyId();
    var first = kms.listResourceTags(r -> r.keyId(id).limit(2));
    assertThat(first.tags()).hasSize(2);
    assertThat(first.truncated()).isTrue();
    var second = kms.listResourceTags(r -> r.keyId(id).limit(2).marker(first.nextMarker()));
    assertThat(second.truncated()).isFalse();
    List<Tag> all = new ArrayList<>(first.tags());
    all.addAll(second.tags());
    assertThat(all).containsExactlyInAnyOrder(tag("a", "1"), tag("b", "2"), tag("c", "3"));
    // A marker Shunt did not hand out, or one of another listing, is refused.
    expectError("InvalidMarkerException", () -> kms.listResourceTags(r -> r.keyId(id).marker("2")));
    kms.createKey(r -> { });
    String keysMarker = kms.listKeys(r -> r.limit(1)).nextMarker();
    assertThat(keysMarker).isNotNull();
    expectError("InvalidMarkerException", () -> kms.listResourceTags(r -> r.keyId(id).marker(keysMarker)));
  }

  private static Tag tag(String key, String value) {
    return Tag.builder().tagKey(key).tagValue(value).build();
  }

  @Test
  void keyPoliciesReadAndWrite() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    assertThat(kms.listKeyPolicies(r -> r.keyId(id)).policyNames()).containsExactly("default");
    String policy = kms.getKeyPolicy(r -> r.keyId(id)).policy();
    assertThat(policy).contains("arn:aws:iam::000000000000:root").contains("kms:*");
    String replaced = policy.replace("Enable IAM User Permissions", "Renamed");
    kms.putKeyPolicy(r -> r.keyId(id).policy(replaced));
    assertThat(kms.getKeyPolicy(r -> r.keyId(id).policyName("default")).policy()).isEqualTo(replaced);
    expectError("MalformedPolicyDocumentException", () -> kms.putKeyPolicy(r -> r.keyId(id).policy("[]")));
    expectError("NotFoundException", () -> kms.getKeyPolicy(r -> r.keyId(id).policyName("other")));
  }

  @Test
  void awsManagedKeysAppearOnFirstUseAndOnlyTheirServiceMayUseThem() {
    assertThat(kms.listKeys().keys()).isEmpty();
    KeyMetadata managed = kms.describeKey(r -> r.keyId("alias/aws/secretsmanager")).keyMetadata();
    assertThat(managed.keyManager()).isEqualTo(KeyManagerType.AWS);
    assertThat(managed.description()).contains("secretsmanager");
    assertThat(kms.describeKey(r -> r.keyId("alias/aws/secretsmanager")).keyMetadata().keyId()).isEqualTo(managed.keyId());
    assertThat(kms.listKeys().keys()).extracting(k -> k.keyId()).containsExactly(managed.keyId());
    assertThat(kms.getKeyRotationStatus(r -> r.keyId(managed.keyId())).keyRotationEnabled()).isTrue();
    expectError("AccessDeniedException", () -> kms.encrypt(r -> r.keyId("alias/aws/secretsmanager")
        .plaintext(SdkBytes.fromUtf8String("x"))));
    expectError("AccessDeniedException", () -> kms.disableKey(r -> r.keyId(managed.keyId())));
    expectError("AccessDeniedException", () -> kms.scheduleKeyDeletion(r -> r.keyId(managed.keyId())));
    expectError("NotFoundException", () -> kms.describeKey(r -> r.keyId("alias/aws/no-such-service")));
  }

  @Test
  void keysAreSeparatedByRegionAndAccount() {
    String id = kms.createKey(r -> { }).keyMetadata().keyId();
    try (KmsClient europe = shunt.kms("AKIDTEST", Region.EU_WEST_1);
        KmsClient otherAccount = shunt.kms("111122223333", Region.US_EAST_1)) {
      expectError("NotFoundException", () -> europe.describeKey(r -> r.keyId(id)));
      assertThat(europe.listKeys().keys()).isEmpty();
      KeyMetadata european = europe.createKey(r -> { }).keyMetadata();
      assertThat(european.arn()).startsWith("arn:aws:kms:eu-west-1:000000000000:key/");

      KeyMetadata theirs = otherAccount.createKey(r -> { }).keyMetadata();
      assertThat(theirs.awsAccountId()).isEqualTo("111122223333");
      assertThat(theirs.arn()).startsWith("arn:aws:kms:us-east-1:111122223333:key/");
      expectError("NotFoundException", () -> otherAccount.describeKey(r -> r.keyId(id)));
      assertThat(otherAccount.listKeys().keys()).extracting(k -> k.keyId()).containsExactly(theirs.keyId());
    }
    try (KmsClient china = shunt.kms("AKIDTEST", Region.CN_NORTH_1)) {
      assertThat(china.createKey(r -> { }).keyMetadata().arn()).startsWith("arn:aws-cn:kms:cn-north-1:");
    }
  }

  @Test
  void crossAccountUseNeedsTheKeyPolicyToAllowIt() {
    try (KmsClient owner = shunt.kms("111122223333", Region.US_EAST_1);
        KmsClient stranger = shunt.kms("444455556666", Region.US_EAST_1)) {
      KeyMetadata key = owner.createKey(r -> { }).keyMetadata();
      SdkBytes blob = owner.encrypt(r -> r.keyId(key.keyId()).plaintext(SdkBytes.fromUtf8String("shared")))
          .ciphertextBlob();
      var denied = expectError("AccessDeniedException", () -> stranger.decrypt(r -> r.ciphertextBlob(blob)));
      assertThat(message(denied)).isEqualTo("User: arn:aws:iam::444455556666:root is not authorized to perform: "
          + "kms:Decrypt on resource: " + key.arn() + " because no resource-based policy allows the kms:Decrypt action");
      expectError("AccessDeniedException", () -> stranger.describeKey(r -> r.keyId(key.arn())));

      owner.putKeyPolicy(r -> r.keyId(key.keyId()).policy("{\"Version\":\"2012-10-17\",\"Statement\":["
          + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
          + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"444455556666\"},\"Action\":[\"kms:Decrypt\",\"kms:Describe*\"],\"Resource\":\"*\"}]}"));
      assertThat(stranger.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String()).isEqualTo("shared");
      assertThat(stranger.describeKey(r -> r.keyId(key.arn())).keyMetadata().keyId()).isEqualTo(key.keyId());
      expectError("AccessDeniedException", () -> stranger.encrypt(r -> r.keyId(key.arn())
          .plaintext(SdkBytes.fromUtf8String("x"))));
      // Management operations never cross accounts.
      expectError("NotFoundException", () -> stranger.disableKey(r -> r.keyId(key.arn())));

      owner.putKeyPolicy(r -> r.keyId(key.keyId()).policy("{\"Statement\":[{\"Effect\":\"Deny\","
          + "\"Principal\":\"*\",\"Action\":\"kms:Decrypt\",\"Resource\":\"*\"},{\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"111122223333\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}"));
      expectError("AccessDeniedException", () -> owner.decrypt(r -> r.ciphertextBlob(blob)));
    }
  }
}
