package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;

/** RSA_2048, RSA_3072, RSA_4096 with the JDK's provider: RSASSA-PSS / PKCS#1 v1.5 signatures, RSAES-OAEP. */
public final class RsaFamily implements KeyFamily {
  public static final RsaFamily INSTANCE = new RsaFamily();

  private RsaFamily() {}

  static int bits(String spec) {
    return Integer.parseInt(spec.substring("RSA_".length()));
  }

  @Override
  public PrivateMaterial generate(String spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(new RSAKeyGenParameterSpec(bits(spec), RSAKeyGenParameterSpec.F4), Randomness.current());
      return JdkKeyPair.of(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    JdkKeyPair pair = JdkKeyPair.decode("RSA", encoded, privateKey -> {
      RSAPrivateCrtKey crt = (RSAPrivateCrtKey) privateKey;
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(),
          crt.getPublicExponent()));
    });
    if (((RSAPrivateCrtKey) pair.privateKey()).getModulus().bitLength() != bits(spec)) {
      throw new IllegalArgumentException("Not an " + spec + " key");
    }
    return pair;
  }
}
