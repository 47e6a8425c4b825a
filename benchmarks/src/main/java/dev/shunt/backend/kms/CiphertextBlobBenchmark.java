package dev.shunt.backend.kms;

import java.time.Instant;
import java.util.Map;
import java.util.Random;
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
 * The cryptography of KMS Encrypt and Decrypt in Shunt's ciphertext format: AES-256-GCM
 * {@link CiphertextBlob#seal} and {@link CiphertextBlob#open} of a 32-byte data key and of a 4 KB
 * plaintext under a two-pair encryption context; {@link CiphertextBlob#header} (read before
 * open) and {@link EncryptionContext#canonical} (the AAD, built on every call) beside them. In
 * this package because the classes are package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CiphertextBlobBenchmark {
  @Param({"32", "4096"})
  public int plaintextBytes;

  private static final String ACCOUNT = "111122223333";
  private static final String KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
  private final Map<String, String> contextMap = Map.of("tenant", "acme", "purpose", "orders");

  private KeyMaterial material;
  private byte[] context;
  private byte[] plaintext;
  private byte[] blob;

  @Setup
  public void setUp() {
    material = KeyMaterial.generate(Instant.now(), null);
    context = EncryptionContext.canonical(contextMap);
    plaintext = new byte[plaintextBytes];
    new Random(42).nextBytes(plaintext);
    blob = seal();
    if (!java.util.Arrays.equals(open(), plaintext)) {
      throw new IllegalStateException("open(seal(p)) != p");
    }
  }

  @Benchmark
  public byte[] seal() {
    return CiphertextBlob.seal(ACCOUNT, KEY_ID, material, context, plaintext);
  }

  @Benchmark
  public byte[] open() {
    return CiphertextBlob.open(blob, material, context);
  }

  @Benchmark
  public CiphertextBlob.Header header() {
    return CiphertextBlob.header(blob);
  }

  @Benchmark
  public byte[] canonicalContext() {
    return EncryptionContext.canonical(contextMap);
  }
}
