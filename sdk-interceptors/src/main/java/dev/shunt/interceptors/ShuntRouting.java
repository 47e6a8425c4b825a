package dev.shunt.interceptors;

import java.net.URI;
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
  private ShuntRouting() {}

  /** Marks a call whose endpoint Shunt chose (as opposed to one the application overrode). */
  private static final ExecutionAttribute<Boolean> ROUTED = new ExecutionAttribute<>("ShuntRouted");
  /**
   * Marks a call of the three services that Shunt's interceptor handles: the agent's routing of
   * clients built before it attached (which lack the interceptor) then leaves the call alone.
   */
  private static final ExecutionAttribute<Boolean> INTERCEPTED = new ExecutionAttribute<>("ShuntIntercepted");

  public static boolean isRoutedService(ExecutionAttributes attributes) {
    return isRoutedService(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
  }

  /** Whether the SDK's service name ({@code SERVICE_NAME}, in any SDK version's spelling) is KMS, Secrets Manager or SSM. */
  static boolean isRoutedService(String service) {
    return service != null && ShuntClientStats.serviceLabel(service) != null;
  }

  /**
   * Before the SDK resolves the endpoint, for a call of the three services while Shunt is
   * {@linkplain ShuntEndpoint#available() available} (the caller asked): the call is marked as
   * Shunt's interceptor's, and Shunt's endpoint becomes the client endpoint, unless the
   * application set one and overriding is not asked for. SDK versions that resolve the endpoint in
   * an interceptor (2.20 and the like, whose global interceptors run before the service's own)
   * then resolve to Shunt; later versions re-apply it in {@link #route}.
   */
  static void beforeExecution(ExecutionAttributes attributes, boolean available) {
    attributes.putAttribute(INTERCEPTED, Boolean.TRUE);
    if (!available) {
      return;
    }
    if (!appEndpoint(attributes) || ShuntEndpoint.overrideAppEndpoints()) {
      attributes.putAttribute(ROUTED, Boolean.TRUE);
      attributes.putAttribute(SdkExecutionAttribute.CLIENT_ENDPOINT, ShuntEndpoint.uri());
      attributes.putAttribute(SdkExecutionAttribute.ENDPOINT_OVERRIDDEN, Boolean.TRUE);
    } else {
      endpointKept(attributes);
    }
  }

  /**
   * Says once per service that a client keeps the endpoint the application gave it, where that
   * came from (a setting the SDK reads, or code), and how to send it to Shunt instead. Every call of
   * such a client comes here: after the first, it costs a set lookup.
   */
  private static void endpointKept(ExecutionAttributes attributes) {
    RoutedService service = RoutedService.ofServiceName(attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME));
    URI endpoint = attributes.getAttribute(SdkExecutionAttribute.CLIENT_ENDPOINT);
    if (service == null || endpoint == null || Reports.said(service)) {
      return;
    }
    String source = AppDefaults.endpointSource(service, endpoint);
    Reports.once(service, "[shunt] " + service.displayName + " clients keep the endpoint the"
        + " application gave them (" + endpoint + ", " + (source == null ? "set in code" : "from " + source)
        + "); override-endpoints=true sends them to Shunt");
  }

  private static boolean appEndpoint(ExecutionAttributes attributes) {
    return Boolean.TRUE.equals(attributes.getAttribute(SdkExecutionAttribute.ENDPOINT_OVERRIDDEN))
        && !Boolean.TRUE.equals(attributes.getAttribute(ROUTED));
  }

  /** Whether Shunt's interceptor handles this call (see {@link #beforeExecution}). */
  static boolean intercepted(ExecutionAttributes attributes) {
    return Boolean.TRUE.equals(attributes.getAttribute(INTERCEPTED));
  }

  /**
   * The request as it should go, for Shunt's interceptor: to Shunt for a call that
   * {@link #beforeExecution} routed, unchanged otherwise.
   */
  public static SdkHttpRequest route(SdkHttpRequest request, ExecutionAttributes attributes) {
    return Boolean.TRUE.equals(attributes.getAttribute(ROUTED)) ? toShunt(request) : request;
  }

  /**
   * The request as it should go, for a call that Shunt's interceptor did not see (its client was
   * built before the agent attached): to Shunt for the three services, unchanged otherwise.
   */
  static SdkHttpRequest routeUnintercepted(SdkHttpRequest request, ExecutionAttributes attributes) {
    if (!isRoutedService(attributes) || !ShuntEndpoint.available()) {
      return request;
    }
    if (appEndpoint(attributes) && !ShuntEndpoint.overrideAppEndpoints()) {
      return request;
    }
    return toShunt(request);
  }

  private static SdkHttpRequest toShunt(SdkHttpRequest request) {
    URI endpoint = ShuntEndpoint.uri();
    if (sameEndpoint(request, endpoint)) {
      return request;
    }
    return request.toBuilder()
        .protocol(endpoint.getScheme())
        .host(endpoint.getHost())
        .port(port(endpoint))
        .build();
  }

  static boolean sameEndpoint(SdkHttpRequest request, URI endpoint) {
    return endpoint.getHost().equals(request.host()) && port(endpoint) == request.port()
        && endpoint.getScheme().equals(request.protocol());
  }

  private static int port(URI endpoint) {
    return endpoint.getPort() > 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
  }
}
