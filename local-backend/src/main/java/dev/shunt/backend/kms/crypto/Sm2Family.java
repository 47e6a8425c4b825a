package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.gm.GMNamedCurves;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.agreement.ECDHBasicAgreement;
import org.bouncycastle.crypto.digests.SM3Digest;
import org.bouncycastle.crypto.engines.SM2Engine;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithID;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.SM2Signer;
import org.bouncycastle.crypto.util.PublicKeyFactory;
import org.bouncycastle.util.BigIntegers;

/**
 * SM2 (China Regions only) with Bouncy Castle, as the KMS developer guide describes it ("SM2 key
 * spec" and "Offline operations with SM2"):
 * <ul>
 * <li>SM2DSA: the signed value is e = SM3(Z_A || M), Z_A hashing the default distinguishing ID
 * {@code 1234567812345678} (GM/T 0009-2012, the only ID KMS uses) with the curve and the public
 * key. A RAW message is M; a DIGEST is e itself (32 bytes, computed by the caller, perhaps with
 * an ID of their own) and is signed as given. Signatures are DER SEQUENCE {r, s}.
 * <li>SM2PKE: ciphertexts in the ASN.1 form KMS takes and returns (GM/T 0009: SEQUENCE {x, y,
 * C3 = SM3 hash, C2 = masked plaintext}), not Bouncy Castle's raw C1||C3||C2 bytes; plaintexts up to
 * 1024 bytes.
 * <li>ECDH: the raw shared secret, the x coordinate of d·Q_peer (32 bytes) on sm2p256v1.
 * </ul>
 */
public final class Sm2Family implements KeyFamily {
  public static final Sm2Family INSTANCE = new Sm2Family();
  /** KMS's SM2PKE plaintext limit. */
  static final int MAX_PLAINTEXT = 1024;
  /** The length of an SM3 digest: the only length a DIGEST message can have with SM2DSA. */
  public static final int DIGEST_BYTES = 32;
  private static final byte[] DISTINGUISHING_ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);
  private static final X9ECParameters CURVE = GMNamedCurves.getByOID(GMObjectIdentifiers.sm2p256v1);
  private static final ECDomainParameters DOMAIN = new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1, CURVE);
  private static final int COORDINATE_BYTES = 32;

  private Sm2Family() {}

  @Override
  public PrivateMaterial generate(String spec) {
    ECKeyPairGenerator generator = new ECKeyPairGenerator();
    generator.init(new ECKeyGenerationParameters(DOMAIN, Randomness.current()));
    return BcKeyPair.of(generator.generateKeyPair());
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    BcKeyPair parsed = BcKeyPair.decode(encoded);
    // Imported material may be any EC key: only one on sm2p256v1, with 0 < d < n, is an SM2 key.
    if (!(parsed.privateKey() instanceof ECPrivateKeyParameters ec) || !ec.getParameters().getCurve()
        .equals(DOMAIN.getCurve()) || !ec.getParameters().getG().equals(DOMAIN.getG())
        || ec.getD().signum() <= 0 || ec.getD().compareTo(DOMAIN.getN()) >= 0) {
      throw new IllegalArgumentException("Not an SM2 key");
    }
    return parsed;
  }

  // ---- SM2DSA -------------------------------------------------------------------------------

  @Override
  public byte[] sign(PrivateMaterial key, String algorithm, String messageType, byte[] message) {
    SM2Signer signer = signer(messageType, message);
    signer.init(true, new ParametersWithID(new ParametersWithRandom(((BcKeyPair) key).privateKey(),
        Randomness.current()), DISTINGUISHING_ID));
    if (!isDigest(messageType, message)) {
      signer.update(message, 0, message.length);
    }
    try {
      return signer.generateSignature();
    } catch (CryptoException e) {
      throw new IllegalStateException("SM2 signing failed", e);
    }
  }

  @Override
  public boolean verify(PrivateMaterial key, String algorithm, String messageType, byte[] message,
      byte[] signature) {
    SM2Signer verifier = signer(messageType, message);
    verifier.init(false, new ParametersWithID(((BcKeyPair) key).publicKey(), DISTINGUISHING_ID));
    if (!isDigest(messageType, message)) {
      verifier.update(message, 0, message.length);
    }
    // Bouncy Castle answers false, never throws, for a signature that is not DER {r, s} in range.
    return verifier.verifySignature(signature);
  }

  /** Bouncy Castle's signer for a RAW message; for a DIGEST, one that takes e as given. */
  private static SM2Signer signer(String messageType, byte[] message) {
    return isDigest(messageType, message) ? new GivenDigestSigner(message) : new SM2Signer();
  }

  /** Whether the message is a digest e (no type means RAW, AWS's default); throws IllegalArgumentException for a digest of another length. */
  private static boolean isDigest(String messageType, byte[] message) {
    if (messageType == null || RAW.equals(messageType)) {
      return false;
    }
    if (!DIGEST.equals(messageType)) {
      throw new IllegalArgumentException("SM2DSA signs RAW messages or a DIGEST, not " + messageType);
    }
    if (message.length != DIGEST_BYTES) {
      throw new IllegalArgumentException("An SM2DSA DIGEST is " + DIGEST_BYTES + " bytes (SM3)");
    }
    return true;
  }

  /**
   * Bouncy Castle's SM2Signer always hashes Z_A || M itself. Its hook {@code calculateE}, which
   * both signing and verification call with that hash, is where e is taken instead from the
   * caller's digest: the rest (k, r, s, DER) stays Bouncy Castle's. {@code Sm2FamilyTest} checks a
   * DIGEST signature verifies as the RAW signature of the message the digest was made from.
   */
  private static final class GivenDigestSigner extends SM2Signer {
    private final byte[] digest;

    GivenDigestSigner(byte[] digest) {
      this.digest = digest;
    }

    @Override
    protected BigInteger calculateE(BigInteger n, byte[] ignoredHashOfNothing) {
      return new BigInteger(1, digest);
    }
  }

  // ---- SM2PKE -------------------------------------------------------------------------------

  @Override
  public int maxPlaintext(PrivateMaterial key, String algorithm) {
    return MAX_PLAINTEXT;
  }

  @Override
  public byte[] encrypt(PrivateMaterial key, String algorithm, byte[] plaintext) {
    if (plaintext.length > MAX_PLAINTEXT) {
      throw new IllegalArgumentException("SM2PKE encrypts at most " + MAX_PLAINTEXT + " bytes");
    }
    SM2Engine engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
    engine.init(true, new ParametersWithRandom(((BcKeyPair) key).publicKey(), Randomness.current()));
    byte[] raw;
    try {
      raw = engine.processBlock(plaintext, 0, plaintext.length);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("SM2 encryption failed", e);
    }
    // raw = C1 (0x04 || x || y) || C3 (32 bytes) || C2 (as long as the plaintext)
    int c1 = 1 + 2 * COORDINATE_BYTES;
    int c3 = c1 + DIGEST_BYTES;
    try {
      return new DERSequence(new ASN1Encodable[] {
          new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, 1, 1 + COORDINATE_BYTES))),
          new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(raw, 1 + COORDINATE_BYTES, c1))),
          new DEROctetString(Arrays.copyOfRange(raw, c1, c3)),
          new DEROctetString(Arrays.copyOfRange(raw, c3, raw.length))}).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot encode an SM2 ciphertext", e);
    }
  }

  @Override
  public byte[] decrypt(PrivateMaterial key, String algorithm, byte[] ciphertext) {
    byte[] raw = rawCiphertext(ciphertext);
    SM2Engine engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
    engine.init(false, ((BcKeyPair) key).privateKey());
    try {
      // Checks C1 is a point of the curve and C3 the SM3 of x2 || M || y2 (constant time).
      return engine.processBlock(raw, 0, raw.length);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new IllegalArgumentException("Not an SM2PKE ciphertext of this key");
    }
  }

  /** The DER form KMS uses, turned back into the C1 || C3 || C2 bytes Bouncy Castle's engine reads. */
  private static byte[] rawCiphertext(byte[] der) {
    try {
      ASN1Primitive parsed = ASN1Primitive.fromByteArray(der);
      if (!Arrays.equals(parsed.getEncoded(ASN1Encoding.DER), der)) {
        throw new IllegalArgumentException("Not DER");
      }
      ASN1Sequence sequence = ASN1Sequence.getInstance(parsed);
      if (sequence.size() != 4) {
        throw new IllegalArgumentException("Not an SM2 ciphertext");
      }
      BigInteger x = ASN1Integer.getInstance(sequence.getObjectAt(0)).getPositiveValue();
      BigInteger y = ASN1Integer.getInstance(sequence.getObjectAt(1)).getPositiveValue();
      byte[] hash = ASN1OctetString.getInstance(sequence.getObjectAt(2)).getOctets();
      byte[] masked = ASN1OctetString.getInstance(sequence.getObjectAt(3)).getOctets();
      if (hash.length != DIGEST_BYTES || masked.length == 0) {
        throw new IllegalArgumentException("Not an SM2 ciphertext");
      }
      byte[] raw = new byte[1 + 2 * COORDINATE_BYTES + DIGEST_BYTES + masked.length];
      raw[0] = 0x04;
      // asUnsignedByteArray throws for a coordinate longer than the field: no such point exists.
      BigIntegers.asUnsignedByteArray(x, raw, 1, COORDINATE_BYTES);
      BigIntegers.asUnsignedByteArray(y, raw, 1 + COORDINATE_BYTES, COORDINATE_BYTES);
      System.arraycopy(hash, 0, raw, 1 + 2 * COORDINATE_BYTES, DIGEST_BYTES);
      System.arraycopy(masked, 0, raw, 1 + 2 * COORDINATE_BYTES + DIGEST_BYTES, masked.length);
      return raw;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not an SM2PKE ciphertext");
    }
  }

  // ---- ECDH ---------------------------------------------------------------------------------

  @Override
  public byte[] deriveSharedSecret(PrivateMaterial key, byte[] peerPublicKeyDer) {
    ECPublicKeyParameters peer = peerKey(peerPublicKeyDer);
    ECDHBasicAgreement agreement = new ECDHBasicAgreement();
    agreement.init(((BcKeyPair) key).privateKey());
    BigInteger x;
    try {
      x = agreement.calculateAgreement(peer);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException("No shared secret with that public key");
    }
    return BigIntegers.asUnsignedByteArray(agreement.getFieldSize(), x);
  }

  /** The peer's public key, which must be a point on sm2p256v1 (Bouncy Castle checks the point as it decodes it). */
  private static ECPublicKeyParameters peerKey(byte[] der) {
    AsymmetricKeyParameter parsed;
    try {
      parsed = PublicKeyFactory.createKey(der);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("Not a DER SubjectPublicKeyInfo");
    }
    if (!(parsed instanceof ECPublicKeyParameters ec) || !ec.getParameters().getCurve().equals(CURVE.getCurve())
        || !ec.getParameters().getG().equals(CURVE.getG())) {
      throw new IllegalArgumentException("Not an SM2 (sm2p256v1) public key");
    }
    return ec;
  }
}
