package dev.shunt.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditEvent;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.audit.AuditLog;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.model.ServiceModel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What auditing adds to one KMS Encrypt request: the event (parameters stripped by the model,
 * facts, an event id) into the in-memory log, and the SERVER span and metrics, with no
 * OpenTelemetry ({@code none}) or an SDK that records but exports nowhere ({@code sdk}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuditBenchmark {
  @Param({"none", "sdk"})
  public String telemetry;

  private Auditor auditor;
  private OpenTelemetrySdk sdk;
  private ServiceModel model;
  private ObjectNode input;
  private ObjectNode output;
  private HttpHeaders headers;
  private final Identity identity = new Identity("111122223333", "AKIDBENCH", "arn:aws:iam::111122223333:root",
      "us-east-1");

  @Setup
  public void setUp() {
    OpenTelemetry otel = null;
    if (telemetry.equals("sdk")) {
      sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder().build())
          .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(InMemoryMetricReader.create()).build())
          .build();
      otel = sdk;
    }
    auditor = new Auditor(new AuditLog(1000, null, 0, 0), new AuditTelemetry(otel));
    model = ServiceModel.load("kms");
    input = Json.parseRequest(("{\"KeyId\": \"alias/orders\", \"Plaintext\": \"aGVsbG8=\", "
        + "\"EncryptionContext\": {\"tenant\": \"acme\"}}").getBytes(StandardCharsets.UTF_8));
    model.validateInput("Encrypt", input);
    output = Json.parseRequest(("{\"KeyId\": \"arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-"
        + "1234567890ab\", \"CiphertextBlob\": \"AAAA\", \"EncryptionAlgorithm\": \"SYMMETRIC_DEFAULT\"}")
        .getBytes(StandardCharsets.UTF_8));
    headers = new DefaultHttpHeaders();
  }

  @TearDown
  public void tearDown() {
    if (sdk != null) {
      sdk.close();
    }
  }

  @Benchmark
  public AuditEvent encrypt() {
    long start = System.nanoTime();
    AuditTelemetry.ServerSpan span = auditor.begin("KMS.Encrypt", headers);
    AuditFacts facts = new AuditFacts();
    facts.key("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", "SYMMETRIC_DEFAULT",
        "111122223333", "Encrypt", null);
    return auditor.end(span, start, new Auditor.Served(model, "Encrypt", identity, "req-1", Instant.EPOCH,
        "127.0.0.1", "bench", input, output, null, null, 200, 0, facts));
  }
}
