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
    int from = skipBlanks(authorization, 0);
    int to = authorization.length();
    while (to > from && authorization.charAt(to - 1) <= ' ') {
      to--;
    }
    int space = authorization.indexOf(' ', from);
    if (space < 0 || space >= to) {
      return null;
    }
    String algorithm = authorization.substring(from, space);
    String credential = null;
    String signedHeaders = null;
    String signature = null;
    // Parts are separated by commas; each is "name=value" with blanks around both ignored.
    for (int part = space + 1; part <= to; ) {
      int comma = authorization.indexOf(',', part);
      int partEnd = comma < 0 || comma > to ? to : comma;
      int eq = authorization.indexOf('=', part);
      if (eq >= 0 && eq < partEnd) {
        int nameStart = skipBlanks(authorization, part);
        int nameEnd = trimEnd(authorization, nameStart, eq);
        int valueStart = skipBlanks(authorization, eq + 1);
        int valueEnd = trimEnd(authorization, valueStart, partEnd);
        if (is(authorization, nameStart, nameEnd, "Credential")) {
          credential = authorization.substring(valueStart, valueEnd);
        } else if (is(authorization, nameStart, nameEnd, "SignedHeaders")) {
          signedHeaders = authorization.substring(valueStart, valueEnd);
        } else if (is(authorization, nameStart, nameEnd, "Signature")) {
          signature = authorization.substring(valueStart, valueEnd);
        }
      }
      part = partEnd + 1;
    }
    if (credential == null) {
      return new CredentialScope(algorithm, null, null, null, null, null, signedHeaders, signature);
    }
    String[] scope = new String[5];
    int count = 0;
    int at = 0;
    while (true) {
      int slash = credential.indexOf('/', at);
      int end = slash < 0 ? credential.length() : slash;
      if (count < 5) {
        scope[count] = credential.substring(at, end);
      }
      count++;
      if (slash < 0) {
        break;
      }
      at = slash + 1;
    }
    if (count != 5) {
      return new CredentialScope(algorithm, scope[0], null, null, null, null, signedHeaders, signature);
    }
    return new CredentialScope(algorithm, scope[0], scope[1], scope[2], scope[3], scope[4], signedHeaders, signature);
  }

  private static int skipBlanks(String text, int from) {
    while (from < text.length() && text.charAt(from) <= ' ') {
      from++;
    }
    return from;
  }

  private static int trimEnd(String text, int start, int end) {
    while (end > start && text.charAt(end - 1) <= ' ') {
      end--;
    }
    return end;
  }

  private static boolean is(String text, int start, int end, String name) {
    return end - start == name.length() && text.regionMatches(start, name, 0, name.length());
  }

  boolean complete() {
    return accessKeyId != null && !accessKeyId.isEmpty() && date != null && region != null && !region.isEmpty()
        && service != null && terminator != null;
  }

  String scope() {
    return date + "/" + region + "/" + service + "/" + terminator;
  }
}
