package dev.shunt.interceptors;

import java.net.URI;
import java.util.Set;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The one routing rule: a request of KMS, Secrets Manager or SSM goes to Shunt's endpoint,
 * unless its client was pointed somewhere by the application (and overriding is not asked for).
 * Every other service's request is returned untouched. The request is later signed for the new
 * host, so SigV4 stays valid.
 */
public final class ShuntRouting {
  /** The services' ids as the SDK names them ({@code SERVICE_NAME}), in the spellings SDK versions use. */
  private static final Set<String> SERVICES = Set.of("KMS", "Kms", "Secrets Manager", "SecretsManager", "SSM", "Ssm");

  private static volatile URI cachedEndpoint;
  private static volatile String cachedFrom;

  private ShuntRouting() {}

  public static boolean isRoutedService(ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    return service != null && SERVICES.contains(service);
  }

  /** Marks a call whose endpoint Shunt chose (as opposed to one the application overrode). */
  private static final ExecutionAttribute<Boolean> ROUTED = new ExecutionAttribute<>("ShuntRouted");

  /**
   * Before the SDK resolves the endpoint: for the three services, make Shunt's endpoint the
   * client endpoint. SDK versions that resolve the endpoint in an interceptor (2.20 and the like,
   * whose global interceptors run before the service's own) then resolve to Shunt; later versions
   * re-apply it after {@link #route}.
   */
  public static void beforeExecution(ExecutionAttributes attributes) {
    if (isRoutedService(attributes) && (!appEndpoint(attributes) || ShuntEndpoint.overrideAppEndpoints())
        && ShuntEndpoint.available()) {
      attributes.putAttribute(ROUTED, Boolean.TRUE);
      attributes.putAttribute(SdkExecutionAttribute.CLIENT_ENDPOINT, endpoint());
      attributes.putAttribute(SdkExecutionAttribute.ENDPOINT_OVERRIDDEN, Boolean.TRUE);
    }
  }

  private static boolean appEndpoint(ExecutionAttributes attributes) {
    return Boolean.TRUE.equals(attributes.getAttribute(SdkExecutionAttribute.ENDPOINT_OVERRIDDEN))
        && !Boolean.TRUE.equals(attributes.getAttribute(ROUTED));
  }

  /** The request as it should go: to Shunt for the three services, unchanged otherwise. */
  public static SdkHttpRequest route(SdkHttpRequest request, ExecutionAttributes attributes) {
    if (!isRoutedService(attributes) || !ShuntEndpoint.available()) {
      return request;
    }
    URI endpoint = endpoint();
    if (sameEndpoint(request, endpoint)) {
      return request;
    }
    if (appEndpoint(attributes) && !ShuntEndpoint.overrideAppEndpoints()) {
      return request;
    }
    return request.toBuilder()
        .protocol(endpoint.getScheme())
        .host(endpoint.getHost())
        .port(endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80)
        .build();
  }

  static boolean sameEndpoint(SdkHttpRequest request, URI endpoint) {
    int port = endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
    return endpoint.getHost().equals(request.host()) && port == request.port()
        && endpoint.getScheme().equals(request.protocol());
  }

  /** Shunt's endpoint, parsed again only when the setting changes. */
  static URI endpoint() {
    String from = ShuntEndpoint.setting("endpoint", ShuntEndpoint.DEFAULT);
    URI endpoint = cachedEndpoint;
    if (endpoint == null || !from.equals(cachedFrom)) {
      endpoint = URI.create(from);
      cachedEndpoint = endpoint;
      cachedFrom = from;
    }
    return endpoint;
  }
}
