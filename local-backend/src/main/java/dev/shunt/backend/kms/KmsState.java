package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.store.Documents;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.store.Persistent;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.StateSection;
import dev.shunt.backend.store.StoreKey;
import dev.shunt.backend.state.RegionalStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * KMS's state as documents: keys (with their material), aliases, grants and custom key stores,
 * as the store keeps them, seed files create them and export writes them.
 */
final class KmsState implements StateSection {
  static final String KEYS = "kms.keys";
  private static final String ALIASES = "kms.aliases";
  private static final String GRANTS = "kms.grants";
  private static final String STORES = "kms.customKeyStores";
  private static final Set<String> ALIAS_FIELDS = Set.of("AliasName", "TargetKeyId", "CreationDate",
      "LastUpdatedDate");
  private static final Set<String> GRANT_FIELDS = Set.of("GrantId", "KeyId", "Name", "CreationDate",
      "GranteePrincipal", "RetiringPrincipal", "IssuingAccount", "Operations", "Constraints", "Sequence");
  private static final Set<String> CONNECTION_STATES = Set.of("CONNECTED", "CONNECTING", "FAILED", "DISCONNECTED",
      "DISCONNECTING");
  private static final Set<String> STORE_FIELDS = Set.of("CustomKeyStoreId", "CustomKeyStoreName",
      "CustomKeyStoreType", "CreationDate", "ConnectionState", "ConnectionErrorCode", "CloudHsmClusterId",
      "TrustAnchorCertificate", "KeyStorePassword", "XksProxyConfiguration");

  /** An item whose document is read from its map when written: an alias, a grant, a custom key store. */
  private record Slot(StoreKey storeKey, Supplier<ObjectNode> current) implements Persistent {
    @Override
    public ObjectNode document() {
      return current.get();
    }
  }

  private final RegionalStore<KmsRegion> regions;

  KmsState(RegionalStore<KmsRegion> regions) {
    this.regions = regions;
  }

  // ---- what changes say ---------------------------------------------------------------------

  static void aliasChanged(KmsRegion region, String aliasName) {
    if (Persistence.recording()) {
      Persistence.touched(new Slot(new StoreKey(ALIASES, region.accountId, region.region, aliasName), () -> {
        KmsAlias alias = region.aliases.get(aliasName);
        return alias == null ? null : KmsDocuments.alias(alias);
      }));
    }
  }

  static void grantChanged(KmsRegion region, String grantId) {
    if (Persistence.recording()) {
      Persistence.touched(new Slot(new StoreKey(GRANTS, region.accountId, region.region, grantId), () -> {
        Grant grant = region.grants.byId(grantId);
        return grant == null ? null : KmsDocuments.grant(grant);
      }));
    }
  }

  static void customKeyStoreChanged(KmsRegion region, String storeId) {
    if (Persistence.recording()) {
      Persistence.touched(new Slot(new StoreKey(STORES, region.accountId, region.region, storeId), () -> {
        CustomKeyStore store = region.customKeyStores.get(storeId);
        return store == null ? null : KmsDocuments.customKeyStore(store, SecretFields.plain(null));
      }));
    }
  }

  // ---- StateSection -------------------------------------------------------------------------

  @Override
  public String name() {
    return "kms";
  }

  @Override
  public List<String> kinds() {
    return List.of("customKeyStores", "keys", "aliases", "grants");
  }

  @Override
  public List<Scope> scopes() {
    List<Scope> scopes = new ArrayList<>();
    for (KmsRegion region : regions.all()) {
      if (!region.keys.isEmpty() || !region.aliases.isEmpty() || !region.customKeyStores.isEmpty()) {
        scopes.add(new Scope(region.accountId, region.region));
      }
    }
    return scopes;
  }

  @Override
  public void export(String account, String regionName, SecretFields secrets, BiConsumer<String, ObjectNode> out) {
    KmsRegion region = regions.peek(account, regionName);
    if (region == null) {
      return;
    }
    region.customKeyStores.values().forEach(store -> out.accept("customKeyStores",
        KmsDocuments.customKeyStore(store, secrets)));
    for (KmsKey key : region.keys.values()) {
      synchronized (key) {
        out.accept("keys", KmsDocuments.key(key, secrets));
      }
    }
    region.aliases.values().forEach(alias -> out.accept("aliases", KmsDocuments.alias(alias)));
    region.grants.all(null).forEach(grant -> out.accept("grants", KmsDocuments.grant(grant)));
  }

  @Override
  public void load(String account, String regionName, String kind, ObjectNode doc, SecretFields secrets) {
    KmsRegion region = regions.get(account, regionName);
    switch (kind) {
      case "keys" -> loadKey(region, doc, secrets);
      case "aliases" -> loadAlias(region, doc);
      case "grants" -> loadGrant(region, doc);
      case "customKeyStores" -> loadCustomKeyStore(region, doc, secrets);
      default -> throw new IllegalArgumentException("unknown kind " + kind);
    }
  }

  private void loadKey(KmsRegion region, ObjectNode doc, SecretFields secrets) {
    KmsDocuments.normalizeKey(doc, secrets);
    JsonNode aliases = doc.remove("Aliases");
    String keyId = doc.get("KeyId").asText();
    KeyReference ref = KeyReference.parse(keyId);
    if (ref.kind() != KeyReference.Kind.KEY_ID) {
      throw new IllegalArgumentException("KeyId must be a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab or "
          + "mrk-..., not '" + keyId + "'");
    }
    KmsKey existing = region.keys.get(keyId);
    if (existing != null) {
      ObjectNode current;
      synchronized (existing) {
        current = KmsDocuments.key(existing, SecretFields.plain(null));
      }
      String differs = Documents.contradiction(doc, current);
      if (differs != null) {
        throw new IllegalArgumentException("the key exists and its " + differs + " differs");
      }
    } else {
      boolean multiRegion = doc.has("MultiRegion");
      if (multiRegion != keyId.startsWith("mrk-")) {
        throw new IllegalArgumentException(multiRegion ? "a multi-Region key's id starts with mrk-"
            : "a key id starting with mrk- is a multi-Region key: give MultiRegion {PrimaryRegion}");
      }
      MultiRegionKeys.Related related = multiRegion ? related(region, keyId,
          Documents.required((ObjectNode) doc.get("MultiRegion"), "PrimaryRegion")) : null;
      KmsKey key = KmsDocuments.newKey(region.accountId, region.region, doc, related, Instant.now());
      if (!key.awsManaged() && region.customerKeys.incrementAndGet() > KmsBackend.MAX_KEYS_PER_REGION) {
        region.customerKeys.decrementAndGet();
        throw new IllegalArgumentException("more than " + KmsBackend.MAX_KEYS_PER_REGION + " keys in the Region");
      }
      region.add(key);
      if (related != null) {
        related.add(key, region);
      }
      Persistence.touched(key);
    }
    if (aliases != null) {
      if (!aliases.isArray()) {
        throw new IllegalArgumentException("Aliases must be a list of alias names");
      }
      for (JsonNode alias : aliases) {
        ObjectNode aliasDoc = dev.shunt.backend.core.Json.object().put("AliasName", alias.asText())
            .put("TargetKeyId", keyId);
        loadAlias(region, aliasDoc);
      }
    }
  }

  /** The related multi-Region keys a key with this id joins: those of another Region of the account, or new ones. */
  private MultiRegionKeys.Related related(KmsRegion home, String keyId, String primaryRegion) {
    for (KmsRegion other : regions.all()) {
      if (other.accountId.equals(home.accountId) && other != home) {
        KmsKey sibling = other.keys.get(keyId);
        if (sibling != null && sibling.multiRegion != null) {
          if (!sibling.multiRegion.primaryRegion().equals(primaryRegion)) {
            throw new IllegalArgumentException("MultiRegion.PrimaryRegion differs from that of the same key in "
                + other.region);
          }
          return sibling.multiRegion;
        }
      }
    }
    return new MultiRegionKeys.Related(primaryRegion);
  }

  private static void loadAlias(KmsRegion region, ObjectNode doc) {
    Documents.onlyFields(doc, ALIAS_FIELDS);
    String name = Documents.required(doc, "AliasName");
    if (!name.startsWith("alias/") || name.length() > 256 || name.contains(":")) {
      throw new IllegalArgumentException("AliasName must start with alias/ (at most 256 characters, no colon)");
    }
    String target = Documents.required(doc, "TargetKeyId");
    synchronized (region) {
      KmsAlias existing = region.aliases.get(name);
      if (existing != null) {
        String differs = Documents.contradiction(doc, KmsDocuments.alias(existing));
        if (differs != null) {
          throw new IllegalArgumentException("the alias exists and its " + differs + " differs");
        }
        return;
      }
      if (!region.keys.containsKey(target)) {
        throw new IllegalArgumentException("TargetKeyId " + target + " is not a key of this account and Region");
      }
      Instant created = KmsDocuments.date(doc, "CreationDate", Instant.now());
      region.aliases.put(name, new KmsAlias(name, target, created,
          KmsDocuments.date(doc, "LastUpdatedDate", created)));
    }
    aliasChanged(region, name);
  }

  private static void loadGrant(KmsRegion region, ObjectNode doc) {
    Documents.onlyFields(doc, GRANT_FIELDS);
    String grantId = Documents.required(doc, "GrantId");
    Grant existing = region.grants.byId(grantId);
    if (existing != null) {
      String differs = Documents.contradiction(doc, KmsDocuments.grant(existing));
      if (differs != null) {
        throw new IllegalArgumentException("the grant exists and its " + differs + " differs");
      }
      return;
    }
    String keyId = Documents.required(doc, "KeyId");
    KmsKey key = region.keys.get(keyId);
    if (key == null) {
      throw new IllegalArgumentException("KeyId " + keyId + " is not a key of this account and Region");
    }
    Grant grant = grant(region, doc, key.arn, null);
    region.grants.add(grant);
    grantChanged(region, grantId);
  }

  /**
   * The grant a document describes, on the key {@code keyArn} names; its Sequence, else {@code
   * sequence} (an existing grant's), else the table's next one. The table's next sequence follows it.
   */
  private static Grant grant(KmsRegion region, ObjectNode doc, String keyArn, Long sequence) {
    String grantId = Documents.required(doc, "GrantId");
    String keyId = Documents.required(doc, "KeyId");
    List<String> operations = new ArrayList<>();
    JsonNode stated = doc.path("Operations");
    if (!stated.isMissingNode() && !stated.isNull() && !stated.isArray()) {
      throw new IllegalArgumentException("Operations must be a list of operation names");
    }
    stated.forEach(op -> operations.add(op.asText()));
    if (operations.isEmpty()) {
      throw new IllegalArgumentException("Operations is required");
    }
    JsonNode constraints = doc.path("Constraints");
    JsonNode given = doc.get("Sequence");
    if (given != null && !given.isNull() && !given.canConvertToLong()) {
      throw new IllegalArgumentException("Sequence must be a whole number");
    }
    long at = given != null && !given.isNull() ? given.asLong() : sequence != null ? sequence
        : region.grants.nextSequence();
    region.grants.restoredSequence(at);
    return new Grant(keyId, keyArn, grantId, at, Documents.text(doc, "Name", null),
        KmsDocuments.date(doc, "CreationDate", Instant.now()), Documents.required(doc, "GranteePrincipal"),
        Documents.text(doc, "RetiringPrincipal", null), Documents.text(doc, "IssuingAccount",
            "arn:aws:iam::" + region.accountId + ":root"), List.copyOf(operations),
        KmsDocuments.stringMap(constraints.get("EncryptionContextEquals"), "EncryptionContextEquals"),
        KmsDocuments.stringMap(constraints.get("EncryptionContextSubset"), "EncryptionContextSubset"));
  }

  private static void loadCustomKeyStore(KmsRegion region, ObjectNode doc, SecretFields secrets) {
    Documents.onlyFields(doc, STORE_FIELDS);
    String id = Documents.required(doc, "CustomKeyStoreId");
    CustomKeyStore existing = region.customKeyStores.get(id);
    if (existing != null) {
      String differs = Documents.contradiction(doc, KmsDocuments.customKeyStore(existing, SecretFields.plain(null)));
      if (differs != null) {
        throw new IllegalArgumentException("the custom key store exists and its " + differs + " differs");
      }
      return;
    }
    CustomKeyStore store = customKeyStore(doc, secrets);
    if ("CONNECTED".equals(Documents.text(doc, "ConnectionState", null))) {
      store.finishConnecting(store.startConnecting(), null);
    }
    region.customKeyStores.put(id, store);
    customKeyStoreChanged(region, id);
  }

  /** The custom key store a document describes, disconnected. */
  private static CustomKeyStore customKeyStore(ObjectNode doc, SecretFields secrets) {
    Documents.onlyFields(doc, STORE_FIELDS);
    String id = Documents.required(doc, "CustomKeyStoreId");
    String type = Documents.text(doc, "CustomKeyStoreType", CustomKeyStore.CLOUDHSM);
    CustomKeyStore.CloudHsm cloudHsm = null;
    CustomKeyStore.XksProxy xks = null;
    if (type.equals(CustomKeyStore.CLOUDHSM)) {
      String password = Documents.text(doc, "KeyStorePassword", null);
      cloudHsm = new CustomKeyStore.CloudHsm(Documents.required(doc, "CloudHsmClusterId"),
          Documents.text(doc, "TrustAnchorCertificate", null),
          password == null ? null : secrets.readText(password, "KeyStorePassword"));
    } else if (type.equals(CustomKeyStore.EXTERNAL)) {
      JsonNode config = doc.path("XksProxyConfiguration");
      if (!config.isObject()) {
        throw new IllegalArgumentException("XksProxyConfiguration is required for an external key store");
      }
      ObjectNode proxy = (ObjectNode) config;
      String secret = Documents.text(proxy, "SecretAccessKey", null);
      xks = new CustomKeyStore.XksProxy(Documents.text(proxy, "Connectivity", CustomKeyStore.PUBLIC_ENDPOINT),
          Documents.required(proxy, "UriEndpoint"), Documents.required(proxy, "UriPath"),
          Documents.text(proxy, "VpcEndpointServiceName", null), Documents.text(proxy, "VpcEndpointServiceOwner", null),
          Documents.text(proxy, "AccessKeyId", null), secret == null ? null : secrets.readText(secret,
              "SecretAccessKey"));
    } else {
      throw new IllegalArgumentException("CustomKeyStoreType must be AWS_CLOUDHSM or EXTERNAL_KEY_STORE");
    }
    return new CustomKeyStore(id, type, KmsDocuments.date(doc, "CreationDate", Instant.now()),
        Documents.required(doc, "CustomKeyStoreName"), cloudHsm, xks);
  }

  // ---- replace and remove (another node's changes) --------------------------------------------

  @Override
  public void replace(String account, String regionName, String kind, ObjectNode doc, SecretFields secrets) {
    if (!kinds().contains(kind)) {
      throw new IllegalArgumentException("unknown kind " + kind);
    }
    KmsRegion region = regions.get(account, regionName);
    switch (kind) {
      case "keys" -> replaceKey(region, doc, secrets);
      case "aliases" -> replaceAlias(region, doc);
      case "grants" -> replaceGrant(region, doc);
      default -> replaceCustomKeyStore(region, doc, secrets);
    }
  }

  @Override
  public void remove(String account, String regionName, String kind, String id) {
    if (!kinds().contains(kind)) {
      throw new IllegalArgumentException("unknown kind " + kind);
    }
    KmsRegion region = regions.peek(account, regionName);
    if (region == null) {
      return;
    }
    switch (kind) {
      case "keys" -> {
        KmsKey key = region.keys.get(id);
        if (key != null) {
          region.forget(key);
        }
      }
      case "aliases" -> {
        synchronized (region) {
          region.aliases.remove(id);
        }
      }
      case "grants" -> {
        Grant grant = region.grants.byId(id);
        if (grant != null) {
          region.grants.remove(grant);
        }
      }
      default -> {
        synchronized (region.customKeyStores) {
          CustomKeyStore store = region.customKeyStores.get(id);
          if (store != null) {
            synchronized (store) {
              region.customKeyStores.remove(id, store);
            }
          }
        }
      }
    }
  }

  /**
   * A key as another node wrote it. The same key (same spec, usage, origin, creation) takes the
   * document's state in place, under its monitor ({@link KmsKey#replaceWith} says why that is
   * safe); a key new here is made and counted as CreateKey counts it (without its quota: the
   * other node applied it); a different key under the id (which random ids make all but
   * impossible) takes its place in the map, the old object never written again.
   */
  private void replaceKey(KmsRegion region, ObjectNode doc, SecretFields secrets) {
    KmsDocuments.normalizeKey(doc, secrets);
    if (doc.has("Aliases")) {
      throw new IllegalArgumentException("Aliases: a stored key names no aliases (each is an item of kind aliases)");
    }
    String keyId = doc.get("KeyId").asText();
    if (KeyReference.parse(keyId).kind() != KeyReference.Kind.KEY_ID) {
      throw new IllegalArgumentException("KeyId must be a key id such as 1234abcd-12ab-34cd-56ef-1234567890ab or "
          + "mrk-..., not '" + keyId + "'");
    }
    JsonNode multiRegionNode = doc.get("MultiRegion");
    boolean multiRegion = multiRegionNode != null && !multiRegionNode.isNull();
    if (multiRegion != keyId.startsWith("mrk-")) {
      throw new IllegalArgumentException(multiRegion ? "a multi-Region key's id starts with mrk-"
          : "a key id starting with mrk- is a multi-Region key: give MultiRegion {PrimaryRegion}");
    }
    if (multiRegion && !multiRegionNode.isObject()) {
      throw new IllegalArgumentException("MultiRegion must be a mapping {PrimaryRegion}");
    }
    String primaryRegion = multiRegion ? Documents.required((ObjectNode) multiRegionNode, "PrimaryRegion") : null;
    KmsKey existing = region.keys.get(keyId);
    if (existing != null && !doc.hasNonNull("CreationDate")) {
      Documents.putDate(doc, "CreationDate", existing.creationDate); // what is not stated is not a new key
    }
    MultiRegionKeys.Related related = !multiRegion ? null
        : existing != null && existing.multiRegion != null ? existing.multiRegion : relatedFor(region, keyId);
    KmsKey stored = KmsDocuments.newKey(region.accountId, region.region, doc, related, Instant.now());
    List<KmsKey> relatives = related == null ? List.of() : related.keys();
    if (related != null && !related.primaryRegion().equals(primaryRegion)) {
      // UpdatePrimaryRegion on the other node: every related key's document says so.
      related.primaryRegion(primaryRegion);
    }
    while (true) {
      if (existing != null && existing.sameIdentity(stored)) {
        existing.replaceWith(stored, relatives);
        return;
      }
      stored.shareMaterials(relatives);
      if (existing == null ? region.addIfAbsent(stored) : region.swap(existing, stored)) {
        if (related != null) {
          related.add(stored, region);
        }
        return;
      }
      existing = region.keys.get(keyId); // a key of that id came or went meanwhile: look again
    }
  }

  /** The related multi-Region keys a key new here joins: those of another Region of the account, or new ones. */
  private MultiRegionKeys.Related relatedFor(KmsRegion home, String keyId) {
    for (KmsRegion other : regions.all()) {
      if (other.accountId.equals(home.accountId) && other != home) {
        KmsKey sibling = other.keys.get(keyId);
        if (sibling != null && sibling.multiRegion != null) {
          return sibling.multiRegion;
        }
      }
    }
    // The primary Region is set from the document right after.
    return new MultiRegionKeys.Related(home.region);
  }

  /**
   * An alias as another node wrote it: a new record in the map (aliases are immutable records,
   * so a reader sees the old target or the new), under the Region's lock as CreateAlias and
   * UpdateAlias change it. A key's aliases are read from the map, so retargeting moves the name
   * from one key's list to the other's. A target this node does not hold (yet) is taken: an
   * alias whose key is missing is not listed nor resolved, as after the key's deletion.
   */
  private static void replaceAlias(KmsRegion region, ObjectNode doc) {
    Documents.onlyFields(doc, ALIAS_FIELDS);
    String name = Documents.required(doc, "AliasName");
    if (!name.startsWith("alias/") || name.length() > 256 || name.contains(":")) {
      throw new IllegalArgumentException("AliasName must start with alias/ (at most 256 characters, no colon)");
    }
    String target = Documents.required(doc, "TargetKeyId");
    if (KeyReference.parse(target).kind() != KeyReference.Kind.KEY_ID) {
      throw new IllegalArgumentException("TargetKeyId must be a key id, not '" + target + "'");
    }
    Instant now = Instant.now();
    synchronized (region) {
      KmsAlias existing = region.aliases.get(name);
      Instant created = KmsDocuments.date(doc, "CreationDate", existing != null ? existing.createdAt() : now);
      region.aliases.put(name, new KmsAlias(name, target, created, KmsDocuments.date(doc, "LastUpdatedDate",
          created)));
    }
  }

  /**
   * A grant as another node wrote it: grants are immutable records, so the table swaps the old
   * for the new in each of its indexes under its lock ({@link GrantTable#replace}), keeping the
   * per-key count and per-grantee lists (the 500-per-grantee quota) right.
   */
  private static void replaceGrant(KmsRegion region, ObjectNode doc) {
    Documents.onlyFields(doc, GRANT_FIELDS);
    String grantId = Documents.required(doc, "GrantId");
    String keyId = Documents.required(doc, "KeyId");
    if (KeyReference.parse(keyId).kind() != KeyReference.Kind.KEY_ID) {
      throw new IllegalArgumentException("KeyId must be a key id, not '" + keyId + "'");
    }
    Grant existing = region.grants.byId(grantId);
    KmsKey key = region.keys.get(keyId);
    String keyArn = key != null ? key.arn : KeyReference.keyArn(region.region, region.accountId, keyId);
    region.grants.replace(grant(region, doc, keyArn, existing == null ? null : existing.sequence()));
  }

  /**
   * A custom key store as another node wrote it: in place under its lock (requests hold the
   * object and change it under that lock, as UpdateCustomKeyStore and Connect do), or added; one
   * of another type under the id takes its place (its creation date is the document's then).
   */
  private static void replaceCustomKeyStore(KmsRegion region, ObjectNode doc, SecretFields secrets) {
    CustomKeyStore stored = customKeyStore(doc, secrets);
    String state = Documents.text(doc, "ConnectionState", "DISCONNECTED");
    if (!CONNECTION_STATES.contains(state)) {
      throw new IllegalArgumentException("ConnectionState must be one of " + CONNECTION_STATES + ", not " + state);
    }
    CustomKeyStore.View view = stored.view();
    synchronized (region.customKeyStores) {
      CustomKeyStore existing = region.customKeyStores.get(stored.id);
      if (existing != null && existing.type.equals(stored.type)) {
        existing.replace(view.name(), view.cloudHsm(), view.xksProxy(), state,
            Documents.text(doc, "ConnectionErrorCode", null));
        return;
      }
      stored.replace(view.name(), view.cloudHsm(), view.xksProxy(), state,
          Documents.text(doc, "ConnectionErrorCode", null));
      region.customKeyStores.put(stored.id, stored);
    }
  }
}
