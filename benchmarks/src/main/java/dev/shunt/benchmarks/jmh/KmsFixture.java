package dev.shunt.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.AdmittedAccounts;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.Credentials;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.kms.KmsService;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * A KMS with one symmetric key, reached as the request processor reaches it (router, model
 * validation, handler), for benchmarks that need a real key and real ciphertexts. Request bodies
 * are spelled as the AWS SDK for Java v2 writes them: model member order, no blanks.
 */
public final class KmsFixture {
  public static final String ACCOUNT = "111122223333";
  public static final String REGION = "us-east-1";
  public static final String ACCESS_KEY = "AKIDBENCH";
  public static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYBENCHKEY";
  public static final Identity IDENTITY = new Identity(ACCOUNT, ACCESS_KEY, "arn:aws:iam::" + ACCOUNT + ":root", REGION);
  /** The encryption context of every ciphertext here, as the AWS Encryption SDK or an app would pass one. */
  public static final String CONTEXT_JSON = "{\"tenant\":\"acme\",\"purpose\":\"orders\"}";

  public final Router router = new Router(List.of(new KmsService(new KmsBackend())));
  public final String keyArn;

  public KmsFixture() {
    keyArn = call("CreateKey", "{\"Description\":\"bench\"}").path("KeyMetadata").path("Arn").textValue();
  }

  /**
   * An authenticator in {@code mode} that knows {@link #ACCESS_KEY} (secret {@link #SECRET_KEY}, account
   * {@link #ACCOUNT}), with {@link #REGION} as the default Region and the system clock.
   */
  public static Authenticator authenticator(AuthMode mode) {
    Credentials credentials = new Credentials(Map.of(ACCESS_KEY, new Credentials.Entry(ACCESS_KEY, SECRET_KEY,
        ACCOUNT)), "000000000000");
    return new Authenticator(mode, credentials, REGION, AwsRegions.published(), AdmittedAccounts.of(credentials, 100),
        Clock.systemUTC());
  }

  public static RequestContext context() {
    return new RequestContext(RequestIds.next(), IDENTITY, Instant.now(), "127.0.0.1", "bench");
  }

  /** Parses, validates and serves one request body, as the processor does after authentication. */
  public ObjectNode call(String operation, String body) {
    ObjectNode input = Json.parseRequest(body.getBytes(StandardCharsets.UTF_8));
    Router.Route route = router.route("TrentService." + operation);
    route.model().validateInput(operation, input);
    return route.handler().handle(context(), input);
  }

  /** A real ciphertext of {@code plaintext} under the key, with {@link #CONTEXT_JSON}. */
  public byte[] encrypt(byte[] plaintext) {
    try {
      return call("Encrypt", encryptBody(plaintext)).path("CiphertextBlob").binaryValue();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public String encryptBody(byte[] plaintext) {
    return "{\"KeyId\":\"" + keyArn + "\",\"Plaintext\":\"" + Base64.getEncoder().encodeToString(plaintext)
        + "\",\"EncryptionContext\":" + CONTEXT_JSON + "}";
  }

  /** A Decrypt body as the SDK writes it; {@code keyId} null leaves KeyId out (the key is read from the blob). */
  public static String decryptBody(byte[] ciphertext, String keyId) {
    return "{\"CiphertextBlob\":\"" + Base64.getEncoder().encodeToString(ciphertext) + "\",\"EncryptionContext\":"
        + CONTEXT_JSON + (keyId == null ? "" : ",\"KeyId\":\"" + keyId + "\"") + "}";
  }

  public static byte[] bytes(int length) {
    byte[] bytes = new byte[length];
    new java.util.Random(42).nextBytes(bytes);
    return bytes;
  }
}
