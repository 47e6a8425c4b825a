package dev.shunt.backend.quota;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.PageTokens;
import dev.shunt.backend.state.RegionalStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one quota engine: a token bucket (Bucket4j) per (account, Region, quota group), holding one
 * second of the group's rate and refilled smoothly, so the sustained rate is the quota and a
 * burst may use one second's worth at once. Counts every request per (account, Region,
 * operation): accepted, throttled, faulted, and the recent rate. The check on the hot path is
 * two map lookups and one uncontended synchronized tryConsume, with no allocation. The buckets come
 * from a {@link BucketSource}: this node's memory, or Redis for one quota across several nodes.
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
  private final KmsKeySpecs keySpecs;
  private final BucketSource bucketSource;
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
    this(config, highThroughput, acceptedRegions, KmsKeySpecs.NONE);
  }

  /** @param keySpecs the spec of the key a KMS request names, for the quotas AWS charges by key type */
  public QuotaEngine(QuotaConfig config, HighThroughput highThroughput, AwsRegions acceptedRegions,
      KmsKeySpecs keySpecs) {
    this(config, highThroughput, acceptedRegions, keySpecs, BucketSource.LOCAL);
  }

  /**
   * @param bucketSource where the buckets live: this node's memory ({@link BucketSource#LOCAL}) or a
   *     store that every node of a cluster shares
   */
  public QuotaEngine(QuotaConfig config, HighThroughput highThroughput, AwsRegions acceptedRegions,
      KmsKeySpecs keySpecs, BucketSource bucketSource) {
    this.config = config;
    this.highThroughput = highThroughput;
    this.acceptedRegions = acceptedRegions;
    this.keySpecs = keySpecs;
    this.bucketSource = bucketSource;
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
    /** Answered by a cache: not charged to the quota (AWS never saw them). */
    final LongAdder cached = new LongAdder();
    final RateMeter rate = new RateMeter();
    /** The group last resolved, and for which configuration: resolving it builds strings. */
    volatile GroupChoice choice;
  }

  /**
   * @param byKeySpec whether the group gives way to the key type's (an operation AWS charges by
   *     key type, whose group the configuration has not set apart by naming the operation)
   */
  private record GroupChoice(QuotaConfig config, boolean highThroughput, String group, boolean byKeySpec) {}

  public QuotaConfig config() {
    return config;
  }

  /** Replaces the configuration; every bucket starts again full. */
  public void configure(QuotaConfig config) {
    this.config = config;
    bucketSource.configurationChanged();
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
      String group = current.groupFor(accountId, service, operation, throughput);
      boolean byKeySpec = AwsQuotaTable.chargedByKeySpec(service, operation)
          && java.util.Objects.equals(group, AwsQuotaTable.groupOf(service, operation, throughput));
      choice = new GroupChoice(current, throughput, group, byKeySpec);
      counters.choice = choice;
    }
    String group = choice.byKeySpec ? groupByKeySpec(accountId, region, operation, input, choice.group) : choice.group;
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

  /** The key type's shared group for the key the request names, or {@code otherwise} (symmetric, unknown keys). */
  private String groupByKeySpec(String accountId, String region, String operation,
      com.fasterxml.jackson.databind.node.ObjectNode input, String otherwise) {
    String keyId = AwsQuotaTable.keyIdOf(operation, input);
    String group = keyId == null ? null : AwsQuotaTable.keySpecGroup(keySpecs.keySpecOf(accountId, region, keyId));
    return group != null ? group : otherwise;
  }

  /** Counts a request a cache answered, without charging it to any quota. */
  public void servedFromCache(String accountId, String region, String service, String operation) {
    counters(scopes.get(accountId, region), service, operation).cached.increment();
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
      bucket = scope.buckets.computeIfAbsent(group, g -> bucketSource.bucket(accountId, region, g, rate));
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
    return Bucket.builder()
        .addLimit(limit(rate))
        .withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
        .build();
  }

  /** The limit of a bucket that sustains {@code rate} (above zero) requests per second and holds a second of them. */
  static Bandwidth limit(double rate) {
    long capacity = Math.max(1, (long) Math.ceil(rate));
    long periodNanos = Math.max(1, (long) (capacity / rate * 1_000_000_000L));
    return Bandwidth.builder().capacity(capacity).refillGreedy(capacity, Duration.ofNanos(periodNanos)).build();
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

  /** What one node counted for one operation in an account's Region since its start (or last reset). */
  public record Count(String accountId, String region, String service, String operation, long accepted,
      long throttled, long cached, long faulted) {}

  /** Every operation's counts, in no particular order: what a node publishes for the cluster's totals. */
  public List<Count> counts() {
    List<Count> all = new ArrayList<>();
    for (Scope scope : scopes.all()) {
      scope.counters.forEach((service, operations) -> operations.forEach((operation, counters) ->
          all.add(new Count(scope.accountId, scope.region, service, operation, counters.accepted.sum(),
              counters.throttled.sum(), counters.cached.sum(), counters.faulted.sum()))));
    }
    return all;
  }

  /** Usage entries in a page of {@code GET /_shunt/quotas} when the caller names no limit, and the most it may ask. */
  public static final int DEFAULT_PAGE_SIZE = 1000;
  public static final int MAX_PAGE_SIZE = 10_000;
  private static final String PAGE_KIND = "shunt.quotas";

  /** One usage entry, by the key the report is ordered by. */
  private record Usage(String accountId, String region, String service, String operation, Counters counters) {
    static final Comparator<Usage> ORDER = Comparator.comparing(Usage::accountId).thenComparing(Usage::region)
        .thenComparing(Usage::service).thenComparing(Usage::operation);

    /** The position a page token holds: the key of the page's last entry (no part holds a space). */
    String position() {
      return accountId + ' ' + region + ' ' + service + ' ' + operation;
    }

    static Usage at(String position) {
      String[] key = position.split(" ", -1);
      return key.length == 4 ? new Usage(key[0], key[1], key[2], key[3], null) : null;
    }
  }

  /** GET /_shunt/quotas, first page: the configuration and up to {@link #DEFAULT_PAGE_SIZE} usage entries. */
  public ObjectNode report() {
    return report(DEFAULT_PAGE_SIZE, null);
  }

  /**
   * GET /_shunt/quotas: the configuration, and per (account, Region, operation) what happened,
   * ordered by account, Region, service and operation, {@code limit} entries from where
   * {@code nextToken} (null: the start) left off, with the next page's {@code nextToken} if any
   * remain. Paged because each admitted account may have counters in every Region.
   *
   * @throws IllegalArgumentException if the limit is out of range or the token is not one this gave
   */
  public ObjectNode report(int limit, String nextToken) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("limit must be a number from 1 to " + MAX_PAGE_SIZE);
    }
    Usage after = null;
    if (nextToken != null) {
      String position = PageTokens.open(PAGE_KIND, nextToken);
      after = position == null ? null : Usage.at(position);
      if (after == null) {
        throw new IllegalArgumentException("Invalid nextToken");
      }
    }
    List<Usage> all = new ArrayList<>();
    for (Scope scope : scopes.all()) {
      scope.counters.forEach((service, operations) -> operations.forEach((operation, counters) ->
          all.add(new Usage(scope.accountId, scope.region, service, operation, counters))));
    }
    all.sort(Usage.ORDER);
    int from = 0;
    if (after != null) {
      // A seek, not a count: entries made since the last page do not shift it.
      int found = Collections.binarySearch(all, after, Usage.ORDER);
      from = found >= 0 ? found + 1 : -found - 1;
    }
    int to = Math.min(all.size(), from + limit);
    QuotaConfig current = config;
    ObjectNode report = current.toJson();
    ArrayNode usage = report.putArray("usage");
    for (Usage entry : all.subList(from, to)) {
      usage.add(render(entry, current));
    }
    if (to < all.size()) {
      report.put("nextToken", PageTokens.seal(PAGE_KIND, all.get(to - 1).position()));
    }
    return report;
  }

  /**
   * The quota each operation that requests were counted for is held to, {@code service:Operation}
   * (kms:Decrypt) to requests per second (its group's, which other operations may share), or null
   * when none applies (quotas off, an unlimited group); for an operation used in several accounts or
   * Regions, the quota where it was used most. The live statistics' {@code quotas}.
   */
  public java.util.Map<String, Double> ratesByOperation() {
    QuotaConfig current = config;
    java.util.Map<String, Double> rates = new java.util.HashMap<>();
    java.util.Map<String, Long> uses = new java.util.HashMap<>();
    for (Scope scope : scopes.all()) {
      scope.counters.forEach((service, operations) -> operations.forEach((operation, counters) -> {
        String name = service + ':' + operation;
        long used = counters.accepted.sum() + counters.throttled.sum() + counters.faulted.sum()
            + counters.cached.sum();
        Long before = uses.get(name);
        if (before == null || used > before) {
          uses.put(name, used);
          rates.put(name, quota(scope.accountId, scope.region, service, operation, counters, current));
        }
      }));
    }
    return rates;
  }

  /** The rate the operation's group is held to in the scope, or null when none applies. */
  private static Double quota(String accountId, String region, String service, String operation, Counters counters,
      QuotaConfig current) {
    if (!current.enabled()) {
      return null;
    }
    GroupChoice choice = counters.choice;
    String group = choice != null && choice.config == current ? choice.group
        : current.groupFor(accountId, service, operation, choice != null && choice.highThroughput);
    if (group == null) {
      return null;
    }
    double quota = current.rate(accountId, region, group);
    return Double.isInfinite(quota) || Double.isNaN(quota) || quota >= UNLIMITED_FROM ? null : quota;
  }

  private static ObjectNode render(Usage usage, QuotaConfig current) {
    Counters counters = usage.counters;
    ObjectNode entry = Json.object().put("account", usage.accountId).put("region", usage.region)
        .put("service", usage.service).put("operation", usage.operation);
    GroupChoice choice = counters.choice;
    String group = choice == null ? null : choice.config == current ? choice.group
        : current.groupFor(usage.accountId, usage.service, usage.operation, choice.highThroughput);
    if (group != null && current.enabled()) {
      entry.put("group", group);
      double quota = current.rate(usage.accountId, usage.region, group);
      if (!Double.isInfinite(quota)) {
        entry.put("quota", quota);
      }
    }
    return entry.put("accepted", counters.accepted.sum()).put("throttled", counters.throttled.sum())
        .put("faulted", counters.faulted.sum()).put("cached", counters.cached.sum())
        .put("ratePerSecond", counters.rate.perSecond());
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
