package dev.shunt.backend.ssm;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.CommonErrors;

/**
 * Parameter names as SSM reads them: plain ({@code name}) or hierarchical ({@code /a/b/c}, at
 * most 15 levels), given directly or as an ARN, optionally followed by a selector
 * ({@code name:3} for a version, {@code name:label} for a label). Parsed by hand, no regex.
 */
public final class ParameterNames {
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

  /**
   * The one parameter a request's name means, as the store keys it: a name or ARN, with or
   * without a version or label selector, "TestParam1" and "/TestParam1" alike (what the caches
   * tag an answer with, so that a write under either spelling drops it).
   */
  public static String identity(String text) {
    return key(select(text).name());
  }

  /**
   * What a cache tags an answer about the parameter {@code text} names with: its account and
   * Region (an ARN's own, else the caller's) and {@link #identity}; so that a write by the owner
   * of a shared parameter drops another account's cached read of it by ARN.
   */
  public static String cacheTag(String text, String accountId, String region) {
    String[] scope = arnScope(text);
    return scope == null || scope[2].isEmpty() ? accountId + ' ' + region + ' ' + identity(text)
        : scope[2] + ' ' + scope[1] + ' ' + identity(text);
  }

  /**
   * {partition, Region, account} of a parameter's ARN ({@code arn:PARTITION:ssm:REGION:ACCOUNT:parameter/NAME};
   * the account is empty for AWS's public parameters), or null when {@code text} is not one.
   */
  static String[] arnScope(String text) {
    if (!text.startsWith("arn:")) {
      return null;
    }
    String[] parts = text.split(":", 6);
    if (parts.length == 6 && parts[2].equals("ssm") && parts[5].startsWith("parameter/")) {
      return new String[] {parts[1], parts[3], parts[4]};
    }
    return null;
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

  /**
   * The key a parameter is stored and found under. "TestParam1" and "/TestParam1" are one parameter
   * (AWS user guide, "Requirements and constraints for parameter names": "not unique"; moto's
   * aws-verified test_parameter_lifecycle_with_leading_slash), so a one-level name is keyed with its
   * slash, which also puts it under the path "/". A relative path ("a/b") is left as it is: it names
   * no parameter.
   */
  static String key(String name) {
    return name.startsWith("/") || name.indexOf('/') >= 0 ? name : "/" + name;
  }

  /**
   * Checks a name for PutParameter (the strictest use: reserved prefixes, characters, depth).
   * Names beginning with "aws" (with or without the slash, any case) are AWS's own: AWS answers
   * AccessDeniedException "No access to reserved parameter name: NAME." (recorded against AWS in
   * aws-solutions/quota-monitor-for-aws#30 for "awslimitschecker"; moto's test_put_parameter_invalid_names
   * for "/aws_test/path/to/var"). "ssm" is refused with the name rules' ValidationException.
   */
  static void checkWritable(String name) {
    checkNotReserved(name);
    if (startsWithIgnoringSlash(name, "ssm")) {
      throw SsmErrors.invalidName();
    }
    check(name);
  }

  /** AWS's reserved names ("aws..." and "/aws/..."), which no caller may create or delete. */
  static void checkNotReserved(String name) {
    if (startsWithIgnoringSlash(name, "aws")) {
      throw SsmErrors.reservedName(name);
    }
  }

  private static boolean startsWithIgnoringSlash(String name, String prefix) {
    int from = name.startsWith("/") ? 1 : 0;
    return name.regionMatches(true, from, prefix, 0, prefix.length());
  }

  /**
   * Checks a name a read is given (GetParameter): its characters and its slashes, not its prefix
   * (reads of {@code /aws/service/...} are allowed). AWS answers the name rules' ValidationException
   * for "a/b/c" and "/a//b//c" (localstack's aws-validated test_hierarchical_parameter) and for
   * "{test}-test" (localstack/localstack#7712, recorded against AWS), not ParameterNotFound.
   */
  static void checkReadable(String name) {
    if (!validCharactersAndSlashes(name) || (name.indexOf('/') > 0 && !name.startsWith("/"))) {
      throw SsmErrors.invalidName();
    }
  }

  /** Characters, fully qualified paths and depth. */
  static void check(String name) {
    if (name.contains("/") && !name.startsWith("/")) {
      throw CommonErrors.validation("Parameter name must be a fully qualified name.");
    }
    if (!validCharactersAndSlashes(name)) {
      throw SsmErrors.invalidName();
    }
    if (levels(name) > MAX_LEVELS) {
      throw SsmErrors.hierarchyTooDeep();
    }
  }

  /**
   * Checks GetParametersByPath's Path: a leading slash, the name characters, no empty level except
   * a trailing slash ("/a/" is "/a"), at most 15 levels. {@code /aws/...} is not refused here: AWS
   * serves its public parameters by path.
   */
  static void checkPath(String path) {
    if (!validPath(path)) {
      throw SsmErrors.invalidPath();
    }
    if (levels(path) > MAX_LEVELS) {
      throw SsmErrors.hierarchyTooDeep();
    }
  }

  /** A path as GetParametersByPath and DescribeParameters' Path filter take it ("/" included). */
  static boolean validPath(String path) {
    if (!path.startsWith("/")) {
      return false;
    }
    if (path.equals("/")) {
      return true;
    }
    return validCharactersAndSlashes(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
  }

  /** Letters, digits, {@code . - _}; slashes only between non-empty levels, optionally one leading. */
  private static boolean validCharactersAndSlashes(String name) {
    if (name.isEmpty()) {
      return false;
    }
    boolean segmentEmpty = true;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/') {
        if (i > 0 && segmentEmpty) {
          return false;
        }
        segmentEmpty = true;
        continue;
      }
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
      segmentEmpty = false;
    }
    return !segmentEmpty;
  }

  private static int levels(String name) {
    int levels = 0;
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) == '/' && i < name.length() - 1) {
        levels++;
      }
    }
    return levels;
  }

  /** The parent path of a hierarchical name ({@code /a/b/c} → {@code /a/b}; {@code /a} → {@code /}). */
  static String parent(String name) {
    int slash = name.lastIndexOf('/');
    return slash <= 0 ? "/" : name.substring(0, slash);
  }
}
