package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.core.AwsException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shunt's own endpoints under {@code /_shunt/} (health, reset, clock...). Each part of the
 * backend registers its routes here; nothing under this prefix is an AWS API.
 */
public final class AdminApi {
  /** One admin endpoint: the request and its parsed query in, a JSON body out (errors thrown). */
  @FunctionalInterface
  public interface Endpoint {
    JsonNode handle(FullHttpRequest request, QueryStringDecoder query);
  }

  public static final String PREFIX = "/_shunt/";

  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

  /** Registers {@code METHOD /_shunt/name}. */
  public void register(HttpMethod method, String name, Endpoint endpoint) {
    endpoints.put(method.name() + " " + PREFIX + name, endpoint);
  }

  JsonNode handle(FullHttpRequest request) {
    QueryStringDecoder query = new QueryStringDecoder(request.uri());
    Endpoint endpoint = endpoints.get(request.method().name() + " " + query.path());
    if (endpoint == null) {
      throw new AwsException("ResourceNotFoundException",
          "No Shunt endpoint " + request.method().name() + " " + query.path(), 404);
    }
    return endpoint.handle(request, query);
  }
}
