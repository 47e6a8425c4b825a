package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.SeedFiles;
import dev.shunt.backend.store.StoreFeed;
import dev.shunt.backend.store.StoreKey;
import dev.shunt.backend.store.StoredItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KMS state another node changed (issue 19): node A works through the domain and writes through a
 * real store; node B takes A's stored rows with {@code replace} and {@code remove}, writes nothing
 * back, and then answers DescribeKey, ListAliases, ListGrants, Decrypt... as A does.
 */
class KmsStateReplaceTest {
  private static final String ACCOUNT = "555555555555";
  private static final String REGION = "us-east-1";
  private static final String GRANTEE = "arn:aws:iam::" + ACCOUNT + ":role/app";
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final byte[] PLAINTEXT = "attack at dawn".getBytes(StandardCharsets.UTF_8);

  private final KmsBackend a = new KmsBackend();
  private final KmsBackend b = new KmsBackend();
  private final RequestContext ctx = context(REGION, NOW);
  private StoreFeed feed;

  @TempDir
  Path dirA;
  @TempDir
  Path dirB;

  @BeforeEach
  void nodes() {
    feed = new StoreFeed(dirA, dirB, new SeedFiles(List.of(b.stateSection())));
  }

  @AfterEach
  void close() {
    feed.close();
  }

  @Test
  void aKeyRotatedElsewhereDecryptsWhatItsOldAndNewMaterialMade() {
    KmsKey key = onA(() -> a.createKey(ctx, "orders", null, Map.of("team", "core")));
    byte[] before = a.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    feed.deliver();
    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
    assertThat(b.decrypt(ctx, before, null, Map.of(), null, null).plaintext()).isEqualTo(PLAINTEXT);

    // B uses the key (its last use, a hot-path field, is not part of the document), then A rotates it.
    byte[] madeOnB = b.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    KmsKey onB = b.describeKey(ctx, key.keyId);
    onA(() -> {
      a.rotateKeyOnDemand(ctx, key.keyId);
      a.updateKeyDescription(ctx, key.keyId, "orders, rotated");
      a.tagResource(ctx, key.keyId, Map.of("rotated", "yes"));
      a.enableKeyRotation(ctx, key.keyId, 90);
    });
    byte[] after = a.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    assertThat(feed.deliver()).isEqualTo(1);

    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
    assertThat(b.describeKey(ctx, key.keyId)).as("taken in place").isSameAs(onB);
    assertThat(b.listKeyRotations(ctx, key.keyId, true, 10, null).page().items()).hasSize(2);
    for (byte[] ciphertext : List.of(before, madeOnB, after)) {
      assertThat(b.decrypt(ctx, ciphertext, null, Map.of(), null, null).plaintext()).isEqualTo(PLAINTEXT);
    }
    // B encrypts under the new current material, which A opens.
    KmsBackend.Encrypted current = b.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null);
    KmsBackend.Decrypted opened = a.decrypt(ctx, current.ciphertext(), null, Map.of(), null, null);
    assertThat(opened.plaintext()).isEqualTo(PLAINTEXT);
    assertThat(opened.materialId()).isEqualTo(a.listKeyRotations(ctx, key.keyId, true, 10, null).page().items()
        .get(1).idHex());

    onA(() -> a.disableKey(ctx, key.keyId));
    feed.deliver();
    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
    assertThat(catchThrowableOfType(AwsException.class, () -> b.decrypt(ctx, before, null, Map.of(), null, null))
        .code()).isEqualTo("DisabledException");

    onA(() -> {
      a.enableKey(ctx, key.keyId);
      a.putKeyPolicy(ctx, key.keyId, "default", KeyPolicy.defaultFor("aws", ACCOUNT).text().replace(
          "Enable IAM User Permissions", "Enable IAM policies"));
      a.scheduleKeyDeletion(ctx, key.keyId, 7);
    });
    feed.deliver();
    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
    assertThat(b.describeKey(ctx, key.keyId).state()).isEqualTo(KeyState.PendingDeletion);
  }

  @Test
  void aVersionOnlyThisNodeMadeGoesWhenAnotherNodesRotationArrives() {
    KmsKey key = onA(() -> a.createKey(ctx, null, null, Map.of()));
    feed.deliver();
    // Both nodes rotate at once: A's is stored, B's lost (its write conflicts), so the stored history is A's.
    b.rotateKeyOnDemand(ctx, key.keyId);
    byte[] madeOnB = b.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    onA(() -> a.rotateKeyOnDemand(ctx, key.keyId));
    byte[] madeOnA = a.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    feed.deliver();
    assertThat(b.listKeyRotations(ctx, key.keyId, true, 10, null).page().items())
        .extracting(material -> java.util.HexFormat.of().formatHex(material.id()))
        .containsExactlyElementsOf(a.listKeyRotations(ctx, key.keyId, true, 10, null).page().items().stream()
            .map(material -> java.util.HexFormat.of().formatHex(material.id())).toList());
    KmsBackend.Decrypted opened = b.decrypt(ctx, madeOnA, null, Map.of(), null, null);
    assertThat(opened.plaintext()).isEqualTo(PLAINTEXT);
    // What B made under its lost version opens nowhere (docs/cluster.md says so).
    assertThatThrownBy(() -> b.decrypt(ctx, madeOnB, null, Map.of(), null, null))
        .isInstanceOf(dev.shunt.backend.core.AwsException.class);
    // The document's last version is current: what B encrypts now, A decrypts.
    assertThat(a.decrypt(ctx, b.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext(), null, Map.of(),
        null, null).materialId()).isEqualTo(opened.materialId());
  }

  @Test
  void importedMaterialFollowsItsImportAndDeletionElsewhere() throws Exception {
    KmsKey key = onA(() -> a.createKey(ctx, "imported", null, Map.of(), KeySpec.SYMMETRIC_DEFAULT,
        KmsKey.ENCRYPT_DECRYPT, KmsKey.EXTERNAL, false));
    feed.deliver();
    assertThat(b.describeKey(ctx, key.keyId).state()).isEqualTo(KeyState.PendingImport);

    KeyImport.Parameters parameters = a.keyImport.parametersForImport(ctx, key.keyId, "RSAES_OAEP_SHA_256",
        "RSA_2048");
    javax.crypto.Cipher rsa = javax.crypto.Cipher.getInstance("RSA/ECB/OAEPPadding");
    rsa.init(javax.crypto.Cipher.ENCRYPT_MODE, java.security.KeyFactory.getInstance("RSA").generatePublic(
        new java.security.spec.X509EncodedKeySpec(parameters.publicKey())), new javax.crypto.spec.OAEPParameterSpec(
            "SHA-256", "MGF1", java.security.spec.MGF1ParameterSpec.SHA256, javax.crypto.spec.PSource.PSpecified.DEFAULT));
    byte[] wrapped = rsa.doFinal(dev.shunt.backend.crypto.Randomness.bytes(32));
    onA(() -> a.keyImport.importKeyMaterial(ctx, key.keyId, KeyImport.tokenBytes(parameters), wrapped, null, null, null,
        null, null));
    byte[] ciphertext = a.encrypt(ctx, key.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    KmsKey onB = b.describeKey(ctx, key.keyId);
    feed.deliver();
    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
    assertThat(b.describeKey(ctx, key.keyId)).isSameAs(onB);
    assertThat(b.decrypt(ctx, ciphertext, null, Map.of(), null, null).plaintext()).isEqualTo(PLAINTEXT);

    // Deleting imported material there deletes it here: the key waits for it again.
    onA(() -> a.keyImport.deleteImportedKeyMaterial(ctx, key.keyId, null));
    feed.deliver();
    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
    assertThat(b.describeKey(ctx, key.keyId).state()).isEqualTo(KeyState.PendingImport);
    assertThat(catchThrowableOfType(AwsException.class, () -> b.decrypt(ctx, ciphertext, null, Map.of(), null, null))
        .code()).isEqualTo("KMSInvalidStateException");
  }

  @Test
  void aKeyRemovedElsewhereIsGoneWithItsAliasesGrantsAndQuotaSpec() {
    KmsKey rsa = onA(() -> a.createKey(ctx, "signing", null, Map.of(), KeySpec.named("RSA_2048"),
        "SIGN_VERIFY"));
    KmsKey other = onA(() -> a.createKey(ctx, null, null, Map.of()));
    onA(() -> {
      new KmsAliases(a).createAlias(ctx, "alias/signing", rsa.keyId);
      new Grants(a).create(ctx, rsa.keyId, GRANTEE, null, List.of("Sign"), null, null, List.of(), null, false);
    });
    feed.deliver();
    assertThat(b.keySpecForQuota(ACCOUNT, REGION, rsa.keyId)).isEqualTo("RSA_2048");
    assertThat(b.keySpecForQuota(ACCOUNT, REGION, "alias/signing")).isEqualTo("RSA_2048");
    assertThat(b.peekRegion(ACCOUNT, REGION).customerKeys).hasValue(2);

    onA(() -> a.scheduleKeyDeletion(ctx, rsa.keyId, 7));
    feed.deliver();
    // The waiting period ends on A (the next look at the key removes it there): B hears of the removal.
    RequestContext later = context(REGION, NOW.plus(Duration.ofDays(8)));
    onA(() -> assertThatThrownBy(() -> a.describeKey(later, rsa.keyId)).isInstanceOf(AwsException.class));
    assertThat(feed.deliver()).isEqualTo(3); // the key, its alias and its grant

    // Before its deletion date by B's own clock, the key is gone all the same: A applied the window.
    assertThat(catchThrowableOfType(AwsException.class, () -> b.describeKey(ctx, rsa.keyId)).code())
        .isEqualTo("NotFoundException");
    assertThat(catchThrowableOfType(AwsException.class, () -> b.describeKey(ctx, "alias/signing")).code())
        .isEqualTo("NotFoundException");
    assertThat(b.listKeys(ctx, 100, null).items()).extracting(k -> k.keyId).containsExactly(other.keyId);
    assertThat(aliasNames(b, null)).doesNotContain("alias/signing");
    assertThat(b.peekRegion(ACCOUNT, REGION).grants.all(null)).isEmpty();
    assertThat(b.keySpecForQuota(ACCOUNT, REGION, rsa.keyId)).isNull();
    assertThat(b.peekRegion(ACCOUNT, REGION).nonSymmetricKeys).hasValue(0);
    assertThat(b.peekRegion(ACCOUNT, REGION).customerKeys).hasValue(1);

    // Removing what is not here (any more) changes nothing.
    new SeedFiles(List.of(b.stateSection())).remove(new StoreKey(KmsState.KEYS, ACCOUNT, REGION, rsa.keyId));
    assertThat(b.listKeys(ctx, 100, null).items()).hasSize(1);
  }

  @Test
  void anAliasRetargetedElsewhereLeavesItsOldKeysList() {
    KmsKey first = onA(() -> a.createKey(ctx, "first", null, Map.of()));
    KmsKey second = onA(() -> a.createKey(ctx, "second", null, Map.of()));
    onA(() -> new KmsAliases(a).createAlias(ctx, "alias/app", first.keyId));
    feed.deliver();
    assertThat(aliasNames(b, first.keyId)).containsExactly("alias/app");
    assertThat(b.encrypt(ctx, "alias/app", PLAINTEXT, Map.of(), null, null).key().keyId).isEqualTo(first.keyId);

    onA(() -> new KmsAliases(a).updateAlias(ctx, "alias/app", second.keyId));
    assertThat(feed.deliver()).isEqualTo(1);
    assertThat(aliasNames(b, first.keyId)).isEmpty();
    assertThat(aliasNames(b, second.keyId)).containsExactly("alias/app");
    assertThat(aliases(b)).isEqualTo(aliases(a));
    assertThat(b.encrypt(ctx, "alias/app", PLAINTEXT, Map.of(), null, null).key().keyId).isEqualTo(second.keyId);
    assertThat(b.keyArnFor(ACCOUNT, REGION, "alias/app")).isEqualTo(second.arn);

    onA(() -> new KmsAliases(a).deleteAlias(ctx, "alias/app"));
    feed.deliver();
    assertThat(aliasNames(b, second.keyId)).isEmpty();
    assertThat(catchThrowableOfType(AwsException.class, () -> b.describeKey(ctx, "alias/app")).code())
        .isEqualTo("NotFoundException");
  }

  @Test
  void grantsReplacedAndRemovedElsewhereKeepTheGranteeQuota() {
    KmsKey key = onA(() -> a.createKey(ctx, null, null, Map.of()));
    Grants grantsA = new Grants(a);
    Grants grantsB = new Grants(b);
    String[] first = new String[1];
    onA(() -> {
      first[0] = grantsA.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), Map.of("app", "orders"), null,
          List.of(), "first", false).grantId();
      for (int i = 1; i < Grants.MAX_GRANTS_PER_GRANTEE; i++) {
        grantsA.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(), null, false);
      }
    });
    feed.deliver();
    assertThat(grants(b, key.keyId)).isEqualTo(grants(a, key.keyId)).hasSize(Grants.MAX_GRANTS_PER_GRANTEE);
    assertThat(catchThrowableOfType(AwsException.class, () -> grantsB.create(ctx, key.keyId, GRANTEE, null,
        List.of("Decrypt"), null, null, List.of(), null, false)).code()).isEqualTo("LimitExceededException");

    // The same grant once more (another node wrote it again): replaced, not counted twice.
    feed.redeliver(feed.item("kms.grants", first[0]));
    GrantTable table = b.peekRegion(ACCOUNT, REGION).grants;
    assertThat(table.ofGrantee(key.keyId, GRANTEE)).hasSize(Grants.MAX_GRANTS_PER_GRANTEE);
    assertThat(table.countOf(key.keyId)).isEqualTo(Grants.MAX_GRANTS_PER_GRANTEE);
    assertThat(table.byId(first[0]).contextEquals()).isEqualTo(Map.of("app", "orders"));

    onA(() -> grantsA.retire(ctx, null, key.keyId, first[0], false));
    assertThat(feed.deliver()).isEqualTo(1);
    assertThat(grants(b, key.keyId)).isEqualTo(grants(a, key.keyId)).hasSize(Grants.MAX_GRANTS_PER_GRANTEE - 1);
    assertThat(b.peekRegion(ACCOUNT, REGION).grants.byId(first[0])).isNull();
    assertThat(grantsB.list(ctx, key.keyId, null, GRANTEE, 1000, null).items())
        .hasSize(Grants.MAX_GRANTS_PER_GRANTEE - 1);
    // Its place is free on B too, and only one.
    grantsB.create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(), null, false);
    assertThat(catchThrowableOfType(AwsException.class, () -> grantsB.create(ctx, key.keyId, GRANTEE, null,
        List.of("Decrypt"), null, null, List.of(), null, false)).code()).isEqualTo("LimitExceededException");
  }

  @Test
  void aGrantFromAnotherNodeWithASequenceTakenHereKeepsBoth() {
    KmsKey key = onA(() -> a.createKey(ctx, null, null, Map.of()));
    feed.deliver();
    // Each node numbers its own grants: both make sequence 0 on the key.
    String mine = new Grants(b).create(ctx, key.keyId, GRANTEE, null, List.of("Decrypt"), null, null, List.of(), null,
        false).grantId();
    String theirs = onA(() -> new Grants(a).create(ctx, key.keyId, GRANTEE, null, List.of("Encrypt"), null, null,
        List.of(), null, false).grantId());
    feed.deliver();
    assertThat(new Grants(b).list(ctx, key.keyId, null, null, 100, null).items()).extracting(Grant::grantId)
        .containsExactlyInAnyOrder(mine, theirs);
    assertThat(b.peekRegion(ACCOUNT, REGION).grants.ofGrantee(key.keyId, GRANTEE)).hasSize(2);
  }

  @Test
  void multiRegionKeysShareTheirRotationAndPrimaryElsewhere() {
    KmsKey primary = onA(() -> a.createKey(ctx, "global", null, Map.of(), KeySpec.SYMMETRIC_DEFAULT,
        KmsKey.ENCRYPT_DECRYPT, KmsKey.AWS_KMS, true));
    onA(() -> a.multiRegionKeys.replicateKey(ctx, primary.keyId, "eu-west-1", null, "replica", Map.of()));
    byte[] before = a.encrypt(ctx, primary.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    feed.deliver();
    onA(() -> a.rotateKeyOnDemand(ctx, primary.keyId));
    byte[] after = a.encrypt(ctx, primary.keyId, PLAINTEXT, Map.of(), null, null).ciphertext();
    feed.deliver();

    RequestContext europe = context("eu-west-1", NOW);
    for (RequestContext where : List.of(ctx, europe)) {
      assertThat(view(b, where, primary.keyId)).isEqualTo(view(a, where, primary.keyId));
      for (byte[] ciphertext : List.of(before, after)) {
        assertThat(b.decrypt(where, ciphertext, null, Map.of(), null, null).plaintext()).isEqualTo(PLAINTEXT);
      }
    }
    // The related keys here share their versions, as ReplicateKey made them.
    assertThat(b.describeKey(europe, primary.keyId).materials().get(1))
        .isSameAs(b.describeKey(ctx, primary.keyId).materials().get(1));

    onA(() -> a.multiRegionKeys.updatePrimaryRegion(ctx, primary.keyId, "eu-west-1"));
    feed.deliver();
    MultiRegionKeys.Configuration configuration = MultiRegionKeys.configuration(b.describeKey(ctx, primary.keyId));
    assertThat(configuration.primary()).isFalse();
    assertThat(configuration.primaryRegion()).isEqualTo("eu-west-1");
    assertThat(MultiRegionKeys.configuration(b.describeKey(europe, primary.keyId)).primary()).isTrue();
  }

  @Test
  void customKeyStoresFollowTheirChangesElsewhere() {
    CustomKeyStores storesA = new CustomKeyStores(a, new XksProxyClient(OutboundHosts.loopbackOnly(),
        Duration.ofSeconds(1)));
    CustomKeyStores storesB = new CustomKeyStores(b, new XksProxyClient(OutboundHosts.loopbackOnly(),
        Duration.ofSeconds(1)));
    String id = onA(() -> storesA.create(ctx, new CustomKeyStores.Settings("hsm", null, "cluster-abcdefghijk",
        KmsCustomKeyStoresIT.ANCHOR, "kmsuser-password", null, null, null, null, null, null, null)));
    feed.deliver();
    assertThat(storesB.describe(ctx, id, null, 10, null).items()).isEqualTo(storesA.describe(ctx, id, null, 10, null)
        .items());

    onA(() -> {
      storesA.update(ctx, id, new CustomKeyStores.Settings("hsm-renamed", null, null, null, null, null, null, null,
          null, null, null, null));
      storesA.connect(ctx, id); // no CloudHSM here: FAILED, CLUSTER_NOT_FOUND
    });
    feed.deliver();
    CustomKeyStore.View view = storesB.describe(ctx, id, null, 10, null).items().get(0);
    assertThat(view).isEqualTo(storesA.describe(ctx, id, null, 10, null).items().get(0));
    assertThat(view.name()).isEqualTo("hsm-renamed");
    assertThat(view.connectionState()).isEqualTo("FAILED");

    onA(() -> {
      storesA.disconnect(ctx, id);
      storesA.delete(ctx, id);
    });
    feed.deliver();
    assertThat(catchThrowableOfType(AwsException.class, () -> storesB.describe(ctx, id, null, 10, null)).code())
        .isEqualTo("CustomKeyStoreNotFoundException");
    assertThat(storesB.describe(ctx, null, null, 10, null).items()).isEmpty();
  }

  @Test
  void aMalformedDocumentIsRefusedAndChangesNothing() {
    KmsKey key = onA(() -> a.createKey(ctx, "kept", null, Map.of()));
    feed.deliver();
    SeedFiles seeds = new SeedFiles(List.of(b.stateSection()));
    StoreKey where = new StoreKey(KmsState.KEYS, ACCOUNT, REGION, key.keyId);
    assertThatThrownBy(() -> seeds.replace(new StoredItem(where, 99, Json.write(Json.object().put("KeyId", key.keyId)
        .put("KeyState", "Sleeping"))), SecretFields.plain(null))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KeyState");
    assertThatThrownBy(() -> seeds.replace(new StoredItem(where, 99, "[1]".getBytes(StandardCharsets.UTF_8)),
        SecretFields.plain(null))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> seeds.replace(new StoredItem(new StoreKey("kms.widgets", ACCOUNT, REGION, "w"), 99,
        "{}".getBytes(StandardCharsets.UTF_8)), SecretFields.plain(null))).isInstanceOf(IllegalArgumentException.class);
    assertThat(view(b, key.keyId)).isEqualTo(view(a, key.keyId));
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

  private static RequestContext context(String region, Instant now) {
    return new RequestContext("test", new Identity(ACCOUNT, "AKIDTEST", "arn:aws:iam::" + ACCOUNT + ":root", region),
        now, "127.0.0.1", "test");
  }

  private Map<String, Object> view(KmsBackend kms, String keyId) {
    return view(kms, ctx, keyId);
  }

  /** What DescribeKey, GetKeyPolicy, GetKeyRotationStatus, ListResourceTags, ListKeyRotations and ListAliases show. */
  private static Map<String, Object> view(KmsBackend kms, RequestContext ctx, String keyId) {
    KmsKey key = kms.describeKey(ctx, keyId);
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("arn", key.arn);
    view.put("spec", key.keySpec + "/" + key.keyUsage + "/" + key.origin + "/" + key.creationDate);
    view.put("state", key.state());
    view.put("description", key.description());
    view.put("deletion", key.deletionDate() + "/" + key.pendingWindowInDays());
    KmsKey rotation = kms.keyRotationStatus(ctx, keyId);
    view.put("rotation", rotation.rotationEnabled() + "/" + rotation.rotationPeriodInDays() + "/"
        + rotation.nextRotationDate() + "/" + rotation.onDemandRotations());
    view.put("policy", kms.keyPolicy(ctx, keyId, null));
    view.put("tags", kms.listResourceTags(ctx, keyId, 50, null).items());
    view.put("materials", kms.listKeyRotations(ctx, keyId, true, 100, null).page().items().stream()
        .map(m -> m.idHex() + "@" + m.createdAt() + "/" + m.rotationType()).toList());
    view.put("aliases", aliasNames(kms, ctx, keyId));
    if (key.multiRegion != null) {
      MultiRegionKeys.Configuration configuration = MultiRegionKeys.configuration(key);
      view.put("multiRegion", configuration.primaryArn() + "/" + configuration.replicas().stream()
          .map(replica -> replica.arn).toList());
    }
    return view;
  }

  private List<String> aliasNames(KmsBackend kms, String keyId) {
    return aliasNames(kms, ctx, keyId);
  }

  private static List<String> aliasNames(KmsBackend kms, RequestContext ctx, String keyId) {
    return new KmsAliases(kms).listAliases(ctx, keyId, 100, null).items().stream()
        .filter(alias -> alias.targetKeyId() != null).map(KmsBackend.AliasView::name).toList();
  }

  private List<KmsBackend.AliasView> aliases(KmsBackend kms) {
    return new KmsAliases(kms).listAliases(ctx, null, 100, null).items();
  }

  private List<Grant> grants(KmsBackend kms, String keyId) {
    return new Grants(kms).list(ctx, keyId, null, null, 1000, null).items();
  }
}
