package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.MultiRegionKey;
import software.amazon.awssdk.services.kms.model.MultiRegionKeyType;
import software.amazon.awssdk.services.kms.model.ReplicateKeyResponse;
import software.amazon.awssdk.services.kms.model.ScheduleKeyDeletionResponse;

/** Multi-Region keys: replicas in other Regions share the key id and material, roles swap, deletion waits. */
class KmsMultiRegionIT extends BackendTest {
  private static KmsClient west;

  @BeforeAll
  static void westClient() {
    west = shunt.kms("AKIDTEST", Region.US_WEST_2);
  }

  @AfterAll
  static void closeWest() {
    west.close();
  }

  private static KeyMetadata primary() {
    return kms.createKey(r -> r.multiRegion(true).description("primary")).keyMetadata();
  }

  private static ReplicateKeyResponse replicate(String keyId) {
    return kms.replicateKey(r -> r.keyId(keyId).replicaRegion("us-west-2").description("replica"));
  }

  private static SdkBytes encrypt(KmsClient client, String keyId, String text) {
    return client.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String(text))).ciphertextBlob();
  }

  @Test
  void aReplicaSharesKeyIdAndMaterialSoCiphertextsCrossRegions() {
    KeyMetadata created = primary();
    String id = created.keyId();
    assertThat(id).matches("mrk-[0-9a-f]{32}");
    assertThat(created.multiRegion()).isTrue();
    assertThat(created.multiRegionConfiguration().multiRegionKeyType()).isEqualTo(MultiRegionKeyType.PRIMARY);
    assertThat(created.multiRegionConfiguration().primaryKey().region()).isEqualTo("us-east-1");
    assertThat(created.multiRegionConfiguration().replicaKeys()).isEmpty();
    expectError("NotFoundException", () -> west.describeKey(r -> r.keyId(id)));

    ReplicateKeyResponse replicated = replicate(id);
    KeyMetadata replica = replicated.replicaKeyMetadata();
    assertThat(replica.keyId()).isEqualTo(id);
    assertThat(replica.arn()).isEqualTo("arn:aws:kms:us-west-2:" + created.awsAccountId() + ":key/" + id);
    assertThat(replica.description()).isEqualTo("replica");
    assertThat(replica.multiRegionConfiguration().multiRegionKeyType()).isEqualTo(MultiRegionKeyType.REPLICA);
    assertThat(replica.multiRegionConfiguration().primaryKey().arn()).isEqualTo(created.arn());
    assertThat(replica.currentKeyMaterialId()).isEqualTo(created.currentKeyMaterialId());
    assertThat(replicated.replicaPolicy()).contains("kms:*");
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().multiRegionConfiguration().replicaKeys())
        .extracting(MultiRegionKey::region).containsExactly("us-west-2");
    assertThat(west.describeKey(r -> r.keyId(id)).keyMetadata().multiRegionConfiguration().replicaKeys())
        .extracting(MultiRegionKey::arn).containsExactly(replica.arn());

    SdkBytes fromEast = encrypt(kms, id, "made in us-east-1");
    assertThat(west.decrypt(r -> r.ciphertextBlob(fromEast)).plaintext().asUtf8String()).isEqualTo("made in us-east-1");
    assertThat(west.decrypt(r -> r.ciphertextBlob(fromEast).keyId(replica.arn())).keyId()).isEqualTo(replica.arn());
    SdkBytes fromWest = encrypt(west, id, "made in us-west-2");
    assertThat(kms.decrypt(r -> r.ciphertextBlob(fromWest)).plaintext().asUtf8String()).isEqualTo("made in us-west-2");
  }

  @Test
  void replicateKeyRefusesWhatAwsRefuses() {
    String id = primary().keyId();
    replicate(id);
    expectError("AlreadyExistsException", () -> replicate(id));
    expectError("UnsupportedOperationException", () -> west.replicateKey(r -> r.keyId(id).replicaRegion("eu-west-1")));
    expectError("ValidationException", () -> kms.replicateKey(r -> r.keyId(id).replicaRegion("us-east-1")));
    expectError("UnsupportedOperationException", () -> kms.replicateKey(r -> r.keyId(id).replicaRegion("xx-nowhere-9")));
    expectError("UnsupportedOperationException", () -> kms.replicateKey(r -> r.keyId(id).replicaRegion("cn-north-1")));

    String single = kms.createKey(r -> { }).keyMetadata().keyId();
    expectError("UnsupportedOperationException", () -> kms.replicateKey(r -> r.keyId(single).replicaRegion("eu-west-1")));
    expectError("NotFoundException", () -> kms.replicateKey(r -> r.keyId("mrk-00000000000000000000000000000000")
        .replicaRegion("eu-west-1")));

    String deleting = primary().keyId();
    kms.scheduleKeyDeletion(r -> r.keyId(deleting).pendingWindowInDays(7));
    expectError("KMSInvalidStateException", () -> kms.replicateKey(r -> r.keyId(deleting).replicaRegion("eu-west-1")));
    // Nothing was made in the Regions refused.
    try (KmsClient ireland = shunt.kms("AKIDTEST", Region.EU_WEST_1)) {
      assertThat(ireland.listKeys().keys()).isEmpty();
    }
  }

  @Test
  void updatePrimaryRegionSwapsPrimaryAndReplica() {
    String id = primary().keyId();
    replicate(id);
    expectError("UnsupportedOperationException", () -> west.updatePrimaryRegion(r -> r.keyId(id).primaryRegion("us-east-1")));
    expectError("NotFoundException", () -> kms.updatePrimaryRegion(r -> r.keyId(id).primaryRegion("eu-west-1")));

    kms.updatePrimaryRegion(r -> r.keyId(id).primaryRegion("us-west-2"));
    KeyMetadata westKey = west.describeKey(r -> r.keyId(id)).keyMetadata();
    KeyMetadata eastKey = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(westKey.multiRegionConfiguration().multiRegionKeyType()).isEqualTo(MultiRegionKeyType.PRIMARY);
    assertThat(eastKey.multiRegionConfiguration().multiRegionKeyType()).isEqualTo(MultiRegionKeyType.REPLICA);
    assertThat(eastKey.multiRegionConfiguration().primaryKey().region()).isEqualTo("us-west-2");
    assertThat(westKey.multiRegionConfiguration().replicaKeys()).extracting(MultiRegionKey::region)
        .containsExactly("us-east-1");
    // Only the primary replicates and rotates.
    expectError("UnsupportedOperationException", () -> kms.replicateKey(r -> r.keyId(id).replicaRegion("eu-west-1")));
    expectError("UnsupportedOperationException", () -> kms.rotateKeyOnDemand(r -> r.keyId(id)));
    assertThat(west.replicateKey(r -> r.keyId(id).replicaRegion("eu-west-1")).replicaKeyMetadata()
        .multiRegionConfiguration().primaryKey().region()).isEqualTo("us-west-2");
  }

  @Test
  void aPrimaryIsDeletedOnlyAfterItsReplicas() {
    String id = primary().keyId();
    replicate(id);
    ScheduleKeyDeletionResponse scheduled = kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(7));
    assertThat(scheduled.keyState()).isEqualTo(KeyState.PENDING_REPLICA_DELETION);
    assertThat(scheduled.deletionDate()).isNull();
    KeyMetadata waiting = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(waiting.keyState()).isEqualTo(KeyState.PENDING_REPLICA_DELETION);
    assertThat(waiting.pendingDeletionWindowInDays()).isEqualTo(7);
    expectError("KMSInvalidStateException", () -> encrypt(kms, id, "x"));

    Instant replicaGone = west.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(10)).deletionDate();
    shunt.backend().clock().advance(Duration.ofDays(10).plusMinutes(1));
    KeyMetadata pending = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(pending.keyState()).isEqualTo(KeyState.PENDING_DELETION);
    assertThat(pending.deletionDate()).isEqualTo(replicaGone.plus(Duration.ofDays(7)));
    assertThat(pending.multiRegionConfiguration().replicaKeys()).isEmpty();
    expectError("NotFoundException", () -> west.describeKey(r -> r.keyId(id)));

    shunt.backend().clock().advance(Duration.ofDays(7));
    expectError("NotFoundException", () -> kms.describeKey(r -> r.keyId(id)));
  }

  @Test
  void cancellingAPendingPrimaryLeavesItDisabled() {
    String id = primary().keyId();
    replicate(id);
    kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(7));
    kms.cancelKeyDeletion(r -> r.keyId(id));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.DISABLED);
  }

  @Test
  void rotatingThePrimaryRotatesEveryReplica() {
    String id = primary().keyId();
    replicate(id);
    SdkBytes before = encrypt(west, id, "before");
    kms.rotateKeyOnDemand(r -> r.keyId(id));
    String rotated = kms.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId();
    assertThat(west.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId()).isEqualTo(rotated);
    assertThat(kms.decrypt(r -> r.ciphertextBlob(encrypt(west, id, "after"))).keyMaterialId()).isEqualTo(rotated);
    assertThat(kms.decrypt(r -> r.ciphertextBlob(before)).plaintext().asUtf8String()).isEqualTo("before");
    expectError("UnsupportedOperationException", () -> west.rotateKeyOnDemand(r -> r.keyId(id)));
    expectError("UnsupportedOperationException", () -> west.enableKeyRotation(r -> r.keyId(id)));

    kms.enableKeyRotation(r -> r.keyId(id).rotationPeriodInDays(90));
    assertThat(west.getKeyRotationStatus(r -> r.keyId(id)).rotationPeriodInDays()).isEqualTo(90);
    shunt.backend().clock().advance(Duration.ofDays(91));
    String automatic = west.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId();
    assertThat(automatic).isNotEqualTo(rotated);
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().currentKeyMaterialId()).isEqualTo(automatic);
  }
}
