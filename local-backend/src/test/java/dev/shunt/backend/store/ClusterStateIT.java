package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.NotFoundException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterNotFoundException;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Three nodes sharing one PostgreSQL database, with the real SDK: what one node writes the others
 * serve within the documented delay, and concurrent writers to one parameter, secret or key on all
 * nodes lose no acknowledged update (consecutive parameter versions, one AWSCURRENT, one history
 * of key rotations on every node).
 */
class ClusterStateIT {
  static final String ROOT_KEY = Base64.getEncoder().encodeToString(new byte[32]);
  /** The delay this test allows a write to reach another node: the poll bound and generous slack for a loaded CI machine. */
  private static final long VISIBLE_WITHIN_MILLIS = PostgresStore.POLL_MILLIS + 4000;
  private final List<BackendFixture> nodes = new ArrayList<>();
  private String database;

  @BeforeEach
  void startNodes() throws Exception {
    database = PostgresServer.get().newDatabase();
    for (int i = 0; i < 3; i++) {
      nodes.add(BackendFixture.start(ShuntBackend.builder().option("store", database).option("root-key", ROOT_KEY)
          .option("node-id", "node-" + i)));
    }
  }

  @AfterEach
  void stopNodes() {
    clients.values().forEach(client -> ((software.amazon.awssdk.core.SdkClient) client).close());
    nodes.forEach(BackendFixture::close);
  }

  @Test
  void whatOneNodeWritesTheOthersServe() throws Exception {
    KmsClient kmsA = kms(0);
    String keyId = kmsA.createKey(r -> r.description("made on A")).keyMetadata().keyId();
    SdkBytes blob = kmsA.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("across nodes")))
        .ciphertextBlob();
    for (int node = 1; node < 3; node++) {
      KmsClient other = kms(node);
      long delay = visibleAfter(() -> other.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String());
      System.out.printf("key made on node 0 decrypts on node %d after %d ms%n", node, delay);
      assertThat(other.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String()).isEqualTo("across nodes");
    }

    secrets(1).createSecret(r -> r.name("shared/db").secretString("hunter2"));
    visibleAfter(() -> secrets(2).getSecretValue(r -> r.secretId("shared/db")).secretString());
    assertThat(secrets(2).getSecretValue(r -> r.secretId("shared/db")).secretString()).isEqualTo("hunter2");

    ssm(2).putParameter(r -> r.name("/shared/url").value("v1").type(ParameterType.STRING));
    visibleAfter(() -> ssm(0).getParameter(r -> r.name("/shared/url")).parameter().value());
    ssm(0).putParameter(r -> r.name("/shared/url").value("v2").overwrite(true));
    waitUntil(() -> ssm(1).getParameter(r -> r.name("/shared/url")).parameter().version() == 2);
    assertThat(ssm(1).getParameter(r -> r.name("/shared/url")).parameter().value()).isEqualTo("v2");

    // Removals travel too.
    ssm(1).deleteParameter(r -> r.name("/shared/url"));
    waitUntil(() -> {
      try {
        ssm(2).getParameter(r -> r.name("/shared/url"));
        return false;
      } catch (ParameterNotFoundException e) {
        return true;
      }
    });
    kmsA.createAlias(r -> r.aliasName("alias/shared").targetKeyId(keyId));
    waitUntil(() -> kms(2).listAliases(r -> r.keyId(keyId)).aliases().size() == 1);

    // Each node's audit records say which node served the call.
    for (int node = 0; node < 3; node++) {
      com.fasterxml.jackson.databind.JsonNode records = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(nodes.get(node).get("/_shunt/audit").body()).get("Records");
      assertThat(records).isNotEmpty();
      for (com.fasterxml.jackson.databind.JsonNode record : records) {
        assertThat(record.at("/additionalEventData/shuntNodeId").asText()).isEqualTo("node-" + node);
      }
    }
  }

  @Test
  void concurrentParameterWritesFromEveryNodeKeepConsecutiveVersions() throws Exception {
    ssm(0).putParameter(r -> r.name("/race/p").value("start").type(ParameterType.STRING));
    waitUntil(() -> exists(() -> ssm(1).getParameter(r -> r.name("/race/p"))) && exists(() -> ssm(2).getParameter(
        r -> r.name("/race/p"))));
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    int failed = race(3, 10, (node, i) -> {
      String value = "n" + node + "-" + i;
      ssm(node).putParameter(r -> r.name("/race/p").value(value).overwrite(true));
      acknowledged.add(value);
    });
    assertThat(acknowledged).hasSizeGreaterThan(15);
    for (int node = 0; node < 3; node++) {
      int at = node;
      System.out.printf("node %d: version %d, %d acknowledged, %d failed%n", at,
          ssm(at).getParameter(r -> r.name("/race/p")).parameter().version(), acknowledged.size(), failed);
      waitUntil(() -> ssm(at).getParameter(r -> r.name("/race/p")).parameter().version() == 1 + acknowledged.size());
      List<ParameterHistory> history = ssm(at).getParameterHistoryPaginator(r -> r.name("/race/p")).stream()
          .flatMap(page -> page.parameters().stream()).toList();
      assertThat(history).extracting(ParameterHistory::version)
          .as("versions on node %d (%d writes failed after retries)", node, failed)
          .containsExactlyElementsOf(range(1, 1 + acknowledged.size()));
      assertThat(history.stream().skip(1).map(ParameterHistory::value).toList())
          .containsExactlyInAnyOrderElementsOf(acknowledged);
    }
  }

  @Test
  void concurrentSecretVersionsFromEveryNodeMoveTheStagesOnce() throws Exception {
    secrets(0).createSecret(r -> r.name("race/s").secretString("start"));
    waitUntil(() -> exists(() -> secrets(1).describeSecret(r -> r.secretId("race/s")))
        && exists(() -> secrets(2).describeSecret(r -> r.secretId("race/s"))));
    ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
    race(3, 6, (node, i) -> {
      String value = "n" + node + "-" + i;
      secrets(node).putSecretValue(r -> r.secretId("race/s").secretString(value));
      acknowledged.add(value);
    });
    assertThat(acknowledged).hasSizeGreaterThan(8);
    for (int node = 0; node < 3; node++) {
      int at = node;
      System.out.printf("node %d: %d versions, %d acknowledged%n", at, secrets(at).listSecretVersionIds(
          r -> r.secretId("race/s").includeDeprecated(true)).versions().size(), acknowledged.size());
      waitUntil(() -> secrets(at).listSecretVersionIds(r -> r.secretId("race/s").includeDeprecated(true))
          .versions().size() == 1 + acknowledged.size());
      List<SecretVersionsListEntry> versions = secrets(at).listSecretVersionIds(r -> r.secretId("race/s")
          .includeDeprecated(true)).versions();
      assertThat(versions.stream().filter(v -> v.versionStages().contains("AWSCURRENT"))).hasSize(1);
      assertThat(versions.stream().filter(v -> v.versionStages().contains("AWSPREVIOUS"))).hasSize(1);
      Set<String> values = new HashSet<>();
      for (SecretVersionsListEntry version : versions) {
        values.add(secrets(at).getSecretValue(r -> r.secretId("race/s").versionId(version.versionId()))
            .secretString());
      }
      assertThat(values).containsAll(acknowledged);
    }
    // Every node names the same current version.
    String current = secrets(0).getSecretValue(r -> r.secretId("race/s")).versionId();
    assertThat(secrets(1).getSecretValue(r -> r.secretId("race/s")).versionId()).isEqualTo(current);
    assertThat(secrets(2).getSecretValue(r -> r.secretId("race/s")).versionId()).isEqualTo(current);
  }

  @Test
  void concurrentKeyRotationsFromEveryNodeNeverFork() throws Exception {
    String keyId = kms(0).createKey(r -> r.description("rotated everywhere")).keyMetadata().keyId();
    waitUntil(() -> exists(() -> kms(1).describeKey(r -> r.keyId(keyId)))
        && exists(() -> kms(2).describeKey(r -> r.keyId(keyId))));
    ConcurrentLinkedQueue<byte[]> ciphertexts = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Integer> rotated = new ConcurrentLinkedQueue<>();
    race(1, 3, (node, i) -> {
      try {
        kms(node).rotateKeyOnDemand(r -> r.keyId(keyId));
        rotated.add(node);
      } finally {
        ciphertexts.add(kms(node).encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("after")))
            .ciphertextBlob().asByteArray());
      }
    });
    assertThat(rotated).isNotEmpty();
    for (int node = 0; node < 3; node++) {
      int at = node;
      waitUntil(() -> kms(at).listKeyRotations(r -> r.keyId(keyId)).rotations().size() == rotated.size());
    }
    List<String> rotations = kms(0).listKeyRotations(r -> r.keyId(keyId)).rotations().stream()
        .map(rotation -> rotation.rotationDate().toString()).toList();
    for (int node = 0; node < 3; node++) {
      int at = node;
      assertThat(kms(at).listKeyRotations(r -> r.keyId(keyId)).rotations().stream()
          .map(rotation -> rotation.rotationDate().toString()).toList()).isEqualTo(rotations);
      for (byte[] blob : ciphertexts) {
        assertThat(kms(at).decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(blob))).plaintext().asUtf8String())
            .as("a ciphertext on node %d", at).isEqualTo("after");
      }
    }
  }

  @Test
  void oneRowPerItemWithTheLatestVersionAndNothingInTheClear() throws Exception {
    kms(0).createKey(r -> r.description("sealed"));
    secrets(1).createSecret(r -> r.name("sealed/secret").secretString("do-not-store-in-clear"));
    try (Connection db = PostgresServer.get().connect(database); Statement statement = db.createStatement();
        ResultSet rows = statement.executeQuery("SELECT kind, version, document FROM shunt_items")) {
      int count = 0;
      while (rows.next()) {
        count++;
        assertThat(new String(rows.getBytes(3), java.nio.charset.StandardCharsets.ISO_8859_1))
            .doesNotContain("do-not-store-in-clear").doesNotContain("sealed/secret");
      }
      assertThat(count).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void aNodeWithAnotherRootKeyIsRefused() throws Exception {
    String other = Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
    assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("store", database).option("root-key", other)
        .start()).hasMessageContaining("not the one the state in postgresql://shunt@127.0.0.1:")
        .hasMessageContaining("same root-key");
    assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("store", database).start())
        .hasMessageContaining("store needs root-key");
    assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("store", "mysql://x/y").option("root-key",
        ROOT_KEY).start()).hasMessageContaining("postgresql://USER:PASSWORD@HOST:PORT/DATABASE");
    assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("store", "postgresql://u:topsecret@127.0.0.1:1/db")
        .option("root-key", ROOT_KEY).start()).hasMessageContaining("postgresql://u@127.0.0.1:1/db")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret"));
  }

  @Test
  void nodesSharingStateAndQuotasServeOneAccountWithinOneQuota() throws Exception {
    dev.shunt.backend.quota.RedisServer.assumePresent();
    try (dev.shunt.backend.quota.RedisServer redis = dev.shunt.backend.quota.RedisServer.start()) {
      String shared = PostgresServer.get().newDatabase();
      List<BackendFixture> pair = new ArrayList<>();
      for (String id : List.of("east", "west")) {
        // GetParameter's 40 rps scaled to 10: one second's burst, shared by both nodes.
        pair.add(BackendFixture.start(ShuntBackend.builder().option("store", shared).option("root-key", ROOT_KEY)
            .option("quota-store", redis.url()).option("node-id", id).option("quotas", "aws")
            .option("quota-scale", "0.25")));
      }
      try (SsmClient east = noRetries(pair.get(0)); SsmClient west = noRetries(pair.get(1))) {
        east.putParameter(r -> r.name("/both/p").value("v").type(ParameterType.STRING));
        waitUntil(() -> west.getParameter(r -> r.name("/both/p")).parameter().value().equals("v"));
        Thread.sleep(1500); // the bucket full again after the wait above took from it
        int accepted = 0;
        for (int i = 0; i < 60; i++) {
          try {
            (i % 2 == 0 ? east : west).getParameter(r -> r.name("/both/p"));
            accepted++;
          } catch (software.amazon.awssdk.services.ssm.model.SsmException e) {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
          }
        }
        // One bucket of 10 for both nodes (plus what refills meanwhile), not 10 each.
        assertThat(accepted).isBetween(8, 19);
        waitUntil(() -> {
          try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(pair.get(0).get("/_shunt/quotas").body())
                .at("/cluster/nodes").size() == 2;
          } catch (Exception e) {
            return false;
          }
        });
      } finally {
        pair.forEach(BackendFixture::close);
      }
    }
  }

  private static SsmClient noRetries(BackendFixture node) {
    return SsmClient.builder().endpointOverride(node.uri()).region(Region.US_EAST_1).credentialsProvider(credentials())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()).build()).build();
  }

  // ---- helpers ------------------------------------------------------------------------------

  private interface Write {
    void run(int node, int i) throws Exception;
  }

  /** {@code perNode} writers on each node, each making {@code writes} writes at once; the writes that failed. */
  private int race(int perNode, int writes, Write write) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(3 * perNode);
    List<Future<Integer>> running = new ArrayList<>();
    try {
      for (int w = 0; w < 3 * perNode; w++) {
        int node = w % 3;
        int writer = w;
        running.add(pool.submit(() -> {
          int failed = 0;
          for (int i = 0; i < writes; i++) {
            try {
              write.run(node, writer * 1000 + i);
            } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
              assertThat(e.statusCode()).as(e.getMessage()).isGreaterThanOrEqualTo(500);
              failed++;
            }
          }
          return failed;
        }));
      }
      int failed = 0;
      for (Future<Integer> writer : running) {
        failed += writer.get(120, TimeUnit.SECONDS);
      }
      return failed;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Long> range(long from, long to) {
    List<Long> all = new ArrayList<>();
    for (long v = from; v <= to; v++) {
      all.add(v);
    }
    return all;
  }

  private static boolean exists(Runnable call) {
    try {
      call.run();
      return true;
    } catch (NotFoundException | ParameterNotFoundException
        | software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException e) {
      return false;
    }
  }

  /** How long {@code read} failed before it answered (ms); fails past the documented bound. */
  private static long visibleAfter(Supplier<String> read) throws InterruptedException {
    long start = System.nanoTime();
    while (true) {
      try {
        read.get();
        return (System.nanoTime() - start) / 1_000_000;
      } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
        if (System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(VISIBLE_WITHIN_MILLIS)) {
          throw e;
        }
        Thread.sleep(5);
      }
    }
  }

  private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(VISIBLE_WITHIN_MILLIS);
    while (!holds(condition)) {
      assertThat(System.nanoTime()).as("condition not met within %d ms", VISIBLE_WITHIN_MILLIS).isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  private final java.util.Map<String, Object> clients = new java.util.concurrent.ConcurrentHashMap<>();

  /** Clients that retry as the SDK's standard mode does, with room for a conflict or two. */
  private static ClientOverrideConfiguration retrying() {
    return ClientOverrideConfiguration.builder().retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy
        .standardRetryStrategy().toBuilder().maxAttempts(8).build()).apiCallTimeout(Duration.ofSeconds(30)).build();
  }

  private KmsClient kms(int node) {
    return (KmsClient) clients.computeIfAbsent("kms" + node, k -> KmsClient.builder()
        .endpointOverride(nodes.get(node).uri()).region(Region.US_EAST_1).credentialsProvider(credentials())
        .overrideConfiguration(retrying()).build());
  }

  private SecretsManagerClient secrets(int node) {
    return (SecretsManagerClient) clients.computeIfAbsent("sm" + node, k -> SecretsManagerClient.builder()
        .endpointOverride(nodes.get(node).uri()).region(Region.US_EAST_1).credentialsProvider(credentials())
        .overrideConfiguration(retrying()).build());
  }

  private SsmClient ssm(int node) {
    return (SsmClient) clients.computeIfAbsent("ssm" + node, k -> SsmClient.builder()
        .endpointOverride(nodes.get(node).uri()).region(Region.US_EAST_1).credentialsProvider(credentials())
        .overrideConfiguration(retrying()).build());
  }

  private static software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials() {
    return software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDTEST", BackendFixture.SECRET));
  }

  /** Whether the condition holds; an AWS error (what it reads has not arrived yet) counts as not. */
  private static boolean holds(java.util.function.BooleanSupplier condition) {
    try {
      return condition.getAsBoolean();
    } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
      return false;
    }
  }
}
