package dev.shunt.backend.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM with a 96-bit IV and a 128-bit tag, on one JDK {@link Cipher} per thread (getting a
 * Cipher is costly; initialising one is not).
 */
public final class AesGcm {
  public static final int IV_BYTES = 12;
  public static final int TAG_BYTES = 16;

  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM is not available in this JDK", e);
    }
  });

  private AesGcm() {}

  /**
   * Encrypts {@code plaintext} into {@code out} at {@code outOffset} (ciphertext then tag).
   * The IV must be fresh for every call under the same key.
   */
  public static void encrypt(SecretKey key, byte[] iv, int ivOffset, byte[] aad, int aadLength, byte[] plaintext,
      byte[] out, int outOffset) {
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, iv, ivOffset, IV_BYTES));
      cipher.updateAAD(aad, 0, aadLength);
      cipher.doFinal(plaintext, 0, plaintext.length, out, outOffset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  /**
   * Decrypts {@code length} bytes of ciphertext-then-tag from {@code in}; returns null when the
   * tag does not verify (wrong key, wrong AAD, or tampered bytes).
   */
  public static byte[] decrypt(SecretKey key, byte[] iv, int ivOffset, byte[] aad, int aadLength, byte[] in,
      int offset, int length) {
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, iv, ivOffset, IV_BYTES));
      cipher.updateAAD(aad, 0, aadLength);
      return cipher.doFinal(in, offset, length);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  /** The bytes {@link #sealWithDataKey} writes for a plaintext of {@code plaintextLength}. */
  public static int sealedLength(int plaintextLength) {
    return IV_BYTES + plaintextLength + TAG_BYTES;
  }

  /**
   * Envelope encryption's inner half: seals {@code plaintext} under a data key into {@code out}
   * at {@code at} as a random IV, the ciphertext and the tag ({@link #sealedLength} bytes), then
   * wipes the data key.
   */
  public static void sealWithDataKey(byte[] dataKey, byte[] aad, byte[] plaintext, byte[] out, int at) {
    try {
      Randomness.fill(out, at, IV_BYTES);
      encrypt(new SecretKeySpec(dataKey, "AES"), out, at, aad, aad.length, plaintext, out, at + IV_BYTES);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Opens what {@link #sealWithDataKey} wrote: the {@code length} bytes at {@code at} of
   * {@code in}; wipes the data key; null when the tag does not verify.
   */
  public static byte[] openWithDataKey(byte[] dataKey, byte[] aad, byte[] in, int at, int length) {
    try {
      return decrypt(new SecretKeySpec(dataKey, "AES"), in, at, aad, aad.length, in, at + IV_BYTES,
          length - IV_BYTES);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }
}
