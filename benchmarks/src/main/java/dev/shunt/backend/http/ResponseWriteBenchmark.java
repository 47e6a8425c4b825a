package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestIds;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writing the answer to a KMS Decrypt of a 32-byte data key: {@link Json#write} of the output
 * tree alone, and {@link AwsResponses#success} (JSON, then a buffer from the channel's default
 * allocator, then the headers) as the handler builds it, released at once as the encoder would.
 * {@code requestId} is the id every request draws first. In this package because
 * {@code AwsResponses} is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ResponseWriteBenchmark {
  private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
  private final String requestId = RequestIds.next();
  private ObjectNode body;

  @Setup
  public void setUp() {
    byte[] plaintext = new byte[32];
    byte[] materialId = new byte[32];
    Random random = new Random(42);
    random.nextBytes(plaintext);
    random.nextBytes(materialId);
    // The shape KmsService.decrypt writes.
    body = Json.object();
    body.put("KeyId", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    body.put("Plaintext", plaintext);
    body.put("EncryptionAlgorithm", "SYMMETRIC_DEFAULT");
    body.put("KeyMaterialId", HexFormat.of().formatHex(materialId));
  }

  @Benchmark
  public byte[] jsonWrite() {
    return Json.write(body);
  }

  @Benchmark
  public int success() {
    FullHttpResponse response = AwsResponses.success(alloc, body, requestId);
    try {
      return response.content().readableBytes() + response.headers().size();
    } finally {
      response.release();
    }
  }

  @Benchmark
  public String requestId() {
    return RequestIds.next();
  }
}
