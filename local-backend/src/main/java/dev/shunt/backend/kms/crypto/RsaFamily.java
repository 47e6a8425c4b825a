package dev.shunt.backend.kms.crypto;

import dev.shunt.backend.crypto.Randomness;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.bouncycastle.crypto.CryptoException;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.signers.PSSSigner;

/**
 * RSA_2048, RSA_3072, RSA_4096 with the JDK's provider: RSASSA-PSS (salt as long as the digest,
 * MGF1 with the same digest) and PKCS#1 v1.5 signatures, RSAES-OAEP (SHA-1 or SHA-256, MGF1 with
 * the same digest). PSS over a DIGEST uses Bouncy Castle's raw PSS signer, since the JDK's PSS
 * always hashes its input.
 */
public final class RsaFamily implements KeyFamily {
  public static final RsaFamily INSTANCE = new RsaFamily();

  /** The DER DigestInfo header before a SHA-256/384/512 digest in a PKCS#1 v1.5 signature (RFC 8017 9.2). */
  private static final byte[] SHA256_DIGEST_INFO = hex("3031300d060960864801650304020105000420");
  private static final byte[] SHA384_DIGEST_INFO = hex("3041300d060960864801650304020205000430");
  private static final byte[] SHA512_DIGEST_INFO = hex("3051300d060960864801650304020305000440");

  private RsaFamily() {}

  static int bits(String spec) {
    return Integer.parseInt(spec.substring("RSA_".length()));
  }

  @Override
  public PrivateMaterial generate(String spec) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(new RSAKeyGenParameterSpec(bits(spec), RSAKeyGenParameterSpec.F4), Randomness.current());
      return JdkKeyPair.of(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA key generation failed", e);
    }
  }

  @Override
  public PrivateMaterial decode(String spec, byte[] encoded) {
    JdkKeyPair pair = JdkKeyPair.decode("RSA", encoded, privateKey -> {
      RSAPrivateCrtKey crt = (RSAPrivateCrtKey) privateKey;
      return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(crt.getModulus(),
          crt.getPublicExponent()));
    });
    if (((RSAPrivateCrtKey) pair.privateKey()).getModulus().bitLength() != bits(spec)) {
      throw new IllegalArgumentException("Not an " + spec + " key");
    }
    return pair;
  }

  // ---- signatures ---------------------------------------------------------------------------

  @Override
  public byte[] sign(PrivateMaterial key, String algorithm, String messageType, byte[] message) {
    JdkKeyPair pair = (JdkKeyPair) key;
    boolean digest = "DIGEST".equals(messageType);
    try {
      if (isPss(algorithm)) {
        if (digest) {
          PSSSigner signer = rawPssSigner(algorithm);
          signer.init(true, new ParametersWithRandom(bcPrivateKey((RSAPrivateCrtKey) pair.privateKey()),
              Randomness.current()));
          signer.update(message, 0, message.length);
          return signer.generateSignature();
        }
        Signature signature = pss(algorithm);
        signature.initSign(pair.privateKey(), Randomness.current());
        signature.update(message);
        return signature.sign();
      }
      Signature signature = JcaObjects.signature(digest ? "NONEwithRSA" : pkcs1Name(algorithm));
      signature.initSign(pair.privateKey());
      if (digest) {
        signature.update(digestInfoHeader(algorithm));
      }
      signature.update(message);
      return signature.sign();
    } catch (GeneralSecurityException | CryptoException e) {
      throw new IllegalStateException("RSA signing failed", e);
    }
  }

  @Override
  public boolean verify(PrivateMaterial key, String algorithm, String messageType, byte[] message, byte[] signature) {
    JdkKeyPair pair = (JdkKeyPair) key;
    boolean digest = "DIGEST".equals(messageType);
    RSAPublicKey publicKey = (RSAPublicKey) pair.publicKey();
    try {
      if (isPss(algorithm)) {
        if (digest) {
          PSSSigner verifier = rawPssSigner(algorithm);
          verifier.init(false, new RSAKeyParameters(false, publicKey.getModulus(), publicKey.getPublicExponent()));
          verifier.update(message, 0, message.length);
          return verifier.verifySignature(signature);
        }
        Signature verifier = pss(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(message);
        return verifier.verify(signature);
      }
      Signature verifier = JcaObjects.signature(digest ? "NONEwithRSA" : pkcs1Name(algorithm));
      verifier.initVerify(publicKey);
      if (digest) {
        verifier.update(digestInfoHeader(algorithm));
      }
      verifier.update(message);
      return verifier.verify(signature);
    } catch (java.security.SignatureException | RuntimeException e) {
      // A signature of the wrong length or out of range is simply not valid.
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA verification failed", e);
    }
  }

  private static boolean isPss(String algorithm) {
    return algorithm.startsWith("RSASSA_PSS_");
  }

  private static String pkcs1Name(String algorithm) {
    return "SHA" + (SigningDigests.length(algorithm) * 8) + "withRSA";
  }

  /** The JDK's RSASSA-PSS with AWS's parameters: salt length = digest length, MGF1 over the same digest. */
  private static Signature pss(String algorithm) throws GeneralSecurityException {
    Signature signature = JcaObjects.signature("RSASSA-PSS");
    String digest = SigningDigests.jcaName(algorithm);
    signature.setParameter(new PSSParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest),
        SigningDigests.length(algorithm), PSSParameterSpec.TRAILER_FIELD_BC));
    return signature;
  }

  /** Bouncy Castle's PSS over an already computed digest, with the same parameters as {@link #pss}. */
  private static PSSSigner rawPssSigner(String algorithm) {
    return PSSSigner.createRawSigner(new RSABlindedEngine(), bcDigest(algorithm), bcDigest(algorithm),
        SigningDigests.length(algorithm), PSSSigner.TRAILER_IMPLICIT);
  }

  private static Digest bcDigest(String algorithm) {
    return switch (SigningDigests.length(algorithm)) {
      case 32 -> new SHA256Digest();
      case 48 -> new SHA384Digest();
      default -> new SHA512Digest();
    };
  }

  private static RSAPrivateCrtKeyParameters bcPrivateKey(RSAPrivateCrtKey key) {
    return new RSAPrivateCrtKeyParameters(key.getModulus(), key.getPublicExponent(), key.getPrivateExponent(),
        key.getPrimeP(), key.getPrimeQ(), key.getPrimeExponentP(), key.getPrimeExponentQ(), key.getCrtCoefficient());
  }

  private static byte[] digestInfoHeader(String algorithm) {
    return switch (SigningDigests.length(algorithm)) {
      case 32 -> SHA256_DIGEST_INFO;
      case 48 -> SHA384_DIGEST_INFO;
      default -> SHA512_DIGEST_INFO;
    };
  }

  // ---- encryption ---------------------------------------------------------------------------

  /** RFC 8017's OAEP limit: the modulus length less two digests and two bytes. */
  @Override
  public int maxPlaintext(PrivateMaterial key, String algorithm) {
    int modulusBytes = (((RSAPublicKey) ((JdkKeyPair) key).publicKey()).getModulus().bitLength() + 7) / 8;
    return modulusBytes - 2 * oaepDigestLength(algorithm) - 2;
  }

  @Override
  public byte[] encrypt(PrivateMaterial key, String algorithm, byte[] plaintext) {
    try {
      Cipher cipher = JcaObjects.cipher("RSA/ECB/OAEPPadding");
      cipher.init(Cipher.ENCRYPT_MODE, ((JdkKeyPair) key).publicKey(), oaep(algorithm), Randomness.current());
      return cipher.doFinal(plaintext);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("RSA-OAEP encryption failed");
    }
  }

  @Override
  public byte[] decrypt(PrivateMaterial key, String algorithm, byte[] ciphertext) {
    try {
      Cipher cipher = JcaObjects.cipher("RSA/ECB/OAEPPadding");
      cipher.init(Cipher.DECRYPT_MODE, ((JdkKeyPair) key).privateKey(), oaep(algorithm));
      return cipher.doFinal(ciphertext);
    } catch (GeneralSecurityException e) {
      // Wrong length, wrong key, wrong digest or a changed byte: all one answer, never which.
      throw new IllegalArgumentException("Not a ciphertext of this key");
    }
  }

  private static int oaepDigestLength(String algorithm) {
    return algorithm.equals("RSAES_OAEP_SHA_1") ? 20 : 32;
  }

  /** OAEP as AWS does it (and OpenSSL's rsa_oaep_md + rsa_mgf1_md): MGF1 over the same digest, no label. */
  private static OAEPParameterSpec oaep(String algorithm) {
    String digest = algorithm.equals("RSAES_OAEP_SHA_1") ? "SHA-1" : "SHA-256";
    return new OAEPParameterSpec(digest, "MGF1", new MGF1ParameterSpec(digest), PSource.PSpecified.DEFAULT);
  }

  private static byte[] hex(String text) {
    return java.util.HexFormat.of().parseHex(text);
  }
}
