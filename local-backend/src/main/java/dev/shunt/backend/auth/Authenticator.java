package dev.shunt.backend.auth;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.UriEncoding;
import dev.shunt.backend.crypto.HmacSha256;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AsciiString;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
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
  // One of each per event-loop thread: getInstance looks providers up, which the hot path should not.
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  });
  private static final ThreadLocal<AsciiBuffer> TEXT = ThreadLocal.withInitial(AsciiBuffer::new);
  private static final ThreadLocal<SigningKeys> SIGNING_KEYS = ThreadLocal.withInitial(SigningKeys::new);
  private static final ThreadLocal<Mac> HMAC = HmacSha256.perThread();

  private static final int MAX_CACHED_IDENTITIES = 10_000;

  private final AuthMode mode;
  /**
   * The identities requests' scopes came to. Only admitted accounts and accepted Regions enter it,
   * so a hit needs no other check; {@link #forgetAccounts} replaces it whole, so that a request
   * still holding the old one cannot put a forgotten account back.
   */
  private volatile IdentityCache identities = new IdentityCache();
  private final Credentials credentials;
  private final String defaultRegion;
  private final AwsRegions regions;
  private final AdmittedAccounts accounts;
  private final String tooManyAccounts;
  private final Clock wallClock;

  /** By access key ("" for none), then Region: the identity a request's scope comes to. */
  private static final class IdentityCache {
    final ConcurrentHashMap<String, ConcurrentHashMap<String, Identity>> byAccessKey = new ConcurrentHashMap<>();
    final AtomicInteger count = new AtomicInteger();
  }

  /**
   * @param regions the Regions a scope may name (others are refused as AWS refuses an unknown one)
   * @param accounts the accounts that may have state (a new one beyond the cap is refused)
   * @param wallClock the real time a signature's age is judged by (not the movable domain clock:
   *     moving that forward must not make every signature look expired)
   */
  public Authenticator(AuthMode mode, Credentials credentials, String defaultRegion, AwsRegions regions,
      AdmittedAccounts accounts, Clock wallClock) {
    if (!regions.accepts(defaultRegion)) {
      throw new IllegalArgumentException("default-region must be an AWS Region such as us-east-1, or one named in "
          + "extra-regions, not '" + defaultRegion + "'");
    }
    this.mode = mode;
    this.credentials = credentials;
    this.defaultRegion = defaultRegion;
    this.regions = regions;
    this.accounts = accounts;
    this.tooManyAccounts = "The security token included in the request is invalid. (Shunt keeps at most "
        + accounts.maxAccounts() + " accounts; see --max-accounts)";
    this.wallClock = wallClock;
  }

  /**
   * Forgets the accounts admitted on the fly and the identities cached for them (POST
   * /_shunt/reset wiped their state). A request already past admission may still finish.
   */
  public void forgetAccounts() {
    accounts.forgetAdmitted();
    identities = new IdentityCache();
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
    checkRegion(scope.region());
    checkSignedHeaders(request.headers(), scope.signedHeaders());
    Credentials.Entry entry = credentials.find(scope.accessKeyId());
    if (entry == null) {
      throw new AwsException("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    long signedAt = parseAmzDate(amzDate);
    if (scope.date().length() != 8 || !amzDate.regionMatches(0, scope.date(), 0, 8)) {
      throw invalidSignature("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"
          + scope.date() + "' != '" + amzDate.substring(0, 8) + "', from '" + amzDate + "'.");
    }
    checkSkew(signedAt);
    if (!AsciiBuffer.hexEquals(signatureOf(request, scope, entry, amzDate, body), scope.signature())) {
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
    IdentityCache cache = identities;
    ConcurrentHashMap<String, Identity> byRegion = cache.byAccessKey.get(accessKeyId == null ? "" : accessKeyId);
    Identity known = byRegion == null ? null : byRegion.get(region);
    if (known != null) {
      return known;
    }
    checkRegion(region);
    String account = credentials.accountOf(accessKeyId);
    if (!accounts.admit(account)) {
      throw new AwsException("UnrecognizedClientException", tooManyAccounts);
    }
    Identity identity = new Identity(account, accessKeyId,
        credentials.callerArn(accessKeyId, account, Identity.partitionOf(region)), region);
    // Remembered for the next request, up to a bound: any client may invent access keys.
    if (cache.count.get() < MAX_CACHED_IDENTITIES) {
      cache.byAccessKey.computeIfAbsent(accessKeyId == null ? "" : accessKeyId, k -> new ConcurrentHashMap<>())
          .computeIfAbsent(region, r -> {
            cache.count.incrementAndGet();
            return identity;
          });
    }
    return identity;
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

  /**
   * AWS refuses a signature that leaves out {@code host} or a {@code x-amz-*} header the request
   * carries: unsigned, {@code X-Amz-Target} could be swapped to run another operation under the
   * same signature, and {@code Host} pins the signature to the server it was made for.
   */
  private static void checkSignedHeaders(HttpHeaders headers, String signedHeaders) {
    if (!listed(signedHeaders, "host")) {
      throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
    while (it.hasNext()) {
      CharSequence name = it.next().getKey();
      if (name.length() > 6 && AsciiString.regionMatches(name, true, 0, "x-amz-", 0, 6)
          && !listed(signedHeaders, name)) {
        throw invalidSignature("There were headers present in the request which were not signed: every x-amz-* "
            + "header must be a 'SignedHeader' in the AWS Authorization.");
      }
    }
  }

  /** Whether the {@code ;}-separated, lower-case list names {@code name} (in any case). */
  private static boolean listed(String signedHeaders, CharSequence name) {
    int length = name.length();
    for (int start = 0; start <= signedHeaders.length() - length; ) {
      int end = signedHeaders.indexOf(';', start);
      if (end < 0) {
        end = signedHeaders.length();
      }
      if (end - start == length && AsciiString.regionMatches(signedHeaders, true, start, name, 0, length)) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }

  private static String redact(String authorization) {
    int signature = authorization.indexOf("Signature=");
    return signature < 0 ? authorization : authorization.substring(0, signature) + "Signature=...";
  }

  /** {@code yyyyMMdd'T'HHmmss'Z'} as epoch seconds, read by hand: a formatter costs more than the rest of the check. */
  static long parseAmzDate(String amzDate) {
    if (amzDate.length() == 16 && amzDate.charAt(8) == 'T' && amzDate.charAt(15) == 'Z') {
      int year = digits(amzDate, 0, 4);
      int month = digits(amzDate, 4, 6);
      int day = digits(amzDate, 6, 8);
      int hour = digits(amzDate, 9, 11);
      int minute = digits(amzDate, 11, 13);
      int second = digits(amzDate, 13, 15);
      if (year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour < 24 && minute >= 0
          && minute < 60 && second >= 0 && second < 60 && day <= YearMonth.of(year, month).lengthOfMonth()) {
        return LocalDate.of(year, month, day).toEpochDay() * 86_400 + hour * 3_600 + minute * 60 + second;
      }
    }
    throw new AwsException("IncompleteSignatureException",
        "Date must be in ISO-8601 'basic format'. Got '" + amzDate + "'. See http://en.wikipedia.org/wiki/ISO_8601");
  }

  /** The decimal number in {@code text[start, end)}, or -1 if a character is not a digit. */
  private static int digits(String text, int start, int end) {
    int value = 0;
    for (int i = start; i < end; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private void checkSkew(long signedAtSeconds) {
    long nowSeconds = wallClock.millis() / 1000;
    if (Math.abs(signedAtSeconds - nowSeconds) <= MAX_SKEW.toSeconds()) {
      return;
    }
    Instant signedAt = Instant.ofEpochSecond(signedAtSeconds);
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
  private static byte[] signatureOf(FullHttpRequest request, CredentialScope scope, Credentials.Entry entry,
      String amzDate, byte[] body) {
    String uri = request.uri();
    int queryAt = uri.indexOf('?');
    String path = queryAt < 0 ? uri : uri.substring(0, queryAt);
    AsciiBuffer text = TEXT.get().reset();
    text.append(request.method().name()).append('\n')
        .append(path.equals("/") ? "/" : canonicalPath(path)).append('\n')
        .append(queryAt < 0 ? "" : canonicalQuery(uri.substring(queryAt + 1))).append('\n');
    HttpHeaders headers = request.headers();
    String signedHeaders = scope.signedHeaders();
    for (int start = 0; start <= signedHeaders.length(); ) {
      int end = signedHeaders.indexOf(';', start);
      if (end < 0) {
        end = signedHeaders.length();
      }
      String name = signedHeaders.substring(start, end);
      Iterator<String> values = headers.valueStringIterator(name);
      if (!values.hasNext()) {
        throw invalidSignature("The request signature we calculated does not match the signature you provided. "
            + "Signed header '" + name + "' is missing from the request.");
      }
      text.append(name).append(':');
      appendTrimmed(text, values.next());
      while (values.hasNext()) {
        appendTrimmed(text.append(','), values.next());
      }
      text.append('\n');
      start = end + 1;
    }
    text.append('\n').append(signedHeaders).append('\n').appendHex(sha256(body, 0, body.length));
    byte[] canonicalHash = sha256(text.array(), 0, text.length());
    text.reset().append(CredentialScope.ALGORITHM).append('\n').append(amzDate).append('\n')
        .append(scope.date()).append('/').append(scope.region()).append('/').append(scope.service()).append('/')
        .append(scope.terminator()).append('\n').appendHex(canonicalHash);
    Mac signer = SIGNING_KEYS.get().signer(entry, scope);
    signer.update(text.array(), 0, text.length());
    return signer.doFinal();
  }

  /**
   * One thread's last SigV4 signing key, ready in a Mac: the key depends only on the secret and
   * the scope's date, Region and service, so a client's requests all day share it (as the SDKs
   * cache it too), and its four chained HMACs are not redone per request.
   */
  private static final class SigningKeys {
    private final Mac signer;
    private Credentials.Entry entry;
    private String date;
    private String region;
    private String service;

    SigningKeys() {
      signer = HmacSha256.create();
    }

    Mac signer(Credentials.Entry forEntry, CredentialScope scope) {
      if (forEntry != entry || !scope.date().equals(date) || !scope.region().equals(region)
          || !scope.service().equals(service)) {
        byte[] key = hmac(("AWS4" + forEntry.secretAccessKey()).getBytes(StandardCharsets.UTF_8), scope.date());
        key = hmac(key, scope.region());
        key = hmac(key, scope.service());
        key = hmac(key, scope.terminator());
        try {
          signer.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (InvalidKeyException e) {
          throw new IllegalStateException("HmacSHA256 refused a key", e);
        }
        entry = forEntry;
        date = scope.date();
        region = scope.region();
        service = scope.service();
      }
      return signer;
    }
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
    UriEncoding.append(encoded, path, true);
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
      UriEncoding.append(encoded, QueryStringDecoder.decodeComponent(eq < 0 ? parameter : parameter.substring(0, eq)),
          false);
      encoded.append('=');
      if (eq >= 0) {
        UriEncoding.append(encoded, QueryStringDecoder.decodeComponent(parameter.substring(eq + 1)), false);
      }
      parameters.add(encoded.toString());
    }
    Collections.sort(parameters);
    return String.join("&", parameters);
  }

  /** A header value with leading and trailing blanks removed and inner runs of blanks made one space. */
  private static void appendTrimmed(AsciiBuffer out, String value) {
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

  private static byte[] sha256(byte[] data, int offset, int length) {
    MessageDigest digest = SHA256.get();
    digest.reset();
    digest.update(data, offset, length);
    return digest.digest();
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

  /**
   * A scope's Region must be one AWS has (or one named in extra-regions): it names state, an ARN
   * and a partition, so an invented one would make the backend grow.
   */
  private void checkRegion(String region) {
    if (!regions.accepts(region)) {
      String shown = region.length() > Identity.MAX_REGION_LENGTH
          ? region.substring(0, Identity.MAX_REGION_LENGTH) + "..." : region;
      throw invalidSignature("Credential should be scoped to a valid region, not '" + shown + "'. ");
    }
  }

  private static AwsException invalidSignature(String message) {
    return new AwsException("InvalidSignatureException", message);
  }
}
