package dev.shunt.backend.kms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import dev.shunt.backend.kms.crypto.KeyFamily;
import dev.shunt.backend.kms.crypto.PrivateMaterial;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyPairResponse;
import software.amazon.awssdk.services.kms.model.KeyUsageType;
import software.amazon.awssdk.services.kms.model.MessageType;

/**
 * Shunt's asymmetric cryptography against OpenSSL: OpenSSL verifies Shunt's signatures with the
 * GetPublicKey key, Shunt verifies signatures OpenSSL made with a data key pair's private key,
 * OpenSSL encrypts RSA-OAEP for Shunt to decrypt, and both derive the same ECDH secret.
 */
class KmsOpenSslInteropIT extends BackendTest {
  private static final byte[] MESSAGE = "a message both sides hash".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path directory;
  private OpenSsl openssl;

  @BeforeEach
  void requireOpenSsl() {
    OpenSsl.require();
    openssl = new OpenSsl(directory);
  }

  private static SdkBytes bytes(byte[] value) {
    return SdkBytes.fromByteArray(value);
  }

  private static String key(String spec, String usage) {
    return kms.createKey(r -> r.keySpec(spec).keyUsage(usage)).keyMetadata().keyId();
  }

  private String kmsPublicKeyPem(String keyId) throws Exception {
    return openssl.publicKeyPem("kms-pub", kms.getPublicKey(r -> r.keyId(keyId)).publicKey().asByteArray());
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048, RSASSA_PSS_SHA_256", "RSA_3072, RSASSA_PSS_SHA_384", "RSA_2048, RSASSA_PSS_SHA_512",
      "RSA_2048, RSASSA_PKCS1_V1_5_SHA_256", "RSA_4096, RSASSA_PKCS1_V1_5_SHA_512",
      "ECC_NIST_P256, ECDSA_SHA_256", "ECC_NIST_P384, ECDSA_SHA_384", "ECC_NIST_P521, ECDSA_SHA_512",
      "ECC_SECG_P256K1, ECDSA_SHA_256"})
  void openSslVerifiesShuntsRawAndDigestSignatures(String spec, String algorithm) throws Exception {
    String keyId = key(spec, "SIGN_VERIFY");
    String pem = kmsPublicKeyPem(keyId);
    int bits = KmsSignVerifyIT.digestBits(algorithm);
    boolean pss = algorithm.startsWith("RSASSA_PSS");
    openssl.write("msg", MESSAGE);
    openssl.write("sig", kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE)).signingAlgorithm(algorithm))
        .signature().asByteArray());
    String[] pssOptions = pss ? new String[] {"-sigopt", "rsa_padding_mode:pss", "-sigopt",
        "rsa_pss_saltlen:digest", "-sigopt", "rsa_mgf1_md:sha" + bits} : new String[0];
    assertThat(openssl.check(concat(new String[] {"dgst", "-sha" + bits}, pssOptions,
        new String[] {"-verify", pem, "-signature", "sig", "msg"}))).contains("Verified OK");

    byte[] digest = MessageDigest.getInstance("SHA-" + bits).digest(MESSAGE);
    openssl.write("digest.bin", digest);
    openssl.write("digest.sig", kms.sign(r -> r.keyId(keyId).message(bytes(digest)).messageType(MessageType.DIGEST)
        .signingAlgorithm(algorithm)).signature().asByteArray());
    String[] pkeyPss = pss ? new String[] {"-pkeyopt", "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest",
        "-pkeyopt", "rsa_mgf1_md:sha" + bits} : new String[0];
    assertThat(openssl.check(concat(new String[] {"pkeyutl", "-verify", "-pubin", "-inkey", pem, "-sigfile",
        "digest.sig", "-in", "digest.bin", "-pkeyopt", "digest:sha" + bits}, pkeyPss)))
        .contains("Signature Verified Successfully");

    // And OpenSSL is not just agreeing to everything: a changed message fails.
    openssl.write("msg", "a different message".getBytes(StandardCharsets.UTF_8));
    assertThat(openssl.run(concat(new String[] {"dgst", "-sha" + bits}, pssOptions,
        new String[] {"-verify", pem, "-signature", "sig", "msg"})).succeeded()).isFalse();
  }

  @Test
  void openSslVerifiesShuntsEd25519Signature() throws Exception {
    String keyId = key("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    String pem = kmsPublicKeyPem(keyId);
    openssl.write("msg", MESSAGE);
    openssl.write("sig", kms.sign(r -> r.keyId(keyId).message(bytes(MESSAGE)).signingAlgorithm("ED25519_SHA_512"))
        .signature().asByteArray());
    assertThat(openssl.check("pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin", "-in", "msg", "-sigfile",
        "sig")).contains("Signature Verified Successfully");
    openssl.write("msg", "changed".getBytes(StandardCharsets.UTF_8));
    assertThat(openssl.run("pkeyutl", "-verify", "-pubin", "-inkey", pem, "-rawin", "-in", "msg", "-sigfile",
        "sig").succeeded()).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048", "RSA_3072", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
      "ECC_NIST_EDWARDS25519"})
  void aDataKeyPairsPrivateKeyLoadsInOpenSslAndMatchesItsPublicKey(String pairSpec) throws Exception {
    String wrappingKey = kms.createKey(r -> { }).keyMetadata().keyId();
    GenerateDataKeyPairResponse pair = kms.generateDataKeyPair(r -> r.keyId(wrappingKey).keyPairSpec(pairSpec));
    openssl.write("priv.der", pair.privateKeyPlaintext().asByteArray());
    openssl.check("pkey", "-inform", "DER", "-in", "priv.der", "-pubout", "-outform", "DER", "-out", "pub.der");
    assertThat(openssl.read("pub.der")).isEqualTo(pair.publicKey().asByteArray());
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048, RSASSA_PSS_SHA_256", "RSA_2048, RSASSA_PKCS1_V1_5_SHA_384", "ECC_NIST_P256, ECDSA_SHA_256",
      "ECC_NIST_P384, ECDSA_SHA_384", "ECC_NIST_P521, ECDSA_SHA_512", "ECC_SECG_P256K1, ECDSA_SHA_256"})
  void shuntVerifiesWhatOpenSslSignedWithAnImportedDataKeyPair(String spec, String algorithm) throws Exception {
    // OpenSSL cannot sign with a KMS key's private key, and KMS's Verify needs a KMS key: so OpenSSL
    // signs with a data key pair's private key, and Shunt's own verification code (the family behind
    // Verify), holding that pair as decoded from the same PKCS#8, judges OpenSSL's signature.
    String wrappingKey = kms.createKey(r -> { }).keyMetadata().keyId();
    GenerateDataKeyPairResponse pair = kms.generateDataKeyPair(r -> r.keyId(wrappingKey).keyPairSpec(spec));
    openssl.write("priv.der", pair.privateKeyPlaintext().asByteArray());
    openssl.write("msg", MESSAGE);
    int bits = KmsSignVerifyIT.digestBits(algorithm);
    boolean pss = algorithm.startsWith("RSASSA_PSS");
    String[] pssOptions = pss ? new String[] {"-sigopt", "rsa_padding_mode:pss", "-sigopt",
        "rsa_pss_saltlen:digest"} : new String[0];
    openssl.check(concat(new String[] {"dgst", "-sha" + bits, "-keyform", "DER", "-sign", "priv.der"}, pssOptions,
        new String[] {"-out", "sig", "msg"}));
    KeyFamily family = KeySpec.named(spec).family();
    PrivateMaterial material = family.decode(spec, pair.privateKeyPlaintext().asByteArray());
    assertThat(material.publicKeyDer()).isEqualTo(pair.publicKey().asByteArray());
    assertThat(family.verify(material, algorithm, "RAW", MESSAGE, openssl.read("sig"))).isTrue();
    byte[] tampered = MESSAGE.clone();
    tampered[1] ^= 4;
    assertThat(family.verify(material, algorithm, "RAW", tampered, openssl.read("sig"))).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"RSA_2048, RSAES_OAEP_SHA_1, sha1", "RSA_2048, RSAES_OAEP_SHA_256, sha256",
      "RSA_4096, RSAES_OAEP_SHA_256, sha256"})
  void shuntDecryptsWhatOpenSslEncryptedWithThePublicKey(String spec, String algorithm, String md) throws Exception {
    String keyId = key(spec, "ENCRYPT_DECRYPT");
    String pem = kmsPublicKeyPem(keyId);
    openssl.write("plain", MESSAGE);
    openssl.check("pkeyutl", "-encrypt", "-pubin", "-inkey", pem, "-in", "plain", "-out", "cipher", "-pkeyopt",
        "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:" + md, "-pkeyopt", "rsa_mgf1_md:" + md);
    byte[] ciphertext = openssl.read("cipher");
    var decrypted = kms.decrypt(r -> r.keyId(keyId).ciphertextBlob(bytes(ciphertext)).encryptionAlgorithm(algorithm));
    assertThat(decrypted.plaintext().asByteArray()).isEqualTo(MESSAGE);
    assertThat(decrypted.encryptionAlgorithmAsString()).isEqualTo(algorithm);
  }

  @ParameterizedTest
  @CsvSource({"ECC_NIST_P256, prime256v1", "ECC_NIST_P384, secp384r1", "ECC_NIST_P521, secp521r1"})
  void shuntAndOpenSslDeriveTheSameEcdhSecret(String spec, String curve) throws Exception {
    String keyId = key(spec, "KEY_AGREEMENT");
    String kmsPem = kmsPublicKeyPem(keyId);
    openssl.check("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", "mine.pem");
    openssl.check("pkey", "-in", "mine.pem", "-pubout", "-outform", "DER", "-out", "mine-pub.der");
    openssl.check("pkeyutl", "-derive", "-inkey", "mine.pem", "-peerkey", kmsPem, "-out", "secret");
    byte[] peerPublicKey = openssl.read("mine-pub.der");
    byte[] shunts = kms.deriveSharedSecret(r -> r.keyId(keyId).keyAgreementAlgorithm("ECDH")
        .publicKey(bytes(peerPublicKey))).sharedSecret().asByteArray();
    assertThat(shunts).isEqualTo(openssl.read("secret"));
  }

  private static String[] concat(String[]... parts) {
    return java.util.Arrays.stream(parts).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }
}
