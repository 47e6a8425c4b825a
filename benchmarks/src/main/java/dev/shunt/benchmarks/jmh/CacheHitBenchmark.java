package dev.shunt.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditLog;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.cache.CacheSettings;
import dev.shunt.backend.cache.ResponseCaches;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.http.AwsRequestProcessor;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.kms.KmsService;
import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.store.MemoryStore;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.time.ShuntClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
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
 * A whole KMS request without the network, through the request processor (trust authentication,
 * parsing, validation, quota, cache, the operation, audit, the answer written to a buffer), with
 * the caches off or on ({@code --data-key-cache on --decrypt-cache-ttl 60s}): GenerateDataKey
 * (AES_256, one key, one encryption context) and Decrypt of one ciphertext. With the caches on
 * the same request is sent over and over, so every call after the first is a hit: the
 * difference between the two is what a hit costs beside the call it saves.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CacheHitBenchmark {
  private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=" + KmsFixture.ACCESS_KEY
      + "/20260101/" + KmsFixture.REGION + "/kms/aws4_request, SignedHeaders=host, Signature=0";

  @Param({"off", "on"})
  public String caches;

  private AwsRequestProcessor processor;
  private String generateDataKeyBody;
  private String decryptBody;

  @Setup
  public void setUp() throws Exception {
    KmsBackend kms = new KmsBackend();
    Router router = new Router(List.of(new KmsService(kms)));
    ShuntClock clock = new ShuntClock();
    CacheSettings settings = caches.equals("on")
        ? new CacheSettings(true, Duration.ofSeconds(300), 1L << 32, Duration.ofSeconds(60), Duration.ZERO,
            Duration.ZERO, 10_000)
        : CacheSettings.off();
    ResponseCaches responseCaches = new ResponseCaches(settings, clock, kms::keyArnFor);
    processor = new AwsRequestProcessor(router, KmsFixture.authenticator(AuthMode.TRUST), clock,
        new QuotaEngine(QuotaConfig.off(), (account, region) -> false, AwsRegions.published()), new FaultInjector(),
        new Auditor(new AuditLog(1, null, 4096, 0), AuditTelemetry.off()), new Persistence(new MemoryStore()),
        responseCaches, null);
    String keyArn = handle(router, "CreateKey", "{\"Description\":\"bench\"}").path("KeyMetadata").path("Arn")
        .textValue();
    generateDataKeyBody = "{\"KeyId\":\"" + keyArn + "\",\"KeySpec\":\"AES_256\",\"EncryptionContext\":"
        + KmsFixture.CONTEXT_JSON + "}";
    byte[] ciphertext = handle(router, "GenerateDataKey", generateDataKeyBody).path("CiphertextBlob").binaryValue();
    decryptBody = "{\"CiphertextBlob\":\"" + Base64.getEncoder().encodeToString(ciphertext)
        + "\",\"EncryptionContext\":" + KmsFixture.CONTEXT_JSON + "}";
    // With the caches on, what is measured must be hits: the second call of each is one.
    for (int i = 0; i < 2; i++) {
      generateDataKey();
      decrypt();
    }
    ObjectNode report = responseCaches.report();
    if (caches.equals("on") && (report.path("dataKeys").path("hits").asLong() != 1
        || report.path("decrypts").path("hits").asLong() != 1)) {
      throw new IllegalStateException("Expected one hit of each cache: " + report);
    }
  }

  private static ObjectNode handle(Router router, String operation, String body) {
    ObjectNode input = Json.parseRequest(body.getBytes(StandardCharsets.UTF_8));
    Router.Route route = router.route("TrentService." + operation);
    route.model().validateInput(operation, input);
    return route.handler().handle(KmsFixture.context(), input);
  }

  @Benchmark
  public void generateDataKey() {
    processor.serveInMemory("TrentService.GenerateDataKey", AUTHORIZATION, generateDataKeyBody);
  }

  @Benchmark
  public void decrypt() {
    processor.serveInMemory("TrentService.Decrypt", AUTHORIZATION, decryptBody);
  }
}
