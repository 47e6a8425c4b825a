package dev.shunt.backend.kms;

import dev.shunt.backend.auth.PolicyDocument;
import java.util.concurrent.ConcurrentHashMap;

/**
 * KMS's default key policy: the account's root may do everything, which delegates access to IAM.
 * One parsed document per account, shared by all its keys (a document is immutable; PutKeyPolicy
 * gives a key a document of its own), rather than a parse and a copy of the text per key.
 */
final class KeyPolicy {
  private static final ConcurrentHashMap<String, PolicyDocument> DEFAULTS = new ConcurrentHashMap<>();

  private KeyPolicy() {}

  static PolicyDocument defaultFor(String partition, String accountId) {
    return DEFAULTS.computeIfAbsent(partition + ':' + accountId, k -> parse(partition, accountId));
  }

  private static PolicyDocument parse(String partition, String accountId) {
    return PolicyDocument.parse("{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"key-default-1\",\n"
        + "  \"Statement\" : [ {\n    \"Sid\" : \"Enable IAM User Permissions\",\n    \"Effect\" : \"Allow\",\n"
        + "    \"Principal\" : {\n      \"AWS\" : \"arn:" + partition + ":iam::" + accountId + ":root\"\n    },\n"
        + "    \"Action\" : \"kms:*\",\n    \"Resource\" : \"*\"\n  } ]\n}");
  }
}
