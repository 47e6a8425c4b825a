package dev.shunt.backend.stats;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * One operation's live statistics ({@code kms:Decrypt}): what the current second's requests came to,
 * in striped counters and an HdrHistogram {@link Recorder}, and the last {@value #SLOTS} seconds,
 * each closed into a slot of a ring (counts and latency percentiles) once the second is over.
 * Recording allocates nothing and takes no lock but once a second, when the first request of a new
 * second closes the last one; a reader closes it too when no request came since.
 */
final class OperationSeries {
  /** Seconds kept: 15 minutes. */
  static final int SLOTS = 900;

  static final int ACCEPTED = 0;
  static final int THROTTLED = 1;
  static final int FAULTS = 2;
  static final int ERRORS = 3;
  static final int CACHE_HITS = 4;
  static final int P50 = 5;
  static final int P90 = 6;
  static final int P99 = 7;
  static final int MAX = 8;
  static final int FIELDS = 9;
  /** The counted fields (the others are latencies). */
  static final int COUNTS = 5;

  /**
   * A request that started a little before the second changed may be recorded after another closed
   * that second: it counts in the current one. Only a clock moved back further than this starts a
   * new second in the past.
   */
  private static final long LATE_SECONDS = 2;

  /** The longest latency recorded (longer ones count as this): an hour, in microseconds. */
  static final long MAX_MICROS = 3_600_000_000L;

  final String name;
  private final LongAdder accepted = new LongAdder();
  private final LongAdder throttled = new LongAdder();
  private final LongAdder faults = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final LongAdder cacheHits = new LongAdder();
  /** Two significant digits (1%), resized as latencies need: a few kilobytes for what a local backend sees. */
  private final Recorder latency = new Recorder(2);

  private final ReentrantLock lock = new ReentrantLock();
  /** The second the counters and the recorder hold (epoch seconds, ShuntClock's time). */
  private volatile long second;
  // Guarded by lock:
  private Histogram interval;
  private final Histogram total = new Histogram(2);
  private final long[] totals = new long[COUNTS];
  private final long[] stamps = new long[SLOTS];
  private final int[] slots = new int[SLOTS * FIELDS];

  /** Key ARN, then principal ARN: how often each used a key for this operation (bounded by the owner). */
  final ConcurrentHashMap<String, ConcurrentHashMap<String, LongAdder>> keys = new ConcurrentHashMap<>();

  OperationSeries(String name, long second) {
    this.name = name;
    this.second = second;
    java.util.Arrays.fill(stamps, Long.MIN_VALUE);
  }

  /** Counts one answered request, in the second {@code now}. */
  void record(long now, int outcome, boolean cacheHit, long micros) {
    if (now != second) {
      advance(now);
    }
    switch (outcome) {
      case ACCEPTED -> accepted.increment();
      case THROTTLED -> throttled.increment();
      case FAULTS -> faults.increment();
      default -> errors.increment();
    }
    if (cacheHit) {
      cacheHits.increment();
    }
    latency.recordValue(micros < 0 ? 0 : Math.min(micros, MAX_MICROS));
  }

  /** Closes the current second if {@code now} is a later one (or one well before it: the clock moved back). */
  private void advance(long now) {
    if (!moves(now, second)) {
      return;
    }
    lock.lock();
    try {
      long at = second;
      if (moves(now, at)) {
        close(at);
        second = now;
      }
    } finally {
      lock.unlock();
    }
  }

  private static boolean moves(long now, long at) {
    return now > at || now < at - LATE_SECONDS;
  }

  /** Puts what the counters and the recorder hold into second {@code at}'s slot. Under the lock. */
  private void close(long at) {
    interval = latency.getIntervalHistogram(interval);
    long[] counts = {accepted.sumThenReset(), throttled.sumThenReset(), faults.sumThenReset(),
        errors.sumThenReset(), cacheHits.sumThenReset()};
    long requests = counts[ACCEPTED] + counts[THROTTLED] + counts[FAULTS] + counts[ERRORS];
    if (requests == 0 && interval.getTotalCount() == 0) {
      return;
    }
    for (int i = 0; i < COUNTS; i++) {
      totals[i] += counts[i];
    }
    total.add(interval);
    int index = Math.floorMod(at, SLOTS);
    int base = index * FIELDS;
    boolean again = stamps[index] == at;
    if (!again) {
      stamps[index] = at;
      java.util.Arrays.fill(slots, base, base + FIELDS, 0);
    }
    for (int i = 0; i < COUNTS; i++) {
      slots[base + i] = saturated(slots[base + i] + counts[i]);
    }
    if (interval.getTotalCount() > 0) {
      // The same second closed twice (the clock went back and forth): its latest part's percentiles.
      slots[base + P50] = saturated(interval.getValueAtPercentile(50));
      slots[base + P90] = saturated(interval.getValueAtPercentile(90));
      slots[base + P99] = saturated(interval.getValueAtPercentile(99));
      slots[base + MAX] = Math.max(again ? slots[base + MAX] : 0, saturated(interval.getMaxValue()));
    }
  }

  private static int saturated(long value) {
    return (int) Math.min(Integer.MAX_VALUE, value);
  }

  /** What one closed second came to. */
  record Second(long t, int accepted, int throttled, int faults, int errors, int cacheHits, int p50, int p90, int p99,
      int max) {
    long requests() {
      return (long) accepted + throttled + faults + errors;
    }
  }

  /** Counts since the start (or reset), the current second's included; percentiles of the closed seconds. */
  record Totals(long accepted, long throttled, long faults, long errors, long cacheHits, long p50, long p90, long p99,
      long max) {
    long requests() {
      return accepted + throttled + faults + errors;
    }
  }

  /** What a reader sees at second {@code now}: the closed seconds from {@code from} to {@code now - 1}, and the totals. */
  record View(java.util.List<Second> seconds, Totals totals) {}

  View read(long now, long from) {
    lock.lock();
    try {
      if (moves(now, second)) {
        close(second);
        second = now;
      }
      java.util.List<Second> seconds = new java.util.ArrayList<>();
      for (long t = Math.max(from, now - SLOTS); t < now; t++) {
        int index = Math.floorMod(t, SLOTS);
        if (stamps[index] != t) {
          continue;
        }
        int base = index * FIELDS;
        seconds.add(new Second(t, slots[base + ACCEPTED], slots[base + THROTTLED], slots[base + FAULTS],
            slots[base + ERRORS], slots[base + CACHE_HITS], slots[base + P50], slots[base + P90], slots[base + P99],
            slots[base + MAX]));
      }
      boolean latencies = total.getTotalCount() > 0;
      Totals sums = new Totals(totals[ACCEPTED] + accepted.sum(), totals[THROTTLED] + throttled.sum(),
          totals[FAULTS] + faults.sum(), totals[ERRORS] + errors.sum(), totals[CACHE_HITS] + cacheHits.sum(),
          latencies ? total.getValueAtPercentile(50) : 0, latencies ? total.getValueAtPercentile(90) : 0,
          latencies ? total.getValueAtPercentile(99) : 0, latencies ? total.getMaxValue() : 0);
      return new View(seconds, sums);
    } finally {
      lock.unlock();
    }
  }
}
