package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.time.ShuntClock;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Serves one AWS JSON 1.1 request, in AWS's order: find the operation ({@code X-Amz-Target}),
 * authenticate (SigV4 scope: account and Region), parse and validate the body against the
 * service model, then run the operation. Knows nothing of any one service.
 */
final class AwsRequestProcessor {
  private final Router router;
  private final Authenticator authenticator;
  private final ShuntClock clock;

  AwsRequestProcessor(Router router, Authenticator authenticator, ShuntClock clock) {
    this.router = router;
    this.authenticator = authenticator;
    this.clock = clock;
  }

  /** Returns the response body (null for {@code {}}); AWS errors are thrown. */
  ObjectNode process(FullHttpRequest request, String requestId, String sourceIp) {
    Router.Route route = router.route(request.headers().get("X-Amz-Target"));
    byte[] body = ByteBufUtil.getBytes(request.content());
    Identity identity = authenticator.authenticate(request, route.model().signingName(), body);
    ObjectNode input = Json.parseRequest(body);
    if (route.implemented()) {
      route.model().validateInput(route.operation(), input);
    }
    RequestContext context = new RequestContext(requestId, identity, clock.now(), sourceIp,
        request.headers().get("User-Agent"));
    return route.handler().handle(context, input);
  }
}
