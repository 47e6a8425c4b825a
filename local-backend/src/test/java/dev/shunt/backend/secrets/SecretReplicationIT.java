package dev.shunt.backend.secrets;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.ReplicationStatusType;
import software.amazon.awssdk.services.secretsmanager.model.StatusType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Multi-Region secrets: replicas made by CreateSecret and ReplicateSecretToRegions, read in their
 * Region by name and by ARN, kept in sync with the primary, read-only, removed, promoted.
 */
class SecretReplicationIT {
  private static final String REPLICA_READ_ONLY =
      "Operation not permitted on a replica secret. Call must be made in primary secret's region.";

  private static BackendFixture shunt;
  private static SecretsManagerClient primary;
  private static SecretsManagerClient ireland;
  private static SecretsManagerClient sydney;
  private static KmsClient irelandKms;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    primary = shunt.secrets();
    ireland = shunt.secrets("AKIDTEST", Region.EU_WEST_1);
    sydney = shunt.secrets("AKIDTEST", Region.AP_SOUTHEAST_2);
    irelandKms = shunt.kms("AKIDTEST", Region.EU_WEST_1);
  }

  @AfterAll
  static void stop() {
    primary.close();
    ireland.close();
    sydney.close();
    irelandKms.close();
    shunt.close();
  }

  @BeforeEach
  void reset() {
    shunt.backend().reset();
  }

  private static String inRegion(String arn, String from, String to) {
    assertThat(arn).contains(":" + from + ":");
    return arn.replace(":secretsmanager:" + from + ":", ":secretsmanager:" + to + ":");
  }

  private static ReplicaRegionType replica(String region) {
    return ReplicaRegionType.builder().region(region).build();
  }

  @Test
  void aReplicaUnderTheDefaultKeyIsReadableInItsRegionByNameAndByArn() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/default").secretString("s3cr3t")
        .addReplicaRegions(replica("eu-west-1")));
    assertThat(created.replicationStatus()).singleElement().satisfies(status -> {
      assertThat(status.region()).isEqualTo("eu-west-1");
      assertThat(status.status()).isEqualTo(StatusType.IN_SYNC);
      assertThat(status.kmsKeyId()).isEqualTo("alias/aws/secretsmanager");
    });

    String replicaArn = inRegion(created.arn(), "us-east-1", "eu-west-1");
    GetSecretValueResponse byName = ireland.getSecretValue(r -> r.secretId("repl/default"));
    GetSecretValueResponse byArn = ireland.getSecretValue(r -> r.secretId(replicaArn));
    for (GetSecretValueResponse value : List.of(byName, byArn)) {
      assertThat(value.secretString()).isEqualTo("s3cr3t");
      assertThat(value.versionId()).isEqualTo(created.versionId());
      assertThat(value.versionStages()).containsExactly("AWSCURRENT");
      assertThat(value.arn()).isEqualTo(replicaArn);
      assertThat(value.name()).isEqualTo("repl/default");
    }

    DescribeSecretResponse replicaView = ireland.describeSecret(r -> r.secretId(replicaArn));
    assertThat(replicaView.primaryRegion()).isEqualTo("us-east-1");
    assertThat(replicaView.arn()).isEqualTo(replicaArn);
    assertThat(replicaView.versionIdsToStages()).containsOnly(Map.entry(created.versionId(), List.of("AWSCURRENT")));
    DescribeSecretResponse primaryView = primary.describeSecret(r -> r.secretId("repl/default"));
    assertThat(primaryView.primaryRegion()).isEqualTo("us-east-1");
    assertThat(primaryView.replicationStatus()).extracting(ReplicationStatusType::region, ReplicationStatusType::status)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("eu-west-1", StatusType.IN_SYNC));

    // A Region with no replica has no such secret.
    expectError("ResourceNotFoundException", () -> sydney.getSecretValue(r -> r.secretId("repl/default")));
  }

  @Test
  void aReplicaUnderAKeyOfItsOwnRegionIsEncryptedWithThatKey() {
    String keyArn = irelandKms.createKey(r -> r.description("replica key")).keyMetadata().arn();
    assertThat(keyArn).contains(":eu-west-1:");
    SdkBytes binary = SdkBytes.fromByteArray(new byte[] {0, 1, 2, (byte) 0xfe, (byte) 0xff});
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/keyed").secretBinary(binary)
        .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").kmsKeyId(keyArn).build()));
    assertThat(created.replicationStatus()).singleElement().satisfies(status -> {
      assertThat(status.status()).isEqualTo(StatusType.IN_SYNC);
      assertThat(status.kmsKeyId()).isEqualTo(keyArn);
    });

    GetSecretValueResponse value = ireland.getSecretValue(r -> r.secretId("repl/keyed"));
    assertThat(value.secretBinary()).isEqualTo(binary);
    assertThat(value.versionId()).isEqualTo(created.versionId());
    assertThat(ireland.describeSecret(r -> r.secretId("repl/keyed")).kmsKeyId()).isEqualTo(keyArn);
    assertThat(ireland.listSecretVersionIds(r -> r.secretId("repl/keyed")).versions())
        .singleElement().satisfies(version -> assertThat(version.kmsKeyIds()).containsExactly(keyArn));

    // The replica's data key is wrapped by that key: with the key disabled the replica is unreadable.
    irelandKms.disableKey(r -> r.keyId(keyArn));
    var error = expectError("DecryptionFailure", () -> ireland.getSecretValue(r -> r.secretId("repl/keyed")));
    assertThat(message(error)).contains("KMS");
    assertThat(primary.getSecretValue(r -> r.secretId("repl/keyed")).secretBinary()).isEqualTo(binary);
  }

  @Test
  void writesOnThePrimaryReachTheReplica() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/sync").secretString("v1")
        .description("first").tags(Tag.builder().key("team").value("a").build())
        .addReplicaRegions(replica("eu-west-1")));

    String v2 = primary.putSecretValue(r -> r.secretId("repl/sync").secretString("v2")).versionId();
    GetSecretValueResponse current = ireland.getSecretValue(r -> r.secretId("repl/sync"));
    assertThat(current.secretString()).isEqualTo("v2");
    assertThat(current.versionId()).isEqualTo(v2);
    GetSecretValueResponse previous = ireland.getSecretValue(r -> r.secretId("repl/sync").versionStage("AWSPREVIOUS"));
    assertThat(previous.versionId()).isEqualTo(created.versionId());
    assertThat(previous.secretString()).isEqualTo("v1");

    String v3 = primary.updateSecret(r -> r.secretId("repl/sync").description("second").secretString("v3"))
        .versionId();
    primary.tagResource(r -> r.secretId("repl/sync").tags(Tag.builder().key("env").value("prod").build()));
    primary.untagResource(r -> r.secretId("repl/sync").tagKeys("team"));
    DescribeSecretResponse replicaView = ireland.describeSecret(r -> r.secretId("repl/sync"));
    assertThat(replicaView.description()).isEqualTo("second");
    assertThat(replicaView.tags()).containsExactly(Tag.builder().key("env").value("prod").build());
    assertThat(replicaView.versionIdsToStages()).containsOnly(Map.entry(v3, List.of("AWSCURRENT")),
        Map.entry(v2, List.of("AWSPREVIOUS")));
    assertThat(ireland.getSecretValue(r -> r.secretId("repl/sync")).secretString()).isEqualTo("v3");

    primary.updateSecretVersionStage(r -> r.secretId("repl/sync").versionStage("AWSCURRENT")
        .moveToVersionId(v2).removeFromVersionId(v3));
    assertThat(ireland.getSecretValue(r -> r.secretId("repl/sync")).versionId()).isEqualTo(v2);
    assertThat(primary.describeSecret(r -> r.secretId("repl/sync")).replicationStatus())
        .singleElement().satisfies(status -> assertThat(status.status()).isEqualTo(StatusType.IN_SYNC));
  }

  @Test
  void writesOnAReplicaAreRefused() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/readonly").secretString("v1")
        .addReplicaRegions(replica("eu-west-1")));
    String replicaArn = inRegion(created.arn(), "us-east-1", "eu-west-1");
    List<Executable> writes = List.of(
        () -> ireland.putSecretValue(r -> r.secretId("repl/readonly").secretString("mine")),
        () -> ireland.updateSecret(r -> r.secretId(replicaArn).description("mine")),
        () -> ireland.tagResource(r -> r.secretId("repl/readonly").tags(Tag.builder().key("k").value("v").build())),
        () -> ireland.untagResource(r -> r.secretId("repl/readonly").tagKeys("k")),
        () -> ireland.updateSecretVersionStage(r -> r.secretId("repl/readonly").versionStage("X")
            .moveToVersionId(created.versionId())),
        () -> ireland.putResourcePolicy(r -> r.secretId("repl/readonly").resourcePolicy(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"111122223333\"},"
                + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}")),
        () -> ireland.deleteResourcePolicy(r -> r.secretId("repl/readonly")),
        () -> ireland.rotateSecret(r -> r.secretId("repl/readonly")
            .rotationLambdaARN("arn:aws:lambda:eu-west-1:000000000000:function:f")),
        () -> ireland.deleteSecret(r -> r.secretId("repl/readonly").forceDeleteWithoutRecovery(true)));
    for (Executable write : writes) {
      var error = expectError("InvalidParameterException", write::execute);
      assertThat(message(error)).isEqualTo(REPLICA_READ_ONLY);
    }
    GetSecretValueResponse value = ireland.getSecretValue(r -> r.secretId("repl/readonly"));
    assertThat(value.secretString()).isEqualTo("v1");
    assertThat(ireland.describeSecret(r -> r.secretId("repl/readonly")).hasTags()).isFalse();
  }

  @Test
  void replicateSecretToRegionsAddsARegion() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/later").secretString("v1")
        .addReplicaRegions(replica("eu-west-1")));
    var replicated = primary.replicateSecretToRegions(r -> r.secretId("repl/later")
        .addReplicaRegions(replica("ap-southeast-2")));
    assertThat(replicated.arn()).isEqualTo(created.arn());
    assertThat(replicated.replicationStatus()).extracting(ReplicationStatusType::region)
        .containsExactlyInAnyOrder("eu-west-1", "ap-southeast-2");
    assertThat(replicated.replicationStatus()).allSatisfy(s -> assertThat(s.status()).isEqualTo(StatusType.IN_SYNC));

    GetSecretValueResponse value = sydney.getSecretValue(r -> r.secretId(
        inRegion(created.arn(), "us-east-1", "ap-southeast-2")));
    assertThat(value.secretString()).isEqualTo("v1");
    assertThat(value.versionId()).isEqualTo(created.versionId());
    assertThat(sydney.describeSecret(r -> r.secretId("repl/later")).primaryRegion()).isEqualTo("us-east-1");

    expectError("InvalidParameterException", () -> primary.replicateSecretToRegions(r -> r.secretId("repl/later")
        .addReplicaRegions(replica("us-east-1"))));
  }

  @Test
  void aRegionAwsDoesNotHaveIsAnInvalidReplicaRegionAndNothingIsCreated() {
    // Region-shaped, so it passes the model's pattern; AWS has no such Region and says so.
    var refused = expectError("InvalidParameterException", () -> primary.createSecret(r -> r.name("repl/nowhere")
        .secretString("v1").addReplicaRegions(replica("eu-west-1"), replica("xx-nowhere-1"))));
    assertThat(message(refused)).isEqualTo("Invalid replica region.");
    expectError("ResourceNotFoundException", () -> primary.describeSecret(r -> r.secretId("repl/nowhere")));
    expectError("ResourceNotFoundException", () -> ireland.describeSecret(r -> r.secretId("repl/nowhere")));

    primary.createSecret(r -> r.name("repl/nowhere").secretString("v1"));
    assertThat(message(expectError("InvalidParameterException", () -> primary.replicateSecretToRegions(r -> r
        .secretId("repl/nowhere").addReplicaRegions(replica("ap-southeast-2"), replica("xx-nowhere-1"))))))
        .isEqualTo("Invalid replica region.");
    assertThat(primary.describeSecret(r -> r.secretId("repl/nowhere")).replicationStatus()).isEmpty();
    expectError("ResourceNotFoundException", () -> sydney.describeSecret(r -> r.secretId("repl/nowhere")));
  }

  @Test
  void aNameTakenInTheTargetRegionFailsUnlessOverwriteIsForced() {
    ireland.createSecret(r -> r.name("repl/taken").secretString("theirs"));
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/taken").secretString("ours")
        .addReplicaRegions(replica("eu-west-1")));
    assertThat(created.replicationStatus()).singleElement().satisfies(status -> {
      assertThat(status.status()).isEqualTo(StatusType.FAILED);
      assertThat(status.statusMessage()).contains("already exists");
    });
    assertThat(ireland.getSecretValue(r -> r.secretId("repl/taken")).secretString()).isEqualTo("theirs");
    DescribeSecretResponse untouched = ireland.describeSecret(r -> r.secretId("repl/taken"));
    // Never replicated itself: AWS shows no PrimaryRegion.
    assertThat(untouched.primaryRegion()).isNull();
    ireland.putSecretValue(r -> r.secretId("repl/taken").secretString("still theirs"));
    // A failed replica is not kept in sync.
    primary.putSecretValue(r -> r.secretId("repl/taken").secretString("ours again"));
    assertThat(ireland.getSecretValue(r -> r.secretId("repl/taken")).secretString()).isEqualTo("still theirs");

    ireland.createSecret(r -> r.name("repl/forced").secretString("theirs"));
    CreateSecretResponse forced = primary.createSecret(r -> r.name("repl/forced").secretString("ours"));
    var replicated = primary.replicateSecretToRegions(r -> r.secretId("repl/forced")
        .addReplicaRegions(replica("eu-west-1")).forceOverwriteReplicaSecret(true));
    assertThat(replicated.replicationStatus()).singleElement()
        .satisfies(status -> assertThat(status.status()).isEqualTo(StatusType.IN_SYNC));
    GetSecretValueResponse value = ireland.getSecretValue(r -> r.secretId("repl/forced"));
    assertThat(value.secretString()).isEqualTo("ours");
    assertThat(value.versionId()).isEqualTo(forced.versionId());
    assertThat(value.arn()).isEqualTo(inRegion(forced.arn(), "us-east-1", "eu-west-1"));
    assertThat(ireland.describeSecret(r -> r.secretId("repl/forced")).primaryRegion()).isEqualTo("us-east-1");
  }

  @Test
  void removeRegionsFromReplicationDeletesTheReplica() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/removed").secretString("v1")
        .addReplicaRegions(replica("eu-west-1"), replica("ap-southeast-2")));
    var removed = primary.removeRegionsFromReplication(r -> r.secretId(created.arn())
        .removeReplicaRegions("eu-west-1"));
    assertThat(removed.arn()).isEqualTo(created.arn());
    assertThat(removed.replicationStatus()).extracting(ReplicationStatusType::region)
        .containsExactly("ap-southeast-2");

    expectError("ResourceNotFoundException", () -> ireland.getSecretValue(r -> r.secretId("repl/removed")));
    expectError("ResourceNotFoundException", () -> ireland.describeSecret(r -> r.secretId(
        inRegion(created.arn(), "us-east-1", "eu-west-1"))));
    assertThat(sydney.getSecretValue(r -> r.secretId("repl/removed")).secretString()).isEqualTo("v1");
    assertThat(primary.describeSecret(r -> r.secretId("repl/removed")).replicationStatus())
        .extracting(ReplicationStatusType::region).containsExactly("ap-southeast-2");
  }

  @Test
  void stopReplicationToReplicaMakesAStandaloneWritableSecret() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/promoted").secretString("v1")
        .addReplicaRegions(replica("eu-west-1")));
    String replicaArn = inRegion(created.arn(), "us-east-1", "eu-west-1");

    var stopped = ireland.stopReplicationToReplica(r -> r.secretId(replicaArn));
    assertThat(stopped.arn()).isEqualTo(replicaArn);

    DescribeSecretResponse promoted = ireland.describeSecret(r -> r.secretId("repl/promoted"));
    assertThat(promoted.primaryRegion()).isEqualTo("eu-west-1");
    assertThat(promoted.arn()).isEqualTo(replicaArn);
    String mine = ireland.putSecretValue(r -> r.secretId("repl/promoted").secretString("eu-only")).versionId();
    assertThat(ireland.getSecretValue(r -> r.secretId(replicaArn)).versionId()).isEqualTo(mine);
    ireland.tagResource(r -> r.secretId(replicaArn).tags(Tag.builder().key("owner").value("eu").build()));

    DescribeSecretResponse primaryView = primary.describeSecret(r -> r.secretId("repl/promoted"));
    assertThat(primaryView.replicationStatus()).isEmpty();
    primary.putSecretValue(r -> r.secretId("repl/promoted").secretString("us-only"));
    assertThat(ireland.getSecretValue(r -> r.secretId("repl/promoted")).secretString()).isEqualTo("eu-only");
    assertThat(primary.getSecretValue(r -> r.secretId("repl/promoted")).secretString()).isEqualTo("us-only");
    // With no replica left, the primary can be deleted; the promoted secret stays.
    primary.deleteSecret(r -> r.secretId("repl/promoted").forceDeleteWithoutRecovery(true));
    assertThat(ireland.getSecretValue(r -> r.secretId("repl/promoted")).secretString()).isEqualTo("eu-only");
  }

  @Test
  void aPrimaryWithReplicasCannotBeDeleted() {
    CreateSecretResponse created = primary.createSecret(r -> r.name("repl/undeletable").secretString("v1")
        .addReplicaRegions(replica("eu-west-1")));
    // AWS answers InvalidParameterException here (not InvalidRequestException), naming the ARN and the Regions.
    var error = expectError("InvalidParameterException",
        () -> primary.deleteSecret(r -> r.secretId("repl/undeletable")));
    assertThat(message(error)).isEqualTo("You can't delete secret " + created.arn()
        + " that still has replica regions [eu-west-1].");
    assertThat(primary.describeSecret(r -> r.secretId("repl/undeletable")).deletedDate()).isNull();

    primary.removeRegionsFromReplication(r -> r.secretId("repl/undeletable").removeReplicaRegions("eu-west-1"));
    assertThat(primary.deleteSecret(r -> r.secretId("repl/undeletable")).deletionDate()).isNotNull();
  }
}
