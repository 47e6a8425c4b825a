package dev.shunt.backend.quota;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.state.RegionalStore;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one quota engine: a token bucket (Bucket4j) per (account, Region, quota group), holding one
 * second of the group's rate and refilled smoothly, so the sustained rate is the quota and a
 * burst may use one second's worth at once. Counts every request per (account, Region,
 * operation): accepted, throttled, faulted, and the recent rate. The check on the hot path is
 * two map lookups and one uncontended synchronized tryConsume, with no allocation.
 */
public final class QuotaEngine {
  /** Whether an account's throughput setting (SSM's higher throughput) is on in a Region. */
  @FunctionalInterface
  public interface HighThroughput {
    boolean enabled(String accountId, String region);
  }

  /** Bucket4j refills at most a token a nanosecond; a quota that high limits nothing anyway. */
  static final double UNLIMITED_FROM = 1e9;

  private volatile QuotaConfig config;
  private final HighThroughput highThroughput;
  private final AwsRegions acceptedRegions;
  private final RegionalStore<Scope> scopes = new RegionalStore<>(Scope::new);

  /** An engine that charges only AWS's published Regions. */
  public QuotaEngine(QuotaConfig config, HighThroughput highThroughput) {
    this(config, highThroughput, AwsRegions.published());
  }

  /**
   * @param acceptedRegions the Regions a charge named by a request's input (ReplicateKey's
   *     ReplicaRegion) may go to: each charged Region gets buckets and counters
   */
  public QuotaEngine(QuotaConfig config, HighThroughput highThroughput, AwsRegions acceptedRegions) {
    this.config = config;
    this.highThroughput = highThroughput;
    this.acceptedRegions = acceptedRegions;
  }

  /** The buckets and counters of one account in one Region. */
  private static final class Scope {
    final String accountId;
    final String region;
    final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    /** By service, then operation: KMS and Secrets Manager both have a TagResource. */
    final ConcurrentHashMap<String, ConcurrentHashMap<String, Counters>> counters = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, String> unlimited = new ConcurrentHashMap<>();

    Scope(String accountId, String region) {
      this.accountId = accountId;
      this.region = region;
    }
  }

  /** What happened to one operation's requests. */
  private static final class Counters {
    final LongAdder accepted = new LongAdder();
    final LongAdder throttled = new LongAdder();
    final LongAdder faulted = new LongAdder();
    final RateMeter rate = new RateMeter();
    /** The group last resolved, and for which configuration: resolving it builds strings. */
    volatile GroupChoice choice;
  }

  private record GroupChoice(QuotaConfig config, boolean highThroughput, String group) {}

  public QuotaConfig config() {
    return config;
  }

  /** Replaces the configuration; every bucket starts again full. */
  public void configure(QuotaConfig config) {
    this.config = config;
    for (Scope scope : scopes.all()) {
      scope.buckets.clear();
      scope.unlimited.clear();
    }
  }

  public void reset() {
    scopes.clear();
  }

  /**
   * Takes the request's quota: true if it may go on, false if it is throttled (and counts it).
   * {@code service} is the signing name (kms, secretsmanager, ssm).
   */
  public boolean acquire(String accountId, String region, String service, String operation,
      com.fasterxml.jackson.databind.node.ObjectNode input) {
    Scope scope = scopes.get(accountId, region);
    Counters counters = counters(scope, service, operation);
    QuotaConfig current = config;
    if (!current.enabled()) {
      counters.accepted.increment();
      counters.rate.record();
      return true;
    }
    boolean throughput = service.equals("ssm") && highThroughput.enabled(accountId, region);
    GroupChoice choice = counters.choice;
    if (choice == null || choice.config != current || choice.highThroughput != throughput) {
      choice = new GroupChoice(current, throughput, current.groupFor(accountId, service, operation, throughput));
      counters.choice = choice;
    }
    String group = choice.group;
    boolean accepted = group == null || take(scope, accountId, region, group, 1, current);
    if (accepted) {
      List<AwsQuotaTable.Charge> extra = AwsQuotaTable.extraCharges(service, operation, input);
      for (int i = 0; i < extra.size() && accepted; i++) {
        AwsQuotaTable.Charge charge = extra.get(i);
        String chargeRegion = charge.region() == null ? region : charge.region();
        if (!chargeRegion.equals(region) && !acceptedRegions.accepts(chargeRegion)) {
          // The operation refuses a Region that does not exist; charging it would make state for it.
          continue;
        }
        accepted = take(scopes.get(accountId, chargeRegion), accountId, chargeRegion, charge.group(), charge.cost(),
            current);
      }
    }
    if (accepted) {
      counters.accepted.increment();
      counters.rate.record();
    } else {
      counters.throttled.increment();
    }
    return accepted;
  }

  /** Counts a request that fault injection answered with an error. */
  public void faulted(String accountId, String region, String service, String operation) {
    counters(scopes.get(accountId, region), service, operation).faulted.increment();
  }

  private boolean take(Scope scope, String accountId, String region, String group, int cost, QuotaConfig current) {
    if (scope.unlimited.containsKey(group)) {
      return true;
    }
    Bucket bucket = scope.buckets.get(group);
    if (bucket == null) {
      double rate = current.rate(accountId, region, group);
      if (rate >= UNLIMITED_FROM) {
        scope.unlimited.put(group, group);
        return true;
      }
      bucket = scope.buckets.computeIfAbsent(group, g -> bucket(rate));
    }
    return bucket.tryConsume(cost);
  }

  /**
   * A bucket that sustains {@code rate} requests per second and holds one second of them (at
   * least one request). A rate of zero throttles everything.
   */
  static Bucket bucket(double rate) {
    if (rate <= 0) {
      return emptyBucket();
    }
    long capacity = Math.max(1, (long) Math.ceil(rate));
    long periodNanos = Math.max(1, (long) (capacity / rate * 1_000_000_000L));
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(capacity).refillGreedy(capacity, Duration.ofNanos(periodNanos)))
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
        .build();
  }

  /** A bucket whose one token is spent and comes back in a century: every request is throttled. */
  private static Bucket emptyBucket() {
    Bucket bucket = Bucket.builder().addLimit(limit -> limit.capacity(1).refillGreedy(1, Duration.ofDays(36_500)))
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED).build();
    bucket.tryConsume(1);
    return bucket;
  }

  private static Counters counters(Scope scope, String service, String operation) {
    ConcurrentHashMap<String, Counters> byOperation = scope.counters.get(service);
    if (byOperation == null) {
      byOperation = scope.counters.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
    }
    Counters counters = byOperation.get(operation);
    return counters != null ? counters : byOperation.computeIfAbsent(operation, o -> new Counters());
  }

  /** GET /_shunt/quotas: the configuration, and per (account, Region, operation) what happened. */
  public ObjectNode report() {
    QuotaConfig current = config;
    ObjectNode report = current.toJson();
    ArrayNode usage = report.putArray("usage");
    for (Scope scope : scopes.all()) {
      scope.counters.forEach((service, operations) -> operations.forEach((operation, counters) -> {
        ObjectNode entry = usage.addObject().put("account", scope.accountId).put("region", scope.region)
            .put("service", service).put("operation", operation);
        GroupChoice choice = counters.choice;
        String group = choice == null ? null : choice.config == current ? choice.group
            : current.groupFor(scope.accountId, service, operation, choice.highThroughput);
        if (group != null && current.enabled()) {
          entry.put("group", group);
          double quota = current.rate(scope.accountId, scope.region, group);
          if (!Double.isInfinite(quota)) {
            entry.put("quota", quota);
          }
        }
        entry.put("accepted", counters.accepted.sum()).put("throttled", counters.throttled.sum())
            .put("faulted", counters.faulted.sum()).put("ratePerSecond", counters.rate.perSecond());
      }));
    }
    return report;
  }

  /** Accepted requests in each of the last 8 seconds; the rate is the mean of the 5 full seconds before now. */
  static final class RateMeter {
    private static final int SLOTS = 8;
    private final AtomicLongArray counts = new AtomicLongArray(SLOTS);
    private final AtomicLongArray seconds = new AtomicLongArray(SLOTS);

    void record() {
      long second = System.currentTimeMillis() / 1000;
      int slot = (int) (second % SLOTS);
      long seen = seconds.get(slot);
      if (seen != second && seconds.compareAndSet(slot, seen, second)) {
        counts.set(slot, 0);
      }
      counts.incrementAndGet(slot);
    }

    double perSecond() {
      long now = System.currentTimeMillis() / 1000;
      long total = 0;
      for (long second = now - 5; second < now; second++) {
        int slot = (int) (second % SLOTS);
        if (seconds.get(slot) == second) {
          total += counts.get(slot);
        }
      }
      return total / 5.0;
    }
  }
}
