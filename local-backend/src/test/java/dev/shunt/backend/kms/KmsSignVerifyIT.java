package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.math.ec.rfc8032.Ed25519;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.GetPublicKeyResponse;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.SignResponse;
import software.amazon.awssdk.services.kms.model.VerifyResponse;

/**
 * Sign and Verify (AWS API reference: Sign, Verify) with RSA, ECDSA and Ed25519 keys, RAW and
 * DIGEST messages, and each error AWS documents for them; GetPublicKey's shape and errors.
 */
class KmsSignVerifyIT extends BackendTest {
  private static final byte[] MESSAGE = "Shunt signs what KMS signs".getBytes(StandardCharsets.UTF_8);

  private static String signingKey(String spec) {
    return kms.createKey(r -> r.keySpec(spec).keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata().keyId();
  }

  private static SdkBytes bytes(byte[] value) {
    return SdkBytes.fromByteArray(value);
  }

  static byte[] sha(int bits, byte[] message) throws Exception {
    return MessageDigest.getInstance("SHA-" + bits).digest(message);
  }

  @ParameterizedTest
  @CsvSource({
      "RSA_2048, RSASSA_PSS_SHA_256", "RSA_2048, RSASSA_PSS_SHA_384", "RSA_3072, RSASSA_PSS_SHA_512",
      "RSA_2048, RSASSA_PKCS1_V1_5_SHA_256", "RSA_2048, RSASSA_PKCS1_V1_5_SHA_384",
      "RSA_4096, RSASSA_PKCS1_V1_5_SHA_512",
      "ECC_NIST_P256, ECDSA_SHA_256", "ECC_NIST_P384, ECDSA_SHA_384", "ECC_NIST_P521, ECDSA_SHA_512",
      "ECC_SECG_P256K1, ECDSA_SHA_256"})
  void rawAndDigestSignaturesVerifyInKmsAndWithTheJdkAgainstThePublicKey(String spec, String algorithm)
      throws Exception {
    String keyId = signingKey(spec);
    SignResponse raw = kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE)).signingAlgorithm(algorithm));
    String arn = kms.describeKey(r -> r.keyId(keyId)).keyMetadata().arn();
    assertThat(raw.keyId()).isEqualTo(arn);
    assertThat(raw.signingAlgorithmAsString()).isEqualTo(algorithm);
    VerifyResponse verified = kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE)).signature(raw.signature())
        .signingAlgorithm(algorithm));
    assertThat(verified.signatureValid()).isTrue();
    assertThat(verified.keyId()).isEqualTo(arn);

    // A DIGEST is signed as given: the signature is one of the RAW message, and vice versa.
    byte[] digest = sha(digestBits(algorithm), MESSAGE);
    SignResponse ofDigest = kms.sign(r -> r.keyId(keyId).message(bytes(digest)).messageType(MessageType.DIGEST)
        .signingAlgorithm(algorithm));
    assertThat(kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE)).signature(ofDigest.signature())
        .signingAlgorithm(algorithm)).signatureValid()).isTrue();
    assertThat(kms.verify(r -> r.keyId(keyId).message(bytes(digest)).messageType(MessageType.DIGEST)
        .signature(raw.signature()).signingAlgorithm(algorithm)).signatureValid()).isTrue();

    // The JDK, knowing nothing of Shunt, accepts both with the public key (secp256k1: the JDK lacks the curve).
    if (!spec.equals("ECC_SECG_P256K1")) {
      PublicKey publicKey = publicKey(keyId);
      assertThat(jdkVerifies(publicKey, algorithm, MESSAGE, raw.signature().asByteArray())).isTrue();
      assertThat(jdkVerifies(publicKey, algorithm, MESSAGE, ofDigest.signature().asByteArray())).isTrue();
      assertThat(jdkVerifies(publicKey, algorithm, "another message".getBytes(StandardCharsets.UTF_8),
          raw.signature().asByteArray())).isFalse();
    }
  }

  static int digestBits(String algorithm) {
    return Integer.parseInt(algorithm.substring(algorithm.length() - 3));
  }

  private static PublicKey publicKey(String keyId) throws Exception {
    byte[] der = kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray();
    String jdkAlgorithm = kms.describeKey(r -> r.keyId(keyId)).keyMetadata().keySpecAsString().startsWith("RSA")
        ? "RSA" : "EC";
    return KeyFactory.getInstance(jdkAlgorithm).generatePublic(new X509EncodedKeySpec(der));
  }

  private static boolean jdkVerifies(PublicKey key, String algorithm, byte[] message, byte[] signature)
      throws Exception {
    int bits = digestBits(algorithm);
    Signature verifier;
    if (algorithm.startsWith("RSASSA_PSS")) {
      verifier = Signature.getInstance("RSASSA-PSS");
      verifier.setParameter(new PSSParameterSpec("SHA-" + bits, "MGF1", new MGF1ParameterSpec("SHA-" + bits),
          bits / 8, 1));
    } else {
      verifier = Signature.getInstance("SHA" + bits + (algorithm.startsWith("ECDSA") ? "withECDSA" : "withRSA"));
    }
    verifier.initVerify(key);
    verifier.update(message);
    return verifier.verify(signature);
  }

  @Test
  void ed25519SignsRawMessagesPureAndSha512DigestsAsEd25519ph() throws Exception {
    String keyId = signingKey("ECC_NIST_EDWARDS25519");
    byte[] pure = kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE)).signingAlgorithm("ED25519_SHA_512"))
        .signature().asByteArray();
    byte[] digest = sha(512, MESSAGE);
    byte[] prehashed = kms.sign(r -> r.keyId(keyId).message(bytes(digest)).messageType(MessageType.DIGEST)
        .signingAlgorithm("ED25519_PH_SHA_512")).signature().asByteArray();
    assertThat(pure).hasSize(64);
    assertThat(prehashed).hasSize(64).isNotEqualTo(pure);

    Ed25519PublicKeyParameters publicKey = (Ed25519PublicKeyParameters) PublicKeyFactory.createKey(
        kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray());
    assertThat(publicKey.verify(Ed25519.Algorithm.Ed25519, null, MESSAGE, 0, MESSAGE.length, pure, 0)).isTrue();
    assertThat(publicKey.verify(Ed25519.Algorithm.Ed25519ph, new byte[0], digest, 0, 64, prehashed, 0)).isTrue();
    assertThat(kms.verify(r -> r.keyId(keyId).message(bytes(digest)).messageType(MessageType.DIGEST)
        .signature(bytes(prehashed)).signingAlgorithm("ED25519_PH_SHA_512")).signatureValid()).isTrue();
    assertThat(kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE)).signature(bytes(pure))
        .signingAlgorithm("ED25519_SHA_512")).signatureValid()).isTrue();
  }

  @Test
  void ed25519AlgorithmsAcceptOnlyTheirOwnMessageType() {
    String keyId = signingKey("ECC_NIST_EDWARDS25519");
    expectError("ValidationException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(new byte[64]))
        .messageType(MessageType.DIGEST).signingAlgorithm("ED25519_SHA_512")));
    expectError("ValidationException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signingAlgorithm("ED25519_PH_SHA_512")));
  }

  @Test
  void aChangedMessageOrSignatureIsKmsInvalidSignatureException() {
    for (String[] specAndAlgorithm : new String[][] {{"RSA_2048", "RSASSA_PSS_SHA_256"},
        {"ECC_NIST_P256", "ECDSA_SHA_256"}, {"ECC_NIST_EDWARDS25519", "ED25519_SHA_512"}}) {
      String keyId = signingKey(specAndAlgorithm[0]);
      String algorithm = specAndAlgorithm[1];
      byte[] signature = kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE)).signingAlgorithm(algorithm))
          .signature().asByteArray();
      byte[] changed = MESSAGE.clone();
      changed[0] ^= 1;
      expectError("KMSInvalidSignatureException", () -> kms.verify(r -> r.keyId(keyId).message(bytes(changed))
          .signature(bytes(signature)).signingAlgorithm(algorithm)));
      byte[] flipped = signature.clone();
      flipped[flipped.length - 1] ^= 1;
      expectError("KMSInvalidSignatureException", () -> kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE))
          .signature(bytes(flipped)).signingAlgorithm(algorithm)));
      expectError("KMSInvalidSignatureException", () -> kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE))
          .signature(bytes(Arrays.copyOf(signature, 10))).signingAlgorithm(algorithm)));
    }
  }

  @Test
  void anotherKeysSignatureDoesNotVerify() {
    String signer = signingKey("ECC_NIST_P256");
    String other = signingKey("ECC_NIST_P256");
    SdkBytes signature = kms.sign(r -> r.keyId(signer).message(bytes(MESSAGE)).signingAlgorithm("ECDSA_SHA_256"))
        .signature();
    expectError("KMSInvalidSignatureException", () -> kms.verify(r -> r.keyId(other).message(bytes(MESSAGE))
        .signature(signature).signingAlgorithm("ECDSA_SHA_256")));
  }

  @Test
  void aDigestOfTheWrongLengthIsAValidationException() {
    String keyId = signingKey("ECC_NIST_P384");
    var error = expectError("ValidationException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(new byte[32]))
        .messageType(MessageType.DIGEST).signingAlgorithm("ECDSA_SHA_384")));
    assertThat(message(error)).isEqualTo("Digest is invalid length for algorithm ECDSA_SHA_384.");
    expectError("ValidationException", () -> kms.verify(r -> r.keyId(keyId).message(bytes(new byte[64]))
        .messageType(MessageType.DIGEST).signature(bytes(new byte[8])).signingAlgorithm("ECDSA_SHA_384")));
  }

  @Test
  void externalMuIsOnlyForMlDsa() {
    String keyId = signingKey("RSA_2048");
    expectError("ValidationException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(new byte[64]))
        .messageType(MessageType.EXTERNAL_MU).signingAlgorithm("RSASSA_PSS_SHA_256")));
  }

  @Test
  void anAlgorithmOfAnotherSpecIsInvalidKeyUsage() {
    String keyId = signingKey("ECC_NIST_P256");
    var error = expectError("InvalidKeyUsageException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signingAlgorithm("ECDSA_SHA_384")));
    assertThat(message(error)).isEqualTo("Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.");
    expectError("InvalidKeyUsageException", () -> kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signature(bytes(new byte[70])).signingAlgorithm("RSASSA_PSS_SHA_256")));
  }

  @Test
  void keysOfOtherUsagesCannotSign() {
    String encryption = kms.createKey(r -> r.keySpec("RSA_2048").keyUsage(KeyUsageType.ENCRYPT_DECRYPT))
        .keyMetadata().keyId();
    String symmetric = kms.createKey(r -> { }).keyMetadata().keyId();
    String agreement = kms.createKey(r -> r.keySpec("ECC_NIST_P256").keyUsage(KeyUsageType.KEY_AGREEMENT))
        .keyMetadata().keyId();
    var error = expectError("InvalidKeyUsageException", () -> kms.sign(r -> r.keyId(encryption)
        .message(bytes(MESSAGE)).signingAlgorithm("RSASSA_PSS_SHA_256")));
    assertThat(message(error)).endsWith("key usage is ENCRYPT_DECRYPT which is not valid for Sign.");
    expectError("InvalidKeyUsageException", () -> kms.sign(r -> r.keyId(symmetric).message(bytes(MESSAGE))
        .signingAlgorithm("RSASSA_PSS_SHA_256")));
    expectError("InvalidKeyUsageException", () -> kms.verify(r -> r.keyId(agreement).message(bytes(MESSAGE))
        .signature(bytes(new byte[70])).signingAlgorithm("ECDSA_SHA_256")));
  }

  @Test
  void disabledAndPendingDeletionKeysRefuseToSignAndVerify() {
    String keyId = signingKey("ECC_NIST_P256");
    SdkBytes signature = kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE)).signingAlgorithm("ECDSA_SHA_256"))
        .signature();
    kms.disableKey(r -> r.keyId(keyId));
    expectError("DisabledException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signingAlgorithm("ECDSA_SHA_256")));
    expectError("DisabledException", () -> kms.verify(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signature(signature).signingAlgorithm("ECDSA_SHA_256")));
    expectError("DisabledException", () -> kms.getPublicKey(r -> r.keyId(keyId)));
    kms.scheduleKeyDeletion(r -> r.keyId(keyId).pendingWindowInDays(7));
    expectError("KMSInvalidStateException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signingAlgorithm("ECDSA_SHA_256")));
  }

  @Test
  void aMessageOverFourKibibytesIsAValidationException() {
    String keyId = signingKey("ECC_NIST_P256");
    assertThat(kms.sign(r -> r.keyId(keyId).message(bytes(new byte[4096])).signingAlgorithm("ECDSA_SHA_256"))
        .signature().asByteArray()).isNotEmpty();
    expectError("ValidationException", () -> kms.sign(r -> r.keyId(keyId).message(bytes(new byte[4097]))
        .signingAlgorithm("ECDSA_SHA_256")));
  }

  @Test
  void signingThroughAnAliasAnswersWithTheKeyArn() {
    String keyId = signingKey("ECC_NIST_P256");
    kms.createAlias(r -> r.aliasName("alias/signer").targetKeyId(keyId));
    SignResponse signed = kms.sign(r -> r.keyId("alias/signer").message(bytes(MESSAGE))
        .signingAlgorithm("ECDSA_SHA_256"));
    assertThat(signed.keyId()).endsWith(":key/" + keyId);
  }

  @Test
  void dryRunSignIsDryRunOperationException() {
    String keyId = signingKey("ECC_NIST_P256");
    expectError("DryRunOperationException", 412, () -> kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE))
        .signingAlgorithm("ECDSA_SHA_256").dryRun(true)));
  }

  // ---- GetPublicKey -------------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"RSA_2048, ENCRYPT_DECRYPT", "RSA_3072, SIGN_VERIFY", "ECC_NIST_P521, KEY_AGREEMENT",
      "ECC_SECG_P256K1, SIGN_VERIFY", "ECC_NIST_EDWARDS25519, SIGN_VERIFY"})
  void getPublicKeyAnswersTheSpkiAndTheListOfTheKeysUsage(String spec, String usage) {
    var created = kms.createKey(r -> r.keySpec(spec).keyUsage(usage)).keyMetadata();
    GetPublicKeyResponse response = kms.getPublicKey(r -> r.keyId(created.keyId()));
    assertThat(response.keyId()).isEqualTo(created.arn());
    assertThat(response.keySpecAsString()).isEqualTo(spec);
    assertThat(response.customerMasterKeySpecAsString()).isEqualTo(spec);
    assertThat(response.keyUsageAsString()).isEqualTo(usage);
    assertThat(response.publicKey().asByteArray()[0]).as("a DER SEQUENCE").isEqualTo((byte) 0x30);
    switch (usage) {
      case "SIGN_VERIFY" -> {
        assertThat(response.signingAlgorithmsAsStrings()).isEqualTo(created.signingAlgorithmsAsStrings());
        assertThat(response.hasEncryptionAlgorithms()).isFalse();
      }
      case "ENCRYPT_DECRYPT" -> {
        assertThat(response.encryptionAlgorithmsAsStrings()).containsExactly("RSAES_OAEP_SHA_1",
            "RSAES_OAEP_SHA_256");
        assertThat(response.hasSigningAlgorithms()).isFalse();
      }
      default -> assertThat(response.keyAgreementAlgorithmsAsStrings()).containsExactly("ECDH");
    }
  }

  @Test
  void symmetricAndHmacKeysHaveNoPublicKey() {
    String symmetric = kms.createKey(r -> { }).keyMetadata().keyId();
    String hmac = kms.createKey(r -> r.keySpec("HMAC_256").keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
        .keyMetadata().keyId();
    expectError("UnsupportedOperationException", () -> kms.getPublicKey(r -> r.keyId(symmetric)));
    expectError("UnsupportedOperationException", () -> kms.getPublicKey(r -> r.keyId(hmac)));
    expectError("NotFoundException", () -> kms.getPublicKey(r -> r.keyId("alias/none")));
  }
}
