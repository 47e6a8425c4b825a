package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.store.Persistent;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.StoreKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One KMS key. Identity is fixed at creation; the rest changes under the key's own lock, and
 * what the cryptographic hot path reads (state, material versions) is published through
 * volatile fields so Encrypt and Decrypt never lock.
 */
public final class KmsKey implements Persistent {
  static final String SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
  static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
  static final int DEFAULT_ROTATION_DAYS = 365;
  static final String AWS_KMS = "AWS_KMS";
  static final String EXTERNAL = "EXTERNAL";

  final String accountId;
  final String region;
  final String keyId;
  final String arn;
  final Instant creationDate;
  final KeySpec spec;
  /** The spec's name, as KeyMetadata and audit records show it. */
  final String keySpec;
  final String keyUsage;
  final String origin;
  /** The service an AWS managed key serves ({@code secretsmanager}...), null for customer keys. */
  final String managedFor;
  /** The related multi-Region keys this key is one of; null for a single-Region key. */
  final MultiRegionKeys.Related multiRegion;
  /** The material versions imported (or still to import) into an EXTERNAL key; null for other origins. */
  final KeyImport.Materials imported;

  private volatile KeyState state;
  private volatile KeyMaterial[] materials;
  private volatile Instant nextRotationDate;
  private String description;
  private Instant deletionDate;
  private Integer pendingWindowInDays;
  private boolean rotationEnabled;
  private int rotationPeriodInDays = DEFAULT_ROTATION_DAYS;
  private int onDemandRotations;
  private PolicyDocument policy;
  /** Null until the key has a tag: most keys never do, and an empty map is 56 bytes a key. */
  private Map<String, String> tags;
  /**
   * The key's last cryptographic use (GetKeyLastUsage). Written on the hot path without a lock
   * or an allocation: the operation and request id plainly, then the time through a volatile
   * write that publishes them; a reader that races a later use may pair its time with that
   * use's operation, which is as true an answer to "when was it last used".
   */
  /** Set once the key is gone for good (its deletion took effect): its store item is removed. */
  private boolean removed;
  /**
   * Set once another node's change took this object out of its Region (the key was removed there,
   * or another key took its id): a late change to it here must not write over what the store holds.
   */
  private volatile boolean superseded;
  private String lastUsedOperation;
  private String lastUsedRequestId;
  private volatile Instant lastUsedAt;

  /** A SYMMETRIC_DEFAULT key for encryption (every AWS managed key is one). */
  KmsKey(String accountId, String region, String keyId, Instant creationDate, String description, String managedFor,
      PolicyDocument policy) {
    this(accountId, region, keyId, creationDate, description, managedFor, policy, KeySpec.SYMMETRIC_DEFAULT,
        ENCRYPT_DECRYPT);
  }

  /** A key of any spec, with a usage that {@code spec} allows (the caller checked). */
  KmsKey(String accountId, String region, String keyId, Instant creationDate, String description, String managedFor,
      PolicyDocument policy, KeySpec spec, String keyUsage) {
    this(accountId, region, keyId, creationDate, description, managedFor, policy, spec, keyUsage, AWS_KMS, null,
        new KeyMaterial[] {KeyMaterial.generate(spec, creationDate)});
  }

  /**
   * A key of either origin: an EXTERNAL key starts with no material, in PendingImport; a
   * multi-Region replica starts with its primary's material versions (shared, never copied).
   */
  KmsKey(String accountId, String region, String keyId, Instant creationDate, String description, String managedFor,
      PolicyDocument policy, KeySpec spec, String keyUsage, String origin, MultiRegionKeys.Related multiRegion,
      KeyMaterial[] materials) {
    this.accountId = accountId;
    this.region = region;
    this.keyId = keyId;
    this.arn = KeyReference.keyArn(region, accountId, keyId);
    this.creationDate = creationDate;
    this.spec = spec;
    this.keySpec = spec.name();
    this.keyUsage = keyUsage;
    this.origin = origin;
    this.managedFor = managedFor;
    this.multiRegion = multiRegion;
    this.imported = origin.equals(EXTERNAL) ? new KeyImport.Materials() : null;
    this.description = description;
    this.policy = policy;
    this.materials = materials;
    this.state = materials.length == 0 ? KeyState.PendingImport : KeyState.Enabled;
    if (managedFor != null) {
      // AWS managed keys rotate every year, always.
      this.rotationEnabled = true;
      this.nextRotationDate = creationDate.plus(Duration.ofDays(DEFAULT_ROTATION_DAYS));
    }
  }

  public String keyId() {
    return keyId;
  }

  public String arn() {
    return arn;
  }

  /** Notes a cryptographic use; cheap enough for every Encrypt and Decrypt (see {@link #lastUsedAt}). */
  void recordUse(String operation, String requestId, Instant now) {
    Instant last = lastUsedAt;
    if (last != null && last.isAfter(now)) {
      return; // a later use is already recorded (the clock may be moved back)
    }
    // Under load a key is used many thousand times a second from every core: rewriting its last use
    // each time makes the cores fight over the key's cache line (the symmetric Decrypt rate fell 3 %).
    // The same operation within the same second keeps its record; AWS's own tracking is coarser.
    if (last != null && operation.equals(lastUsedOperation) && now.toEpochMilli() - last.toEpochMilli() < 1000) {
      return;
    }
    lastUsedOperation = operation;
    lastUsedRequestId = requestId;
    lastUsedAt = now;
  }

  /** The last use, or null if the key was never used for cryptography. */
  KeyLastUsage lastUsage() {
    Instant at = lastUsedAt;
    return at == null ? null : new KeyLastUsage(lastUsedOperation, at, lastUsedRequestId);
  }

  boolean awsManaged() {
    return managedFor != null;
  }

  KeyState state() {
    return state;
  }

  /** False for an EXTERNAL key none of whose material is imported right now. */
  boolean hasMaterial() {
    return materials.length > 0;
  }

  KeyMaterial currentMaterial() {
    KeyMaterial[] all = materials;
    if (all.length == 0) {
      // Imported material deleted between the state check and this read: AWS's answer for the state.
      throw KmsErrors.pendingImport(arn);
    }
    return all[all.length - 1];
  }

  /** The material a ciphertext names, or null when this key never had it. */
  KeyMaterial material(byte[] materialId) {
    for (KeyMaterial material : materials) {
      if (Arrays.equals(material.id(), materialId)) {
        return material;
      }
    }
    return null;
  }

  List<KeyMaterial> materials() {
    return List.of(materials);
  }

  /** Applies the automatic rotations that fell due up to {@code now} (the clock may have jumped). */
  void rotateIfDue(Instant now) {
    Instant next = nextRotationDate;
    if (next == null || next.isAfter(now)) {
      return;
    }
    if (multiRegion != null) {
      multiRegion.rotateIfDue(now);
      return;
    }
    synchronized (this) {
      while (rotationEnabled && nextRotationDate != null && !nextRotationDate.isAfter(now)) {
        addMaterial(KeyMaterial.generate(nextRotationDate, "AUTOMATIC"));
        nextRotationDate = nextRotationDate.plus(Duration.ofDays(rotationPeriodInDays));
        touched();
      }
    }
  }

  synchronized void rotateOnDemand(Instant now) {
    addMaterial(KeyMaterial.generate(now, "ON_DEMAND"));
    onDemandRotations++;
    touched();
  }

  /** Publishes a new set of material versions (imports, deletions, rotations shared across Regions). */
  synchronized void materials(KeyMaterial[] versions) {
    materials = versions;
    touched();
  }

  /** Sets the rotation schedule (multi-Region keys share their primary's). */
  synchronized void rotationSchedule(boolean enabled, int periodInDays, Instant next) {
    rotationEnabled = enabled;
    rotationPeriodInDays = periodInDays;
    nextRotationDate = next;
    touched();
  }

  synchronized void countOnDemandRotation() {
    onDemandRotations++;
    touched();
  }

  /** Moves between Enabled, Disabled and PendingImport as material comes and goes. */
  synchronized void state(KeyState state) {
    this.state = state;
    touched();
  }

  void addMaterial(KeyMaterial material) {
    KeyMaterial[] grown = Arrays.copyOf(materials, materials.length + 1);
    grown[grown.length - 1] = material;
    materials = grown;
  }

  synchronized int onDemandRotations() {
    return onDemandRotations;
  }

  synchronized void enable() {
    state = KeyState.Enabled;
    touched();
  }

  synchronized void disable() {
    state = KeyState.Disabled;
    touched();
  }

  synchronized void scheduleDeletion(Instant deletionDate, int windowInDays) {
    this.state = KeyState.PendingDeletion;
    this.deletionDate = deletionDate;
    this.pendingWindowInDays = windowInDays;
    touched();
  }

  /** A multi-Region primary whose replicas must go first: its waiting period starts when the last one is deleted. */
  synchronized void scheduleDeletionAfterReplicas(int windowInDays) {
    this.state = KeyState.PendingReplicaDeletion;
    this.deletionDate = null;
    this.pendingWindowInDays = windowInDays;
    touched();
  }

  synchronized void cancelDeletion() {
    // AWS leaves a cancelled key disabled; one still missing imported material waits for it.
    this.state = imported != null && imported.missingMaterial() ? KeyState.PendingImport : KeyState.Disabled;
    this.deletionDate = null;
    this.pendingWindowInDays = null;
    touched();
  }

  /** True once a scheduled deletion's date has passed: the key is gone. */
  boolean deletedBy(Instant now) {
    KeyState current = state;
    if (current == KeyState.PendingReplicaDeletion) {
      multiRegion.startPrimaryDeletionOnceReplicasAreGone(this, now);
      current = state;
    }
    if (current != KeyState.PendingDeletion) {
      return false;
    }
    synchronized (this) {
      return deletionDate != null && !deletionDate.isAfter(now);
    }
  }

  synchronized Instant deletionDate() {
    return deletionDate;
  }

  synchronized Integer pendingWindowInDays() {
    return pendingWindowInDays;
  }

  synchronized String description() {
    return description;
  }

  synchronized void description(String description) {
    this.description = description;
    touched();
  }

  synchronized void enableRotation(int periodInDays, Instant now) {
    rotationEnabled = true;
    rotationPeriodInDays = periodInDays;
    nextRotationDate = now.plus(Duration.ofDays(periodInDays));
    touched();
  }

  synchronized void disableRotation() {
    rotationEnabled = false;
    nextRotationDate = null;
    touched();
  }

  synchronized boolean rotationEnabled() {
    return rotationEnabled;
  }

  synchronized int rotationPeriodInDays() {
    return rotationPeriodInDays;
  }

  Instant nextRotationDate() {
    return nextRotationDate;
  }

  synchronized PolicyDocument policy() {
    return policy;
  }

  synchronized void policy(PolicyDocument policy) {
    this.policy = policy;
    touched();
  }

  synchronized Map<String, String> tags() {
    return tags == null ? new LinkedHashMap<>() : new LinkedHashMap<>(tags);
  }

  /** Adds or replaces tags; returns false (changing nothing) when the result would exceed {@code limit}. */
  synchronized boolean tag(Map<String, String> added, int limit) {
    if (added.isEmpty()) {
      return true;
    }
    Map<String, String> merged = tags();
    merged.putAll(added);
    if (merged.size() > limit) {
      return false;
    }
    tags = merged;
    touched();
    return true;
  }

  synchronized void untag(List<String> keys) {
    if (tags != null) {
      keys.forEach(tags::remove);
    }
    touched();
  }

  // ---- the store ---------------------------------------------------------------------------

  /** The key is gone for good: its store item is removed. */
  synchronized void removed() {
    removed = true;
    Persistence.removed(this);
  }

  @Override
  public StoreKey storeKey() {
    return new StoreKey(KmsState.KEYS, accountId, region, keyId);
  }

  @Override
  public ObjectNode document() {
    return removed ? null : KmsDocuments.key(this, SecretFields.plain(null));
  }

  /** Publishes material versions without telling the store (restoring state that came from it). */
  void publishMaterials(KeyMaterial[] versions) {
    materials = versions;
  }

  /**
   * Whether {@code other} is this key as far as what never changes goes (spec, usage, origin,
   * creation, AWS managed or not, multi-Region or not): then another node's version of it can be
   * taken in place ({@link #replaceWith}).
   */
  boolean sameIdentity(KmsKey other) {
    return keySpec.equals(other.keySpec) && keyUsage.equals(other.keyUsage) && origin.equals(other.origin)
        && creationDate.equals(other.creationDate) && java.util.Objects.equals(managedFor, other.managedFor)
        && (multiRegion == null) == (other.multiRegion == null);
  }

  /**
   * Takes the state of {@code stored}, this key as another node wrote it (built from its document,
   * not shared with any thread), in place and without writing it back. In place, not a new object
   * in the map: requests here hold this object, and every change to it is made under its monitor,
   * so a request changing the key after this sees the stored state and adds to it, and one before
   * it is overwritten by the document, as it would be on the node that wrote it; a new object
   * would silently lose (and later write back over the store) what a request does to the old one.
   * Readers under the monitor (Describe, policies, tags, the store) see all of it or none; the
   * lock-free cryptographic path reads two volatile fields, published material first (which only
   * grows, so a ciphertext the old or the new state made opens) and the state last.
   *
   * <p>The material versions are the document's, the last current; a version already held here
   * or anywhere among {@code relatives} (related multi-Region keys) is shared, not copied. An EXTERNAL key's imported material is the document's: a deletion of imported
   * material on the other node deletes it here too, as AWS does.
   */
  synchronized void replaceWith(KmsKey stored, List<KmsKey> relatives) {
    if (imported != null) {
      imported.replace(this, stored.imported);
    } else {
      publishMaterials(merged(materials, stored.materials, relatives));
    }
    description = stored.description;
    policy = stored.policy;
    tags = stored.tags == null ? null : new LinkedHashMap<>(stored.tags);
    deletionDate = stored.deletionDate;
    pendingWindowInDays = stored.pendingWindowInDays;
    rotationEnabled = stored.rotationEnabled;
    rotationPeriodInDays = stored.rotationPeriodInDays;
    onDemandRotations = stored.onDemandRotations;
    nextRotationDate = stored.nextRotationDate;
    state = stored.state;
  }

  /**
   * Makes a key not yet shared use the material objects its related multi-Region keys already
   * hold, so that (as ReplicateKey makes them) related keys share their versions.
   */
  void shareMaterials(List<KmsKey> relatives) {
    if (imported == null) {
      publishMaterials(merged(new KeyMaterial[0], materials, relatives));
    }
  }

  /**
   * The document's versions, each an object held already when there is one. A version this node
   * made that the document does not name was never stored (its rotation lost to another node's):
   * it goes, so that every node holds the same rotations.
   */
  private static KeyMaterial[] merged(KeyMaterial[] kept, KeyMaterial[] stated, List<KmsKey> relatives) {
    List<KeyMaterial> versions = new java.util.ArrayList<>(stated.length);
    for (KeyMaterial theirs : stated) {
      KeyMaterial held = find(kept, theirs.id());
      for (int i = 0; held == null && i < relatives.size(); i++) {
        held = relatives.get(i).material(theirs.id());
      }
      versions.add(held != null ? held : theirs);
    }
    return versions.toArray(new KeyMaterial[0]);
  }

  private static KeyMaterial find(KeyMaterial[] versions, byte[] id) {
    for (KeyMaterial version : versions) {
      if (Arrays.equals(version.id(), id)) {
        return version;
      }
    }
    return null;
  }

  /** The key is gone for good on another node (or replaced there): nothing it does is written from now on. */
  synchronized void forgotten() {
    removed = true;
    superseded = true;
  }

  /** Tells the store this key changed, unless another node's change superseded it. */
  private void touched() {
    if (!superseded) {
      Persistence.touched(this);
    }
  }

  /** Sets what a stored or seeded key holds beyond its identity (under no contention: it is not yet shared). */
  synchronized void restore(KeyState state, Instant deletionDate, Integer windowInDays, boolean rotationEnabled,
      int periodInDays, Instant nextRotation, int onDemand, Map<String, String> restoredTags) {
    this.state = state;
    this.deletionDate = deletionDate;
    this.pendingWindowInDays = windowInDays;
    this.rotationEnabled = rotationEnabled;
    this.rotationPeriodInDays = periodInDays;
    this.nextRotationDate = nextRotation;
    this.onDemandRotations = onDemand;
    this.tags = restoredTags.isEmpty() ? null : new LinkedHashMap<>(restoredTags);
  }
}
