package dev.shunt.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * The load through an application's own HTTP endpoint: one plain request per call (GET, or POST
 * with a body), measured by its latency and status only. The application's AWS SDK retries inside
 * it, out of sight: what AWS (Shunt) saw comes from the Shunt it uses ({@code --shunt URL}). A 2xx
 * answer is accepted, 429 throttled, anything else an error named {@code HTTP STATUS}.
 */
final class AppTarget implements LoadTarget {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final HttpRequest request;
  private final LoadStats stats;
  private final RunClock clock;

  AppTarget(URI url, String method, byte[] body, Map<String, String> headers, LoadStats stats, RunClock clock) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(builder::header);
    this.request = builder.build();
    this.stats = stats;
    this.clock = clock;
  }

  @Override
  public String call(int op) {
    long sent = System.nanoTime();
    LoadStats.Outcome outcome;
    String error;
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      outcome = AttemptRecorder.classify(status, null);
      error = outcome == LoadStats.Outcome.OK ? null : "HTTP " + status;
    } catch (IOException e) {
      outcome = LoadStats.Outcome.IO_ERROR;
      error = e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = LoadStats.Outcome.IO_ERROR;
      error = "Interrupted";
    }
    stats.attempt(op, clock.epochMillis(sent), 1, outcome, -1);
    return error;
  }

  @Override
  public void close() {
    // The JDK's client has nothing to close before Java 21; its threads are daemons.
  }
}
