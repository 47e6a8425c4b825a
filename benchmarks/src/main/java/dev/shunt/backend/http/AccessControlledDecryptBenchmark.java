package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditLog;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AdmittedAccounts;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.Credentials;
import dev.shunt.backend.auth.Principals;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.kms.KmsService;
import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.time.ShuntClock;
import dev.shunt.benchmarks.jmh.KmsFixture;
import dev.shunt.benchmarks.jmh.SigV4Benchmark;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A signed Decrypt through the processor (as {@link DecryptRequestBenchmark}), by the account root
 * with no principals file ({@code off}), or ({@code principals}) by an IAM user of a principals
 * file with two identity policies, under a key policy whose statement for that user has a
 * condition on the encryption context: what evaluating IAM as AWS does costs a Decrypt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AccessControlledDecryptBenchmark {
  private static final String USER = "arn:aws:iam::" + KmsFixture.ACCOUNT + ":user/bench";

  @Param({"off", "principals"})
  public String access;

  private AwsRequestProcessor processor;
  private AuditLog auditLog;
  private byte[] body;
  private FullHttpRequest request;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    KmsBackend kms = new KmsBackend();
    Router router = new Router(List.of(new KmsService(kms)));
    Credentials credentials = new Credentials(Map.of(), "000000000000");
    String keyPolicy = null;
    if (access.equals("principals")) {
      Principals principals = Principals.parse(Json.readTree(("{\"principals\":[{\"arn\":\"" + USER + "\","
          + "\"accessKeys\":[{\"id\":\"" + KmsFixture.ACCESS_KEY + "\",\"secret\":\"" + KmsFixture.SECRET_KEY + "\"}],"
          + "\"policies\":[{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":"
          + "[\"kms:Encrypt\",\"kms:Decrypt\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":"
          + "{\"kms:EncryptionContext:tenant\":\"acme\"}}}]},{\"Version\":\"2012-10-17\",\"Statement\":"
          + "[{\"Effect\":\"Allow\",\"Action\":\"kms:Describe*\",\"Resource\":\"*\"},{\"Effect\":\"Deny\","
          + "\"Action\":\"kms:ScheduleKeyDeletion\",\"Resource\":\"*\"}]}]}]}").getBytes(StandardCharsets.UTF_8)),
          "bench", file -> null);
      credentials = credentials.with(principals);
      kms.accessControl(AccessControl.of(principals));
      keyPolicy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
          + "\"arn:aws:iam::" + KmsFixture.ACCOUNT + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
          + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + USER + "\"},\"Action\":\"kms:Decrypt\","
          + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:EncryptionContext:purpose\":\"orders\"}}}]}";
    } else {
      credentials = new Credentials(Map.of(KmsFixture.ACCESS_KEY, new Credentials.Entry(KmsFixture.ACCESS_KEY,
          KmsFixture.SECRET_KEY, KmsFixture.ACCOUNT)), "000000000000");
    }
    ObjectNode createKey = Json.object().put("Description", "bench");
    if (keyPolicy != null) {
      createKey.put("Policy", keyPolicy);
    }
    String keyArn = serve(router, "CreateKey", createKey).path("KeyMetadata").path("Arn").textValue();
    ObjectNode encrypt = (ObjectNode) Json.readTree(("{\"KeyId\":\"" + keyArn + "\",\"Plaintext\":\""
        + Base64.getEncoder().encodeToString(KmsFixture.bytes(32)) + "\",\"EncryptionContext\":"
        + KmsFixture.CONTEXT_JSON + "}").getBytes(StandardCharsets.UTF_8));
    byte[] ciphertext = serve(router, "Encrypt", encrypt).path("CiphertextBlob").binaryValue();
    body = KmsFixture.decryptBody(ciphertext, null).getBytes(StandardCharsets.UTF_8);
    Authenticator authenticator = new Authenticator(AuthMode.SIGV4, credentials, KmsFixture.REGION,
        AwsRegions.published(), AdmittedAccounts.of(credentials, 100), Clock.systemUTC());
    auditLog = new AuditLog(1000, null, 0, 0);
    processor = new AwsRequestProcessor(router, authenticator, new ShuntClock(),
        new QuotaEngine(QuotaConfig.off(), (account, region) -> false), new FaultInjector(),
        new Auditor(auditLog, new AuditTelemetry(null)));
  }

  /** As the account root (key creation and the first ciphertext). */
  private static ObjectNode serve(Router router, String operation, ObjectNode input) {
    Router.Route route = router.route("TrentService." + operation);
    route.model().validateInput(operation, input);
    return route.handler().handle(KmsFixture.context(), input);
  }

  @Setup(Level.Iteration)
  public void sign() {
    request = SigV4Benchmark.signedRequest(body);
    decrypt();
  }

  @TearDown(Level.Iteration)
  public void release() {
    request.release();
  }

  @TearDown(Level.Trial)
  public void close() {
    auditLog.close();
  }

  @Benchmark
  public Object decrypt() {
    AwsRequestProcessor.Result result = processor.process(request, RequestIds.next(), "127.0.0.1");
    if (result.error() != null) {
      throw result.error();
    }
    return result.body();
  }
}
