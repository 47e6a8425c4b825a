package dev.shunt.backend.kms;

import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.PageTokens;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.Randomness;
import dev.shunt.backend.state.RegionalStore;
import dev.shunt.backend.store.Persistence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * KMS's domain: keys, their material and states, aliases, and the cryptography, with KMS's rules
 * and errors and nothing of HTTP or JSON. The wire layer ({@link KmsService}) calls it, and so do
 * other services that encrypt through KMS (passing {@code viaService}, as AWS services act for
 * their caller).
 */
public final class KmsBackend {
  static final int MAX_KEYS_PER_REGION = 100_000;
  static final int MAX_ALIASES_PER_KEY = 50;
  static final int MAX_TAGS_PER_KEY = 50;
  static final int MAX_ON_DEMAND_ROTATIONS = 25;
  private volatile byte[] managedKeySeed;
  private static final String LIST_KEYS = "kms.ListKeys";
  private static final String LIST_KEY_ROTATIONS = "kms.ListKeyRotations";
  private static final String LIST_RESOURCE_TAGS = "kms.ListResourceTags";

  /** The result of Encrypt, and the encryption algorithm used (SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_256...). */
  public record Encrypted(byte[] ciphertext, KmsKey key, String algorithm) {
    Encrypted(byte[] ciphertext, KmsKey key) {
      this(ciphertext, key, KmsKey.SYMMETRIC_DEFAULT);
    }
  }

  /**
   * The result of Decrypt: the plaintext, the key, the id of the material version that made it
   * (null for asymmetric keys, whose material AWS does not name) and the algorithm.
   */
  public record Decrypted(byte[] plaintext, KmsKey key, String materialId, String algorithm) {
    Decrypted(byte[] plaintext, KmsKey key, String materialId) {
      this(plaintext, key, materialId, KmsKey.SYMMETRIC_DEFAULT);
    }
  }

  /** A data key: its plaintext and its ciphertext under {@code key}. */
  public record DataKey(byte[] plaintext, byte[] ciphertext, KmsKey key, String materialId) {}

  /** One page of a listing, and the marker of the next page (null on the last). */
  record Page<T>(List<T> items, String nextMarker) {}

  /** An alias as ListAliases shows it; AWS managed aliases appear before their key exists. */
  record AliasView(String name, String arn, String targetKeyId, Instant createdAt, Instant updatedAt) {}

  private final RegionalStore<KmsRegion> regions = new RegionalStore<>(KmsRegion::new);
  private final KmsAuthorization authorization = new KmsAuthorization(new KmsAuthorization.KeyGrants() {
    @Override
    public java.util.Collection<Grant> of(KmsKey key, String grantee) {
      KmsRegion region = regions.peek(key.accountId, key.region);
      return region == null ? List.of() : region.grants.ofGrantee(key.keyId, grantee);
    }

    @Override
    public List<String> aliasesOf(KmsKey key) {
      KmsRegion region = regions.peek(key.accountId, key.region);
      List<String> names = new ArrayList<>();
      if (region != null) {
        for (KmsAlias alias : region.aliases.values()) {
          if (alias.targetKeyId().equals(key.keyId)) {
            names.add(alias.name());
          }
        }
      }
      return names;
    }

    @Override
    public String keyArnFor(String accountId, String region, String keyId) {
      return KmsBackend.this.keyArnFor(accountId, region, keyId);
    }
  });
  private final KmsState state = new KmsState(regions);
  /** Origin EXTERNAL: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial. */
  final KeyImport keyImport = new KeyImport(this);
  /** ReplicateKey, UpdatePrimaryRegion and what related multi-Region keys share. */
  final MultiRegionKeys multiRegionKeys = new MultiRegionKeys(this, regions);

  public void reset() {
    regions.clear();
    keyImport.reset();
  }

  /** An operation on no key (CreateKey, ListKeys...): under access control, the caller's identity policies on {@code *}. */
  void authorizeWithoutKey(RequestContext ctx, String action) {
    authorization.authorizeWithoutKey(ctx, action);
  }

  /** Identity policies and conditions of a principals file decide access from now on (none: key policies alone). */
  public void accessControl(dev.shunt.backend.auth.AccessControl access) {
    authorization.accessControl(access);
  }

  /** The Regions multi-Region keys may be replicated to (AWS's published ones unless told otherwise). */
  public void acceptReplicaRegions(AwsRegions accepted) {
    multiRegionKeys.acceptedRegions(accepted);
  }

  /** The caller's account and Region state (custom key stores and grants keep theirs there too). */
  KmsRegion region(RequestContext ctx) {
    return regions.get(ctx.accountId(), ctx.region());
  }

  /** Another account's or Region's state if it exists (looking must not make state for it), else null. */
  KmsRegion peekRegion(String accountId, String region) {
    return regions.peek(accountId, region);
  }

  /** The key a request names, found and authorized as every operation does (for the store and grant operations). */
  KmsKey key(RequestContext ctx, String keyId, boolean aliasAllowed, boolean crossAccount, String action) {
    return resolve(ctx, keyId, aliasAllowed, crossAccount, action, null);
  }

  /**
   * The key a request names, found as every operation finds it but not authorized: for RetireGrant,
   * which the grant authorizes ({@link #authorizeRetire}).
   */
  KmsKey unauthorizedKey(RequestContext ctx, String keyId, boolean crossAccount, String action) {
    return find(ctx, keyId, false, crossAccount, action, null);
  }

  /** A grant's key, found from its grant token (account and Region), for the audit record and RetireGrant. */
  KmsKey grantKey(RequestContext ctx, KmsRegion region, Grant grant, String action) {
    KmsKey key = region.key(grant.keyId(), ctx.now());
    if (key == null) {
      throw KmsErrors.keyNotFound(grant.keyArn());
    }
    ctx.audit().key(key.arn, key.keySpec, key.accountId, action, null);
    return key;
  }

  /** Whether the caller may retire {@code grant} on {@code key} (the grant decides, not the key policy). */
  void authorizeRetire(RequestContext ctx, KmsKey key, Grant grant) {
    authorization.authorizeRetire(ctx, key, grant);
  }

  /**
   * The quota engine's question (see {@code KmsKeySpecs}): the spec of the key {@code keyId}
   * names, or null for a symmetric or unknown key. While an account's Region holds only symmetric
   * keys, that is one map lookup and nothing else, so Encrypt and Decrypt do not resolve their
   * key twice; otherwise the key is looked up without side effects (no AWS managed key is made,
   * no access is checked: the operation itself does both).
   */
  public String keySpecForQuota(String accountId, String region, String keyId) {
    KmsRegion state = regions.peek(keyId.startsWith("arn:") ? arnAccount(keyId, accountId) : accountId, region);
    if (state == null || state.nonSymmetricKeys.get() == 0) {
      return null;
    }
    KmsKey key = peekKey(state, region, keyId);
    return key == null || key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT) ? null : key.keySpec;
  }

  /**
   * The ARN of the key {@code keyId} (an id, ARN, alias name or alias ARN) names now, or null if
   * none: what the caches key data keys by, so that an alias moved to another key never hits.
   * Looks without side effects (no AWS managed key is made, no access is checked).
   */
  public String keyArnFor(String accountId, String region, String keyId) {
    KmsRegion state = regions.peek(keyId.startsWith("arn:") ? arnAccount(keyId, accountId) : accountId, region);
    KmsKey key = state == null ? null : peekKey(state, region, keyId);
    return key == null ? null : key.arn;
  }

  private static KmsKey peekKey(KmsRegion state, String region, String keyId) {
    KeyReference ref = KeyReference.parse(keyId);
    if (ref.kind() == KeyReference.Kind.INVALID || (ref.region() != null && !ref.region().equals(region))) {
      return null;
    }
    String id = ref.id();
    if (ref.isAlias()) {
      KmsAlias alias = state.aliases.get(id);
      id = alias == null ? null : alias.targetKeyId();
    }
    return id == null ? null : state.keys.get(id.toLowerCase(Locale.ROOT));
  }

  /** The account of an ARN ({@code arn:partition:kms:region:account:...}), without splitting it when it is the caller's. */
  private static String arnAccount(String arn, String callerAccount) {
    int colon = 0;
    int start = -1;
    for (int i = 0; i < arn.length(); i++) {
      if (arn.charAt(i) == ':' && ++colon == 4) {
        start = i + 1;
        break;
      }
    }
    int end = start < 0 ? -1 : arn.indexOf(':', start);
    if (end < 0) {
      return callerAccount;
    }
    return arn.regionMatches(start, callerAccount, 0, callerAccount.length()) && end - start == callerAccount.length()
        ? callerAccount : arn.substring(start, end);
  }

  // ---- keys -------------------------------------------------------------------------------

  KmsKey createKey(RequestContext ctx, String description, String policyText, Map<String, String> tags) {
    return createKey(ctx, description, policyText, tags, KeySpec.SYMMETRIC_DEFAULT, KmsKey.ENCRYPT_DECRYPT);
  }

  /** A customer managed key of the spec and usage (which the caller checked {@code spec} allows). */
  KmsKey createKey(RequestContext ctx, String description, String policyText, Map<String, String> tags,
      KeySpec spec, String usage) {
    return createKey(ctx, description, policyText, tags, spec, usage, KmsKey.AWS_KMS, false);
  }

  /**
   * CreateKey: Origin AWS_KMS (material made here) or EXTERNAL (PendingImport until imported),
   * single- or multi-Region, of the spec and usage (which the caller checked {@code spec} allows).
   */
  KmsKey createKey(RequestContext ctx, String description, String policyText, Map<String, String> tags,
      KeySpec spec, String usage, String origin, boolean multiRegion) {
    KmsRegion region = regions.get(ctx.accountId(), ctx.region());
    PolicyDocument policy = policyText == null ? KeyPolicy.defaultFor(ctx.partition(), ctx.accountId())
        : authorization.parsePolicy(policyText);
    checkTags(tags);
    if (origin.equals(KmsKey.EXTERNAL) && !spec.importable()) {
      throw KmsErrors.unsupported("KMS does not support importing key material into " + spec.name()
          + " keys; Origin EXTERNAL is not valid for KeySpec " + spec.name() + ".");
    }
    String keyId = multiRegion ? MultiRegionKeys.newKeyId() : UUID.randomUUID().toString();
    if (policyText != null) {
      authorization.checkLockout(ctx, policy, KeyReference.keyArn(ctx.region(), ctx.accountId(), keyId),
          ctx.accountId());
    }
    countCustomerKey(region);
    MultiRegionKeys.Related related = multiRegion ? new MultiRegionKeys.Related(ctx.region()) : null;
    KmsKey key;
    try {
      KeyMaterial[] materials = origin.equals(KmsKey.EXTERNAL) ? new KeyMaterial[0]
          : new KeyMaterial[] {KeyMaterial.generate(spec, ctx.now())};
      key = new KmsKey(ctx.accountId(), ctx.region(), keyId, ctx.now(), description == null ? "" : description,
          null, policy, spec, usage, origin, related, materials);
    } catch (RuntimeException e) {
      region.customerKeys.decrementAndGet();
      throw e;
    }
    key.tag(tags, MAX_TAGS_PER_KEY);
    region.add(key);
    if (related != null) {
      related.add(key, region);
    }
    Persistence.touched(key);
    ctx.audit().key(key.arn, key.keySpec, key.accountId, "CreateKey", null);
    return key;
  }

  /** AWS counts customer managed keys in every state, not AWS managed ones: a counter, not keys.size(). */
  void countCustomerKey(KmsRegion region) {
    if (region.customerKeys.incrementAndGet() > MAX_KEYS_PER_REGION) {
      region.customerKeys.decrementAndGet();
      throw KmsErrors.limitExceeded("Customer managed keys per Region limit (" + MAX_KEYS_PER_REGION
          + ") exceeded");
    }
  }

  KmsKey describeKey(RequestContext ctx, String keyId) {
    return resolve(ctx, keyId, true, true, "DescribeKey", null);
  }

  /**
   * ListKeys: keys in key-id order, a page at a time. The marker holds the last key id returned,
   * so the next page is a seek in the sorted map (O(log n + page)), and a walk stays consistent
   * while keys come and go: none is returned twice; one created or deleted meanwhile may or may not be.
   */
  Page<KmsKey> listKeys(RequestContext ctx, int limit, String marker) {
    String after = null;
    if (marker != null) {
      after = PageTokens.open(LIST_KEYS, marker);
      if (after == null || !KeyReference.isKeyId(after)) {
        throw KmsErrors.invalidMarker();
      }
    }
    KmsRegion region = regions.get(ctx.accountId(), ctx.region());
    Iterator<KmsKey> keys = (after == null ? region.keys : region.keys.tailMap(after, false)).values().iterator();
    List<KmsKey> page = new ArrayList<>(Math.min(limit, 64));
    while (keys.hasNext()) {
      KmsKey key = keys.next();
      if (key.deletedBy(ctx.now())) {
        region.delete(key);
        continue;
      }
      if (page.size() == limit) {
        return new Page<>(page, PageTokens.seal(LIST_KEYS, page.get(page.size() - 1).keyId));
      }
      page.add(key);
    }
    return new Page<>(page, null);
  }

  void enableKey(RequestContext ctx, String keyId) {
    KmsKey key = resolve(ctx, keyId, false, false, "EnableKey", null);
    requireNotPendingDeletion(key);
    requireNotPendingImport(key);
    key.enable();
  }

  void disableKey(RequestContext ctx, String keyId) {
    KmsKey key = resolve(ctx, keyId, false, false, "DisableKey", null);
    requireNotPendingDeletion(key);
    requireNotPendingImport(key);
    key.disable();
  }

  KmsKey scheduleKeyDeletion(RequestContext ctx, String keyId, Integer windowInDays) {
    int days = windowInDays == null ? 30 : windowInDays;
    if (days < 7 || days > 30) {
      throw KmsErrors.validation("1 validation error detected: Value '" + days + "' at 'pendingWindowInDays' "
          + "failed to satisfy constraint: Member must have value " + (days < 7
              ? "greater than or equal to 7" : "less than or equal to 30"));
    }
    KmsKey key = resolve(ctx, keyId, false, false, "ScheduleKeyDeletion", null);
    requireNotPendingDeletion(key);
    if (key.multiRegion != null && key.multiRegion.isPrimary(key) && key.multiRegion.liveReplicas(key, ctx.now()) > 0) {
      // AWS never deletes a primary before its replicas: its waiting period starts when the last one is gone.
      key.scheduleDeletionAfterReplicas(days);
      return key;
    }
    key.scheduleDeletion(ctx.now().plus(Duration.ofDays(days)), days);
    return key;
  }

  KmsKey cancelKeyDeletion(RequestContext ctx, String keyId) {
    KmsKey key = resolve(ctx, keyId, false, false, "CancelKeyDeletion", null);
    if (key.state() != KeyState.PendingDeletion && key.state() != KeyState.PendingReplicaDeletion) {
      throw KmsErrors.invalidState(key.arn + " is not pending deletion.");
    }
    key.cancelDeletion();
    return key;
  }

  void updateKeyDescription(RequestContext ctx, String keyId, String description) {
    KmsKey key = resolve(ctx, keyId, false, false, "UpdateKeyDescription", null);
    requireNotPendingDeletion(key);
    key.description(description);
  }

  // ---- cryptography -----------------------------------------------------------------------

  public Encrypted encrypt(RequestContext ctx, String keyId, byte[] plaintext, Map<String, String> context,
      String algorithm, String viaService) {
    ctx = asServiceRequest(ctx, keyId, context, viaService);
    KmsKey key = usableKey(ctx, keyId, "Encrypt", viaService);
    if (!key.spec.symmetric()) {
      Encrypted encrypted = AsymmetricKeys.encrypt(key, plaintext, context, algorithm, "Encrypt");
      key.recordUse("Encrypt", ctx.requestId(), ctx.now());
      return encrypted;
    }
    checkAlgorithm(key, algorithm);
    byte[] blob = CiphertextBlob.seal(key.accountId, key.keyId, key.currentMaterial(),
        EncryptionContext.canonical(context), plaintext);
    key.recordUse("Encrypt", ctx.requestId(), ctx.now());
    return new Encrypted(blob, key);
  }

  /**
   * Decrypts a blob this backend made. {@code keyId}, when given, must name the key the blob was
   * made under ({@code IncorrectKeyException} otherwise).
   */
  public Decrypted decrypt(RequestContext ctx, byte[] blob, String keyId, Map<String, String> context,
      String algorithm, String viaService) {
    return decrypt(asServiceRequest(ctx, keyId, context, viaService), blob, keyId, context, algorithm, viaService,
        "Decrypt");
  }

  /**
   * A call a service (Secrets Manager, Parameter Store) makes to KMS for its caller: the access
   * decision reads the KMS request the service makes (its key id and encryption context, as
   * {@code kms:EncryptionContext:SecretARN} and a grant's constraint must see them), not the
   * caller's request to that service.
   */
  private static RequestContext asServiceRequest(RequestContext ctx, String keyId, Map<String, String> context,
      String viaService) {
    if (viaService == null) {
      return ctx;
    }
    com.fasterxml.jackson.databind.node.ObjectNode input = dev.shunt.backend.core.Json.object();
    if (keyId != null) {
      input.put("KeyId", keyId);
    }
    if (context != null) {
      com.fasterxml.jackson.databind.node.ObjectNode pairs = input.putObject("EncryptionContext");
      context.forEach(pairs::put);
    }
    return new RequestContext(ctx.requestId(), ctx.identity(), ctx.now(), ctx.sourceIp(), ctx.userAgent(),
        ctx.audit(), input);
  }

  private Decrypted decrypt(RequestContext ctx, byte[] blob, String keyId, Map<String, String> context,
      String algorithm, String viaService, String action) {
    KmsKey requested = keyId == null ? null : resolve(ctx, keyId, true, true, action, viaService);
    if (requested != null && !requested.spec.symmetric()) {
      // An asymmetric ciphertext is the bare algorithm output: only the KeyId says whose it is.
      Decrypted decrypted = AsymmetricKeys.decrypt(requested, blob, context, algorithm, action);
      requested.recordUse(action.startsWith("ReEncrypt") ? "ReEncrypt" : action, ctx.requestId(), ctx.now());
      return decrypted;
    }
    CiphertextBlob.Header header = CiphertextBlob.header(blob);
    if (header == null) {
      throw KmsErrors.invalidCiphertext();
    }
    KmsRegion region = regions.peek(header.accountId(), ctx.region());
    KmsKey key = region == null ? null : region.key(header.keyId(), ctx.now());
    if (key == null) {
      throw KmsErrors.keyNotFound(KeyReference.keyArn(ctx.region(), header.accountId(), header.keyId()));
    }
    if (requested != null && requested != key) {
      throw KmsErrors.incorrectKey();
    }
    if (requested == null) {
      // Named by the ciphertext alone: resolve() has not seen it yet.
      ctx.audit().key(key.arn, key.keySpec, key.accountId, action, viaService);
      authorization.authorize(ctx, key, action, viaService);
    }
    requireEnabled(key);
    requireSymmetric(key, action);
    checkAlgorithm(key, algorithm);
    KeyMaterial material = key.material(header.materialId());
    byte[] plaintext = material == null ? null : CiphertextBlob.open(blob, material, EncryptionContext.canonical(context));
    if (plaintext == null) {
      throw KmsErrors.invalidCiphertext();
    }
    key.recordUse(action.startsWith("ReEncrypt") ? "ReEncrypt" : action, ctx.requestId(), ctx.now());
    return new Decrypted(plaintext, key, material.idHex());
  }

  /** ReEncrypt: decrypt under the source key, encrypt under the destination, never showing the plaintext. */
  record ReEncrypted(byte[] ciphertext, Decrypted source, KmsKey destination, String destinationAlgorithm) {}

  ReEncrypted reEncrypt(RequestContext ctx, byte[] blob, String sourceKeyId, Map<String, String> sourceContext,
      String sourceAlgorithm, String destinationKeyId, Map<String, String> destinationContext,
      String destinationAlgorithm) {
    Decrypted source = decrypt(ctx, blob, sourceKeyId, sourceContext, sourceAlgorithm, null, "ReEncryptFrom");
    KmsKey destination = usableKey(ctx, destinationKeyId, "ReEncryptTo", null);
    if (!destination.spec.symmetric()) {
      Encrypted encrypted = AsymmetricKeys.encrypt(destination, source.plaintext(), destinationContext,
          destinationAlgorithm, "ReEncrypt");
      return new ReEncrypted(encrypted.ciphertext(), source, destination, encrypted.algorithm());
    }
    checkAlgorithm(destination, destinationAlgorithm);
    byte[] ciphertext = CiphertextBlob.seal(destination.accountId, destination.keyId,
        destination.currentMaterial(), EncryptionContext.canonical(destinationContext), source.plaintext());
    destination.recordUse("ReEncrypt", ctx.requestId(), ctx.now());
    return new ReEncrypted(ciphertext, source, destination, KmsKey.SYMMETRIC_DEFAULT);
  }

  /** GenerateDataKey: {@code bytes} random bytes, returned in plaintext and encrypted under the key. */
  public DataKey generateDataKey(RequestContext ctx, String keyId, int bytes, Map<String, String> context,
      String viaService, String action) {
    ctx = asServiceRequest(ctx, keyId, context, viaService);
    KmsKey key = dataKeyWrappingKey(ctx, keyId, action, viaService);
    DataKey dataKey = sealDataKey(key, Randomness.bytes(bytes), context);
    key.recordUse(action, ctx.requestId(), ctx.now());
    return dataKey;
  }

  /** The key a data key (or data key pair) is sealed under: enabled, and symmetric, as AWS requires. */
  KmsKey dataKeyWrappingKey(RequestContext ctx, String keyId, String action) {
    return dataKeyWrappingKey(ctx, keyId, action, null);
  }

  private KmsKey dataKeyWrappingKey(RequestContext ctx, String keyId, String action, String viaService) {
    KmsKey key = usableKey(ctx, keyId, action, viaService);
    requireSymmetric(key, action);
    return key;
  }

  /** Seals data-key plaintext under the current material of a key {@link #dataKeyWrappingKey} returned. */
  DataKey sealDataKey(KmsKey key, byte[] plaintext, Map<String, String> context) {
    KeyMaterial material = key.currentMaterial();
    byte[] blob = CiphertextBlob.seal(key.accountId, key.keyId, material, EncryptionContext.canonical(context),
        plaintext);
    return new DataKey(plaintext, blob, key, material.idHex());
  }

  byte[] generateRandom(int bytes) {
    return Randomness.bytes(bytes);
  }

  /**
   * The key an operation kept beside this class (GenerateMac, VerifyMac) names: resolved from any
   * key reference, authorized for {@code action} and enabled, as every cryptographic operation's.
   */
  KmsKey enabledKey(RequestContext ctx, String keyId, String action) {
    return usableKey(ctx, keyId, action, null);
  }

  // ---- rotation ---------------------------------------------------------------------------

  void enableKeyRotation(RequestContext ctx, String keyId, Integer periodInDays) {
    KmsKey key = resolve(ctx, keyId, false, false, "EnableKeyRotation", null);
    requireAutomaticRotation(key, "EnableKeyRotation");
    requireEnabled(key);
    requireRotatable(key);
    int days = periodInDays == null ? KmsKey.DEFAULT_ROTATION_DAYS : periodInDays;
    if (key.multiRegion != null) {
      key.multiRegion.rotationSchedule(true, days, ctx.now().plus(Duration.ofDays(days)));
      return;
    }
    key.enableRotation(days, ctx.now());
  }

  void disableKeyRotation(RequestContext ctx, String keyId) {
    KmsKey key = resolve(ctx, keyId, false, false, "DisableKeyRotation", null);
    requireAutomaticRotation(key, "DisableKeyRotation");
    requireEnabled(key);
    requireRotatable(key);
    if (key.multiRegion != null) {
      key.multiRegion.rotationSchedule(false, key.rotationPeriodInDays(), null);
      return;
    }
    key.disableRotation();
  }

  KmsKey keyRotationStatus(RequestContext ctx, String keyId) {
    return resolve(ctx, keyId, false, true, "GetKeyRotationStatus", null);
  }

  KmsKey rotateKeyOnDemand(RequestContext ctx, String keyId) {
    KmsKey key = resolve(ctx, keyId, false, false, "RotateKeyOnDemand", null);
    requireEnabled(key);
    requireRotatable(key);
    if (key.onDemandRotations() >= MAX_ON_DEMAND_ROTATIONS) {
      throw KmsErrors.limitExceeded("The on-demand rotation limit (" + MAX_ON_DEMAND_ROTATIONS
          + ") has been reached for " + key.arn);
    }
    if (key.imported != null) {
      keyImport.rotateOnDemand(key, ctx.now());
    } else if (key.multiRegion != null) {
      requirePrimaryForRotation(key, "RotateKeyOnDemand");
      key.multiRegion.rotateOnDemand(ctx.now());
    } else {
      key.rotateOnDemand(ctx.now());
    }
    return key;
  }

  /**
   * Automatic rotation: not for imported material (AWS: UnsupportedOperationException), and set on
   * a multi-Region primary only (its replicas share the schedule).
   */
  private static void requireAutomaticRotation(KmsKey key, String action) {
    if (key.imported != null) {
      throw KmsErrors.unsupported(key.arn + " origin is " + key.origin + " which is not valid for this operation.");
    }
    if (key.multiRegion != null) {
      requirePrimaryForRotation(key, action);
    }
  }

  private static void requirePrimaryForRotation(KmsKey key, String action) {
    if (!key.multiRegion.isPrimary(key)) {
      throw KmsErrors.unsupported(action + " is not valid for the multi-Region replica key " + key.arn
          + "; rotation is managed on its primary key in " + key.multiRegion.primaryRegion() + ".");
    }
  }

  /** A page of a key's material versions. */
  record Rotations(KmsKey key, Page<KeyMaterial> page) {}

  /** ListKeyRotations: the rotations (or, with {@code includeInitial}, all material) of a key. */
  Rotations listKeyRotations(RequestContext ctx, String keyId, boolean includeInitial, int limit, String marker) {
    KmsKey key = resolve(ctx, keyId, false, false, "ListKeyRotations", null);
    List<KeyMaterial> materials;
    if (key.imported != null) {
      synchronized (key) {
        materials = key.imported.listed();
      }
    } else {
      materials = key.materials();
    }
    if (materials.isEmpty()) {
      return new Rotations(key, new Page<>(List.of(), null));
    }
    List<KeyMaterial> shown = includeInitial ? materials : materials.subList(1, materials.size());
    return new Rotations(key, page(LIST_KEY_ROTATIONS, shown, limit, marker));
  }

  // ---- tags and policies ------------------------------------------------------------------

  void tagResource(RequestContext ctx, String keyId, Map<String, String> tags) {
    KmsKey key = resolve(ctx, keyId, false, false, "TagResource", null);
    requireNotPendingDeletion(key);
    checkTags(tags);
    if (!key.tag(tags, MAX_TAGS_PER_KEY)) {
      throw KmsErrors.limitExceeded("The tag limit (" + MAX_TAGS_PER_KEY + ") has been exceeded for " + key.arn);
    }
  }

  void untagResource(RequestContext ctx, String keyId, List<String> tagKeys) {
    KmsKey key = resolve(ctx, keyId, false, false, "UntagResource", null);
    requireNotPendingDeletion(key);
    key.untag(tagKeys);
  }

  Page<Map.Entry<String, String>> listResourceTags(RequestContext ctx, String keyId, int limit, String marker) {
    KmsKey key = resolve(ctx, keyId, false, false, "ListResourceTags", null);
    return page(LIST_RESOURCE_TAGS, new ArrayList<>(key.tags().entrySet()), limit, marker);
  }

  String keyPolicy(RequestContext ctx, String keyId, String policyName) {
    KmsKey key = resolve(ctx, keyId, false, true, "GetKeyPolicy", null);
    checkPolicyName(policyName);
    return key.awsManaged() ? managedPolicy(key) : key.policy().text();
  }

  void putKeyPolicy(RequestContext ctx, String keyId, String policyName, String policyText) {
    KmsKey key = resolve(ctx, keyId, false, true, "PutKeyPolicy", null);
    checkPolicyName(policyName);
    requireNotPendingDeletion(key);
    PolicyDocument policy = authorization.parsePolicy(policyText);
    authorization.checkLockout(ctx, policy, key.arn, key.accountId);
    key.policy(policy);
  }

  void listKeyPolicies(RequestContext ctx, String keyId) {
    resolve(ctx, keyId, false, true, "ListKeyPolicies", null);
  }

  private static void checkPolicyName(String policyName) {
    if (policyName != null && !policyName.equals("default")) {
      throw new AwsException("NotFoundException", "No such policy exists");
    }
  }

  private static String managedPolicy(KmsKey key) {
    String partition = Identity.partitionOf(key.region);
    return "{\"Version\":\"2012-10-17\",\"Id\":\"auto-" + key.managedFor + "-1\",\"Statement\":[{\"Sid\":"
        + "\"Allow access through " + key.managedFor + " for all principals in the account that are authorized to use "
        + key.managedFor + "\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":[\"kms:Encrypt\","
        + "\"kms:Decrypt\",\"kms:ReEncrypt*\",\"kms:GenerateDataKey*\",\"kms:CreateGrant\",\"kms:DescribeKey\"],"
        + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:CallerAccount\":\"" + key.accountId
        + "\",\"kms:ViaService\":\"" + key.managedFor + "." + key.region + ".amazonaws.com\"}}},{\"Sid\":"
        + "\"Allow direct access to key metadata to the account\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
        + "\"arn:" + partition + ":iam::" + key.accountId + ":root\"},\"Action\":[\"kms:Describe*\",\"kms:Get*\","
        + "\"kms:List*\",\"kms:RevokeGrant\"],\"Resource\":\"*\"}]}";
  }

  static void checkTags(Map<String, String> tags) {
    for (String tagKey : tags.keySet()) {
      if (tagKey.startsWith("aws:")) {
        throw KmsErrors.tag("Tags beginning with aws: are reserved");
      }
    }
    if (tags.size() > MAX_TAGS_PER_KEY) {
      throw KmsErrors.tag("The number of tags (" + tags.size() + ") exceeds the limit of " + MAX_TAGS_PER_KEY);
    }
  }

  // ---- resolution, access and state -------------------------------------------------------

  /** Finds the key a request names, lazily creating AWS managed keys and applying due rotations, and authorizes it. */
  KmsKey resolve(RequestContext ctx, String text, boolean aliasAllowed, boolean crossAccount, String action,
      String viaService) {
    KmsKey key = find(ctx, text, aliasAllowed, crossAccount, action, viaService);
    authorization.authorize(ctx, key, action, viaService);
    return key;
  }

  private KmsKey find(RequestContext ctx, String text, boolean aliasAllowed, boolean crossAccount, String action,
      String viaService) {
    KeyReference ref = KeyReference.parse(text);
    if (ref.kind() == KeyReference.Kind.INVALID || (ref.isAlias() && !aliasAllowed)) {
      throw KmsErrors.invalidKeyId(text);
    }
    String accountId = ref.accountId() == null ? ctx.accountId() : ref.accountId();
    String regionName = ref.region() == null ? ctx.region() : ref.region();
    boolean elsewhere = !regionName.equals(ctx.region()) || (!crossAccount && !accountId.equals(ctx.accountId()));
    // Another account's key is only looked at (peek): naming an account must not make state for it.
    KmsRegion region = elsewhere ? null
        : accountId.equals(ctx.accountId()) ? regions.get(accountId, regionName) : regions.peek(accountId, regionName);
    KmsKey key;
    if (ref.isAlias()) {
      String aliasArn = KeyReference.aliasArn(regionName, accountId, ref.id());
      KmsAlias alias = region == null ? null : region.aliases.get(ref.id());
      if (alias == null && region != null && accountId.equals(ctx.accountId())) {
        String service = AwsManagedKeys.serviceOf(ref.id());
        if (service != null) {
          alias = managedAlias(ctx, region, service);
        }
      }
      key = alias == null ? null : region.key(alias.targetKeyId(), ctx.now());
      if (key == null) {
        throw KmsErrors.aliasNotFound(aliasArn);
      }
    } else {
      key = region == null ? null : region.key(ref.id().toLowerCase(Locale.ROOT), ctx.now());
      if (key == null) {
        throw KmsErrors.keyNotFound(KeyReference.keyArn(regionName, accountId, ref.id()));
      }
    }
    key.rotateIfDue(ctx.now());
    ctx.audit().key(key.arn, key.keySpec, key.accountId, action, viaService);
    return key;
  }

  /**
   * Makes the AWS managed keys from {@code seed} rather than at random: nodes sharing a store, each
   * making a Region's {@code aws/<service>} key on its first use, make the same key, so whatever one
   * sealed under its own before the other's was stored opens under the stored one.
   */
  public void deriveManagedKeysFrom(byte[] seed) {
    this.managedKeySeed = seed.clone();
  }

  private KmsAlias managedAlias(RequestContext ctx, KmsRegion region, String service) {
    String aliasName = AwsManagedKeys.PREFIX + service;
    synchronized (region) {
      KmsAlias alias = region.aliases.get(aliasName);
      if (alias == null) {
        byte[] seed = managedKeySeed;
        KmsKey key = seed == null ? new KmsKey(region.accountId, region.region, UUID.randomUUID().toString(),
            ctx.now(), AwsManagedKeys.description(service), service, null)
            : AwsManagedKeys.derived(seed, region.accountId, region.region, service, ctx.now());
        region.add(key);
        alias = new KmsAlias(aliasName, key.keyId, ctx.now(), ctx.now());
        region.aliases.put(aliasName, alias);
        Persistence.touched(key);
        KmsState.aliasChanged(region, aliasName);
      }
      return alias;
    }
  }

  KmsKey usableKey(RequestContext ctx, String keyId, String action, String viaService) {
    KmsKey key = resolve(ctx, keyId, true, true, action, viaService);
    requireEnabled(key);
    return key;
  }

  private static void checkAlgorithm(KmsKey key, String algorithm) {
    if (algorithm != null && !algorithm.equals(KmsKey.SYMMETRIC_DEFAULT)) {
      throw KmsErrors.invalidKeyUsage("The encryption algorithm " + algorithm + " is not valid for " + key.arn
          + ", whose KeySpec is " + key.keySpec);
    }
  }

  /**
   * The envelope operations (Encrypt, Decrypt, ReEncrypt, GenerateDataKey...) of a symmetric key;
   * for other keys AWS answers InvalidKeyUsageException.
   */
  static void requireSymmetric(KmsKey key, String operation) {
    if (key.spec != KeySpec.SYMMETRIC_DEFAULT) {
      throw KmsErrors.invalidKeyUsage(key.arn + " key usage is " + key.keyUsage + " which is not valid for "
          + operation + ".");
    }
  }

  /** AWS rotates only symmetric encryption keys' material. */
  private static void requireRotatable(KmsKey key) {
    if (key.spec != KeySpec.SYMMETRIC_DEFAULT) {
      throw KmsErrors.unsupported("You cannot rotate the key material of " + key.arn + ": automatic and on-demand "
          + "rotation are supported only for symmetric encryption KMS keys.");
    }
  }

  static void requireEnabled(KmsKey key) {
    switch (key.state()) {
      case Disabled -> throw KmsErrors.disabled(key.arn);
      case PendingDeletion, PendingReplicaDeletion -> throw KmsErrors.pendingDeletion(key.arn);
      case PendingImport -> throw KmsErrors.pendingImport(key.arn);
      default -> { }
    }
  }

  static void requireNotPendingDeletion(KmsKey key) {
    KeyState state = key.state();
    if (state == KeyState.PendingDeletion || state == KeyState.PendingReplicaDeletion) {
      throw KmsErrors.pendingDeletion(key.arn);
    }
  }

  private static void requireNotPendingImport(KmsKey key) {
    if (key.state() == KeyState.PendingImport) {
      throw KmsErrors.pendingImport(key.arn);
    }
  }

  /** Pages a small in-memory list; the marker holds the index of the next item. */
  private static <T> Page<T> page(String kind, List<T> all, int limit, String marker) {
    int from = marker == null ? 0 : PageTokens.openOffset(kind, marker, all.size());
    if (from < 0) {
      throw KmsErrors.invalidMarker();
    }
    int to = Math.min(all.size(), from + limit);
    return new Page<>(List.copyOf(all.subList(from, to)), to < all.size() ? PageTokens.sealOffset(kind, to) : null);
  }

  /** KMS's state as documents (store, seed files, export). */
  public dev.shunt.backend.store.StateSection stateSection() {
    return state;
  }
}
