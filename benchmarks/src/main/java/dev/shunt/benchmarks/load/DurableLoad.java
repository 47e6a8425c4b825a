package dev.shunt.benchmarks.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What durable state costs: write throughput (CreateKey, PutSecretValue, PutParameter with
 * overwrite) and Decrypt throughput of {@code serve} in memory, on a data directory with
 * {@code --durability process} and with {@code --durability full} (each acknowledged write
 * fsynced; group commit shares the fsync among the writes in flight); and the cold start of
 * {@code serve} on a data directory holding 10,000 keys, 10,000 secrets and 10,000 parameters.
 *
 * <p>{@code DurableLoad [--seconds S] [--warmup S] [--connections N] [--backend-jar PATH] [--items N]}
 */
public final class DurableLoad {
  private static final List<String> MODES = List.of("in-memory", "process", "full");
  /** Items the writes spread over, one per connection at 32 connections. */
  private static final int ITEMS = 32;

  private DurableLoad() {}

  public static void main(String[] args) throws Exception {
    LoadMatrix.Settings settings = LoadMatrix.Settings.parse(args);
    int items = 10_000;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--items")) {
        items = Integer.parseInt(args[i + 1]);
      }
    }
    System.out.println(run(settings.backendJar(), settings.measureMillis(), settings.warmupMillis(),
        settings.connections(), items));
  }

  /** Runs the writes in each mode, then the cold start, and returns the Markdown section. */
  public static String run(Path backendJar, long measureMillis, long warmupMillis, int connections, int items)
      throws Exception {
    Map<String, Map<String, LoadClient.Result>> byMode = new LinkedHashMap<>();
    for (String mode : MODES) {
      Path dir = Files.createTempDirectory("shunt-durable-load");
      try (ChildProcess backend = ChildProcess.startJava(serve(backendJar, mode, dir))) {
        AwsRequests requests = new AwsRequests(backend.uri(), false);
        String key = AwsRequests.field(requests.call("TrentService.CreateKey", "{}"), "KeyMetadata", "KeyId");
        String ciphertext = AwsRequests.field(requests.call("TrentService.Encrypt", "{\"KeyId\":\"" + key
            + "\",\"Plaintext\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}"), "CiphertextBlob");
        // Writes spread over ITEMS items (keys over as many accounts, each under KMS's 100,000 keys per Region).
        List<byte[]> createKeys = new ArrayList<>();
        List<byte[]> putSecrets = new ArrayList<>();
        List<byte[]> putParameters = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
          createKeys.add(requests.rawAs(String.format(Locale.ROOT, "1000000000%02d", i), "TrentService.CreateKey",
              "{\"Description\":\"load\"}"));
          requests.call("secretsmanager.CreateSecret", "{\"Name\":\"load/secret-" + i + "\",\"SecretString\":\"first\"}");
          putSecrets.add(requests.raw("secretsmanager.PutSecretValue", "{\"SecretId\":\"load/secret-" + i
              + "\",\"SecretString\":\"a new value of a typical size, 64 bytes or so, like a password..\"}"));
          putParameters.add(requests.raw("AmazonSSM.PutParameter", "{\"Name\":\"/load/parameter-" + i
              + "\",\"Value\":\"a value\",\"Type\":\"String\",\"Overwrite\":true}"));
        }
        Map<String, List<byte[]>> scenarios = new LinkedHashMap<>();
        scenarios.put("KMS CreateKey", createKeys);
        scenarios.put("Secrets Manager PutSecretValue", putSecrets);
        scenarios.put("SSM PutParameter (overwrite)", putParameters);
        scenarios.put("SSM PutParameter (overwrite), one parameter", List.of(putParameters.get(0)));
        scenarios.put("KMS Decrypt", List.of(requests.raw("TrentService.Decrypt", "{\"CiphertextBlob\":\""
            + ciphertext + "\"}")));
        Map<String, LoadClient.Result> results = new LinkedHashMap<>();
        for (Map.Entry<String, List<byte[]>> scenario : scenarios.entrySet()) {
          LoadClient.Result result = LoadClient.closedLoop(backend, scenario.getValue(), connections, warmupMillis, measureMillis);
          System.err.printf(Locale.ROOT, "RESULT %s mode=%s %s%n", scenario.getKey().replace(' ', '_'), mode,
              result.summary());
          results.put(scenario.getKey(), result);
        }
        byMode.put(mode, results);
      } finally {
        delete(dir);
      }
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Closed loop, %d keep-alive connections, %d s warm-up then %d s measured, "
        + "quotas off, trust auth; each mode a fresh `serve` (`--in-memory`, or a new data directory with "
        + "`--durability process` or `full`). Writes spread over %d items, one per connection: keys over %d "
        + "accounts, values over %d secrets and %d parameters (the secrets keep every version of the last 24 "
        + "hours, as AWS does, so each grows by a version per put); one row puts to a single parameter from every "
        + "connection. Errors (non-200 answers) over all runs: %d.%n%n", connections, warmupMillis / 1000,
        measureMillis / 1000, ITEMS, ITEMS, ITEMS, ITEMS, errors(byMode)));
    out.append("| operation | in memory: req/s | p50 / p99 µs | process: req/s | p50 / p99 µs | full (fsync): "
        + "req/s | p50 / p99 µs | full ÷ in memory |\n|---|---|---|---|---|---|---|---|\n");
    for (String operation : byMode.get("in-memory").keySet()) {
      out.append("| ").append(operation);
      for (String mode : MODES) {
        LoadClient.Result result = byMode.get(mode).get(operation);
        out.append(String.format(Locale.ROOT, " | %,.0f | %,.0f / %,.0f", result.perSecond(), result.percentile(50),
            result.percentile(99)));
      }
      out.append(String.format(Locale.ROOT, " | %.2f× |%n", byMode.get("full").get(operation).perSecond()
          / byMode.get("in-memory").get(operation).perSecond()));
    }
    out.append("\n").append(coldStart(backendJar, items));
    return out.toString();
  }

  private static long errors(Map<String, Map<String, LoadClient.Result>> byMode) {
    return byMode.values().stream().flatMap(results -> results.values().stream()).mapToLong(LoadClient.Result::errors)
        .sum();
  }

  private static List<String> serve(Path backendJar, String mode, Path dir) {
    List<String> command = new ArrayList<>(List.of("-jar", backendJar.toString(), "serve", "--port", "0",
        "--quotas", "off", "--auth", "trust"));
    if (mode.equals("in-memory")) {
      command.add("--in-memory");
    } else {
      command.addAll(List.of("--data-dir", dir.toString(), "--durability", mode));
    }
    return command;
  }

  /**
   * Seeds a data directory with {@code items} keys, secrets and parameters, then times {@code serve}
   * from its start to its listening line on that directory, five times.
   */
  private static String coldStart(Path backendJar, int items) throws Exception {
    Path dir = Files.createTempDirectory("shunt-cold-start");
    try {
      Path seed = dir.resolve("seed.json");
      Files.writeString(seed, seedFile(items));
      Path data = dir.resolve("data");
      long seeding = timeToListen(List.of("-jar", backendJar.toString(), "serve", "--port", "0", "--data-dir",
          data.toString(), "--seed", seed.toString()));
      long empty = median(backendJar, Files.createDirectories(dir.resolve("empty")));
      long full = median(backendJar, data);
      long bytes;
      try (Stream<Path> files = Files.list(data)) {
        bytes = files.mapToLong(f -> f.toFile().length()).sum();
      }
      return String.format(Locale.ROOT, "Cold start of `serve` (JVM start to its listening line, median of 5, state "
          + "restored before it listens) on a data directory holding %,d keys, %,d secrets and %,d parameters "
          + "(%,.1f MB on disk, made by one `--seed` start that took %,d ms): **%,d ms**, against %,d ms on an empty "
          + "data directory.%n", items, items, items, bytes / 1e6, seeding, full, empty);
    } finally {
      delete(dir);
    }
  }

  private static long median(Path backendJar, Path data) throws Exception {
    List<Long> times = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      times.add(timeToListen(List.of("-jar", backendJar.toString(), "serve", "--port", "0", "--data-dir",
          data.toString())));
    }
    times.sort(Comparator.naturalOrder());
    return times.get(2);
  }

  private static long timeToListen(List<String> command) throws Exception {
    long start = System.nanoTime();
    try (ChildProcess backend = ChildProcess.startJava(command)) {
      return (System.nanoTime() - start) / 1_000_000;
    }
  }

  /** A seed of {@code items} keys (fresh material), secrets and parameters in the default account and Region. */
  static String seedFile(int items) {
    StringBuilder keys = new StringBuilder();
    StringBuilder secrets = new StringBuilder();
    StringBuilder parameters = new StringBuilder();
    for (int i = 0; i < items; i++) {
      String sep = i == 0 ? "" : ",";
      keys.append(sep).append("{\"KeyId\":\"").append(UUID.nameUUIDFromBytes(("key" + i).getBytes()))
          .append("\",\"Description\":\"key ").append(i).append("\"}");
      secrets.append(sep).append("{\"Name\":\"app/secret-").append(i)
          .append("\",\"SecretString\":\"{\\\"password\\\":\\\"p").append(i).append("\\\"}\"}");
      parameters.append(sep).append("{\"Name\":\"/app/parameter-").append(i).append("\",\"Value\":\"value ")
          .append(i).append("\"}");
    }
    return "{\"version\":1,\"regions\":[{\"kms\":{\"keys\":[" + keys + "]},\"secretsmanager\":{\"secrets\":["
        + secrets + "]},\"ssm\":{\"parameters\":[" + parameters + "]}}]}";
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
