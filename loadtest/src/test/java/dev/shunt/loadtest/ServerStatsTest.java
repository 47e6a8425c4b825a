package dev.shunt.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading the server's side: the stats window, merged and aligned; and the fallback to /_shunt/quotas. */
class ServerStatsTest {
  private HttpServer server;
  private final AtomicReference<String> stats = new AtomicReference<>();
  private final ConcurrentLinkedQueue<String> quotas = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<String> authorizations = new ConcurrentLinkedQueue<>();
  private volatile boolean tokenRequired;

  private URI start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/_shunt/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      authorizations.add(auth == null ? "none" : auth);
      if (tokenRequired && auth == null) {
        byte[] bytes = "{\"__type\":\"MissingAuthenticationTokenException\"}".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(403, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
        return;
      }
      String body = path.equals("/_shunt/stats") ? stats.get() : path.equals("/_shunt/quotas") ? quotas.poll() : null;
      byte[] bytes = (body == null ? "{\"__type\":\"NotFound\"}" : body).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  private static String second(long t, String op, int accepted, int throttled) {
    return "{\"t\":" + t + ",\"operations\":{\"" + op + "\":{\"requests\":" + (accepted + throttled)
        + ",\"accepted\":" + accepted + ",\"throttled\":" + throttled + ",\"faults\":0,\"errors\":0,\"cacheHits\":0,"
        + "\"p50\":100,\"p90\":200,\"p99\":300,\"max\":400}}}";
  }

  @Test
  void theWindowIsMergedFromPollsFilteredAndTotalled() throws Exception {
    URI url = start();
    long now = System.currentTimeMillis();
    long t = now / 1000;
    stats.set("{\"now\":" + now + ",\"seconds\":[" + second(t - 10, "kms:Decrypt", 5, 0) + ","
        + second(t - 3, "kms:Decrypt", 7, 1) + "],\"quotas\":{\"kms:Decrypt\":10,\"ssm:GetParameter\":null}}");
    ServerStats serverStats = new ServerStats(url, "secret-token");
    assertThat(serverStats.poll(60)).isTrue();
    // A later answer has newer seconds and a completed one: merged by second, the later wins.
    stats.set("{\"now\":" + now + ",\"seconds\":[" + second(t - 3, "kms:Decrypt", 8, 1) + ","
        + "{\"t\":" + (t - 2) + ",\"operations\":{\"kms:Decrypt\":{\"requests\":2,\"accepted\":2},"
        + "\"ssm:GetParameter\":{\"requests\":4,\"accepted\":4}}}],\"quotas\":{\"kms:Decrypt\":10}}");
    assertThat(serverStats.poll(60)).isTrue();
    JsonNode result = serverStats.result(t - 4, t - 1, Set.of("kms:Decrypt"));
    assertThat(result.path("source").asText()).isEqualTo("/_shunt/stats");
    assertThat(result.has("note")).isFalse();
    JsonNode seconds = result.path("seconds");
    assertThat(seconds).hasSize(4);
    assertThat(seconds.get(0).path("t").asLong()).isEqualTo(t - 4);
    assertThat(seconds.get(0).path("operations").size()).isZero();
    assertThat(seconds.get(1).path("operations").path("kms:Decrypt").path("accepted").asLong()).isEqualTo(8);
    assertThat(seconds.get(2).path("operations").has("ssm:GetParameter")).isFalse();
    JsonNode totals = result.path("totals").path("kms:Decrypt");
    assertThat(totals.path("accepted").asLong()).isEqualTo(10);
    assertThat(totals.path("throttled").asLong()).isEqualTo(1);
    assertThat(totals.path("requests").asLong()).isEqualTo(11);
    assertThat(result.path("quotas").path("kms:Decrypt").asDouble()).isEqualTo(10);
    assertThat(result.path("quotas").has("ssm:GetParameter")).isFalse();
    assertThat(authorizations).containsOnly("Bearer secret-token");
    // Every operation, when none are named (an application's Shunt).
    assertThat(serverStats.result(t - 4, t - 1, null).path("totals").path("ssm:GetParameter").path("accepted")
        .asLong()).isEqualTo(4);
  }

  @Test
  void aServerClockMovedAheadIsBroughtBackOntoTheClients() throws Exception {
    URI url = start();
    long now = System.currentTimeMillis();
    long moved = now + 3_600_000;
    stats.set("{\"now\":" + moved + ",\"seconds\":[" + second(moved / 1000 - 2, "kms:Decrypt", 3, 0) + "]}");
    ServerStats serverStats = new ServerStats(url, null);
    assertThat(serverStats.poll(10)).isTrue();
    JsonNode result = serverStats.result(now / 1000 - 4, now / 1000, null);
    assertThat(result.path("clockSkewMillis").asLong()).isBetween(3_590_000L, 3_610_000L);
    assertThat(result.path("totals").path("kms:Decrypt").path("accepted").asLong()).isEqualTo(3);
    assertThat(authorizations).containsOnly("none");
  }

  @Test
  void aShuntWithoutStatsGivesItsQuotaCountersAsTotals() throws Exception {
    URI url = start();
    String before = "{\"usage\":[{\"account\":\"000000000000\",\"region\":\"us-east-1\",\"service\":\"kms\","
        + "\"operation\":\"Decrypt\",\"group\":\"kms:Decrypt\",\"quota\":10.0,\"accepted\":100,\"throttled\":5,"
        + "\"faulted\":0}]}";
    String after = "{\"usage\":[{\"account\":\"000000000000\",\"region\":\"us-east-1\",\"service\":\"kms\","
        + "\"operation\":\"Decrypt\",\"group\":\"kms:Decrypt\",\"quota\":10.0,\"accepted\":130,\"throttled\":25,"
        + "\"faulted\":1},{\"account\":\"000000000000\",\"region\":\"eu-west-1\",\"service\":\"kms\","
        + "\"operation\":\"Decrypt\",\"accepted\":4,\"throttled\":0,\"faulted\":0}]}";
    quotas.addAll(List.of(before, after));
    ServerStats serverStats = new ServerStats(url, null);
    serverStats.before();
    assertThat(serverStats.poll(10)).isFalse();
    long t = System.currentTimeMillis() / 1000;
    JsonNode result = serverStats.result(t - 2, t, Set.of("kms:Decrypt"));
    assertThat(result.path("source").asText()).isEqualTo("/_shunt/quotas");
    assertThat(result.path("note").asText()).contains("no /_shunt/stats");
    assertThat(result.path("seconds")).isEmpty();
    JsonNode totals = result.path("totals").path("kms:Decrypt");
    assertThat(totals.path("accepted").asLong()).isEqualTo(34);
    assertThat(totals.path("throttled").asLong()).isEqualTo(20);
    assertThat(totals.path("faults").asLong()).isEqualTo(1);
    assertThat(result.path("quotas").path("kms:Decrypt").asDouble()).isEqualTo(10.0);
  }

  @Test
  void aShuntThatWantsATokenIsSaidSo() throws Exception {
    tokenRequired = true;
    URI url = start();
    ServerStats serverStats = new ServerStats(url, null);
    serverStats.before();
    assertThat(serverStats.poll(10)).isFalse();
    assertThat(serverStats.problem()).contains("HTTP 403").contains("--admin-token");
    JsonNode result = serverStats.result(0, 1, null);
    assertThat(result.path("source").asText()).isEqualTo("none");
    assertThat(result.path("note").asText()).contains("--admin-token");
  }

  @Test
  void anUnreachableShuntIsSaidSo() {
    ServerStats serverStats = new ServerStats(URI.create("http://127.0.0.1:1"), null);
    serverStats.before();
    assertThat(serverStats.poll(10)).isFalse();
    JsonNode result = serverStats.result(0, 1, null);
    assertThat(result.path("source").asText()).isEqualTo("none");
    assertThat(result.path("note").asText()).startsWith("cannot reach http://127.0.0.1:1/");
  }
}
