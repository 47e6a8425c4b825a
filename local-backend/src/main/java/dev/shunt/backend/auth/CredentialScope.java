package dev.shunt.backend.auth;

/**
 * The parts of a SigV4 {@code Authorization} header:
 * {@code AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/kms/aws4_request, SignedHeaders=..., Signature=...}.
 * Parsed by hand (no regex): it is read on every request.
 */
public record CredentialScope(String algorithm, String accessKeyId, String date, String region, String service,
    String terminator, String signedHeaders, String signature) {

  static final String ALGORITHM = "AWS4-HMAC-SHA256";

  /** Returns null when the header is absent or has no readable {@code Credential} part. */
  public static CredentialScope parse(String authorization) {
    if (authorization == null) {
      return null;
    }
    String header = authorization.trim();
    int space = header.indexOf(' ');
    if (space < 0) {
      return null;
    }
    String algorithm = header.substring(0, space);
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    for (String part : header.substring(space + 1).split(",")) {
      String item = part.trim();
      int eq = item.indexOf('=');
      if (eq < 0) {
        continue;
      }
      String name = item.substring(0, eq).trim();
      String value = item.substring(eq + 1).trim();
      switch (name) {
        case "Credential" -> credential = value;
        case "SignedHeaders" -> signedHeaders = value;
        case "Signature" -> signature = value;
        default -> { }
      }
    }
    if (credential == null) {
      return new CredentialScope(algorithm, null, null, null, null, null, signedHeaders, signature);
    }
    String[] scope = credential.split("/", -1);
    if (scope.length != 5) {
      return new CredentialScope(algorithm, scope[0], null, null, null, null, signedHeaders, signature);
    }
    return new CredentialScope(algorithm, scope[0], scope[1], scope[2], scope[3], scope[4], signedHeaders, signature);
  }

  boolean complete() {
    return accessKeyId != null && !accessKeyId.isEmpty() && date != null && region != null && !region.isEmpty()
        && service != null && terminator != null;
  }

  String scope() {
    return date + "/" + region + "/" + service + "/" + terminator;
  }
}
