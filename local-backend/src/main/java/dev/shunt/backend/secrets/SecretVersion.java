package dev.shunt.backend.secrets;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One version of a secret's value: encrypted, its plaintext never changed after creation, known by
 * its id and by the staging labels currently attached to it (which move, under the secret's lock).
 * A rotation's version has no value ({@link #value} null) until its createSecret step puts one.
 */
final class SecretVersion {
  final String versionId;
  final Instant createdDate;
  /**
   * The sealed value; null for a rotation's version that createSecret has not filled yet, and
   * replaced (never mutated) when UpdateSecret re-encrypts it under a new key.
   */
  volatile SecretCipher.Sealed value;
  /**
   * A keyed digest of the plaintext: lets an idempotent retry be recognised without decrypting.
   * Null for a version restored from the store (the digest key lives only in this process) until
   * {@code SecretsBackend.digestOf} first needs it.
   */
  volatile byte[] valueDigest;
  /** Sized for the usual one or two labels, not the default 16. */
  final Set<String> stages = new LinkedHashSet<>(2);
  Instant lastAccessedDate;

  SecretVersion(String versionId, Instant createdDate, SecretCipher.Sealed value, byte[] valueDigest) {
    this.versionId = versionId;
    this.createdDate = createdDate;
    this.value = value;
    this.valueDigest = valueDigest;
  }

  /** The version RotateSecret makes for its token before the first step: no value, labelled AWSPENDING. */
  static SecretVersion empty(String versionId, Instant createdDate) {
    return new SecretVersion(versionId, createdDate, null, null);
  }

  boolean hasValue() {
    return value != null;
  }
}
