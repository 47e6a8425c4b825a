package dev.shunt.loadtest;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.HdrHistogram.Histogram;

/**
 * What the client saw, per operation and per epoch second: calls offered, attempts sent and how
 * each was answered, retries and the backoff before them, final errors, and call latency
 * percentiles (HdrHistogram). Thread-safe; recording is a map lookup and a short lock on one
 * operation's second.
 *
 * <p>Each number is counted in the second its event belongs to, so that the seconds line up with
 * the server's ({@code GET /_shunt/stats} counts a request in the second it arrived):
 * <ul>
 *   <li>{@code offered}, {@code skipped}: the second the call was meant to start (open loop: its
 *       scheduled time, however late the client was; closed loop: when it started);</li>
 *   <li>{@code attempts}, {@code accepted}, {@code throttled}, {@code retries},
 *       {@code attemptErrors}, the backoff: the second the attempt was sent;</li>
 *   <li>{@code completed}, {@code errors}, {@code retriesRefused}, the latency percentiles: the
 *       second the call ended.</li>
 * </ul>
 * Latencies and backoffs are in microseconds. A second's histograms are reduced to their
 * percentiles once {@link #seal} passes it, so a long run keeps a few numbers per second, not a
 * histogram.
 */
final class LoadStats {
  /** How one HTTP attempt was answered. */
  enum Outcome {
    /** 2xx: the server accepted and answered it. */
    OK,
    /** The service's throttling error (or HTTP 429). */
    THROTTLED,
    /** Any other error answer. */
    ERROR,
    /** No answer: connection, timeout or read failure. */
    IO_ERROR
  }

  /** 1 µs to one hour: any latency a call can have. */
  private static final long HIGHEST_MICROS = 3_600_000_000L;

  private final List<String> operations;
  private final ConcurrentSkipListMap<Long, Cell[]> seconds = new ConcurrentSkipListMap<>();
  private final Totals[] totals;
  private volatile long sealedBefore = Long.MIN_VALUE;

  LoadStats(List<String> operations) {
    this.operations = List.copyOf(operations);
    this.totals = new Totals[operations.size()];
    for (int i = 0; i < totals.length; i++) {
      totals[i] = new Totals();
    }
  }

  List<String> operations() {
    return operations;
  }

  /** A call of operation {@code op} is (or was meant to be) started at {@code epochMillis}. */
  void offered(int op, long epochMillis) {
    Cell cell = cell(op, epochMillis);
    synchronized (cell) {
      cell.offered++;
    }
  }

  /**
   * An offered call the open loop could not start: every worker busy and the queue full. It was
   * counted as offered (by {@link #offered}) and is never counted as a call.
   */
  void skipped(int op, long epochMillis) {
    Cell cell = cell(op, epochMillis);
    synchronized (cell) {
      cell.skipped++;
    }
  }

  /**
   * An attempt sent at {@code epochMillis}: its number (1 for the first), how it was answered, and
   * the backoff the client waited since the previous attempt ended ({@code < 0}: none or unknown).
   */
  void attempt(int op, long epochMillis, int number, Outcome outcome, long backoffMicros) {
    Cell cell = cell(op, epochMillis);
    boolean histogram = number > 1 && backoffMicros >= 0;
    synchronized (cell) {
      cell.attempts++;
      switch (outcome) {
        case OK -> cell.accepted++;
        case THROTTLED -> cell.throttled++;
        default -> cell.attemptErrors++;
      }
      if (number > 1) {
        cell.retries++;
      }
      if (histogram) {
        cell.backoffCount++;
        cell.backoffSum += backoffMicros;
        cell.backoffMax = Math.max(cell.backoffMax, backoffMicros);
      }
    }
    if (histogram) {
      totals[op].recordBackoff(backoffMicros);
    }
  }

  /**
   * A call that failed at {@code epochMillis} on an answer the SDK retries (a throttle, a 5xx, no
   * answer) with attempts left: the SDK's retry quota refused the retry.
   */
  void retryRefused(int op, long epochMillis) {
    Cell cell = cell(op, epochMillis);
    synchronized (cell) {
      cell.retriesRefused++;
    }
  }

  /** A call ended at {@code epochMillis} after {@code latencyMicros}; {@code errorCode} null if it succeeded. */
  void call(int op, long epochMillis, long latencyMicros, String errorCode) {
    Cell cell = cell(op, epochMillis);
    long latency = Math.max(1, Math.min(latencyMicros, HIGHEST_MICROS));
    synchronized (cell) {
      cell.completed++;
      if (errorCode != null) {
        cell.errors++;
      }
      if (cell.latencySummary == null) {
        if (cell.latency == null) {
          cell.latency = newSecondHistogram();
        }
        cell.latency.recordValue(latency);
      } else {
        // A late call in a sealed second (its clock went backwards): it still counts in the totals.
        cell.lateCalls++;
      }
    }
    totals[op].recordCall(latency, errorCode);
  }

  /** Reduces the histograms of every second before {@code epochSecond} to their percentiles. */
  void seal(long epochSecond) {
    sealedBefore = Math.max(sealedBefore, epochSecond);
    for (Map.Entry<Long, Cell[]> entry : seconds.headMap(epochSecond).entrySet()) {
      for (Cell cell : entry.getValue()) {
        synchronized (cell) {
          cell.seal();
        }
      }
    }
  }

  /** The first and last second anything was counted in, or null when nothing was. */
  long[] span() {
    if (seconds.isEmpty()) {
      return null;
    }
    return new long[] {seconds.firstKey(), seconds.lastKey()};
  }

  /**
   * Every second from {@code fromSecond} to {@code toSecond} (inclusive; seconds without any
   * event are there with zeros), oldest first, shaped as the server's {@code /_shunt/stats}
   * seconds: {@code {"t": S, "operations": {"kms:Decrypt": {...}}}}.
   */
  List<ObjectNode> seconds(long fromSecond, long toSecond) {
    List<ObjectNode> list = new ArrayList<>();
    for (long t = fromSecond; t <= toSecond; t++) {
      ObjectNode second = JsonNodeFactory.instance.objectNode().put("t", t);
      ObjectNode ops = second.putObject("operations");
      Cell[] cells = seconds.get(t);
      for (int op = 0; op < operations.size(); op++) {
        Cell cell = cells == null ? new Cell() : cells[op];
        synchronized (cell) {
          ops.set(operations.get(op), cell.toJson());
        }
      }
      list.add(second);
    }
    return list;
  }

  /** The run's totals per operation: counts, error codes, latency and backoff percentiles. */
  ObjectNode totals(double durationSeconds) {
    ObjectNode all = JsonNodeFactory.instance.objectNode();
    for (int op = 0; op < operations.size(); op++) {
      long[] counts = new long[Cell.COUNTS];
      for (Cell[] cells : seconds.values()) {
        Cell cell = cells[op];
        synchronized (cell) {
          cell.addCountsTo(counts);
        }
      }
      ObjectNode node = all.putObject(operations.get(op));
      Cell.putCounts(node, counts);
      if (durationSeconds > 0) {
        node.put("offeredPerSecond", round(counts[0] / durationSeconds));
        node.put("acceptedPerSecond", round(counts[3] / durationSeconds));
      }
      totals[op].putJson(node);
    }
    return all;
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  private Cell cell(int op, long epochMillis) {
    long second = Math.floorDiv(epochMillis, 1000);
    Cell[] cells = seconds.get(second);
    if (cells == null) {
      cells = seconds.computeIfAbsent(second, s -> {
        Cell[] fresh = new Cell[operations.size()];
        for (int i = 0; i < fresh.length; i++) {
          fresh[i] = new Cell();
          if (s < sealedBefore) {
            fresh[i].seal();
          }
        }
        return fresh;
      });
    }
    return cells[op];
  }

  /** Two significant digits per second (a few KB, dropped when sealed); the totals keep three. */
  private static Histogram newSecondHistogram() {
    return new Histogram(1, HIGHEST_MICROS, 2);
  }

  /** One operation's one second. Guarded by its own monitor. */
  private static final class Cell {
    static final int COUNTS = 11;
    long offered;
    long skipped;
    long attempts;
    long accepted;
    long throttled;
    long retries;
    long attemptErrors;
    long completed;
    long errors;
    long lateCalls;
    long retriesRefused;
    long backoffCount;
    long backoffSum;
    long backoffMax;
    Histogram latency;
    /** p50, p90, p99, max once sealed; null before. */
    long[] latencySummary;

    void seal() {
      if (latencySummary == null) {
        latencySummary = latency == null || latency.getTotalCount() == 0 ? new long[0] : summary(latency);
        latency = null;
      }
    }

    private static long[] summary(Histogram histogram) {
      return new long[] {histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
          histogram.getValueAtPercentile(99), histogram.getMaxValue()};
    }

    void addCountsTo(long[] counts) {
      counts[0] += offered;
      counts[1] += skipped;
      counts[2] += attempts;
      counts[3] += accepted;
      counts[4] += throttled;
      counts[5] += retries;
      counts[6] += attemptErrors;
      counts[7] += completed;
      counts[8] += errors;
      counts[9] += backoffCount;
      counts[10] += retriesRefused;
    }

    static void putCounts(ObjectNode node, long[] counts) {
      node.put("offered", counts[0]).put("skipped", counts[1]).put("attempts", counts[2])
          .put("accepted", counts[3]).put("throttled", counts[4]).put("retries", counts[5])
          .put("attemptErrors", counts[6]).put("completed", counts[7]).put("errors", counts[8])
          .put("succeeded", counts[7] - counts[8]).put("retriesRefused", counts[10]);
    }

    ObjectNode toJson() {
      long[] counts = new long[COUNTS];
      addCountsTo(counts);
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      putCounts(node, counts);
      long[] latencies = latencySummary != null ? latencySummary
          : latency == null || latency.getTotalCount() == 0 ? new long[0] : summary(latency);
      if (latencies.length == 4) {
        node.put("p50", latencies[0]).put("p90", latencies[1]).put("p99", latencies[2]).put("max", latencies[3]);
      } else {
        node.putNull("p50").putNull("p90").putNull("p99").putNull("max");
      }
      if (backoffCount > 0) {
        node.put("backoffMean", backoffSum / backoffCount).put("backoffMax", backoffMax);
      } else {
        node.putNull("backoffMean").putNull("backoffMax");
      }
      return node;
    }
  }

  /** One operation's whole-run histograms and error codes. */
  private static final class Totals {
    private final Histogram latency = new Histogram(1, HIGHEST_MICROS, 3);
    private final Histogram backoff = new Histogram(1, HIGHEST_MICROS, 3);
    private final Map<String, Long> errorCodes = new ConcurrentHashMap<>();

    synchronized void recordCall(long latencyMicros, String errorCode) {
      latency.recordValue(latencyMicros);
      if (errorCode != null) {
        errorCodes.merge(errorCode, 1L, Long::sum);
      }
    }

    synchronized void recordBackoff(long micros) {
      backoff.recordValue(Math.max(1, Math.min(micros, HIGHEST_MICROS)));
    }

    synchronized void putJson(ObjectNode node) {
      ObjectNode codes = node.putObject("errorCodes");
      new TreeMap<>(errorCodes).forEach(codes::put);
      node.set("latency", percentiles(latency, true));
      node.set("backoff", percentiles(backoff, false));
    }

    private static ObjectNode percentiles(Histogram histogram, boolean p999) {
      ObjectNode node = JsonNodeFactory.instance.objectNode().put("count", histogram.getTotalCount());
      if (histogram.getTotalCount() == 0) {
        return node;
      }
      node.put("mean", Math.round(histogram.getMean())).put("p50", histogram.getValueAtPercentile(50))
          .put("p90", histogram.getValueAtPercentile(90)).put("p99", histogram.getValueAtPercentile(99));
      if (p999) {
        node.put("p999", histogram.getValueAtPercentile(99.9));
      }
      return node.put("max", histogram.getMaxValue());
    }
  }
}
