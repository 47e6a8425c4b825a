package dev.shunt.backend.secrets.rotation;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.http.OutboundHosts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A rotator that is a web service: each step is POSTed to its URL as a rotation Lambda's event
 * ({@code {"SecretId", "ClientRequestToken", "Step"}}), and the service does its work through
 * Shunt's Secrets Manager API, as a Lambda would. A 2xx answer completes the step; anything
 * else (or no answer in 30 s) fails the rotation.
 */
public final class HttpCallbackRotator implements SecretRotator {
  // Redirects are not followed: a callback must not send Shunt on to a host it may not call.
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private final String name;
  private final URI url;
  private final OutboundHosts outbound;

  /** @param outbound the hosts it may call, checked again before each call */
  public HttpCallbackRotator(String name, URI url, OutboundHosts outbound) {
    if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
      throw new IllegalArgumentException("A rotation callback must be an http(s) URL");
    }
    outbound.check(url);
    this.name = name;
    this.url = url;
    this.outbound = outbound;
  }

  @Override
  public String name() {
    return name;
  }

  public URI url() {
    return url;
  }

  @Override
  public void step(RotationStep step, RotationRequest request) throws Exception {
    outbound.check(url);
    ObjectNode event = Json.object().put("SecretId", request.secretId())
        .put("ClientRequestToken", request.clientRequestToken()).put("Step", step.eventName());
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(url)
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.text(event)))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IllegalStateException("Rotation callback " + name + " answered " + response.statusCode()
          + " to " + step.eventName());
    }
  }
}
