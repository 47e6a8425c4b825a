package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyPairResponse;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * Encrypt, Decrypt and ReEncrypt with RSA keys, GenerateDataKeyPair(WithoutPlaintext) and
 * DeriveSharedSecret, with the errors AWS documents for each.
 */
class KmsAsymmetricEncryptionIT extends BackendTest {
  private static SdkBytes bytes(byte[] value) {
    return SdkBytes.fromByteArray(value);
  }

  private static String key(String spec, String usage) {
    return kms.createKey(r -> r.keySpec(spec).keyUsage(usage)).keyMetadata().keyId();
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048, RSAES_OAEP_SHA_1, 214", "RSA_2048, RSAES_OAEP_SHA_256, 190", "RSA_3072, RSAES_OAEP_SHA_1, 342",
      "RSA_3072, RSAES_OAEP_SHA_256, 318", "RSA_4096, RSAES_OAEP_SHA_1, 470", "RSA_4096, RSAES_OAEP_SHA_256, 446"})
  void rsaEncryptsUpToAwssLimitAndDecryptsWithTheKeyId(String spec, String algorithm, int limit) {
    String keyId = key(spec, "ENCRYPT_DECRYPT");
    byte[] plaintext = new byte[limit];
    plaintext[limit - 1] = 7;
    var encrypted = kms.encrypt(r -> r.keyId(keyId).plaintext(bytes(plaintext)).encryptionAlgorithm(algorithm));
    assertThat(encrypted.encryptionAlgorithmAsString()).isEqualTo(algorithm);
    assertThat(encrypted.ciphertextBlob().asByteArray()).as("bare RSA output").hasSize(
        Integer.parseInt(spec.substring(4)) / 8);
    var decrypted = kms.decrypt(r -> r.keyId(keyId).ciphertextBlob(encrypted.ciphertextBlob())
        .encryptionAlgorithm(algorithm));
    assertThat(decrypted.plaintext().asByteArray()).isEqualTo(plaintext);
    assertThat(decrypted.keyMaterialId()).as("AWS names symmetric material only").isNull();
    var error = expectError("ValidationException", () -> kms.encrypt(r -> r.keyId(keyId)
        .plaintext(bytes(new byte[limit + 1])).encryptionAlgorithm(algorithm)));
    assertThat(message(error)).isEqualTo("Algorithm " + algorithm + " and key spec " + spec
        + " cannot encrypt data larger than " + limit + " bytes.");
  }

  @Test
  void theJdkDecryptsNothingButShuntDecryptsWhatTheJdkEncryptedWithThePublicKey() throws Exception {
    String keyId = key("RSA_2048", "ENCRYPT_DECRYPT");
    var publicKey = KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(
        kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray()));
    Cipher cipher = Cipher.getInstance("RSA/ECB/OAEPPadding");
    cipher.init(Cipher.ENCRYPT_MODE, publicKey, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
        PSource.PSpecified.DEFAULT));
    byte[] ciphertext = cipher.doFinal("from outside".getBytes());
    assertThat(kms.decrypt(r -> r.keyId(keyId).ciphertextBlob(bytes(ciphertext))
        .encryptionAlgorithm("RSAES_OAEP_SHA_256")).plaintext().asUtf8String()).isEqualTo("from outside");
    // The same ciphertext under the other OAEP digest is not a ciphertext at all.
    expectError("InvalidCiphertextException", () -> kms.decrypt(r -> r.keyId(keyId)
        .ciphertextBlob(bytes(ciphertext)).encryptionAlgorithm("RSAES_OAEP_SHA_1")));
  }

  @Test
  void rsaEncryptionNeedsAnRsaAlgorithmAndNoContext() {
    String keyId = key("RSA_4096", "ENCRYPT_DECRYPT");
    var error = expectError("InvalidKeyUsageException", () -> kms.encrypt(r -> r.keyId(keyId)
        .plaintext(SdkBytes.fromUtf8String("x"))));
    assertThat(message(error)).isEqualTo("Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096.");
    expectError("ValidationException", () -> kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))
        .encryptionAlgorithm("RSAES_OAEP_SHA_256").encryptionContext(Map.of("a", "b"))));
    SdkBytes ciphertext = kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))
        .encryptionAlgorithm("RSAES_OAEP_SHA_256")).ciphertextBlob();
    expectError("InvalidKeyUsageException", () -> kms.decrypt(r -> r.keyId(keyId).ciphertextBlob(ciphertext)));
    expectError("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(ciphertext)
        .encryptionAlgorithm("RSAES_OAEP_SHA_256")));
    String signing = key("RSA_2048", "SIGN_VERIFY");
    expectError("InvalidKeyUsageException", () -> kms.encrypt(r -> r.keyId(signing)
        .plaintext(SdkBytes.fromUtf8String("x")).encryptionAlgorithm("RSAES_OAEP_SHA_256")));
  }

  @Test
  void reEncryptMovesCiphertextBetweenRsaAndSymmetricKeys() {
    String rsa = key("RSA_2048", "ENCRYPT_DECRYPT");
    String symmetric = kms.createKey(r -> { }).keyMetadata().keyId();
    SdkBytes underRsa = kms.encrypt(r -> r.keyId(rsa).plaintext(SdkBytes.fromUtf8String("moved"))
        .encryptionAlgorithm("RSAES_OAEP_SHA_1")).ciphertextBlob();
    var toSymmetric = kms.reEncrypt(r -> r.ciphertextBlob(underRsa).sourceKeyId(rsa)
        .sourceEncryptionAlgorithm("RSAES_OAEP_SHA_1").destinationKeyId(symmetric));
    assertThat(toSymmetric.sourceEncryptionAlgorithmAsString()).isEqualTo("RSAES_OAEP_SHA_1");
    assertThat(toSymmetric.destinationEncryptionAlgorithmAsString()).isEqualTo("SYMMETRIC_DEFAULT");
    var back = kms.reEncrypt(r -> r.ciphertextBlob(toSymmetric.ciphertextBlob()).destinationKeyId(rsa)
        .destinationEncryptionAlgorithm("RSAES_OAEP_SHA_256"));
    assertThat(back.destinationEncryptionAlgorithmAsString()).isEqualTo("RSAES_OAEP_SHA_256");
    assertThat(back.destinationKeyMaterialId()).isNull();
    assertThat(kms.decrypt(r -> r.keyId(rsa).ciphertextBlob(back.ciphertextBlob())
        .encryptionAlgorithm("RSAES_OAEP_SHA_256")).plaintext().asUtf8String()).isEqualTo("moved");
  }

  // ---- GenerateDataKeyPair ------------------------------------------------------------------

  @ParameterizedTest
  @CsvSource({"RSA_2048, RSA", "ECC_NIST_P256, EC", "ECC_NIST_P521, EC", "ECC_NIST_EDWARDS25519, Ed25519"})
  void aDataKeyPairsPrivateKeyIsSealedUnderTheSymmetricKeyWithItsContext(String pairSpec, String jdkAlgorithm)
      throws Exception {
    String keyId = kms.createKey(r -> { }).keyMetadata().keyId();
    Map<String, String> context = Map.of("purpose", "pair");
    GenerateDataKeyPairResponse pair = kms.generateDataKeyPair(r -> r.keyId(keyId).keyPairSpec(pairSpec)
        .encryptionContext(context));
    assertThat(pair.keyPairSpecAsString()).isEqualTo(pairSpec);
    assertThat(pair.keyMaterialId()).hasSize(64);
    KeyFactory.getInstance(jdkAlgorithm).generatePublic(new X509EncodedKeySpec(pair.publicKey().asByteArray()));
    byte[] opened = kms.decrypt(r -> r.ciphertextBlob(pair.privateKeyCiphertextBlob()).encryptionContext(context))
        .plaintext().asByteArray();
    assertThat(opened).isEqualTo(pair.privateKeyPlaintext().asByteArray());
    expectError("InvalidCiphertextException", () -> kms.decrypt(r -> r.ciphertextBlob(
        pair.privateKeyCiphertextBlob())));

    var withoutPlaintext = kms.generateDataKeyPairWithoutPlaintext(r -> r.keyId(keyId).keyPairSpec(pairSpec));
    assertThat(withoutPlaintext.publicKey().asByteArray()).isNotEqualTo(pair.publicKey().asByteArray());
    assertThat(withoutPlaintext.privateKeyCiphertextBlob().asByteArray()).isNotEmpty();
  }

  @Test
  void dataKeyPairsNeedAnEnabledSymmetricKeyAndSm2AChinaRegion() {
    String rsa = key("RSA_2048", "ENCRYPT_DECRYPT");
    expectError("InvalidKeyUsageException", () -> kms.generateDataKeyPair(r -> r.keyId(rsa)
        .keyPairSpec("ECC_NIST_P256")));
    String symmetric = kms.createKey(r -> { }).keyMetadata().keyId();
    expectError("UnsupportedOperationException", () -> kms.generateDataKeyPair(r -> r.keyId(symmetric)
        .keyPairSpec("SM2")));
    kms.disableKey(r -> r.keyId(symmetric));
    expectError("DisabledException", () -> kms.generateDataKeyPairWithoutPlaintext(r -> r.keyId(symmetric)
        .keyPairSpec("ECC_NIST_P256")));
    expectError("ValidationException", () -> kms.generateDataKeyPair(r -> r.keyId(symmetric)
        .keyPairSpec("RSA_1024")));
  }

  // ---- DeriveSharedSecret -------------------------------------------------------------------

  @Test
  void deriveSharedSecretMatchesTheJdksEcdhWithTheKmsPublicKey() throws Exception {
    String keyId = key("ECC_NIST_P384", "KEY_AGREEMENT");
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    KeyPair peer = generator.generateKeyPair();
    var response = kms.deriveSharedSecret(r -> r.keyId(keyId).keyAgreementAlgorithm("ECDH")
        .publicKey(bytes(peer.getPublic().getEncoded())));
    KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
    agreement.init(peer.getPrivate());
    agreement.doPhase(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(
        kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray())), true);
    assertThat(response.sharedSecret().asByteArray()).hasSize(48).isEqualTo(agreement.generateSecret());
    assertThat(response.keyAgreementAlgorithmAsString()).isEqualTo("ECDH");
    assertThat(response.keyOriginAsString()).isEqualTo("AWS_KMS");
    assertThat(response.keyId()).endsWith(":key/" + keyId);
  }

  @Test
  void deriveSharedSecretRefusesOtherCurvesMalformedKeysAndOtherUsages() throws Exception {
    String keyId = key("ECC_NIST_P256", "KEY_AGREEMENT");
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp384r1"));
    byte[] otherCurve = generator.generateKeyPair().getPublic().getEncoded();
    expectError("ValidationException", () -> kms.deriveSharedSecret(r -> r.keyId(keyId).keyAgreementAlgorithm("ECDH")
        .publicKey(bytes(otherCurve))));
    expectError("ValidationException", () -> kms.deriveSharedSecret(r -> r.keyId(keyId).keyAgreementAlgorithm("ECDH")
        .publicKey(bytes(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))));
    String signing = key("ECC_NIST_P256", "SIGN_VERIFY");
    byte[] peer = kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray();
    expectError("InvalidKeyUsageException", () -> kms.deriveSharedSecret(r -> r.keyId(signing)
        .keyAgreementAlgorithm("ECDH").publicKey(bytes(peer))));
    expectError("ValidationException", () -> kms.deriveSharedSecret(r -> r.keyId(keyId).publicKey(bytes(peer))));
  }
}
