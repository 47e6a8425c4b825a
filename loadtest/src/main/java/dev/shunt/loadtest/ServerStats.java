package dev.shunt.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What Shunt saw of the run: the per-second numbers the dashboard shows, from
 * {@code GET /_shunt/stats?seconds=N} (requests, accepted, throttled, faults, errors, cache hits and
 * server latency percentiles per operation, and each operation's quota). Fetched while the run
 * lasts (so a run longer than the window the server keeps is whole) and once more at its end,
 * merged by second; the later answer for a second wins (it is complete).
 *
 * <p>A Shunt without that endpoint (older than the dashboard) still has {@code GET /_shunt/quotas}:
 * its counters since start, read before and after the run, give the run's totals (accepted,
 * throttled, faulted) and the quotas, without per-second numbers.
 *
 * <p>Server seconds are moved onto the client's when the two clocks disagree by a second or more
 * (the stats' {@code now} against this machine's time at the answer, e.g. a Shunt whose clock was
 * moved with {@code /_shunt/clock}).
 */
final class ServerStats {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The longest window asked for at once. */
  static final int MAX_WINDOW_SECONDS = 600;

  private final URI base;
  private final String adminToken;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final TreeMap<Long, JsonNode> seconds = new TreeMap<>();
  private final Map<String, JsonNode> quotas = new LinkedHashMap<>();
  private boolean statsAvailable = true;
  private String problem;
  private long skewMillis;
  private Map<String, Counters> countersBefore;

  /** {@code shunt}: the Shunt's URL (its {@code /_shunt/*} API); {@code adminToken} null when it needs none. */
  ServerStats(URI shunt, String adminToken) {
    String text = shunt.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.adminToken = adminToken;
  }

  /** Why the server's numbers are incomplete (unreachable, refused...), or null when nothing went wrong. */
  synchronized String problem() {
    return problem;
  }

  /** Before the run: the counters since start, for a Shunt that has no stats endpoint. */
  synchronized void before() {
    countersBefore = quotaCounters();
  }

  /** Fetches the last {@code windowSeconds} seconds and merges them in. False once the endpoint is found missing. */
  synchronized boolean poll(int windowSeconds) {
    if (!statsAvailable) {
      return false;
    }
    int window = Math.max(1, Math.min(windowSeconds, MAX_WINDOW_SECONDS));
    long asked = System.currentTimeMillis();
    HttpResponse<String> response = get("_shunt/stats?seconds=" + window);
    long answered = System.currentTimeMillis();
    if (response == null) {
      return false;
    }
    if (response.statusCode() == 404) {
      statsAvailable = false;
      return false;
    }
    if (response.statusCode() != 200) {
      problem = refusal("GET /_shunt/stats", response);
      statsAvailable = false;
      return false;
    }
    JsonNode body;
    try {
      body = JSON.readTree(response.body());
    } catch (IOException e) {
      problem = "GET /_shunt/stats answered what is not JSON";
      statsAvailable = false;
      return false;
    }
    if (body.path("now").isNumber()) {
      skewMillis = body.path("now").asLong() - (asked + answered) / 2;
    }
    long shift = Math.abs(skewMillis) < 1000 ? 0 : Math.round(skewMillis / 1000.0);
    for (JsonNode second : body.path("seconds")) {
      if (second.path("t").canConvertToLong()) {
        ObjectNode copy = second.deepCopy();
        long t = second.path("t").asLong() - shift;
        copy.put("t", t);
        seconds.put(t, copy);
      }
    }
    Iterator<Map.Entry<String, JsonNode>> fields = body.path("quotas").fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      quotas.put(field.getKey(), field.getValue());
    }
    return true;
  }

  /**
   * What the server saw from {@code fromSecond} to {@code toSecond} (inclusive), for the
   * {@code operations} named (null: every operation it served). Keys: {@code url}, {@code source}
   * ({@code /_shunt/stats}, {@code /_shunt/quotas} or none), {@code note} when something is missing,
   * {@code clockSkewMillis}, {@code quotas}, {@code seconds} (the stats' own shape, every second of
   * the window), {@code totals} per operation.
   */
  synchronized ObjectNode result(long fromSecond, long toSecond, Set<String> operations) {
    ObjectNode result = JsonNodeFactory.instance.objectNode().put("url", base.toString());
    ObjectNode quotaNode = result.putObject("quotas");
    ObjectNode totals = JsonNodeFactory.instance.objectNode();
    if (statsAvailable && !seconds.isEmpty()) {
      result.put("source", "/_shunt/stats").put("clockSkewMillis", skewMillis);
      quotas.forEach((op, quota) -> {
        if (operations == null || operations.contains(op)) {
          quotaNode.set(op, quota);
        }
      });
      var list = result.putArray("seconds");
      if (seconds.firstKey() > fromSecond) {
        result.put("note", "the server kept no numbers before " + seconds.firstKey() + " (the run started at "
            + fromSecond + ")");
      }
      for (long t = fromSecond; t <= toSecond; t++) {
        JsonNode second = seconds.get(t);
        ObjectNode kept = JsonNodeFactory.instance.objectNode().put("t", t);
        ObjectNode ops = kept.putObject("operations");
        if (second != null) {
          Iterator<Map.Entry<String, JsonNode>> fields = second.path("operations").fields();
          while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (operations == null || operations.contains(field.getKey())) {
              ops.set(field.getKey(), field.getValue());
              ObjectNode total = totals.has(field.getKey()) ? (ObjectNode) totals.get(field.getKey())
                  : totals.putObject(field.getKey());
              for (String counter : List.of("requests", "accepted", "throttled", "faults", "errors", "cacheHits")) {
                total.put(counter, total.path(counter).asLong() + field.getValue().path(counter).asLong());
              }
            }
          }
        }
        list.add(kept);
      }
      result.set("totals", totals);
      return result;
    }
    Map<String, Counters> after = countersBefore == null ? null : quotaCounters();
    if (after != null) {
      result.put("source", "/_shunt/quotas");
      result.put("note", (problem != null ? problem + "; " : "this Shunt has no /_shunt/stats; ")
          + "totals are its /_shunt/quotas counters before and after the run, with no numbers per second");
      after.forEach((op, counts) -> {
        if (operations != null && !operations.contains(op)) {
          return;
        }
        Counters before = countersBefore.getOrDefault(op, new Counters());
        long accepted = counts.accepted - before.accepted;
        long throttled = counts.throttled - before.throttled;
        long faulted = counts.faulted - before.faulted;
        if (accepted + throttled + faulted > 0) {
          totals.putObject(op).put("requests", accepted + throttled + faulted).put("accepted", accepted)
              .put("throttled", throttled).put("faults", faulted);
        }
        if (counts.quota != null) {
          quotaNode.put(op, counts.quota);
        } else if (operations != null && operations.contains(op)) {
          quotaNode.putNull(op);
        }
      });
      result.putArray("seconds");
      result.set("totals", totals);
      return result;
    }
    result.put("source", "none").put("note", problem != null ? problem : "the server's numbers could not be read");
    result.putArray("seconds");
    result.set("totals", totals);
    return result;
  }

  /**
   * {@code GET /_shunt/quotas}, every page: per operation ({@code kms:Decrypt}) summed over
   * accounts and Regions: accepted, throttled, faulted, and the quota (null: none).
   */
  private Map<String, Counters> quotaCounters() {
    Map<String, Counters> counters = new TreeMap<>();
    String token = null;
    for (int page = 0; page < 100; page++) {
      HttpResponse<String> response = get("_shunt/quotas?limit=10000"
          + (token == null ? "" : "&nextToken=" + java.net.URLEncoder.encode(token, StandardCharsets.UTF_8)));
      if (response == null || response.statusCode() != 200) {
        if (response != null) {
          problem = refusal("GET /_shunt/quotas", response);
        }
        return null;
      }
      JsonNode body;
      try {
        body = JSON.readTree(response.body());
      } catch (IOException e) {
        return null;
      }
      for (JsonNode entry : body.path("usage")) {
        String op = entry.path("service").asText() + ":" + entry.path("operation").asText();
        Counters counts = counters.computeIfAbsent(op, o -> new Counters());
        counts.accepted += entry.path("accepted").asLong();
        counts.throttled += entry.path("throttled").asLong();
        counts.faulted += entry.path("faulted").asLong();
        if (entry.path("quota").isNumber()) {
          counts.quota = entry.path("quota").asDouble();
        }
      }
      token = body.path("nextToken").isTextual() ? body.path("nextToken").asText() : null;
      if (token == null) {
        break;
      }
    }
    return counters;
  }

  /** One operation's counters in {@code /_shunt/quotas}. */
  private static final class Counters {
    long accepted;
    long throttled;
    long faulted;
    Double quota;
  }

  private HttpResponse<String> get(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30)).GET();
    if (adminToken != null) {
      request.header("Authorization", "Bearer " + adminToken);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      problem = "cannot reach " + base + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problem = "interrupted";
      return null;
    }
  }

  private String refusal(String request, HttpResponse<String> response) {
    String hint = response.statusCode() != 403 ? ""
        : adminToken == null ? " (give its admin token: --admin-token, or SHUNT_ADMIN_TOKEN)"
        : " (the admin token given is not its own)";
    return request + " answered HTTP " + response.statusCode() + ": " + abbreviate(response.body()) + hint;
  }

  private static String abbreviate(String text) {
    String oneLine = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }
}
