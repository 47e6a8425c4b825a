package dev.shunt.backend.kms.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.util.BigIntegers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SM2DSA, SM2PKE and ECDH checked by parties that never see the family's code: Bouncy Castle
 * verifiers built from the public key's DER, the digest computed here the way the KMS developer
 * guide's SM2OfflineOperationHelper computes it, and OpenSSL 3 (which, the guide says, KMS
 * confirmed interoperates with its SM2 signatures and ciphertexts).
 */
class Sm2FamilyTest {
  private static final String OPENSSL = "/usr/bin/openssl";
  private static final byte[] DEFAULT_ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);
  private final Sm2Family family = Sm2Family.INSTANCE;
  private final PrivateMaterial key = family.generate("SM2");
  private final byte[] message = "转账 100 元 / transfer 100 CNY".getBytes(StandardCharsets.UTF_8);

  @TempDir
  Path dir;

  // ---- SM2DSA -------------------------------------------------------------------------------

  @Test
  void aRawSignatureIsDerAndVerifiesWithBouncyCastleUsingTheDefaultDistinguishingId() throws Exception {
    byte[] signature = family.sign(key, "SM2DSA", "RAW", message);
    assertThat(ASN1Sequence.getInstance(signature).size()).isEqualTo(2);
    assertThat(independentlyVerifies(key.publicKeyDer(), message, signature)).isTrue();
    assertThat(family.verify(key, "SM2DSA", "RAW", message, signature)).isTrue();
  }

  @Test
  void aFlippedBitAnotherMessageOrAnotherKeyDoesNotVerify() {
    byte[] signature = family.sign(key, "SM2DSA", "RAW", message);
    for (int bit = 0; bit < signature.length * 8; bit += 7) {
      byte[] flipped = signature.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThat(family.verify(key, "SM2DSA", "RAW", message, flipped)).as("bit %d", bit).isFalse();
    }
    assertThat(family.verify(key, "SM2DSA", "RAW", "other".getBytes(StandardCharsets.UTF_8), signature)).isFalse();
    assertThat(family.verify(family.generate("SM2"), "SM2DSA", "RAW", message, signature)).isFalse();
    assertThat(family.verify(key, "SM2DSA", "RAW", message, new byte[] {0x30, 0x00})).isFalse();
  }

  @Test
  void aDigestIsSignedAsGivenSoItsSignatureIsTheRawSignatureOfTheMessageItDigests() throws Exception {
    byte[] digest = sm2Digest(key.publicKeyDer(), message);
    byte[] signature = family.sign(key, "SM2DSA", "DIGEST", digest);
    assertThat(independentlyVerifies(key.publicKeyDer(), message, signature)).isTrue();
    assertThat(family.verify(key, "SM2DSA", "RAW", message, signature)).isTrue();

    byte[] rawSignature = family.sign(key, "SM2DSA", "RAW", message);
    assertThat(family.verify(key, "SM2DSA", "DIGEST", digest, rawSignature)).isTrue();
    digest[0] ^= 1;
    assertThat(family.verify(key, "SM2DSA", "DIGEST", digest, rawSignature)).isFalse();
  }

  @Test
  void aDigestIsThirtyTwoBytesAndSm2TakesNoExternalMu() {
    assertThat(family.messageTypes("SM2DSA")).containsExactlyInAnyOrder("RAW", "DIGEST");
    assertThatThrownBy(() -> family.sign(key, "SM2DSA", "DIGEST", new byte[48]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> family.sign(key, "SM2DSA", "EXTERNAL_MU", new byte[64]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void openSslVerifiesOurSignatureAndWeVerifyOpenSsls() throws Exception {
    assumeOpenSsl();
    Path publicKey = pem("pub.pem", "PUBLIC KEY", key.publicKeyDer());
    Path privateKey = pem("key.pem", "PRIVATE KEY", key.encoded());
    Path messageFile = Files.write(dir.resolve("msg"), message);
    Path signatureFile = Files.write(dir.resolve("sig"), family.sign(key, "SM2DSA", "RAW", message));
    assertThat(openssl("pkeyutl", "-verify", "-pubin", "-inkey", publicKey.toString(), "-rawin", "-digest", "sm3",
        "-pkeyopt", "distid:1234567812345678", "-sigfile", signatureFile.toString(), "-in", messageFile.toString()))
        .contains("Signature Verified Successfully");

    Path theirs = dir.resolve("theirs.sig");
    openssl("pkeyutl", "-sign", "-inkey", privateKey.toString(), "-rawin", "-digest", "sm3", "-pkeyopt",
        "distid:1234567812345678", "-in", messageFile.toString(), "-out", theirs.toString());
    assertThat(family.verify(key, "SM2DSA", "RAW", message, Files.readAllBytes(theirs))).isTrue();
    assertThat(family.verify(key, "SM2DSA", "RAW", "other".getBytes(StandardCharsets.UTF_8),
        Files.readAllBytes(theirs))).isFalse();
  }

  // ---- SM2PKE -------------------------------------------------------------------------------

  @Test
  void aCiphertextIsTheAsn1FormKmsUsesAndDecrypts() {
    byte[] ciphertext = family.encrypt(key, "SM2PKE", message);
    ASN1Sequence sequence = ASN1Sequence.getInstance(ciphertext);
    assertThat(sequence.size()).isEqualTo(4);
    ASN1Integer.getInstance(sequence.getObjectAt(0));
    ASN1Integer.getInstance(sequence.getObjectAt(1));
    assertThat(ASN1OctetString.getInstance(sequence.getObjectAt(2)).getOctets()).as("C3, an SM3 hash").hasSize(32);
    assertThat(ASN1OctetString.getInstance(sequence.getObjectAt(3)).getOctets()).hasSameSizeAs(message);
    assertThat(family.decrypt(key, "SM2PKE", ciphertext)).isEqualTo(message);
    assertThat(family.encrypt(key, "SM2PKE", message)).as("randomized").isNotEqualTo(ciphertext);
  }

  @Test
  void aTamperedCiphertextOrAnotherKeysIsRefused() {
    byte[] ciphertext = family.encrypt(key, "SM2PKE", message);
    byte[] tampered = ciphertext.clone();
    tampered[tampered.length - 1] ^= 1;
    assertThatThrownBy(() -> family.decrypt(key, "SM2PKE", tampered)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> family.decrypt(family.generate("SM2"), "SM2PKE", ciphertext))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> family.decrypt(key, "SM2PKE", new byte[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void thePlaintextLimitIs1024Bytes() {
    assertThat(family.maxPlaintext(key, "SM2PKE")).isEqualTo(1024);
    byte[] largest = new byte[1024];
    assertThat(family.decrypt(key, "SM2PKE", family.encrypt(key, "SM2PKE", largest))).isEqualTo(largest);
    assertThatThrownBy(() -> family.encrypt(key, "SM2PKE", new byte[1025]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void openSslDecryptsOurCiphertextAndWeDecryptOpenSsls() throws Exception {
    assumeOpenSsl();
    Path publicKey = pem("pub.pem", "PUBLIC KEY", key.publicKeyDer());
    Path privateKey = pem("key.pem", "PRIVATE KEY", key.encoded());
    Path ours = Files.write(dir.resolve("ours.ct"), family.encrypt(key, "SM2PKE", message));
    Path decrypted = dir.resolve("decrypted");
    openssl("pkeyutl", "-decrypt", "-inkey", privateKey.toString(), "-in", ours.toString(), "-out",
        decrypted.toString());
    assertThat(Files.readAllBytes(decrypted)).isEqualTo(message);

    Path theirs = dir.resolve("theirs.ct");
    openssl("pkeyutl", "-encrypt", "-pubin", "-inkey", publicKey.toString(), "-in",
        Files.write(dir.resolve("msg"), message).toString(), "-out", theirs.toString());
    assertThat(family.decrypt(key, "SM2PKE", Files.readAllBytes(theirs))).isEqualTo(message);
  }

  // ---- ECDH ---------------------------------------------------------------------------------

  @Test
  void bothSidesDeriveTheXCoordinateOfTheSharedPoint() throws Exception {
    PrivateMaterial peer = family.generate("SM2");
    byte[] ours = family.deriveSharedSecret(key, peer.publicKeyDer());
    assertThat(ours).hasSize(32).isEqualTo(family.deriveSharedSecret(peer, key.publicKeyDer()));
    // d_A · Q_B computed here with the curve arithmetic alone.
    BigInteger d = ((ECPrivateKeyParameters) ((BcKeyPair) key).privateKey()).getD();
    ECPublicKeyParameters q = (ECPublicKeyParameters) PublicKeyFactory.createKey(peer.publicKeyDer());
    assertThat(ours).isEqualTo(BigIntegers.asUnsignedByteArray(32,
        q.getQ().multiply(d).normalize().getAffineXCoord().toBigInteger()));
  }

  @Test
  void aPeerKeyOnAnotherCurveOrNotAKeyIsRefused() throws Exception {
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(256);
    byte[] nist = p256.generateKeyPair().getPublic().getEncoded();
    assertThatThrownBy(() -> family.deriveSharedSecret(key, nist)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> family.deriveSharedSecret(key, new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- independent parties ------------------------------------------------------------------

  /** SM3(Z_A || M) as the KMS developer guide's SM2OfflineOperationHelper.calculateSM2Digest computes it. */
  private static byte[] sm2Digest(byte[] publicKeyDer, byte[] message) throws IOException {
    X9ECParameters curve = GMNamedCurves.getByName("sm2p256v1");
    ECPublicKeyParameters publicKey = (ECPublicKeyParameters) PublicKeyFactory.createKey(publicKeyDer);
    int idBits = DEFAULT_ID.length * 8;
    byte[] za = sm3(new byte[] {(byte) (idBits >> 8), (byte) idBits}, DEFAULT_ID,
        curve.getCurve().getA().getEncoded(), curve.getCurve().getB().getEncoded(),
        curve.getG().getAffineXCoord().getEncoded(), curve.getG().getAffineYCoord().getEncoded(),
        publicKey.getQ().getAffineXCoord().getEncoded(), publicKey.getQ().getAffineYCoord().getEncoded());
    return sm3(za, message);
  }

  private static byte[] sm3(byte[]... parts) {
    SM3Digest sm3 = new SM3Digest();
    for (byte[] part : parts) {
      sm3.update(part, 0, part.length);
    }
    byte[] out = new byte[32];
    sm3.doFinal(out, 0);
    return out;
  }

  private static boolean independentlyVerifies(byte[] publicKeyDer, byte[] message, byte[] signature)
      throws IOException {
    SM2Signer verifier = new SM2Signer();
    verifier.init(false, new ParametersWithID(PublicKeyFactory.createKey(publicKeyDer), DEFAULT_ID));
    verifier.update(message, 0, message.length);
    return verifier.verifySignature(signature);
  }

  private static void assumeOpenSsl() {
    assumeTrue(Files.isExecutable(Path.of(OPENSSL)), "no " + OPENSSL + " on this machine");
  }

  private Path pem(String name, String type, byte[] der) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return Files.writeString(dir.resolve(name), "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type
        + "-----\n");
  }

  /** Runs OpenSSL and returns its output; fails the test when it exits non-zero. */
  private static String openssl(String... arguments) throws Exception {
    List<String> command = new ArrayList<>(List.of(OPENSSL));
    command.addAll(List.of(arguments));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as("openssl %s: %s", String.join(" ", arguments), output).isZero();
    return output;
  }

  /** Imported material is any PKCS#8 EC key the caller sends: only one on sm2p256v1 is an SM2 key. */
  @Test
  void decodeTakesSm2KeysOnlyNotKeysOfOtherCurves() throws Exception {
    PrivateMaterial sm2 = family.generate("SM2");
    assertThat(family.decode("SM2", sm2.encoded()).publicKeyDer()).isEqualTo(sm2.publicKeyDer());
    KeyPairGenerator p256 = KeyPairGenerator.getInstance("EC");
    p256.initialize(256);
    byte[] notSm2 = p256.generateKeyPair().getPrivate().getEncoded();
    assertThatThrownBy(() -> family.decode("SM2", notSm2)).isInstanceOf(IllegalArgumentException.class);
  }
}
