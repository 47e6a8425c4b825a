package dev.shunt.benchmarks.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.QuotaEngine;
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
 * The quota check every AWS request passes through: {@link QuotaEngine#acquire} for a KMS
 * Encrypt call, with quotas off, with a quota it never reaches (the accepting path) and with a
 * quota of zero (the throttling path). Run with {@code -t 2} to see two threads share one
 * account's bucket, as concurrent requests do.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class QuotaCheckBenchmark {
  @Param({"off", "accepting", "throttling"})
  public String quotas;

  private QuotaEngine engine;
  private ObjectNode input;

  @Setup
  public void setUp() {
    QuotaConfig config = switch (quotas) {
      case "off" -> QuotaConfig.off();
      case "accepting" -> QuotaConfig.parse(json("{\"rates\": {\"kms:symmetric\": 1e8}}"));
      case "throttling" -> QuotaConfig.parse(json("{\"rates\": {\"kms:symmetric\": 0}}"));
      default -> throw new IllegalArgumentException(quotas);
    };
    engine = new QuotaEngine(config, (account, region) -> false);
    input = json("{\"KeyId\": \"alias/app\", \"Plaintext\": \"aGVsbG8=\"}");
  }

  private static ObjectNode json(String text) {
    return Json.parseRequest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  @Benchmark
  public boolean acquire() {
    return engine.acquire("111122223333", "us-east-1", "kms", "Encrypt", input);
  }
}
