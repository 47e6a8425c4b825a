package dev.shunt.loadtest;

/**
 * The run's time: the wall clock read once, moved on by {@link System#nanoTime()}, so that seconds
 * are epoch seconds (as the server's stats count them) and never jump while the run lasts.
 */
final class RunClock {
  private final long baseEpochMillis;
  private final long baseNanos;

  RunClock() {
    this(System.currentTimeMillis(), System.nanoTime());
  }

  RunClock(long baseEpochMillis, long baseNanos) {
    this.baseEpochMillis = baseEpochMillis;
    this.baseNanos = baseNanos;
  }

  /** The epoch millisecond of a {@link System#nanoTime()} reading. */
  long epochMillis(long nanos) {
    return baseEpochMillis + Math.floorDiv(nanos - baseNanos, 1_000_000L);
  }

  /** The {@link System#nanoTime()} reading of an epoch millisecond. */
  long nanosAt(long epochMillis) {
    return baseNanos + (epochMillis - baseEpochMillis) * 1_000_000L;
  }

  long nowMillis() {
    return epochMillis(System.nanoTime());
  }
}
