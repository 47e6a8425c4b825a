package dev.shunt.backend.kms;

import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.Randomness;
import dev.shunt.backend.state.RegionalStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-Region keys: ReplicateKey and UpdatePrimaryRegion, and the rules related keys share. Related
 * keys have one key id ({@code mrk-...}) and share their material versions (the same
 * {@link KeyMaterial} objects, so a ciphertext made in one Region opens in any other: Decrypt finds
 * the key by the id the ciphertext carries, in the caller's Region) and their rotation schedule.
 *
 * <p>AWS changes the primary Region asynchronously (both keys pass through {@code Updating});
 * Shunt switches it at once, so DescribeKey shows the new primary as soon as the call returns.
 */
final class MultiRegionKeys {
  static final String KEY_ID_PREFIX = "mrk-";

  private final KmsBackend kms;
  private final RegionalStore<KmsRegion> regions;
  private volatile AwsRegions acceptedRegions = AwsRegions.published();

  MultiRegionKeys(KmsBackend kms, RegionalStore<KmsRegion> regions) {
    this.kms = kms;
    this.regions = regions;
  }

  /** The Regions a key may be replicated to (each replica holds state there). */
  void acceptedRegions(AwsRegions accepted) {
    this.acceptedRegions = accepted;
  }

  static String newKeyId() {
    return KEY_ID_PREFIX + HexFormat.of().formatHex(Randomness.bytes(16));
  }

  /** The keys related to one another, by Region, and which Region holds the primary. */
  static final class Related {
    private record Member(KmsKey key, KmsRegion home) {}

    private final Map<String, Member> members = new LinkedHashMap<>();
    private String primaryRegion;
    /** When the last replica scheduled for deletion went: a pending primary's waiting period starts there. */
    private Instant lastReplicaDeletedAt;

    Related(String primaryRegion) {
      this.primaryRegion = primaryRegion;
    }

    synchronized void add(KmsKey key, KmsRegion home) {
      members.put(key.region, new Member(key, home));
    }

    synchronized boolean isPrimary(KmsKey key) {
      return key.region.equals(primaryRegion);
    }

    synchronized String primaryRegion() {
      return primaryRegion;
    }

    synchronized KmsKey primary() {
      Member primary = members.get(primaryRegion);
      return primary == null ? null : primary.key;
    }

    /** The related key in {@code region}, or null. */
    synchronized KmsKey in(String region) {
      Member member = members.get(region);
      return member == null ? null : member.key;
    }

    synchronized List<KmsKey> keys() {
      List<KmsKey> keys = new ArrayList<>(members.size());
      members.values().forEach(member -> keys.add(member.key));
      return keys;
    }

    /** Another node moved the primary (UpdatePrimaryRegion there): every related key here shows it. */
    synchronized void primaryRegion(String region) {
      primaryRegion = region;
    }

    /** A key is no longer one of these (another took its id and Region): no deletion is recorded. */
    synchronized void leave(KmsKey key) {
      Member member = members.get(key.region);
      if (member != null && member.key == key) {
        members.remove(key.region);
      }
    }

    /** A related key was removed for good (its waiting period ended). */
    synchronized void deleted(KmsKey key) {
      Member member = members.get(key.region);
      if (member != null && member.key == key) {
        members.remove(key.region);
        Instant at = key.deletionDate();
        if (at != null && (lastReplicaDeletedAt == null || at.isAfter(lastReplicaDeletedAt))) {
          lastReplicaDeletedAt = at;
        }
      }
    }

    /** The replicas of {@code primary} that still exist at {@code now} (those past their deletion date go). */
    synchronized int liveReplicas(KmsKey primary, Instant now) {
      int live = 0;
      for (Member member : new ArrayList<>(members.values())) {
        if (member.key == primary) {
          continue;
        }
        if (member.key.deletedBy(now)) {
          member.home.delete(member.key);
        } else {
          live++;
        }
      }
      return live;
    }

    /** PendingReplicaDeletion → PendingDeletion once the last replica is gone, dated from its deletion. */
    synchronized void startPrimaryDeletionOnceReplicasAreGone(KmsKey primary, Instant now) {
      if (primary.state() != KeyState.PendingReplicaDeletion || liveReplicas(primary, now) > 0) {
        return;
      }
      int window = primary.pendingWindowInDays();
      Instant from = lastReplicaDeletedAt == null ? now : lastReplicaDeletedAt;
      primary.scheduleDeletion(from.plus(Duration.ofDays(window)), window);
    }

    /** Applies the automatic rotations due by {@code now} to every related key at once. */
    synchronized void rotateIfDue(Instant now) {
      KmsKey primary = primary();
      if (primary == null) {
        return;
      }
      boolean enabled = primary.rotationEnabled();
      int period = primary.rotationPeriodInDays();
      Instant next = primary.nextRotationDate();
      boolean rotated = false;
      while (enabled && next != null && !next.isAfter(now)) {
        addToAll(KeyMaterial.generate(next, "AUTOMATIC"));
        next = next.plus(Duration.ofDays(period));
        rotated = true;
      }
      if (rotated) {
        for (Member member : members.values()) {
          member.key.rotationSchedule(enabled, period, next);
        }
      }
    }

    synchronized void rotateOnDemand(Instant now) {
      addToAll(KeyMaterial.generate(now, "ON_DEMAND"));
      primary().countOnDemandRotation();
    }

    /** EnableKeyRotation and DisableKeyRotation on the primary set the schedule of every related key. */
    synchronized void rotationSchedule(boolean enabled, int periodInDays, Instant next) {
      for (Member member : members.values()) {
        member.key.rotationSchedule(enabled, periodInDays, next);
      }
    }

    private void addToAll(KeyMaterial material) {
      for (Member member : members.values()) {
        List<KeyMaterial> versions = member.key.materials();
        KeyMaterial[] grown = versions.toArray(new KeyMaterial[versions.size() + 1]);
        grown[grown.length - 1] = material;
        member.key.materials(grown);
      }
    }
  }

  // ---- ReplicateKey -----------------------------------------------------------------------

  /** ReplicateKey: a key with the primary's id, material and rotation schedule, in {@code replicaRegion}. */
  KmsKey replicateKey(RequestContext ctx, String keyId, String replicaRegion, String policyText, String description,
      Map<String, String> tags) {
    KmsKey primary = kms.resolve(ctx, keyId, false, false, "ReplicateKey", null);
    Related related = requirePrimary(primary, "ReplicateKey");
    requireNotPendingDeletion(primary);
    if (replicaRegion.equals(primary.region)) {
      throw KmsErrors.validation("The replica Region " + replicaRegion + " must differ from the Region of "
          + primary.arn);
    }
    if (!acceptedRegions.accepts(replicaRegion)) {
      throw KmsErrors.unsupported(replicaRegion + " is not a supported Region for replica keys");
    }
    if (!Identity.partitionOf(replicaRegion).equals(Identity.partitionOf(primary.region))) {
      throw KmsErrors.unsupported("Replica keys must be in the partition of their primary key ("
          + Identity.partitionOf(primary.region) + "); " + replicaRegion + " is in "
          + Identity.partitionOf(replicaRegion));
    }
    PolicyDocument policy = policyText == null ? KeyPolicy.defaultFor(ctx.partition(), ctx.accountId())
        : PolicyDocument.parse(policyText);
    kms.checkTags(tags);
    KmsRegion home = regions.get(primary.accountId, replicaRegion);
    KmsKey replica;
    synchronized (related) {
      KmsKey existing = related.in(replicaRegion);
      if (existing != null && home.key(existing.keyId, ctx.now()) != null) {
        throw KmsErrors.alreadyExists("Multi-region key " + primary.keyId + " already exists in region "
            + replicaRegion);
      }
      kms.countCustomerKey(home);
      boolean external = primary.imported != null;
      replica = new KmsKey(primary.accountId, replicaRegion, primary.keyId, ctx.now(),
          description == null ? "" : description, null, policy, primary.spec, primary.keyUsage, primary.origin, related,
          external ? new KeyMaterial[0] : primary.materials().toArray(new KeyMaterial[0]));
      if (external) {
        synchronized (primary) {
          replica.imported.copyAssociation(primary.imported);
        }
      }
      replica.rotationSchedule(primary.rotationEnabled(), primary.rotationPeriodInDays(), primary.nextRotationDate());
      replica.tag(tags, KmsBackend.MAX_TAGS_PER_KEY);
      home.add(replica);
      related.add(replica, home);
      Persistence.touched(replica);
    }
    ctx.audit().key(replica.arn, replica.keySpec, replica.accountId, "ReplicateKey", null);
    return replica;
  }

  // ---- UpdatePrimaryRegion ----------------------------------------------------------------

  /** UpdatePrimaryRegion: the replica in {@code primaryRegion} becomes the primary, this key a replica. */
  void updatePrimaryRegion(RequestContext ctx, String keyId, String primaryRegion) {
    KmsKey primary = kms.resolve(ctx, keyId, false, false, "UpdatePrimaryRegion", null);
    Related related = requirePrimary(primary, "UpdatePrimaryRegion");
    requireNotPendingDeletion(primary);
    if (primary.state() == KeyState.Disabled) {
      throw KmsErrors.disabled(primary.arn);
    }
    if (primaryRegion.equals(primary.region)) {
      throw KmsErrors.unsupported(primary.arn + " is already the primary key in " + primaryRegion);
    }
    synchronized (related) {
      KmsKey replica = related.in(primaryRegion);
      KmsRegion home = regions.peek(primary.accountId, primaryRegion);
      if (replica == null || home == null || home.key(replica.keyId, ctx.now()) == null) {
        throw KmsErrors.keyNotFound(KeyReference.keyArn(primaryRegion, primary.accountId, primary.keyId));
      }
      if (replica.state() == KeyState.PendingDeletion) {
        throw KmsErrors.pendingDeletion(replica.arn);
      }
      related.primaryRegion = primaryRegion;
      related.keys().forEach(Persistence::touched);
    }
  }

  private static Related requirePrimary(KmsKey key, String action) {
    Related related = key.multiRegion;
    if (related == null) {
      throw KmsErrors.unsupported(key.arn + " is not a multi-Region key. " + action
          + " is valid only for multi-Region primary keys.");
    }
    if (!related.isPrimary(key)) {
      throw KmsErrors.unsupported(key.arn + " is not a multi-Region primary key; call " + action
          + " in the primary Region, " + related.primaryRegion() + ".");
    }
    return related;
  }

  private static void requireNotPendingDeletion(KmsKey key) {
    KeyState state = key.state();
    if (state == KeyState.PendingDeletion || state == KeyState.PendingReplicaDeletion) {
      throw KmsErrors.pendingDeletion(key.arn);
    }
  }

  /** The MultiRegionConfiguration a key shows: its type, the primary and every replica. */
  record Configuration(boolean primary, String primaryArn, String primaryRegion, List<KmsKey> replicas) {}

  static Configuration configuration(KmsKey key) {
    Related related = key.multiRegion;
    synchronized (related) {
      List<KmsKey> replicas = new ArrayList<>();
      for (KmsKey other : related.keys()) {
        if (!other.region.equals(related.primaryRegion)) {
          replicas.add(other);
        }
      }
      return new Configuration(related.isPrimary(key),
          KeyReference.keyArn(related.primaryRegion, key.accountId, key.keyId), related.primaryRegion, replicas);
    }
  }

}
