package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.function.Consumer;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.AlgorithmSpec;
import software.amazon.awssdk.services.kms.model.EncryptionAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.ExpirationModelType;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.ImportKeyMaterialRequest;
import software.amazon.awssdk.services.kms.model.ImportType;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeySpec;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MacAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.MessageType;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.SigningAlgorithmSpec;
import software.amazon.awssdk.services.kms.model.WrappingKeySpec;

/**
 * Key material imported into asymmetric and HMAC keys, with OpenSSL as the party that made the
 * key: it generates the private key, wraps it as AWS's developer guide says, and signs or MACs;
 * Shunt's Verify, GetPublicKey, Sign and GenerateMac must agree with it. Also AWS's rules for these
 * keys: which wrapping algorithm fits which material, one material per key, no KeyMaterialId.
 */
class KmsAsymmetricImportIT extends BackendTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final byte[] MESSAGE = "transfer 100 EUR to account 42".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  private OpenSsl openssl;

  @BeforeEach
  void openssl() throws Exception {
    OpenSsl.require();
    openssl = new OpenSsl(dir);
    openssl.write("message.txt", MESSAGE);
  }

  private static KeyMetadata externalKey(KeySpec spec, KeyUsageType usage) {
    return kms.createKey(r -> r.origin(OriginType.EXTERNAL).keySpec(spec).keyUsage(usage)).keyMetadata();
  }

  private static GetParametersForImportResponse parameters(String keyId, WrappingKeySpec spec,
      AlgorithmSpec algorithm) {
    return kms.getParametersForImport(r -> r.keyId(keyId).wrappingKeySpec(spec).wrappingAlgorithm(algorithm));
  }

  /** OpenSSL's private key {@code name}.pem as PKCS#8 DER ({@code name}.der), the form AWS imports. */
  private byte[] pkcs8Der(String name) throws Exception {
    openssl.check("pkcs8", "-topk8", "-nocrypt", "-in", name + ".pem", "-outform", "DER", "-out", name + ".der");
    return openssl.read(name + ".der");
  }

  /** OpenSSL's public key of {@code name}.pem as DER SubjectPublicKeyInfo, what GetPublicKey returns. */
  private byte[] publicKeyDer(String name) throws Exception {
    openssl.check("pkey", "-in", name + ".pem", "-pubout", "-outform", "DER", "-out", name + ".pub.der");
    return openssl.read(name + ".pub.der");
  }

  /**
   * Wraps {@code materialFile} with OpenSSL for the parameters: RSA_AES_KEY_WRAP_SHA_256 (a random
   * AES-256 key wraps the material with RFC 5649, RSA-OAEP-SHA-256 wraps that key, key first) or
   * RSAES_OAEP_SHA_256 (the material directly).
   */
  private byte[] opensslWrap(GetParametersForImportResponse parameters, AlgorithmSpec algorithm, String materialFile)
      throws Exception {
    String wrappingKey = openssl.publicKeyPem("wrapping", parameters.publicKey().asByteArray());
    String[] oaepSha256 = {"-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt",
        "rsa_mgf1_md:sha256"};
    if (algorithm == AlgorithmSpec.RSAES_OAEP_SHA_256) {
      openssl.check(concat(new String[] {"pkeyutl", "-encrypt", "-pubin", "-inkey", wrappingKey, "-in", materialFile,
          "-out", "material.wrapped"}, oaepSha256));
      return openssl.read("material.wrapped");
    }
    assertThat(algorithm).isEqualTo(AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_256);
    byte[] aesKey = new byte[32];
    RANDOM.nextBytes(aesKey);
    openssl.write("aes.bin", aesKey);
    openssl.check("enc", "-id-aes256-wrap-pad", "-K", HexFormat.of().formatHex(aesKey), "-iv", "A65959A6",
        "-in", materialFile, "-out", "material.wrapped");
    openssl.check(concat(new String[] {"pkeyutl", "-encrypt", "-pubin", "-inkey", wrappingKey, "-in", "aes.bin",
        "-out", "aes.wrapped"}, oaepSha256));
    byte[] wrappedKey = openssl.read("aes.wrapped");
    byte[] wrappedMaterial = openssl.read("material.wrapped");
    byte[] both = Arrays.copyOf(wrappedKey, wrappedKey.length + wrappedMaterial.length);
    System.arraycopy(wrappedMaterial, 0, both, wrappedKey.length, wrappedMaterial.length);
    return both;
  }

  private String importWithOpenssl(String keyId, WrappingKeySpec wrappingKeySpec, AlgorithmSpec algorithm,
      String materialFile) throws Exception {
    GetParametersForImportResponse parameters = parameters(keyId, wrappingKeySpec, algorithm);
    byte[] wrapped = opensslWrap(parameters, algorithm, materialFile);
    return kms.importKeyMaterial(r -> r.keyId(keyId).importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE)).keyMaterialId();
  }

  /** Wraps with the JDK (RSA_AES_KEY_WRAP_SHA_256, which fits every material) and imports with the request's extras. */
  private static String importWithJdk(String keyId, byte[] material,
      Consumer<ImportKeyMaterialRequest.Builder> extras) throws Exception {
    GetParametersForImportResponse parameters = parameters(keyId, WrappingKeySpec.RSA_2048,
        AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_256);
    PublicKey wrappingKey = KeyFactory.getInstance("RSA")
        .generatePublic(new X509EncodedKeySpec(parameters.publicKey().asByteArray()));
    Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
    rsa.init(Cipher.ENCRYPT_MODE, wrappingKey, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
        PSource.PSpecified.DEFAULT));
    byte[] aesKey = new byte[32];
    RANDOM.nextBytes(aesKey);
    Cipher keyWrap = Cipher.getInstance("AES/KWP/NoPadding");
    keyWrap.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
    byte[] wrappedKey = rsa.doFinal(aesKey);
    byte[] wrappedMaterial = keyWrap.doFinal(material);
    byte[] both = Arrays.copyOf(wrappedKey, wrappedKey.length + wrappedMaterial.length);
    System.arraycopy(wrappedMaterial, 0, both, wrappedKey.length, wrappedMaterial.length);
    return kms.importKeyMaterial(r -> {
      r.keyId(keyId).importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(both));
      extras.accept(r);
    }).keyMaterialId();
  }

  private static String importWithJdk(String keyId, byte[] material) throws Exception {
    return importWithJdk(keyId, material, r -> { });
  }

  private static String[] concat(String[] first, String[] second) {
    String[] all = Arrays.copyOf(first, first.length + second.length);
    System.arraycopy(second, 0, all, first.length, second.length);
    return all;
  }

  private static SdkBytes bytes(byte[] value) {
    return SdkBytes.fromByteArray(value);
  }

  @Test
  void anRsaKeyFromOpensslVerifiesOpensslsSignaturesAndSignsForOpenssl() throws Exception {
    KeyMetadata created = externalKey(KeySpec.RSA_2048, KeyUsageType.SIGN_VERIFY);
    String id = created.keyId();
    assertThat(created.keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    assertThat(created.signingAlgorithms()).contains(SigningAlgorithmSpec.RSASSA_PSS_SHA_256);
    expectError("KMSInvalidStateException", () -> kms.getPublicKey(r -> r.keyId(id)));

    // An RSA private key (about 1,200 bytes of PKCS#8) does not fit RSA-OAEP: AWS requires an RSA_AES algorithm.
    assertThat(message(expectError("ValidationException",
        () -> parameters(id, WrappingKeySpec.RSA_4096, AlgorithmSpec.RSAES_OAEP_SHA_256))))
        .contains("RSA_AES_KEY_WRAP_SHA_256");
    expectError("ValidationException", () -> parameters(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_1));

    openssl.check("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa.pem");
    byte[] material = pkcs8Der("rsa");
    String materialId = importWithOpenssl(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_256,
        "rsa.der");
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.ENABLED);
    assertThat(kms.getPublicKey(r -> r.keyId(id)).publicKey().asByteArray()).isEqualTo(publicKeyDer("rsa"));

    // OpenSSL signs with its own copy of the key; Shunt verifies with the imported one.
    openssl.check("dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest",
        "-sign", "rsa.pem", "-out", "rsa.sig", "message.txt");
    byte[] signature = openssl.read("rsa.sig");
    assertThat(kms.verify(r -> r.keyId(id).message(bytes(MESSAGE)).messageType(MessageType.RAW)
        .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256).signature(bytes(signature))).signatureValid())
        .isTrue();
    byte[] tampered = signature.clone();
    tampered[tampered.length / 2] ^= 0x01;
    expectError("KMSInvalidSignatureException", () -> kms.verify(r -> r.keyId(id).message(bytes(MESSAGE))
        .messageType(MessageType.RAW).signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256)
        .signature(bytes(tampered))));

    // And the other way round: what Shunt signs with the imported key, OpenSSL verifies with its public key.
    byte[] shuntSignature = kms.sign(r -> r.keyId(id).message(bytes(MESSAGE)).messageType(MessageType.RAW)
        .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PKCS1_V1_5_SHA_256)).signature().asByteArray();
    openssl.write("shunt.sig", shuntSignature);
    openssl.check("pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa.pub.pem");
    assertThat(openssl.check("dgst", "-sha256", "-verify", "rsa.pub.pem", "-signature", "shunt.sig", "message.txt"))
        .contains("Verified OK");

    // One material per key: the same key re-imports under the same id, another RSA-2048 key does not.
    kms.deleteImportedKeyMaterial(r -> r.keyId(id));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    byte[] otherKey = rsa.generateKeyPair().getPrivate().getEncoded();
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(id, otherKey));
    assertThat(importWithJdk(id, material)).isEqualTo(materialId);
    assertThat(kms.verify(r -> r.keyId(id).message(bytes(MESSAGE)).messageType(MessageType.RAW)
        .signingAlgorithm(SigningAlgorithmSpec.RSASSA_PSS_SHA_256).signature(bytes(signature))).signatureValid())
        .isTrue();

    // No second material version and no KeyMaterialId for keys other than symmetric encryption keys.
    expectError("ValidationException", () -> importWithJdk(id, otherKey, r -> r.importType(ImportType.NEW_KEY_MATERIAL)));
    expectError("ValidationException", () -> importWithJdk(id, material, r -> r.keyMaterialId(materialId)));
    expectError("UnsupportedOperationException", () -> kms.rotateKeyOnDemand(r -> r.keyId(id)));
  }

  @Test
  void materialOfAnotherSpecCurveOrSizeIsIncorrectKeyMaterial() throws Exception {
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp384r1"));
    byte[] p384 = ec.generateKeyPair().getPrivate().getEncoded();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(3072);
    KeyPair rsa3072Pair = rsa.generateKeyPair();
    byte[] rsa3072 = rsa3072Pair.getPrivate().getEncoded();

    String p256Key = externalKey(KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY).keyId();
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(p256Key, p384));
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(p256Key, rsa3072));
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(p256Key, new byte[32]));
    String rsa2048Key = externalKey(KeySpec.RSA_2048, KeyUsageType.ENCRYPT_DECRYPT).keyId();
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(rsa2048Key, rsa3072));
    assertThat(kms.describeKey(r -> r.keyId(rsa2048Key)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);

    // The right size goes in, and the key then encrypts for the imported key's owner (the JDK here).
    String rsa3072Key = externalKey(KeySpec.RSA_3072, KeyUsageType.ENCRYPT_DECRYPT).keyId();
    importWithJdk(rsa3072Key, rsa3072Pair.getPrivate().getEncoded());
    assertThat(kms.describeKey(r -> r.keyId(rsa3072Key)).keyMetadata().keyState()).isEqualTo(KeyState.ENABLED);
    byte[] ciphertext = kms.encrypt(r -> r.keyId(rsa3072Key).plaintext(bytes(MESSAGE))
        .encryptionAlgorithm(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256)).ciphertextBlob().asByteArray();
    Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
    oaep.init(Cipher.DECRYPT_MODE, rsa3072Pair.getPrivate(), new OAEPParameterSpec("SHA-256", "MGF1",
        MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
    assertThat(oaep.doFinal(ciphertext)).isEqualTo(MESSAGE);
  }

  @Test
  void anEccP256KeyFromOpensslVerifiesOpensslsEcdsaSignatures() throws Exception {
    String id = externalKey(KeySpec.ECC_NIST_P256, KeyUsageType.SIGN_VERIFY).keyId();
    openssl.check("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "ec.pem");
    pkcs8Der("ec");
    // An ECC private key fits RSA-OAEP directly, which AWS allows for it.
    importWithOpenssl(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_256, "ec.der");
    assertThat(kms.getPublicKey(r -> r.keyId(id)).publicKey().asByteArray()).isEqualTo(publicKeyDer("ec"));

    openssl.check("dgst", "-sha256", "-sign", "ec.pem", "-out", "ec.sig", "message.txt");
    byte[] signature = openssl.read("ec.sig");
    assertThat(kms.verify(r -> r.keyId(id).message(bytes(MESSAGE)).messageType(MessageType.RAW)
        .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256).signature(bytes(signature))).signatureValid()).isTrue();
    byte[] otherMessage = "transfer 900 EUR to account 42".getBytes(StandardCharsets.UTF_8);
    expectError("KMSInvalidSignatureException", () -> kms.verify(r -> r.keyId(id).message(bytes(otherMessage))
        .messageType(MessageType.RAW).signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)
        .signature(bytes(signature))));
  }

  @Test
  void wrappingRulesAndSpecsAwsDoesNotImport() {
    // AWS: "You cannot use the RSAES_OAEP_SHA_* wrapping algorithm with the RSA_2048 wrapping key spec to wrap
    // ECC_NIST_P521 key material"; a longer wrapping key or an RSA_AES algorithm is fine.
    String p521 = externalKey(KeySpec.ECC_NIST_P521, KeyUsageType.SIGN_VERIFY).keyId();
    expectError("ValidationException", () -> parameters(p521, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_1));
    expectError("ValidationException",
        () -> parameters(p521, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_256));
    assertThat(parameters(p521, WrappingKeySpec.RSA_3072, AlgorithmSpec.RSAES_OAEP_SHA_256).importToken()).isNotNull();
    assertThat(parameters(p521, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_1).importToken())
        .isNotNull();
    String hmac = externalKey(KeySpec.HMAC_512, KeyUsageType.GENERATE_VERIFY_MAC).keyId();
    assertThat(parameters(hmac, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_1).importToken()).isNotNull();

    // Specs missing from AWS's list of specs for imported key material.
    for (KeySpec spec : new KeySpec[] {KeySpec.ECC_NIST_EDWARDS25519, KeySpec.ML_DSA_44, KeySpec.ML_DSA_87}) {
      expectError("UnsupportedOperationException", () -> externalKey(spec, KeyUsageType.SIGN_VERIFY));
    }
    // The usage rules are the spec's, with imported material as with generated.
    expectError("ValidationException", () -> externalKey(KeySpec.ECC_NIST_P256, KeyUsageType.ENCRYPT_DECRYPT));
    expectError("ValidationException", () -> externalKey(KeySpec.HMAC_256, KeyUsageType.SIGN_VERIFY));
  }

  @Test
  void anHmacKeyOfKnownBytesMacsAsOpensslDoes() throws Exception {
    KeyMetadata created = externalKey(KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC);
    String id = created.keyId();
    assertThat(created.keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    byte[] key = new byte[32];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    openssl.write("hmac.key", key);
    importWithOpenssl(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_256, "hmac.key");

    byte[] mac = kms.generateMac(r -> r.keyId(id).message(bytes(MESSAGE)).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256))
        .mac().asByteArray();
    String opensslMac = openssl.check("mac", "-digest", "SHA256", "-macopt", "hexkey:" + HexFormat.of().formatHex(key),
        "-in", "message.txt", "HMAC").trim();
    assertThat(HexFormat.of().formatHex(mac)).isEqualToIgnoringCase(opensslMac);
    assertThat(kms.verifyMac(r -> r.keyId(id).message(bytes(MESSAGE)).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256)
        .mac(bytes(mac))).macValid()).isTrue();
    byte[] tampered = mac.clone();
    tampered[0] ^= 0x01;
    expectError("KMSInvalidMacException", () -> kms.verifyMac(r -> r.keyId(id).message(bytes(MESSAGE))
        .macAlgorithm(MacAlgorithmSpec.HMAC_SHA_256).mac(bytes(tampered))));
  }

  @Test
  void hmacKeysImportAtEveryLengthAwsAcceptsAndNoOther() throws Exception {
    // HMAC_384 takes 48 to 128 bytes: a 100-byte key is the key, as OpenSSL computes with it.
    String id = externalKey(KeySpec.HMAC_384, KeyUsageType.GENERATE_VERIFY_MAC).keyId();
    byte[] key = new byte[100];
    RANDOM.nextBytes(key);
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(id, Arrays.copyOf(key, 47)));
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(id, Arrays.copyOf(key, 129)));
    importWithJdk(id, key);
    byte[] mac = kms.generateMac(r -> r.keyId(id).message(bytes(MESSAGE)).macAlgorithm(MacAlgorithmSpec.HMAC_SHA_384))
        .mac().asByteArray();
    String opensslMac = openssl.check("mac", "-digest", "SHA384", "-macopt", "hexkey:" + HexFormat.of().formatHex(key),
        "-in", "message.txt", "HMAC").trim();
    assertThat(HexFormat.of().formatHex(mac)).isEqualToIgnoringCase(opensslMac);

    String short256 = externalKey(KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC).keyId();
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(short256, new byte[31]));
    expectError("IncorrectKeyMaterialException", () -> importWithJdk(short256, new byte[65]));
    importWithJdk(short256, new byte[64]);
    assertThat(kms.describeKey(r -> r.keyId(short256)).keyMetadata().keyState()).isEqualTo(KeyState.ENABLED);
  }

  @Test
  void importedAsymmetricMaterialExpiresOnTheBackendClock() throws Exception {
    String id = externalKey(KeySpec.ECC_SECG_P256_K1, KeyUsageType.SIGN_VERIFY).keyId();
    // OpenSSL makes the secp256k1 key: the JDK dropped that curve in Java 16.
    openssl.check("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:secp256k1", "-out", "k1.pem");
    byte[] imported = pkcs8Der("k1");
    Instant validTo = shunt.backend().clock().now().plus(Duration.ofDays(1));
    importWithJdk(id, imported, r -> r.expirationModel(ExpirationModelType.KEY_MATERIAL_EXPIRES).validTo(validTo));
    KeyMetadata metadata = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(metadata.keyState()).isEqualTo(KeyState.ENABLED);
    assertThat(metadata.expirationModel()).isEqualTo(ExpirationModelType.KEY_MATERIAL_EXPIRES);
    byte[] signature = kms.sign(r -> r.keyId(id).message(bytes(MESSAGE)).messageType(MessageType.RAW)
        .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)).signature().asByteArray();

    shunt.backend().clock().advance(Duration.ofDays(1).plusSeconds(1));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    expectError("KMSInvalidStateException", () -> kms.sign(r -> r.keyId(id).message(bytes(MESSAGE))
        .messageType(MessageType.RAW).signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256)));

    importWithJdk(id, imported);
    assertThat(kms.verify(r -> r.keyId(id).message(bytes(MESSAGE)).messageType(MessageType.RAW)
        .signingAlgorithm(SigningAlgorithmSpec.ECDSA_SHA_256).signature(bytes(signature))).signatureValid()).isTrue();
  }
}
