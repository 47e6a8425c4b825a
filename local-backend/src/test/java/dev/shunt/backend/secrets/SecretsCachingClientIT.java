package dev.shunt.backend.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.shunt.backend.BackendTest;
import com.amazonaws.secretsmanager.caching.SecretCache;
import com.amazonaws.secretsmanager.caching.SecretCacheConfiguration;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;

/**
 * AWS's own caching client ({@code aws-secretsmanager-caching-java}) on an unchanged SDK client
 * pointed at Shunt: it reads through DescribeSecret and GetSecretValue by version, caches, and
 * sees a new AWSCURRENT version once its entry is refreshed.
 */
class SecretsCachingClientIT extends BackendTest {

  /** A cache on its own SDK client (closing the cache closes the client). */
  private static SecretCache cache(long ttlMillis) {
    return new SecretCache(new SecretCacheConfiguration().withClient(shunt.secrets()).withCacheItemTTL(ttlMillis));
  }

  @Test
  void readsStringAndBinarySecrets() {
    sm.createSecret(r -> r.name("cache/string").secretString("{\"user\":\"app\",\"password\":\"p1\"}"));
    byte[] bytes = {0, 1, 2, 3, (byte) 0x80, (byte) 0xff};
    sm.createSecret(r -> r.name("cache/binary").secretBinary(SdkBytes.fromByteArray(bytes)));
    try (SecretCache cache = cache(SecretCacheConfiguration.DEFAULT_CACHE_ITEM_TTL)) {
      assertThat(cache.getSecretString("cache/string")).isEqualTo("{\"user\":\"app\",\"password\":\"p1\"}");
      ByteBuffer binary = cache.getSecretBinary("cache/binary");
      assertThat(binary).isNotNull();
      byte[] read = new byte[binary.remaining()];
      binary.get(read);
      assertThat(read).isEqualTo(bytes);
      assertThat(cache.getSecretString("cache/binary")).isNull();
    }
  }

  @Test
  void aShortTtlSeesANewValueAfterPutSecretValue() throws Exception {
    sm.createSecret(r -> r.name("cache/rotating").secretString("v1"));
    try (SecretCache cache = cache(1)) {
      assertThat(cache.getSecretString("cache/rotating")).isEqualTo("v1");
      sm.putSecretValue(r -> r.secretId("cache/rotating").secretString("v2"));
      assertThat(awaitValue(() -> cache.getSecretString("cache/rotating"), "v2")).isEqualTo("v2");

      byte[] bytes = {9, 8, 7};
      sm.putSecretValue(r -> r.secretId("cache/rotating").secretBinary(SdkBytes.fromByteArray(bytes)));
      ByteBuffer binary = awaitValue(() -> cache.getSecretBinary("cache/rotating"), ByteBuffer.wrap(bytes));
      assertThat(binary).isEqualTo(ByteBuffer.wrap(bytes));
    }
  }

  @Test
  void theDefaultTtlServesTheCachedValueUntilARefresh() throws Exception {
    sm.createSecret(r -> r.name("cache/stale").secretString("v1"));
    try (SecretCache cache = cache(SecretCacheConfiguration.DEFAULT_CACHE_ITEM_TTL)) {
      assertThat(cache.getSecretString("cache/stale")).isEqualTo("v1");
      sm.putSecretValue(r -> r.secretId("cache/stale").secretString("v2"));
      // Within the hour-long TTL, the cache answers without asking Shunt...
      assertThat(cache.getSecretString("cache/stale")).isEqualTo("v1");
      // ...until told to refresh.
      assertThat(cache.refreshNow("cache/stale")).isTrue();
      assertThat(cache.getSecretString("cache/stale")).isEqualTo("v2");
    }
  }

  /** The cache refreshes at a random point within its TTL: poll, bounded. */
  private static <T> T awaitValue(Supplier<T> read, T expected) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    T last = read.get();
    while (!expected.equals(last)) {
      if (System.nanoTime() > deadline) {
        fail("The cache still answers " + last + ", not " + expected);
      }
      Thread.sleep(20);
      last = read.get();
    }
    return last;
  }
}
