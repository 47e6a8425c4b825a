package dev.shunt.backend.kms.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHAKEDigest;
import org.bouncycastle.pqc.crypto.mldsa.MLDSAPublicKeyParameters;
import org.bouncycastle.pqc.crypto.mldsa.MLDSASigner;
import org.bouncycastle.pqc.crypto.util.PublicKeyFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ML_DSA_SHAKE_256 signatures checked by verifiers built here from the public key's DER alone
 * (what GetPublicKey hands out), and EXTERNAL_MU checked against μ computed here per FIPS 204 §6.2.
 */
class MlDsaFamilyTest {
  private static final String ALGORITHM = "ML_DSA_SHAKE_256";
  private final MlDsaFamily family = MlDsaFamily.INSTANCE;
  private final byte[] message = "a message of the size of a contract".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest
  @CsvSource({"ML_DSA_44, 2420", "ML_DSA_65, 3309", "ML_DSA_87, 4627"})
  void aRawSignatureHasTheParameterSetsSizeAndVerifiesWithAnIndependentVerifier(String spec, int size)
      throws Exception {
    PrivateMaterial key = family.generate(spec);
    byte[] signature = family.sign(key, ALGORITHM, "RAW", message);
    assertThat(signature).hasSize(size);
    assertThat(independentlyVerifies(key.publicKeyDer(), message, signature)).isTrue();
    assertThat(family.verify(key, ALGORITHM, "RAW", message, signature)).isTrue();
  }

  @Test
  void aSignatureOfAnotherMessageOrKeyOrWithAFlippedBitDoesNotVerify() throws Exception {
    PrivateMaterial key = family.generate("ML_DSA_44");
    byte[] signature = family.sign(key, ALGORITHM, "RAW", message);
    byte[] flipped = signature.clone();
    flipped[100] ^= 0x01;
    assertThat(family.verify(key, ALGORITHM, "RAW", message, flipped)).isFalse();
    assertThat(family.verify(key, ALGORITHM, "RAW", "another".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    assertThat(family.verify(family.generate("ML_DSA_44"), ALGORITHM, "RAW", message, signature)).isFalse();
    assertThat(family.verify(key, ALGORITHM, "RAW", message, Arrays.copyOf(signature, 100))).isFalse();
    assertThat(independentlyVerifies(key.publicKeyDer(), message, flipped)).isFalse();
  }

  @Test
  void signingIsHedgedSoTwoSignaturesOfOneMessageDifferAndBothVerify() throws Exception {
    PrivateMaterial key = family.generate("ML_DSA_65");
    byte[] first = family.sign(key, ALGORITHM, "RAW", message);
    byte[] second = family.sign(key, ALGORITHM, "RAW", message);
    assertThat(first).isNotEqualTo(second);
    assertThat(independentlyVerifies(key.publicKeyDer(), message, second)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"ML_DSA_44", "ML_DSA_65", "ML_DSA_87"})
  void anExternalMuSignatureIsTheRawSignatureOfTheMessageWhoseMuItIs(String spec) throws Exception {
    PrivateMaterial key = family.generate(spec);
    byte[] mu = mu(key.publicKeyDer(), message);

    byte[] muSignature = family.sign(key, ALGORITHM, "EXTERNAL_MU", mu);
    assertThat(independentlyVerifies(key.publicKeyDer(), message, muSignature)).isTrue();
    assertThat(family.verify(key, ALGORITHM, "RAW", message, muSignature)).isTrue();

    byte[] rawSignature = family.sign(key, ALGORITHM, "RAW", message);
    assertThat(family.verify(key, ALGORITHM, "EXTERNAL_MU", mu, rawSignature)).isTrue();
    byte[] otherMu = mu(key.publicKeyDer(), "another".getBytes(StandardCharsets.UTF_8));
    assertThat(family.verify(key, ALGORITHM, "EXTERNAL_MU", otherMu, rawSignature)).isFalse();
  }

  @Test
  void aMuIsSixtyFourBytesAndADigestIsNotAnMlDsaMessageType() {
    PrivateMaterial key = family.generate("ML_DSA_44");
    assertThat(family.messageTypes(ALGORITHM)).containsExactlyInAnyOrder("RAW", "EXTERNAL_MU");
    assertThatThrownBy(() -> family.sign(key, ALGORITHM, "EXTERNAL_MU", new byte[32]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> family.sign(key, ALGORITHM, "DIGEST", new byte[64]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDecodedKeySignsForTheSamePublicKey() throws Exception {
    PrivateMaterial key = family.generate("ML_DSA_87");
    PrivateMaterial decoded = family.decode("ML_DSA_87", key.encoded());
    assertThat(decoded.publicKeyDer()).isEqualTo(key.publicKeyDer());
    assertThat(independentlyVerifies(key.publicKeyDer(), message, family.sign(decoded, ALGORITHM, "RAW", message)))
        .isTrue();
  }

  /** FIPS 204 §6.2 (Algorithm 2 with an empty context): μ = SHAKE256(SHAKE256(pk, 64) || 0 || 0 || M, 64). */
  private static byte[] mu(byte[] publicKeyDer, byte[] message) throws Exception {
    byte[] pk = ((MLDSAPublicKeyParameters) PublicKeyFactory.createKey(publicKeyDer)).getEncoded();
    byte[] tr = shake256(pk);
    byte[] prefixed = new byte[tr.length + 2 + message.length];
    System.arraycopy(tr, 0, prefixed, 0, tr.length);
    // prefixed[64] = 0 (pure ML-DSA), prefixed[65] = 0 (context length)
    System.arraycopy(message, 0, prefixed, tr.length + 2, message.length);
    return shake256(prefixed);
  }

  private static byte[] shake256(byte[] input) {
    SHAKEDigest shake = new SHAKEDigest(256);
    shake.update(input, 0, input.length);
    byte[] out = new byte[64];
    shake.doFinal(out, 0, out.length);
    return out;
  }

  private static boolean independentlyVerifies(byte[] publicKeyDer, byte[] message, byte[] signature)
      throws Exception {
    MLDSASigner verifier = new MLDSASigner();
    verifier.init(false, PublicKeyFactory.createKey(publicKeyDer));
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }
}
