package dev.shunt.backend.kms;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.shunt.backend.BackendTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.AlgorithmSpec;
import software.amazon.awssdk.services.kms.model.ExpirationModelType;
import software.amazon.awssdk.services.kms.model.GetParametersForImportResponse;
import software.amazon.awssdk.services.kms.model.ImportKeyMaterialResponse;
import software.amazon.awssdk.services.kms.model.ImportState;
import software.amazon.awssdk.services.kms.model.ImportType;
import software.amazon.awssdk.services.kms.model.IncludeKeyMaterial;
import software.amazon.awssdk.services.kms.model.KeyMaterialState;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.kms.model.KeyState;
import software.amazon.awssdk.services.kms.model.OriginType;
import software.amazon.awssdk.services.kms.model.RotationsListEntry;
import software.amazon.awssdk.services.kms.model.WrappingKeySpec;

/**
 * Imported key material (Origin EXTERNAL): material wrapped by OpenSSL and by the JDK with every
 * wrapping algorithm AWS accepts, the token rules, expiry on the backend clock, deletion and
 * re-import, and on-demand rotation to new imported material.
 */
class KmsImportIT extends BackendTest {
  private static final Path OPENSSL = Path.of("/usr/bin/openssl");
  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir
  Path dir;

  private static String externalKey() {
    return kms.createKey(r -> r.origin(OriginType.EXTERNAL)).keyMetadata().keyId();
  }

  private static byte[] random(int bytes) {
    byte[] out = new byte[bytes];
    RANDOM.nextBytes(out);
    return out;
  }

  private static GetParametersForImportResponse parameters(String keyId, WrappingKeySpec spec, AlgorithmSpec algorithm) {
    return kms.getParametersForImport(r -> r.keyId(keyId).wrappingKeySpec(spec).wrappingAlgorithm(algorithm));
  }

  /** Wraps the material as AWS's developer guide does it, with the JDK. */
  private static byte[] jdkWrap(GetParametersForImportResponse parameters, AlgorithmSpec algorithm, byte[] material)
      throws Exception {
    PublicKey wrappingKey = KeyFactory.getInstance("RSA")
        .generatePublic(new X509EncodedKeySpec(parameters.publicKey().asByteArray()));
    MGF1ParameterSpec digest = algorithm == AlgorithmSpec.RSAES_OAEP_SHA_1
        || algorithm == AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_1 ? MGF1ParameterSpec.SHA1 : MGF1ParameterSpec.SHA256;
    Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
    rsa.init(Cipher.ENCRYPT_MODE, wrappingKey,
        new OAEPParameterSpec(digest.getDigestAlgorithm(), "MGF1", digest, PSource.PSpecified.DEFAULT));
    if (algorithm == AlgorithmSpec.RSAES_OAEP_SHA_1 || algorithm == AlgorithmSpec.RSAES_OAEP_SHA_256) {
      return rsa.doFinal(material);
    }
    byte[] aesKey = random(32);
    Cipher keyWrap = Cipher.getInstance("AES/KWP/NoPadding");
    keyWrap.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
    byte[] wrappedMaterial = keyWrap.doFinal(material);
    byte[] wrappedKey = rsa.doFinal(aesKey);
    byte[] out = new byte[wrappedKey.length + wrappedMaterial.length];
    System.arraycopy(wrappedKey, 0, out, 0, wrappedKey.length);
    System.arraycopy(wrappedMaterial, 0, out, wrappedKey.length, wrappedMaterial.length);
    return out;
  }

  private static ImportKeyMaterialResponse importMaterial(String keyId, byte[] material) throws Exception {
    GetParametersForImportResponse parameters = parameters(keyId, WrappingKeySpec.RSA_2048,
        AlgorithmSpec.RSAES_OAEP_SHA_256);
    byte[] wrapped = jdkWrap(parameters, AlgorithmSpec.RSAES_OAEP_SHA_256, material);
    return kms.importKeyMaterial(r -> r.keyId(keyId).importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE));
  }

  private static SdkBytes encrypt(String keyId, String text) {
    return kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String(text))).ciphertextBlob();
  }

  private static String decrypt(SdkBytes blob) {
    return kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String();
  }

  private Path openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(OPENSSL.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("openssl %s: %s", command, output).isZero();
    return dir;
  }

  /** The wrapping public key as PEM, converted by OpenSSL from the DER KMS returned. */
  private void wrappingKeyPem(GetParametersForImportResponse parameters) throws Exception {
    Files.write(dir.resolve("wrapping.der"), parameters.publicKey().asByteArray());
    openssl("pkey", "-pubin", "-inform", "DER", "-in", "wrapping.der", "-out", "wrapping.pem");
  }

  @Test
  void anExternalKeyWaitsInPendingImportAndCannotBeUsed() {
    KeyMetadata created = kms.createKey(r -> r.origin(OriginType.EXTERNAL)).keyMetadata();
    assertThat(created.origin()).isEqualTo(OriginType.EXTERNAL);
    assertThat(created.keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    assertThat(created.enabled()).isFalse();
    assertThat(created.currentKeyMaterialId()).isNull();
    assertThat(created.expirationModel()).isNull();

    String id = created.keyId();
    assertThat(message(expectError("KMSInvalidStateException", () -> encrypt(id, "x"))))
        .isEqualTo(created.arn() + " is pending import.");
    expectError("KMSInvalidStateException", () -> kms.generateDataKey(r -> r.keyId(id).numberOfBytes(32)));
    expectError("KMSInvalidStateException", () -> kms.enableKey(r -> r.keyId(id)));
    // Imported material never rotates automatically (AWS: UnsupportedOperationException).
    assertThat(message(expectError("UnsupportedOperationException", () -> kms.enableKeyRotation(r -> r.keyId(id)))))
        .contains("origin is EXTERNAL");

    String generated = kms.createKey(r -> { }).keyMetadata().keyId();
    assertThat(message(expectError("UnsupportedOperationException",
        () -> parameters(generated, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_256))))
        .endsWith(generated + " origin is AWS_KMS which is not valid for this operation.");
    expectError("UnsupportedOperationException", () -> kms.deleteImportedKeyMaterial(r -> r.keyId(generated)));
  }

  @Test
  void materialWrappedByOpensslImportsAndOnlyTheSameMaterialReimports() throws Exception {
    assumeTrue(Files.isExecutable(OPENSSL), "OpenSSL is not installed at " + OPENSSL);
    String id = externalKey();
    GetParametersForImportResponse parameters = parameters(id, WrappingKeySpec.RSA_2048,
        AlgorithmSpec.RSAES_OAEP_SHA_256);
    assertThat(parameters.keyId()).endsWith(id);
    assertThat(Duration.between(shunt.backend().clock().now(), parameters.parametersValidTo()).toHours())
        .isBetween(23L, 24L);
    wrappingKeyPem(parameters);
    byte[] material = random(32);
    Files.write(dir.resolve("material.bin"), material);
    openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", "wrapping.pem", "-in", "material.bin", "-out", "wrapped.bin",
        "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256");

    byte[] wrapped = Files.readAllBytes(dir.resolve("wrapped.bin"));
    ImportKeyMaterialResponse imported = kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE));
    assertThat(imported.keyMaterialId()).matches("[0-9a-f]{64}");
    KeyMetadata enabled = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(enabled.keyState()).isEqualTo(KeyState.ENABLED);
    assertThat(enabled.expirationModel()).isEqualTo(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE);
    assertThat(enabled.currentKeyMaterialId()).isEqualTo(imported.keyMaterialId());

    SdkBytes before = encrypt(id, "made before the deletion");
    assertThat(decrypt(before)).isEqualTo("made before the deletion");

    assertThat(kms.deleteImportedKeyMaterial(r -> r.keyId(id)).keyMaterialId()).isEqualTo(imported.keyMaterialId());
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    expectError("KMSInvalidStateException", () -> decrypt(before));

    // Other material is refused: the key is bound to the material first imported into it.
    expectError("IncorrectKeyMaterialException", () -> importMaterial(id, random(32)));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);

    // The same material again: the ciphertext made before the deletion opens, under the same material id.
    assertThat(importMaterial(id, material).keyMaterialId()).isEqualTo(imported.keyMaterialId());
    assertThat(decrypt(before)).isEqualTo("made before the deletion");
    assertThat(kms.decrypt(r -> r.ciphertextBlob(before)).keyMaterialId()).isEqualTo(imported.keyMaterialId());

    // The same material in another EXTERNAL key is another key: the first key's ciphertexts do not open there.
    String other = externalKey();
    ImportKeyMaterialResponse otherImport = importMaterial(other, material);
    assertThat(otherImport.keyMaterialId()).isNotEqualTo(imported.keyMaterialId());
    expectError("IncorrectKeyException", () -> kms.decrypt(r -> r.keyId(other).ciphertextBlob(before)));
  }

  @Test
  void rsaAesKeyWrapMaterialFromOpensslImports() throws Exception {
    assumeTrue(Files.isExecutable(OPENSSL), "OpenSSL is not installed at " + OPENSSL);
    String id = externalKey();
    GetParametersForImportResponse parameters = parameters(id, WrappingKeySpec.RSA_3072,
        AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_256);
    wrappingKeyPem(parameters);
    byte[] aesKey = random(32);
    Files.write(dir.resolve("aes.bin"), aesKey);
    Files.write(dir.resolve("material.bin"), random(32));
    // AWS's recipe: AES Key Wrap with Padding (RFC 5649) of the material, then RSA-OAEP-SHA-256 of the AES key, key first.
    openssl("enc", "-id-aes256-wrap-pad", "-K", HexFormat.of().formatHex(aesKey), "-iv", "A65959A6",
        "-in", "material.bin", "-out", "material.wrapped");
    openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", "wrapping.pem", "-in", "aes.bin", "-out", "aes.wrapped",
        "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256");
    byte[] wrappedKey = Files.readAllBytes(dir.resolve("aes.wrapped"));
    byte[] wrappedMaterial = Files.readAllBytes(dir.resolve("material.wrapped"));
    byte[] both = new byte[wrappedKey.length + wrappedMaterial.length];
    System.arraycopy(wrappedKey, 0, both, 0, wrappedKey.length);
    System.arraycopy(wrappedMaterial, 0, both, wrappedKey.length, wrappedMaterial.length);

    kms.importKeyMaterial(r -> r.keyId(id).importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(both)));
    assertThat(decrypt(encrypt(id, "wrapped by openssl"))).isEqualTo("wrapped by openssl");
  }

  @Test
  void everyWrappingAlgorithmWorksWithTheJdkForEveryRsaWrappingKeySpec() throws Exception {
    List<String> imported = new ArrayList<>();
    for (WrappingKeySpec spec : List.of(WrappingKeySpec.RSA_2048, WrappingKeySpec.RSA_3072, WrappingKeySpec.RSA_4096)) {
      for (AlgorithmSpec algorithm : List.of(AlgorithmSpec.RSAES_OAEP_SHA_1, AlgorithmSpec.RSAES_OAEP_SHA_256,
          AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_1, AlgorithmSpec.RSA_AES_KEY_WRAP_SHA_256)) {
        String id = externalKey();
        GetParametersForImportResponse parameters = parameters(id, spec, algorithm);
        int bits = Integer.parseInt(spec.toString().substring(4));
        assertThat(((java.security.interfaces.RSAPublicKey) KeyFactory.getInstance("RSA")
            .generatePublic(new X509EncodedKeySpec(parameters.publicKey().asByteArray()))).getModulus().bitLength())
            .isEqualTo(bits);
        byte[] wrapped = jdkWrap(parameters, algorithm, random(32));
        kms.importKeyMaterial(r -> r.keyId(id).importToken(parameters.importToken())
            .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped)));
        assertThat(decrypt(encrypt(id, spec + "/" + algorithm))).isEqualTo(spec + "/" + algorithm);
        imported.add(id);
      }
    }
    assertThat(imported).hasSize(12);
  }

  @Test
  void materialWrappedWithAnotherAlgorithmThanTheTokensIsInvalidCiphertext() throws Exception {
    String id = externalKey();
    GetParametersForImportResponse parameters = parameters(id, WrappingKeySpec.RSA_2048,
        AlgorithmSpec.RSAES_OAEP_SHA_256);
    byte[] wrongAlgorithm = jdkWrap(parameters, AlgorithmSpec.RSAES_OAEP_SHA_1, random(32));
    expectError("InvalidCiphertextException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrongAlgorithm))));
    // Material of the wrong size for a SYMMETRIC_DEFAULT key (256 bits) is not key material for it.
    byte[] shortMaterial = jdkWrap(parameters, AlgorithmSpec.RSAES_OAEP_SHA_256, random(16));
    expectError("IncorrectKeyMaterialException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(shortMaterial))));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);
  }

  @Test
  void deprecatedAndChinaOnlyWrappingChoicesAreRefused() {
    String id = externalKey();
    // AWS: "As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm."
    expectError("ValidationException", () -> parameters(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_PKCS1_V1_5));
    assertThat(message(expectError("ValidationException",
        () -> parameters(id, WrappingKeySpec.SM2, AlgorithmSpec.SM2_PKE)))).contains("China");
    expectError("ValidationException", () -> parameters(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.SM2_PKE));
  }

  @Test
  void aTokenServesOneKeyOnceAndFor24Hours() throws Exception {
    String id = externalKey();
    String other = externalKey();
    byte[] material = random(32);
    GetParametersForImportResponse forId = parameters(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_256);
    byte[] wrapped = jdkWrap(forId, AlgorithmSpec.RSAES_OAEP_SHA_256, material);

    expectError("InvalidImportTokenException", () -> kms.importKeyMaterial(r -> r.keyId(other)
        .importToken(forId.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))));
    expectError("InvalidImportTokenException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(SdkBytes.fromByteArray(random(48))).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))));

    kms.importKeyMaterial(r -> r.keyId(id).importToken(forId.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped)));
    expectError("InvalidImportTokenException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(forId.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))));

    GetParametersForImportResponse later = parameters(id, WrappingKeySpec.RSA_2048, AlgorithmSpec.RSAES_OAEP_SHA_256);
    byte[] rewrapped = jdkWrap(later, AlgorithmSpec.RSAES_OAEP_SHA_256, material);
    shunt.backend().clock().advance(Duration.ofHours(24).plusSeconds(1));
    expectError("ExpiredImportTokenException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(later.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(rewrapped))));
  }

  @Test
  void materialExpiresOnTheBackendClockAndTheKeyWaitsForItAgain() throws Exception {
    String id = externalKey();
    byte[] material = random(32);
    GetParametersForImportResponse parameters = parameters(id, WrappingKeySpec.RSA_2048,
        AlgorithmSpec.RSAES_OAEP_SHA_256);
    byte[] wrapped = jdkWrap(parameters, AlgorithmSpec.RSAES_OAEP_SHA_256, material);
    Instant now = shunt.backend().clock().now();
    expectError("ValidationException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .expirationModel(ExpirationModelType.KEY_MATERIAL_EXPIRES)));
    expectError("ValidationException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .expirationModel(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE).validTo(now.plus(Duration.ofDays(1)))));
    expectError("ValidationException", () -> kms.importKeyMaterial(r -> r.keyId(id)
        .importToken(parameters.importToken()).encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .validTo(now.plus(Duration.ofDays(366)))));

    Instant validTo = now.plus(Duration.ofDays(2));
    kms.importKeyMaterial(r -> r.keyId(id).importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped))
        .expirationModel(ExpirationModelType.KEY_MATERIAL_EXPIRES).validTo(validTo));
    KeyMetadata metadata = kms.describeKey(r -> r.keyId(id)).keyMetadata();
    assertThat(metadata.expirationModel()).isEqualTo(ExpirationModelType.KEY_MATERIAL_EXPIRES);
    assertThat(metadata.validTo().getEpochSecond()).isEqualTo(validTo.getEpochSecond());
    SdkBytes blob = encrypt(id, "expires");

    shunt.backend().clock().advance(Duration.ofDays(2).plusSeconds(1));
    assertThat(kms.describeKey(r -> r.keyId(id)).keyMetadata().keyState()).isEqualTo(KeyState.PENDING_IMPORT);
    expectError("KMSInvalidStateException", () -> decrypt(blob));
    assertThat(kms.listKeyRotations(r -> r.keyId(id).includeKeyMaterial(IncludeKeyMaterial.ALL_KEY_MATERIAL))
        .rotations()).singleElement().extracting(RotationsListEntry::importState).isEqualTo(ImportState.PENDING_IMPORT);

    importMaterial(id, material);
    assertThat(decrypt(blob)).isEqualTo("expires");
  }

  @Test
  void newImportedMaterialBecomesCurrentOnDemand() throws Exception {
    String id = externalKey();
    String first = importMaterial(id, random(32)).keyMaterialId();
    SdkBytes before = encrypt(id, "first material");
    expectError("UnsupportedOperationException", () -> kms.rotateKeyOnDemand(r -> r.keyId(id)));

    byte[] next = random(32);
    GetParametersForImportResponse parameters = parameters(id, WrappingKeySpec.RSA_2048,
        AlgorithmSpec.RSAES_OAEP_SHA_1);
    byte[] wrapped = jdkWrap(parameters, AlgorithmSpec.RSAES_OAEP_SHA_1, next);
    String second = kms.importKeyMaterial(r -> r.keyId(id).importToken(parameters.importToken())
        .encryptedKeyMaterial(SdkBytes.fromByteArray(wrapped)).importType(ImportType.NEW_KEY_MATERIAL)
        .keyMaterialDescription("second")).keyMaterialId();
    assertThat(second).isNotEqualTo(first);
    assertThat(kms.listKeyRotations(r -> r.keyId(id).includeKeyMaterial(IncludeKeyMaterial.ALL_KEY_MATERIAL))
        .rotations()).extracting(RotationsListEntry::keyMaterialId, RotationsListEntry::keyMaterialState)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(first, KeyMaterialState.CURRENT),
            org.assertj.core.groups.Tuple.tuple(second, KeyMaterialState.PENDING_ROTATION));
    // Still the first material until the rotation.
    assertThat(kms.decrypt(r -> r.ciphertextBlob(encrypt(id, "x"))).keyMaterialId()).isEqualTo(first);

    kms.rotateKeyOnDemand(r -> r.keyId(id));
    SdkBytes after = encrypt(id, "second material");
    assertThat(kms.decrypt(r -> r.ciphertextBlob(after)).keyMaterialId()).isEqualTo(second);
    assertThat(decrypt(before)).isEqualTo("first material");
    List<RotationsListEntry> rotations = kms.listKeyRotations(r -> r.keyId(id)).rotations();
    assertThat(rotations).singleElement().satisfies(rotation -> {
      assertThat(rotation.keyMaterialId()).isEqualTo(second);
      assertThat(rotation.keyMaterialState()).isEqualTo(KeyMaterialState.CURRENT);
      assertThat(rotation.keyMaterialDescription()).isEqualTo("second");
      assertThat(rotation.importState()).isEqualTo(ImportState.IMPORTED);
    });
  }
}
