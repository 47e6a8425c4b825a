package dev.shunt.backend.secrets;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.AesGcm;
import dev.shunt.backend.crypto.HmacSha256;
import dev.shunt.backend.crypto.Randomness;
import dev.shunt.backend.kms.KmsBackend;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import javax.crypto.Mac;

/**
 * Envelope encryption of secret values through the local KMS, as Secrets Manager does it: a
 * fresh 256-bit data key per version from {@code GenerateDataKey} under the secret's key (or
 * {@code aws/secretsmanager}), with the secret's ARN and version id as encryption context; the
 * value sealed with AES-GCM under that data key. Reading asks KMS to decrypt the data key, so a
 * disabled or deleted key makes the value unreadable, as in AWS.
 */
final class SecretCipher {
  static final String DEFAULT_KEY = "alias/aws/secretsmanager";
  private static final String SERVICE = "secretsmanager";

  /** A sealed value: the KMS key that wrapped its data key, the wrapped key, and IV + ciphertext + tag. */
  record Sealed(String kmsKeyArn, byte[] wrappedKey, byte[] sealed, boolean binary) {}

  private final KmsBackend kms;
  private final ThreadLocal<Mac> digests;

  SecretCipher(KmsBackend kms) {
    this.kms = kms;
    this.digests = HmacSha256.perThread(Randomness.bytes(32));
  }

  Sealed seal(RequestContext ctx, String kmsKeyId, String secretArn, String versionId, byte[] plaintext,
      boolean binary) {
    KmsBackend.DataKey dataKey;
    try {
      dataKey = kms.generateDataKey(ctx, kmsKeyId == null ? DEFAULT_KEY : kmsKeyId, 32,
          context(secretArn, versionId), SERVICE, "GenerateDataKey");
    } catch (AwsException e) {
      throw e.code().equals("AccessDeniedException") ? SecretsErrors.kmsAccessDenied() : SecretsErrors.encryptionFailure();
    }
    byte[] sealed = new byte[AesGcm.sealedLength(plaintext.length)];
    AesGcm.sealWithDataKey(dataKey.plaintext(), versionId.getBytes(StandardCharsets.UTF_8), plaintext, sealed, 0);
    return new Sealed(dataKey.key().arn(), dataKey.ciphertext(), sealed, binary);
  }

  byte[] open(RequestContext ctx, String secretArn, String versionId, Sealed value) {
    byte[] dataKey;
    try {
      dataKey = kms.decrypt(ctx, value.wrappedKey(), null, context(secretArn, versionId), null, SERVICE).plaintext();
    } catch (AwsException e) {
      throw e.code().equals("AccessDeniedException") ? SecretsErrors.kmsAccessDenied() : SecretsErrors.decryptionFailure();
    }
    byte[] plaintext = AesGcm.openWithDataKey(dataKey, versionId.getBytes(StandardCharsets.UTF_8), value.sealed(), 0,
        value.sealed().length);
    if (plaintext == null) {
      throw SecretsErrors.decryptionFailure();
    }
    return plaintext;
  }

  /** HMAC-SHA256 of a value under a key that lives only in this process. */
  byte[] digest(byte[] plaintext, boolean binary) {
    Mac mac = digests.get();
    mac.update((byte) (binary ? 1 : 0));
    return mac.doFinal(plaintext);
  }

  static boolean sameDigest(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }

  private static Map<String, String> context(String secretArn, String versionId) {
    return Map.of("SecretARN", secretArn, "SecretVersionId", versionId);
  }
}
