package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC_224/256/384/512 with the JDK's provider: GenerateMac and VerifyMac. */
public final class HmacFamily implements KeyFamily {
  public static final HmacFamily INSTANCE = new HmacFamily();

  /** The MAC algorithms, in the order of {@link #MACS}. */
  private static final String[] ALGORITHMS = {"HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"};

  /**
   * One {@link Mac} per thread and algorithm, keyed anew on each call ({@code init} only recomputes
   * the two padded key blocks), because {@code Mac.getInstance} walks the providers and allocates
   * each time. Measured (Java 17, HMAC-SHA-256, 2 shared cores, ad-hoc loop): about 600 ns a MAC
   * with getInstance per call against 390 ns re-keyed for a 64-byte message; no difference
   * beyond the noise at 4,096 bytes, where hashing dominates. Keying per call keeps no key in a
   * thread-local after the call, beyond the Mac's own state until its next use.
   */
  @SuppressWarnings("unchecked")
  private static final ThreadLocal<Mac>[] MACS = new ThreadLocal[ALGORITHMS.length];

  static {
    for (int i = 0; i < ALGORITHMS.length; i++) {
      String jcaName = jcaName(ALGORITHMS[i]);
      MACS[i] = ThreadLocal.withInitial(() -> {
        try {
          return Mac.getInstance(jcaName);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("The JDK has no " + jcaName, e);
        }
      });
    }
  }

  private HmacFamily() {}

  /** An HMAC key: its bytes, ready as a JCA key for the spec's digest. */
  public record HmacKey(SecretKeySpec key, byte[] encoded) implements PrivateMaterial {
    @Override
    public byte[] publicKeyDer() {
      return null;
    }

    @Override
    public String toString() {
      return "HmacKey[" + key.getAlgorithm() + "]";
    }
  }

  /** The JCA name of a spec's or MAC algorithm's HMAC ({@code HMAC_256} or {@code HMAC_SHA_256} → {@code HmacSHA256}). */
  static String jcaName(String specOrAlgorithm) {
    return "HmacSHA" + specOrAlgorithm.substring(specOrAlgorithm.lastIndexOf('_') + 1);
  }

  /** AWS's key length for the spec: as many bits as the digest has. */
  static int keyBytes(String spec) {
    return Integer.parseInt(spec.substring("HMAC_".length())) / 8;
  }

  /**
   * The longest key AWS imports for the spec: the digest's block size (64 bytes for SHA-224 and
   * SHA-256, 128 for SHA-384 and SHA-512). RFC 2104 hashes a longer key down first, so a longer
   * key adds no strength; a key shorter than the digest (the shortest AWS imports) weakens the MAC.
   */
  static int maxImportedKeyBytes(String spec) {
    return keyBytes(spec) <= 32 ? 64 : 128;
  }

  @Override
  public PrivateMaterial generate(String spec) {
    return decode(spec, Randomness.bytes(keyBytes(spec)));
  }

  /** Raw key bytes, of any length AWS imports for the spec: from the digest's length to its block size. */
  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    if (encoded.length < keyBytes(spec) || encoded.length > maxImportedKeyBytes(spec)) {
      throw new IllegalArgumentException("An " + spec + " key is " + keyBytes(spec) + " to "
          + maxImportedKeyBytes(spec) + " bytes");
    }
    return new HmacKey(new SecretKeySpec(encoded, jcaName(spec)), Arrays.copyOf(encoded, encoded.length));
  }

  /** The RFC 2104 HMAC of the message; as long as the algorithm's digest (28, 32, 48 or 64 bytes). */
  @Override
  public byte[] mac(PrivateMaterial key, String algorithm, byte[] message) {
    Mac mac = MACS[index(algorithm)].get();
    try {
      mac.init(((HmacKey) key).key());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("An HMAC key the JDK refuses", e);
    }
    return mac.doFinal(message);
  }

  private static int index(String algorithm) {
    for (int i = 0; i < ALGORITHMS.length; i++) {
      if (ALGORITHMS[i].equals(algorithm)) {
        return i;
      }
    }
    throw new IllegalArgumentException("Not a MAC algorithm: " + algorithm);
  }
}
