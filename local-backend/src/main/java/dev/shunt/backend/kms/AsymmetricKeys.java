package dev.shunt.backend.kms;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.kms.crypto.KeyFamily;
import dev.shunt.backend.kms.crypto.PrivateMaterial;
import dev.shunt.backend.kms.crypto.SigningDigests;
import java.util.Map;

/**
 * KMS's asymmetric operations on the domain side: Sign, Verify, GetPublicKey, the RSA and SM2
 * halves of Encrypt and Decrypt, GenerateDataKeyPair and DeriveSharedSecret. Keys are found and
 * authorised by {@link KmsBackend}; the cryptography is the key's {@link KeyFamily}, so every spec
 * (ML-DSA and SM2 included) goes through the same rules here.
 */
final class AsymmetricKeys {
  static final String RAW = "RAW";
  static final String DIGEST = "DIGEST";
  static final String EXTERNAL_MU = "EXTERNAL_MU";
  /** Sign's and Verify's limit on a RAW message (the model's limit on Message too). */
  static final int MAX_RAW_MESSAGE = 4096;

  private final KmsBackend kms;

  AsymmetricKeys(KmsBackend kms) {
    this.kms = kms;
  }

  record Signed(KmsKey key, byte[] signature) {}

  /** A data key pair: the private key (PKCS#8) in plaintext and sealed under {@code key}, the public key (SPKI). */
  record DataKeyPair(KmsKey key, byte[] privateKeyPlaintext, byte[] privateKeyCiphertext, byte[] publicKey,
      String materialId) {}

  // ---- signatures ---------------------------------------------------------------------------

  Signed sign(RequestContext ctx, String keyId, byte[] message, String messageType, String algorithm) {
    KmsKey key = kms.usableKey(ctx, keyId, "Sign", null);
    String type = checkSigning(key, "Sign", algorithm, messageType, message);
    Signed signed = new Signed(key, key.spec.family().sign(material(key), algorithm, type, message));
    key.recordUse("Sign", ctx.requestId(), ctx.now());
    return signed;
  }

  /** Verify: returns the key when the signature is valid; KMSInvalidSignatureException otherwise, as AWS answers. */
  KmsKey verify(RequestContext ctx, String keyId, byte[] message, String messageType, byte[] signature,
      String algorithm) {
    KmsKey key = kms.usableKey(ctx, keyId, "Verify", null);
    String type = checkSigning(key, "Verify", algorithm, messageType, message);
    if (!key.spec.family().verify(material(key), algorithm, type, message, signature)) {
      throw new AwsException("KMSInvalidSignatureException", null);
    }
    key.recordUse("Verify", ctx.requestId(), ctx.now());
    return key;
  }

  /**
   * The rules AWS applies before any signing: the key's usage, the algorithm among the key's, and
   * a message type that fits the algorithm (a DIGEST exactly as long as its digest, EXTERNAL_MU
   * for ML-DSA only). Returns the message type, RAW when none was given.
   */
  private static String checkSigning(KmsKey key, String operation, String algorithm, String messageType,
      byte[] message) {
    requireUsage(key, KeySpec.Usage.SIGN_VERIFY, operation);
    requireAlgorithm(key, KeySpec.Usage.SIGN_VERIFY, algorithm);
    String type = messageType == null ? RAW : messageType;
    boolean mlDsa = algorithm.startsWith("ML_DSA_");
    switch (type) {
      case EXTERNAL_MU -> {
        if (!mlDsa) {
          throw KmsErrors.validation("The EXTERNAL_MU message type is valid only with ML-DSA signing algorithms, "
              + "not " + algorithm + ".");
        }
        if (message.length != 64) {
          throw KmsErrors.validation("The EXTERNAL_MU message must be 64 bytes long.");
        }
      }
      case DIGEST -> {
        // Pure EdDSA and ML-DSA hash the whole message themselves: there is no digest to give them.
        if (algorithm.equals("ED25519_SHA_512") || mlDsa) {
          throw KmsErrors.validation("The " + algorithm + " signing algorithm does not support the DIGEST "
              + "message type.");
        }
        int expected = algorithm.equals("SM2DSA") ? 32 : SigningDigests.length(algorithm);
        if (message.length != expected) {
          throw KmsErrors.validation("Digest is invalid length for algorithm " + algorithm + ".");
        }
      }
      default -> {
        if (algorithm.equals("ED25519_PH_SHA_512")) {
          throw KmsErrors.validation("The ED25519_PH_SHA_512 signing algorithm requires the DIGEST message type.");
        }
      }
    }
    return type;
  }

  // ---- public keys --------------------------------------------------------------------------

  KmsKey publicKey(RequestContext ctx, String keyId) {
    KmsKey key = kms.usableKey(ctx, keyId, "GetPublicKey", null);
    if (key.spec.symmetric() || material(key).publicKeyDer() == null) {
      throw KmsErrors.unsupported(key.arn + " key usage is " + key.keyUsage + " and key spec is " + key.keySpec
          + ": GetPublicKey is valid only for asymmetric KMS keys.");
    }
    return key;
  }

  static byte[] publicKeyDer(KmsKey key) {
    return material(key).publicKeyDer();
  }

  // ---- encryption with RSA and SM2 keys ----------------------------------------------------

  /** Encrypt under an asymmetric key: the family's public-key encryption, no Shunt envelope around it. */
  static KmsBackend.Encrypted encrypt(KmsKey key, byte[] plaintext, Map<String, String> context, String algorithm,
      String operation) {
    String chosen = checkEncryption(key, context, algorithm, operation);
    KeyFamily family = key.spec.family();
    PrivateMaterial material = material(key);
    int limit = family.maxPlaintext(material, chosen);
    if (plaintext.length > limit) {
      throw KmsErrors.validation("Algorithm " + chosen + " and key spec " + key.keySpec
          + " cannot encrypt data larger than " + limit + " bytes.");
    }
    return new KmsBackend.Encrypted(family.encrypt(material, chosen, plaintext), key, chosen);
  }

  /** Decrypt with an asymmetric key named by KeyId (the ciphertext does not say which key made it). */
  static KmsBackend.Decrypted decrypt(KmsKey key, byte[] ciphertext, Map<String, String> context, String algorithm,
      String operation) {
    KmsBackend.requireEnabled(key);
    String chosen = checkEncryption(key, context, algorithm, operation);
    try {
      return new KmsBackend.Decrypted(key.spec.family().decrypt(material(key), chosen, ciphertext), key, null,
          chosen);
    } catch (IllegalArgumentException e) {
      throw KmsErrors.invalidCiphertext();
    }
  }

  private static String checkEncryption(KmsKey key, Map<String, String> context, String algorithm,
      String operation) {
    requireUsage(key, KeySpec.Usage.ENCRYPT_DECRYPT, operation);
    // Omitted, the algorithm is SYMMETRIC_DEFAULT, which no asymmetric key has.
    String chosen = algorithm == null ? KmsKey.SYMMETRIC_DEFAULT : algorithm;
    requireAlgorithm(key, KeySpec.Usage.ENCRYPT_DECRYPT, chosen);
    if (context != null && !context.isEmpty()) {
      throw KmsErrors.validation("EncryptionContext is not supported with asymmetric KMS keys (" + key.keySpec
          + ").");
    }
    return chosen;
  }

  // ---- data key pairs -----------------------------------------------------------------------

  DataKeyPair generateDataKeyPair(RequestContext ctx, String keyId, String pairSpecName,
      Map<String, String> context, String action) {
    KeySpec pairSpec = KeySpec.named(pairSpecName);
    KmsKey key = kms.dataKeyWrappingKey(ctx, keyId, action);
    if (!pairSpec.offeredIn(ctx.region())) {
      throw KmsErrors.unsupported("KeyPairSpec " + pairSpecName + " is not supported in this Region ("
          + ctx.region() + "); SM2 key pairs are offered only in the China Regions");
    }
    PrivateMaterial pair = pairSpec.family().generate(pairSpecName);
    byte[] privateKey = pair.encoded();
    KmsBackend.DataKey sealed = kms.sealDataKey(key, privateKey, context);
    key.recordUse(action, ctx.requestId(), ctx.now());
    return new DataKeyPair(key, privateKey, sealed.ciphertext(), pair.publicKeyDer(), sealed.materialId());
  }

  // ---- key agreement ------------------------------------------------------------------------

  record SharedSecret(KmsKey key, byte[] secret) {}

  SharedSecret deriveSharedSecret(RequestContext ctx, String keyId, String algorithm, byte[] peerPublicKey) {
    KmsKey key = kms.usableKey(ctx, keyId, "DeriveSharedSecret", null);
    requireUsage(key, KeySpec.Usage.KEY_AGREEMENT, "DeriveSharedSecret");
    requireAlgorithm(key, KeySpec.Usage.KEY_AGREEMENT, algorithm);
    try {
      SharedSecret secret = new SharedSecret(key, key.spec.family().deriveSharedSecret(material(key), peerPublicKey));
      key.recordUse("DeriveSharedSecret", ctx.requestId(), ctx.now());
      return secret;
    } catch (IllegalArgumentException e) {
      // AWS: a public key that is not a DER SubjectPublicKeyInfo of the key's curve is a ValidationException.
      throw KmsErrors.validation("PublicKey must be a DER-encoded X.509 SubjectPublicKeyInfo of a "
          + key.keySpec + " key.");
    }
  }

  // ---- shared rules -------------------------------------------------------------------------

  private static PrivateMaterial material(KmsKey key) {
    return key.currentMaterial().privateMaterial();
  }

  static void requireUsage(KmsKey key, String usage, String operation) {
    if (!key.keyUsage.equals(usage)) {
      throw KmsErrors.invalidKeyUsage(key.arn + " key usage is " + key.keyUsage + " which is not valid for "
          + operation + ".");
    }
  }

  /** AWS's answer to an algorithm the key's spec lacks (recorded: "Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_4096."). */
  private static void requireAlgorithm(KmsKey key, String usage, String algorithm) {
    if (!key.spec.algorithms(usage).contains(algorithm)) {
      throw KmsErrors.invalidKeyUsage("Algorithm " + algorithm + " is incompatible with key spec " + key.keySpec
          + ".");
    }
  }
}
