package dev.shunt.backend.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.store.Documents;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.StateSection;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Secrets Manager's state as documents ({@link SecretDocuments} describes one): what the store
 * keeps of each secret, what a seed file's {@code secretsmanager: {secrets: [...]}} creates and
 * what export writes. A replica is a secret of its own Region, written there. Values given in the
 * clear are encrypted as CreateSecret encrypts them (the secret's KmsKeyId, else
 * aws/secretsmanager); export decrypts them the same way and writes them through {@link
 * SecretFields}, or, when its KMS key cannot decrypt (disabled, pending deletion), leaves the
 * value in its sealed form, which loads again wherever that key exists.
 */
public final class SecretsState implements StateSection {
  static final String SECTION = "secretsmanager";

  private final SecretsBackend backend;

  SecretsState(SecretsBackend backend) {
    this.backend = backend;
  }

  @Override
  public String name() {
    return SECTION;
  }

  @Override
  public List<String> kinds() {
    return List.of(Secret.KIND);
  }

  @Override
  public List<Scope> scopes() {
    return backend.allRegions().stream().filter(region -> !region.byName.isEmpty())
        .map(region -> new Scope(region.accountId, region.region)).toList();
  }

  @Override
  public void export(String account, String region, SecretFields secrets, BiConsumer<String, ObjectNode> out) {
    SecretsRegion home = backend.allRegions().stream()
        .filter(r -> r.accountId.equals(account) && r.region.equals(region)).findFirst().orElse(null);
    if (home == null) {
      return;
    }
    Instant now = now();
    for (Secret secret : home.byCreation.values()) {
      SecretDocuments.Snapshot snapshot;
      synchronized (secret) {
        if (secret.home == null || (secret.deletionDate != null && !secret.deletionDate.isAfter(now))) {
          continue; // gone, or its deletion has taken effect
        }
        snapshot = SecretDocuments.snapshot(secret);
      }
      RequestContext ctx = context(secret.accountId, secret.region);
      for (JsonNode node : snapshot.document().get("Versions")) {
        ObjectNode version = (ObjectNode) node;
        SecretCipher.Sealed sealed = snapshot.values().get(version.get("VersionId").asText());
        if (sealed == null) {
          continue;
        }
        byte[] plaintext = null;
        try {
          plaintext = backend.cipher().open(ctx, secret.arn, version.get("VersionId").asText(), sealed);
        } catch (AwsException e) {
          // Its KMS key cannot decrypt it now: the sealed form keeps it, for wherever that key is.
        }
        if (plaintext == null) {
          SecretDocuments.putSealed(version, sealed);
        } else {
          SecretDocuments.putValue(version, plaintext, sealed.binary(), secrets);
          Arrays.fill(plaintext, (byte) 0);
        }
      }
      out.accept(Secret.KIND, snapshot.document());
    }
  }

  /**
   * Makes the secret the document describes, in its Region's maps as CreateSecret puts it there,
   * or, when one of that name exists, refuses the document if it states anything the secret has
   * otherwise (the same document twice changes nothing).
   */
  @Override
  public void load(String account, String region, String kind, ObjectNode document, SecretFields secrets) {
    if (!Secret.KIND.equals(kind)) {
      throw new IllegalArgumentException("Secrets Manager has no items of kind " + kind);
    }
    SecretDocuments.Parsed parsed = SecretDocuments.parse(account, region, document, secrets);
    SecretsRegion home = backend.region(account, region);
    Secret existing = home.byName.get(parsed.name);
    if (existing != null) {
      compare(existing, parsed, secrets);
      return;
    }
    if (home.byName.size() >= SecretsBackend.MAX_SECRETS_PER_REGION) {
      throw new IllegalArgumentException("account " + account + " holds " + SecretsBackend.MAX_SECRETS_PER_REGION
          + " secrets in " + region + " already, the most AWS allows in a Region");
    }
    Secret secret = build(account, region, parsed);
    Secret holder = home.add(secret);
    if (holder != secret) {
      compare(holder, parsed, secrets);
      return;
    }
    secret.touched();
    synchronized (secret) {
      if (secret.rotationEnabled) {
        backend.rotations().track(secret);
      }
    }
  }

  /**
   * Makes the secret equal to another node's document: the same secret (name, ARN and creation)
   * in place ({@link Secret#replaceWith} says why that is safe), a secret new here added to its
   * Region's maps as CreateSecret adds it (without its quota: the other node applied it), and a
   * secret made again there under the name (another ARN) swapped in for the old in every index.
   * Rotation scheduling follows the document as {@link #load} sets it. Values stay sealed as the
   * store keeps them: nothing is decrypted.
   */
  @Override
  public void replace(String account, String region, String kind, ObjectNode document, SecretFields secrets) {
    if (!Secret.KIND.equals(kind)) {
      throw new IllegalArgumentException("Secrets Manager has no items of kind " + kind);
    }
    SecretDocuments.Parsed parsed = SecretDocuments.parse(account, region, document, secrets);
    SecretsRegion home = backend.region(account, region);
    Secret existing = home.byName.get(parsed.name);
    if (existing != null) {
      // What the document leaves out is not a new secret: it keeps the existing one's identity.
      if (parsed.arn == null) {
        parsed.arn = existing.arn;
      }
      if (parsed.createdDate == null) {
        parsed.createdDate = existing.createdDate;
      }
    }
    Secret stored = build(account, region, parsed);
    Secret now;
    while (true) {
      existing = home.byName.get(parsed.name);
      if (existing == null) {
        if (home.add(stored) == stored) {
          now = stored;
          break;
        }
      } else if (existing.arn.equals(stored.arn) && existing.createdDate.equals(stored.createdDate)) {
        if (existing.replaceWith(stored)) {
          now = existing;
          break;
        }
      } else if (home.swap(existing, stored)) {
        backend.rotations().forget(existing);
        now = stored;
        break;
      }
      // The name changed hands meanwhile (a request here made or removed it): look again.
    }
    boolean rotating;
    synchronized (now) {
      rotating = now.rotationEnabled;
    }
    if (rotating) {
      backend.rotations().track(now);
    } else {
      backend.rotations().forget(now);
    }
  }

  /** Takes out the secret another node removed (named by its store id, its name), untracked by rotation; writes nothing. */
  @Override
  public void remove(String account, String region, String kind, String id) {
    if (!Secret.KIND.equals(kind)) {
      throw new IllegalArgumentException("Secrets Manager has no items of kind " + kind);
    }
    SecretsRegion home = backend.peekRegion(account, region);
    Secret secret = home == null ? null : home.byName.get(id);
    if (secret != null) {
      home.forget(secret);
      backend.rotations().forget(secret);
    }
  }

  private Secret build(String account, String region, SecretDocuments.Parsed parsed) {
    Instant now = now();
    Instant created = parsed.createdDate != null ? parsed.createdDate : now;
    String arn = parsed.arn != null ? parsed.arn : SecretDocuments.seededArn(account, region, parsed.name);
    Secret secret = new Secret(account, region, parsed.name, arn, created);
    RequestContext ctx = context(account, region);
    synchronized (secret) {
      secret.description = parsed.description;
      secret.kmsKeyId = parsed.kmsKeyId;
      secret.type = parsed.type;
      if (parsed.tags != null) {
        secret.tags.putAll(parsed.tags);
        secret.everTagged = true;
      }
      secret.changed(parsed.lastChangedDate != null ? parsed.lastChangedDate : created);
      if (parsed.lastAccessedDate != null) {
        secret.accessed(parsed.lastAccessedDate);
      }
      secret.deletedDate = parsed.deletedDate;
      secret.deletionDate = parsed.deletionDate != null || parsed.deletedDate == null ? parsed.deletionDate
          : parsed.deletedDate.plus(SecretDocuments.defaultRecoveryWindow());
      secret.rotationEnabled = Boolean.TRUE.equals(parsed.rotationEnabled);
      secret.rotationLambdaArn = parsed.rotationLambdaArn;
      secret.rotationRules = parsed.rotationRules;
      secret.lastRotatedDate = parsed.lastRotatedDate;
      secret.nextRotationDate = parsed.nextRotationDate;
      if (secret.nextRotationDate == null && secret.rotationEnabled && secret.rotationRules != null) {
        // As RotateSecret schedules it.
        secret.nextRotationDate = RotationSchedule.next(secret.rotationRules,
            secret.lastRotatedDate == null ? now : secret.lastRotatedDate, now);
      }
      secret.resourcePolicy = parsed.resourcePolicy;
      secret.primaryRegion = parsed.primaryRegion != null ? parsed.primaryRegion : region;
      secret.everReplicated = parsed.primaryRegion != null || !parsed.replicas.isEmpty();
      for (SecretDocuments.ReplicaSpec spec : parsed.replicas) {
        Secret.Replica replica = new Secret.Replica(spec.region(), spec.kmsKeyId());
        replica.status = spec.status();
        replica.statusMessage = spec.statusMessage();
        secret.replicas.put(spec.region(), replica);
      }
    }
    for (int i = 0; i < parsed.versions.size(); i++) {
      SecretDocuments.VersionSpec spec = parsed.versions.get(i);
      Instant versionCreated = spec.createdDate() != null ? spec.createdDate() : created;
      SecretVersion version;
      if (spec.clear() != null) {
        SecretValue value = spec.clear();
        SecretCipher.Sealed sealed;
        try {
          sealed = backend.cipher().seal(ctx, secret.kmsKeyId, arn, spec.versionId(), value.bytes(), value.binary());
        } catch (AwsException e) {
          throw new IllegalArgumentException("Versions[" + i + "]: its value cannot be encrypted under KMS key "
              + (secret.kmsKeyId == null ? SecretCipher.DEFAULT_KEY : secret.kmsKeyId) + " in " + region + " ("
              + e.getMessage() + ")");
        }
        version = new SecretVersion(spec.versionId(), versionCreated, sealed,
            backend.cipher().digest(value.bytes(), value.binary()));
      } else {
        version = new SecretVersion(spec.versionId(), versionCreated, spec.sealed(), null);
      }
      version.stages.addAll(spec.stages());
      version.lastAccessedDate = spec.lastAccessedDate();
      synchronized (secret) {
        secret.versions.put(version.versionId, version);
      }
    }
    return secret;
  }

  /** Refuses {@code parsed} if a field it states differs from {@code existing}'s, naming the first. */
  private void compare(Secret existing, SecretDocuments.Parsed parsed, SecretFields secrets) {
    RequestContext ctx = context(existing.accountId, existing.region);
    ObjectNode stated = SecretDocuments.comparable(parsed, existing.region, false, spec -> {
      SecretValue clear = spec.clear();
      if (clear != null) {
        return new SecretDocuments.Digest(backend.cipher().digest(clear.bytes(), clear.binary()), clear.binary());
      }
      byte[] plaintext = openForComparison(ctx, existing, spec.versionId(), spec.sealed());
      try {
        return new SecretDocuments.Digest(backend.cipher().digest(plaintext, spec.sealed().binary()),
            spec.sealed().binary());
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    });
    ObjectNode current;
    synchronized (existing) {
      current = SecretDocuments.stored(existing);
    }
    SecretDocuments.Parsed theirs = SecretDocuments.parse(existing.accountId, existing.region, current, secrets);
    ObjectNode actual = SecretDocuments.comparable(theirs, existing.region, true, spec -> {
      SecretVersion version;
      synchronized (existing) {
        version = existing.versions.get(spec.versionId());
      }
      if (version == null || !version.hasValue()) {
        return new SecretDocuments.Digest(new byte[0], spec.sealed().binary());
      }
      try {
        return new SecretDocuments.Digest(backend.valueDigest(ctx, existing, version), spec.sealed().binary());
      } catch (AwsException e) {
        throw new IllegalArgumentException("the existing secret's version " + spec.versionId()
            + " cannot be decrypted to compare with (" + e.getMessage() + ")");
      }
    });
    String field = Documents.contradiction(stated, actual);
    if (field != null) {
      throw new IllegalArgumentException("a secret of this name exists and differs: " + field);
    }
  }

  private byte[] openForComparison(RequestContext ctx, Secret existing, String versionId, SecretCipher.Sealed sealed) {
    try {
      return backend.cipher().open(ctx, existing.arn, versionId, sealed);
    } catch (AwsException e) {
      throw new IllegalArgumentException("the SealedValue of version " + versionId + " cannot be decrypted ("
          + e.getMessage() + ")");
    }
  }

  private Instant now() {
    return backend.rotations().clock().now();
  }

  /** Loading and export act as the account itself, in the secret's Region, now. */
  private RequestContext context(String account, String region) {
    String principal = "arn:" + Identity.partitionOf(region) + ":iam::" + account + ":root";
    return new RequestContext(RequestIds.next(), new Identity(account, null, principal, region), now(), "127.0.0.1",
        "shunt-state");
  }
}
