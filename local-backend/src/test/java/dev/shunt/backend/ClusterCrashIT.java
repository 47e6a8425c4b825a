package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.store.PostgresServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Three {@code serve} processes share one PostgreSQL database under a write load on every node;
 * one is killed with SIGKILL mid-load. Every write any node acknowledged, the killed one's too,
 * is served by the survivors and by the killed node once restarted.
 */
class ClusterCrashIT {
  private static final String ROOT_KEY = Base64.getEncoder().encodeToString(new byte[32]);
  private static final int WRITERS_PER_NODE = 2;

  private final Map<String, String> secrets = new ConcurrentHashMap<>();
  private final Map<String, String> parameters = new ConcurrentHashMap<>();
  private final Map<byte[], String> ciphertexts = new ConcurrentHashMap<>();
  private final AtomicInteger acknowledgedByKilled = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  @Test
  void nothingAcknowledgedIsLostWhenANodeIsKilled() throws Exception {
    String database = PostgresServer.get().newDatabase();
    List<MainIT.Shunt> nodes = new ArrayList<>();
    ExecutorService writers = Executors.newFixedThreadPool(3 * WRITERS_PER_NODE);
    try {
      for (int i = 0; i < 3; i++) {
        nodes.add(node(database, i));
      }
      AtomicBoolean running = new AtomicBoolean(true);
      List<Future<?>> load = new ArrayList<>();
      for (int w = 0; w < 3 * WRITERS_PER_NODE; w++) {
        int writer = w;
        URI endpoint = nodes.get(w % 3).uri;
        load.add(writers.submit(() -> write(endpoint, writer, writer % 3 == 1, running)));
      }
      // Killed mid-load: once it has acknowledged writes of each kind (a slow machine takes a while).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledgedByKilled.get() < 20 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      nodes.get(1).kill();
      Thread.sleep(1000);
      running.set(false);
      for (Future<?> writer : load) {
        writer.get(60, TimeUnit.SECONDS);
      }
      assertThat(acknowledgedByKilled.get()).as("writes the killed node acknowledged").isGreaterThan(5);
      verifyEventually(nodes.get(0).uri);
      verifyEventually(nodes.get(2).uri);
      MainIT.Shunt restarted = node(database, 1);
      nodes.set(1, restarted);
      verifyEventually(restarted.uri);
    } finally {
      writers.shutdownNow();
      nodes.forEach(MainIT.Shunt::close);
    }
    System.out.printf("cluster crash: %d secrets, %d parameters, %d ciphertexts verified on 3 nodes (%d writes"
        + " refused by a conflict)%n", secrets.size(), parameters.size(), ciphertexts.size(), refused.get());
    assertThat(refused.get()).as("conflicting writes").isLessThan(secrets.size() / 10 + 5);
  }

  private static MainIT.Shunt node(String database, int index) throws Exception {
    return MainIT.Shunt.launch(List.of("-XX:TieredStopAtLevel=1"), Map.of(), "serve", "--port", "0", "--store",
        database, "--root-key", ROOT_KEY, "--node-id", "node-" + index, "--quotas", "off").awaitListening();
  }

  /** One writer's loop on one node: records only what was answered with success. */
  private void write(URI endpoint, int writer, boolean onKilledNode, AtomicBoolean running) {
    try (KmsClient kms = CrashRecoveryIT.client(KmsClient.builder(), endpoint);
        SecretsManagerClient sm = CrashRecoveryIT.client(SecretsManagerClient.builder(), endpoint);
        SsmClient ssm = CrashRecoveryIT.client(SsmClient.builder(), endpoint)) {
      String key = null;
      for (int i = 0; running.get(); i++) {
        String name = "crash/w" + writer + "/" + i;
        String value = "value-" + writer + "-" + i;
        try {
          switch (i % 3) {
            case 0 -> {
              sm.createSecret(r -> r.name(name).secretString(value));
              secrets.put(name, value);
            }
            case 1 -> {
              ssm.putParameter(r -> r.name("/" + name).value(value).type(ParameterType.STRING));
              parameters.put("/" + name, value);
            }
            default -> {
              if (key == null) {
                key = kms.createKey(r -> r.description("crash")).keyMetadata().keyId();
              }
              String keyId = key;
              ciphertexts.put(kms.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String(value)))
                  .ciphertextBlob().asByteArray(), value);
            }
          }
          if (onKilledNode) {
            acknowledgedByKilled.incrementAndGet();
          }
        } catch (software.amazon.awssdk.awscore.exception.AwsServiceException e) {
          // Not acknowledged: two nodes making the AWS managed key for Secrets Manager at once conflict.
          assertThat(e.statusCode()).as(e.getMessage()).isEqualTo(500);
          refused.incrementAndGet();
        } catch (RuntimeException e) {
          if (onKilledNode) {
            return; // its node is gone: what it was writing may or may not have happened
          }
          throw e;
        }
      }
    }
  }

  /** Everything acknowledged is there, allowing the documented delay for the last writes to arrive. */
  private void verifyEventually(URI endpoint) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        verify(endpoint);
        return;
      } catch (RuntimeException | AssertionError e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  private void verify(URI endpoint) {
    try (KmsClient kms = CrashRecoveryIT.client(KmsClient.builder(), endpoint);
        SecretsManagerClient sm = CrashRecoveryIT.client(SecretsManagerClient.builder(), endpoint);
        SsmClient ssm = CrashRecoveryIT.client(SsmClient.builder(), endpoint)) {
      secrets.forEach((name, value) -> assertThat(sm.getSecretValue(r -> r.secretId(name)).secretString())
          .as(name).isEqualTo(value));
      parameters.forEach((name, value) -> assertThat(ssm.getParameter(r -> r.name(name)).parameter().value())
          .as(name).isEqualTo(value));
      ciphertexts.forEach((blob, value) -> assertThat(kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(blob)))
          .plaintext().asUtf8String()).isEqualTo(value));
    }
  }
}
