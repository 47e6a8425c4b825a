package dev.shunt.backend.ssm;

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
import dev.shunt.backend.secrets.SecretReferences;
import dev.shunt.backend.secrets.SecretRotations;
import dev.shunt.backend.secrets.SecretsBackend;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.SeedFiles;
import dev.shunt.backend.store.StoreFeed;
import dev.shunt.backend.store.StoreKey;
import dev.shunt.backend.store.StoredItem;
import dev.shunt.backend.time.ShuntClock;
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
 * Parameter Store state another node changed (issue 19): node A works through SsmBackend and
 * writes through a real store; node B takes the stored rows (its KMS keys too, for SecureStrings)
 * with {@code replace} and {@code remove}, writes nothing back, and then answers GetParameter,
 * GetParameterHistory, GetParametersByPath, DescribeParameters, tags, resource policies and
 * service settings as A does.
 */
class SsmStateReplaceTest {
  private static final String ACCOUNT = "555555555555";
  private static final String CONSUMER = "444455556666";
  private static final String REGION = "us-east-1";

  private final SecretRotations rotations = new SecretRotations(new ShuntClock(), OutboundHosts.loopbackOnly());
  private final KmsBackend kmsA = new KmsBackend();
  private final KmsBackend kmsB = new KmsBackend();
  private final SsmBackend a = new SsmBackend(kmsA, references(kmsA));
  private final SsmBackend b = new SsmBackend(kmsB, references(kmsB));
  private final Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final RequestContext ctx = context(ACCOUNT);
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
    rotations.close();
  }

  @Test
  void aParameterWithANewVersionAndAMovedLabelReadsTheSameHere() {
    onA(() -> {
      put("/app/url", "https://one", "String", false, null, Map.of("team", "core"));
      put("/app/url", "https://two", null, true, null, Map.of());
      a.label(ctx, "/app/url", 1L, List.of("prod"));
      put("/app/db/password", "hunter2", "SecureString", false, null, Map.of());
    });
    feed.deliver();
    assertSame("/app/url");
    assertSame("/app/db/password");
    assertThat(value(b, "/app/url")).isEqualTo("https://two");
    assertThat(value(b, "/app/url:prod")).isEqualTo("https://one");
    assertThat(value(b, "/app/db/password")).isEqualTo("hunter2");
    Parameter held = b.lookup(ctx, "/app/url");

    // A new version, and the label moved to it.
    onA(() -> {
      put("/app/url", "https://three", null, true, null, Map.of());
      a.label(ctx, "/app/url", 3L, List.of("prod"));
      a.addTags(ctx, "Parameter", "/app/url", Map.of("tier", "gold"));
      a.removeTags(ctx, "Parameter", "/app/url", List.of("team"));
    });
    assertThat(feed.deliver()).isEqualTo(1);
    assertSame("/app/url");
    assertThat(value(b, "/app/url:prod")).isEqualTo("https://three");
    assertThat(value(b, "/app/url:1")).isEqualTo("https://one");
    assertThat(history(b, "/app/url").get(0)).doesNotContain("prod");
    assertThat(b.listTags(ctx, "Parameter", "/app/url")).isEqualTo(Map.of("tier", "gold"));
    assertThat(b.lookup(ctx, "/app/url")).as("taken in place").isSameAs(held);
    assertThat(byPath(b, "/app")).isEqualTo(byPath(a, "/app")).hasSize(2);
    assertThat(described(b)).isEqualTo(described(a));

    // A write here after the change builds on it, as on A.
    assertThat(b.putParameter(ctx, "/app/url", null, "https://four", null, null, true, null, Map.of(), null, null,
        null).version()).isEqualTo(4);
    assertThat(value(b, "/app/url:prod")).isEqualTo("https://three");
  }

  @Test
  void aParameterRemovedElsewhereIsGoneAndTiersAreCountedRight() {
    onA(() -> {
      put("/a/x", "x", "String", false, null, Map.of());
      put("/a/y", "y", "String", false, "Advanced", Map.of());
    });
    feed.deliver();
    SsmRegion region = b.peekRegion(ACCOUNT, REGION);
    assertThat(region.standardCount).hasValue(1);
    assertThat(region.advancedCount).hasValue(1);

    onA(() -> a.deleteParameter(ctx, "/a/y"));
    assertThat(feed.deliver()).isEqualTo(1);
    assertThat(catchThrowableOfType(AwsException.class, () -> value(b, "/a/y")).code()).isEqualTo("ParameterNotFound");
    assertThat(byPath(b, "/a")).isEqualTo(byPath(a, "/a")).hasSize(1);
    assertThat(described(b)).isEqualTo(described(a));
    assertThat(region.advancedCount).hasValue(0);

    // An overwrite moving the parameter to the advanced tier moves its count here too.
    onA(() -> put("/a/x", "x2", null, true, "Advanced", Map.of()));
    feed.deliver();
    assertSame("/a/x");
    assertThat(region.standardCount).hasValue(0);
    assertThat(region.advancedCount).hasValue(1);

    // Removing what is not here changes nothing.
    new SeedFiles(List.of(b.stateSection())).remove(new StoreKey(Parameter.KIND, ACCOUNT, REGION, "/a/y"));
    assertThat(region.advancedCount).hasValue(1);
  }

  @Test
  void aParameterMadeAgainElsewhereUnderAnotherSpellingTakesTheOldOnesPlace() {
    onA(() -> put("plain", "old", "String", false, null, Map.of()));
    feed.deliver();
    Parameter before = b.lookup(ctx, "plain");
    onA(() -> {
      a.deleteParameter(ctx, "plain");
      put("/plain", "new", "String", false, null, Map.of());
    });
    feed.deliver();
    assertSame("/plain");
    assertThat(described(b)).isEqualTo(described(a)).containsExactly("/plain 1 Standard");
    assertThat(before.deleted).as("a writer holding the old one starts again").isTrue();
    assertThat(b.peekRegion(ACCOUNT, REGION).standardCount).hasValue(1);
  }

  @Test
  void sharingAParameterElsewhereSharesItHere() {
    String arn = ParameterNames.arn(REGION, ACCOUNT, "/shared/url");
    String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Share\",\"Effect\":\"Allow\",\"Principal\":"
        + "{\"AWS\":\"" + CONSUMER + "\"},\"Action\":[\"ssm:GetParameter\",\"ssm:DescribeParameters\"],"
        + "\"Resource\":\"*\"}]}";
    onA(() -> {
      put("/shared/url", "https://shared", "String", false, "Advanced", Map.of());
      a.sharing().putResourcePolicy(ctx, arn, policy, null, null);
    });
    feed.deliver();
    RequestContext consumer = context(CONSUMER);
    assertThat(policies(b, arn)).isEqualTo(policies(a, arn)).hasSize(1);
    assertThat(shared(b, consumer)).isEqualTo(shared(a, consumer)).containsExactly(arn);
    assertThat(value(b, consumer, arn)).isEqualTo("https://shared");

    ParameterResourcePolicies.Entry entry = a.sharing().getResourcePolicies(ctx, arn, 10, null).items().get(0);
    onA(() -> a.sharing().deleteResourcePolicy(ctx, arn, entry.id(), entry.hash()));
    feed.deliver();
    assertThat(policies(b, arn)).isEmpty();
    assertThat(shared(b, consumer)).isEmpty();
    assertThat(b.peekRegion(ACCOUNT, REGION).shared).isEmpty();
  }

  @Test
  void serviceSettingsFollowTheirChangesElsewhere() {
    onA(() -> a.updateSetting(ctx, ServiceSettings.HIGH_THROUGHPUT, "true"));
    feed.deliver();
    assertThat(b.highThroughput(ACCOUNT, REGION)).isTrue();
    assertThat(b.getSetting(ctx, ServiceSettings.HIGH_THROUGHPUT))
        .isEqualTo(a.getSetting(ctx, ServiceSettings.HIGH_THROUGHPUT));

    onA(() -> a.resetSetting(ctx, ServiceSettings.HIGH_THROUGHPUT));
    assertThat(feed.deliver()).isEqualTo(1);
    assertThat(b.highThroughput(ACCOUNT, REGION)).isFalse();
    assertThat(b.getSetting(ctx, ServiceSettings.HIGH_THROUGHPUT).setting().customized()).isFalse();
  }

  @Test
  void aMalformedParameterIsRefused() {
    SeedFiles seeds = new SeedFiles(List.of(b.stateSection()));
    StoreKey where = new StoreKey(Parameter.KIND, ACCOUNT, REGION, "/bad");
    assertThatThrownBy(() -> seeds.replace(new StoredItem(where, 1, Json.write(Json.object().put("Name", "/bad")
        .put("Value", "v").put("Version", "two"))), SecretFields.plain(null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Version");
    assertThat(b.peekRegion(ACCOUNT, REGION) == null || b.peekRegion(ACCOUNT, REGION).parameters.isEmpty()).isTrue();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private SecretReferences references(KmsBackend kms) {
    return new SecretReferences(new SecretsBackend(kms, rotations, AwsRegions.published()));
  }

  private void onA(Runnable change) {
    feed.onA(change);
  }

  private void put(String name, String value, String type, boolean overwrite, String tier, Map<String, String> tags) {
    a.putParameter(ctx, name, null, value, type, null, overwrite, null, tags, tier, null, null);
  }

  private RequestContext context(String account) {
    return new RequestContext("test", new Identity(account, "AKIDTEST", "arn:aws:iam::" + account + ":root", REGION),
        now, "127.0.0.1", "test");
  }

  private String value(SsmBackend ssm, String name) {
    return value(ssm, ctx, name);
  }

  private static String value(SsmBackend ssm, RequestContext ctx, String name) {
    return ssm.getParameter(ctx, name, true).value();
  }

  /** GetParameterHistory (decrypted), each version as one line. */
  private List<String> history(SsmBackend ssm, String name) {
    return ssm.history(ctx, name, true, 100, null).items().stream().map(h -> h.version().version + " "
        + h.version().type + " " + h.value() + " " + h.version().keyId + " " + h.version().description + " "
        + h.version().allowedPattern + " " + h.version().tier + " " + h.version().policies + " "
        + h.version().dataType + " " + h.version().lastModifiedDate + " " + h.version().lastModifiedUser + " "
        + h.labels()).toList();
  }

  /** GetParameter, GetParameterHistory and ListTagsForResource answer the same on both nodes. */
  private void assertSame(String name) {
    assertThat(history(b, name)).isEqualTo(history(a, name));
    assertThat(value(b, name)).isEqualTo(value(a, name));
    assertThat(b.listTags(ctx, "Parameter", name)).isEqualTo(a.listTags(ctx, "Parameter", name));
  }

  private List<String> byPath(SsmBackend ssm, String path) {
    return ssm.getParametersByPath(ctx, path, true, List.of(), true, 10, null).items().stream()
        .map(view -> view.name() + "=" + view.value() + "@" + view.version().version).toList();
  }

  /** DescribeParameters: each parameter's name, latest version and tier. */
  private List<String> described(SsmBackend ssm) {
    return ssm.describeParameters(ctx, List.of(), List.of(), 50, null).items().stream()
        .map(m -> m.name() + " " + m.latest().version + " " + m.latest().tier).toList();
  }

  /** GetResourcePolicies: PolicyId, PolicyHash and Policy of each. */
  private List<String> policies(SsmBackend ssm, String arn) {
    return ssm.sharing().getResourcePolicies(ctx, arn, 10, null).items().stream()
        .map(entry -> entry.id() + " " + entry.hash() + " " + entry.text()).toList();
  }

  private static List<String> shared(SsmBackend ssm, RequestContext consumer) {
    return ssm.describeShared(consumer, List.of(), List.of(), 50, null).items().stream().map(SsmBackend.Metadata::arn)
        .toList();
  }
}
