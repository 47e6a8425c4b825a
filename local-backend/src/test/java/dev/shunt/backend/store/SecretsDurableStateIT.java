package dev.shunt.backend.store;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.secrets.SecretRotations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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

  @Test
  void everySecretIsAsItWasAfterARestart() {
    Map<String, List<Object>> before;
    String rotatedVersion;
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      KmsClient kms = shunt.kms();
      String key = kms.createKey(r -> r.description("for secrets")).keyMetadata().keyId();

      String v1 = sm.createSecret(r -> r.name("app/db").secretString("{\"password\":\"one\"}").description("the db")
          .tags(Tag.builder().key("team").value("core").build(), Tag.builder().key("tier").value("1").build()))
          .versionId();
      String v2 = sm.putSecretValue(r -> r.secretId("app/db").secretString("{\"password\":\"two\"}")).versionId();
      String v3 = sm.putSecretValue(r -> r.secretId("app/db").secretString("three").versionStages("STAGING"))
          .versionId();
      sm.updateSecretVersionStage(r -> r.secretId("app/db").versionStage("blue").moveToVersionId(v1));
      sm.updateSecretVersionStage(r -> r.secretId("app/db").versionStage("STAGING").removeFromVersionId(v3));
      sm.tagResource(r -> r.secretId("app/db").tags(Tag.builder().key("owner").value("me").build()));
      sm.untagResource(r -> r.secretId("app/db").tagKeys("tier"));
      sm.putResourcePolicy(r -> r.secretId("app/db").resourcePolicy("{\"Version\":\"2012-10-17\",\"Statement\":"
          + "[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},"
          + "\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"*\"}]}"));
      assertThat(List.of(v1, v2, v3)).doesNotHaveDuplicates();

      sm.createSecret(r -> r.name("app/binary").kmsKeyId(key).secretBinary(SdkBytes.fromByteArray(new byte[] {0, 1,
          (byte) 0xff, 42})));
      sm.updateSecret(r -> r.secretId("app/binary").description("re-described").secretBinary(SdkBytes.fromByteArray(
          new byte[] {9, 8, 7})));

      sm.createSecret(r -> r.name("app/rotated").secretString("{\"password\":\"start\"}"));
      rotatedVersion = sm.rotateSecret(r -> r.secretId("app/rotated").rotationLambdaARN(LAMBDA)
          .rotationRules(rules -> rules.automaticallyAfterDays(30L))).versionId();
      SecretRotations.Outcome outcome = awaitOutcome(shunt, sm.describeSecret(r -> r.secretId("app/rotated")).arn());
      assertThat(outcome.succeeded()).as(outcome.message()).isTrue();

      sm.createSecret(r -> r.name("app/scheduled").secretString("s"));
      sm.rotateSecret(r -> r.secretId("app/scheduled").rotationLambdaARN(LAMBDA).rotateImmediately(false)
          .rotationRules(rules -> rules.scheduleExpression("rate(10 days)").duration("3h")));
      sm.createSecret(r -> r.name("app/cancelled").secretString("c"));
      sm.rotateSecret(r -> r.secretId("app/cancelled").rotationLambdaARN(LAMBDA).rotateImmediately(false)
          .rotationRules(rules -> rules.automaticallyAfterDays(7L)));
      sm.cancelRotateSecret(r -> r.secretId("app/cancelled"));

      sm.createSecret(r -> r.name("app/global").secretString("everywhere")
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
      sm.putSecretValue(r -> r.secretId("app/global").secretString("everywhere, again").clientRequestToken(TOKEN));
      sm.createSecret(r -> r.name("app/was-replicated").secretString("w")
          .addReplicaRegions(ReplicaRegionType.builder().region("eu-west-1").build()));
      sm.removeRegionsFromReplication(r -> r.secretId("app/was-replicated").removeReplicaRegions("eu-west-1"));

      sm.createSecret(r -> r.name("app/doomed").secretString("d"));
      sm.deleteSecret(r -> r.secretId("app/doomed").recoveryWindowInDays(7L));
      sm.createSecret(r -> r.name("app/restored").secretString("r"));
      sm.deleteSecret(r -> r.secretId("app/restored"));
      sm.restoreSecret(r -> r.secretId("app/restored"));
      sm.createSecret(r -> r.name("app/gone").secretString("g"));
      sm.deleteSecret(r -> r.secretId("app/gone").forceDeleteWithoutRecovery(true));
      sm.createSecret(r -> r.name("app/empty").description("no value yet"));

      try (SecretsManagerClient other = shunt.secrets("111122223333", Region.US_EAST_1)) {
        other.createSecret(r -> r.name("app/db").secretString("another account's"));
      }
      SecretsSnapshot.readAll(shunt, SCOPES);
      before = SecretsSnapshot.of(shunt, SCOPES);
    }
    assertThat(before).hasSize(12);

    try (BackendFixture shunt = start()) {
      SecretsSnapshot.assertSame(SecretsSnapshot.of(shunt, SCOPES), before);
      SecretsManagerClient sm = shunt.secrets();
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("app/gone")));
      assertThat(sm.describeSecret(r -> r.secretId("app/rotated")).versionIdsToStages().get(rotatedVersion))
          .containsExactly("AWSCURRENT");
      // A retry of a write made before the restart is still recognised (same value: the same version)...
      assertThat(sm.putSecretValue(r -> r.secretId("app/global").secretString("everywhere, again")
          .clientRequestToken(TOKEN)).versionId()).isEqualTo(TOKEN);
      expectError("ResourceExistsException", () -> sm.putSecretValue(r -> r.secretId("app/global")
          .secretString("not the same").clientRequestToken(TOKEN)));
      assertThat(sm.listSecretVersionIds(r -> r.secretId("app/global").includeDeprecated(true)).versions())
          .hasSize(2);
      // ...and the restored secrets work on: a new value reaches the replica.
      sm.putSecretValue(r -> r.secretId("app/global").secretString("after"));
      try (SecretsManagerClient ireland = shunt.secrets("AKIDTEST", Region.EU_WEST_1)) {
        assertThat(ireland.getSecretValue(r -> r.secretId("app/global")).secretString()).isEqualTo("after");
      }
      // The scheduled deletion still takes effect when its day comes.
      shunt.backend().clock().advance(Duration.ofDays(8));
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("app/doomed")));
    }
    try (BackendFixture shunt = start()) {
      SecretsManagerClient sm = shunt.secrets();
      // Purged once its deletion took effect, and the purge itself was stored (the clock is back before its day).
      expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("app/doomed")));
      try (SecretsManagerClient ireland = shunt.secrets("AKIDTEST", Region.EU_WEST_1)) {
        assertThat(ireland.getSecretValue(r -> r.secretId("app/global")).secretString()).isEqualTo("after");
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
