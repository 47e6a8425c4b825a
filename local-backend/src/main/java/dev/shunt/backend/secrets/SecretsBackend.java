package dev.shunt.backend.secrets;

import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.PolicyDocument;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.Randomness;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.state.RegionalStore;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.store.StateSection;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Secrets Manager's domain: secrets, their versions and staging labels, deletion windows,
 * resource policies and replication, with Secrets Manager's rules and errors and nothing of
 * HTTP or JSON. Values are encrypted through the local KMS ({@link SecretCipher}); rotation runs
 * in {@link SecretRotations}. Every change to a secret is followed by {@link Secret#touched} (a
 * secret leaving its Region's maps says so in {@link SecretsRegion#remove}), so that the store
 * writes it before the request is answered.
 */
public final class SecretsBackend {
  static final String CURRENT = "AWSCURRENT";
  static final String PREVIOUS = "AWSPREVIOUS";
  static final String PENDING = "AWSPENDING";
  static final int MAX_VERSIONS = 100;
  /** Versions younger than this are never removed by the 100-version trim. */
  static final Duration VERSION_MIN_AGE = Duration.ofHours(24);
  static final int MAX_STAGES_PER_VERSION = 20;
  static final int MAX_TAGS = 50;
  static final int MAX_VALUE_BYTES = 65_536;
  static final int MAX_SECRETS_PER_REGION = 500_000;
  private static final String SUFFIX_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /** A secret and the version an operation made or read (null when it made none). */
  record Result(Secret secret, SecretVersion version) {}

  /** GetSecretValue's answer: the version, its labels at read time, and the plaintext. */
  record Value(Secret secret, SecretVersion version, List<String> stages, byte[] plaintext, boolean binary) {}

  /** A replica Region requested by CreateSecret or ReplicateSecretToRegions. */
  record ReplicaRequest(String region, String kmsKeyId) {}

  /** One page of a listing and the token of the next (null on the last). */
  record Page<T>(List<T> items, String nextToken) {}

  /** One entry of ListSecretVersionIds. */
  record VersionView(String versionId, List<String> stages, Instant createdDate, Instant lastAccessedDate,
      String kmsKeyArn) {}

  private final RegionalStore<SecretsRegion> regions = new RegionalStore<>(SecretsRegion::new);
  private final SecretCipher cipher;
  private final SecretRotations rotations;
  private final AwsRegions acceptedRegions;
  private final SecretsState state;
  private final SecretsAuthorization authorization = new SecretsAuthorization();
  /** ReplicateSecretToRegions, RemoveRegionsFromReplication, StopReplicationToReplica, and keeping replicas in sync. */
  final SecretReplication replication = new SecretReplication(this);

  /** @param acceptedRegions the Regions a secret may be replicated to (each replica Region holds state) */
  public SecretsBackend(KmsBackend kms, SecretRotations rotations, AwsRegions acceptedRegions) {
    this.cipher = new SecretCipher(kms);
    this.rotations = rotations;
    this.acceptedRegions = acceptedRegions;
    rotations.attach(this);
    this.state = new SecretsState(this);
  }

  /** With a principals file, identity policies join the resource policy in every decision. */
  public void accessControl(AccessControl access) {
    authorization.accessControl(access);
  }

  /** Whether a secret may be replicated to {@code region}: one of AWS's Regions, or an extra-regions one. */
  boolean acceptsRegion(String region) {
    return acceptedRegions.accepts(region);
  }

  public void reset() {
    rotations.reset();
    regions.clear();
  }

  // ---- lookup and access ------------------------------------------------------------------

  /**
   * Finds the secret a SecretId names (name, full ARN, or ARN without the 6-character suffix),
   * checks the resource policy for {@code action}, and forgets secrets whose deletion is due.
   */
  Secret find(RequestContext ctx, String secretId, String action) {
    Secret secret = locate(ctx, secretId);
    if (secret == null) {
      throw SecretsErrors.secretNotFound();
    }
    ctx.audit().secret(secret.arn, secret.accountId);
    authorize(ctx, secret, action);
    return secret;
  }

  Secret locate(RequestContext ctx, String secretId) {
    String accountId = ctx.accountId();
    String name = secretId;
    boolean byArn = secretId.startsWith("arn:");
    if (byArn) {
      String[] parts = secretId.split(":", 7);
      if (parts.length != 7 || !parts[2].equals("secretsmanager") || !parts[5].equals("secret")
          || !parts[3].equals(ctx.region())) {
        return null;
      }
      accountId = parts[4];
      name = parts[6];
    }
    SecretsRegion region = regions.peek(accountId, ctx.region());
    if (region == null) {
      return null;
    }
    Secret secret = byArn ? region.byArn.get(secretId) : null;
    if (secret == null) {
      secret = region.byName.get(name);
    }
    if (secret != null && deletionDue(secret, ctx.now())) {
      region.remove(secret);
      rotations.forget(secret);
      return null;
    }
    return secret;
  }

  private static boolean deletionDue(Secret secret, Instant now) {
    synchronized (secret) {
      return secret.deletionDate != null && !secret.deletionDate.isAfter(now);
    }
  }

  /** Checks {@code secretsmanager:ACTION} on the secret ({@link SecretsAuthorization}). */
  private void authorize(RequestContext ctx, Secret secret, String action) {
    authorization.authorize(ctx, secret, action);
  }

  /**
   * Under a principals file, whether the caller's identity policies allow an action that names no
   * existing secret (ListSecrets, GetRandomPassword, BatchGetSecretValue: resource {@code *}).
   */
  void authorizeIdentity(RequestContext ctx, String action, String resource) {
    authorization.authorizeIdentity(ctx, action, resource);
  }

  /** Writes go to the primary and never to a secret scheduled for deletion. */
  static void requireWritable(Secret secret) {
    synchronized (secret) {
      if (secret.isReplica()) {
        throw SecretsErrors.replicaReadOnly();
      }
      if (secret.markedForDeletion()) {
        throw SecretsErrors.markedForDeletion();
      }
    }
  }

  // ---- create, read, write ----------------------------------------------------------------

  Result createSecret(RequestContext ctx, String name, String token, String description, String kmsKeyId,
      SecretValue value, Map<String, String> tags, String type, List<ReplicaRequest> replicas, boolean force) {
    checkName(name);
    checkTags(tags);
    checkSize(value);
    String arn = "arn:" + ctx.partition() + ":secretsmanager:" + ctx.region() + ":" + ctx.accountId() + ":secret:"
        + name + "-" + suffix();
    // AWS checks CreateSecret against the new secret's ARN before anything else of the account.
    authorization.authorizeIdentity(ctx, "CreateSecret", arn);
    SecretsRegion region = regions.get(ctx.accountId(), ctx.region());
    Secret existing = locate(ctx, name);
    if (existing != null) {
      synchronized (existing) {
        if (existing.markedForDeletion()) {
          throw SecretsErrors.invalidRequest(
              "You can't create this secret because a secret with this name is already scheduled for deletion.");
        }
        SecretVersion retried = token == null ? null : existing.versions.get(token);
        if (retried != null && value != null && retried.hasValue()) {
          if (SecretCipher.sameDigest(digestOf(ctx, existing, retried), cipher.digest(value.bytes(), value.binary()))) {
            return new Result(existing, retried);
          }
          throw SecretsErrors.tokenInUse(token, existing.arn);
        }
      }
      throw SecretsErrors.exists("The operation failed because the secret " + name + " already exists.");
    }
    if (region.byName.size() >= MAX_SECRETS_PER_REGION) {
      throw SecretsErrors.limitExceeded("You have reached the maximum number of secrets ("
          + MAX_SECRETS_PER_REGION + ") in this Region.");
    }
    Secret secret = new Secret(ctx.accountId(), ctx.region(), name, arn, ctx.now());
    ctx.audit().secret(arn, ctx.accountId());
    secret.description = description;
    secret.kmsKeyId = kmsKeyId == null || kmsKeyId.isEmpty() ? null : kmsKeyId;
    secret.type = type;
    secret.tags.putAll(tags);
    secret.everTagged = !tags.isEmpty();
    SecretVersion version = null;
    if (value != null) {
      version = newVersion(ctx, secret, token == null ? UUID.randomUUID().toString() : token, value);
      version.stages.add(CURRENT);
      secret.versions.put(version.versionId, version);
    }
    if (region.add(secret) != secret) {
      throw SecretsErrors.exists("The operation failed because the secret " + name + " already exists.");
    }
    secret.touched();
    if (!replicas.isEmpty()) {
      replication.replicate(ctx, secret, replicas, force);
    }
    return new Result(secret, version);
  }

  Value getSecretValue(RequestContext ctx, String secretId, String versionId, String stage) {
    Secret secret = find(ctx, secretId, "GetSecretValue");
    SecretVersion version;
    List<String> stages;
    synchronized (secret) {
      if (secret.markedForDeletion()) {
        throw SecretsErrors.markedForDeletion();
      }
      version = select(secret, versionId, stage);
      stages = List.copyOf(version.stages);
      Instant today = ctx.now().truncatedTo(ChronoUnit.DAYS);
      // LastAccessedDate is a day: the store is written once a day per secret, not at every read.
      boolean changed = !today.equals(version.lastAccessedDate) || !today.equals(secret.lastAccessedDate);
      version.lastAccessedDate = today;
      secret.accessed(today);
      if (changed) {
        secret.touched();
      }
    }
    SecretCipher.Sealed sealed = version.value;
    byte[] plaintext = cipher.open(ctx, secret.arn, version.versionId, sealed);
    return new Value(secret, version, stages, plaintext, sealed.binary());
  }

  private static SecretVersion select(Secret secret, String versionId, String stage) {
    if (versionId != null) {
      SecretVersion version = secret.versions.get(versionId);
      // A rotation's version before createSecret has no value: not found, as AWS's rotation templates expect.
      if (version == null || !version.hasValue()) {
        throw SecretsErrors.versionNotFound(versionId);
      }
      if (stage != null && !version.stages.contains(stage)) {
        throw SecretsErrors.invalidRequest(
            "You provided a VersionStage that is not associated to the provided VersionId.");
      }
      return version;
    }
    String label = stage == null ? CURRENT : stage;
    SecretVersion version = secret.versionWithStage(label);
    if (version == null || !version.hasValue()) {
      throw SecretsErrors.stageNotFound(label);
    }
    return version;
  }

  /** PutSecretValue: a new version with the given labels (AWSCURRENT by default), or the same one again. */
  Result putSecretValue(RequestContext ctx, String secretId, String token, SecretValue value, List<String> stages) {
    if (value == null) {
      throw SecretsErrors.invalidRequest("You must provide either SecretString or SecretBinary.");
    }
    checkSize(value);
    Secret secret = find(ctx, secretId, "PutSecretValue");
    requireWritable(secret);
    Result result = addVersion(ctx, secret, token, value, stages.isEmpty() ? List.of(CURRENT) : stages);
    replication.sync(ctx, secret);
    return result;
  }

  /** UpdateSecret: metadata, and a new AWSCURRENT version when a value is given. */
  Result updateSecret(RequestContext ctx, String secretId, String token, String description, String kmsKeyId,
      SecretValue value, String type) {
    checkSize(value);
    Secret secret = find(ctx, secretId, "UpdateSecret");
    requireWritable(secret);
    boolean keyChanged = false;
    byte[] digest = value == null || token == null ? null : cipher.digest(value.bytes(), value.binary());
    synchronized (secret) {
      // A token already used for another value fails the whole call: no metadata changes either.
      SecretVersion reused = digest == null ? null : secret.versions.get(token);
      if (reused != null && reused.hasValue() && !SecretCipher.sameDigest(digestOf(ctx, secret, reused), digest)) {
        throw SecretsErrors.tokenInUse(token, secret.arn);
      }
      if (description != null) {
        secret.description = description;
      }
      if (kmsKeyId != null) {
        String key = kmsKeyId.isEmpty() ? null : kmsKeyId;
        keyChanged = !Objects.equals(key, secret.kmsKeyId);
        secret.kmsKeyId = key;
      }
      if (type != null) {
        secret.type = type;
      }
      secret.changed(ctx.now());
      secret.touched();
    }
    if (keyChanged) {
      reencrypt(ctx, secret);
    }
    Result result = value == null ? new Result(secret, null) : addVersion(ctx, secret, token, value, List.of(CURRENT));
    replication.sync(ctx, secret);
    return result;
  }

  /**
   * A new KmsKeyId applies to new versions "as well as any existing versions with the staging
   * labels AWSCURRENT, AWSPENDING, or AWSPREVIOUS" (UpdateSecret): those are sealed again under
   * it. One the caller can't decrypt, or encrypt under the new key, keeps its old key, as AWS does
   * when the caller lacks kms:Encrypt on the new key.
   */
  private void reencrypt(RequestContext ctx, Secret secret) {
    String kmsKeyId;
    List<SecretVersion> labelled = new ArrayList<>();
    synchronized (secret) {
      kmsKeyId = secret.kmsKeyId;
      for (SecretVersion version : secret.versions.values()) {
        if (version.stages.contains(CURRENT) || version.stages.contains(PENDING)
            || version.stages.contains(PREVIOUS)) {
          labelled.add(version);
        }
      }
    }
    for (SecretVersion version : labelled) {
      SecretCipher.Sealed old = version.value;
      if (old == null) {
        continue;
      }
      try {
        byte[] plaintext = cipher.open(ctx, secret.arn, version.versionId, old);
        SecretCipher.Sealed sealed = cipher.seal(ctx, kmsKeyId, secret.arn, version.versionId, plaintext,
            old.binary());
        Arrays.fill(plaintext, (byte) 0);
        version.value = sealed;
        secret.touched();
      } catch (AwsException e) {
        // Left under its previous key.
      }
    }
  }

  private Result addVersion(RequestContext ctx, Secret secret, String token, SecretValue value, List<String> stages) {
    String versionId = token == null ? UUID.randomUUID().toString() : token;
    byte[] digest = cipher.digest(value.bytes(), value.binary());
    synchronized (secret) {
      SecretVersion existing = secret.versions.get(versionId);
      if (existing != null && existing.hasValue()) {
        if (SecretCipher.sameDigest(digestOf(ctx, secret, existing), digest)) {
          return new Result(secret, existing);
        }
        throw SecretsErrors.tokenInUse(versionId, secret.arn);
      }
    }
    SecretVersion version = newVersion(ctx, secret, versionId, value, digest);
    synchronized (secret) {
      SecretVersion existing = secret.versions.get(versionId);
      if (existing != null && existing.hasValue()) {
        throw SecretsErrors.tokenInUse(versionId, secret.arn);
      }
      if (existing != null) {
        // A rotation's empty version (its createSecret step): the value fills it and it keeps its labels.
        version.stages.addAll(existing.stages);
      }
      // "If this operation creates the first version for the secret, then Secrets Manager
      // automatically attaches the staging label AWSCURRENT to it" (PutSecretValue), whatever
      // VersionStages says.
      boolean first = secret.versionWithStage(CURRENT) == null;
      secret.versions.put(versionId, version);
      for (String stage : stages) {
        attach(secret, version, stage);
      }
      if (first) {
        attach(secret, version, CURRENT);
      }
      secret.changed(ctx.now());
      trimVersions(secret, ctx.now());
      secret.touched();
    }
    return new Result(secret, version);
  }

  SecretVersion newVersion(RequestContext ctx, Secret secret, String versionId, SecretValue value) {
    return newVersion(ctx, secret, versionId, value, cipher.digest(value.bytes(), value.binary()));
  }

  private SecretVersion newVersion(RequestContext ctx, Secret secret, String versionId, SecretValue value,
      byte[] digest) {
    String kmsKeyId;
    synchronized (secret) {
      kmsKeyId = secret.kmsKeyId;
    }
    SecretCipher.Sealed sealed = cipher.seal(ctx, kmsKeyId, secret.arn, versionId, value.bytes(), value.binary());
    return new SecretVersion(versionId, ctx.now(), sealed, digest);
  }

  /**
   * The digest of a version's value (which it must have), computed from the plaintext the first
   * time it is needed when the version was restored from the store or loaded in its sealed form.
   */
  private byte[] digestOf(RequestContext ctx, Secret secret, SecretVersion version) {
    byte[] digest = version.valueDigest;
    if (digest == null) {
      SecretCipher.Sealed sealed = version.value;
      byte[] plaintext = cipher.open(ctx.inRegion(secret.region), secret.arn, version.versionId, sealed);
      digest = cipher.digest(plaintext, sealed.binary());
      Arrays.fill(plaintext, (byte) 0);
      version.valueDigest = digest;
    }
    return digest;
  }

  /** Moves a label onto a version; moving AWSCURRENT leaves AWSPREVIOUS on the version that had it. */
  private static void attach(Secret secret, SecretVersion version, String stage) {
    SecretVersion holder = secret.versionWithStage(stage);
    if (holder == version) {
      return;
    }
    if (version.stages.size() >= MAX_STAGES_PER_VERSION) {
      throw SecretsErrors.limitExceeded("A version can have at most " + MAX_STAGES_PER_VERSION + " staging labels.");
    }
    if (holder != null) {
      holder.stages.remove(stage);
    }
    version.stages.add(stage);
    if (stage.equals(CURRENT) && holder != null) {
      SecretVersion previous = secret.versionWithStage(PREVIOUS);
      if (previous != null) {
        previous.stages.remove(PREVIOUS);
      }
      holder.stages.add(PREVIOUS);
    }
  }

  /**
   * Past 100 versions, the oldest versions without labels are removed (they are deprecated), but
   * never one created in the last 24 hours: AWS's PutSecretValue and UpdateSecret references say
   * Secrets Manager "keeps all secret versions created in the last 24 hours".
   */
  private static void trimVersions(Secret secret, Instant now) {
    Instant keptAfter = now.minus(VERSION_MIN_AGE);
    Iterator<SecretVersion> oldestFirst = secret.versions.values().iterator();
    while (secret.versions.size() > MAX_VERSIONS && oldestFirst.hasNext()) {
      SecretVersion version = oldestFirst.next();
      if (version.stages.isEmpty() && !version.createdDate.isAfter(keptAfter)) {
        oldestFirst.remove();
      }
    }
  }

  Secret updateSecretVersionStage(RequestContext ctx, String secretId, String stage, String removeFrom,
      String moveTo) {
    Secret secret = find(ctx, secretId, "UpdateSecretVersionStage");
    requireWritable(secret);
    synchronized (secret) {
      SecretVersion holder = secret.versionWithStage(stage);
      if (moveTo != null) {
        SecretVersion target = secret.versions.get(moveTo);
        if (target == null) {
          throw SecretsErrors.versionNotFound(moveTo);
        }
        if (holder != null && holder != target && !holder.versionId.equals(removeFrom)) {
          throw SecretsErrors.invalidParameter("The parameter RemoveFromVersionId can't be empty. Staging label "
              + stage + " is currently attached to version " + holder.versionId
              + ", so you must explicitly reference that version in RemoveFromVersionId.");
        }
        attach(secret, target, stage);
      } else if (removeFrom != null) {
        SecretVersion from = secret.versions.get(removeFrom);
        if (from == null) {
          throw SecretsErrors.versionNotFound(removeFrom);
        }
        if (!from.stages.contains(stage)) {
          throw SecretsErrors.invalidParameter("The staging label " + stage + " is not attached to version "
              + removeFrom + ".");
        }
        if (stage.equals(CURRENT)) {
          throw SecretsErrors.invalidParameter(
              "You can't remove the staging label AWSCURRENT without moving it to another version.");
        }
        from.stages.remove(stage);
      } else {
        throw SecretsErrors.invalidParameter("You must specify MoveToVersionId, RemoveFromVersionId, or both.");
      }
      secret.changed(ctx.now());
      secret.touched();
    }
    replication.sync(ctx, secret);
    return secret;
  }

  SecretView describeSecret(RequestContext ctx, String secretId) {
    return SecretView.of(find(ctx, secretId, "DescribeSecret"));
  }

  /** A page of a secret's versions, and the secret. */
  record Versions(Secret secret, Page<VersionView> page) {}

  /** ListSecretVersionIds: newest first; without {@code includeDeprecated}, only versions with labels. */
  Versions listVersions(RequestContext ctx, String secretId, int maxResults, String nextToken,
      boolean includeDeprecated) {
    Secret secret = find(ctx, secretId, "ListSecretVersionIds");
    List<VersionView> views = new ArrayList<>();
    synchronized (secret) {
      for (SecretVersion version : secret.versions.values()) {
        if (includeDeprecated || !version.stages.isEmpty()) {
          views.add(0, new VersionView(version.versionId, List.copyOf(version.stages), version.createdDate,
              version.lastAccessedDate, version.hasValue() ? version.value.kmsKeyArn() : null));
        }
      }
    }
    return new Versions(secret, Paging.page(views, maxResults, nextToken));
  }

  // ---- deletion ---------------------------------------------------------------------------

  Secret deleteSecret(RequestContext ctx, String secretId, Long windowInDays, boolean force) {
    if (windowInDays != null && force) {
      throw SecretsErrors.invalidParameter(
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    long days = windowInDays == null ? 30 : windowInDays;
    if (days < 7 || days > 30) {
      throw SecretsErrors.invalidParameter("The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).");
    }
    Secret secret = locate(ctx, secretId);
    if (secret == null && force) {
      // "If you forcibly delete an already deleted or nonexistent secret, the operation does not
      // return ResourceNotFoundException" (DeleteSecret): it answers as if it had deleted it.
      return forgotten(ctx, secretId);
    }
    if (secret == null) {
      throw SecretsErrors.secretNotFound();
    }
    authorize(ctx, secret, "DeleteSecret");
    synchronized (secret) {
      if (secret.isReplica()) {
        throw SecretsErrors.replicaReadOnly();
      }
      if (!secret.replicas.isEmpty()) {
        // What AWS answers (InvalidParameterException, the ARN, the Regions as [a, b]); its API reference is silent.
        throw SecretsErrors.invalidParameter("You can't delete secret " + secret.arn
            + " that still has replica regions " + secret.replicas.keySet() + ".");
      }
      if (secret.markedForDeletion() && !force) {
        throw SecretsErrors.markedForDeletion();
      }
      secret.deletedDate = ctx.now();
      secret.deletionDate = force ? ctx.now() : ctx.now().plus(Duration.ofDays(days));
      secret.touched();
    }
    if (force) {
      regions.get(secret.accountId, secret.region).remove(secret);
    }
    rotations.forget(secret);
    return secret;
  }

  /** What a forced DeleteSecret of a secret that does not exist answers: its name, an ARN, deleted now. */
  private static Secret forgotten(RequestContext ctx, String secretId) {
    String prefix = "arn:" + ctx.partition() + ":secretsmanager:" + ctx.region() + ":" + ctx.accountId() + ":secret:";
    String name = secretId.startsWith(prefix) ? secretId.substring(prefix.length()) : secretId;
    String arn = secretId.startsWith("arn:") ? secretId : prefix + secretId + "-" + suffix();
    Secret gone = new Secret(ctx.accountId(), ctx.region(), name, arn, ctx.now());
    gone.deletedDate = ctx.now();
    gone.deletionDate = ctx.now();
    return gone;
  }

  Secret restoreSecret(RequestContext ctx, String secretId) {
    Secret secret = find(ctx, secretId, "RestoreSecret");
    synchronized (secret) {
      if (secret.isReplica()) {
        throw SecretsErrors.replicaReadOnly();
      }
      secret.deletedDate = null;
      secret.deletionDate = null;
      secret.touched();
    }
    rotations.track(secret);
    return secret;
  }

  // ---- tags -------------------------------------------------------------------------------

  void tagResource(RequestContext ctx, String secretId, Map<String, String> tags) {
    checkTags(tags);
    Secret secret = find(ctx, secretId, "TagResource");
    requireWritable(secret);
    synchronized (secret) {
      Map<String, String> merged = new LinkedHashMap<>(secret.tags);
      merged.putAll(tags);
      if (merged.size() > MAX_TAGS) {
        throw SecretsErrors.invalidParameter("Number of tags exceeds the limit of " + MAX_TAGS + ".");
      }
      secret.tags.putAll(tags);
      secret.everTagged |= !tags.isEmpty();
      secret.changed(ctx.now());
      secret.touched();
    }
    replication.sync(ctx, secret);
  }

  void untagResource(RequestContext ctx, String secretId, List<String> keys) {
    Secret secret = find(ctx, secretId, "UntagResource");
    requireWritable(secret);
    synchronized (secret) {
      keys.forEach(secret.tags::remove);
      secret.changed(ctx.now());
      secret.touched();
    }
    replication.sync(ctx, secret);
  }

  // ---- resource policies ------------------------------------------------------------------

  Secret getResourcePolicy(RequestContext ctx, String secretId) {
    return find(ctx, secretId, "GetResourcePolicy");
  }

  Secret putResourcePolicy(RequestContext ctx, String secretId, String policyText, boolean blockPublicPolicy) {
    authorization.checkPolicy(policyText);
    PolicyDocument policy = PolicyDocument.parse(policyText);
    if (blockPublicPolicy && policy.grantsPublicAccess()) {
      throw SecretsErrors.publicPolicy();
    }
    Secret secret = find(ctx, secretId, "PutResourcePolicy");
    requireWritable(secret);
    synchronized (secret) {
      secret.resourcePolicy = policy;
      secret.changed(ctx.now());
      secret.touched();
    }
    replication.sync(ctx, secret);
    return secret;
  }

  Secret deleteResourcePolicy(RequestContext ctx, String secretId) {
    Secret secret = find(ctx, secretId, "DeleteResourcePolicy");
    requireWritable(secret);
    synchronized (secret) {
      secret.resourcePolicy = null;
      secret.changed(ctx.now());
      secret.touched();
    }
    replication.sync(ctx, secret);
    return secret;
  }

  /** ValidateResourcePolicy: the policy must parse; one that grants public access does not pass. */
  List<String> validateResourcePolicy(RequestContext ctx, String secretId, String policyText) {
    if (secretId != null) {
      find(ctx, secretId, "ValidateResourcePolicy");
    }
    PolicyDocument policy = PolicyDocument.parse(policyText);
    return policy.grantsPublicAccess()
        ? List.of("This resource policy grants public access: a statement allows every principal (\"*\").")
        : List.of();
  }

  // ---- listing ----------------------------------------------------------------------------

  /**
   * ListSecrets in creation order (or {@code sortBy}), filtered, one page at a time: a seek in the
   * sort's index to the token's position, then as many entries as the page takes (plus those the
   * filters skip). A secret whose deletion fell due is purged as the walk meets it.
   */
  Page<SecretView> listSecrets(RequestContext ctx, boolean includePlannedDeletion, List<SecretFilter> filters,
      String sortBy, boolean descending, int maxResults, String nextToken) {
    SecretsRegion region = regions.get(ctx.accountId(), ctx.region());
    SecretsRegion.SortBy sort = sortBy == null ? SecretsRegion.SortBy.CREATED : SecretsRegion.SortBy.of(sortBy);
    if (sort == null) {
      throw SecretsErrors.invalidParameter("Invalid sort by: " + sortBy);
    }
    Instant now = ctx.now();
    return Paging.pageBy(region, sort, descending, maxResults, nextToken, secret -> {
      if (deletionDue(secret, now)) {
        region.remove(secret);
        rotations.forget(secret);
        return null;
      }
      SecretView view = SecretView.of(secret);
      if (view.deletedDate() != null && !includePlannedDeletion) {
        return null;
      }
      return SecretFilter.matchesAll(filters, view) ? view : null;
    });
  }

  // ---- rotation (scheduling and state; the steps run in SecretRotations) ------------------

  /**
   * RotateSecret: records the configuration, then starts a rotation now unless told not to. The
   * result carries the new (still empty) version, whose id is the response's VersionId.
   */
  Result rotateSecret(RequestContext ctx, String secretId, String token, String lambdaArn,
      Secret.RotationRules rules, boolean rotateImmediately) {
    if (rules != null) {
      RotationSchedule.check(rules);
    }
    Secret secret = find(ctx, secretId, "RotateSecret");
    requireWritable(secret);
    String versionId = token == null ? UUID.randomUUID().toString() : token;
    SecretVersion started = null;
    synchronized (secret) {
      if (lambdaArn == null && secret.rotationLambdaArn == null) {
        throw SecretsErrors.invalidRequest("No Lambda rotation function ARN is associated with this secret.");
      }
      SecretVersion pending = secret.versionWithStage(PENDING);
      if (secret.rotatingVersionId != null || (pending != null && !pending.stages.contains(CURRENT))) {
        if (secret.rotatingVersionId == null) {
          secret.rotatingVersionId = pending.versionId;
          rotations.start(secret, pending.versionId);
        }
        throw SecretsErrors.invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
      }
      if (lambdaArn != null) {
        secret.rotationLambdaArn = lambdaArn;
      }
      if (rules != null) {
        secret.rotationRules = rules;
      }
      secret.rotationEnabled = true;
      if (secret.rotationRules != null) {
        secret.nextRotationDate = RotationSchedule.next(secret.rotationRules,
            secret.lastRotatedDate == null ? ctx.now() : secret.lastRotatedDate, ctx.now());
      }
      if (rotateImmediately) {
        started = beginRotation(secret, versionId, ctx.now());
      }
      secret.touched();
    }
    rotations.track(secret);
    if (rotateImmediately) {
      rotations.start(secret, versionId);
    }
    // The version is returned, not read back from the secret later: the rotation may end first.
    return new Result(secret, started);
  }

  /**
   * Marks a rotation as started (the caller holds the secret's lock). As AWS does before the
   * first step, the token becomes a version without a value, labelled AWSPENDING: rotation
   * functions written from AWS's templates check for it before createSecret, whose
   * PutSecretValue with the token then gives it its value.
   */
  static SecretVersion beginRotation(Secret secret, String versionId, Instant now) {
    secret.rotatingVersionId = versionId;
    SecretVersion version = secret.versions.get(versionId);
    if (version == null) {
      version = SecretVersion.empty(versionId, now);
      secret.versions.put(versionId, version);
    }
    attach(secret, version, PENDING);
    secret.touched();
    return version;
  }

  /**
   * CancelRotateSecret: turns automatic rotation off; a version labelled AWSPENDING keeps its
   * label (and is the result's version, else null).
   */
  Result cancelRotateSecret(RequestContext ctx, String secretId) {
    Secret secret = find(ctx, secretId, "CancelRotateSecret");
    requireWritable(secret);
    synchronized (secret) {
      secret.rotationEnabled = false;
      secret.nextRotationDate = null;
      secret.touched();
      SecretVersion pending = secret.versionWithStage(PENDING);
      rotations.forget(secret);
      return new Result(secret, pending);
    }
  }

  /** Called by SecretRotations when a rotation ends; on success the new version has AWSCURRENT. */
  void rotationFinished(Secret secret, String versionId, boolean succeeded, RequestContext ctx) {
    Instant now = ctx.now();
    rotationOutcome(secret, versionId, succeeded, now);
    replication.sync(ctx, secret);
  }

  private static void rotationOutcome(Secret secret, String versionId, boolean succeeded, Instant now) {
    synchronized (secret) {
      if (versionId.equals(secret.rotatingVersionId)) {
        secret.rotatingVersionId = null;
      }
      if (!succeeded) {
        return;
      }
      SecretVersion version = secret.versions.get(versionId);
      if (version != null) {
        version.stages.remove(PENDING);
      }
      secret.lastRotatedDate = now;
      if (secret.rotationEnabled && secret.rotationRules != null) {
        secret.nextRotationDate = RotationSchedule.next(secret.rotationRules, now, now);
      }
      secret.touched();
    }
  }

  /** All secrets, for the rotation scheduler (which only keeps those with rotation on). */
  Collection<SecretsRegion> allRegions() {
    return regions.all();
  }

  /** The cipher, for the in-process API rotators use. */
  SecretCipher cipher() {
    return cipher;
  }

  // ---- rules ------------------------------------------------------------------------------

  static void checkName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "/_+=.@-!".indexOf(c) >= 0;
      if (!ok) {
        throw SecretsErrors.invalidParameter("Invalid name. Must be a valid name containing alphanumeric "
            + "characters, or any of the following: -/_+=.@!");
      }
    }
  }

  static void checkTags(Map<String, String> tags) {
    if (tags.size() > MAX_TAGS) {
      throw SecretsErrors.invalidParameter("Number of tags exceeds the limit of " + MAX_TAGS + ".");
    }
    for (String key : tags.keySet()) {
      if (key.startsWith("aws:")) {
        throw SecretsErrors.invalidParameter("Invalid tag key: tag keys beginning with aws: are reserved.");
      }
    }
  }

  /** Secret values are limited to 65,536 bytes (a SecretString is counted in UTF-8). */
  private static void checkSize(SecretValue value) {
    if (value != null && value.bytes().length > MAX_VALUE_BYTES) {
      throw SecretsErrors.limitExceeded("The secret value is " + value.bytes().length
          + " bytes, which exceeds the maximum of " + MAX_VALUE_BYTES + " bytes.");
    }
  }

  private static String suffix() {
    SecureRandom random = Randomness.current();
    char[] suffix = new char[6];
    for (int i = 0; i < suffix.length; i++) {
      suffix[i] = SUFFIX_CHARACTERS.charAt(random.nextInt(SUFFIX_CHARACTERS.length()));
    }
    return new String(suffix);
  }

  /** Its state as documents (store, seed files, export): {@link SecretsState}. */
  public StateSection stateSection() {
    return state;
  }

  /**
   * Changes made off the request threads (rotations and the scheduler's starts) are written
   * through {@code persistence}, as a request's are.
   */
  public void persistThrough(Persistence persistence) {
    rotations.persistThrough(persistence);
  }

  /** The state of (account, Region), made on first use (loading state). */
  SecretsRegion region(String accountId, String region) {
    return regions.get(accountId, region);
  }

  /** The state of (account, Region) if it exists (looking makes none), else null. */
  SecretsRegion peekRegion(String accountId, String region) {
    return regions.peek(accountId, region);
  }

  SecretRotations rotations() {
    return rotations;
  }

  /** A version's value digest for comparing a seed with a secret: see {@link #digestOf}. */
  byte[] valueDigest(RequestContext ctx, Secret secret, SecretVersion version) {
    return digestOf(ctx, secret, version);
  }
}
