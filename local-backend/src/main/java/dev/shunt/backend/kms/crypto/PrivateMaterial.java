package dev.shunt.backend.kms.crypto;

/**
 * The secret of one key material version of a non-symmetric key, as its family keeps it (parsed
 * once, used many times). Never logged: {@code toString} names no secret.
 */
public interface PrivateMaterial {
  /** The private form: PKCS#8 DER for key pairs, the raw key for HMAC (for export in data key pairs and for checks on re-import). */
  byte[] encoded();

  /** The public key as DER SubjectPublicKeyInfo (GetPublicKey), or null for HMAC. */
  byte[] publicKeyDer();
}
