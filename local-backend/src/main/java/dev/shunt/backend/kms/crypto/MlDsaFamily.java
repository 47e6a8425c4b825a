package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.util.Set;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAKeyPairGenerator;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;

/**
 * ML_DSA_44/65/87 (FIPS 204) with Bouncy Castle: ML_DSA_SHAKE_256, which is pure ML-DSA with an
 * empty context, on RAW messages, or on an EXTERNAL_MU: the 64-byte message representative
 * μ = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64) the caller computed (FIPS 204 §6.2), so
 * that a message of any size can be signed by sending 64 bytes. Both give the same signature
 * scheme: a RAW signature verifies as the signature of its message's μ, and the reverse.
 */
public final class MlDsaFamily implements KeyFamily {
  public static final MlDsaFamily INSTANCE = new MlDsaFamily();
  /** The length of μ, the only length an EXTERNAL_MU message can have. */
  public static final int MU_BYTES = 64;
  /** ML-DSA has no pre-hash form in KMS: a DIGEST is refused, and EXTERNAL_MU takes its place. */
  private static final Set<String> MESSAGE_TYPES = Set.of(RAW, EXTERNAL_MU);

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

  @Override
  public Set<String> messageTypes(String algorithm) {
    return MESSAGE_TYPES;
  }

  /**
   * The hedged variant of FIPS 204 (fresh randomness in each signature), as FIPS 204 recommends:
   * two signatures of one message differ, and both verify.
   */
  @Override
  public byte[] sign(PrivateMaterial key, String algorithm, String messageType, byte[] message) {
    MLDSASigner signer = new MLDSASigner();
    signer.init(true, new ParametersWithRandom(((BcKeyPair) key).privateKey(), Randomness.current()));
    try {
      if (isExternalMu(messageType, message)) {
        return signer.generateMuSignature(message);
      }
      signer.update(message, 0, message.length);
      return signer.generateSignature();
    } catch (CryptoException e) {
      throw new IllegalStateException("ML-DSA signing failed", e);
    }
  }

  @Override
  public boolean verify(PrivateMaterial key, String algorithm, String messageType, byte[] message,
      byte[] signature) {
    MLDSASigner verifier = new MLDSASigner();
    verifier.init(false, ((BcKeyPair) key).publicKey());
    if (isExternalMu(messageType, message)) {
      return verifier.verifyMuSignature(message, signature);
    }
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }

  /** Whether the message is a μ (no type means RAW, AWS's default); throws IllegalArgumentException for a type ML-DSA does not take or a μ of another length. */
  private static boolean isExternalMu(String messageType, byte[] message) {
    if (messageType == null || RAW.equals(messageType)) {
      return false;
    }
    if (!EXTERNAL_MU.equals(messageType)) {
      throw new IllegalArgumentException("ML-DSA signs RAW messages or an EXTERNAL_MU, not " + messageType);
    }
    if (message.length != MU_BYTES) {
      throw new IllegalArgumentException("An EXTERNAL_MU is " + MU_BYTES + " bytes");
    }
    return true;
  }
}
