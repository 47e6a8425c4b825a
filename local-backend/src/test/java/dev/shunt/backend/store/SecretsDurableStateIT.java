package dev.shunt.backend.store;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.secrets.SecretRotations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.ReplicaRegionType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/**
 * Secrets Manager's state in a data directory: every secret, with its versions, labels, tags,
 * policy, rotation settings, replicas and deletion schedule, is what it was after a restart, as
 * DescribeSecret, ListSecretVersionIds and GetSecretValue show it; and the files hold no value.
 */
class SecretsDurableStateIT {
  /** A fixed day, so that LastAccessedDate (a day) is the same before and after the restart. */
  private static final Instant DAY = Instant.parse("2030-06-15T10:00:00Z");
  private static final String LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:shunt-password-rotator";
  private static final List<SecretsSnapshot.Scope> SCOPES = List.of(
      new SecretsSnapshot.Scope("AKIDTEST", Region.US_EAST_1), new SecretsSnapshot.Scope("AKIDTEST", Region.EU_WEST_1),
      new SecretsSnapshot.Scope("111122223333", Region.US_EAST_1));

  private static final String TOKEN = "a-client-request-token-0123456789abcdef";

  @TempDir
  Path dir;

  private BackendFixture start() {
    BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", dir.toString()));
    shunt.backend().clock().set(DAY);
    return shunt;
  }

  /**
   * Each operation is the last one on a secret of its own, so that a change the store did not
   * write is not hidden by a later one that wrote the whole secret; nothing is read (which would
   * write LastAccessedDate) before the state is compared after the restart.
   */
  @Test
  void everySecretIsAsItWasAfterARestart() {
    Map<String, List<Object>> before;
    JsonNode exported;
    String rotatedVersion;
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      KmsClient kms = shunt.kms();
      String key = kms.createKey(r -> r.description("for secrets")).keyMetadata().keyId();
      String otherKey = kms.createKey(r -> r.description("for secrets, later")).keyMetadata().keyId();

      sm.createSecret(r -> r.name("op/create").secretString("{\"password\":\"one\"}").description("made")
          .tags(Tag.builder().key("team").value("core").build()));
      sm.createSecret(r -> r.name("op/binary").kmsKeyId(key)
          .secretBinary(SdkBytes.fromByteArray(new byte[] {0, 1, (byte) 0xff, 42})));
      sm.createSecret(r -> r.name("op/empty").description("no value yet"));

      sm.createSecret(r -> r.name("op/put").secretString("one"));
      sm.putSecretValue(r -> r.secretId("op/put").secretString("two"));
      sm.putSecretValue(r -> r.secretId("op/put").secretString("three").versionStages("STAGING"));
      sm.createSecret(r -> r.name("op/put-binary").secretString("text first"));
      sm.putSecretValue(r -> r.secretId("op/put-binary").secretBinary(SdkBytes.fromUtf8String("then bytes")));

      String first = sm.createSecret(r -> r.name("op/stage").secretString("a")).versionId();
      sm.putSecretValue(r -> r.secretId("op/stage").secretString("b"));
      sm.updateSecretVersionStage(r -> r.secretId("op/stage").versionStage("blue").moveToVersionId(first));
      String staged = sm.createSecret(r -> r.name("op/unstage").secretString("a")).versionId();
      sm.updateSecretVersionStage(r -> r.secretId("op/unstage").versionStage("green").moveToVersionId(staged));
      sm.updateSecretVersionStage(r -> r.secretId("op/unstage").versionStage("green").removeFromVersionId(staged));

      sm.createSecret(r -> r.name("op/update").secretString("u1").kmsKeyId(key));
      sm.updateSecret(r -> r.secretId("op/update").description("re-described").kmsKeyId(otherKey));
      sm.createSecret(r -> r.name("op/update-description").secretString("u1"));
      sm.updateSecret(r -> r.secretId("op/update-description").description("only this"));
      sm.createSecret(r -> r.name("op/update-value").secretString("u1"));
      sm.updateSecret(r -> r.secretId("op/update-value").secretString("u2"));

      sm.createSecret(r -> r.name("op/tag").secretString("t"));
      sm.tagResource(r -> r.secretId("op/tag").tags(Tag.builder().key("owner").value("me").build()));
      sm.createSecret(r -> r.name("op/untag").secretString("t")
          .tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
      sm.untagResource(r -> r.secretId("op/untag").tagKeys("a"));

      String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
          + "\"arn:aws:iam::111122223333:root\"},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}";
      sm.createSecret(r -> r.name("op/policy").secretString("p"));
      sm.putResourcePolicy(r -> r.secretId("op/policy").resourcePolicy(policy));
      sm.createSecret(r -> r.name("op/unpolicy").secretString("p"));
      sm.putResourcePolicy(r -> r.secretId("op/unpolicy").resourcePolicy(policy));
      sm.deleteResourcePolicy(r -> r.secretId("op/unpolicy"));

      sm.createSecret(r -> r.name("op/rotated").secretString("{\"password\":\"start\"}"));
      rotatedVersion = sm.rotateSecret(r -> r.secretId("op/rotated").rotationLambdaARN(LAMBDA)
          .rotationRules(rules -> rules.automaticallyAfterDays(30L))).versionId();
      SecretRotations.Outcome outcome = awaitOutcome(shunt, sm.describeSecret(r -> r.secretId("op/rotated")).arn());
      assertThat(outcome.succeeded()).as(outcome.message()).isTrue();
      sm.createSecret(r -> r.name("op/rotation-set").secretString("s"));
      sm.rotateSecret(r -> r.secretId("op/rotation-set").rotationLambdaARN(LAMBDA).rotateImmediately(false)
          .rotationRules(rules -> rules.scheduleExpression("rate(10 days)").duration("3h")));
      sm.createSecret(r -> r.name("op/rotation-cancelled").secretString("c"));
      sm.rotateSecret(r -> r.secretId("op/rotation-cancelled").rotationLambdaARN(LAMBDA).rotateImmediately(false)
          .rotationRules(rules -> rules.automaticallyAfterDays(7L)));
      sm.cancelRotateSecret(r -> r.secretId("op/rotation-cancelled"));

      sm.createSecret(r -> r.name("op/replicated").secretString("everywhere")
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
      sm.putSecretValue(r -> r.secretId("op/replicated").secretString("everywhere, again").clientRequestToken(TOKEN));
      sm.createSecret(r -> r.name("op/replicated-later").secretString("l"));
      sm.replicateSecretToRegions(r -> r.secretId("op/replicated-later")
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").kmsKeyId("alias/aws/secretsmanager")
              .build()));
      sm.createSecret(r -> r.name("op/unreplicated").secretString("w")
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
      sm.removeRegionsFromReplication(r -> r.secretId("op/unreplicated").removeReplicaRegions("eu-west-1"));
      sm.createSecret(r -> r.name("op/promoted").secretString("w")
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
      try (SecretsManagerClient ireland = shunt.secrets("AKIDTEST", Region.EU_WEST_1)) {
        ireland.stopReplicationToReplica(r -> r.secretId("op/promoted"));
      }

      sm.createSecret(r -> r.name("op/read").secretString("read me"));
      sm.getSecretValue(r -> r.secretId("op/read"));
      sm.createSecret(r -> r.name("op/doomed").secretString("d"));
      sm.deleteSecret(r -> r.secretId("op/doomed").recoveryWindowInDays(7L));
      sm.createSecret(r -> r.name("op/restored").secretString("r"));
      sm.deleteSecret(r -> r.secretId("op/restored"));
      sm.restoreSecret(r -> r.secretId("op/restored"));
      sm.createSecret(r -> r.name("op/gone").secretString("g"));
      sm.deleteSecret(r -> r.secretId("op/gone").forceDeleteWithoutRecovery(true));

      try (SecretsManagerClient other = shunt.secrets("111122223333", Region.US_EAST_1)) {
        other.createSecret(r -> r.name("op/create").secretString("another account's"));
      }
      before = SecretsSnapshot.of(shunt, SCOPES, false);
      // The values as they were, through export (which reads without writing).
      exported = SecretsSeedIT.secretsOf(shunt.backend().export(null, null, true));
    }
    assertThat(before).hasSize(28);

    try (BackendFixture shunt = start()) {
      SecretsSnapshot.assertSame(SecretsSnapshot.of(shunt, SCOPES, false), before);
      assertThat(SecretsSeedIT.secretsOf(shunt.backend().export(null, null, true))).isEqualTo(exported);
      int values = 0;
      for (JsonNode scope : exported) {
        try (SecretsManagerClient sm = shunt.secrets(scope.get("account").asText().equals("000000000000") ? "AKIDTEST"
            : scope.get("account").asText(), Region.of(scope.get("region").asText()))) {
          for (JsonNode secret : scope.path("secretsmanager").path("secrets")) {
            if (secret.has("DeletedDate")) {
              continue;
            }
            for (JsonNode version : secret.get("Versions")) {
              String versionId = version.get("VersionId").asText();
              if (version.has("SecretString")) {
                assertThat(sm.getSecretValue(r -> r.secretId(secret.get("ARN").asText()).versionId(versionId))
                    .secretString()).isEqualTo(version.get("SecretString").asText());
                values++;
              } else if (version.has("SecretBinary")) {
                assertThat(sm.getSecretValue(r -> r.secretId(secret.get("ARN").asText()).versionId(versionId))
                    .secretBinary().asByteArray()).isEqualTo(Base64.getDecoder().decode(version.get("SecretBinary")
                    .asText()));
                values++;
              }
            }
          }
        }
      }
      assertThat(values).isGreaterThan(30);
      SecretsManagerClient sm = shunt.secrets();
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("op/gone")));
      assertThat(sm.describeSecret(r -> r.secretId("op/rotated")).versionIdsToStages().get(rotatedVersion))
          .containsExactly("AWSCURRENT");
      // A retry of a write made before the restart is still recognised (same value: the same version)...
      assertThat(sm.putSecretValue(r -> r.secretId("op/replicated").secretString("everywhere, again")
          .clientRequestToken(TOKEN)).versionId()).isEqualTo(TOKEN);
      expectError("ResourceExistsException", () -> sm.putSecretValue(r -> r.secretId("op/replicated")
          .secretString("not the same").clientRequestToken(TOKEN)));
      assertThat(sm.listSecretVersionIds(r -> r.secretId("op/replicated").includeDeprecated(true)).versions())
          .hasSize(2);
      // ...and the restored secrets work on: a new value reaches the replica.
      sm.putSecretValue(r -> r.secretId("op/replicated").secretString("after"));
      try (SecretsManagerClient ireland = shunt.secrets("AKIDTEST", Region.EU_WEST_1)) {
        assertThat(ireland.getSecretValue(r -> r.secretId("op/replicated")).secretString()).isEqualTo("after");
      }
      // The scheduled deletion still takes effect when its day comes.
      shunt.backend().clock().advance(Duration.ofDays(8));
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("op/doomed")));
    }
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      // Purged once its deletion took effect, and the purge itself was stored (the clock is back before its day).
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("op/doomed")));
      try (SecretsManagerClient ireland = shunt.secrets("AKIDTEST", Region.EU_WEST_1)) {
        assertThat(ireland.getSecretValue(r -> r.secretId("op/replicated")).secretString()).isEqualTo("after");
      }
    }
  }

  @Test
  void aRotationTheSchedulerStartsIsStored() {
    String arn;
    String current;
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      arn = sm.createSecret(r -> r.name("scheduled").secretString("{\"password\":\"start\"}")).arn();
      sm.rotateSecret(r -> r.secretId(arn).rotationLambdaARN(LAMBDA).rotateImmediately(false)
          .rotationRules(rules -> rules.automaticallyAfterDays(1L)));
      shunt.backend().clock().advance(Duration.ofDays(2));
      SecretRotations.Outcome outcome = awaitOutcome(shunt, arn);
      assertThat(outcome.succeeded()).as(outcome.message()).isTrue();
      current = outcome.versionId();
    }
    try (BackendFixture shunt = start()) {
      DescribeSecretResponse described = shunt.secrets().describeSecret(r -> r.secretId(arn));
      assertThat(described.versionIdsToStages().get(current)).containsExactly("AWSCURRENT");
      assertThat(described.lastRotatedDate()).isNotNull();
      assertThat(shunt.secrets().getSecretValue(r -> r.secretId(arn)).secretString()).contains("password")
          .isNotEqualTo("{\"password\":\"start\"}");
    }
  }

  /**
   * A scheduled rotation whose rotator fails before it writes anything (an HTTP callback nobody
   * answers) still leaves its AWSPENDING version, without a value; after the restart RotateSecret
   * reattempts that version, as AWS does with a rotation that did not finish.
   */
  @Test
  void aFailedRotationLeavesItsPendingVersionStored() {
    String arn;
    String pending;
    try (BackendFixture shunt = start()) {
      shunt.backend().rotations().registerCallback("unanswered", java.net.URI.create("http://127.0.0.1:9/"));
      SecretsManagerClient sm = shunt.secrets();
      arn = sm.createSecret(r -> r.name("failing").secretString("{\"password\":\"start\"}")).arn();
      sm.rotateSecret(r -> r.secretId(arn)
          .rotationLambdaARN("arn:aws:lambda:us-east-1:000000000000:function:unanswered")
          .rotateImmediately(false).rotationRules(rules -> rules.automaticallyAfterDays(1L)));
      shunt.backend().clock().advance(Duration.ofDays(2));
      SecretRotations.Outcome outcome = awaitOutcome(shunt, arn);
      assertThat(outcome.succeeded()).isFalse();
      assertThat(outcome.failedStep()).isEqualTo("createSecret");
      pending = outcome.versionId();
    }
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      assertThat(sm.listSecretVersionIds(r -> r.secretId(arn).includeDeprecated(true)).versions())
          .anySatisfy(version -> {
            assertThat(version.versionId()).isEqualTo(pending);
            assertThat(version.versionStages()).containsExactly("AWSPENDING");
          });
      expectError("ResourceNotFoundException", () -> sm.getSecretValue(r -> r.secretId(arn).versionId(pending)));
      assertThat(dev.shunt.backend.AwsErrors.message(expectError("InvalidRequestException",
          () -> sm.rotateSecret(r -> r.secretId(arn))))).contains("previous rotation isn't complete");
    }
  }

  @Test
  void theDataDirectoryHoldsNoSecretValue() throws Exception {
    String text = "at-rest-" + UUID.randomUUID();
    byte[] binary = ("binary-at-rest-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      sm.createSecret(r -> r.name("rest/text").secretString(text));
      sm.createSecret(r -> r.name("rest/binary").secretBinary(SdkBytes.fromByteArray(binary))
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
      sm.putSecretValue(r -> r.secretId("rest/text").secretString(text + "-2"));
      // The values are there to be found, in the export in the clear: the search below is not blind.
      String exported = new String(dev.shunt.backend.core.Json.write(shunt.backend().export(null, null, true)),
          StandardCharsets.UTF_8);
      assertThat(exported).contains(text, text + "-2");
      assertThat(StoreFiles.contain(dir, text.getBytes(StandardCharsets.UTF_8))).isFalse();
      assertThat(StoreFiles.contain(dir, binary)).isFalse();
    }
    assertThat(StoreFiles.contain(dir, text.getBytes(StandardCharsets.UTF_8))).isFalse();
    assertThat(StoreFiles.contain(dir, binary)).isFalse();
    // Nor do the rows once opened with the root key: the store keeps values as KMS sealed them.
    try (SqliteStore store = SqliteStore.open(dir, null, null, SqliteStore.Durability.FULL)) {
      List<StoredItem> secrets = store.load().stream()
          .filter(item -> item.key().kind().equals("secretsmanager.secrets")).toList();
      assertThat(secrets).extracting(item -> item.key().id()).containsOnly("rest/text", "rest/binary");
      assertThat(secrets).hasSize(3);
      for (StoredItem item : secrets) {
        assertThat(StoreFiles.indexOf(item.document(), text.getBytes(StandardCharsets.UTF_8))).isNegative();
        assertThat(StoreFiles.indexOf(item.document(), binary)).isNegative();
        assertThat(StoreFiles.indexOf(item.document(), Base64.getEncoder().encodeToString(binary)
            .getBytes(StandardCharsets.UTF_8))).isNegative();
        assertThat(new String(item.document(), StandardCharsets.UTF_8)).contains("\"SealedValue\"");
      }
    }
    try (BackendFixture shunt = start()) {
      assertThat(shunt.secrets().getSecretValue(r -> r.secretId("rest/text")).secretString()).isEqualTo(text + "-2");
    }
  }

  /** Waits (without timing anything) for the outcome of a rotation, which is recorded once it is stored. */
  static SecretRotations.Outcome awaitOutcome(BackendFixture shunt, String arn) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      SecretRotations.Outcome outcome = shunt.backend().rotations().outcomes().get(arn);
      if (outcome != null) {
        return outcome;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no rotation outcome for " + arn);
  }
}
