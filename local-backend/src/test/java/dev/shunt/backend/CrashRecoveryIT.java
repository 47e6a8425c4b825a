package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * Nothing acknowledged is lost: {@code serve} on a data directory is killed (SIGKILL, no shutdown
 * hook) at random moments under a concurrent write load, again and again; after each restart
 * every write that was answered with success is there, and every ciphertext handed out decrypts.
 */
class CrashRecoveryIT {
  private static final int CRASHES = 12;
  private static final int WRITERS = 4;
  private static final String LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:crash-test";

  @TempDir
  Path dir;

  /** What the clients were told succeeded. */
  private final ConcurrentLinkedQueue<String> keys = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Ciphertext> ciphertexts = new ConcurrentLinkedQueue<>();
  private final Map<String, Integer> rotationsOnDemand = new ConcurrentHashMap<>();
  /** A secret's acknowledged versions (id to value); each writer owns its secrets, so the last is the current one. */
  private final Map<String, List<String[]>> secretVersions = new ConcurrentHashMap<>();
  private final Map<String, String> rotationVersions = new ConcurrentHashMap<>();
  /** A parameter's last acknowledged version and value. */
  private final Map<String, long[]> parameterVersions = new ConcurrentHashMap<>();
  private final Map<String, String> parameterValues = new ConcurrentHashMap<>();
  private final AtomicInteger acknowledged = new AtomicInteger();

  private record Ciphertext(byte[] blob, String plaintext) {}

  @Test
  void everyAcknowledgedWriteSurvivesKillNine() throws Exception {
    Random random = new Random();
    ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
    try {
      for (int crash = 0; crash < CRASHES; crash++) {
        MainIT.Shunt shunt = MainIT.Shunt.launch(List.of("-XX:TieredStopAtLevel=1"), Map.of(), "serve", "--port", "0",
            "--data-dir", dir.toString(), "--quotas", "off").awaitListening();
        try {
          verify(shunt.uri, crash);
          AtomicBoolean running = new AtomicBoolean(true);
          List<Future<?>> load = new ArrayList<>();
          for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            int round = crash;
            load.add(writers.submit(() -> write(shunt.uri, writer, round, running)));
          }
          Thread.sleep(300 + random.nextInt(900));
          shunt.kill();
          running.set(false);
          for (Future<?> writer : load) {
            writer.get(60, TimeUnit.SECONDS);
          }
        } finally {
          shunt.close();
        }
      }
      // Last, SIGTERM under the same load: in-flight writes finish and the store closes cleanly.
      MainIT.Shunt stopped = MainIT.Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--data-dir",
          dir.toString(), "--quotas", "off").awaitListening();
      AtomicBoolean running = new AtomicBoolean(true);
      Future<?> load = writers.submit(() -> write(stopped.uri, 0, CRASHES, running));
      Thread.sleep(500);
      stopped.close();
      running.set(false);
      load.get(60, TimeUnit.SECONDS);
      assertThat(stopped.stderr.toString()).doesNotContain("Exception");
      Path log = dir.resolve("shunt.db-wal");
      assertThat(!java.nio.file.Files.exists(log) || java.nio.file.Files.size(log) == 0)
          .as("the write-ahead log is folded into the database on a clean stop").isTrue();
      MainIT.Shunt last = MainIT.Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--data-dir",
          dir.toString(), "--quotas", "off").awaitListening();
      try {
        verify(last.uri, CRASHES);
      } finally {
        last.close();
      }
    } finally {
      writers.shutdownNow();
    }
    assertThat(acknowledged.get()).as("writes acknowledged across the crashes").isGreaterThan(CRASHES * 20);
    assertThat(secretVersions).isNotEmpty();
    assertThat(parameterVersions).isNotEmpty();
  }

  /** One writer's loop: a mix of writes until the backend dies; records only what was answered with success. */
  private void write(URI endpoint, int writer, int round, AtomicBoolean running) {
    Random random = new Random(writer * 1000L + round);
    try (KmsClient kms = client(KmsClient.builder(), endpoint);
        SecretsManagerClient sm = client(SecretsManagerClient.builder(), endpoint);
        SsmClient ssm = client(SsmClient.builder(), endpoint)) {
      String secret = "crash/w" + writer + "/r" + round;
      String parameter = "/crash/w" + writer + "/r" + round;
      for (int i = 0; running.get(); i++) {
        try {
          switch (random.nextInt(7)) {
            case 0 -> keys.add(kms.createKey(r -> r.description("crash")).keyMetadata().keyId());
            case 1 -> {
              String key = any(keys, random);
              if (key != null) {
                String plaintext = "w" + writer + "-" + round + "-" + random.nextLong();
                byte[] blob = kms.encrypt(r -> r.keyId(key).plaintext(SdkBytes.fromUtf8String(plaintext)))
                    .ciphertextBlob().asByteArray();
                ciphertexts.add(new Ciphertext(blob, plaintext));
              }
            }
            case 2 -> {
              // Each writer rotates the keys it made, so the count it saw acknowledged is a floor.
              String key = kms.createKey(r -> r.description("rotated")).keyMetadata().keyId();
              keys.add(key);
              kms.rotateKeyOnDemand(r -> r.keyId(key));
              rotationsOnDemand.put(key, 1);
            }
            case 3 -> {
              if (!secretVersions.containsKey(secret)) {
                String value = "v0-" + random.nextLong();
                String version = sm.createSecret(r -> r.name(secret).secretString(value)).versionId();
                secretVersions.put(secret, new ArrayList<>(List.<String[]>of(new String[] {version, value})));
              }
            }
            case 4 -> {
              if (secretVersions.containsKey(secret)) {
                String value = "v" + i + "-" + random.nextLong();
                String version = sm.putSecretValue(r -> r.secretId(secret).secretString(value)).versionId();
                secretVersions.get(secret).add(new String[] {version, value});
              }
            }
            case 5 -> {
              String value = "p" + i + "-" + random.nextLong();
              long version = ssm.putParameter(r -> r.name(parameter).value(value).type(ParameterType.STRING)
                  .overwrite(true)).version();
              parameterVersions.put(parameter, new long[] {version});
              parameterValues.put(parameter, value);
            }
            default -> {
              String rotated = "crash/rotated/w" + writer + "/r" + round + "/" + i;
              sm.createSecret(r -> r.name(rotated).secretString("{\"password\":\"start\"}"));
              String version = sm.rotateSecret(r -> r.secretId(rotated).rotationLambdaARN(LAMBDA)).versionId();
              rotationVersions.put(rotated, version);
            }
          }
          acknowledged.incrementAndGet();
        } catch (RuntimeException e) {
          if (running.get()) {
            Thread.onSpinWait(); // the backend is dying: the write may or may not have happened
          }
        }
      }
    }
  }

  private static String any(ConcurrentLinkedQueue<String> queue, Random random) {
    List<String> all = new ArrayList<>(queue);
    return all.isEmpty() ? null : all.get(random.nextInt(all.size()));
  }

  /** After a restart: everything acknowledged is there. */
  private void verify(URI endpoint, int crash) {
    long started = System.nanoTime();
    try {
      verifyAll(endpoint, crash);
    } finally {
      System.out.printf("crash %d: %d keys, %d ciphertexts, %d secrets, %d parameters verified in %d ms%n", crash,
          keys.size(), ciphertexts.size(), secretVersions.size(), parameterVersions.size(),
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  private void verifyAll(URI endpoint, int crash) {
    try (KmsClient kms = client(KmsClient.builder(), endpoint);
        SecretsManagerClient sm = client(SecretsManagerClient.builder(), endpoint);
        SsmClient ssm = client(SsmClient.builder(), endpoint)) {
      java.util.Set<String> listed = new java.util.HashSet<>();
      kms.listKeysPaginator(r -> r.limit(1000)).keys().forEach(key -> listed.add(key.keyId()));
      assertThat(listed).as("keys after crash %d", crash).containsAll(keys);
      // One request per item, eight at a time: the ledger grows with every round.
      List<Runnable> checks = new ArrayList<>();
      for (Ciphertext ciphertext : ciphertexts) {
        checks.add(() -> assertThat(kms.decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext.blob())))
            .plaintext().asUtf8String()).as("a ciphertext after crash %d", crash).isEqualTo(ciphertext.plaintext()));
      }
      rotationsOnDemand.forEach((key, count) -> checks.add(() -> assertThat(kms.listKeyRotations(r -> r.keyId(key))
          .rotations()).as("rotations of %s after crash %d", key, crash).hasSizeGreaterThanOrEqualTo(count)));
      secretVersions.forEach((secret, versions) -> {
        for (String[] version : versions) {
          checks.add(() -> assertThat(sm.getSecretValue(r -> r.secretId(secret).versionId(version[0])).secretString())
              .as("version %s of %s after crash %d", version[0], secret, crash).isEqualTo(version[1]));
        }
      });
      rotationVersions.forEach((secret, version) -> checks.add(() -> assertThat(sm.listSecretVersionIds(
          r -> r.secretId(secret)).versions()).as("rotation of %s after crash %d", secret, crash)
          .anySatisfy(v -> assertThat(v.versionId()).isEqualTo(version))));
      parameterVersions.forEach((parameter, version) -> checks.add(() -> assertThat(ssm.getParameter(
          r -> r.name(parameter + ":" + version[0])).parameter().value())
          .as("%s:%d after crash %d", parameter, version[0], crash).isEqualTo(parameterValues.get(parameter))));
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> running = new ArrayList<>();
        checks.forEach(check -> running.add(pool.submit(check)));
        for (Future<?> check : running) {
          check.get(60, TimeUnit.SECONDS);
        }
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof AssertionError failed ? failed : new AssertionError(e.getCause());
      } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
        throw new AssertionError(e);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  /** A client that does not retry: a write counts as acknowledged only if its own attempt was answered with success. */
  static <B extends software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<B, C>
      & software.amazon.awssdk.core.client.builder.SdkSyncClientBuilder<B, C>, C> C client(B builder, URI endpoint) {
    // No retries: a write counts as acknowledged only if its own attempt was answered with success.
    return builder.endpointOverride(endpoint).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDCRASH", "secret")))
        .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(20)).build())
        .overrideConfiguration(ClientOverrideConfiguration.builder()
            .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry())
            .apiCallTimeout(Duration.ofSeconds(30)).build())
        .build();
  }
}
