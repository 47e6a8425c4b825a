package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;

/** ML_DSA_44/65/87 (FIPS 204) with Bouncy Castle: ML_DSA_SHAKE_256 on RAW messages and EXTERNAL_MU. */
public final class MlDsaFamily implements KeyFamily {
  public static final MlDsaFamily INSTANCE = new MlDsaFamily();

  private MlDsaFamily() {}

  static MLDSAParameters parameters(String spec) {
    return switch (spec) {
      case "ML_DSA_44" -> MLDSAParameters.ml_dsa_44;
      case "ML_DSA_65" -> MLDSAParameters.ml_dsa_65;
      case "ML_DSA_87" -> MLDSAParameters.ml_dsa_87;
      default -> throw new IllegalArgumentException("Not an ML-DSA spec: " + spec);
    };
  }

  @Override
  public PrivateMaterial generate(String spec) {
    MLDSAKeyPairGenerator generator = new MLDSAKeyPairGenerator();
    generator.init(new MLDSAKeyGenerationParameters(Randomness.current(), parameters(spec)));
    return BcKeyPair.of(generator.generateKeyPair());
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    return BcKeyPair.decode(encoded);
  }
}
