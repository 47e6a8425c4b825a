package dev.shunt.backend.auth;

import dev.shunt.backend.core.AwsException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * Turns a request's SigV4 {@code Authorization} header into an {@link Identity}. In TRUST mode
 * the credential scope is read but not checked. In SIGV4 mode the request is signed again with
 * the AWS SDK's own signer and the secret configured for the access key, and the two signatures
 * are compared in constant time; errors are AWS's.
 */
public final class Authenticator {
  private static final Duration MAX_SKEW = Duration.ofMinutes(15);
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final AuthMode mode;
  private final Credentials credentials;
  private final String defaultRegion;
  private final Clock wallClock;
  private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

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
    if (!amzDate.startsWith(scope.date())) {
      throw invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
          + scope.date() + "' != '" + amzDate.substring(0, 8) + "', from '" + amzDate + "'.");
    }
    checkSkew(signedAt);
    String expected = signatureOf(request, scope, entry, signedAt, body);
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

  private String signatureOf(FullHttpRequest request, CredentialScope scope, Credentials.Entry entry,
      Instant signedAt, byte[] body) {
    HttpHeaders headers = request.headers();
    SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder();
    try {
      unsigned.uri(URI.create("http://localhost" + request.uri()));
    } catch (IllegalArgumentException e) {
      throw invalidSignature("The request URI cannot be canonicalized.");
    }
    unsigned.method(SdkHttpMethod.fromValue(request.method().name()));
    for (String name : scope.signedHeaders().split(";")) {
      List<String> values = headers.getAll(name);
      if (values.isEmpty()) {
        throw invalidSignature("The request signature we calculated does not match the signature you provided. "
            + "Signed header '" + name + "' is missing from the request.");
      }
      unsigned.putHeader(name, values);
    }
    SignedRequest signed = signer.sign(r -> r
        .identity(AwsCredentialsIdentity.create(entry.accessKeyId(), entry.secretAccessKey()))
        .request(unsigned.build())
        .payload(ContentStreamProvider.fromByteArrayUnsafe(body))
        .putProperty(AwsV4HttpSigner.REGION_NAME, scope.region())
        .putProperty(AwsV4FamilyHttpSigner.SERVICE_SIGNING_NAME, scope.service())
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC)));
    String resigned = signed.request().firstMatchingHeader("Authorization").orElse("");
    int at = resigned.indexOf("Signature=");
    return at < 0 ? "" : resigned.substring(at + "Signature=".length());
  }

  private static AwsException invalidSignature(String message) {
    return new AwsException("InvalidSignatureException", message);
  }
}
