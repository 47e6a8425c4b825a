package dev.shunt.backend.kms;

import dev.shunt.backend.crypto.HmacSha256;
import java.util.List;

/**
 * The AWS managed keys ({@code alias/aws/<service>}). AWS creates one the first time it is
 * referenced; their aliases are listed before that, without a target key.
 */
final class AwsManagedKeys {
  static final String PREFIX = "alias/aws/";

  static final List<String> SERVICES = List.of("acm", "backup", "codecommit", "dynamodb", "ebs",
      "elasticfilesystem", "es", "glue", "kinesis", "lambda", "rds", "redshift", "s3", "secretsmanager", "sns",
      "sqs", "ssm", "xray");

  private AwsManagedKeys() {}

  /** The service of an AWS managed alias name, or null when the name is not one. */
  static String serviceOf(String aliasName) {
    if (!aliasName.startsWith(PREFIX)) {
      return null;
    }
    String service = aliasName.substring(PREFIX.length());
    return SERVICES.contains(service) ? service : null;
  }

  /** The AWS managed key of {@code service} in an account's Region as {@code seed} makes it: its id and material. */
  static KmsKey derived(byte[] seed, String accountId, String region, String service, java.time.Instant now) {
    String scope = accountId + "\n" + region + "\n" + service;
    byte[] id = HmacSha256.of(seed, "aws-managed-key-id\n" + scope);
    // A version 4 UUID's shape, as every key id has.
    id[6] = (byte) ((id[6] & 0x0f) | 0x40);
    id[8] = (byte) ((id[8] & 0x3f) | 0x80);
    java.nio.ByteBuffer bits = java.nio.ByteBuffer.wrap(id);
    String keyId = new java.util.UUID(bits.getLong(), bits.getLong()).toString();
    KeyMaterial material = new KeyMaterial(HmacSha256.of(seed, "aws-managed-key-material-id\n" + scope),
        new javax.crypto.spec.SecretKeySpec(HmacSha256.of(seed, "aws-managed-key-material\n" + scope), "AES"), null,
        now, null);
    return new KmsKey(accountId, region, keyId, now, description(service), service, null, KeySpec.SYMMETRIC_DEFAULT,
        KmsKey.ENCRYPT_DECRYPT, KmsKey.AWS_KMS, null, new KeyMaterial[] {material});
  }

  static String description(String service) {
    return "Default key that protects my " + service + " data when no other key is defined";
  }
}
