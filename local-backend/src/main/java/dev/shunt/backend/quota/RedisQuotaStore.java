package dev.shunt.backend.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.optimization.DelayParameters;
import io.github.bucket4j.distributed.proxy.optimization.OptimizationListener;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.serialization.Mapper;
import io.github.bucket4j.redis.jedis.Bucket4jJedis;
import io.github.bucket4j.redis.jedis.cas.JedisBasedProxyManager;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

/**
 * The quota buckets of a cluster, in one Redis ({@code quota-store}): every node pointed at it
 * takes from the same bucket per (account, Region, quota group), at key {@code
 * shunt:quota:ACCOUNT:REGION:GROUP}, through Bucket4j's Redis integration (compare-and-swap over
 * Jedis).
 *
 * <p>The check runs on Netty's event loop, so most of it stays local: each bucket uses Bucket4j's
 * <em>delaying</em> optimization, which answers from a local copy of the shared state and writes
 * what it took to Redis when it has taken {@link #unsynchronizedTokens(double) 1 % of a second's
 * tokens} or {@link #MAX_UNSYNCHRONIZED_TIME} has passed, whichever comes first. Nothing taken is
 * lost (the bucket may go into debt, which throttles every node until refilled), so over any run
 * the cluster accepts the quota's rate, give or take what the nodes took in their last unsynchronized
 * stretch: at most about twice that 1 % per node.
 *
 * <p>Redis down (refused, timed out, stopped): the call that finds it fails over at once to a local
 * bucket at quota/N, N the nodes alive when Redis was last seen, and no request calls Redis again
 * until the heartbeat thread (once a second, never the event loop) reaches it; one {@code [shunt]}
 * line says each change. The heartbeat also writes this node's counts at {@code shunt:node:NODE}
 * (expiring after {@link #NODE_TTL}) and reads every live node's, for the cluster's totals.
 */
public final class RedisQuotaStore implements BucketSource, AutoCloseable {
  /** The longest any Redis command may take (connect, read): a request never waits longer for its quota. */
  static final Duration COMMAND_TIMEOUT = Duration.ofMillis(200);
  static final Duration HEARTBEAT = Duration.ofSeconds(1);
  static final Duration NODE_TTL = Duration.ofSeconds(5);
  /** The longest a node answers from its local copy of a bucket before it writes to Redis what it took. */
  static final Duration MAX_UNSYNCHRONIZED_TIME = Duration.ofMillis(10);
  /** How long an idle bucket's key stays after it has refilled: a returning client finds it full anyway. */
  static final Duration KEEP_IDLE_BUCKET = Duration.ofSeconds(10);
  static final String NODE_PREFIX = "shunt:node:";
  static final String NODES_KEY = "shunt:nodes";

  /**
   * Writes this node's counts with their expiry, then returns every live node's id and counts
   * (and forgets the ids whose counts have expired): one round trip, atomic.
   */
  private static final String HEARTBEAT_SCRIPT = String.join("\n",
      "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])",
      "redis.call('SADD', KEYS[2], ARGV[3])",
      "local found = {}",
      "for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do",
      "  local counts = redis.call('GET', ARGV[4] .. id)",
      "  if counts then",
      "    table.insert(found, id)",
      "    table.insert(found, counts)",
      "  else",
      "    redis.call('SREM', KEYS[2], id)",
      "  end",
      "end",
      "return found");

  /** Why this node enforces its quotas locally, since when, and at what share of each quota. */
  public record Outage(int nodes, String reason, long sinceMillis) {}

  /** The cluster as the last heartbeat saw it: live node ids (sorted) and each one's counts. */
  record View(List<String> nodes, List<QuotaEngine.Count> counts, long atMillis) {
    static final View NONE = new View(List.of(), List.of(), 0);
  }

  private final RedisLocation location;
  private final String nodeId;
  private final RedisClient redis;
  private final JedisBasedProxyManager<String> proxies;
  private final AtomicReference<Outage> outage = new AtomicReference<>();
  private final ScheduledThreadPoolExecutor heartbeat;
  private volatile long configurationVersion = System.currentTimeMillis();
  /** Nodes alive (this one included) when Redis was last seen; 1 until it is seen. */
  private volatile int liveNodes = 1;
  private volatile View view = View.NONE;
  private volatile Supplier<List<QuotaEngine.Count>> counts = List::of;
  private volatile boolean closed;
  /** Checks against the shared buckets, and those of them answered from the local copy, without Redis. */
  private final LongAdder checks = new LongAdder();
  private final LongAdder answeredLocally = new LongAdder();
  private final OptimizationListener listener = new OptimizationListener() {
    @Override
    public void incrementMergeCount(int count) {}

    @Override
    public void incrementSkipCount(int count) {
      answeredLocally.add(count);
    }
  };

  /** Connects nothing yet: {@link #start} does, once the engine whose counts it publishes exists. */
  public RedisQuotaStore(RedisLocation location, String nodeId) {
    this.location = location;
    this.nodeId = nodeId;
    GenericObjectPoolConfig<Connection> poolConfig = new GenericObjectPoolConfig<>();
    poolConfig.setMaxTotal(16);
    poolConfig.setMaxIdle(16);
    poolConfig.setMaxWait(COMMAND_TIMEOUT);
    // No evictor thread and no JMX registration: closing the pool leaves nothing behind.
    poolConfig.setTimeBetweenEvictionRuns(Duration.ofMillis(-1));
    poolConfig.setJmxEnabled(false);
    // A new connection says nothing it need not (no CLIENT SETNAME, no CLIENT SETINFO): to a Redis that has
    // stopped answering, each would be one more command timeout for the request that opened the connection.
    DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis((int) COMMAND_TIMEOUT.toMillis())
        .socketTimeoutMillis((int) COMMAND_TIMEOUT.toMillis())
        .database(location.database())
        .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
    if (location.password() != null) {
      client.user(location.user()).password(location.password());
    }
    this.redis = RedisClient.builder().hostAndPort(location.host(), location.port()).clientConfig(client.build())
        .poolConfig(poolConfig).build();
    this.proxies = Bucket4jJedis.casBasedBuilder(redis)
        .keyMapper(Mapper.STRING)
        // No request timeout of Bucket4j's own: each Redis command has the client's, and a check that took long
        // because this JVM paused (GC, a busy machine) is no sign of Redis gone.
        .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_IDLE_BUCKET))
        .build();
    this.heartbeat = new ScheduledThreadPoolExecutor(1, task -> {
      Thread thread = new Thread(task, "shunt-quota-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
    heartbeat.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  /**
   * Publishes {@code counts} (the engine's) from now on: beats once on the calling thread (so that a
   * Redis out of reach is said at start, and the cluster's size known), then once a second.
   */
  public void start(Supplier<List<QuotaEngine.Count>> counts) {
    this.counts = counts;
    beat();
    long period = HEARTBEAT.toMillis();
    heartbeat.scheduleWithFixedDelay(this::beat, period, period, TimeUnit.MILLISECONDS);
  }

  /** {@code redis://HOST:PORT/DB}, never with the password. */
  public RedisLocation location() {
    return location;
  }

  @Override
  public Bucket bucket(String accountId, String region, String group, double rate) {
    if (rate <= 0) {
      // Throttles everything: nothing to share.
      return QuotaEngine.bucket(rate);
    }
    BucketConfiguration configuration = BucketConfiguration.builder().addLimit(QuotaEngine.limit(rate)).build();
    return new SharedBucket(this, proxies.builder()
        .withOptimization(Optimizations.delaying(new DelayParameters(unsynchronizedTokens(rate),
            MAX_UNSYNCHRONIZED_TIME)).withListener(listener))
        // A node whose configuration is newer replaces the stored one (Bucket4j replaces only a lower version).
        .withImplicitConfigurationReplacement(configurationVersion, TokensInheritanceStrategy.AS_IS)
        .build(key(accountId, region, group), () -> configuration), rate);
  }

  /** {@code shunt:quota:ACCOUNT:REGION:GROUP}. */
  static String key(String accountId, String region, String group) {
    return "shunt:quota:" + accountId + ":" + region + ":" + group;
  }

  /**
   * The tokens a node may take from its local copy of a bucket before it writes them to Redis: 1 % of
   * a second's tokens, at least one (a small quota is then checked with Redis nearly every time).
   */
  static long unsynchronizedTokens(double rate) {
    return Math.max(1, (long) Math.floor(rate / 100));
  }

  /**
   * The configuration changed: the buckets made from now on carry a newer version, which replaces
   * the stored configuration (a lowered rate as much as a raised one: hence a version that grows
   * with the time the configuration was set, not one computed from the rate alone).
   */
  @Override
  public void configurationChanged() {
    configurationVersion = Math.max(configurationVersion + 1, System.currentTimeMillis());
  }

  /** A check goes to a shared bucket (which may answer it from its local copy). */
  void checking() {
    checks.increment();
  }

  /** Why the quotas are local now, or null while the buckets are shared. */
  public Outage outage() {
    return outage.get();
  }

  /** The current outage, or what one would be now. */
  Outage outageOrNone() {
    Outage current = outage.get();
    return current != null ? current : new Outage(Math.max(1, liveNodes), "", System.currentTimeMillis());
  }

  /** A Redis call failed: the quotas go local, said once, until the heartbeat reaches Redis again. */
  void lost(Throwable failure) {
    if (closed || outage.get() != null) {
      return;
    }
    int nodes = Math.max(1, liveNodes);
    Outage next = new Outage(nodes, reason(failure), System.currentTimeMillis());
    if (outage.compareAndSet(null, next)) {
      say("quota store " + location + " unreachable (" + next.reason + "): node " + nodeId
          + " enforces each quota locally at quota/" + nodes + " (" + nodes + (nodes == 1 ? " node" : " nodes")
          + " alive when Redis was last seen); trying again every second");
    }
  }

  private void back() {
    Outage was = outage.get();
    if (was != null && outage.compareAndSet(was, null)) {
      say("quota store " + location + " reachable again: node " + nodeId + " shares its quota buckets again");
    }
  }

  private static void say(String line) {
    System.err.println("[shunt] " + line);
  }

  /**
   * What went wrong, from the innermost failure that says something (a refused connection is a
   * suppressed one of the client's), without the password.
   */
  private String reason(Throwable failure) {
    Throwable said = null;
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
        said = cause;
      }
      for (Throwable suppressed : cause.getSuppressed()) {
        if (suppressed.getMessage() != null && !suppressed.getMessage().isBlank()) {
          said = suppressed;
        }
      }
    }
    if (said == null) {
      return failure.getClass().getSimpleName();
    }
    String message = said.getMessage();
    Throwable inner = said.getCause();
    if (inner != null && inner.getMessage() != null && !message.contains(inner.getMessage())) {
      message += ": " + inner.getMessage();
    }
    return location.scrub(said.getClass().getSimpleName() + ": " + message);
  }

  /** One heartbeat: reach Redis (after an outage), publish this node's counts, read the cluster's. */
  private void beat() {
    if (closed) {
      return;
    }
    try {
      if (outage.get() != null) {
        // The idle connections predate the outage: a restarted Redis closed them, and the first request to
        // borrow one would fail again.
        redis.getPool().clear();
      }
      String published = Json.text(countsJson(counts.get()));
      @SuppressWarnings("unchecked")
      List<Object> found = (List<Object>) redis.eval(HEARTBEAT_SCRIPT, List.of(NODE_PREFIX + nodeId, NODES_KEY),
          List.of(published, Long.toString(NODE_TTL.toMillis()), nodeId, NODE_PREFIX));
      List<String> nodes = new ArrayList<>();
      List<QuotaEngine.Count> all = new ArrayList<>();
      for (int i = 0; i + 1 < found.size(); i += 2) {
        String id = String.valueOf(found.get(i));
        nodes.add(id);
        readCounts(String.valueOf(found.get(i + 1)), all);
      }
      nodes.sort(null);
      view = new View(List.copyOf(nodes), List.copyOf(all), System.currentTimeMillis());
      liveNodes = Math.max(1, nodes.size());
      back();
    } catch (RuntimeException | IOException e) {
      if (!closed) {
        lost(e);
      }
    }
  }

  private static ObjectNode countsJson(List<QuotaEngine.Count> counts) {
    ObjectNode node = Json.object();
    ArrayNode entries = node.putArray("counts");
    for (QuotaEngine.Count count : counts) {
      entries.addArray().add(count.accountId()).add(count.region()).add(count.service()).add(count.operation())
          .add(count.accepted()).add(count.throttled()).add(count.cached()).add(count.faulted());
    }
    return node;
  }

  private static void readCounts(String json, List<QuotaEngine.Count> into) throws IOException {
    JsonNode entries = Json.readTree(json).path("counts");
    for (JsonNode entry : entries) {
      if (entry.size() == 8) {
        into.add(new QuotaEngine.Count(entry.get(0).asText(), entry.get(1).asText(), entry.get(2).asText(),
            entry.get(3).asText(), entry.get(4).asLong(), entry.get(5).asLong(), entry.get(6).asLong(),
            entry.get(7).asLong()));
      }
    }
  }

  /** The cluster as the last heartbeat saw it. */
  View view() {
    return view;
  }

  /**
   * {@code GET /_shunt/quotas}'s {@code cluster}: the store (without its password), this node,
   * whether the buckets are shared now (else why not and at what share), the live nodes, and per
   * (account, Region, service, operation) the sums of every live node's counts, as the last
   * heartbeat read them.
   */
  public ObjectNode report() {
    View seen = view;
    ObjectNode cluster = header(seen);
    ArrayNode usage = cluster.putArray("usage");
    java.util.TreeMap<String, long[]> sums = new java.util.TreeMap<>();
    java.util.Map<String, QuotaEngine.Count> names = new java.util.HashMap<>();
    for (QuotaEngine.Count count : seen.counts()) {
      String key = count.accountId() + ' ' + count.region() + ' ' + count.service() + ' ' + count.operation();
      names.putIfAbsent(key, count);
      add(sums.computeIfAbsent(key, k -> new long[4]), count);
    }
    sums.forEach((key, sum) -> {
      QuotaEngine.Count name = names.get(key);
      usage.addObject().put("account", name.accountId()).put("region", name.region()).put("service", name.service())
          .put("operation", name.operation()).put("accepted", sum[0]).put("throttled", sum[1]).put("cached", sum[2])
          .put("faulted", sum[3]);
    });
    return cluster;
  }

  /**
   * {@code GET /_shunt/stats}' {@code cluster}: the live nodes and, per {@code service:Operation}
   * (every account and Region together), the requests the cluster accepted and throttled.
   */
  public ObjectNode statsReport() {
    View seen = view;
    ObjectNode cluster = header(seen);
    java.util.TreeMap<String, long[]> sums = new java.util.TreeMap<>();
    for (QuotaEngine.Count count : seen.counts()) {
      add(sums.computeIfAbsent(count.service() + ':' + count.operation(), k -> new long[4]), count);
    }
    ObjectNode operations = cluster.putObject("operations");
    sums.forEach((name, sum) -> operations.putObject(name).put("accepted", sum[0]).put("throttled", sum[1]));
    return cluster;
  }

  private ObjectNode header(View seen) {
    ObjectNode cluster = Json.object().put("store", location.toString()).put("node", nodeId);
    Outage now = outage.get();
    cluster.put("shared", now == null);
    if (now != null) {
      cluster.putObject("local").put("share", "quota/" + now.nodes()).put("nodes", now.nodes())
          .put("reason", now.reason()).put("sinceEpochSeconds", now.sinceMillis() / 1000.0);
    }
    ArrayNode nodes = cluster.putArray("nodes");
    seen.nodes().forEach(nodes::add);
    cluster.put("seenEpochSeconds", seen.atMillis() / 1000.0);
    long all = checks.sum();
    long local = Math.min(all, answeredLocally.sum());
    cluster.putObject("checks").put("shared", all).put("answeredLocally", local).put("withRedis", all - local);
    return cluster;
  }

  private static void add(long[] sum, QuotaEngine.Count count) {
    sum[0] += count.accepted();
    sum[1] += count.throttled();
    sum[2] += count.cached();
    sum[3] += count.faulted();
  }

  /**
   * Stops the heartbeat (waiting for a beat under way), takes this node out of the cluster's list
   * if Redis is reachable, and closes the connections: no thread is left.
   */
  @Override
  public void close() {
    closed = true;
    heartbeat.shutdownNow();
    try {
      heartbeat.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (outage.get() == null) {
      try {
        redis.del(NODE_PREFIX + nodeId);
        redis.srem(NODES_KEY, nodeId);
      } catch (RuntimeException e) {
        // Its counts expire by themselves.
      }
    }
    redis.close();
  }
}
