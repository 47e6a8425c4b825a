package dev.shunt.backend.quota;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.bucket4j.Bucket;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * What a quota check costs the event loop with the buckets in a real Redis, against in memory: a
 * tight loop of tryConsume on a local bucket and on a shared one (a high quota, answered from the
 * local copy; a quota of 40, checked with Redis nearly every time), and the time one check that
 * goes to Redis blocks its thread. Prints the figures (docs/quotas.md quotes them); asserts only
 * that most checks of a high quota stay local, never a duration.
 */
class QuotaStoreCostIT {
  private static RedisServer redis;
  private static RedisQuotaStore store;

  @BeforeAll
  static void start() throws Exception {
    redis = RedisServer.start();
    store = new RedisQuotaStore(RedisLocation.parse(redis.url()), "cost");
    store.start(List::of);
  }

  @AfterAll
  static void stop() throws Exception {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  /** Nanoseconds per tryConsume over {@code calls} calls, after as many to warm up. */
  private static double nanosPerCheck(Bucket bucket, int calls) {
    for (int i = 0; i < calls; i++) {
      bucket.tryConsume(1);
    }
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      bucket.tryConsume(1);
    }
    return (System.nanoTime() - start) / (double) calls;
  }

  private static long[] checks() {
    JsonNode checks = store.report().path("checks");
    return new long[] {checks.path("shared").asLong(), checks.path("answeredLocally").asLong()};
  }

  @Test
  void measureTheCheckWithAndWithoutRedis() throws Exception {
    double local = nanosPerCheck(QuotaEngine.bucket(1_000_000), 2_000_000);

    long[] before = checks();
    long started = System.nanoTime();
    double sharedHigh = nanosPerCheck(store.bucket("000000000001", "us-east-1", "kms:symmetric", 1_000_000), 200_000);
    double seconds = (System.nanoTime() - started) / 1e9;
    long[] after = checks();
    long all = after[0] - before[0];
    long withRedis = all - (after[1] - before[1]);

    before = checks();
    double sharedLow = nanosPerCheck(store.bucket("000000000002", "us-east-1", "kms:GenerateRandom", 40), 20_000);
    after = checks();
    long lowAll = after[0] - before[0];
    long lowWithRedis = lowAll - (after[1] - before[1]);

    // A check that goes to Redis: warm (back to back), then as the first after 10 ms without one always does.
    SharedBucket small = (SharedBucket) store.bucket("000000000003", "us-east-1", "kms:GenerateRandom", 40);
    int syncs = 2_000;
    for (int i = 0; i < syncs; i++) {
      small.remote().getOptimizationController().syncImmediately();
    }
    long warmStart = System.nanoTime();
    for (int i = 0; i < syncs; i++) {
      small.remote().getOptimizationController().syncImmediately();
    }
    double warm = (System.nanoTime() - warmStart) / 1e3 / syncs;
    long slowest = 0;
    long total = 0;
    int idle = 100;
    for (int i = 0; i < idle; i++) {
      Thread.sleep(12);
      long start = System.nanoTime();
      small.tryConsume(1);
      long took = System.nanoTime() - start;
      total += took;
      slowest = Math.max(slowest, took);
    }
    long pingTotal = 0;
    try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
      for (int i = 0; i < syncs; i++) {
        jedis.ping();
      }
      long start = System.nanoTime();
      for (int i = 0; i < syncs; i++) {
        jedis.ping();
      }
      pingTotal = System.nanoTime() - start;
    }
    System.out.printf("[cost] local bucket: %.0f ns/check%n", local);
    System.out.printf("[cost] shared bucket, quota 1,000,000/s: %.0f ns/check; %d checks, %d with Redis "
        + "(%.2f %%), one Redis write every %.2f ms%n", sharedHigh, all, withRedis, 100.0 * withRedis / all,
        seconds * 1000 / Math.max(1, withRedis));
    System.out.printf("[cost] shared bucket, quota 40/s, tight loop: %.0f ns/check; %d checks, %d with Redis%n",
        sharedLow, lowAll, lowWithRedis);
    System.out.printf("[cost] a check that goes to Redis (GET, then a compare-and-swap EVAL): %.0f us back to back;"
        + " after 12 ms idle, mean %.0f us, slowest %.0f us; a PING round trip: %.0f us%n", warm, total / 1e3 / idle,
        slowest / 1e3, pingTotal / 1e3 / syncs);
    assertThat(withRedis).as("checks of a high quota that went to Redis").isLessThan(all / 10);
    assertThat(store.outage()).isNull();
  }
}
