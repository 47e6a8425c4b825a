package dev.shunt.backend.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * One quota across three nodes (three backends in this JVM) sharing one real Redis
 * ({@code quota-store}), driven by the real SDK with retries off: the accepted rate across the
 * nodes is the quota; with Redis stopped each node holds quota/3 and says so once; with Redis back
 * the buckets are shared again; the cluster's totals are the sum of the nodes' own counts; the
 * password of the store's URL is nowhere to be read. Skipped without redis-server unless
 * {@code SHUNT_REQUIRE_REDIS=1}.
 */
class ClusterQuotaIT {
  private static final String OPERATION = "GenerateRandom";
  private static RedisServer redis;
  private static PrintStream originalErr;
  private static final ByteArrayOutputStream ERR = new ByteArrayOutputStream();
  private final List<BackendFixture> nodes = new ArrayList<>();

  @BeforeAll
  static void startRedis() throws IOException {
    redis = RedisServer.start();
    originalErr = System.err;
    System.setErr(new PrintStream(new OutputStream() {
      @Override
      public void write(int b) {
        synchronized (ERR) {
          ERR.write(b);
        }
        originalErr.write(b);
      }

      @Override
      public void write(byte[] bytes, int offset, int length) {
        synchronized (ERR) {
          ERR.write(bytes, offset, length);
        }
        originalErr.write(bytes, offset, length);
      }
    }, true, StandardCharsets.UTF_8));
  }

  @AfterAll
  static void stopRedis() throws IOException {
    if (originalErr != null) {
      System.setErr(originalErr);
    }
    if (redis != null) {
      redis.close();
    }
  }

  @AfterEach
  void stopNodes() throws IOException {
    nodes.forEach(BackendFixture::close);
    nodes.clear();
    redis.startAgain();
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      jedis.flushAll();
    }
    synchronized (ERR) {
      ERR.reset();
    }
  }

  /** The {@code [shunt]} lines printed since the test began. */
  private static List<String> shuntLines() {
    String text;
    synchronized (ERR) {
      text = ERR.toString(StandardCharsets.UTF_8);
    }
    return text.lines().filter(line -> line.startsWith("[shunt]")).toList();
  }

  private static Path quotaFile(double rate) throws IOException {
    Path file = Files.createTempFile("shunt-cluster-quotas-", ".yaml");
    file.toFile().deleteOnExit();
    Files.writeString(file, "rates:\n  \"kms:" + OPERATION + "\": " + rate + "\n");
    return file;
  }

  private BackendFixture node(String id, String store, Path quotas) {
    BackendFixture node = BackendFixture.start(ShuntBackend.builder().option("quotas", quotas.toString())
        .option("quota-store", store).option("node-id", id));
    nodes.add(node);
    return node;
  }

  private List<BackendFixture> cluster(double rate) throws IOException {
    Path quotas = quotaFile(rate);
    return List.of(node("node-a", redis.url(), quotas), node("node-b", redis.url(), quotas),
        node("node-c", redis.url(), quotas));
  }

  private static KmsClient kms(BackendFixture node) {
    return KmsClient.builder().endpointOverride(node.uri()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDCLUSTER", "x")))
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(AwsRetryStrategy.doNotRetry()).build())
        .build();
  }

  /** What one node's client saw: when each accepted call was answered, how many were throttled, other errors. */
  private record Seen(ConcurrentLinkedQueue<Long> accepted, AtomicInteger throttled,
      ConcurrentLinkedQueue<String> errors) {
    Seen() {
      this(new ConcurrentLinkedQueue<>(), new AtomicInteger(), new ConcurrentLinkedQueue<>());
    }

    long acceptedBetween(long fromNanos, long toNanos) {
      return accepted.stream().filter(t -> t >= fromNanos && t < toNanos).count();
    }
  }

  /** Offers {@code perNode} calls a second to each node, one client thread per node, until stopped. */
  private static final class Load implements AutoCloseable {
    final List<Seen> seen = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final AtomicBoolean running = new AtomicBoolean(true);
    volatile long stopNanos;
    final java.util.concurrent.CountDownLatch ready;

    Load(List<BackendFixture> nodes, double perNode) throws InterruptedException {
      ready = new java.util.concurrent.CountDownLatch(nodes.size());
      for (BackendFixture node : nodes) {
        Seen mine = new Seen();
        seen.add(mine);
        Thread thread = new Thread(() -> {
          try (KmsClient kms = kms(node)) {
            // A first call of another quota group loads the client's classes before the load starts.
            kms.listKeys();
            ready.countDown();
            try {
              ready.await();
            } catch (InterruptedException e) {
              return;
            }
            long next = System.nanoTime();
            while (running.get()) {
              // Spaced at random around the mean (a fixed period would lock onto the bucket's refill).
              next += (long) (1e9 / perNode * (0.5 + java.util.concurrent.ThreadLocalRandom.current().nextDouble()));
              try {
                kms.generateRandom(r -> r.numberOfBytes(8));
                mine.accepted.add(System.nanoTime());
              } catch (AwsServiceException e) {
                if ("ThrottlingException".equals(e.awsErrorDetails().errorCode())) {
                  mine.throttled.incrementAndGet();
                } else {
                  mine.errors.add(e.toString());
                }
              } catch (RuntimeException e) {
                mine.errors.add(e.toString());
              }
              long sleep = next - System.nanoTime();
              if (sleep > 0) {
                try {
                  TimeUnit.NANOSECONDS.sleep(sleep);
                } catch (InterruptedException e) {
                  return;
                }
              }
            }
          }
        }, "cluster-load-" + node.backend().nodeId());
        thread.setDaemon(true);
        threads.add(thread);
      }
      threads.forEach(Thread::start);
      if (!ready.await(30, TimeUnit.SECONDS)) {
        throw new AssertionError("The load's clients did not start");
      }
    }

    long accepted() {
      return seen.stream().mapToLong(s -> s.accepted.size()).sum();
    }

    long firstAcceptedNanos() {
      return seen.stream().flatMap(s -> s.accepted.stream()).mapToLong(Long::longValue).min().orElseThrow();
    }

    long acceptedBetween(long fromNanos, long toNanos) {
      return seen.stream().mapToLong(s -> s.acceptedBetween(fromNanos, toNanos)).sum();
    }

    List<String> errors() {
      return seen.stream().flatMap(s -> s.errors.stream()).toList();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(10_000);
      }
      stopNanos = System.nanoTime();
    }
  }

  private static JsonNode get(BackendFixture node, String path) {
    try {
      return Json.readTree(node.get(path).body());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static void await(String what, Duration patience, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("Waited " + patience + " for " + what);
      }
      Thread.sleep(50);
    }
  }

  private static void sleep(Duration duration) throws InterruptedException {
    Thread.sleep(duration.toMillis());
  }

  @Test
  void threeNodesAtThreeTimesTheQuotaAcceptTheQuotaBetweenThem() throws Exception {
    double quota = 40;
    List<BackendFixture> cluster = cluster(quota);
    Load load = new Load(cluster, quota);
    sleep(Duration.ofMillis(6300));
    load.close();
    // The first second drains the bucket's one-second burst (and warms the clients); the next five show the
    // sustained rate, as in QuotaIT for one node.
    long from = load.firstAcceptedNanos() + TimeUnit.SECONDS.toNanos(1);
    long to = from + TimeUnit.SECONDS.toNanos(5);
    assertThat(to).isLessThanOrEqualTo(load.stopNanos);
    double rate = load.acceptedBetween(from, to) / 5.0;
    long throttled = load.seen.stream().mapToLong(s -> s.throttled.get()).sum();
    JsonNode checks = get(cluster.get(0), "/_shunt/quotas").path("cluster").path("checks");
    System.out.printf("[cluster] quota %.0f/s, offered %.0f/s over 3 nodes: in 5 s after the first, accepted %s per "
        + "node, %.2f/s together (%.1f %% of the quota); %d accepted and %d throttled in all; node-a's checks: %s%n",
        quota, 3 * quota, load.seen.stream().map(s -> s.acceptedBetween(from, to)).toList(), rate,
        rate / quota * 100, load.accepted(), throttled, checks);
    assertThat(load.errors()).isEmpty();
    assertThat(rate).as("accepted per second across the nodes").isBetween(quota * 0.95, quota * 1.05);
    for (Seen seen : load.seen) {
      assertThat(seen.acceptedBetween(from, to)).as("every node has a share").isGreaterThan((long) quota);
    }
    assertThat(shuntLines()).isEmpty();
  }

  @Test
  void withRedisGoneEachNodeHoldsAThirdAndWithRedisBackTheBucketsAreSharedAgain() throws Exception {
    double quota = 60;
    List<BackendFixture> cluster = cluster(quota);
    await("three live nodes", Duration.ofSeconds(5),
        () -> get(cluster.get(0), "/_shunt/quotas").path("cluster").path("nodes").size() == 3);
    long stopped;
    long back;
    Load load = new Load(cluster, quota);
    try {
      sleep(Duration.ofMillis(1000));
      redis.stop();
      stopped = System.nanoTime();
      sleep(Duration.ofMillis(2600));
      redis.startAgain();
      await("the nodes to share their buckets again", Duration.ofSeconds(5), () -> cluster.stream()
          .allMatch(node -> get(node, "/_shunt/quotas").path("cluster").path("shared").asBoolean()));
      back = System.nanoTime();
      sleep(Duration.ofMillis(3000));
    } finally {
      load.close();
    }
    assertThat(load.errors()).as("no request fails for want of Redis").isEmpty();

    // Alone, each node holds quota/3 (its stand-in bucket starts empty: the shared one was in use).
    long from = stopped + TimeUnit.MILLISECONDS.toNanos(500);
    long to = from + TimeUnit.MILLISECONDS.toNanos(2000);
    List<Double> alone = load.seen.stream().map(s -> s.acceptedBetween(from, to) / 2.0).toList();
    // Shared again: Redis came back empty, so the bucket's first second is a burst; then the quota.
    long sharedFrom = back + TimeUnit.MILLISECONDS.toNanos(1000);
    long sharedTo = back + TimeUnit.MILLISECONDS.toNanos(3000);
    double shared = load.acceptedBetween(sharedFrom, sharedTo) / 2.0;
    System.out.printf("[cluster] quota %.0f/s: Redis stopped, accepted per node %s/s (quota/3 = %.0f); "
        + "Redis back, accepted %.1f/s across the nodes%n", quota, alone, quota / 3, shared);
    for (double rate : alone) {
      assertThat(rate).as("a node alone").isBetween(quota / 3 * 0.85, quota / 3 * 1.15);
    }
    assertThat(shared).as("the nodes together, Redis back").isBetween(quota * 0.9, quota * 1.1);

    List<String> lines = shuntLines();
    for (String node : List.of("node-a", "node-b", "node-c")) {
      assertThat(lines.stream().filter(line -> line.contains(" " + node + " ") && line.contains("unreachable")))
          .as("lines of " + node + " in " + lines).hasSize(1).first().asString()
          .contains(redis.url()).contains("quota/3").contains("3 nodes");
      assertThat(lines.stream().filter(line -> line.contains(" " + node + " ") && line.contains("reachable again")))
          .as("lines of " + node + " in " + lines).hasSize(1);
    }
    assertThat(lines).hasSize(6);
  }

  @Test
  void theClusterTotalsAreTheSumOfTheNodesCountsAndAStoppedNodeLeavesTheList() throws Exception {
    List<BackendFixture> cluster = cluster(20);
    for (int i = 0; i < cluster.size(); i++) {
      try (KmsClient kms = kms(cluster.get(i))) {
        for (int call = 0; call < 10 + 5 * i; call++) {
          try {
            kms.generateRandom(r -> r.numberOfBytes(8));
          } catch (AwsServiceException e) {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
          }
        }
        kms.listKeys();
      }
    }
    Map<String, long[]> own = new HashMap<>();
    for (BackendFixture node : cluster) {
      for (JsonNode entry : get(node, "/_shunt/quotas").path("usage")) {
        long[] sum = own.computeIfAbsent(entry.path("service").asText() + ":" + entry.path("operation").asText(),
            k -> new long[4]);
        sum[0] += entry.path("accepted").asLong();
        sum[1] += entry.path("throttled").asLong();
        sum[2] += entry.path("cached").asLong();
        sum[3] += entry.path("faulted").asLong();
      }
    }
    assertThat(own.get("kms:" + OPERATION)[0] + own.get("kms:" + OPERATION)[1]).isEqualTo(10 + 15 + 20);
    for (BackendFixture node : cluster) {
      await(node.backend().nodeId() + "'s cluster totals to be the nodes' sums", Duration.ofSeconds(5), () -> {
        JsonNode report = get(node, "/_shunt/quotas").path("cluster");
        Map<String, long[]> totals = new HashMap<>();
        for (JsonNode entry : report.path("usage")) {
          totals.put(entry.path("service").asText() + ":" + entry.path("operation").asText(), new long[] {
              entry.path("accepted").asLong(), entry.path("throttled").asLong(), entry.path("cached").asLong(),
              entry.path("faulted").asLong()});
        }
        return totals.keySet().equals(own.keySet()) && own.entrySet().stream()
            .allMatch(e -> java.util.Arrays.equals(e.getValue(), totals.get(e.getKey())));
      });
    }
    JsonNode stats = get(cluster.get(1), "/_shunt/stats").path("cluster");
    assertThat(stats.path("nodes")).extracting(JsonNode::asText).containsExactly("node-a", "node-b", "node-c");
    assertThat(stats.path("operations").path("kms:" + OPERATION).path("accepted").asLong())
        .isEqualTo(own.get("kms:" + OPERATION)[0]);
    assertThat(stats.path("operations").path("kms:" + OPERATION).path("throttled").asLong())
        .isEqualTo(own.get("kms:" + OPERATION)[1]);

    BackendFixture leaving = cluster.get(2);
    leaving.close();
    nodes.remove(leaving);
    await("node-c to leave the list", RedisQuotaStore.NODE_TTL, () -> {
      List<String> live = new ArrayList<>();
      get(cluster.get(0), "/_shunt/quotas").path("cluster").path("nodes").forEach(n -> live.add(n.asText()));
      return live.equals(List.of("node-a", "node-b"));
    });
  }

  /** The time to live of a dead node's last heartbeat here: shorter than a node's own (5 s), for a short test. */
  private static final Duration GONE_TTL = Duration.ofMillis(1500);

  @Test
  void aNodeWhoseHeartbeatStopsLeavesTheListWithinTheTtl() throws Exception {
    List<BackendFixture> cluster = cluster(20);
    // A node that died: its last heartbeat, as a node writes it, and nothing after.
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      jedis.psetex(RedisQuotaStore.NODE_PREFIX + "node-gone", GONE_TTL.toMillis(),
          "{\"counts\":[[\"000000000000\",\"us-east-1\",\"kms\",\"" + OPERATION + "\",7,0,0,0]]}");
      jedis.sadd(RedisQuotaStore.NODES_KEY, "node-gone");
    }
    long written = System.nanoTime();
    await("node-gone in the list", Duration.ofSeconds(3), () -> get(cluster.get(0), "/_shunt/quotas")
        .path("cluster").path("nodes").toString().contains("node-gone"));
    await("node-gone to leave the list", GONE_TTL.plus(RedisQuotaStore.HEARTBEAT).plusSeconds(1),
        () -> !get(cluster.get(0), "/_shunt/quotas").path("cluster").path("nodes").toString().contains("node-gone"));
    assertThat(System.nanoTime() - written).isGreaterThan(GONE_TTL.toNanos() - 100_000_000L);
    assertThat(get(cluster.get(0), "/_shunt/quotas").path("cluster").path("usage").toString())
        .doesNotContain("\"accepted\":7");
  }

  @Test
  void aNodeWhoseRateChangesReplacesTheStoredBucketsConfigurationForEveryNode() throws Exception {
    Path quotas = quotaFile(40);
    BackendFixture first = node("node-a", redis.url(), quotas);
    BackendFixture second = node("node-b", redis.url(), quotas);
    try (KmsClient kms = kms(second)) {
      kms.generateRandom(r -> r.numberOfBytes(8));
    }
    // A lower rate on node-a only: its next request replaces the stored configuration (newer version).
    assertThat(first.post("/_shunt/quotas", null, "{\"rates\": {\"kms:" + OPERATION + "\": 4}}").statusCode())
        .isEqualTo(200);
    try (KmsClient kms = kms(first)) {
      kms.generateRandom(r -> r.numberOfBytes(8));
    }
    Thread.sleep(1500);
    int accepted = 0;
    try (KmsClient kms = kms(second)) {
      for (int i = 0; i < 20; i++) {
        try {
          kms.generateRandom(r -> r.numberOfBytes(8));
          accepted++;
        } catch (AwsServiceException e) {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
        }
      }
    }
    // node-b still has 40 in its own configuration, but the shared bucket now holds 4 (one second of them).
    assertThat(accepted).as("node-b's burst against the shared bucket").isBetween(3, 6);
  }

  @Test
  void aStoppedBackendLeavesNoThreadBehind() throws Exception {
    java.util.Set<Thread> before = Thread.getAllStackTraces().keySet();
    // The fixture's own HTTP client (a test's, not the backend's) keeps its selector thread a while.
    java.util.function.Predicate<Thread> backends = t -> t.isAlive() && !before.contains(t)
        && !t.getName().startsWith("HttpClient-");
    BackendFixture node = node("node-alone", redis.url(), quotaFile(20));
    assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().equals("shunt-quota-heartbeat"));
    node.close();
    nodes.remove(node);
    try {
      await("the backend's threads to end", Duration.ofSeconds(5), () -> Thread.getAllStackTraces().keySet().stream()
          .noneMatch(backends));
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + Thread.getAllStackTraces().keySet().stream()
          .filter(backends).map(Thread::getName).toList());
    }
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      assertThat(jedis.exists(RedisQuotaStore.NODE_PREFIX + "node-alone")).isFalse();
    }
  }

  @Test
  void aRedisThatDoesNotAnswerCostsARequestAtMostTheCommandTimeoutOnce() throws Exception {
    BackendFixture node = node("node-patient", redis.url(), quotaFile(1000));
    try (KmsClient kms = kms(node)) {
      kms.generateRandom(r -> r.numberOfBytes(8));
      redis.pause();
      try {
        long slowest = 0;
        for (int i = 0; i < 30; i++) {
          long start = System.nanoTime();
          kms.generateRandom(r -> r.numberOfBytes(8));
          slowest = Math.max(slowest, System.nanoTime() - start);
          Thread.sleep(20);
        }
        System.out.printf("[cluster] Redis paused: the slowest of 30 requests took %.1f ms%n", slowest / 1e6);
        assertThat(Duration.ofNanos(slowest)).isLessThan(RedisQuotaStore.COMMAND_TIMEOUT.multipliedBy(3));
        assertThat(shuntLines()).singleElement().asString().contains("node-patient").contains("unreachable")
            .contains("quota/1");
      } finally {
        redis.resume();
      }
      await("node-patient to share its buckets again", Duration.ofSeconds(5),
          () -> get(node, "/_shunt/quotas").path("cluster").path("shared").asBoolean());
      kms.generateRandom(r -> r.numberOfBytes(8));
    }
    assertThat(shuntLines()).hasSize(2);
  }

  @Test
  void aRedisRestartedInABlinkIsLostOnceAndFoundOnce() throws Exception {
    BackendFixture node = node("node-blink", redis.url(), quotaFile(1000));
    // Several connections in the pool: four clients at once.
    List<Thread> clients = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread client = new Thread(() -> {
        try (KmsClient kms = kms(node)) {
          for (int i = 0; i < 20; i++) {
            kms.generateRandom(r -> r.numberOfBytes(8));
          }
        }
      });
      client.start();
      clients.add(client);
    }
    for (Thread client : clients) {
      client.join(30_000);
    }
    redis.stop();
    redis.startAgain();
    try (KmsClient kms = kms(node)) {
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
      while (System.nanoTime() < end) {
        try {
          kms.generateRandom(r -> r.numberOfBytes(8));
        } catch (AwsServiceException e) {
          // The stand-in bucket starts empty: the shared one was in use.
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
        }
        Thread.sleep(5);
      }
    }
    List<String> lines = shuntLines();
    assertThat(lines).as("%s", lines).hasSize(2);
    assertThat(lines.get(0)).contains("unreachable");
    assertThat(lines.get(1)).contains("reachable again");
  }

  @Test
  void aRedisThatRefusesFromTheStartLeavesEachNodeItsOwnQuota() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    BackendFixture node = node("node-lonely", "redis://127.0.0.1:" + closedPort, quotaFile(5));
    int accepted = 0;
    try (KmsClient kms = kms(node)) {
      for (int i = 0; i < 8; i++) {
        try {
          kms.generateRandom(r -> r.numberOfBytes(8));
          accepted++;
        } catch (AwsServiceException e) {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
        }
      }
    }
    assertThat(accepted).isBetween(5, 6);
    assertThat(shuntLines()).singleElement().asString().contains("node-lonely").contains("Connection refused")
        .contains("quota/1");
  }

  @Test
  void thePasswordOfTheStoreIsInNoLineAndNoAnswer() throws Exception {
    String password = "s3cret-Pa55word";
    try (RedisServer guarded = RedisServer.start(password)) {
      Path quotas = quotaFile(20);
      BackendFixture inside = node("node-right", guarded.url(), quotas);
      BackendFixture outside = node("node-wrong",
          "redis://:wrong-" + password + "@127.0.0.1:" + guarded.port() + "/0", quotas);
      try (KmsClient kms = kms(inside)) {
        kms.generateRandom(r -> r.numberOfBytes(8));
      }
      try (KmsClient kms = kms(outside)) {
        kms.generateRandom(r -> r.numberOfBytes(8));
      }
      await("node-right to see itself", Duration.ofSeconds(5),
          () -> get(inside, "/_shunt/quotas").path("cluster").path("nodes").size() == 1);
      assertThat(get(inside, "/_shunt/quotas").path("cluster").path("shared").asBoolean()).isTrue();
      assertThat(get(outside, "/_shunt/quotas").path("cluster").path("shared").asBoolean()).isFalse();
      guarded.stop();
      await("node-right to lose Redis", Duration.ofSeconds(5),
          () -> !get(inside, "/_shunt/quotas").path("cluster").path("shared").asBoolean());
      for (BackendFixture node : List.of(inside, outside)) {
        for (String path : List.of("/_shunt/quotas", "/_shunt/stats", "/_shunt/health", "/_shunt/audit")) {
          String body = node.get(path).body();
          assertThat(body).as(path).doesNotContain(password);
          if (path.equals("/_shunt/quotas")) {
            assertThat(body).contains("redis://127.0.0.1:" + guarded.port() + "/0");
          }
        }
      }
      assertThat(shuntLines()).hasSize(2).allSatisfy(line -> assertThat(line).doesNotContain(password)
          .contains("redis://127.0.0.1:" + guarded.port() + "/0"));
      assertThat(shuntLines()).anySatisfy(line -> assertThat(line).contains("node-wrong").contains("WRONGPASS"));
      assertThat(inside.backend().quotaStoreSummary()).get().asString().doesNotContain(password);
    }
  }
}
