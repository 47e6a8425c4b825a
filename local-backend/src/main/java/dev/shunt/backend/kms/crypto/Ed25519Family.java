package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.spec.X509EncodedKeySpec;

/** ECC_NIST_EDWARDS25519 with the JDK's provider: ED25519_SHA_512 on RAW messages, ED25519_PH_SHA_512 on digests. */
public final class Ed25519Family implements KeyFamily {
  public static final Ed25519Family INSTANCE = new Ed25519Family();

  private Ed25519Family() {}

  @Override
  public PrivateMaterial generate(String spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(255, Randomness.current());
      return JdkKeyPair.of(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 key generation failed", e);
    }
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    // The JDK cannot derive an Ed25519 public key from a parsed private key through public API;
    // Bouncy Castle's lightweight API can, from the same PKCS#8 bytes.
    return JdkKeyPair.decode("Ed25519", encoded, privateKey -> KeyFactory.getInstance("Ed25519")
        .generatePublic(new X509EncodedKeySpec(BcKeyPair.decode(encoded).publicKeyDer())));
  }
}
