package dev.shunt.backend.ssm;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.AesGcm;
import dev.shunt.backend.kms.KmsBackend;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

/**
 * SecureString encryption through the local KMS, as Parameter Store does it: a value that fits
 * KMS Encrypt (4 KB) is encrypted directly under the parameter's key with the encryption context
 * {@code PARAMETER_ARN}, so its ciphertext form decrypts with {@code kms decrypt}; a larger
 * (advanced-tier) value is envelope-encrypted under a data key. KMS refusals (a disabled key, a
 * key pending deletion, an unknown key) surface as SSM's {@code InvalidKeyId}.
 */
final class SecureStrings {
  static final String DEFAULT_KEY = "alias/aws/ssm";
  private static final String SERVICE = "ssm";
  private static final int DIRECT_LIMIT = 4096;

  /** A sealed value: the key that protects it, the bytes, and whether they are an envelope. */
  record Sealed(String keyArn, byte[] ciphertext, boolean envelope) {
    /** What GetParameter returns without WithDecryption: the ciphertext, base64. */
    String ciphertextForm() {
      return Base64.getEncoder().encodeToString(ciphertext);
    }
  }

  private final KmsBackend kms;

  SecureStrings(KmsBackend kms) {
    this.kms = kms;
  }

  Sealed seal(RequestContext ctx, String keyId, String parameterArn, String value) {
    byte[] plaintext = value.getBytes(StandardCharsets.UTF_8);
    Map<String, String> context = Map.of("PARAMETER_ARN", parameterArn);
    try {
      if (plaintext.length <= DIRECT_LIMIT) {
        KmsBackend.Encrypted encrypted = kms.encrypt(ctx, keyId, plaintext, context, null, SERVICE);
        return new Sealed(encrypted.key().arn(), encrypted.ciphertext(), false);
      }
      KmsBackend.DataKey dataKey = kms.generateDataKey(ctx, keyId, 32, context, SERVICE, "GenerateDataKey");
      byte[] wrapped = dataKey.ciphertext();
      ByteBuffer envelope = ByteBuffer.allocate(2 + wrapped.length + AesGcm.sealedLength(plaintext.length));
      envelope.putShort((short) wrapped.length).put(wrapped);
      byte[] out = envelope.array();
      AesGcm.sealWithDataKey(dataKey.plaintext(), parameterArn.getBytes(StandardCharsets.UTF_8), plaintext, out,
          2 + wrapped.length);
      return new Sealed(dataKey.key().arn(), out, true);
    } catch (AwsException e) {
      throw kmsFailure(e);
    }
  }

  String open(RequestContext ctx, String parameterArn, Sealed sealed) {
    Map<String, String> context = Map.of("PARAMETER_ARN", parameterArn);
    try {
      if (!sealed.envelope()) {
        byte[] plaintext = kms.decrypt(ctx, sealed.ciphertext(), null, context, null, SERVICE).plaintext();
        return new String(plaintext, StandardCharsets.UTF_8);
      }
      byte[] out = sealed.ciphertext();
      int wrappedLength = ByteBuffer.wrap(out).getShort() & 0xFFFF;
      byte[] wrapped = Arrays.copyOfRange(out, 2, 2 + wrappedLength);
      byte[] dataKey = kms.decrypt(ctx, wrapped, null, context, null, SERVICE).plaintext();
      int sealedAt = 2 + wrappedLength;
      byte[] plaintext = AesGcm.openWithDataKey(dataKey, parameterArn.getBytes(StandardCharsets.UTF_8), out, sealedAt,
          out.length - sealedAt);
      if (plaintext == null) {
        throw SsmErrors.invalidKeyId("The SecureString value could not be decrypted.");
      }
      return new String(plaintext, StandardCharsets.UTF_8);
    } catch (AwsException e) {
      throw e.code().equals("InvalidKeyId") ? e : kmsFailure(e);
    }
  }

  /**
   * Whether a version is sealed under the account's AWS managed key for Parameter Store
   * ({@code aws/ssm}), which cannot be shared with another account: named so, or its key is it.
   */
  boolean awsManaged(String accountId, String region, ParameterVersion version) {
    if (version.keyId != null && (version.keyId.equals(DEFAULT_KEY) || version.keyId.endsWith(":" + DEFAULT_KEY))) {
      return true;
    }
    String managed = kms.keyArnFor(accountId, region, DEFAULT_KEY);
    return managed != null && version.sealed != null && managed.equals(version.sealed.keyArn());
  }

  /** KMS's error as SSM reports it: InvalidKeyId naming the KMS error (AccessDenied stays AccessDenied). */
  private static AwsException kmsFailure(AwsException e) {
    if (e.code().equals("AccessDeniedException")) {
      return e;
    }
    return SsmErrors.invalidKeyId((e.getMessage() == null ? e.code() : e.getMessage())
        + " (Service: AWSKMS; Status Code: " + e.httpStatus() + "; Error Code: " + e.code() + ")");
  }
}
