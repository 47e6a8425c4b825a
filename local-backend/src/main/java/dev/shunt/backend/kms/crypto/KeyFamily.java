package dev.shunt.backend.kms.crypto;

import java.util.Set;

/**
 * The cryptography of one family of KMS key specs (RSA, ECC, Ed25519, ML-DSA, SM2, HMAC): making
 * key material and using it. A family is stateless; what a key holds is its {@link PrivateMaterial}.
 * Each operation is asked only with a spec, usage and algorithm the {@code KeySpec} table allows,
 * so an operation a family does not offer is a bug, not a client error.
 */
public interface KeyFamily {
  /** New material for the spec ({@code RSA_2048}, {@code HMAC_256}...). */
  PrivateMaterial generate(String spec);

  /**
   * Material from its encoded private form (PKCS#8 DER for key pairs, the raw key for HMAC), as
   * imported; throws IllegalArgumentException if it is not a key of that spec.
   */
  PrivateMaterial decode(String spec, byte[] encoded);

  /** MessageType values of Sign and Verify, as the API spells them. */
  String RAW = "RAW";
  String DIGEST = "DIGEST";
  String EXTERNAL_MU = "EXTERNAL_MU";

  /**
   * The MessageType values Sign and Verify accept with the algorithm (RAW and DIGEST unless a
   * family says otherwise; ML-DSA takes RAW and EXTERNAL_MU). Any other is AWS's
   * ValidationException, which the operation raises before asking the family.
   */
  default Set<String> messageTypes(String algorithm) {
    return Set.of(RAW, DIGEST);
  }

  /** A signature of a RAW message, a DIGEST (signed as given, never hashed again) or an EXTERNAL_MU. */
  default byte[] sign(PrivateMaterial key, String algorithm, String messageType, byte[] message) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not sign");
  }

  default boolean verify(PrivateMaterial key, String algorithm, String messageType, byte[] message,
      byte[] signature) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not verify");
  }

  /** The plaintext limit of {@code encrypt} for the key and algorithm, in bytes. */
  default int maxPlaintext(PrivateMaterial key, String algorithm) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not encrypt");
  }

  /** Public-key encryption (RSA-OAEP, SM2PKE), whose output anyone with the public key can make too. */
  default byte[] encrypt(PrivateMaterial key, String algorithm, byte[] plaintext) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not encrypt");
  }

  /** Throws IllegalArgumentException for a ciphertext the key did not make. */
  default byte[] decrypt(PrivateMaterial key, String algorithm, byte[] ciphertext) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not decrypt");
  }

  default byte[] mac(PrivateMaterial key, String algorithm, byte[] message) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not make MACs");
  }

  /** The raw ECDH shared secret with a peer's public key (DER SubjectPublicKeyInfo). */
  default byte[] deriveSharedSecret(PrivateMaterial key, byte[] peerPublicKeyDer) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " does not agree keys");
  }
}
