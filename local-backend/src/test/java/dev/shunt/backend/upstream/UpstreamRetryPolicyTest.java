package dev.shunt.backend.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class UpstreamRetryPolicyTest {
  private static final int SAMPLES = 2_000;
  private final UpstreamRetryPolicy standard =
      UpstreamRetryPolicy.standard(10, Duration.ofSeconds(10), Duration.ofSeconds(30));

  @Test
  void standardIsTheSdksStandardMode() {
    assertThat(standard.maxAttempts()).isEqualTo(10);
    assertThat(standard.baseDelay()).isEqualTo(Duration.ofMillis(100));
    assertThat(standard.throttlingBaseDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(standard.maxBackoff()).isEqualTo(Duration.ofSeconds(20));
    assertThat(standard.attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(standard.totalTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(standard.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(UpstreamRetryPolicy.standard().maxAttempts()).isEqualTo(3);
  }

  @Test
  void theConnectTimeoutIsNeverLongerThanAnAttempt() {
    UpstreamRetryPolicy quick = UpstreamRetryPolicy.standard(3, Duration.ofMillis(500), Duration.ofSeconds(2));

    assertThat(quick.connectTimeout()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void theBoundDoublesFromTheBaseUntilTheCap() {
    long[] plain = {100, 200, 400, 800, 1_600, 3_200, 6_400, 12_800, 20_000, 20_000};
    long[] throttled = {1_000, 2_000, 4_000, 8_000, 16_000, 20_000, 20_000};
    for (int i = 0; i < plain.length; i++) {
      assertThat(standard.boundMillis(i + 2, false)).as("attempt %d", i + 2).isEqualTo(plain[i]);
    }
    for (int i = 0; i < throttled.length; i++) {
      assertThat(standard.boundMillis(i + 2, true)).as("throttled attempt %d", i + 2).isEqualTo(throttled[i]);
    }
  }

  @Test
  void aVeryLateAttemptStaysAtTheCapWithoutOverflowing() {
    assertThat(standard.boundMillis(64, false)).isEqualTo(20_000);
    assertThat(standard.boundMillis(Integer.MAX_VALUE, true)).isEqualTo(20_000);
    assertThat(standard.backoffMillis(1_000, true, new SplittableRandom(1))).isBetween(0L, 19_999L);
  }

  @Test
  void everyBackoffIsWithinZeroAndTheBoundAndSpreadsOverIt() {
    RandomGenerator random = new SplittableRandom(42);
    for (int attempt = 2; attempt <= standard.maxAttempts(); attempt++) {
      for (boolean throttled : new boolean[] {false, true}) {
        long bound = standard.boundMillis(attempt, throttled);
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;
        for (int i = 0; i < SAMPLES; i++) {
          long backoff = standard.backoffMillis(attempt, throttled, random);
          assertThat(backoff).isGreaterThanOrEqualTo(0).isLessThan(bound);
          lowest = Math.min(lowest, backoff);
          highest = Math.max(highest, backoff);
        }
        // Full jitter: the samples reach into both ends of [0, bound), not a narrow band.
        assertThat(lowest).as("lowest of attempt %d", attempt).isLessThan(bound / 10 + 1);
        assertThat(highest).as("highest of attempt %d", attempt).isGreaterThan(bound * 9 / 10 - 1);
      }
    }
  }

  @Test
  void throttlingWaitsLongerThanOtherFailures() {
    RandomGenerator random = new SplittableRandom(7);
    long plainSum = 0;
    long throttledSum = 0;
    for (int i = 0; i < SAMPLES; i++) {
      plainSum += standard.backoffMillis(2, false, random);
      throttledSum += standard.backoffMillis(2, true, random);
    }
    assertThat(plainSum / SAMPLES).isBetween(30L, 70L);
    assertThat(throttledSum / SAMPLES).isBetween(400L, 600L);
  }

  @Test
  void theSameSeedGivesTheSameBackoffs() {
    RandomGenerator first = new SplittableRandom(99);
    RandomGenerator second = new SplittableRandom(99);
    for (int attempt = 2; attempt < 8; attempt++) {
      assertThat(standard.backoffMillis(attempt, attempt % 2 == 0, first))
          .isEqualTo(standard.backoffMillis(attempt, attempt % 2 == 0, second));
    }
  }

  @Test
  void aZeroBaseMeansNoWait() {
    UpstreamRetryPolicy eager = new UpstreamRetryPolicy(3, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1),
        Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1));

    assertThat(eager.backoffMillis(2, false, new SplittableRandom(1))).isZero();
    assertThat(eager.backoffMillis(3, true, new SplittableRandom(1))).isZero();
  }

  @Test
  void thereIsNoBackoffBeforeTheFirstAttempt() {
    assertThatThrownBy(() -> standard.backoffMillis(1, false, new SplittableRandom(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void nonsenseIsRefused() {
    Duration second = Duration.ofSeconds(1);
    assertThatThrownBy(() -> UpstreamRetryPolicy.standard(0, second, second))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> UpstreamRetryPolicy.standard(3, Duration.ZERO, second))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upstream-attempt-timeout");
    assertThatThrownBy(() -> UpstreamRetryPolicy.standard(3, second, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("upstream-timeout");
    assertThatThrownBy(() -> new UpstreamRetryPolicy(3, Duration.ofMillis(-5), second, second, second, second, second))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base delay");
  }
}
