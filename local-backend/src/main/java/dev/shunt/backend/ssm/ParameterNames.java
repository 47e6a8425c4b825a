package dev.shunt.backend.ssm;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.CommonErrors;

/**
 * Parameter names as SSM reads them: plain ({@code name}) or hierarchical ({@code /a/b/c}, at
 * most 15 levels), given directly or as an ARN, optionally followed by a selector
 * ({@code name:3} for a version, {@code name:label} for a label). Parsed by hand, no regex.
 */
final class ParameterNames {
  static final int MAX_LEVELS = 15;
  static final String SECRETS_REFERENCE = "/aws/reference/secretsmanager/";

  /** A name split from its selector; {@code selector} is null, a version number, or a label. */
  record Selected(String name, String selector) {
    boolean byVersion() {
      return selector != null && !selector.isEmpty() && Character.isDigit(selector.charAt(0));
    }
  }

  private ParameterNames() {}

  /** Reads a name given to a read operation (an ARN is unwrapped; a selector split off). */
  static Selected select(String text) {
    String name = unwrapArn(text);
    int colon = name.lastIndexOf(':');
    if (colon < 0) {
      return new Selected(name, null);
    }
    return new Selected(name.substring(0, colon), name.substring(colon + 1));
  }

  /** {@code arn:aws:ssm:REGION:ACCOUNT:parameter/NAME} to the name ({@code /a/b} keeps its slash). */
  static String unwrapArn(String text) {
    if (!text.startsWith("arn:")) {
      return text;
    }
    String[] parts = text.split(":", 6);
    if (parts.length == 6 && parts[2].equals("ssm") && parts[5].startsWith("parameter/")) {
      String name = parts[5].substring("parameter".length());
      // parameter/name is the plain name "name"; parameter/a/b is the path "/a/b".
      return name.indexOf('/', 1) > 0 ? name : name.substring(1);
    }
    return text;
  }

  static String arn(String region, String accountId, String name) {
    return "arn:" + Identity.partitionOf(region) + ":ssm:" + region + ":" + accountId + ":parameter"
        + (name.startsWith("/") ? name : "/" + name);
  }

  /** Checks a name for PutParameter (the strictest use: reserved prefixes, characters, depth). */
  static void checkWritable(String name) {
    check(name);
    String first = name.startsWith("/") ? name.substring(1) : name;
    String lower = first.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("aws") || lower.startsWith("ssm")) {
      throw SsmErrors.invalidName();
    }
  }

  /** Characters, fully qualified paths and depth. */
  static void check(String name) {
    if (name.isEmpty()) {
      throw SsmErrors.invalidName();
    }
    if (name.contains("/") && !name.startsWith("/")) {
      throw CommonErrors.validation("Parameter name must be a fully qualified name.");
    }
    int levels = 0;
    boolean segmentEmpty = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/') {
        if (i > 0 && segmentEmpty) {
          throw SsmErrors.invalidName();
        }
        levels++;
        segmentEmpty = true;
        continue;
      }
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_';
      if (!ok) {
        throw SsmErrors.invalidName();
      }
      segmentEmpty = false;
    }
    if (segmentEmpty) {
      throw SsmErrors.invalidName();
    }
    if (levels > MAX_LEVELS) {
      throw SsmErrors.hierarchyTooDeep();
    }
  }

  /** The parent path of a hierarchical name ({@code /a/b/c} → {@code /a/b}; {@code /a} → {@code /}). */
  static String parent(String name) {
    int slash = name.lastIndexOf('/');
    return slash <= 0 ? "/" : name.substring(0, slash);
  }
}
