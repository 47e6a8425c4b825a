package dev.shunt.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.Router;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The KMS Decrypt operation without HTTP: the handler the router finds for
 * {@code TrentService.Decrypt}, given a validated input (a real ciphertext of a 32-byte data key
 * with an encryption context) and a fresh request context, as the processor calls it. The input
 * is not changed by the handler, so it is parsed once. {@code keyId}: {@code none} (the key is
 * read from the blob, as most callers do) or {@code arn} (the caller names it, as the AWS
 * Encryption SDK in strict mode does, adding key resolution and a second policy check).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KmsDecryptBenchmark {
  @Param({"none", "arn"})
  public String keyId;

  private OperationHandler handler;
  private ObjectNode input;

  @Setup
  public void setUp() {
    KmsFixture kms = new KmsFixture();
    byte[] dataKey = KmsFixture.bytes(32);
    String body = KmsFixture.decryptBody(kms.encrypt(dataKey), keyId.equals("arn") ? kms.keyArn : null);
    Router.Route route = kms.router.route("TrentService.Decrypt");
    input = Json.parseRequest(body.getBytes(StandardCharsets.UTF_8));
    route.model().validateInput("Decrypt", input);
    handler = route.handler();
    ObjectNode out = decrypt();
    try {
      if (!java.util.Arrays.equals(out.path("Plaintext").binaryValue(), dataKey)) {
        throw new IllegalStateException("Decrypt returned another plaintext");
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Benchmark
  public ObjectNode decrypt() {
    return handler.handle(KmsFixture.context(), input);
  }
}
