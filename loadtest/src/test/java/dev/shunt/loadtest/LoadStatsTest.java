package dev.shunt.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client's numbers: each counted in the second it belongs to, percentiles per second and for the run. */
class LoadStatsTest {
  private static final long T0 = 1_700_000_000L;

  private static long at(long second, int millis) {
    return (T0 + second) * 1000 + millis;
  }

  @Test
  void countsEachEventInItsOwnSecond() {
    LoadStats stats = new LoadStats(List.of("kms:Decrypt", "ssm:GetParameter"));
    // A call offered in second 0, throttled there, retried in second 1 after 800 ms, accepted, ended in second 1.
    stats.offered(0, at(0, 900));
    stats.attempt(0, at(0, 901), 1, LoadStats.Outcome.THROTTLED, -1);
    stats.attempt(0, at(1, 702), 2, LoadStats.Outcome.OK, 800_000);
    stats.call(0, at(1, 705), 805_000, null);
    // Another operation: one call offered and skipped (the client was full) in second 2.
    stats.offered(1, at(2, 0));
    stats.skipped(1, at(2, 0));

    List<ObjectNode> seconds = stats.seconds(T0, T0 + 2);
    assertThat(seconds).hasSize(3);
    JsonNode first = seconds.get(0).path("operations").path("kms:Decrypt");
    assertThat(seconds.get(0).path("t").asLong()).isEqualTo(T0);
    assertThat(first.path("offered").asLong()).isEqualTo(1);
    assertThat(first.path("attempts").asLong()).isEqualTo(1);
    assertThat(first.path("throttled").asLong()).isEqualTo(1);
    assertThat(first.path("accepted").asLong()).isZero();
    assertThat(first.path("completed").asLong()).isZero();
    assertThat(first.path("p50").isNull()).isTrue();
    assertThat(first.path("backoffMean").isNull()).isTrue();

    JsonNode second = seconds.get(1).path("operations").path("kms:Decrypt");
    assertThat(second.path("offered").asLong()).isZero();
    assertThat(second.path("attempts").asLong()).isEqualTo(1);
    assertThat(second.path("accepted").asLong()).isEqualTo(1);
    assertThat(second.path("retries").asLong()).isEqualTo(1);
    assertThat(second.path("completed").asLong()).isEqualTo(1);
    assertThat(second.path("errors").asLong()).isZero();
    assertThat(second.path("backoffMean").asLong()).isEqualTo(800_000);
    assertThat(second.path("backoffMax").asLong()).isEqualTo(800_000);
    // Two significant digits per second: within 1%.
    assertThat(second.path("p50").asLong()).isBetween(797_000L, 813_000L);
    assertThat(second.path("max").asLong()).isBetween(797_000L, 813_000L);

    // A second with nothing is there, with zeros, for every operation.
    JsonNode third = seconds.get(2).path("operations");
    assertThat(third.path("kms:Decrypt").path("offered").asLong()).isZero();
    assertThat(third.path("ssm:GetParameter").path("offered").asLong()).isEqualTo(1);
    assertThat(third.path("ssm:GetParameter").path("skipped").asLong()).isEqualTo(1);
    assertThat(stats.span()).containsExactly(T0, T0 + 2);
  }

  @Test
  void totalsAddTheSecondsUpWithErrorCodesAndPercentiles() {
    LoadStats stats = new LoadStats(List.of("kms:Decrypt"));
    for (int i = 0; i < 100; i++) {
      long when = at(i / 50, (i % 50) * 20);
      stats.offered(0, when);
      stats.attempt(0, when, 1, i < 90 ? LoadStats.Outcome.OK : LoadStats.Outcome.THROTTLED, -1);
      if (i >= 90) {
        // Throttled, retried once after (i - 89) ms, throttled again: the call fails.
        stats.attempt(0, when + 1, 2, LoadStats.Outcome.THROTTLED, (i - 89) * 1000L);
        stats.call(0, when + 2, 10_000 + i, "ThrottlingException");
      } else {
        stats.call(0, when + 2, 1000 + i, null);
      }
    }
    stats.call(0, at(1, 999), 5_000_000, "SocketTimeoutException");
    stats.retryRefused(0, at(1, 999));
    JsonNode totals = stats.totals(2.0).path("kms:Decrypt");
    assertThat(totals.path("offered").asLong()).isEqualTo(100);
    assertThat(totals.path("attempts").asLong()).isEqualTo(110);
    assertThat(totals.path("accepted").asLong()).isEqualTo(90);
    assertThat(totals.path("throttled").asLong()).isEqualTo(20);
    assertThat(totals.path("retries").asLong()).isEqualTo(10);
    assertThat(totals.path("completed").asLong()).isEqualTo(101);
    assertThat(totals.path("errors").asLong()).isEqualTo(11);
    assertThat(totals.path("succeeded").asLong()).isEqualTo(90);
    assertThat(totals.path("retriesRefused").asLong()).isEqualTo(1);
    assertThat(totals.path("offeredPerSecond").asDouble()).isEqualTo(50.0);
    assertThat(totals.path("acceptedPerSecond").asDouble()).isEqualTo(45.0);
    assertThat(totals.path("errorCodes").path("ThrottlingException").asLong()).isEqualTo(10);
    assertThat(totals.path("errorCodes").path("SocketTimeoutException").asLong()).isEqualTo(1);
    JsonNode latency = totals.path("latency");
    assertThat(latency.path("count").asLong()).isEqualTo(101);
    assertThat(latency.path("p50").asLong()).isBetween(1049L, 1051L);
    assertThat(latency.path("max").asLong()).isBetween(4_995_000L, 5_005_000L);
    JsonNode backoff = totals.path("backoff");
    assertThat(backoff.path("count").asLong()).isEqualTo(10);
    // Three significant digits (HdrHistogram gives the top of a value's bucket).
    assertThat(backoff.path("p50").asLong()).isBetween(5000L, 5005L);
    assertThat(backoff.path("max").asLong()).isBetween(10_000L, 10_010L);
  }

  @Test
  void aSealedSecondKeepsItsPercentilesAndStillCountsLateAttempts() {
    LoadStats stats = new LoadStats(List.of("ssm:GetParameter"));
    for (int i = 1; i <= 100; i++) {
      stats.call(0, at(0, i), i * 1000L, null);
    }
    JsonNode before = stats.seconds(T0, T0).get(0).path("operations").path("ssm:GetParameter");
    stats.seal(T0 + 1);
    // An attempt sent in the sealed second is answered later: its count still lands there.
    stats.attempt(0, at(0, 999), 1, LoadStats.Outcome.OK, -1);
    JsonNode after = stats.seconds(T0, T0).get(0).path("operations").path("ssm:GetParameter");
    for (String p : List.of("p50", "p90", "p99", "max")) {
      assertThat(after.path(p).asLong()).as(p).isEqualTo(before.path(p).asLong());
    }
    assertThat(after.path("p50").asLong()).isBetween(49_500L, 51_000L);
    assertThat(after.path("p99").asLong()).isBetween(98_000L, 100_000L);
    assertThat(after.path("accepted").asLong()).isEqualTo(1);
    // A second first touched after it was sealed is sealed from the start, and a late call still counts in totals.
    stats.call(0, at(-5, 0), 7, null);
    assertThat(stats.seconds(T0 - 5, T0 - 5).get(0).path("operations").path("ssm:GetParameter").path("completed")
        .asLong()).isEqualTo(1);
    assertThat(stats.totals(1).path("ssm:GetParameter").path("latency").path("count").asLong()).isEqualTo(101);
  }

  @Test
  void countsFromManyThreadsAddUp() throws Exception {
    LoadStats stats = new LoadStats(List.of("kms:Decrypt"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      pool.execute(() -> {
        for (int i = 0; i < 5000; i++) {
          long when = at(i % 3, i % 1000);
          stats.offered(0, when);
          stats.attempt(0, when, 1, LoadStats.Outcome.OK, -1);
          stats.call(0, when, 100 + i, null);
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    JsonNode totals = stats.totals(3).path("kms:Decrypt");
    assertThat(totals.path("offered").asLong()).isEqualTo(20_000);
    assertThat(totals.path("accepted").asLong()).isEqualTo(20_000);
    assertThat(totals.path("latency").path("count").asLong()).isEqualTo(20_000);
    long perSecond = stats.seconds(T0, T0 + 2).stream()
        .mapToLong(s -> s.path("operations").path("kms:Decrypt").path("completed").asLong()).sum();
    assertThat(perSecond).isEqualTo(20_000);
  }
}
