package dev.shunt.backend.crypto;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Cryptographic randomness for keys, IVs and data keys: one DRBG per thread, so threads never
 * queue on a shared generator.
 */
public final class Randomness {
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(() -> {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      return new SecureRandom();
    }
  });

  private Randomness() {}

  public static byte[] bytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.get().nextBytes(bytes);
    return bytes;
  }

  public static void fill(byte[] target, int offset, int length) {
    byte[] random = bytes(length);
    System.arraycopy(random, 0, target, offset, length);
  }

  public static SecureRandom current() {
    return RANDOM.get();
  }
}
