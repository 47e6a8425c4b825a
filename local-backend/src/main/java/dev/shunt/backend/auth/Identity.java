package dev.shunt.backend.auth;

/**
 * Who made a request and where: the account and principal the access key maps to, and the
 * Region named in the SigV4 credential scope (which selects the Region's state).
 */
public record Identity(String accountId, String accessKeyId, String principalArn, String region) {

  /** The partition of the Region, as ARNs spell it ({@code aws}, {@code aws-cn}, {@code aws-us-gov}...). */
  public String partition() {
    return partitionOf(region);
  }

  /** The longest Region name accepted; AWS's longest today is 14 characters. */
  static final int MAX_REGION_LENGTH = 32;

  /**
   * Whether {@code region} has the shape of an AWS Region name ({@code us-east-1},
   * {@code us-gov-west-1}, {@code eu-isoe-west-1}): lower-case words joined by single hyphens,
   * the last a number. Regions AWS adds later pass; {@code local} or a 300-character scope does
   * not, as AWS refuses them too.
   */
  public static boolean isRegionName(String region) {
    int length = region.length();
    if (length < 4 || length > MAX_REGION_LENGTH || region.charAt(0) < 'a' || region.charAt(0) > 'z') {
      return false;
    }
    boolean sawHyphen = false;
    boolean digitsOnly = true;
    for (int i = 1; i < length; i++) {
      char c = region.charAt(i);
      if (c == '-') {
        if (region.charAt(i - 1) == '-' || i == length - 1) {
          return false;
        }
        sawHyphen = true;
        digitsOnly = true;
      } else if (c >= '0' && c <= '9') {
        continue;
      } else if (c >= 'a' && c <= 'z') {
        digitsOnly = false;
      } else {
        return false;
      }
    }
    return sawHyphen && digitsOnly;
  }

  /** The partition of a Region, by the prefixes of the SDK's partition metadata ({@code aws} for any other). */
  public static String partitionOf(String region) {
    if (region.startsWith("cn-")) {
      return "aws-cn";
    }
    if (region.startsWith("us-gov-")) {
      return "aws-us-gov";
    }
    if (region.startsWith("us-iso-")) {
      return "aws-iso";
    }
    if (region.startsWith("us-isob-")) {
      return "aws-iso-b";
    }
    if (region.startsWith("eu-isoe-")) {
      return "aws-iso-e";
    }
    if (region.startsWith("us-isof-")) {
      return "aws-iso-f";
    }
    if (region.startsWith("eusc-")) {
      return "aws-eusc";
    }
    return "aws";
  }
}
