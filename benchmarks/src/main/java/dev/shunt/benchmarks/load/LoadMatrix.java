package dev.shunt.benchmarks.load;

import dev.shunt.benchmarks.CannedServer;
import dev.shunt.benchmarks.SelfJar;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shunt's throughput against this machine's ceiling: the canned server (same Netty stack, fixed
 * answer, no work) and the standalone backend, each in a JVM of its own, loaded closed-loop by
 * {@link LoadClient} over keep-alive connections; KMS Encrypt, Decrypt, GenerateDataKey, Secrets
 * Manager GetSecretValue and SSM GetParameter, with {@code --auth trust}, {@code --auth sigv4}, and
 * {@code --auth sigv4} with a principals file (the caller an IAM user with two identity policies,
 * the key under a policy with a condition on the encryption context), quotas off. Then Decrypt (trust) open-loop at 80 % of its peak, for latency under
 * load. Prints a Markdown section and {@code RESULT} lines.
 *
 * <p>{@code LoadMatrix [--seconds S] [--warmup S] [--connections N] [--backend-jar PATH]}
 */
public final class LoadMatrix {

  /** One operation to load: its target and body, given the state set up for it. */
  private record Scenario(String name, String target, String body) {}

  private static final String ACCOUNT = "111122223333";
  /** The benchmark's caller as an IAM user with two identity policies, one with a condition. */
  private static final String USER = "arn:aws:iam::" + ACCOUNT + ":user/bench";
  private static final String PRINCIPALS = "{\"principals\":[{\"arn\":\"" + USER + "\",\"accessKeys\":[{\"id\":\""
      + AwsRequests.ACCESS_KEY + "\",\"secret\":\"" + AwsRequests.SECRET_KEY + "\"}],\"policies\":["
      + "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"kms:Encrypt\",\"kms:Decrypt\","
      + "\"kms:GenerateDataKey\"],\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"kms:EncryptionContext:tenant\":"
      + "\"acme\"}}},{\"Effect\":\"Allow\",\"Action\":[\"kms:CreateKey\",\"kms:PutKeyPolicy\",\"kms:DescribeKey\"],"
      + "\"Resource\":\"*\"}]},"
      + "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"secretsmanager:*\",\"ssm:*\"],"
      + "\"Resource\":\"*\"},{\"Effect\":\"Deny\",\"Action\":\"kms:ScheduleKeyDeletion\",\"Resource\":\"*\"}]}]}]}";
  /** Delegates to IAM, and lets the user decrypt by itself when the context says what for. */
  private static final String KEY_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
      + "\"Principal\":{\"AWS\":\"arn:aws:iam::" + ACCOUNT + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"},"
      + "{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + USER + "\"},\"Action\":\"kms:Decrypt\",\"Resource\":\"*\","
      + "\"Condition\":{\"StringEquals\":{\"kms:EncryptionContext:purpose\":\"orders\"}}}]}";

  private LoadMatrix() {}

  public static void main(String[] args) throws Exception {
    Settings settings = Settings.parse(args);
    System.out.println(run(settings.backendJar(), settings.measureMillis(), settings.warmupMillis(),
        settings.connections()));
  }

  /** Runs the whole matrix and returns its Markdown section. */
  public static String run(Path backendJar, long measureMillis, long warmupMillis, int connections) throws Exception {
    StringBuilder out = new StringBuilder();
    String self = SelfJar.path();
    LoadClient.Result ceiling;
    try (ChildProcess canned = ChildProcess.startJava(List.of("-cp", self, CannedServer.class.getName(), "0",
        "{\"KeyId\":\"arn:aws:kms:us-east-1:000000000000:key/0b5e0e8e-0000-4000-8000-000000000000\","
            + "\"Plaintext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
            + "\"EncryptionAlgorithm\":\"SYMMETRIC_DEFAULT\"}"))) {
      AwsRequests requests = new AwsRequests(canned.uri(), false);
      ceiling = LoadClient.closedLoop(canned, requests.raw("TrentService.Decrypt", "{\"CiphertextBlob\":\"" + "A".repeat(200)
          + "\"}"), connections, warmupMillis, measureMillis);
      result("ceiling", "canned", ceiling);
    }
    Map<String, Map<String, LoadClient.Result>> byAuth = new LinkedHashMap<>();
    LoadClient.Result openLoop = null;
    double openLoopRate = 0;
    Path principals = Files.createTempFile("shunt-principals", ".json");
    Files.writeString(principals, PRINCIPALS);
    for (String auth : List.of("trust", "sigv4", "principals")) {
      boolean signed = !auth.equals("trust");
      List<String> command = new ArrayList<>(List.of("-jar", backendJar.toString(), "serve", "--in-memory", "--port", "0",
          "--quotas", "off", "--auth", signed ? "sigv4" : "trust"));
      command.addAll(auth.equals("principals") ? List.of("--principals", principals.toString())
          : signed ? List.of("--credentials", AwsRequests.ACCESS_KEY + ":" + AwsRequests.SECRET_KEY) : List.of());
      try (ChildProcess backend = ChildProcess.startJava(command)) {
        AwsRequests requests = new AwsRequests(backend.uri(), signed);
        Map<String, LoadClient.Result> results = new LinkedHashMap<>();
        for (Scenario scenario : scenarios(requests, auth.equals("principals") ? KEY_POLICY : null)) {
          LoadClient.Result result = LoadClient.closedLoop(backend, requests.raw(scenario.target, scenario.body), connections,
              warmupMillis, measureMillis);
          result(scenario.name + "." + auth, "shunt", result);
          results.put(scenario.name, result);
        }
        byAuth.put(auth, results);
        if (auth.equals("trust")) {
          Scenario decrypt = scenarios(requests, null).stream().filter(s -> s.name.equals("KMS Decrypt")).findFirst()
              .orElseThrow();
          openLoopRate = results.get("KMS Decrypt").perSecond() * 0.8;
          try (LoadClient client = new LoadClient(address(backend.uri()), requests.raw(decrypt.target, decrypt.body),
              backend::cpuNanos)) {
            openLoop = client.openLoop(connections, openLoopRate, warmupMillis, measureMillis);
          }
          result("KMS Decrypt.trust.open-loop-80pct", "shunt", openLoop);
        }
      }
    }
    out.append(String.format(Locale.ROOT, "Closed loop, %d keep-alive connections from one client thread, %d s "
        + "warm-up then %d s measured; every server in its own JVM with default flags; quotas off. Ceiling: the "
        + "canned server (same Netty stack, fixed Decrypt-shaped answer, no work): **%,.0f req/s** (p99 %,.0f µs), "
        + "its JVM using %.1f µs of CPU per request and the load client %.1f µs. CPU columns: the server JVM's "
        + "CPU time (all threads: event loops, GC, JIT) over the measured window, per answer.%n%n", connections,
        warmupMillis / 1000, measureMillis / 1000, ceiling.perSecond(), ceiling.percentile(99),
        ceiling.serverCpuMicrosPerAnswer(), ceiling.clientCpuMicrosPerAnswer()));
    out.append("| operation | trust: req/s | of ceiling | p50 / p99 µs | CPU µs/req | sigv4: req/s | of ceiling "
        + "| p50 / p99 µs | CPU µs/req | sigv4 + principals: req/s | p50 / p99 µs | CPU µs/req |\n");
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String name : byAuth.get("trust").keySet()) {
      LoadClient.Result trust = byAuth.get("trust").get(name);
      LoadClient.Result sigv4 = byAuth.get("sigv4").get(name);
      LoadClient.Result iam = byAuth.get("principals").get(name);
      out.append(String.format(Locale.ROOT, "| %s | %,.0f | %.0f %% | %,.0f / %,.0f | %.1f | %,.0f | %.0f %% | "
          + "%,.0f / %,.0f | %.1f | %,.0f | %,.0f / %,.0f | %.1f |%n", name, trust.perSecond(),
          100 * trust.perSecond() / ceiling.perSecond(), trust.percentile(50), trust.percentile(99),
          trust.serverCpuMicrosPerAnswer(), sigv4.perSecond(), 100 * sigv4.perSecond() / ceiling.perSecond(),
          sigv4.percentile(50), sigv4.percentile(99), sigv4.serverCpuMicrosPerAnswer(), iam.perSecond(),
          iam.percentile(50), iam.percentile(99), iam.serverCpuMicrosPerAnswer()));
    }
    long errors = byAuth.values().stream().flatMap(m -> m.values().stream()).mapToLong(LoadClient.Result::errors)
        .sum();
    out.append(String.format(Locale.ROOT, "%nErrors (non-200 answers) over all runs: %d.%n%n", errors));
    out.append(String.format(Locale.ROOT, "Open loop, KMS Decrypt (trust) at 80 %% of its peak (%,.0f req/s offered, "
        + "latency from when each request was due): %,.0f req/s served, p50 %,.0f µs, p99 %,.0f µs, p99.9 %,.0f µs, "
        + "max %,.0f µs.%n", openLoopRate, openLoop.perSecond(), openLoop.percentile(50), openLoop.percentile(99),
        openLoop.percentile(99.9), (double) openLoop.latencyMicros().getMaxValue()));
    return out.toString();
  }

  /**
   * Sets up a key (under {@code keyPolicy}, or the default one), a ciphertext, a secret and a
   * parameter, and returns the five operations to load; KMS requests carry an encryption context.
   */
  private static List<Scenario> scenarios(AwsRequests requests, String keyPolicy) throws Exception {
    String keyId = AwsRequests.field(requests.call("TrentService.CreateKey", keyPolicy == null ? "{}"
        : "{\"Policy\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(keyPolicy) + "}"), "KeyMetadata", "KeyId");
    String plaintext = Base64.getEncoder().encodeToString(new byte[32]);
    String context = ",\"EncryptionContext\":{\"tenant\":\"acme\",\"purpose\":\"orders\"}";
    String ciphertext = AwsRequests.field(requests.call("TrentService.Encrypt", "{\"KeyId\":\"" + keyId + "\",\"Plaintext\":\""
        + plaintext + "\"" + context + "}"), "CiphertextBlob");
    requests.call("secretsmanager.CreateSecret", "{\"Name\":\"bench/db-" + keyId + "\","
        + "\"SecretString\":\"{\\\"username\\\":\\\"app\\\",\\\"password\\\":\\\"0123456789abcdef\\\"}\"}");
    requests.call("AmazonSSM.PutParameter", "{\"Name\":\"/bench/" + keyId + "\",\"Value\":\"50\",\"Type\":\"String\"}");
    return List.of(
        new Scenario("KMS Encrypt", "TrentService.Encrypt", "{\"KeyId\":\"" + keyId + "\",\"Plaintext\":\""
            + plaintext + "\"" + context + "}"),
        new Scenario("KMS Decrypt", "TrentService.Decrypt", "{\"CiphertextBlob\":\"" + ciphertext + "\"" + context
            + "}"),
        new Scenario("KMS GenerateDataKey", "TrentService.GenerateDataKey", "{\"KeyId\":\"" + keyId
            + "\",\"KeySpec\":\"AES_256\"" + context + "}"),
        new Scenario("Secrets Manager GetSecretValue", "secretsmanager.GetSecretValue", "{\"SecretId\":\"bench/db-"
            + keyId + "\"}"),
        new Scenario("SSM GetParameter", "AmazonSSM.GetParameter", "{\"Name\":\"/bench/" + keyId + "\"}"));
  }

  private static InetSocketAddress address(URI uri) {
    return new InetSocketAddress(uri.getHost(), uri.getPort());
  }

  private static void result(String name, String server, LoadClient.Result result) {
    System.err.printf(Locale.ROOT, "RESULT %s server=%s %s%n", name.replace(' ', '_'), server, result.summary());
  }

  /** A load run's command line: {@code [--seconds S] [--warmup S] [--connections N] [--backend-jar PATH]}. */
  record Settings(Path backendJar, long measureMillis, long warmupMillis, int connections) {
    static Settings parse(String[] args) {
      Map<String, String> options = options(args);
      return new Settings(Path.of(options.getOrDefault("backend-jar", "local-backend/target/shunt-backend.jar")),
          Long.parseLong(options.getOrDefault("seconds", "10")) * 1000,
          Long.parseLong(options.getOrDefault("warmup", "5")) * 1000,
          Integer.parseInt(options.getOrDefault("connections", "32")));
    }
  }

  static Map<String, String> options(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("Expected --name value, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    return options;
  }
}
