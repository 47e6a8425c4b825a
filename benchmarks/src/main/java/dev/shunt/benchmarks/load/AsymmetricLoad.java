package dev.shunt.benchmarks.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Load run of KMS Sign, Verify, GenerateMac and GenerateDataKeyPair over HTTP, each Sign beside OpenSSL's
 * single-core sign rate for the same key type ({@code openssl speed -seconds 3}), measured in the
 * same run on the same machine. Targets: Shunt's RSA_2048 Sign at least 0.5x OpenSSL's, ECC_NIST_P256
 * at least 0.25x.
 */
public final class AsymmetricLoad {

  /** A key spec to load, its signing algorithm and the {@code openssl speed} test that compares (or null). */
  private record SigningCase(String spec, String algorithm, String opensslTest, String opensslRowMarker) {}

  /** Adding a spec is one line here (ML-DSA has no OpenSSL 3.0 counterpart to compare with). */
  private static final List<SigningCase> SIGNING = List.of(
      new SigningCase("RSA_2048", "RSASSA_PSS_SHA_256", "rsa2048", "rsa 2048 bits"),
      new SigningCase("ECC_NIST_P256", "ECDSA_SHA_256", "ecdsap256", "(nistp256)"),
      new SigningCase("ECC_NIST_EDWARDS25519", "ED25519_SHA_512", "ed25519", "(Ed25519)"),
      new SigningCase("ML_DSA_65", "ML_DSA_SHAKE_256", null, null));

  private static final List<String> DATA_KEY_PAIR_SPECS = List.of("ECC_NIST_P256", "ECC_NIST_EDWARDS25519",
      "RSA_2048");

  private AsymmetricLoad() {}

  public static void main(String[] args) throws Exception {
    LoadMatrix.Settings settings = LoadMatrix.Settings.parse(args);
    System.out.println(run(settings.backendJar(), settings.measureMillis(), settings.warmupMillis(),
        settings.connections(), 3));
  }

  /** Runs OpenSSL's speed test, then the load, and returns the Markdown section. */
  public static String run(Path backendJar, long measureMillis, long warmupMillis, int connections,
      int opensslSeconds) throws Exception {
    Map<String, double[]> openssl = opensslSignVerifyRates(opensslSeconds);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Closed loop, %d keep-alive connections, %d s warm-up then %d s measured, "
        + "quotas off, trust auth. OpenSSL: `openssl speed -seconds %d` on one core, same machine, same run.%n%n",
        connections, warmupMillis / 1000, measureMillis / 1000, opensslSeconds));
    out.append("| operation | Shunt req/s | p50 / p99 µs | CPU µs/req | OpenSSL 1-core op/s | Shunt ÷ OpenSSL |\n");
    out.append("|---|---|---|---|---|---|\n");
    try (ChildProcess backend = ChildProcess.startJava(List.of("-jar", backendJar.toString(), "serve", "--in-memory", "--port", "0",
        "--quotas", "off", "--auth", "trust"))) {
      AwsRequests requests = new AwsRequests(backend.uri(), false);
      String message = Base64.getEncoder().encodeToString("a message of a typical size, a JWT's header and claims"
          .getBytes(StandardCharsets.UTF_8));
      for (SigningCase signing : SIGNING) {
        String keyId = AwsRequests.field(requests.call("TrentService.CreateKey", "{\"KeySpec\":\"" + signing.spec
            + "\",\"KeyUsage\":\"SIGN_VERIFY\"}"), "KeyMetadata", "KeyId");
        String signBody = "{\"KeyId\":\"" + keyId + "\",\"Message\":\"" + message + "\",\"SigningAlgorithm\":\""
            + signing.algorithm + "\"}";
        String signature = AwsRequests.field(requests.call("TrentService.Sign", signBody), "Signature");
        String verifyBody = "{\"KeyId\":\"" + keyId + "\",\"Message\":\"" + message + "\",\"Signature\":\""
            + signature + "\",\"SigningAlgorithm\":\"" + signing.algorithm + "\"}";
        double[] reference = signing.opensslTest == null ? null : openssl.get(signing.opensslTest);
        row(out, "Sign " + signing.spec, LoadClient.closedLoop(backend, requests.raw("TrentService.Sign", signBody), connections,
            warmupMillis, measureMillis), reference == null ? Double.NaN : reference[0]);
        row(out, "Verify " + signing.spec, LoadClient.closedLoop(backend, requests.raw("TrentService.Verify", verifyBody),
            connections, warmupMillis, measureMillis), reference == null ? Double.NaN : reference[1]);
      }
      String macKey = AwsRequests.field(requests.call("TrentService.CreateKey", "{\"KeySpec\":\"HMAC_256\",\"KeyUsage\":"
          + "\"GENERATE_VERIFY_MAC\"}"), "KeyMetadata", "KeyId");
      row(out, "GenerateMac HMAC_256", LoadClient.closedLoop(backend, requests.raw("TrentService.GenerateMac", "{\"KeyId\":\""
          + macKey + "\",\"Message\":\"" + message + "\",\"MacAlgorithm\":\"HMAC_SHA_256\"}"), connections,
          warmupMillis, measureMillis), Double.NaN);
      String wrappingKey = AwsRequests.field(requests.call("TrentService.CreateKey", "{}"), "KeyMetadata", "KeyId");
      for (String pairSpec : DATA_KEY_PAIR_SPECS) {
        row(out, "GenerateDataKeyPair " + pairSpec, LoadClient.closedLoop(backend, requests.raw("TrentService.GenerateDataKeyPair",
            "{\"KeyId\":\"" + wrappingKey + "\",\"KeyPairSpec\":\"" + pairSpec + "\"}"), connections, warmupMillis,
            measureMillis), Double.NaN);
      }
    }
    return out.toString();
  }

  private static void row(StringBuilder out, String name, LoadClient.Result result, double opensslRate) {
    System.err.printf(Locale.ROOT, "RESULT %s server=shunt %s%n", name.replace(' ', '_'), result.summary());
    out.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f / %,.0f | %.1f | %s | %s |%n", name,
        result.perSecond(), result.percentile(50), result.percentile(99), result.serverCpuMicrosPerAnswer(),
        Double.isNaN(opensslRate) ? "–" : String.format(Locale.ROOT, "%,.0f", opensslRate),
        Double.isNaN(opensslRate) ? "–" : String.format(Locale.ROOT, "%.2f×", result.perSecond() / opensslRate)));
  }

  /** {@code openssl speed}'s sign/s and verify/s per test name; empty when openssl is absent. */
  private static Map<String, double[]> opensslSignVerifyRates(int seconds) throws IOException, InterruptedException {
    Map<String, double[]> rates = new LinkedHashMap<>();
    if (!java.nio.file.Files.isExecutable(Path.of("/usr/bin/openssl"))) {
      return rates;
    }
    List<String> command = new java.util.ArrayList<>(List.of("/usr/bin/openssl", "speed", "-seconds",
        Integer.toString(seconds)));
    SIGNING.stream().filter(s -> s.opensslTest != null).forEach(s -> command.add(s.opensslTest));
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    for (String line : output.split("\n")) {
      for (SigningCase signing : SIGNING) {
        if (signing.opensslRowMarker != null && line.contains(signing.opensslRowMarker)) {
          // The last two columns are sign/s and verify/s.
          String[] columns = line.trim().split("\\s+");
          rates.put(signing.opensslTest, new double[] {Double.parseDouble(columns[columns.length - 2]),
              Double.parseDouble(columns[columns.length - 1])});
        }
      }
    }
    return rates;
  }
}
