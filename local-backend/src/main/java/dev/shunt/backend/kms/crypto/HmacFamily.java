package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.util.Arrays;
import javax.crypto.spec.SecretKeySpec;

/** HMAC_224/256/384/512 with the JDK's provider: GenerateMac and VerifyMac. */
public final class HmacFamily implements KeyFamily {
  public static final HmacFamily INSTANCE = new HmacFamily();

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

  /** The JCA name of the spec's MAC ({@code HmacSHA256}...). */
  static String jcaName(String spec) {
    return "HmacSHA" + spec.substring("HMAC_".length());
  }

  /** AWS's key length for the spec: as many bits as the digest has. */
  static int keyBytes(String spec) {
    return Integer.parseInt(spec.substring("HMAC_".length())) / 8;
  }

  @Override
  public PrivateMaterial generate(String spec) {
    return decode(spec, Randomness.bytes(keyBytes(spec)));
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    if (encoded.length != keyBytes(spec)) {
      throw new IllegalArgumentException("An " + spec + " key is " + keyBytes(spec) + " bytes");
    }
    return new HmacKey(new SecretKeySpec(encoded, jcaName(spec)), Arrays.copyOf(encoded, encoded.length));
  }
}
