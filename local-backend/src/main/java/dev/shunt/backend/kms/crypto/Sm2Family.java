package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;

/** SM2 (China Regions only) with Bouncy Castle: SM2DSA signatures, SM2PKE encryption, ECDH. */
public final class Sm2Family implements KeyFamily {
  public static final Sm2Family INSTANCE = new Sm2Family();

  private Sm2Family() {}

  @Override
  public PrivateMaterial generate(String spec) {
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1,
        GMNamedCurves.getByOID(GMObjectIdentifiers.sm2p256v1)), Randomness.current()));
    return BcKeyPair.of(generator.generateKeyPair());
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    return BcKeyPair.decode(encoded);
  }
}
