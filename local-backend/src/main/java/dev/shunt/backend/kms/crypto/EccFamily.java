package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;

/**
 * ECC_NIST_P256/P384/P521 (the JDK's provider) and ECC_SECG_P256K1 (Bouncy Castle: the JDK dropped
 * secp256k1): ECDSA with DER-encoded signatures, and ECDH for the NIST curves.
 */
public final class EccFamily implements KeyFamily {
  public static final EccFamily INSTANCE = new EccFamily();
  static final String SECP256K1 = "ECC_SECG_P256K1";

  private EccFamily() {}

  static String jdkCurve(String spec) {
    return switch (spec) {
      case "ECC_NIST_P256" -> "secp256r1";
      case "ECC_NIST_P384" -> "secp384r1";
      case "ECC_NIST_P521" -> "secp521r1";
      default -> throw new IllegalArgumentException("Not a NIST curve spec: " + spec);
    };
  }

  @Override
  public PrivateMaterial generate(String spec) {
    if (spec.equals(SECP256K1)) {
      X9ECParameters curve = CustomNamedCurves.getByName("secp256k1");
      ECKeyPairGenerator generator = new ECKeyPairGenerator();
      generator.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256k1, curve),
          Randomness.current()));
      return BcKeyPair.of(generator.generateKeyPair());
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec(jdkCurve(spec)), Randomness.current());
      return JdkKeyPair.of(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("EC key generation failed", e);
    }
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    BcKeyPair parsed = BcKeyPair.decode(encoded);
    if (spec.equals(SECP256K1)) {
      return parsed;
    }
    return JdkKeyPair.decode("EC", encoded, privateKey -> KeyFactory.getInstance("EC")
        .generatePublic(new X509EncodedKeySpec(parsed.publicKeyDer())));
  }
}
