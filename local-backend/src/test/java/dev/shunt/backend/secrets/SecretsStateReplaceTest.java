package dev.shunt.backend.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.SeedFiles;
import dev.shunt.backend.store.StoreFeed;
import dev.shunt.backend.store.StoreKey;
import dev.shunt.backend.store.StoredItem;
import dev.shunt.backend.time.ShuntClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets another node changed (issue 19): node A works through SecretsBackend and writes through
 * a real store; node B takes the stored rows (its KMS keys too, which the sealed values need)
 * with {@code replace} and {@code remove}, writes nothing back, and then answers GetSecretValue,
 * DescribeSecret, ListSecrets and ListSecretVersionIds as A does.
 */
class SecretsStateReplaceTest {
  private static final String ACCOUNT = "555555555555";
  private static final String REGION = "us-east-1";
  private static final String EUROPE = "eu-west-1";

  private final KmsBackend kmsA = new KmsBackend();
  private final KmsBackend kmsB = new KmsBackend();
  private final SecretRotations rotationsA = new SecretRotations(new ShuntClock(), OutboundHosts.loopbackOnly());
  private final SecretRotations rotationsB = new SecretRotations(new ShuntClock(), OutboundHosts.loopbackOnly());
  private final SecretsBackend a = new SecretsBackend(kmsA, rotationsA, AwsRegions.published());
  private final SecretsBackend b = new SecretsBackend(kmsB, rotationsB, AwsRegions.published());
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final RequestContext ctx = context(REGION);
  private StoreFeed feed;

  @TempDir
  Path dirA;
  @TempDir
  Path dirB;

  @BeforeEach
  void nodes() {
    feed = new StoreFeed(dirA, dirB, new SeedFiles(List.of(kmsB.stateSection(), b.stateSection())));
  }

  @AfterEach
  void close() {
    feed.close();
    rotationsA.close();
    rotationsB.close();
  }

  @Test
  void aSecretWhoseCurrentVersionMovedElsewhereAnswersTheNewOne() {
    String arn = onA(() -> a.createSecret(ctx, "app/db", null, "the database", null, text("v1"),
        Map.of("team", "core"), null, List.of(), false).secret().arn);
    feed.deliver();
    // Compared before B reads: a read here sets LastAccessedDate here (until A's next change arrives).
    assertThat(b.describeSecret(ctx, arn)).isEqualTo(a.describeSecret(ctx, arn));
    assertThat(value(b, "app/db", null)).isEqualTo("v1");
    Secret held = b.locate(ctx, "app/db");

    String second = onA(() -> a.putSecretValue(ctx, "app/db", null, text("v2"), List.of()).version().versionId);
    assertThat(feed.deliver()).isEqualTo(1);
    assertSame("app/db");
    assertThat(value(b, "app/db", null)).isEqualTo("v2");
    assertThat(value(b, "app/db", "AWSPREVIOUS")).isEqualTo("v1");

    // AWSCURRENT moves back to the first version on A.
    String first = a.describeSecret(ctx, "app/db").versionIdsToStages().entrySet().stream()
        .filter(e -> e.getValue().contains("AWSPREVIOUS")).findFirst().orElseThrow().getKey();
    onA(() -> a.updateSecretVersionStage(ctx, "app/db", "AWSCURRENT", second, first));
    feed.deliver();
    assertSame("app/db");
    assertThat(value(b, "app/db", null)).isEqualTo("v1");
    assertThat(b.getSecretValue(ctx, "app/db", null, null).version().versionId).isEqualTo(first);
    assertThat(b.locate(ctx, "app/db")).as("taken in place").isSameAs(held);

    // A retry of A's PutSecretValue on B is recognised as the same version.
    assertThat(b.putSecretValue(ctx, "app/db", second, text("v2"), List.of()).version().versionId).isEqualTo(second);

    onA(() -> {
      a.tagResource(ctx, "app/db", Map.of("tier", "gold"));
      a.untagResource(ctx, "app/db", List.of("team"));
      a.putResourcePolicy(ctx, "app/db", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
          + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"secretsmanager:*\","
          + "\"Resource\":\"*\"}]}", true);
      a.updateSecret(ctx, "app/db", null, "the main database", null, null, null);
    });
    feed.deliver();
    assertSame("app/db");
    assertThat(b.getResourcePolicy(ctx, "app/db").resourcePolicy.text())
        .isEqualTo(a.getResourcePolicy(ctx, "app/db").resourcePolicy.text());
    assertThat(b.listSecrets(ctx, false, List.of(SecretFilter.of("tag-key", List.of("tier"))), null, false, 10, null)
        .items()).extracting(SecretView::name).containsExactly("app/db");
    assertThat(b.listSecrets(ctx, false, List.of(SecretFilter.of("tag-key", List.of("team"))), null, false, 10, null)
        .items()).isEmpty();
  }

  @Test
  void aSecretDeletedElsewhereIsGoneAndOneScheduledForDeletionIsMarked() {
    onA(() -> {
      a.createSecret(ctx, "keep", null, null, null, text("kept"), Map.of(), null, List.of(), false);
      a.createSecret(ctx, "gone", null, null, null, text("going"), Map.of(), null, List.of(), false);
      a.createSecret(ctx, "later", null, null, null, text("later"), Map.of(), null, List.of(), false);
    });
    feed.deliver();
    String goneArn = b.describeSecret(ctx, "gone").arn();

    onA(() -> {
      a.deleteSecret(ctx, "gone", null, true);
      a.deleteSecret(ctx, "later", 7L, false);
    });
    assertThat(feed.deliver()).isEqualTo(2);
    for (String id : List.of("gone", goneArn)) {
      assertThat(catchThrowableOfType(AwsException.class, () -> b.describeSecret(ctx, id)).code())
          .isEqualTo("ResourceNotFoundException");
    }
    assertThat(names(b, true)).containsExactlyInAnyOrder("keep", "later");
    assertThat(names(b, false)).containsExactly("keep");
    assertThat(b.describeSecret(ctx, "later")).isEqualTo(a.describeSecret(ctx, "later"));
    assertThat(catchThrowableOfType(AwsException.class, () -> b.getSecretValue(ctx, "later", null, null)).code())
        .isEqualTo("InvalidRequestException");
    SecretsRegion region = b.peekRegion(ACCOUNT, REGION);
    assertThat(region.byArn).doesNotContainKey(goneArn);
    assertThat(region.byCreation.values()).extracting(s -> s.name).containsExactlyInAnyOrder("keep", "later");

    onA(() -> a.restoreSecret(ctx, "later"));
    feed.deliver();
    assertThat(value(b, "later", null)).isEqualTo("later");

    // Removing what is not there changes nothing.
    new SeedFiles(List.of(b.stateSection())).remove(new StoreKey("secretsmanager.secrets", ACCOUNT, REGION, "gone"));
    assertThat(names(b, true)).containsExactlyInAnyOrder("keep", "later");
  }

  @Test
  void aSecretMadeAgainElsewhereUnderItsNameTakesTheOldOnesPlace() {
    String old = onA(() -> a.createSecret(ctx, "again", null, null, null, text("old"), Map.of(), null, List.of(),
        false).secret().arn);
    feed.deliver();
    Secret before = b.locate(ctx, "again");
    onA(() -> a.deleteSecret(ctx, "again", null, true));
    String fresh = onA(() -> a.createSecret(ctx, "again", null, null, null, text("new"), Map.of(), null, List.of(),
        false).secret().arn);
    assertThat(fresh).isNotEqualTo(old);
    feed.deliver();

    assertThat(b.describeSecret(ctx, "again").arn()).isEqualTo(fresh);
    assertThat(value(b, fresh, null)).isEqualTo("new");
    assertThat(catchThrowableOfType(AwsException.class, () -> b.describeSecret(ctx, old)).code())
        .isEqualTo("ResourceNotFoundException");
    assertThat(names(b, true)).containsExactly("again");
    // The old object left its Region: a late change to it is never written.
    assertThat(before.document()).isNull();
  }

  @Test
  void replicasFollowTheirPrimaryElsewhere() {
    onA(() -> a.createSecret(ctx, "shared", null, null, null, text("everywhere"), Map.of(), null,
        List.of(new SecretsBackend.ReplicaRequest(EUROPE, null)), false));
    feed.deliver();
    RequestContext europe = context(EUROPE);
    assertThat(b.describeSecret(europe, "shared")).isEqualTo(a.describeSecret(europe, "shared"));
    assertThat(b.describeSecret(europe, "shared").primaryRegion()).isEqualTo(REGION);
    assertThat(value(b, "shared", null)).isEqualTo("everywhere");
    assertThat(b.getSecretValue(europe, "shared", null, null).plaintext())
        .isEqualTo("everywhere".getBytes(StandardCharsets.UTF_8));
    assertThat(b.describeSecret(ctx, "shared").replicas()).extracting(SecretView.ReplicaView::region)
        .containsExactly(EUROPE);

    onA(() -> a.putSecretValue(ctx, "shared", null, text("everywhere, v2"), List.of()));
    feed.deliver();
    assertThat(b.getSecretValue(europe, "shared", null, null).plaintext())
        .isEqualTo("everywhere, v2".getBytes(StandardCharsets.UTF_8));

    onA(() -> a.replication.removeRegionsFromReplication(ctx, "shared", List.of(EUROPE)));
    feed.deliver();
    assertThat(b.describeSecret(ctx, "shared")).isEqualTo(a.describeSecret(ctx, "shared"));
    assertThat(b.describeSecret(ctx, "shared").replicas()).isEmpty();
    assertThat(catchThrowableOfType(AwsException.class, () -> b.describeSecret(europe, "shared")).code())
        .isEqualTo("ResourceNotFoundException");
  }

  @Test
  void rotationScheduledOrCancelledElsewhereIsScheduledOrNotHere() {
    onA(() -> a.createSecret(ctx, "rotated", null, null, null, text("v1"), Map.of(), null, List.of(), false));
    feed.deliver();
    assertThat(rotationsB.tracking(b.locate(ctx, "rotated"))).isFalse();

    onA(() -> a.rotateSecret(ctx, "rotated", null, "arn:aws:lambda:us-east-1:" + ACCOUNT + ":function:rotator",
        new Secret.RotationRules(30L, null, null), false));
    feed.deliver();
    assertSame("rotated");
    assertThat(b.describeSecret(ctx, "rotated").nextRotationDate()).isNotNull();
    assertThat(rotationsB.tracking(b.locate(ctx, "rotated"))).isTrue();

    onA(() -> a.cancelRotateSecret(ctx, "rotated"));
    feed.deliver();
    assertSame("rotated");
    assertThat(rotationsB.tracking(b.locate(ctx, "rotated"))).isFalse();

    onA(() -> a.rotateSecret(ctx, "rotated", null, null, null, false));
    feed.deliver();
    assertThat(rotationsB.tracking(b.locate(ctx, "rotated"))).isTrue();
    Secret tracked = b.locate(ctx, "rotated");
    onA(() -> a.deleteSecret(ctx, "rotated", null, true));
    feed.deliver();
    assertThat(rotationsB.tracking(tracked)).isFalse();
  }

  @Test
  void aMalformedSecretIsRefused() {
    SeedFiles seeds = new SeedFiles(List.of(b.stateSection()));
    StoreKey where = new StoreKey("secretsmanager.secrets", ACCOUNT, REGION, "bad");
    assertThatThrownBy(() -> seeds.replace(new StoredItem(where, 1, Json.write(Json.object().put("Name", "bad")
        .put("Colour", "red"))), SecretFields.plain(null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Colour");
    assertThat(names(b, true)).isEmpty();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private <T> T onA(java.util.function.Supplier<T> change) {
    Object[] result = new Object[1];
    feed.onA(() -> result[0] = change.get());
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }

  private void onA(Runnable change) {
    feed.onA(change);
  }

  private RequestContext context(String region) {
    return new RequestContext("test", new Identity(ACCOUNT, "AKIDTEST", "arn:aws:iam::" + ACCOUNT + ":root", region),
        now, "127.0.0.1", "test");
  }

  private static SecretValue text(String value) {
    return new SecretValue(value.getBytes(StandardCharsets.UTF_8), false);
  }

  private String value(SecretsBackend secrets, String id, String stage) {
    return new String(secrets.getSecretValue(ctx, id, null, stage).plaintext(), StandardCharsets.UTF_8);
  }

  /** DescribeSecret and ListSecretVersionIds (deprecated versions too) answer the same on both nodes. */
  private void assertSame(String id) {
    assertThat(b.describeSecret(ctx, id)).isEqualTo(a.describeSecret(ctx, id));
    assertThat(b.listVersions(ctx, id, 100, null, true).page().items())
        .isEqualTo(a.listVersions(ctx, id, 100, null, true).page().items());
  }

  private List<String> names(SecretsBackend secrets, boolean planned) {
    return secrets.listSecrets(ctx, planned, List.of(), "name", false, 100, null).items().stream()
        .map(SecretView::name).toList();
  }
}
