package dev.shunt.benchmarks.jmh;

import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.Identity;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The authentication step of every request: {@link Authenticator#authenticate} for a KMS Decrypt
 * signed by the AWS SDK's own {@link AwsV4HttpSigner} over the headers the SDK for Java v2 signs
 * (amz-sdk-invocation-id, amz-sdk-request, content-length, content-type, host,
 * x-amz-content-sha256, x-amz-date, x-amz-target), in {@code sigv4} mode (the signature is
 * computed again and compared) and {@code trust} mode (the scope is only read). The request is
 * signed again before each iteration, so the 15-minute clock-skew check never fails a long run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SigV4Benchmark {
  @Param({"sigv4", "trust"})
  public String mode;

  private Authenticator authenticator;
  private byte[] body;
  private FullHttpRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    authenticator = KmsFixture.authenticator(AuthMode.parse(mode));
    KmsFixture kms = new KmsFixture();
    body = KmsFixture.decryptBody(kms.encrypt(KmsFixture.bytes(32)), null).getBytes(StandardCharsets.UTF_8);
  }

  @Setup(Level.Iteration)
  public void sign() {
    request = signedRequest(body);
    Identity identity = authenticate();
    if (!identity.accountId().equals(KmsFixture.ACCOUNT) || !identity.region().equals(KmsFixture.REGION)) {
      throw new IllegalStateException("authenticated as " + identity);
    }
    if (mode.equals("sigv4")) {
      // A signature that no longer matches must be refused, or the benchmark measures nothing.
      FullHttpRequest tampered = request.copy();
      tampered.headers().set("X-Amz-Target", "TrentService.Encrypt");
      try {
        authenticator.authenticate(tampered, "kms", body);
        throw new IllegalStateException("a tampered request was accepted");
      } catch (dev.shunt.backend.core.AwsException expected) {
        // InvalidSignatureException
      } finally {
        tampered.release();
      }
    }
  }

  @TearDown(Level.Iteration)
  public void release() {
    request.release();
  }

  @Benchmark
  public Identity authenticate() {
    return authenticator.authenticate(request, "kms", body);
  }

  /** The request as the SDK sends it, signed by the SDK's signer now; then the same as Netty decodes it. */
  public static FullHttpRequest signedRequest(byte[] body) {
    SdkHttpFullRequest unsigned = SdkHttpFullRequest.builder()
        .method(SdkHttpMethod.POST)
        .uri(URI.create("http://127.0.0.1:4566/"))
        .putHeader("amz-sdk-invocation-id", UUID.randomUUID().toString())
        .putHeader("amz-sdk-request", "attempt=1; max=4")
        .putHeader("Content-Length", Integer.toString(body.length))
        .putHeader("Content-Type", "application/x-amz-json-1.1")
        .putHeader("User-Agent", "aws-sdk-java/2.54.13 md/io#sync md/http#Apache ua/2.1 api/KMS#2.54.x os/Linux "
            + "lang/java#17 m/D,N")
        .putHeader("X-Amz-Target", "TrentService.Decrypt")
        .build();
    SdkHttpRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(KmsFixture.ACCESS_KEY, KmsFixture.SECRET_KEY))
        .request(unsigned)
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "kms")
        .putProperty(AwsV4HttpSigner.REGION_NAME, KmsFixture.REGION))
        .request();
    if (!signed.firstMatchingHeader("x-amz-content-sha256").isPresent()) {
      throw new IllegalStateException("the SDK's signer no longer adds x-amz-content-sha256");
    }
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
        Unpooled.wrappedBuffer(body));
    for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
      request.headers().add(header.getKey(), header.getValue());
    }
    return request;
  }
}
