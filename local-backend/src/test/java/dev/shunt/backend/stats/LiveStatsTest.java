package dev.shunt.backend.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.stats.LiveStats.Outcome;
import dev.shunt.backend.time.ShuntClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-second buckets of {@link LiveStats}, on the backend's movable clock: each test puts the
 * clock a tenth of a second into a whole second, so that a test's steps (well under 900 ms apart)
 * stay in the second it means.
 */
class LiveStatsTest {
  private static final long T = 1_900_000_000L;

  private final ShuntClock clock = new ShuntClock();
  private final Map<String, Double> quotas = new HashMap<>();
  private final LiveStats stats = new LiveStats(clock, () -> quotas);

  @BeforeEach
  void atSecondT() {
    at(T);
  }

  private void at(long second) {
    clock.set(Instant.ofEpochSecond(second).plusMillis(100));
  }

  private void advance(long seconds) {
    clock.advance(Duration.ofSeconds(seconds));
  }

  private static List<Long> secondsOf(JsonNode report) {
    List<Long> seconds = new ArrayList<>();
    report.get("seconds").forEach(second -> seconds.add(second.get("t").asLong()));
    return seconds;
  }

  @Test
  void aClosedSecondHoldsEachOutcomeAndTheTotalsCountTheCurrentOneToo() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 100);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, true, 200);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, true, 300);
    stats.record("kms", "Decrypt", Outcome.THROTTLED, false, 10);
    stats.record("kms", "Decrypt", Outcome.THROTTLED, false, 10);
    stats.record("kms", "Decrypt", Outcome.FAULT, false, 10);
    stats.record("kms", "Decrypt", Outcome.ERROR, false, 10);
    stats.record("ssm", "GetParameter", Outcome.ACCEPTED, false, 50);
    advance(1);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 100);

    ObjectNode report = stats.report(300);

    assertThat(report.get("now").asLong()).isCloseTo(clock.now().toEpochMilli(), org.assertj.core.data.Offset.offset(
        1000L));
    assertThat(secondsOf(report)).containsExactly(T);
    JsonNode decrypt = report.get("seconds").get(0).get("operations").get("kms:Decrypt");
    assertThat(decrypt.get("requests").asLong()).isEqualTo(7);
    assertThat(decrypt.get("accepted").asLong()).isEqualTo(3);
    assertThat(decrypt.get("throttled").asLong()).isEqualTo(2);
    assertThat(decrypt.get("faults").asLong()).isEqualTo(1);
    assertThat(decrypt.get("errors").asLong()).isEqualTo(1);
    assertThat(decrypt.get("cacheHits").asLong()).isEqualTo(2);
    assertThat(decrypt.get("max").asLong()).isBetween(297L, 303L);
    assertThat(report.get("seconds").get(0).get("operations").get("ssm:GetParameter").get("requests").asLong())
        .isEqualTo(1);
    // The current second is not over: its request counts in the totals, not yet in the seconds.
    JsonNode total = report.get("totals").get("kms:Decrypt");
    assertThat(total.get("requests").asLong()).isEqualTo(8);
    assertThat(total.get("accepted").asLong()).isEqualTo(4);
    assertThat(total.get("throttled").asLong()).isEqualTo(2);
    assertThat(total.get("cacheHits").asLong()).isEqualTo(2);
    assertThat(report.get("totals").fieldNames()).toIterable().containsExactly("kms:Decrypt", "ssm:GetParameter");
  }

  @Test
  void percentilesOfASecondAreItsOwnWithinOnePercent() {
    for (int i = 1; i <= 1000; i++) {
      stats.record("kms", "Encrypt", Outcome.ACCEPTED, false, i * 100L);
    }
    advance(1);
    for (int i = 0; i < 10; i++) {
      stats.record("kms", "Encrypt", Outcome.ACCEPTED, false, 5);
    }
    advance(1);

    JsonNode seconds = stats.report(300).get("seconds");

    assertThat(secondsOf(stats.report(300))).containsExactly(T, T + 1);
    JsonNode first = seconds.get(0).get("operations").get("kms:Encrypt");
    assertThat(first.get("p50").asDouble()).isCloseTo(50_000, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(first.get("p90").asDouble()).isCloseTo(90_000, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(first.get("p99").asDouble()).isCloseTo(99_000, org.assertj.core.data.Percentage.withPercentage(1));
    assertThat(first.get("max").asDouble()).isCloseTo(100_000, org.assertj.core.data.Percentage.withPercentage(1));
    JsonNode second = seconds.get(1).get("operations").get("kms:Encrypt");
    assertThat(second.get("p50").asLong()).isEqualTo(5);
    assertThat(second.get("max").asLong()).isEqualTo(5);
  }

  @Test
  void onlySecondsWithTrafficAreListedOldestFirstWithinTheWindowAsked() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    advance(10);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    advance(400);
    stats.record("secretsmanager", "GetSecretValue", Outcome.ACCEPTED, false, 1);
    advance(1);

    assertThat(secondsOf(stats.report(900))).containsExactly(T, T + 10, T + 410);
    assertThat(secondsOf(stats.report(300))).containsExactly(T + 410);
    assertThat(secondsOf(stats.report(1))).containsExactly(T + 410);
    assertThat(stats.report(900).get("seconds").get(2).get("operations").fieldNames()).toIterable()
        .containsExactly("secretsmanager:GetSecretValue");
  }

  @Test
  void theRingKeepsFifteenMinutes() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    advance(899);
    stats.record("kms", "Decrypt", Outcome.THROTTLED, false, 1);
    advance(1);
    assertThat(secondsOf(stats.report(900))).containsExactly(T, T + 899);

    // T + 900 takes T's slot.
    stats.record("kms", "Decrypt", Outcome.ERROR, false, 1);
    advance(1);
    ObjectNode report = stats.report(900);
    assertThat(secondsOf(report)).containsExactly(T + 899, T + 900);
    assertThat(report.get("seconds").get(1).get("operations").get("kms:Decrypt").get("errors").asLong()).isEqualTo(1);
    assertThat(report.get("seconds").get(1).get("operations").get("kms:Decrypt").get("accepted").asLong())
        .isZero();
    assertThat(report.get("totals").get("kms:Decrypt").get("requests").asLong()).isEqualTo(3);

    advance(2000);
    assertThat(secondsOf(stats.report(900))).isEmpty();
    assertThat(stats.report(900).get("totals").get("kms:Decrypt").get("requests").asLong()).isEqualTo(3);
  }

  @Test
  void aReaderClosesASecondNoRequestFollowed() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    assertThat(secondsOf(stats.report(300))).isEmpty();
    advance(1);
    assertThat(secondsOf(stats.report(300))).containsExactly(T);
    advance(5);
    assertThat(secondsOf(stats.report(300))).containsExactly(T);
  }

  @Test
  void aClockMovedBackStartsOverFromThere() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    advance(1);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    at(T - 100);
    stats.record("kms", "Decrypt", Outcome.THROTTLED, false, 1);
    advance(1);

    ObjectNode report = stats.report(300);
    // Seconds after the clock's now are not shown (they come back once it gets there).
    assertThat(secondsOf(report)).containsExactly(T - 100);
    assertThat(report.get("totals").get("kms:Decrypt").get("requests").asLong()).isEqualTo(3);
    at(T + 2);
    assertThat(secondsOf(stats.report(300))).containsExactly(T - 100, T, T + 1);
  }

  @Test
  void aRequestALittleLateCountsInTheCurrentSecond() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    advance(1);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    // One that started before the second changed and is recorded after: no going back.
    advance(-1);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    advance(2);
    JsonNode seconds = stats.report(300).get("seconds");
    assertThat(secondsOf(stats.report(300))).containsExactly(T, T + 1);
    assertThat(seconds.get(1).get("operations").get("kms:Decrypt").get("requests").asLong()).isEqualTo(2);
  }

  @Test
  void quotasAreGivenForTheOperationsSeenNullWhenNone() {
    quotas.put("kms:Decrypt", 100.0);
    quotas.put("kms:Encrypt", 100.0);
    quotas.put("ssm:GetParameter", null);
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    stats.record("ssm", "GetParameter", Outcome.ACCEPTED, false, 1);
    stats.record("secretsmanager", "GetSecretValue", Outcome.ACCEPTED, false, 1);

    JsonNode report = stats.report(300).get("quotas");

    assertThat(report.fieldNames()).toIterable()
        .containsExactlyInAnyOrder("kms:Decrypt", "ssm:GetParameter", "secretsmanager:GetSecretValue");
    assertThat(report.get("kms:Decrypt").asDouble()).isEqualTo(100.0);
    assertThat(report.get("ssm:GetParameter").isNull()).isTrue();
    assertThat(report.get("secretsmanager:GetSecretValue").isNull()).isTrue();
  }

  @Test
  void topKeysAreTheMostUsedKeyPrincipalAndOperation() {
    String key1 = "arn:aws:kms:us-east-1:000000000000:key/1";
    String key2 = "arn:aws:kms:us-east-1:000000000000:key/2";
    String alice = "arn:aws:iam::000000000000:user/alice";
    String bob = "arn:aws:iam::000000000000:user/bob";
    for (int i = 0; i < 5; i++) {
      stats.keyUsed("kms", "Decrypt", key1, alice);
    }
    for (int i = 0; i < 3; i++) {
      stats.keyUsed("kms", "GenerateDataKey", key2, bob);
    }
    stats.keyUsed("kms", "Decrypt", key1, bob);
    stats.keyUsed("kms", "Decrypt", null, bob);

    JsonNode top = stats.report(300).get("topKeys");

    assertThat(top).hasSize(3);
    assertThat(top.get(0).get("key").asText()).isEqualTo(key1);
    assertThat(top.get(0).get("principal").asText()).isEqualTo(alice);
    assertThat(top.get(0).get("operation").asText()).isEqualTo("kms:Decrypt");
    assertThat(top.get(0).get("count").asLong()).isEqualTo(5);
    assertThat(top.get(1).get("operation").asText()).isEqualTo("kms:GenerateDataKey");
    assertThat(top.get(1).get("count").asLong()).isEqualTo(3);
    assertThat(top.get(2).get("principal").asText()).isEqualTo(bob);
    // A key use alone is not a request: the totals hold the requests.
    assertThat(stats.report(300).get("totals").isEmpty()).isTrue();
  }

  @Test
  void keyUsersAreBoundedAndTheTopListShort() {
    for (int i = 0; i < LiveStats.MAX_KEY_USERS + 50; i++) {
      stats.keyUsed("kms", "Decrypt", "arn:aws:kms:us-east-1:000000000000:key/" + i, "arn:aws:iam::1:root");
    }
    stats.keyUsed("kms", "Decrypt", "arn:aws:kms:us-east-1:000000000000:key/7", "arn:aws:iam::1:root");

    assertThat(stats.uncountedKeyUses()).isEqualTo(50);
    JsonNode top = stats.report(300).get("topKeys");
    assertThat(top).hasSize(LiveStats.TOP_KEYS);
    assertThat(top.get(0).get("key").asText()).endsWith("/7");
    assertThat(top.get(0).get("count").asLong()).isEqualTo(2);
  }

  @Test
  void resetForgetsEverything() {
    stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 1);
    stats.keyUsed("kms", "Decrypt", "arn:aws:kms:us-east-1:000000000000:key/1", "arn:aws:iam::1:root");
    advance(1);
    stats.reset();

    ObjectNode report = stats.report(900);
    assertThat(report.get("seconds")).isEmpty();
    assertThat(report.get("totals").isEmpty()).isTrue();
    assertThat(report.get("topKeys")).isEmpty();
    assertThat(report.get("quotas").isEmpty()).isTrue();
  }

  @Test
  void theWindowIsOneSecondToFifteenMinutes() {
    assertThatThrownBy(() -> stats.report(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("seconds must be a number from 1 to 900");
    assertThatThrownBy(() -> stats.report(901)).isInstanceOf(IllegalArgumentException.class);
    assertThat(stats.report(900).get("seconds")).isEmpty();
  }

  @Test
  void recordingAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    String key = "arn:aws:kms:us-east-1:000000000000:key/1";
    String principal = "arn:aws:iam::000000000000:root";
    Runnable request = () -> {
      stats.record("kms", "Decrypt", Outcome.ACCEPTED, false, 120);
      stats.record("kms", "Decrypt", Outcome.THROTTLED, false, 15);
      stats.keyUsed("kms", "Decrypt", key, principal);
    };
    for (int i = 0; i < 20_000; i++) {
      request.run();
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      request.run();
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    // The once-a-second close may fall inside (a few hundred bytes); 100,000 requests allocating anything would be more.
    assertThat(allocated).isLessThan(4096);
  }

  @Test
  void noRequestIsLostWhileSecondsCloseUnderConcurrentWriters() throws Exception {
    int threads = 4;
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong recorded = new AtomicLong();
    CountDownLatch started = new CountDownLatch(threads);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      Thread writer = new Thread(() -> {
        started.countDown();
        long mine = 0;
        while (running.get()) {
          stats.record("kms", "Decrypt", mine % 10 == 0 ? Outcome.THROTTLED : Outcome.ACCEPTED, false, mine % 1000);
          mine++;
        }
        recorded.addAndGet(mine);
      });
      writer.start();
      writers.add(writer);
    }
    started.await();
    for (int i = 0; i < 20; i++) {
      Thread.sleep(5);
      advance(1);
      stats.report(60);
    }
    running.set(false);
    for (Thread writer : writers) {
      writer.join();
    }
    assertThat(stats.report(60).get("totals").get("kms:Decrypt").get("requests").asLong()).isEqualTo(recorded.get());
    // Once the last second is closed too, the seconds hold every request.
    advance(3);
    long inSeconds = 0;
    for (JsonNode second : stats.report(60).get("seconds")) {
      inSeconds += second.get("operations").get("kms:Decrypt").get("requests").asLong();
    }
    assertThat(inSeconds).isEqualTo(recorded.get());
  }
}
