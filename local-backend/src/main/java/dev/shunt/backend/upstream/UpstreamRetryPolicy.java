package dev.shunt.backend.upstream;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How upstream calls are retried: AWS's STANDARD retry mode by default (capped exponential
 * backoff with full jitter, a longer base when throttled), bounded by attempts and by time.
 */
public record UpstreamRetryPolicy(int maxAttempts, Duration baseDelay, Duration throttlingBaseDelay,
    Duration maxBackoff, Duration attemptTimeout, Duration totalTimeout, Duration connectTimeout) {
  private static final Duration LONGEST_CONNECT = Duration.ofSeconds(2);

  public UpstreamRetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("upstream-max-attempts must be at least 1, not " + maxAttempts);
    }
    requireNotNegative("base delay", baseDelay);
    requireNotNegative("throttling base delay", throttlingBaseDelay);
    requireNotNegative("maximum backoff", maxBackoff);
    // The JDK's client refuses a zero or negative time-out.
    requirePositive("upstream-attempt-timeout", attemptTimeout);
    requirePositive("upstream-timeout", totalTimeout);
    requirePositive("connect time-out", connectTimeout);
  }

  /** 3 attempts, base 100 ms, throttling base 1 s, max backoff 20 s: the SDK's STANDARD mode. */
  public static UpstreamRetryPolicy standard() {
    return standard(3, Duration.ofSeconds(10), Duration.ofSeconds(30));
  }

  /** STANDARD backoff (base 100 ms, throttling base 1 s, max 20 s) with these bounds. */
  public static UpstreamRetryPolicy standard(int maxAttempts, Duration attemptTimeout, Duration totalTimeout) {
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    Duration connect = attemptTimeout.compareTo(LONGEST_CONNECT) < 0 ? attemptTimeout : LONGEST_CONNECT;
    return new UpstreamRetryPolicy(maxAttempts, Duration.ofMillis(100), Duration.ofSeconds(1),
        Duration.ofSeconds(20), attemptTimeout, totalTimeout, connect);
  }

  /**
   * The wait before attempt {@code nextAttempt} (2 or more), full jitter: uniform in
   * [0, min(maxBackoff, base * 2^(nextAttempt-2))), base the throttling one if throttled.
   */
  public long backoffMillis(int nextAttempt, boolean throttled, RandomGenerator random) {
    if (nextAttempt < 2) {
      throw new IllegalArgumentException("a backoff comes before attempt 2 or later, not " + nextAttempt);
    }
    long bound = boundMillis(nextAttempt, throttled);
    return bound <= 0 ? 0 : random.nextLong(bound);
  }

  /** The exclusive upper bound of {@link #backoffMillis}: min(maxBackoff, base * 2^(nextAttempt-2)). */
  public long boundMillis(int nextAttempt, boolean throttled) {
    long base = (throttled ? throttlingBaseDelay : baseDelay).toMillis();
    long cap = maxBackoff.toMillis();
    int doublings = nextAttempt - 2;
    // Doubling past the cap (or past 62 bits) can only hit the cap: stop before it overflows.
    if (base == 0 || doublings >= Long.SIZE - 2 || base > (cap >> doublings)) {
      return base == 0 ? 0 : cap;
    }
    return Math.min(cap, base << doublings);
  }

  private static void requireNotNegative(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative()) {
      throw new IllegalArgumentException(what + " must not be negative, not " + value);
    }
  }

  private static void requirePositive(String what, Duration value) {
    Objects.requireNonNull(value, what);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be more than 0, not " + value);
    }
  }
}
