package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A flood of requests from invented accounts and Regions, over real HTTP, to the real command
 * line in a JVM of its own with a small heap: the backend keeps answering, refuses what lies
 * beyond its bounds with AWS's errors, and its live heap stays within a fixed budget. Before
 * the bounds, every (account, Region) pair kept state of its own: these requests made
 * 18,000 pairs, and more requests would have made more, up to an OutOfMemoryError.
 */
class MemoryBoundIT {
  private static final int REQUESTS = 20_000;
  private static final int IN_FLIGHT = 16;
  /**
   * Live heap after a full GC that the flood may add. Measured on Java 17: 2.5 MB with the bounds;
   * 38 MB without them (every answer a 200), and more the more requests.
   */
  private static final long GROWTH_BUDGET_BYTES = 16L * 1024 * 1024;
  private static final String AMZ_JSON = "application/x-amz-json-1.1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> REAL_REGIONS = List.of("us-east-1", "us-west-2", "eu-west-1", "eu-central-1",
      "ap-southeast-2", "ap-south-1", "sa-east-1", "ca-central-1", "me-central-1", "mx-central-1", "ap-southeast-7",
      "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1", "us-iso-east-1", "us-isob-east-1",
      "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1");
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  @Test
  void aFloodOfInventedAccountsAndRegionsStaysWithinBounds() throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Assumptions.assumeTrue(Files.isExecutable(jcmd), "jcmd is needed to read the child's heap: " + jcmd);
    // Serial GC: one thread, and GC.run is a full, compacting collection, so "used" is the live heap.
    try (MainIT.Shunt shunt = MainIT.Shunt.launch(List.of("-Xmx96m", "-Xms96m", "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1"), Map.of(), "serve", "--port", "0", "--quotas", "off").awaitListening()) {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build();
      // Warm up the paths the flood takes, so the baseline holds their classes and caches.
      for (int i = 0; i < 200; i++) {
        send(http, shunt, "CreateKey", "AKIDWARM", REAL_REGIONS.get(i % REAL_REGIONS.size()));
      }
      long baseline = liveHeapBytes(jcmd, shunt.process.pid());

      Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
      Set<String> servedAccounts = ConcurrentHashMap.newKeySet();
      Semaphore inFlight = new Semaphore(IN_FLIGHT);
      List<CompletableFuture<?>> sent = new ArrayList<>(REQUESTS);
      int invented = 0;
      long started = System.nanoTime();
      for (int i = 0; i < REQUESTS; i++) {
        // 2,000 accounts, each calling from ten Regions; every third request names a Region of its own.
        String account = Long.toString(100_000_000_000L + i % 2_000);
        boolean madeUp = i % 3 == 0;
        String region = madeUp ? "zz-flood-" + i : REAL_REGIONS.get((i / 7) % REAL_REGIONS.size());
        invented += madeUp ? 1 : 0;
        inFlight.acquire();
        sent.add(http.sendAsync(request(shunt, madeUp || i % 2 == 0 ? "CreateKey" : "ListKeys", account, region),
                HttpResponse.BodyHandlers.ofString())
            .whenComplete((response, failure) -> {
              inFlight.release();
              String outcome = failure != null ? "failed: " + failure : outcome(response);
              outcomes.computeIfAbsent(outcome, o -> new LongAdder()).increment();
              if (failure == null && response.statusCode() == 200) {
                servedAccounts.add(account);
              }
            }));
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(60, TimeUnit.SECONDS);
      long floodMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      long after = liveHeapBytes(jcmd, shunt.process.pid());
      System.out.printf("MemoryBoundIT: %d requests in %d ms; live heap %d KB before, %d KB after (+%d KB); %s%n",
          REQUESTS, floodMillis, baseline / 1024, after / 1024, (after - baseline) / 1024, outcomes);

      long refusedRegions = count(outcomes, "400 InvalidSignatureException Credential should be scoped to a valid region");
      long refusedAccounts = count(outcomes, "400 UnrecognizedClientException The security token included in the "
          + "request is invalid. (Shunt keeps at most 100 accounts; see --max-accounts)");
      long served = count(outcomes, "200");
      assertThat(refusedRegions).as("%s", outcomes).isEqualTo(invented);
      assertThat(served + refusedAccounts + refusedRegions).as("every answer is one of those: %s", outcomes)
          .isEqualTo(REQUESTS);
      assertThat(refusedAccounts).as("%s", outcomes).isPositive();
      // The default account (of AKIDWARM) holds one of the 100 places.
      assertThat(servedAccounts).hasSizeBetween(1, 99);

      // Still serving, correctly: a key made, then a round trip through it.
      JsonNode key = JSON.readTree(send(http, shunt, "CreateKey", "AKIDAFTER", "us-east-1").body());
      String keyId = key.path("KeyMetadata").path("KeyId").asText();
      HttpResponse<String> sealed = send(http, shunt, "Encrypt", "AKIDAFTER", "us-east-1",
          "{\"KeyId\":\"" + keyId + "\",\"Plaintext\":\"c3RpbGwgaGVyZQ==\"}");
      assertThat(sealed.statusCode()).as(sealed.body()).isEqualTo(200);
      HttpResponse<String> opened = send(http, shunt, "Decrypt", "AKIDAFTER", "us-east-1",
          "{\"CiphertextBlob\":\"" + JSON.readTree(sealed.body()).path("CiphertextBlob").asText() + "\"}");
      assertThat(opened.statusCode()).as(opened.body()).isEqualTo(200);
      assertThat(JSON.readTree(opened.body()).path("Plaintext").asText()).isEqualTo("c3RpbGwgaGVyZQ==");

      assertThat(after - baseline).as("live heap growth, bytes").isLessThan(GROWTH_BUDGET_BYTES);

      // The quota report comes in pages, and names only admitted accounts and real Regions.
      HttpResponse<String> firstPage = shunt.get("/_shunt/quotas");
      assertThat(firstPage.statusCode()).isEqualTo(200);
      assertThat(firstPage.body().length()).isLessThan(512 * 1024);
      assertThat(JSON.readTree(firstPage.body()).path("usage").size()).isBetween(1, 1000);
      Set<String> reportedAccounts = new HashSet<>();
      String token = null;
      do {
        JsonNode page = JSON.readTree(shunt.get("/_shunt/quotas?limit=10000"
            + (token == null ? "" : "&nextToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8))).body());
        for (JsonNode entry : page.path("usage")) {
          reportedAccounts.add(entry.path("account").asText());
          assertThat(entry.path("region").asText()).doesNotStartWith("zz-");
        }
        token = page.hasNonNull("nextToken") ? page.get("nextToken").asText() : null;
      } while (token != null);
      assertThat(reportedAccounts).hasSizeLessThanOrEqualTo(100);
    }
  }

  private static HttpRequest request(MainIT.Shunt shunt, String operation, String accessKey, String region) {
    return request(shunt, operation, accessKey, region, "{}");
  }

  /** A KMS request as an SDK would send it, scoped to the key and Region, its signature not checked (trust mode). */
  private static HttpRequest request(MainIT.Shunt shunt, String operation, String accessKey, String region,
      String body) {
    return HttpRequest.newBuilder(shunt.uri.resolve("/"))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", AMZ_JSON)
        .header("X-Amz-Target", "TrentService." + operation)
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/20260101/" + region
            + "/kms/aws4_request, SignedHeaders=host, Signature=0")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static HttpResponse<String> send(HttpClient http, MainIT.Shunt shunt, String operation, String accessKey,
      String region) throws Exception {
    return send(http, shunt, operation, accessKey, region, "{}");
  }

  private static HttpResponse<String> send(HttpClient http, MainIT.Shunt shunt, String operation, String accessKey,
      String region, String body) throws Exception {
    HttpResponse<String> response = http.send(request(shunt, operation, accessKey, region, body),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return response;
  }

  /** "200", or the status, the AWS error code and the message up to its first quote (the Region named varies). */
  private static String outcome(HttpResponse<String> response) {
    if (response.statusCode() == 200) {
      return "200";
    }
    try {
      JsonNode error = JSON.readTree(response.body());
      String message = error.path("message").asText();
      int quote = message.indexOf(", not '");
      return response.statusCode() + " " + error.path("__type").asText() + " "
          + (quote < 0 ? message : message.substring(0, quote));
    } catch (IOException e) {
      return response.statusCode() + " " + response.body();
    }
  }

  private static long count(Map<String, LongAdder> outcomes, String outcome) {
    LongAdder adder = outcomes.get(outcome);
    return adder == null ? 0 : adder.sum();
  }

  /**
   * The child's live heap: a full GC ({@code jcmd PID GC.run}), then the "used" of each
   * generation in {@code GC.heap_info} (Metaspace, not heap, is left out).
   */
  private static long liveHeapBytes(Path jcmd, long pid) throws Exception {
    run(jcmd, pid, "GC.run");
    String info = run(jcmd, pid, "GC.heap_info");
    long usedKb = 0;
    int generations = 0;
    for (String line : info.split("\n")) {
      if (line.contains("generation") || line.contains(" heap ")) {
        Matcher used = USED.matcher(line);
        if (used.find()) {
          usedKb += Long.parseLong(used.group(1));
          generations++;
        }
      }
    }
    assertThat(generations).as("heap generations in:%n%s", info).isPositive();
    return usedKb * 1024;
  }

  private static String run(Path jcmd, long pid, String command) throws Exception {
    Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command).redirectErrorStream(true)
        .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("jcmd %s", command).isTrue();
    assertThat(process.exitValue()).as("jcmd %s: %s", command, output).isZero();
    return output;
  }
}
