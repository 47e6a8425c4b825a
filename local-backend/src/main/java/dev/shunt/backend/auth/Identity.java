package dev.shunt.backend.auth;

/**
 * Who made a request and where: the account and principal the access key maps to, and the
 * Region named in the SigV4 credential scope (which selects the Region's state).
 */
public record Identity(String accountId, String accessKeyId, String principalArn, String region) {

  /** The partition of the Region, as ARNs spell it ({@code aws}, {@code aws-cn}, {@code aws-us-gov}). */
  public String partition() {
    return partitionOf(region);
  }

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
    return "aws";
  }
}
