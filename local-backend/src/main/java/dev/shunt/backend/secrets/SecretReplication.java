package dev.shunt.backend.secrets;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replica secrets in other Regions: ReplicateSecretToRegions (and CreateSecret's AddReplicaRegions),
 * RemoveRegionsFromReplication, StopReplicationToReplica, and bringing in-sync replicas up to date
 * after every write to their primary. Each replica is a secret of its own Region, its values
 * encrypted there under its own key.
 */
final class SecretReplication {
  private final SecretsBackend secrets;

  SecretReplication(SecretsBackend secrets) {
    this.secrets = secrets;
  }

  Secret replicateSecretToRegions(RequestContext ctx, String secretId, List<SecretsBackend.ReplicaRequest> replicas,
      boolean force) {
    Secret secret = secrets.find(ctx, secretId, "ReplicateSecretToRegions");
    SecretsBackend.requireWritable(secret);
    replicate(ctx, secret, replicas, force);
    return secret;
  }

  void replicate(RequestContext ctx, Secret primary, List<SecretsBackend.ReplicaRequest> requests, boolean force) {
    for (SecretsBackend.ReplicaRequest request : requests) {
      if (request.region().equals(primary.region)) {
        throw SecretsErrors.invalidParameter("Invalid replica region: " + request.region()
            + " is the primary Region of the secret.");
      }
      Secret.Replica replica;
      synchronized (primary) {
        if (primary.replicas.containsKey(request.region())) {
          continue;
        }
        replica = new Secret.Replica(request.region(), request.kmsKeyId());
        replica.status = "InProgress";
        primary.replicas.put(request.region(), replica);
        primary.everReplicated = true;
        primary.touched();
      }
      RequestContext there = ctx.inRegion(request.region());
      SecretsRegion target = secrets.region(primary.accountId, request.region());
      Secret existing = secrets.locate(there, primary.name);
      if (existing != null && !force) {
        synchronized (primary) {
          replica.status = "Failed";
          replica.statusMessage = "Replication failed: Secret with name " + primary.name
              + " already exists in this region.";
          primary.touched();
        }
        continue;
      }
      if (existing != null) {
        target.remove(existing);
        secrets.rotations().forget(existing);
      }
      String arn = primary.arn.replace(":" + primary.region + ":", ":" + request.region() + ":");
      Secret copy = new Secret(primary.accountId, request.region(), primary.name, arn, primary.createdDate);
      synchronized (copy) {
        copy.primaryRegion = primary.region;
        copy.everReplicated = true;
        copy.kmsKeyId = request.kmsKeyId();
      }
      try {
        copyInto(ctx, primary, copy);
      } catch (AwsException e) {
        synchronized (primary) {
          replica.status = "Failed";
          replica.statusMessage = "Replication failed: " + e.getMessage();
          primary.touched();
        }
        continue;
      }
      if (target.add(copy) == copy) {
        // Touched after any secret it replaced was removed: of the two documents under its name, its is the later.
        copy.touched();
      }
      synchronized (primary) {
        replica.status = "InSync";
        replica.statusMessage = "Replication succeeded";
        primary.touched();
      }
    }
  }

  /** Brings each in-sync replica up to date with its primary after a write. */
  void sync(RequestContext ctx, Secret primary) {
    List<Secret.Replica> replicas;
    synchronized (primary) {
      replicas = new ArrayList<>(primary.replicas.values());
    }
    for (Secret.Replica replica : replicas) {
      if (!"InSync".equals(replica.status)) {
        continue;
      }
      Secret copy = secrets.locate(ctx.inRegion(replica.region), primary.name);
      if (copy == null) {
        continue;
      }
      try {
        copyInto(ctx, primary, copy);
      } catch (AwsException e) {
        synchronized (primary) {
          replica.status = "Failed";
          replica.statusMessage = "Replication failed: " + e.getMessage();
          primary.touched();
        }
      }
    }
  }

  /**
   * Copies a primary's metadata and versions into its replica, encrypting each version it does
   * not have yet under the replica's key in the replica's Region.
   */
  private void copyInto(RequestContext ctx, Secret primary, Secret copy) {
    Map<String, SecretVersion> versions;
    synchronized (primary) {
      versions = new LinkedHashMap<>(primary.versions);
      synchronized (copy) {
        copy.description = primary.description;
        copy.type = primary.type;
        copy.tags.clear();
        copy.tags.putAll(primary.tags);
        copy.everTagged = primary.everTagged;
        copy.resourcePolicy = primary.resourcePolicy;
        copy.changed(primary.lastChangedDate);
        copy.deletedDate = primary.deletedDate;
      }
    }
    RequestContext there = ctx.inRegion(copy.region);
    Map<String, SecretVersion> copied = new LinkedHashMap<>();
    for (SecretVersion version : versions.values()) {
      SecretVersion mine;
      synchronized (copy) {
        mine = copy.versions.get(version.versionId);
      }
      if (!version.hasValue()) {
        mine = SecretVersion.empty(version.versionId, version.createdDate);
      } else if (mine == null || !mine.hasValue()) {
        byte[] plaintext = secrets.cipher().open(ctx.inRegion(primary.region), primary.arn, version.versionId, version.value);
        mine = secrets.newVersion(there, copy, version.versionId, new SecretValue(plaintext, version.value.binary()));
      }
      copied.put(version.versionId, mine);
    }
    synchronized (primary) {
      synchronized (copy) {
        copy.versions.clear();
        for (SecretVersion mine : copied.values()) {
          SecretVersion original = primary.versions.get(mine.versionId);
          mine.stages.clear();
          if (original != null) {
            mine.stages.addAll(original.stages);
          }
          copy.versions.put(mine.versionId, mine);
        }
        // A new replica (not yet in its Region's maps) is not touched here but once it is added.
        copy.touched();
      }
    }
  }

  Secret removeRegionsFromReplication(RequestContext ctx, String secretId, List<String> regionNames) {
    Secret secret = secrets.find(ctx, secretId, "RemoveRegionsFromReplication");
    SecretsBackend.requireWritable(secret);
    for (String regionName : regionNames) {
      Secret.Replica replica;
      synchronized (secret) {
        replica = secret.replicas.remove(regionName);
      }
      if (replica == null) {
        continue;
      }
      secret.touched();
      Secret copy = secrets.locate(ctx.inRegion(regionName), secret.name);
      if (copy != null && copy.isReplica()) {
        secrets.region(secret.accountId, regionName).remove(copy);
      }
    }
    return secret;
  }

  /** StopReplicationToReplica (called in the replica's Region): the replica becomes a standalone secret. */
  Secret stopReplicationToReplica(RequestContext ctx, String secretId) {
    Secret copy = secrets.find(ctx, secretId, "StopReplicationToReplica");
    String primaryRegion;
    synchronized (copy) {
      if (!copy.isReplica()) {
        throw SecretsErrors.invalidRequest("StopReplicationToReplica can only be called on a replica secret.");
      }
      primaryRegion = copy.primaryRegion;
      copy.primaryRegion = copy.region;
      copy.touched();
    }
    Secret primary = secrets.locate(ctx.inRegion(primaryRegion), copy.name);
    if (primary != null) {
      synchronized (primary) {
        if (primary.replicas.remove(copy.region) != null) {
          primary.touched();
        }
      }
    }
    return copy;
  }
}
