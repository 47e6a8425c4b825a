package dev.shunt.backend.kms.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The hash each SHA-based signing algorithm starts with (RSASSA_*_SHA_256, ECDSA_SHA_384,
 * ED25519_PH_SHA_512...): what RAW messages are hashed with, and how long a DIGEST must be.
 */
public final class SigningDigests {
  private static final ThreadLocal<MessageDigest[]> DIGESTS = ThreadLocal.withInitial(() -> new MessageDigest[3]);

  private SigningDigests() {}

  /** The digest length in bytes of a SHA_256/384/512 algorithm, or -1 for one that names no SHA-2 digest. */
  public static int length(String algorithm) {
    if (algorithm.endsWith("SHA_256")) {
      return 32;
    }
    if (algorithm.endsWith("SHA_384")) {
      return 48;
    }
    if (algorithm.endsWith("SHA_512")) {
      return 64;
    }
    return -1;
  }

  /** The JCA name of the algorithm's digest ("SHA-256"...). */
  static String jcaName(String algorithm) {
    return "SHA-" + (length(algorithm) * 8);
  }

  /** The message hashed with the algorithm's digest; the digest object is reused per thread. */
  static byte[] hash(String algorithm, byte[] message) {
    int length = length(algorithm);
    int slot = length == 32 ? 0 : length == 48 ? 1 : 2;
    MessageDigest[] digests = DIGESTS.get();
    MessageDigest digest = digests[slot];
    if (digest == null) {
      try {
        digest = MessageDigest.getInstance(jcaName(algorithm));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      digests[slot] = digest;
    }
    return digest.digest(message);
  }

  /** The input a family signs: a RAW message hashed, a DIGEST as given. */
  static byte[] digestOf(String algorithm, String messageType, byte[] message) {
    return "DIGEST".equals(messageType) ? message : hash(algorithm, message);
  }
}
