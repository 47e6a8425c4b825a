package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditEvent;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.store.MemoryStore;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.time.ShuntClock;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Serves one AWS JSON 1.1 request, in AWS's order: find the operation ({@code X-Amz-Target}),
 * authenticate (SigV4 scope: account and Region), parse the body, take the request's quota,
 * apply injected faults, validate against the service model, then run the operation; and audit
 * it, whatever the outcome. Knows nothing of any one service.
 */
public final class AwsRequestProcessor {
  private static final System.Logger LOG = System.getLogger("dev.shunt.backend.http");

  /**
   * The answer to send: a body or an error, after a delay; or instead a bare HTTP status or a
   * reset; and the audit event whose facts the response's {@code x-shunt-*} headers carry.
   */
  record Result(ObjectNode body, AwsException error, long delayMillis, int bareStatus, boolean reset,
      AuditEvent audit, CompletableFuture<Void> durable) {
    Result(ObjectNode body, AwsException error, long delayMillis, int bareStatus, boolean reset, AuditEvent audit) {
      this(body, error, delayMillis, bareStatus, reset, audit, null);
    }

    static Result error(AwsException error) {
      return new Result(null, error, 0, 0, false, null);
    }

    /** Whether the answer must wait for what the request changed to be on disk. */
    boolean awaitsStore() {
      return durable != null && !durable.isDone();
    }

    /** The answer once the store has written (or failed to write) what the request changed. */
    Result afterStore() {
      if (durable == null || !durable.isCompletedExceptionally()) {
        return this;
      }
      // Not acknowledged: the client retries, and finds what memory holds.
      return new Result(null, CommonErrors.internalFailure(), delayMillis, 0, false, audit, null);
    }

    int httpStatus() {
      return bareStatus != 0 ? bareStatus : error != null ? error.httpStatus() : reset ? 0 : 200;
    }

    Result audited(AuditEvent event) {
      return new Result(body, error, delayMillis, bareStatus, reset, event, durable);
    }

    Result durableWhen(CompletableFuture<Void> written) {
      return written.isDone() && !written.isCompletedExceptionally() ? this
          : new Result(body, error, delayMillis, bareStatus, reset, audit, written);
    }
  }

  private final Router router;
  private final Authenticator authenticator;
  private final ShuntClock clock;
  private final QuotaEngine quotas;
  private final FaultInjector faults;
  private final Auditor auditor;
  private final Persistence persistence;

  public AwsRequestProcessor(Router router, Authenticator authenticator, ShuntClock clock, QuotaEngine quotas,
      FaultInjector faults, Auditor auditor) {
    this(router, authenticator, clock, quotas, faults, auditor, new Persistence(new MemoryStore()));
  }

  public AwsRequestProcessor(Router router, Authenticator authenticator, ShuntClock clock, QuotaEngine quotas,
      FaultInjector faults, Auditor auditor, Persistence persistence) {
    this.persistence = persistence;
    this.router = router;
    this.authenticator = authenticator;
    this.clock = clock;
    this.quotas = quotas;
    this.faults = faults;
    this.auditor = auditor;
  }

  /** Serves a request; throws (unaudited) only when it names no operation of these services. */
  Result process(FullHttpRequest request, String requestId, String sourceIp) {
    Router.Route route = router.route(request.headers().get("X-Amz-Target"));
    long startNanos = System.nanoTime();
    AuditTelemetry.ServerSpan span = auditor.begin(route.displayName(), request.headers());
    String userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
    Instant now = clock.now();
    Identity identity = null;
    ObjectNode input = null;
    AuditFacts facts = new AuditFacts();
    Result result;
    Persistence.WriteSet writes = persistence.begin();
    try {
      byte[] body = ByteBufUtil.getBytes(request.content());
      identity = authenticator.authenticate(request, route.model().signingName(), body);
      input = Json.parseRequest(body);
      result = serve(route, identity, input, new RequestContext(requestId, identity, now, sourceIp, userAgent, facts));
    } catch (AwsException e) {
      result = Result.error(e);
    } catch (RuntimeException | StackOverflowError e) {
      LOG.log(System.Logger.Level.ERROR, "Request " + requestId + " failed: " + e);
      LOG.log(System.Logger.Level.DEBUG, "Request " + requestId + " failure", e);
      result = Result.error(CommonErrors.internalFailure());
    }
    // What the operation changed goes to the store even when it then failed: memory holds it.
    result = result.durableWhen(persistence.end(writes));
    AwsException error = result.error();
    String errorCode = error != null ? error.code() : result.bareStatus() != 0 ? "HTTP " + result.bareStatus()
        : result.reset() ? "ConnectionReset" : null;
    AuditEvent event = auditor.end(span, startNanos, new Auditor.Served(route.model(), route.operation(), identity,
        requestId, now, sourceIp, userAgent, input, result.body(), errorCode,
        error != null ? error.getMessage() : null, result.httpStatus(), result.delayMillis(), facts));
    return event == null ? result : result.audited(event);
  }

  /**
   * Serves a request built in memory (no connection, no codec) and drops the answer: the warm-up
   * of the request path (see {@code ShuntBackend.warmUp}), which must not reach the network layer,
   * where an instrumentation (the OpenTelemetry agent's) could see it.
   */
  public void serveInMemory(String target, String authorization, String body) {
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/",
        Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    request.headers().set("X-Amz-Target", target).set(HttpHeaderNames.CONTENT_TYPE, AwsResponses.AMZ_JSON)
        .set(HttpHeaderNames.AUTHORIZATION, authorization).set(HttpHeaderNames.HOST, "127.0.0.1");
    try {
      String requestId = RequestIds.next();
      ShuntHttpHandler.response(UnpooledByteBufAllocator.DEFAULT, process(request, requestId, "127.0.0.1"), requestId)
          .release();
    } finally {
      request.release();
    }
  }

  private Result serve(Router.Route route, Identity identity, ObjectNode input, RequestContext context) {
    String service = route.model().signingName();
    if (!quotas.acquire(identity.accountId(), identity.region(), service, route.operation(), input)) {
      return Result.error(route.service().throttlingError());
    }
    FaultInjector.Decision fault = faults.decide(service, route.operation(), input, route.service().throttlingError());
    if (fault.replacesAnswer()) {
      quotas.faulted(identity.accountId(), identity.region(), service, route.operation());
      return new Result(null, fault.error(), fault.delayMillis(), fault.bareStatus(), fault.reset(), null);
    }
    try {
      if (route.implemented()) {
        route.model().validateInput(route.operation(), input);
      }
      return new Result(route.handler().handle(context, input), null, fault.delayMillis(), 0, false, null);
    } catch (AwsException e) {
      return new Result(null, e, fault.delayMillis(), 0, false, null);
    }
  }
}
