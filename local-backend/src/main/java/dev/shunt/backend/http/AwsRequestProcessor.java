package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.time.ShuntClock;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;

/**
 * Serves one AWS JSON 1.1 request, in AWS's order: find the operation ({@code X-Amz-Target}),
 * authenticate (SigV4 scope: account and Region), parse the body, take the request's quota,
 * apply injected faults, validate against the service model, then run the operation. Knows
 * nothing of any one service.
 */
final class AwsRequestProcessor {
  /** The answer to send: a body or an error, after a delay; or instead a bare HTTP status or a reset. */
  record Result(ObjectNode body, AwsException error, long delayMillis, int bareStatus, boolean reset) {
    static Result error(AwsException error, long delayMillis) {
      return new Result(null, error, delayMillis, 0, false);
    }
  }

  private final Router router;
  private final Authenticator authenticator;
  private final ShuntClock clock;
  private final QuotaEngine quotas;
  private final FaultInjector faults;

  AwsRequestProcessor(Router router, Authenticator authenticator, ShuntClock clock, QuotaEngine quotas,
      FaultInjector faults) {
    this.router = router;
    this.authenticator = authenticator;
    this.clock = clock;
    this.quotas = quotas;
    this.faults = faults;
  }

  Result process(FullHttpRequest request, String requestId, String sourceIp) {
    Router.Route route = router.route(request.headers().get("X-Amz-Target"));
    byte[] body = ByteBufUtil.getBytes(request.content());
    Identity identity = authenticator.authenticate(request, route.model().signingName(), body);
    ObjectNode input = Json.parseRequest(body);
    String service = route.model().signingName();
    if (!quotas.acquire(identity.accountId(), identity.region(), service, route.operation(), input)) {
      return Result.error(route.service().throttlingError(), 0);
    }
    FaultInjector.Decision fault = faults.decide(service, route.operation(), input, route.service().throttlingError());
    if (fault.replacesAnswer()) {
      quotas.faulted(identity.accountId(), identity.region(), service, route.operation());
      return new Result(null, fault.error(), fault.delayMillis(), fault.bareStatus(), fault.reset());
    }
    try {
      if (route.implemented()) {
        route.model().validateInput(route.operation(), input);
      }
      RequestContext context = new RequestContext(requestId, identity, clock.now(), sourceIp,
          request.headers().get("User-Agent"));
      return new Result(route.handler().handle(context, input), null, fault.delayMillis(), 0, false);
    } catch (AwsException e) {
      return Result.error(e, fault.delayMillis());
    }
  }
}
