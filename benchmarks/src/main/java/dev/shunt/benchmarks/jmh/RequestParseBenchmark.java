package dev.shunt.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.model.ServiceModel;
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
 * Reading a KMS request body: {@link Json#parseRequest} alone, and followed by
 * {@link ServiceModel#validateInput} (which also decodes the base64 blobs), as the processor does.
 * {@code decrypt}: a Decrypt of a real ciphertext of a 32-byte data key (119-byte blob), with an
 * encryption context; {@code encrypt4k}: an Encrypt of a 4 KB plaintext (the largest KMS takes).
 * Validation mutates the tree, so each call parses afresh; validation's own cost is the difference.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RequestParseBenchmark {
  @Param({"decrypt", "encrypt4k"})
  public String body;

  private String operation;
  private byte[] bytes;
  private ServiceModel model;

  @Setup
  public void setUp() {
    KmsFixture kms = new KmsFixture();
    model = kms.router.route("TrentService.Decrypt").model();
    String text = switch (body) {
      case "decrypt" -> KmsFixture.decryptBody(kms.encrypt(KmsFixture.bytes(32)), null);
      case "encrypt4k" -> kms.encryptBody(KmsFixture.bytes(4096));
      default -> throw new IllegalArgumentException(body);
    };
    operation = body.equals("decrypt") ? "Decrypt" : "Encrypt";
    bytes = text.getBytes(StandardCharsets.UTF_8);
    parseAndValidate();
  }

  @Benchmark
  public ObjectNode parse() {
    return Json.parseRequest(bytes);
  }

  @Benchmark
  public ObjectNode parseAndValidate() {
    ObjectNode input = Json.parseRequest(bytes);
    model.validateInput(operation, input);
    return input;
  }
}
