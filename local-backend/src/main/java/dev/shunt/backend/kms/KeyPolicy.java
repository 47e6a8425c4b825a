package dev.shunt.backend.kms;

import dev.shunt.backend.auth.PolicyDocument;

/** KMS's default key policy: the account's root may do everything, which delegates access to IAM. */
final class KeyPolicy {
  private KeyPolicy() {}

  static PolicyDocument defaultFor(String partition, String accountId) {
    return PolicyDocument.parse("{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
        + "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n"
        + "    \"Principal\" : {\n      \"AWS\" : \"arn:" + partition + ":iam::" + accountId + ":root\"\n    },\n"
        + "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}");
  }
}
