package dev.shunt.backend.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The backend's notion of now: the system clock plus an offset that tests and users can move
 * (through the admin API) to see time-based behaviour (deletion windows, rotation schedules,
 * expirations) without waiting. It only moves forward or back as a whole; it never stops.
 */
public final class ShuntClock {
  private final AtomicLong offsetMillis = new AtomicLong();

  public Instant now() {
    return Instant.ofEpochMilli(System.currentTimeMillis() + offsetMillis.get());
  }

  public void advance(Duration duration) {
    offsetMillis.addAndGet(duration.toMillis());
  }

  /** Makes {@link #now()} return {@code instant} at this moment, then run on from there. */
  public void set(Instant instant) {
    offsetMillis.set(instant.toEpochMilli() - System.currentTimeMillis());
  }

  /** The offset in milliseconds (read on hot paths, where a Duration would be garbage). */
  public long offsetMillis() {
    return offsetMillis.get();
  }

  public Duration offset() {
    return Duration.ofMillis(offsetMillis.get());
  }

  public void reset() {
    offsetMillis.set(0);
  }
}
