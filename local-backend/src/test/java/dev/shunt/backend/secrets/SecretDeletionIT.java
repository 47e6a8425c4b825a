package dev.shunt.backend.secrets;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.secretsmanager.model.DeleteSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.RestoreSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** DeleteSecret's recovery window, what a secret scheduled for deletion refuses, RestoreSecret, forced deletion. */
class SecretDeletionIT extends BackendTest {
  private static final String MARKED =
      "You can't perform this operation on the secret because it was marked for deletion.";

  private static List<String> listedNames(boolean includePlannedDeletion) {
    return sm.listSecretsPaginator(r -> r.includePlannedDeletion(includePlannedDeletion)).stream()
        .flatMap(p -> p.secretList().stream()).map(SecretListEntry::name).toList();
  }

  @Test
  void theDefaultRecoveryWindowIsThirtyDays() {
    String arn = sm.createSecret(r -> r.name("default-window").secretString("v")).arn();
    Instant before = shunt.backend().clock().now().minusMillis(1);
    DeleteSecretResponse deleted = sm.deleteSecret(r -> r.secretId("default-window"));
    Instant after = shunt.backend().clock().now().plusMillis(1);
    assertThat(deleted.arn()).isEqualTo(arn);
    assertThat(deleted.name()).isEqualTo("default-window");
    assertThat(deleted.deletionDate()).isBetween(before.plus(Duration.ofDays(30)), after.plus(Duration.ofDays(30)));
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId(arn));
    assertThat(described.deletedDate()).isBetween(before, after);
    assertThat(Duration.between(described.deletedDate(), deleted.deletionDate())).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void theRecoveryWindowIsSevenToThirtyDays() {
    for (long days : List.of(7L, 19L, 30L)) {
      String name = "window-" + days;
      sm.createSecret(r -> r.name(name).secretString("v"));
      DeleteSecretResponse deleted = sm.deleteSecret(r -> r.secretId(name).recoveryWindowInDays(days));
      Instant deletedAt = sm.describeSecret(r -> r.secretId(name)).deletedDate();
      assertThat(Duration.between(deletedAt, deleted.deletionDate())).isEqualTo(Duration.ofDays(days));
    }
    sm.createSecret(r -> r.name("kept").secretString("v"));
    for (long days : List.of(0L, 6L, 31L, 365L)) {
      var error = expectError("InvalidParameterException",
          () -> sm.deleteSecret(r -> r.secretId("kept").recoveryWindowInDays(days)));
      assertThat(message(error)).contains("RecoveryWindowInDays");
    }
    var both = expectError("InvalidParameterException",
        () -> sm.deleteSecret(r -> r.secretId("kept").recoveryWindowInDays(7L).forceDeleteWithoutRecovery(true)));
    assertThat(message(both)).contains("ForceDeleteWithoutRecovery").contains("RecoveryWindowInDays");
    assertThat(sm.describeSecret(r -> r.secretId("kept")).deletedDate()).isNull();
    assertThat(sm.getSecretValue(r -> r.secretId("kept")).secretString()).isEqualTo("v");
  }

  @Test
  void aSecretScheduledForDeletionRefusesUseButCanBeDescribed() {
    sm.createSecret(r -> r.name("doomed").secretString("v").description("d"));
    sm.createSecret(r -> r.name("alive").secretString("v"));
    sm.deleteSecret(r -> r.secretId("doomed").recoveryWindowInDays(7L));

    for (ThrowingCallable call : List.<ThrowingCallable>of(
        () -> sm.getSecretValue(r -> r.secretId("doomed")),
        () -> sm.putSecretValue(r -> r.secretId("doomed").secretString("v2")),
        () -> sm.updateSecret(r -> r.secretId("doomed").description("new")),
        () -> sm.updateSecret(r -> r.secretId("doomed").secretString("v3")),
        () -> sm.tagResource(r -> r.secretId("doomed").tags(Tag.builder().key("k").value("v").build())))) {
      assertThat(message(expectError("InvalidRequestException", call))).isEqualTo(MARKED);
    }
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("doomed"));
    assertThat(described.deletedDate()).isNotNull();
    assertThat(described.description()).isEqualTo("d");

    assertThat(listedNames(false)).containsExactly("alive");
    assertThat(listedNames(true)).containsExactlyInAnyOrder("alive", "doomed");
    assertThat(sm.listSecrets(r -> r.includePlannedDeletion(true)).secretList())
        .filteredOn(s -> s.name().equals("doomed")).singleElement()
        .satisfies(s -> assertThat(s.deletedDate()).isEqualTo(described.deletedDate()));

    var recreate = expectError("InvalidRequestException",
        () -> sm.createSecret(r -> r.name("doomed").secretString("x")));
    assertThat(message(recreate)).isEqualTo(
        "You can't create this secret because a secret with this name is already scheduled for deletion.");
  }

  @Test
  void restoreSecretBringsItBack() {
    String version = sm.createSecret(r -> r.name("undo").secretString("v")).versionId();
    sm.deleteSecret(r -> r.secretId("undo"));
    shunt.backend().clock().advance(Duration.ofDays(29));

    RestoreSecretResponse restored = sm.restoreSecret(r -> r.secretId("undo"));
    assertThat(restored.name()).isEqualTo("undo");
    assertThat(sm.describeSecret(r -> r.secretId("undo")).deletedDate()).isNull();
    assertThat(sm.getSecretValue(r -> r.secretId("undo")).versionId()).isEqualTo(version);
    sm.putSecretValue(r -> r.secretId("undo").secretString("v2"));
    assertThat(listedNames(false)).containsExactly("undo");

    // The old deletion date no longer applies.
    shunt.backend().clock().advance(Duration.ofDays(5));
    assertThat(sm.getSecretValue(r -> r.secretId("undo")).secretString()).isEqualTo("v2");
    expectError("ResourceNotFoundException", () -> sm.restoreSecret(r -> r.secretId("never-existed")));
  }

  @Test
  void pastTheWindowTheSecretIsGoneAndItsNameFree() {
    String oldArn = sm.createSecret(r -> r.name("expiring").secretString("old")).arn();
    sm.createSecret(r -> r.name("short").secretString("v"));
    sm.deleteSecret(r -> r.secretId("expiring"));
    sm.deleteSecret(r -> r.secretId("short").recoveryWindowInDays(7L));

    shunt.backend().clock().advance(Duration.ofDays(7).plusMinutes(1));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("short")));
    assertThat(listedNames(true)).containsExactly("expiring");

    shunt.backend().clock().advance(Duration.ofDays(23));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("expiring")));
    expectError("ResourceNotFoundException", () -> sm.restoreSecret(r -> r.secretId(oldArn)));
    assertThat(listedNames(true)).isEmpty();

    String newArn = sm.createSecret(r -> r.name("expiring").secretString("new")).arn();
    assertThat(newArn).isNotEqualTo(oldArn);
    assertThat(sm.getSecretValue(r -> r.secretId("expiring")).secretString()).isEqualTo("new");
    assertThat(sm.listSecretVersionIds(r -> r.secretId("expiring").includeDeprecated(true)).versions()).hasSize(1);
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId(oldArn)));
  }

  @Test
  void forcedDeletionRemovesAtOnce() {
    String arn = sm.createSecret(r -> r.name("now").secretString("v")).arn();
    Instant before = shunt.backend().clock().now().minusMillis(1);
    DeleteSecretResponse deleted = sm.deleteSecret(r -> r.secretId(arn).forceDeleteWithoutRecovery(true));
    assertThat(deleted.arn()).isEqualTo(arn);
    assertThat(deleted.name()).isEqualTo("now");
    assertThat(deleted.deletionDate()).isBetween(before, shunt.backend().clock().now().plusMillis(1));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("now")));
    assertThat(listedNames(true)).isEmpty();
    sm.createSecret(r -> r.name("now").secretString("again"));
    assertThat(sm.getSecretValue(r -> r.secretId("now")).secretString()).isEqualTo("again");

    // A secret already scheduled for deletion can be forced out too.
    sm.createSecret(r -> r.name("scheduled").secretString("v"));
    sm.deleteSecret(r -> r.secretId("scheduled"));
    sm.deleteSecret(r -> r.secretId("scheduled").forceDeleteWithoutRecovery(true));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("scheduled")));
  }

  @Test
  void forcingTheDeletionOfAMissingSecretIsNotAnError() {
    // DeleteSecret: "If you forcibly delete an already deleted or nonexistent secret, the operation
    // does not return ResourceNotFoundException."
    DeleteSecretResponse deleted = sm.deleteSecret(r -> r.secretId("ghost").forceDeleteWithoutRecovery(true));
    assertThat(deleted.name()).isEqualTo("ghost");
    assertThat(deleted.arn()).startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:ghost-");
    assertThat(deleted.deletionDate()).isNotNull();
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("ghost")));
    expectError("ResourceNotFoundException", () -> sm.deleteSecret(r -> r.secretId("ghost")));
  }
}
