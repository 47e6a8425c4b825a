package dev.shunt.backend.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.BackendOptions;
import dev.shunt.backend.core.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quota-store option: what is refused at start and how, what a log line shows of it, the seam's counts. */
class QuotaStoreOptionTest {
  private static final String PASSWORD = "hunter2-Secret";

  private static Throwable refused(String url) {
    Throwable thrown = null;
    try {
      BackendOptions.check(Map.of("quota-store", url));
    } catch (IllegalArgumentException e) {
      thrown = e;
    }
    assertThat(thrown).as(url).isNotNull();
    return thrown;
  }

  @Test
  void aRedisUrlIsReadWithItsPasswordDatabaseAndDefaults() {
    RedisLocation full = RedisLocation.parse("redis://:" + PASSWORD + "@cache.example:6380/3");
    assertThat(full).isEqualTo(new RedisLocation("cache.example", 6380, 3, null, PASSWORD));
    assertThat(RedisLocation.parse("redis://127.0.0.1:6379")).isEqualTo(new RedisLocation("127.0.0.1", 6379, 0,
        null, null));
    assertThat(RedisLocation.parse("REDIS://shunt:" + PASSWORD + "@[::1]:6379/")).isEqualTo(
        new RedisLocation("::1", 6379, 0, "shunt", PASSWORD));
    assertThat(full.toString()).isEqualTo("redis://cache.example:6380/3");
    assertThat(RedisLocation.parse("redis://[::1]:6379").toString()).isEqualTo("redis://[::1]:6379/0");
    assertThat(full.scrub("ERR " + PASSWORD + " refused")).isEqualTo("ERR **** refused");
  }

  @Test
  void whatIsNotARedisUrlIsRefusedAtStartWithAClearMessage() {
    assertThat(refused("http://127.0.0.1:6379")).hasMessage(
        "quota-store must be redis://[:PASSWORD@]HOST:PORT[/DB], not a http:// URL");
    assertThat(refused("127.0.0.1:6379")).hasMessage("quota-store must be redis://[:PASSWORD@]HOST:PORT[/DB]");
    assertThat(refused("rediss://127.0.0.1:6379")).hasMessageContaining("TLS is not supported");
    assertThat(refused("redis://127.0.0.1")).hasMessage(
        "quota-store must name the host and the port: redis://[:PASSWORD@]HOST:PORT[/DB]");
    assertThat(refused("redis://127.0.0.1:0")).hasMessage("quota-store: the port must be a number from 1 to 65535,"
        + " not 0");
    assertThat(refused("redis://127.0.0.1:65536")).hasMessageContaining("from 1 to 65535, not 65536");
    assertThat(refused("redis://127.0.0.1:sixty")).hasMessage("quota-store: the port must be a number from 1 to "
        + "65535");
    assertThat(refused("redis://127.0.0.1:6379/x")).hasMessageContaining("database after '/' must be a number");
    assertThat(refused("redis://user@127.0.0.1:6379")).hasMessageContaining("password after a colon");
    assertThat(refused("redis://no-such-host.invalid:6379")).hasMessage(
        "quota-store: unknown host 'no-such-host.invalid' (redis://no-such-host.invalid:6379/0)");
  }

  @Test
  void noRefusalRepeatsThePassword() {
    for (String url : List.of("redis://:" + PASSWORD + "@no-such-host.invalid:6379",
        "redis://:" + PASSWORD + "@127.0.0.1:99999", "redis://:" + PASSWORD + "@127.0.0.1:6379/db",
        "redis://:" + PASSWORD + "@127.0.0.1", "redis://:" + PASSWORD, "redis://127.0.0.1:" + PASSWORD,
        "redis://" + PASSWORD + "@127.0.0.1:6379", "https://:" + PASSWORD + "@127.0.0.1:6379")) {
      assertThat(refused(url).getMessage()).as(url).doesNotContain(PASSWORD);
    }
  }

  @Test
  void aValidUrlPasses() {
    BackendOptions.check(Map.of("quota-store", "redis://:" + PASSWORD + "@localhost:6379/1"));
    BackendOptions.check(Map.of("quota-store", "redis://127.0.0.1:6379"));
  }

  @Test
  void eachBucketHasItsKeyAndANodeTakesOnePercentOfASecondBeforeItWritesToRedis() {
    assertThat(RedisQuotaStore.key("111122223333", "eu-west-1", "kms:symmetric"))
        .isEqualTo("shunt:quota:111122223333:eu-west-1:kms:symmetric");
    assertThat(RedisQuotaStore.unsynchronizedTokens(40)).isEqualTo(1);
    assertThat(RedisQuotaStore.unsynchronizedTokens(0.5)).isEqualTo(1);
    assertThat(RedisQuotaStore.unsynchronizedTokens(1_000)).isEqualTo(10);
    assertThat(RedisQuotaStore.unsynchronizedTokens(100_000)).isEqualTo(1_000);
  }

  @Test
  void withoutAQuotaStoreACheckAllocatesNothing() {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    QuotaEngine engine = new QuotaEngine(QuotaConfig.parse(Json.parseRequest(
        "{\"rates\": {\"kms:symmetric\": 1000}}".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        (a, r) -> false);
    ObjectNode none = Json.object();
    for (int i = 0; i < 20_000; i++) {
      engine.acquire("111122223333", "us-east-1", "kms", "Decrypt", none);
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    for (int i = 0; i < 100_000; i++) {
      engine.acquire("111122223333", "us-east-1", "kms", "Decrypt", none);
    }
    // The rate meter's once-a-second slot turn may fall inside; 100,000 checks allocating anything would be more.
    assertThat(threads.getCurrentThreadAllocatedBytes() - before).isLessThan(4096);
  }

  @Test
  void theEngineAsksItsSourceOncePerGroupAndCountsWhatANodePublishes() {
    List<String> asked = new ArrayList<>();
    BucketSource recording = (account, region, group, rate) -> {
      asked.add(account + " " + region + " " + group + " " + rate);
      return QuotaEngine.bucket(rate);
    };
    ObjectNode none = Json.object();
    QuotaEngine engine = new QuotaEngine(QuotaConfig.parse(Json.parseRequest(
        "{\"rates\": {\"kms:GenerateRandom\": 2}}".getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        (a, r) -> false, dev.shunt.backend.auth.AwsRegions.published(), KmsKeySpecs.NONE, recording);
    for (int i = 0; i < 3; i++) {
      engine.acquire("111122223333", "us-east-1", "kms", "GenerateRandom", none);
    }
    engine.servedFromCache("111122223333", "us-east-1", "kms", "GenerateRandom");
    assertThat(asked).containsExactly("111122223333 us-east-1 kms:GenerateRandom 2.0");
    assertThat(engine.counts()).containsExactly(new QuotaEngine.Count("111122223333", "us-east-1", "kms",
        "GenerateRandom", 2, 1, 1, 0));
  }
}
