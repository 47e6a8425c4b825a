package dev.shunt.backend.stats;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.time.ShuntClock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the backend answered in each of the last 15 minutes' seconds, per operation
 * ({@code kms:Decrypt}): requests accepted, throttled by the quota engine, answered by an injected
 * fault or with another error, answered from a cache, and their latency percentiles; with the
 * quota of each operation and the keys most used, by whom. Served as {@code GET /_shunt/stats}
 * (the dashboard's data, and the load report's), with the cluster's nodes and totals when several
 * nodes share their quotas. Recording is allocation-free and takes a lock only
 * once a second per operation; the seconds follow the backend's movable {@link ShuntClock}.
 */
public final class LiveStats {
  /** How a request was answered: exactly one of these per request. */
  public enum Outcome {
    /** Answered as asked (from a cache or not). */
    ACCEPTED(OperationSeries.ACCEPTED),
    /** Refused by Shunt's quota engine ({@code ThrottlingException}). */
    THROTTLED(OperationSeries.THROTTLED),
    /** Answered by fault injection (an AWS error, a bare 5xx status or a connection reset). */
    FAULT(OperationSeries.FAULTS),
    /** Any other error (validation, access denied, not found, an upstream's error...). */
    ERROR(OperationSeries.ERRORS);

    final int field;

    Outcome(int field) {
      this.field = field;
    }
  }

  /** The quota of each operation, {@code service:Operation} to requests per second, or null for none. */
  @FunctionalInterface
  public interface Quotas {
    Map<String, Double> perOperation();
  }

  /** The seconds {@code /_shunt/stats} gives when not asked, and the most it gives (all it keeps). */
  public static final int DEFAULT_SECONDS = 300;
  public static final int MAX_SECONDS = OperationSeries.SLOTS;
  /** Distinct (operation, key, principal) triples counted; later ones are not (the count says how many uses). */
  static final int MAX_KEY_USERS = 10_000;
  /** Entries of {@code topKeys}. */
  static final int TOP_KEYS = 20;

  private final ShuntClock clock;
  private final Quotas quotas;
  /** The cluster's nodes and totals ({@code quota-store}), or null for a node on its own. */
  private final java.util.function.Supplier<ObjectNode> cluster;
  /** By service (signing name), then operation: looked up with the strings a request already has. */
  private volatile ConcurrentHashMap<String, ConcurrentHashMap<String, OperationSeries>> series =
      new ConcurrentHashMap<>();
  private final AtomicInteger keyUsers = new AtomicInteger();
  private final LongAdder uncountedKeyUses = new LongAdder();

  public LiveStats(ShuntClock clock, Quotas quotas) {
    this(clock, quotas, null);
  }

  /**
   * @param cluster the {@code cluster} of the report: the nodes sharing this one's quotas and, per
   *     operation, what they accepted and throttled together; null for a node on its own
   */
  public LiveStats(ShuntClock clock, Quotas quotas, java.util.function.Supplier<ObjectNode> cluster) {
    this.clock = clock;
    this.quotas = quotas;
    this.cluster = cluster;
  }

  /**
   * Counts one request answered now (on the backend's clock).
   *
   * @param service the signing name: kms, secretsmanager, ssm
   * @param cacheHit whether a cache answered it
   * @param micros how long the backend took to answer it, injected latency included
   */
  public void record(String service, String operation, Outcome outcome, boolean cacheHit, long micros) {
    series(service, operation).record(currentSecond(), outcome.field, cacheHit, micros);
  }

  /**
   * Counts one request answered at {@code answeredAtMillis} (epoch milliseconds on the backend's clock:
   * the request's time plus how long it took), which spares reading the clock again.
   */
  public void record(String service, String operation, Outcome outcome, boolean cacheHit, long micros,
      long answeredAtMillis) {
    series(service, operation).record(Math.floorDiv(answeredAtMillis, 1000), outcome.field, cacheHit, micros);
  }

  /** Counts a use of a KMS key by a principal (a request's own, or one a service made for it). */
  public void keyUsed(String service, String operation, String keyArn, String principalArn) {
    if (keyArn == null || principalArn == null) {
      return;
    }
    OperationSeries operationSeries = series(service, operation);
    ConcurrentHashMap<String, LongAdder> users = operationSeries.keys.get(keyArn);
    LongAdder count = users == null ? null : users.get(principalArn);
    if (count == null) {
      count = newKeyUser(operationSeries, keyArn, principalArn);
      if (count == null) {
        uncountedKeyUses.increment();
        return;
      }
    }
    count.increment();
  }

  private LongAdder newKeyUser(OperationSeries operationSeries, String keyArn, String principalArn) {
    if (keyUsers.get() >= MAX_KEY_USERS) {
      return null;
    }
    ConcurrentHashMap<String, LongAdder> users = operationSeries.keys.computeIfAbsent(keyArn,
        k -> new ConcurrentHashMap<>());
    return users.computeIfAbsent(principalArn, p -> {
      keyUsers.incrementAndGet();
      return new LongAdder();
    });
  }

  private OperationSeries series(String service, String operation) {
    ConcurrentHashMap<String, ConcurrentHashMap<String, OperationSeries>> all = series;
    ConcurrentHashMap<String, OperationSeries> byOperation = all.get(service);
    if (byOperation == null) {
      byOperation = all.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
    }
    OperationSeries found = byOperation.get(operation);
    return found != null ? found
        : byOperation.computeIfAbsent(operation, o -> new OperationSeries(service + ":" + o, currentSecond()));
  }

  private long currentSecond() {
    return Math.floorDiv(System.currentTimeMillis() + clock.offsetMillis(), 1000);
  }

  /** Forgets everything counted ({@code ShuntBackend.reset()}). */
  public void reset() {
    series = new ConcurrentHashMap<>();
    keyUsers.set(0);
    uncountedKeyUses.reset();
  }

  /**
   * {@code GET /_shunt/stats?seconds=N}: the last {@code seconds} closed seconds that had traffic,
   * oldest first, each with its operations' counts and latency percentiles (microseconds); the
   * quota of every operation seen; the most used (key, principal, operation); and totals since the
   * start or the last reset (counts up to now, percentiles of the closed seconds).
   */
  public ObjectNode report(int seconds) {
    if (seconds < 1 || seconds > MAX_SECONDS) {
      throw new IllegalArgumentException("seconds must be a number from 1 to " + MAX_SECONDS);
    }
    long nowMillis = System.currentTimeMillis() + clock.offsetMillis();
    long now = Math.floorDiv(nowMillis, 1000);
    long from = now - seconds;
    List<OperationSeries> operations = new ArrayList<>();
    series.values().forEach(byOperation -> operations.addAll(byOperation.values()));
    operations.sort(Comparator.comparing(s -> s.name));

    ObjectNode report = Json.object().put("now", nowMillis);
    ArrayNode secondsNode = report.putArray("seconds");
    TreeMap<Long, ObjectNode> bySecond = new TreeMap<>();
    ObjectNode totals = Json.object();
    List<KeyUser> keyUses = new ArrayList<>();
    for (OperationSeries operation : operations) {
      OperationSeries.View view = operation.read(now, from);
      for (OperationSeries.Second second : view.seconds()) {
        if (second.requests() == 0) {
          continue;
        }
        ObjectNode entry = bySecond.computeIfAbsent(second.t(), t -> {
          ObjectNode node = Json.object().put("t", t);
          node.putObject("operations");
          return node;
        });
        ((ObjectNode) entry.get("operations")).putObject(operation.name).put("requests", second.requests())
            .put("accepted", second.accepted()).put("throttled", second.throttled()).put("faults", second.faults())
            .put("errors", second.errors()).put("cacheHits", second.cacheHits()).put("p50", second.p50())
            .put("p90", second.p90()).put("p99", second.p99()).put("max", second.max());
      }
      OperationSeries.Totals sum = view.totals();
      if (sum.requests() > 0) {
        totals.putObject(operation.name).put("requests", sum.requests()).put("accepted", sum.accepted())
            .put("throttled", sum.throttled()).put("faults", sum.faults()).put("errors", sum.errors())
            .put("cacheHits", sum.cacheHits()).put("p50", sum.p50()).put("p90", sum.p90()).put("p99", sum.p99())
            .put("max", sum.max());
      }
      operation.keys.forEach((key, users) -> users.forEach((principal, count) ->
          keyUses.add(new KeyUser(key, principal, operation.name, count.sum()))));
    }
    bySecond.values().forEach(secondsNode::add);

    ObjectNode quotaNode = report.putObject("quotas");
    Map<String, Double> rates = quotas.perOperation();
    totals.fieldNames().forEachRemaining(name -> {
      Double rate = rates.get(name);
      if (rate == null || rate.isInfinite() || rate.isNaN()) {
        quotaNode.putNull(name);
      } else {
        quotaNode.put(name, rate);
      }
    });

    ArrayNode top = report.putArray("topKeys");
    keyUses.sort(Comparator.comparingLong(KeyUser::count).reversed().thenComparing(KeyUser::key)
        .thenComparing(KeyUser::principal).thenComparing(KeyUser::operation));
    for (KeyUser use : keyUses.subList(0, Math.min(TOP_KEYS, keyUses.size()))) {
      top.addObject().put("key", use.key).put("principal", use.principal).put("operation", use.operation)
          .put("count", use.count);
    }
    report.set("totals", totals);
    if (cluster != null) {
      report.set("cluster", cluster.get());
    }
    return report;
  }

  /** Uses of keys not counted per (key, principal) because {@value #MAX_KEY_USERS} pairs were counted already. */
  public long uncountedKeyUses() {
    return uncountedKeyUses.sum();
  }

  private record KeyUser(String key, String principal, String operation, long count) {}
}
