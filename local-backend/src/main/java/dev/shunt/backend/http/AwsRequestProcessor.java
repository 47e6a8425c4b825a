package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditEvent;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.cache.ResponseCache;
import dev.shunt.backend.cache.ResponseCaches;
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
   * reset; and the audit event whose facts the response's {@code x-shunt-*} headers carry. Or,
   * while a call answers later (to Shunt's upstream, or one another request made for the same
   * cached answer), only the {@code later} answer.
   */
  record Result(ObjectNode body, AwsException error, long delayMillis, int bareStatus, boolean reset,
      AuditEvent audit, CompletableFuture<Void> durable, CompletableFuture<Result> later) {
    Result(ObjectNode body, AwsException error, long delayMillis, int bareStatus, boolean reset, AuditEvent audit) {
      this(body, error, delayMillis, bareStatus, reset, audit, null, null);
    }

    static Result error(AwsException error) {
      return new Result(null, error, 0, 0, false, null);
    }

    static Result answer(ObjectNode body) {
      return new Result(body, null, 0, 0, false, null);
    }

    static Result later(CompletableFuture<Result> later) {
      return new Result(null, null, 0, 0, false, null, null, later);
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
      return new Result(null, CommonErrors.internalFailure(), delayMillis, 0, false, audit, null, null);
    }

    /** Whether the request was answered as asked (not an error, a bare status or a reset). */
    boolean succeeded() {
      return error == null && bareStatus == 0 && !reset;
    }

    int httpStatus() {
      return bareStatus != 0 ? bareStatus : error != null ? error.httpStatus() : reset ? 0 : 200;
    }

    Result audited(AuditEvent event) {
      return new Result(body, error, delayMillis, bareStatus, reset, event, durable, later);
    }

    Result delayed(long millis) {
      return millis <= 0 ? this : new Result(body, error, millis, bareStatus, reset, audit, durable, later);
    }

    Result durableWhen(CompletableFuture<Void> written) {
      return written.isDone() && !written.isCompletedExceptionally() ? this
          : new Result(body, error, delayMillis, bareStatus, reset, audit, written, later);
    }
  }

  private final Router router;
  private final Authenticator authenticator;
  private final ShuntClock clock;
  private final QuotaEngine quotas;
  private final FaultInjector faults;
  private final Auditor auditor;
  private final Persistence persistence;
  private final ResponseCaches caches;
  private final UpstreamCalls upstream;

  public AwsRequestProcessor(Router router, Authenticator authenticator, ShuntClock clock, QuotaEngine quotas,
      FaultInjector faults, Auditor auditor) {
    this(router, authenticator, clock, quotas, faults, auditor, new Persistence(new MemoryStore()),
        ResponseCaches.off(), null);
  }

  /**
   * @param upstream the services Shunt forwards to AWS rather than emulate (null: none)
   */
  public AwsRequestProcessor(Router router, Authenticator authenticator, ShuntClock clock, QuotaEngine quotas,
      FaultInjector faults, Auditor auditor, Persistence persistence, ResponseCaches caches, UpstreamCalls upstream) {
    this.persistence = persistence;
    this.router = router;
    this.authenticator = authenticator;
    this.clock = clock;
    this.quotas = quotas;
    this.faults = faults;
    this.auditor = auditor;
    this.caches = caches;
    this.upstream = upstream;
  }

  /** What one request is, once it is known who sent it: what the steps after authentication share. */
  private record Call(Router.Route route, Identity identity, ObjectNode input, byte[] body, String contentType,
      RequestContext context, AuditTelemetry.ServerSpan span) {
    String service() {
      return route.model().signingName();
    }

    String operation() {
      return route.operation();
    }
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
      result = serve(new Call(route, identity, input, body, request.headers().get(HttpHeaderNames.CONTENT_TYPE),
          new RequestContext(requestId, identity, now, sourceIp, userAgent, facts, input), span));
    } catch (AwsException e) {
      result = Result.error(e);
    } catch (RuntimeException | StackOverflowError e) {
      result = failed(requestId, e);
    } catch (Error e) {
      // The write set holds a lock other nodes' changes wait for (a shared store): it is let go.
      persistence.end(writes);
      throw e;
    }
    // What the operation changed goes to the store even when it then failed: memory holds it.
    CompletableFuture<Void> durable = persistence.end(writes);
    Audit audit = new Audit(route, identity, input, facts, requestId, now, sourceIp, userAgent, span, startNanos,
        invocationId(request), attempt(request));
    if (result.later() != null) {
      return Result.later(result.later().handle((done, failure) ->
          audit.finish((done != null ? done : failed(requestId, failure)).durableWhen(durable))));
    }
    return audit.finish(result.durableWhen(durable));
  }

  /**
   * The AWS SDK's id of the call a request is an attempt of ({@code amz-sdk-invocation-id}, the same on
   * each retry), or null; at most 64 characters are kept (the SDKs send a UUID).
   */
  static String invocationId(FullHttpRequest request) {
    String id = request.headers().get("amz-sdk-invocation-id");
    return id == null || id.isEmpty() ? null : id.length() > 64 ? id.substring(0, 64) : id;
  }

  /** Which attempt of its call a request is, from the SDK's {@code amz-sdk-request: attempt=2; max=3}; 0 when unsaid. */
  static int attempt(FullHttpRequest request) {
    String value = request.headers().get("amz-sdk-request");
    if (value == null) {
      return 0;
    }
    int at = value.indexOf("attempt=");
    if (at < 0) {
      return 0;
    }
    int number = 0;
    for (int i = at + "attempt=".length(); i < value.length() && number < 1_000_000; i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      number = number * 10 + (c - '0');
    }
    return number;
  }

  private static Result failed(String requestId, Throwable e) {
    if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    if (e instanceof AwsException aws) {
      return Result.error(aws);
    }
    LOG.log(System.Logger.Level.ERROR, "Request " + requestId + " failed: " + e);
    LOG.log(System.Logger.Level.DEBUG, "Request " + requestId + " failure", e);
    return Result.error(CommonErrors.internalFailure());
  }

  /** Records a request once its answer is known, and drops cached answers a write made wrong. */
  private final class Audit {
    private final Router.Route route;
    private final Identity identity;
    private final ObjectNode input;
    private final AuditFacts facts;
    private final String requestId;
    private final Instant now;
    private final String sourceIp;
    private final String userAgent;
    private final AuditTelemetry.ServerSpan span;
    private final long startNanos;
    private final String invocationId;
    private final int attempt;

    Audit(Router.Route route, Identity identity, ObjectNode input, AuditFacts facts, String requestId, Instant now,
        String sourceIp, String userAgent, AuditTelemetry.ServerSpan span, long startNanos, String invocationId,
        int attempt) {
      this.route = route;
      this.identity = identity;
      this.input = input;
      this.facts = facts;
      this.requestId = requestId;
      this.now = now;
      this.sourceIp = sourceIp;
      this.userAgent = userAgent;
      this.span = span;
      this.startNanos = startNanos;
      this.invocationId = invocationId;
      this.attempt = attempt;
    }

    Result finish(Result result) {
      String service = route.model().signingName();
      if (identity != null && result.succeeded() && !Auditor.readOnly(service, route.operation())) {
        caches.afterWrite(service, route.operation(), identity, input, result.body(), facts);
      }
      AwsException error = result.error();
      String errorCode = error != null ? error.code() : result.bareStatus() != 0 ? "HTTP " + result.bareStatus()
          : result.reset() ? "ConnectionReset" : null;
      AuditEvent event = auditor.end(span, startNanos, new Auditor.Served(route.model(), route.operation(), identity,
          requestId, now, sourceIp, userAgent, input, result.body(), errorCode,
          error != null ? error.getMessage() : null, result.httpStatus(), result.delayMillis(), facts, invocationId,
          attempt));
      return event == null ? result : result.audited(event);
    }
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

  /** A cached answer if a cache holds one, else the call (whose answer the cache then keeps). */
  private Result serve(Call call) {
    ResponseCache cache = caches.forOperation(call.service(), call.operation());
    if (cache == null) {
      return call(call);
    }
    String key = caches.key(cache, call.identity(), call.operation(), call.input());
    if (key == null) {
      return call(call);
    }
    AuditFacts facts = call.context().audit();
    ResponseCache.Lookup lookup = cache.lookup(key);
    if (lookup instanceof ResponseCache.Found found) {
      return served(call, found.hit());
    }
    if (lookup instanceof ResponseCache.Wait wait) {
      // Another request's call for the same answer is under way: this one takes its answer; or,
      // when that answer cannot serve it too (a data key at its use limit), makes its own call.
      return Result.later(wait.answer().thenApply(hit -> hit != null ? served(call, hit) : call(call))
          .thenCompose(result -> result.later() != null ? result.later() : CompletableFuture.completedFuture(result)));
    }
    // An entry holds the answer to a request equal to this one, which was valid then: only a miss
    // is validated (in its call), and a request waiting on it, being the same, shares its verdict.
    ResponseCache.Lead lead = (ResponseCache.Lead) lookup;
    facts.cache("miss");
    Result result;
    try {
      result = call(call);
    } catch (RuntimeException | Error e) {
      lead.failed(e instanceof AwsException aws ? aws : CommonErrors.internalFailure());
      throw e;
    }
    if (result.later() != null) {
      return Result.later(result.later().handle((done, failure) ->
          settle(call, cache, lead, done != null ? done : failed(call.context().requestId(), failure))));
    }
    return settle(call, cache, lead, result);
  }

  /** An answer from a cache: not charged to the quota (AWS would not have seen the request). */
  private Result served(Call call, ResponseCache.Hit hit) {
    AuditFacts facts = call.context().audit();
    facts.adopt(hit.facts());
    facts.cache(hit.stale() ? "stale" : "hit");
    quotas.servedFromCache(call.identity().accountId(), call.identity().region(), call.service(), call.operation());
    return Result.answer(hit.answer());
  }

  /** Tells the cache how the call it waited for ended: it keeps an answer, or may give an older one instead of an error. */
  private Result settle(Call call, ResponseCache cache, ResponseCache.Lead lead, Result result) {
    AuditFacts facts = call.context().audit();
    if (result.succeeded() && result.body() != null) {
      lead.succeeded(result.body(), facts, caches.tags(cache, call.identity(), call.input(), result.body()));
      return result;
    }
    AwsException error = result.error() != null ? result.error()
        : new AwsException("ServiceUnavailable", "No answer", 503);
    ResponseCache.Hit stale = lead.failed(error);
    return stale == null ? result : served(call, stale).delayed(result.delayMillis());
  }

  /** The call itself: the quota, injected faults, then the operation here or at the upstream. */
  private Result call(Call call) {
    Identity identity = call.identity();
    String service = call.service();
    Router.Route route = call.route();
    if (!quotas.acquire(identity.accountId(), identity.region(), service, route.operation(), call.input())) {
      call.context().audit().refused(AuditFacts.Refusal.QUOTA);
      return Result.error(route.service().throttlingError());
    }
    FaultInjector.Decision fault = faults.decide(service, route.operation(), call.input(),
        route.service().throttlingError());
    if (fault.replacesAnswer()) {
      call.context().audit().refused(AuditFacts.Refusal.FAULT);
      quotas.faulted(identity.accountId(), identity.region(), service, route.operation());
      return new Result(null, fault.error(), fault.delayMillis(), fault.bareStatus(), fault.reset(), null);
    }
    if (upstream != null && upstream.forwards(service)) {
      return Result.later(upstream.forward(call.route(), identity, call.body(), call.contentType(), call.span(),
          call.context().audit()).thenApply(answer -> answer.delayed(fault.delayMillis())));
    }
    try {
      if (route.implemented()) {
        route.model().validateInput(route.operation(), call.input());
      }
      return new Result(route.handler().handle(call.context(), call.input()), null, fault.delayMillis(), 0, false,
          null);
    } catch (AwsException e) {
      return new Result(null, e, fault.delayMillis(), 0, false, null);
    }
  }
}
