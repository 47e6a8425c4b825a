package dev.shunt.backend.secrets;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.store.Persistent;
import dev.shunt.backend.store.StoreKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One secret: its metadata, its versions and their staging labels, rotation settings, resource
 * policy and replication. Every field below the identity is guarded by the secret's own monitor:
 * {@link SecretsBackend} holds it for each read-modify-write, so label moves are atomic. Every
 * change is followed by {@link #touched}: the store then writes its {@link #document}, as {@link
 * SecretDocuments} describes it.
 */
final class Secret implements Persistent {
  static final String KIND = "secrets";
  /** The rotation schedule: one of AutomaticallyAfterDays or ScheduleExpression, and the window. */
  record RotationRules(Long automaticallyAfterDays, String duration, String scheduleExpression) {}

  /** A replica of this (primary) secret in another Region, as ReplicationStatus reports it. */
  static final class Replica {
    final String region;
    String kmsKeyId;
    String status;
    String statusMessage;

    Replica(String region, String kmsKeyId) {
      this.region = region;
      this.kmsKeyId = kmsKeyId;
    }
  }

  final String accountId;
  final String region;
  final String name;
  final String arn;
  final Instant createdDate;

  String description;
  /** The KMS key as the caller named it; null for the default {@code aws/secretsmanager}. */
  String kmsKeyId;
  String type;
  final Map<String, String> tags = new LinkedHashMap<>();
  /** Whether the secret ever had a tag: AWS then shows {@code Tags}, empty once all are removed. */
  boolean everTagged;
  /** Versions in creation order (sized for the usual one or two, not the default 16). */
  final LinkedHashMap<String, SecretVersion> versions = new LinkedHashMap<>(2);
  /** Set only through {@link #changed}, which keeps the Region's index by it in step. */
  Instant lastChangedDate;
  /** Set only through {@link #accessed}, which keeps the Region's index by it in step. */
  Instant lastAccessedDate;
  /** The Region state whose indexes hold this secret, while they do. */
  SecretsRegion home;
  /** When DeleteSecret was called; null unless the secret is scheduled for deletion. */
  Instant deletedDate;
  /** When a scheduled deletion takes effect. */
  Instant deletionDate;

  boolean rotationEnabled;
  String rotationLambdaArn;
  RotationRules rotationRules;
  Instant lastRotatedDate;
  Instant nextRotationDate;
  /** The version a rotation in progress is making (the token), or null. */
  String rotatingVersionId;

  PolicyDocument resourcePolicy;
  /** The primary's Region; equal to {@link #region} for a primary secret. */
  String primaryRegion;
  /** Whether the secret ever had a replica or was one: AWS shows {@code PrimaryRegion} only then. */
  boolean everReplicated;
  final Map<String, Replica> replicas = new LinkedHashMap<>();

  Secret(String accountId, String region, String name, String arn, Instant createdDate) {
    this.accountId = accountId;
    this.region = region;
    this.name = name;
    this.arn = arn;
    this.createdDate = createdDate;
    this.lastChangedDate = createdDate;
    this.primaryRegion = region;
  }

  /** Sets LastChangedDate (under this secret's monitor), moving the secret in its Region's index by it. */
  void changed(Instant date) {
    if (!date.equals(lastChangedDate)) {
      SecretsRegion indexed = home;
      if (indexed != null) {
        indexed.unindexDates(this);
      }
      lastChangedDate = date;
      if (indexed != null) {
        indexed.indexDates(this);
      }
    }
  }

  /** Sets LastAccessedDate (a day; under this secret's monitor), moving the secret in its Region's index by it. */
  void accessed(Instant day) {
    if (!day.equals(lastAccessedDate)) {
      SecretsRegion indexed = home;
      if (indexed != null) {
        indexed.unindexDates(this);
      }
      lastAccessedDate = day;
      if (indexed != null) {
        indexed.indexDates(this);
      }
    }
  }

  /**
   * Takes the state of {@code stored}, this secret as another node wrote it (same name, ARN and
   * creation; built from its document and not shared), in place under this secret's monitor:
   * every request reads and changes a secret under that monitor (label moves included), so it
   * sees the old secret or the new, and one that changes it afterwards adds to the new. The
   * Region's date indexes move with the dates. Nothing is written back. Returns false, changing
   * nothing, when this secret has left its Region meanwhile (then the caller looks again).
   */
  synchronized boolean replaceWith(Secret stored) {
    SecretsRegion indexed = home;
    if (indexed == null) {
      return false;
    }
    synchronized (stored) {
      description = stored.description;
      kmsKeyId = stored.kmsKeyId;
      type = stored.type;
      tags.clear();
      tags.putAll(stored.tags);
      everTagged = stored.everTagged;
      LinkedHashMap<String, SecretVersion> next = new LinkedHashMap<>(stored.versions);
      for (SecretVersion version : next.values()) {
        SecretVersion mine = versions.get(version.versionId);
        if (mine != null && version.valueDigest == null && sameValue(mine.value, version.value)) {
          version.valueDigest = mine.valueDigest; // the same plaintext: an idempotent retry is still recognised
        }
      }
      versions.clear();
      versions.putAll(next);
      indexed.unindexDates(this);
      lastChangedDate = stored.lastChangedDate;
      lastAccessedDate = stored.lastAccessedDate;
      indexed.indexDates(this);
      deletedDate = stored.deletedDate;
      deletionDate = stored.deletionDate;
      rotationEnabled = stored.rotationEnabled;
      rotationLambdaArn = stored.rotationLambdaArn;
      rotationRules = stored.rotationRules;
      lastRotatedDate = stored.lastRotatedDate;
      nextRotationDate = stored.nextRotationDate;
      if (rotatingVersionId != null && !versions.containsKey(rotatingVersionId)) {
        rotatingVersionId = null; // its version is gone there: the rotation here has nothing left to finish
      }
      resourcePolicy = stored.resourcePolicy;
      primaryRegion = stored.primaryRegion;
      everReplicated = stored.everReplicated;
      replicas.clear();
      replicas.putAll(stored.replicas);
      return true;
    }
  }

  private static boolean sameValue(SecretCipher.Sealed a, SecretCipher.Sealed b) {
    return a != null && b != null && a.binary() == b.binary() && java.util.Objects.equals(a.kmsKeyArn(), b.kmsKeyArn())
        && java.util.Arrays.equals(a.wrappedKey(), b.wrappedKey()) && java.util.Arrays.equals(a.sealed(), b.sealed());
  }

  @Override
  public StoreKey storeKey() {
    return new StoreKey(SecretsState.SECTION + "." + KIND, accountId, region, name);
  }

  /**
   * Tells the store this secret changed. A secret out of its Region's maps is not written again:
   * its removal was, and a change that comes late (a rotation finishing after a forced deletion)
   * must not write a removal over a secret made since under the same name.
   */
  void touched() {
    synchronized (this) {
      if (home != null) {
        Persistence.touched(this);
      }
    }
  }

  /** The whole secret, values in their sealed form; null once it has left its Region (deleted, replaced). */
  @Override
  public ObjectNode document() {
    return home == null ? null : SecretDocuments.stored(this);
  }

  boolean isReplica() {
    return !primaryRegion.equals(region);
  }

  boolean markedForDeletion() {
    return deletedDate != null;
  }

  /** The version a staging label is attached to, or null. */
  SecretVersion versionWithStage(String stage) {
    for (SecretVersion version : versions.values()) {
      if (version.stages.contains(stage)) {
        return version;
      }
    }
    return null;
  }

  /** Version ids to their labels, for versions that have any (DescribeSecret's VersionIdsToStages). */
  Map<String, java.util.List<String>> versionIdsToStages() {
    Map<String, java.util.List<String>> map = new LinkedHashMap<>();
    versions.values().forEach(v -> {
      if (!v.stages.isEmpty()) {
        map.put(v.versionId, java.util.List.copyOf(v.stages));
      }
    });
    return map;
  }
}
