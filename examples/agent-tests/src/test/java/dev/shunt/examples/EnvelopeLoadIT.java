package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The data-key cache, seen from an unmodified application: envelope-load (a GenerateDataKey per
 * message, 20 tenants, 4 threads, the SDK's STANDARD retries) runs twice under the agent with
 * KMS's symmetric quota scaled to 100 requests per second. Without the cache it is throttled
 * and retries; with {@code data-key-cache=on} the 20 tenants' data keys are made once, every
 * other GenerateDataKey is a hit (not charged), the Decrypts (one message in ten) fit the quota,
 * and every message still opens with its decrypted data key.
 *
 * <p>Why 100 rps and not 20: the quota's bucket holds one second of it, and 20 tenants' first data
 * keys alone empty a bucket of 20, so any Decrypt after them would be throttled, cache or not.
 */
class EnvelopeLoadIT {
  private static final String QUOTA = "quota-scale=0.001";
  private static final int MESSAGES = 1_000;

  private static Map<String, String> run(String agentOptions) throws Exception {
    JavaProcess.Result result = new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=" + agentOptions + ",log-retries=false",
            "-Dmessages=" + MESSAGES, "-jar", JavaProcess.example("envelope-load").toString())
        .run(120);
    String summary = result.stdout().stream().filter(line -> line.startsWith("ENVELOPE ")).findFirst()
        .orElseThrow(() -> new AssertionError("no summary line: " + result.describe()));
    Map<String, String> fields = new LinkedHashMap<>();
    for (String field : summary.substring("ENVELOPE ".length()).split(" ")) {
      String[] nameValue = field.split("=", 2);
      fields.put(nameValue[0], nameValue[1]);
    }
    fields.put("exit", Integer.toString(result.exitCode()));
    assertThat(result.exitCode()).as(result.describe())
        .isEqualTo(Long.parseLong(fields.get("failed")) > 0 ? 1 : 0);
    assertThat(result.stderr()).as(result.describe()).doesNotContain("agent disabled");
    return fields;
  }

  private static long number(Map<String, String> fields, String name) {
    return Long.parseLong(fields.get(name));
  }

  @Test
  void cachedDataKeysKeepAnEnvelopeWorkloadUnderItsQuota() throws Exception {
    Map<String, String> uncached = run(QUOTA);
    assertThat(number(uncached, "messages")).as(uncached.toString()).isEqualTo(MESSAGES);
    assertThat(number(uncached, "throttled")).as(uncached.toString()).isPositive();
    assertThat(number(uncached, "attempts")).as(uncached.toString())
        .isGreaterThan(number(uncached, "generateDataKey") + number(uncached, "decrypt"));
    assertThat(number(uncached, "cacheHits")).as("no cache, no header: " + uncached).isZero();

    Map<String, String> cached = run(QUOTA + ",data-key-cache=on");
    assertThat(cached.get("exit")).as(cached.toString()).isEqualTo("0");
    assertThat(number(cached, "failed")).as(cached.toString()).isZero();
    assertThat(number(cached, "throttled")).as(cached.toString()).isZero();
    assertThat(number(cached, "generateDataKey")).as(cached.toString()).isEqualTo(MESSAGES);
    // Every tenant's first data key is a miss; the other GenerateDataKeys are hits. Decrypt has no cache here.
    assertThat(number(cached, "cacheMisses")).as(cached.toString()).isEqualTo(20);
    assertThat(number(cached, "cacheHits")).as(cached.toString()).isEqualTo(MESSAGES - 20);
    // Each tenth message was decrypted and checked: the re-used data keys still open what they sealed.
    assertThat(number(cached, "decrypt")).as(cached.toString()).isEqualTo(MESSAGES / 10);
    assertThat(number(cached, "attempts")).as(cached.toString()).isEqualTo(MESSAGES + MESSAGES / 10);
  }
}
