package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyUsageType;

/**
 * Every key spec AWS offers, with the usages AWS allows for it and the algorithms AWS lists in
 * its KeyMetadata (the KMS developer guide's "Key spec reference" tables).
 */
class KmsKeySpecsIT extends BackendTest {

  @ParameterizedTest
  @CsvSource({
      "RSA_2048, ENCRYPT_DECRYPT, EncryptionAlgorithms, RSAES_OAEP_SHA_1 RSAES_OAEP_SHA_256",
      "RSA_3072, SIGN_VERIFY, SigningAlgorithms, RSASSA_PSS_SHA_256 RSASSA_PSS_SHA_384 RSASSA_PSS_SHA_512 "
          + "RSASSA_PKCS1_V1_5_SHA_256 RSASSA_PKCS1_V1_5_SHA_384 RSASSA_PKCS1_V1_5_SHA_512",
      "ECC_NIST_P256, SIGN_VERIFY, SigningAlgorithms, ECDSA_SHA_256",
      "ECC_NIST_P384, SIGN_VERIFY, SigningAlgorithms, ECDSA_SHA_384",
      "ECC_NIST_P521, SIGN_VERIFY, SigningAlgorithms, ECDSA_SHA_512",
      "ECC_NIST_P256, KEY_AGREEMENT, KeyAgreementAlgorithms, ECDH",
      "ECC_SECG_P256K1, SIGN_VERIFY, SigningAlgorithms, ECDSA_SHA_256",
      "ECC_NIST_EDWARDS25519, SIGN_VERIFY, SigningAlgorithms, ED25519_SHA_512 ED25519_PH_SHA_512",
      "ML_DSA_44, SIGN_VERIFY, SigningAlgorithms, ML_DSA_SHAKE_256",
      "ML_DSA_87, SIGN_VERIFY, SigningAlgorithms, ML_DSA_SHAKE_256",
      "HMAC_224, GENERATE_VERIFY_MAC, MacAlgorithms, HMAC_SHA_224",
      "HMAC_512, GENERATE_VERIFY_MAC, MacAlgorithms, HMAC_SHA_512"})
  void aKeyOfEachSpecListsAwssAlgorithmsForItsUsage(String spec, String usage, String list, String algorithms) {
    KeyMetadata key = kms.createKey(r -> r.keySpec(spec).keyUsage(usage)).keyMetadata();
    KeyMetadata described = kms.describeKey(r -> r.keyId(key.keyId())).keyMetadata();
    assertThat(described.keySpecAsString()).isEqualTo(spec);
    assertThat(described.customerMasterKeySpecAsString()).isEqualTo(spec);
    assertThat(described.keyUsageAsString()).isEqualTo(usage);
    List<String> listed = switch (list) {
      case "EncryptionAlgorithms" -> described.encryptionAlgorithmsAsStrings();
      case "SigningAlgorithms" -> described.signingAlgorithmsAsStrings();
      case "MacAlgorithms" -> described.macAlgorithmsAsStrings();
      default -> described.keyAgreementAlgorithmsAsStrings();
    };
    assertThat(listed).containsExactly(algorithms.split(" "));
    assertThat(described.currentKeyMaterialId()).as("AWS names the material of symmetric keys only").isNull();
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048, KEY_AGREEMENT", "RSA_4096, GENERATE_VERIFY_MAC", "ECC_SECG_P256K1, KEY_AGREEMENT",
      "ECC_NIST_P256, ENCRYPT_DECRYPT", "ECC_NIST_EDWARDS25519, KEY_AGREEMENT", "ML_DSA_65, ENCRYPT_DECRYPT",
      "HMAC_256, SIGN_VERIFY", "SYMMETRIC_DEFAULT, SIGN_VERIFY"})
  void aUsageTheSpecDoesNotAllowIsAValidationException(String spec, String usage) {
    expectError("ValidationException", () -> kms.createKey(r -> r.keySpec(spec).keyUsage(usage)));
  }

  @Test
  void anHmacOrEccKeyNeedsItsKeyUsageGivenSinceTheDefaultIsEncryptDecrypt() {
    expectError("ValidationException", () -> kms.createKey(r -> r.keySpec(KeySpec.HMAC_256)));
    expectError("ValidationException", () -> kms.createKey(r -> r.keySpec(KeySpec.ECC_NIST_P256)));
    assertThat(kms.createKey(r -> r.keySpec(KeySpec.RSA_2048)).keyMetadata().keyUsage())
        .isEqualTo(KeyUsageType.ENCRYPT_DECRYPT);
  }

  @Test
  void sm2KeysExistOnlyInTheChinaRegions() {
    expectError("UnsupportedOperationException", () -> kms.createKey(r -> r.keySpec(KeySpec.SM2)
        .keyUsage(KeyUsageType.SIGN_VERIFY)));
    try (KmsClient china = shunt.kms("AKIDTEST", Region.CN_NORTH_1)) {
      KeyMetadata sm2 = china.createKey(r -> r.keySpec(KeySpec.SM2).keyUsage(KeyUsageType.ENCRYPT_DECRYPT))
          .keyMetadata();
      assertThat(sm2.arn()).startsWith("arn:aws-cn:kms:cn-north-1:");
      assertThat(sm2.encryptionAlgorithmsAsStrings()).containsExactly("SM2PKE");
    }
  }

  @Test
  void onlySymmetricKeysRotateAndServeTheEnvelopeOperations() {
    String rsa = kms.createKey(r -> r.keySpec(KeySpec.RSA_2048).keyUsage(KeyUsageType.SIGN_VERIFY)).keyMetadata()
        .keyId();
    String hmac = kms.createKey(r -> r.keySpec(KeySpec.HMAC_256).keyUsage(KeyUsageType.GENERATE_VERIFY_MAC))
        .keyMetadata().keyId();
    for (String keyId : List.of(rsa, hmac)) {
      expectError("UnsupportedOperationException", () -> kms.enableKeyRotation(r -> r.keyId(keyId)));
      expectError("UnsupportedOperationException", () -> kms.rotateKeyOnDemand(r -> r.keyId(keyId)));
      expectError("InvalidKeyUsageException", () -> kms.generateDataKey(r -> r.keyId(keyId).numberOfBytes(32)));
      expectError("InvalidKeyUsageException", () -> kms.encrypt(r -> r.keyId(keyId)
          .plaintext(SdkBytes.fromUtf8String("x"))));
    }
  }
}
