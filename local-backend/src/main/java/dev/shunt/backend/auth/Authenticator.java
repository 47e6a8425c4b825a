package dev.shunt.backend.auth;

import dev.shunt.backend.core.AwsException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns a request's SigV4 {@code Authorization} header into an {@link Identity}. In TRUST mode
 * the credential scope is read but not checked. In SIGV4 mode the request is signed again, by
 * AWS's documented algorithm over the headers the client signed, with the secret configured for
 * the access key, and the two signatures are compared in constant time; errors are AWS's.
 */
public final class Authenticator {
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();
  // One of each per event-loop thread: getInstance looks providers up, which the hot path should not.
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  });
  private static final ThreadLocal<Mac> HMAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  });

  private final AuthMode mode;
  private final Credentials credentials;
  private final String defaultRegion;
  private final Clock wallClock;

  /**
   * @param wallClock the real time a signature's age is judged by (not the movable domain clock:
   *     moving that forward must not make every signature look expired)
   */
  public Authenticator(AuthMode mode, Credentials credentials, String defaultRegion, Clock wallClock) {
    this.mode = mode;
    this.credentials = credentials;
    this.defaultRegion = defaultRegion;
    this.wallClock = wallClock;
  }

  public AuthMode mode() {
    return mode;
  }

  /**
   * @param signingName the service's SigV4 name ({@code kms}...), which the scope must name
   * @param body the request body, already read
   */
  public Identity authenticate(FullHttpRequest request, String signingName, byte[] body) {
    String authorization = request.headers().get("Authorization");
    CredentialScope scope = CredentialScope.parse(authorization);
    if (mode == AuthMode.TRUST) {
      return trusted(scope);
    }
    if (authorization == null) {
      throw new AwsException("MissingAuthenticationTokenException", "Missing Authentication Token");
    }
    String amzDate = request.headers().get("X-Amz-Date");
    checkComplete(scope, amzDate, authorization);
    if (!"aws4_request".equals(scope.terminator())) {
      throw invalidSignature("Credential should be scoped with a valid terminator: 'aws4_request', not '"
          + scope.terminator() + "'.");
    }
    if (!signingName.equals(scope.service())) {
      throw invalidSignature("Credential should be scoped to correct service: '" + signingName + "'. ");
    }
    Credentials.Entry entry = credentials.find(scope.accessKeyId());
    if (entry == null) {
      throw new AwsException("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    Instant signedAt = parseAmzDate(amzDate);
    if (!amzDate.substring(0, 8).equals(scope.date())) {
      throw invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
          + scope.date() + "' != '" + amzDate.substring(0, 8) + "', from '" + amzDate + "'.");
    }
    checkSkew(signedAt);
    String expected = signatureOf(request, scope, entry, amzDate, body);
    if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
        scope.signature().getBytes(StandardCharsets.US_ASCII))) {
      throw invalidSignature("The request signature we calculated does not match the signature you provided. "
          + "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
    }
    return identity(scope.accessKeyId(), scope.region());
  }

  /** The identity of a caller whose signature is not checked: the scope's key and Region, or the defaults. */
  private Identity trusted(CredentialScope scope) {
    String accessKey = scope == null ? null : scope.accessKeyId();
    String region = scope != null && scope.region() != null && !scope.region().isEmpty() ? scope.region() : defaultRegion;
    return identity(accessKey, region);
  }

  private Identity identity(String accessKeyId, String region) {
    String account = credentials.accountOf(accessKeyId);
    return new Identity(account, accessKeyId, "arn:" + Identity.partitionOf(region) + ":iam::" + account + ":root", region);
  }

  private static void checkComplete(CredentialScope scope, String amzDate, String authorization) {
    StringBuilder missing = new StringBuilder();
    if (scope == null || !CredentialScope.ALGORITHM.equals(scope.algorithm())) {
      throw new AwsException("IncompleteSignatureException", "Authorization header requires the '"
          + CredentialScope.ALGORITHM + "' algorithm. Authorization=" + redact(authorization));
    }
    if (scope.accessKeyId() == null) {
      missing.append("Authorization header requires 'Credential' parameter. ");
    }
    if (scope.signature() == null) {
      missing.append("Authorization header requires 'Signature' parameter. ");
    }
    if (scope.signedHeaders() == null) {
      missing.append("Authorization header requires 'SignedHeaders' parameter. ");
    }
    if (amzDate == null) {
      missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ");
    }
    if (missing.length() > 0) {
      throw new AwsException("IncompleteSignatureException", missing + "Authorization=" + redact(authorization));
    }
    if (!scope.complete()) {
      throw new AwsException("IncompleteSignatureException",
          "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term");
    }
  }

  private static String redact(String authorization) {
    int signature = authorization.indexOf("Signature=");
    return signature < 0 ? authorization : authorization.substring(0, signature) + "Signature=...";
  }

  private static Instant parseAmzDate(String amzDate) {
    try {
      return Instant.from(AMZ_DATE.parse(amzDate));
    } catch (DateTimeParseException e) {
      throw new AwsException("IncompleteSignatureException",
          "Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601");
    }
  }

  private void checkSkew(Instant signedAt) {
    Instant now = wallClock.instant();
    if (signedAt.isBefore(now.minus(MAX_SKEW))) {
      throw invalidSignature("Signature expired: " + AMZ_DATE.format(signedAt) + " is now earlier than "
          + AMZ_DATE.format(now.minus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " - 15 min.)");
    }
    if (signedAt.isAfter(now.plus(MAX_SKEW))) {
      throw invalidSignature("Signature not yet current: " + AMZ_DATE.format(signedAt) + " is still later than "
          + AMZ_DATE.format(now.plus(MAX_SKEW)) + " (" + AMZ_DATE.format(now) + " + 15 min.)");
    }
  }

  /**
   * The signature AWS's documented SigV4 algorithm gives this request: the canonical request over
   * exactly the headers the client listed in SignedHeaders and the payload as received, then the
   * HMAC-SHA256 key chain of the scope. Every signer that follows the documentation verifies the
   * same way, whether it signs {@code x-amz-content-sha256} (the SDK for Java v2) or not (the CLI,
   * boto3, the Go SDK, the SDK for Java v1).
   */
  private static String signatureOf(FullHttpRequest request, CredentialScope scope, Credentials.Entry entry,
      String amzDate, byte[] body) {
    String uri = request.uri();
    int queryAt = uri.indexOf('?');
    StringBuilder canonical = new StringBuilder(512)
        .append(request.method().name()).append('\n')
        .append(canonicalPath(queryAt < 0 ? uri : uri.substring(0, queryAt))).append('\n')
        .append(queryAt < 0 ? "" : canonicalQuery(uri.substring(queryAt + 1))).append('\n');
    HttpHeaders headers = request.headers();
    for (String name : scope.signedHeaders().split(";")) {
      List<String> values = headers.getAll(name);
      if (values.isEmpty()) {
        throw invalidSignature("The request signature we calculated does not match the signature you provided. "
            + "Signed header '" + name + "' is missing from the request.");
      }
      canonical.append(name).append(':');
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          canonical.append(',');
        }
        appendTrimmed(canonical, values.get(i));
      }
      canonical.append('\n');
    }
    canonical.append('\n').append(scope.signedHeaders()).append('\n').append(hex(sha256(body)));
    String stringToSign = CredentialScope.ALGORITHM + "\n" + amzDate + "\n" + scope.scope() + "\n"
        + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + entry.secretAccessKey()).getBytes(StandardCharsets.UTF_8), scope.date());
    key = hmac(key, scope.region());
    key = hmac(key, scope.service());
    key = hmac(key, scope.terminator());
    return hex(hmac(key, stringToSign));
  }

  /** The path with dot segments removed and every segment encoded twice, as for every service but S3. */
  private static String canonicalPath(String rawPath) {
    String path;
    try {
      path = URI.create("http://localhost" + rawPath).normalize().getRawPath();
    } catch (IllegalArgumentException e) {
      throw invalidSignature("The request URI cannot be canonicalized.");
    }
    if (path == null || path.isEmpty()) {
      return "/";
    }
    StringBuilder encoded = new StringBuilder(path.length() + 8);
    uriEncode(encoded, path, false);
    if (rawPath.endsWith("/") && encoded.charAt(encoded.length() - 1) != '/') {
      encoded.append('/');
    }
    return encoded.toString();
  }

  /** The query's parameters decoded, encoded again strictly, and sorted by name then value. */
  private static String canonicalQuery(String rawQuery) {
    List<String> parameters = new ArrayList<>();
    for (String parameter : rawQuery.split("&")) {
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      StringBuilder encoded = new StringBuilder(parameter.length() + 8);
      uriEncode(encoded, QueryStringDecoder.decodeComponent(eq < 0 ? parameter : parameter.substring(0, eq)), true);
      encoded.append('=');
      if (eq >= 0) {
        uriEncode(encoded, QueryStringDecoder.decodeComponent(parameter.substring(eq + 1)), true);
      }
      parameters.add(encoded.toString());
    }
    Collections.sort(parameters);
    return String.join("&", parameters);
  }

  /** SigV4's URI encoding: unreserved characters kept, everything else {@code %XX} of its UTF-8 bytes. */
  private static void uriEncode(StringBuilder out, String text, boolean encodeSlash) {
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xFF);
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
        out.append(c);
      } else {
        out.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xF]);
      }
    }
  }

  /** A header value with leading and trailing blanks removed and inner runs of blanks made one space. */
  private static void appendTrimmed(StringBuilder out, String value) {
    int start = 0;
    int end = value.length();
    while (start < end && isBlank(value.charAt(start))) {
      start++;
    }
    while (end > start && isBlank(value.charAt(end - 1))) {
      end--;
    }
    boolean blank = false;
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (isBlank(c)) {
        blank = true;
        continue;
      }
      if (blank) {
        out.append(' ');
        blank = false;
      }
      out.append(c);
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t';
  }

  private static byte[] sha256(byte[] data) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    return digest.digest(data);
  }

  private static byte[] hmac(byte[] key, String data) {
    Mac mac = HMAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 refused a key", e);
    }
    return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }

  private static AwsException invalidSignature(String message) {
    return new AwsException("InvalidSignatureException", message);
  }
}
