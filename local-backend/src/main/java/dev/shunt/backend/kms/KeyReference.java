package dev.shunt.backend.kms;

import dev.shunt.backend.auth.Identity;

/**
 * A key as a request names it: key id, key ARN, alias name or alias ARN. Parsed without regex;
 * the account and Region are those of the ARN, or null for the caller's own.
 */
record KeyReference(Kind kind, String accountId, String region, String id, String text) {
  enum Kind { KEY_ID, KEY_ARN, ALIAS_NAME, ALIAS_ARN, INVALID }

  static KeyReference parse(String text) {
    if (text.startsWith("alias/")) {
      return new KeyReference(Kind.ALIAS_NAME, null, null, text, text);
    }
    if (text.startsWith("arn:")) {
      String[] parts = text.split(":", 6);
      if (parts.length == 6 && parts[2].equals("kms") && !parts[3].isEmpty() && !parts[4].isEmpty()) {
        String resource = parts[5];
        if (resource.startsWith("key/") && isKeyId(resource.substring(4))) {
          return new KeyReference(Kind.KEY_ARN, parts[4], parts[3], resource.substring(4), text);
        }
        if (resource.startsWith("alias/") && resource.length() > 6) {
          return new KeyReference(Kind.ALIAS_ARN, parts[4], parts[3], resource, text);
        }
      }
      return new KeyReference(Kind.INVALID, null, null, text, text);
    }
    return new KeyReference(isKeyId(text) ? Kind.KEY_ID : Kind.INVALID, null, null, text, text);
  }

  boolean isAlias() {
    return kind == Kind.ALIAS_NAME || kind == Kind.ALIAS_ARN;
  }

  /** A key id as KMS makes them: a hex UUID, 8-4-4-4-12, or a multi-Region key's {@code mrk-} and 32 hex digits. */
  static boolean isKeyId(String text) {
    if (text.length() == 36 && text.startsWith(MultiRegionKeys.KEY_ID_PREFIX)) {
      for (int i = 4; i < 36; i++) {
        if (Character.digit(text.charAt(i), 16) < 0) {
          return false;
        }
      }
      return true;
    }
    if (text.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = text.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }

  static String keyArn(String region, String accountId, String keyId) {
    return "arn:" + Identity.partitionOf(region) + ":kms:" + region + ":" + accountId + ":key/" + keyId;
  }

  static String aliasArn(String region, String accountId, String aliasName) {
    return "arn:" + Identity.partitionOf(region) + ":kms:" + region + ":" + accountId + ":" + aliasName;
  }
}
