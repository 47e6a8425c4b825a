package dev.shunt.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an answer from a cache costs beside the call it saves: KMS GenerateDataKey (one key, one
 * encryption context), KMS Decrypt (one ciphertext) and Secrets Manager GetSecretValue (one secret)
 * over HTTP, each against a {@code serve} with its caches off and against one with
 * {@code --data-key-cache on --decrypt-cache-ttl 60s --secret-cache-ttl on}. The same request is
 * sent over and over, so with the cache on every answer after the first is a hit; the backend's
 * own count ({@code GET /_shunt/quotas}, {@code caches}) is read after each run to show it.
 *
 * <p>{@code CacheLoad [--seconds S] [--warmup S] [--connections N] [--backend-jar PATH]}
 */
public final class CacheLoad {
  /** The options of the backend with its caches on. */
  static final List<String> CACHES_ON = List.of("--data-key-cache", "on", "--decrypt-cache-ttl", "60s",
      "--secret-cache-ttl", "on");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** An operation loaded, and the cache of {@code /_shunt/quotas} that serves it. */
  private record Scenario(String name, String cache) {}

  private static final List<Scenario> SCENARIOS = List.of(
      new Scenario("KMS GenerateDataKey (AES_256, one key, one context)", "dataKeys"),
      new Scenario("KMS Decrypt (one ciphertext)", "decrypts"),
      new Scenario("Secrets Manager GetSecretValue (one secret)", "secrets"));

  /** What one scenario measured against one backend, with the cache's hits and misses in that run. */
  private record Measured(LoadClient.Result result, long hits, long misses) {}

  private CacheLoad() {}

  public static void main(String[] args) throws Exception {
    LoadMatrix.Settings settings = LoadMatrix.Settings.parse(args);
    System.out.println(run(settings.backendJar(), settings.measureMillis(), settings.warmupMillis(),
        settings.connections()));
  }

  /** Loads each scenario against a backend with caches off, then one with them on; returns the Markdown section. */
  public static String run(Path backendJar, long measureMillis, long warmupMillis, int connections) throws Exception {
    Map<String, Measured> off = measure(backendJar, false, measureMillis, warmupMillis, connections);
    Map<String, Measured> on = measure(backendJar, true, measureMillis, warmupMillis, connections);
    long errors = 0;
    for (Map<String, Measured> mode : List.of(off, on)) {
      errors += mode.values().stream().mapToLong(m -> m.result.errors()).sum();
    }
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Closed loop, %d keep-alive connections, %d s warm-up then %d s measured, "
        + "quotas off, trust auth; a fresh `serve --in-memory` with its caches off, then one with `%s`, each "
        + "first warmed up for %d s by the three requests together. The same "
        + "request over and over: with the cache on, every answer after the first is a hit (hits and misses: the "
        + "backend's own count over each row's warm-up and measurement; the first answer, the miss, came before). Errors (non-200 answers) over all runs: %d.%n%n",
        connections, warmupMillis / 1000, measureMillis / 1000, String.join(" ", CACHES_ON), 2 * warmupMillis / 1000,
        errors));
    out.append("| operation | cache off: req/s | p50 / p99 µs | server CPU µs/req | cache on: req/s | p50 / p99 µs "
        + "| server CPU µs/req | hits / misses | on ÷ off |\n|---|---|---|---|---|---|---|---|---|\n");
    for (Scenario scenario : SCENARIOS) {
      LoadClient.Result a = off.get(scenario.name).result;
      Measured cached = on.get(scenario.name);
      LoadClient.Result b = cached.result;
      out.append(String.format(Locale.ROOT, "| %s | %,.0f | %,.0f / %,.0f | %.1f | %,.0f | %,.0f / %,.0f | %.1f "
          + "| %,d / %,d | %.2f× |%n", scenario.name, a.perSecond(), a.percentile(50), a.percentile(99),
          a.serverCpuMicrosPerAnswer(), b.perSecond(), b.percentile(50), b.percentile(99),
          b.serverCpuMicrosPerAnswer(), cached.hits, cached.misses, b.perSecond() / a.perSecond()));
    }
    return out.toString();
  }

  private static Map<String, Measured> measure(Path backendJar, boolean cachesOn, long measureMillis,
      long warmupMillis, int connections) throws Exception {
    List<String> command = new ArrayList<>(List.of("-jar", backendJar.toString(), "serve", "--in-memory", "--port",
        "0", "--quotas", "off", "--auth", "trust"));
    if (cachesOn) {
      command.addAll(CACHES_ON);
    }
    Map<String, Measured> results = new LinkedHashMap<>();
    try (ChildProcess backend = ChildProcess.startJava(command)) {
      AwsRequests requests = new AwsRequests(backend.uri(), false);
      String key = AwsRequests.field(requests.call("TrentService.CreateKey", "{}"), "KeyMetadata", "KeyId");
      String context = "\"EncryptionContext\":{\"tenant\":\"t1\"}";
      String ciphertext = AwsRequests.field(requests.call("TrentService.GenerateDataKey", "{\"KeyId\":\"" + key
          + "\",\"KeySpec\":\"AES_256\"," + context + "}"), "CiphertextBlob");
      requests.call("secretsmanager.CreateSecret", "{\"Name\":\"load/db\",\"SecretString\":"
          + "\"{\\\"username\\\":\\\"app\\\",\\\"password\\\":\\\"a password of a typical size\\\"}\"}");
      Map<Scenario, byte[]> bodies = new LinkedHashMap<>();
      bodies.put(SCENARIOS.get(0), requests.raw("TrentService.GenerateDataKey", "{\"KeyId\":\"" + key
          + "\",\"KeySpec\":\"AES_256\"," + context + "}"));
      bodies.put(SCENARIOS.get(1), requests.raw("TrentService.Decrypt", "{\"CiphertextBlob\":\"" + ciphertext + "\","
          + context + "}"));
      bodies.put(SCENARIOS.get(2), requests.raw("secretsmanager.GetSecretValue", "{\"SecretId\":\"load/db\"}"));
      // A fresh JVM's first seconds of load go to the JIT: all three requests together first, unmeasured,
      // so that the first scenario measured is not the one that pays for it.
      LoadClient.closedLoop(backend, List.copyOf(bodies.values()), connections, 0, 2 * warmupMillis);
      for (Map.Entry<Scenario, byte[]> scenario : bodies.entrySet()) {
        long[] before = cacheCounts(backend.uri(), scenario.getKey().cache);
        LoadClient.Result result = LoadClient.closedLoop(backend, scenario.getValue(), connections, warmupMillis,
            measureMillis);
        long[] after = cacheCounts(backend.uri(), scenario.getKey().cache);
        System.err.printf(Locale.ROOT, "RESULT %s caches=%s %s%n", scenario.getKey().name.replace(' ', '_'),
            cachesOn ? "on" : "off", result.summary());
        results.put(scenario.getKey().name, new Measured(result, after[0] - before[0], after[1] - before[1]));
      }
    }
    return results;
  }

  /** Hits (stale ones included) and misses of one cache so far, from {@code GET /_shunt/quotas}; zeros when it is off. */
  private static long[] cacheCounts(URI backend, String cache) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(backend.resolve(
        "/_shunt/quotas")).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("/_shunt/quotas answered " + response.statusCode() + ": " + response.body());
    }
    JsonNode counts = JSON.readTree(response.body()).path("caches").path(cache);
    return new long[] {counts.path("hits").asLong() + counts.path("staleHits").asLong(), counts.path("misses").asLong()};
  }
}
