package dev.shunt.backend.quota;

/**
 * Tells the quota engine the key spec of the key a KMS request names, since AWS charges RSA, ECC
 * and ML-DSA keys' cryptographic requests to quotas of their own rather than by operation. KMS
 * provides it; it must be cheap, for it runs before every Encrypt and Decrypt.
 */
@FunctionalInterface
public interface KmsKeySpecs {
  /** Knows no keys: every request is charged by its operation. */
  KmsKeySpecs NONE = (accountId, region, keyId) -> null;

  /**
   * The spec of the key {@code keyId} (id, ARN, alias name or alias ARN) names, or null when it
   * names no key, or a symmetric one (whose requests are charged by operation anyway).
   */
  String keySpecOf(String accountId, String region, String keyId);
}
