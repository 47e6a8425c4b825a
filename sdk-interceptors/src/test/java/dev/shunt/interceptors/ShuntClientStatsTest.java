package dev.shunt.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.interceptors.ShuntClientStats.OperationStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpResponse;

/** The registry: counters, the stories' ring, the report's JSON and the log lines. */
class ShuntClientStatsTest {
  private static final long MS = 1_000_000;

  @BeforeEach
  void quiet() {
    System.setProperty("shunt.log-retries", "false");
    ShuntClientStats.reset();
  }

  @AfterEach
  void loud() {
    System.clearProperty("shunt.log-retries");
  }

  private static String quoted(String value) {
    StringBuilder json = new StringBuilder();
    ShuntClientStats.quote(json, value);
    return json.toString();
  }

  @Test
  void stringsAreEscapedForJson() {
    assertThat(quoted("KMS.Decrypt: attempt 1 OK")).isEqualTo("\"KMS.Decrypt: attempt 1 OK\"");
    assertThat(quoted("a\"b\\c/d")).isEqualTo("\"a\\\"b\\\\c/d\"");
    assertThat(quoted("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
    assertThat(quoted("\u0000\u001f\u007f")).isEqualTo("\"\\u0000\\u001f\\u007f\"");
    assertThat(quoted("\u2028\u2029")).isEqualTo("\"\\u2028\\u2029\"");
    // Non-ASCII text stays as it is (UTF-8 on the wire); a lone surrogate, which UTF-8 cannot carry, is escaped.
    assertThat(quoted("h\u00e9 \ud83d\ude00")).isEqualTo("\"h\u00e9 \ud83d\ude00\"");
    assertThat(quoted("x\ud800y\udc00")).isEqualTo("\"x\\ud800y\\udc00\"");
    assertThat(quoted("")).isEqualTo("\"\"");
  }

  @Test
  void theReportIsTheJsonTheBackendTakes() {
    Map<String, OperationStats> operations = new LinkedHashMap<>();
    operations.put("KMS.Decrypt", new OperationStats(10, 13, 3, 4, 1, 9));
    operations.put("SSM.GetParameter", new OperationStats(1, 1, 0, 0, 0, 1));
    assertThat(ShuntClientStats.json("42@host \"x\"", operations,
        List.of("KMS.Decrypt: attempt 1 ThrottlingException, waited 412 ms, attempt 2 OK")))
        .isEqualTo("{\"source\":\"42@host \\\"x\\\"\",\"operations\":{"
            + "\"KMS.Decrypt\":{\"calls\":10,\"attempts\":13,\"retries\":3,\"throttles\":4,\"giveUps\":1,\"successes\":9},"
            + "\"SSM.GetParameter\":{\"calls\":1,\"attempts\":1,\"retries\":0,\"throttles\":0,\"giveUps\":0,\"successes\":1}},"
            + "\"recent\":[\"KMS.Decrypt: attempt 1 ThrottlingException, waited 412 ms, attempt 2 OK\"]}");
    assertThat(ShuntClientStats.json("s", Map.of(), List.of()))
        .isEqualTo("{\"source\":\"s\",\"operations\":{},\"recent\":[]}");
  }

  @Test
  void operationsAreNamedByServiceWhateverTheSdkSpelling() {
    assertThat(ShuntClientStats.operation("KMS", "Decrypt").name).isEqualTo("KMS.Decrypt");
    assertThat(ShuntClientStats.operation("Kms", "Decrypt")).isSameAs(ShuntClientStats.operation("KMS", "Decrypt"));
    assertThat(ShuntClientStats.operation("Secrets Manager", "GetSecretValue").name)
        .isEqualTo("SecretsManager.GetSecretValue");
    assertThat(ShuntClientStats.operation("SecretsManager", "GetSecretValue"))
        .isSameAs(ShuntClientStats.operation("Secrets Manager", "GetSecretValue"));
    assertThat(ShuntClientStats.operation("SSM", "GetParameter").name).isEqualTo("SSM.GetParameter");
    assertThat(ShuntClientStats.operation("S3", "GetObject")).isNull();
    assertThat(ShuntClientStats.operation("DynamoDB", "GetItem")).isNull();
    assertThat(ShuntClientStats.operation(null, "GetItem")).isNull();
  }

  private static void record(String operation, boolean throttledFirst, boolean gaveUp) {
    ShuntAttempts call = new ShuntAttempts(ShuntClientStats.operation("SSM", operation), new Object());
    long t = 0;
    if (throttledFirst) {
      call.attemptStarted(t);
      call.answered(t += MS, SdkHttpResponse.builder().statusCode(400)
          .putHeader("x-amzn-ErrorType", "ThrottlingException").build());
      t += 10 * MS;
    }
    call.attemptStarted(t);
    if (gaveUp) {
      call.answered(t += MS, SdkHttpResponse.builder().statusCode(429).build());
      call.end(t, new RuntimeException("throttled"));
    } else {
      call.answered(t += MS, SdkHttpResponse.builder().statusCode(200).build());
      call.end(t, null);
    }
    ShuntClientStats.record(call);
  }

  @Test
  void callsAreCountedPerOperation() {
    record("CountedOp", false, false);
    record("CountedOp", true, false);
    record("CountedOp", true, true);
    record("CountedOp", false, true);
    assertThat(ShuntClientStats.snapshot()).containsEntry("SSM.CountedOp", new OperationStats(4, 6, 2, 4, 2, 2));
    assertThat(ShuntClientStats.recentStories()).containsExactly(
        "SSM.CountedOp: attempt 1 ThrottlingException, waited 10 ms, attempt 2 OK",
        "SSM.CountedOp: attempt 1 ThrottlingException, waited 10 ms, attempt 2 HTTP 429, gave up",
        "SSM.CountedOp: attempt 1 HTTP 429, gave up");
    ShuntClientStats.reset();
    assertThat(ShuntClientStats.snapshot()).doesNotContainKey("SSM.CountedOp");
    assertThat(ShuntClientStats.recentStories()).isEmpty();
  }

  @Test
  void onlyTheLastFiftyStoriesAreKept() {
    for (int i = 0; i < 60; i++) {
      record("RingOp" + i, true, false);
    }
    List<String> stories = ShuntClientStats.recentStories();
    assertThat(stories).hasSize(ShuntClientStats.RECENT_STORIES);
    assertThat(stories.get(0)).startsWith("SSM.RingOp10: ");
    assertThat(stories.get(49)).startsWith("SSM.RingOp59: ");
  }

  @Test
  void logLinesSummariseTheCallsTheyLeftOut() {
    assertThat(ShuntClientStats.RetryLog.line("KMS.Decrypt: attempt 1 ThrottlingException, waited 3 ms, attempt 2 OK",
        0)).isEqualTo("[shunt] KMS.Decrypt: attempt 1 ThrottlingException, waited 3 ms, attempt 2 OK");
    assertThat(ShuntClientStats.RetryLog.line("KMS.Decrypt: attempt 1 HTTP 429, gave up", 1))
        .isEqualTo("[shunt] KMS.Decrypt: attempt 1 HTTP 429, gave up (and 1 more retried call)");
    assertThat(ShuntClientStats.RetryLog.line("KMS.Decrypt: attempt 1 HTTP 429, gave up", 7))
        .isEqualTo("[shunt] KMS.Decrypt: attempt 1 HTTP 429, gave up (and 7 more retried calls)");
  }
}
