package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * PostgreSQL stopped under two nodes and started again: reads go on from memory, writes are
 * refused with a retryable 500 (never acknowledged), each said once; once it is back, writes are
 * taken again, the other node catches up, and memory drops what PostgreSQL never took.
 */
class PostgresOutageIT {
  @Test
  void nodesServeReadsThroughAnOutageAndCatchUpAfter() throws Exception {
    PostgresServer postgres = PostgresServer.startOwn();
    String database = postgres.newDatabase();
    PrintStream stderr = System.err;
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    try (BackendFixture a = node(database, "a"); BackendFixture b = node(database, "b");
        SsmClient ssmA = ssm(a); SsmClient ssmB = ssm(b); KmsClient kmsB = kms(b)) {
      ssmA.putParameter(r -> r.name("/outage/p").value("before").type(ParameterType.STRING));
      String keyId = kms(a).createKey(r -> r.description("before the outage")).keyMetadata().keyId();
      waitUntil(() -> value(ssmB, "/outage/p").equals("before"));
      // The key travels on its own: node B may learn of it a moment after the parameter.
      waitUntil(() -> {
        try {
          kmsB.describeKey(r -> r.keyId(keyId));
          return true;
        } catch (software.amazon.awssdk.services.kms.model.NotFoundException e) {
          return false;
        }
      });
      SdkBytes blob = kmsB.encrypt(r -> r.keyId(keyId).plaintext(SdkBytes.fromUtf8String("x"))).ciphertextBlob();

      System.setErr(new PrintStream(said, true, StandardCharsets.UTF_8));
      postgres.halt();
      // Reads come from memory.
      assertThat(value(ssmB, "/outage/p")).isEqualTo("before");
      assertThat(kmsB.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String()).isEqualTo("x");
      // Writes are not acknowledged.
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> ssmA.putParameter(r -> r.name("/outage/p").value("during").overwrite(true)))
            .isInstanceOfSatisfying(AwsServiceException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
      }
      postgres.resume();
      // Memory lets go of what PostgreSQL never took, and writes are taken again.
      waitUntil(() -> value(ssmA, "/outage/p").equals("before"));
      waitUntil(() -> {
        try {
          ssmA.putParameter(r -> r.name("/outage/p").value("after").overwrite(true));
          return true;
        } catch (AwsServiceException e) {
          return false;
        }
      });
      waitUntil(() -> value(ssmB, "/outage/p").equals("after"));
      assertThat(ssmB.getParameter(r -> r.name("/outage/p")).parameter().version()).isEqualTo(2);
    } finally {
      System.setErr(stderr);
      postgres.halt();
    }
    String lines = said.toString(StandardCharsets.UTF_8);
    assertThat(lines.lines().filter(line -> line.contains("Writing to PostgreSQL at")).count())
        .as("said once: %s", lines).isEqualTo(1);
    assertThat(lines).contains("takes writes again").contains("answers again");
  }

  private static String value(SsmClient ssm, String name) {
    return ssm.getParameter(r -> r.name(name)).parameter().value();
  }

  private static BackendFixture node(String database, String id) {
    return BackendFixture.start(ShuntBackend.builder().option("store", database)
        .option("root-key", ClusterStateIT.ROOT_KEY).option("node-id", id));
  }

  private static ClientOverrideConfiguration noRetries() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()).build();
  }

  private static SsmClient ssm(BackendFixture node) {
    return SsmClient.builder().endpointOverride(node.uri()).region(Region.US_EAST_1)
        .credentialsProvider(credentials()).overrideConfiguration(noRetries()).build();
  }

  private static KmsClient kms(BackendFixture node) {
    return KmsClient.builder().endpointOverride(node.uri()).region(Region.US_EAST_1)
        .credentialsProvider(credentials()).overrideConfiguration(noRetries()).build();
  }

  private static software.amazon.awssdk.auth.credentials.AwsCredentialsProvider credentials() {
    return software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDTEST", BackendFixture.SECRET));
  }

  private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!holds(condition)) {
      assertThat(System.nanoTime()).as("condition not met within 15 s").isLessThan(deadline);
      Thread.sleep(50);
    }
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
