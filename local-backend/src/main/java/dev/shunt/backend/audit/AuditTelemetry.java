package dev.shunt.backend.audit;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;

/**
 * The backend's OpenTelemetry side, through the API only: a SERVER span per request (its parent
 * from the request's W3C {@code traceparent}, when there is one) carrying the audit facts, and
 * metrics (requests by service, operation and decision; their duration; throttles; key usage by
 * key). Which OpenTelemetry: the one the backend was built with, else the global one once the
 * application (or the standalone launcher, or the OpenTelemetry Java agent) has set it. Until
 * then nothing is recorded, and the backend never sets the global itself, so an application
 * that sets it later still can.
 */
public final class AuditTelemetry {
  static final String SCOPE = "dev.shunt.backend";

  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("aws.request_id");
  static final AttributeKey<String> REGION = AttributeKey.stringKey("cloud.region");
  static final AttributeKey<String> ACCOUNT = AttributeKey.stringKey("cloud.account.id");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> CLIENT_ADDRESS = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> USER_AGENT = AttributeKey.stringKey("user_agent.original");
  static final AttributeKey<String> SECRET_ARN = AttributeKey.stringKey("aws.secretsmanager.secret.arn");
  static final AttributeKey<String> KEY_ID = AttributeKey.stringKey("aws.kms.key_id");
  static final AttributeKey<String> KEY_SPEC = AttributeKey.stringKey("aws.kms.key_spec");
  static final AttributeKey<String> ENCRYPTION_ALGORITHM = AttributeKey.stringKey("aws.kms.encryption_algorithm");
  static final AttributeKey<List<String>> CONTEXT_KEYS = AttributeKey.stringArrayKey("aws.kms.encryption_context.keys");
  static final AttributeKey<String> PARAMETER_NAME = AttributeKey.stringKey("aws.ssm.parameter.name");
  static final AttributeKey<String> PRINCIPAL = AttributeKey.stringKey("shunt.principal.arn");
  static final AttributeKey<String> DECISION = AttributeKey.stringKey("shunt.decision");
  static final AttributeKey<String> INVOKED_BY = AttributeKey.stringKey("shunt.invoked_by");
  static final AttributeKey<Long> FAULT_DELAY = AttributeKey.longKey("shunt.fault.delay_ms");
  static final AttributeKey<String> CACHE = AttributeKey.stringKey("shunt.cache");
  static final AttributeKey<String> NODE_ID = AttributeKey.stringKey("shunt.node.id");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("shunt.upstream.attempt");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<Long> BACKOFF = AttributeKey.longKey("shunt.upstream.backoff_ms");
  static final AttributeKey<Double> ATTEMPT_SECONDS = AttributeKey.doubleKey("shunt.upstream.duration_s");

  private static final TextMapGetter<HttpHeaders> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpHeaders carrier) {
      return carrier.names();
    }

    @Override
    public String get(HttpHeaders carrier, String key) {
      return carrier == null ? null : carrier.get(key);
    }
  };

  /** Whether the OpenTelemetry Java agent runs in this JVM: it answers for the global instance. */
  private static final boolean JAVA_AGENT = javaAgentPresent();

  static final AttributeKey<String> CACHE_NAME = AttributeKey.stringKey("shunt.cache.name");

  /** One cache's readings for the metrics: what it evicted (by size or time), holds, and saved at AWS's prices. */
  @FunctionalInterface
  public interface CacheReading {
    void of(String cache, long evicted, long entries, double costSavedUsd);
  }

  /** The caches on, read at each metrics collection. */
  @FunctionalInterface
  public interface CacheReadings {
    void each(CacheReading reading);
  }

  private final OpenTelemetry configured;
  private final boolean off;
  private volatile Instruments instruments;
  private volatile CacheReadings caches = reading -> { };

  /** @param configured the OpenTelemetry to use, or null for the global one once it is set */
  public AuditTelemetry(OpenTelemetry configured) {
    this(configured, false);
  }

  private AuditTelemetry(OpenTelemetry configured, boolean off) {
    this.configured = configured;
    this.off = off;
  }

  /** Where the cache metrics come from (set once, before the first request). */
  public void observeCaches(CacheReadings readings) {
    this.caches = readings;
  }

  /** Telemetry that records nothing, ever (not even through the global OpenTelemetry). */
  public static AuditTelemetry off() {
    return new AuditTelemetry(null, true);
  }

  /** The instruments, or null while there is no OpenTelemetry to record to. */
  private Instruments instruments() {
    Instruments bound = instruments;
    if (bound != null || off) {
      return bound;
    }
    OpenTelemetry otel = configured;
    if (otel == null) {
      if (!JAVA_AGENT && !GlobalOpenTelemetry.isSet()) {
        return null;
      }
      otel = GlobalOpenTelemetry.get();
    }
    synchronized (this) {
      if (instruments == null) {
        instruments = new Instruments(otel, this);
      }
      return instruments;
    }
  }

  /**
   * A request's SERVER span: one of the backend's own, or, when an HTTP server instrumentation
   * (the OpenTelemetry Java agent's, for Netty) already made one current for this request, that
   * one, renamed and enriched rather than doubled.
   */
  public record ServerSpan(Span span, boolean owned) {}

  /** Starts (or adopts) the SERVER span of a request, or returns null when nothing records spans. */
  public ServerSpan start(String name, HttpHeaders headers) {
    Instruments bound = instruments();
    if (bound == null) {
      return null;
    }
    Span current = Span.current();
    if (current.getSpanContext().isValid()) {
      current.updateName(name);
      current.setAttribute(RPC_SYSTEM, "aws-api");
      return new ServerSpan(current, false);
    }
    Context parent = headers.contains("traceparent")
        ? W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, HEADERS) : Context.root();
    return new ServerSpan(bound.tracer.spanBuilder(name).setSpanKind(SpanKind.SERVER).setParent(parent)
        .setAttribute(RPC_SYSTEM, "aws-api").startSpan(), true);
  }

  /**
   * Ends a request's span (null: none was started) with the event's facts, and counts it.
   * {@code event} is null when the request never got as far as knowing its caller.
   */
  public void end(ServerSpan serverSpan, String rpcService, String operation, AuditEvent event, String errorCode,
      int httpStatus, long delayMillis, long durationNanos) {
    Instruments bound = instruments;
    if (bound == null) {
      return;
    }
    Span span = serverSpan == null ? null : serverSpan.span;
    if (span != null && span.isRecording()) {
      span.setAttribute(RPC_SERVICE, rpcService);
      span.setAttribute(RPC_METHOD, operation);
      if (errorCode != null) {
        span.setAttribute(ERROR_TYPE, errorCode);
        if (httpStatus >= 500) {
          span.setStatus(StatusCode.ERROR, errorCode);
        }
      }
      if (delayMillis > 0) {
        span.setAttribute(FAULT_DELAY, delayMillis);
      }
      if (event != null) {
        setAuditAttributes(span, event);
      }
      if (serverSpan.owned) {
        span.end();
      }
    }
    String decision = AuditEvent.decision(errorCode);
    AttributesBuilder common = Attributes.builder().put(RPC_SYSTEM, "aws-api").put(RPC_SERVICE, rpcService)
        .put(RPC_METHOD, operation);
    if (errorCode != null) {
      common.put(ERROR_TYPE, errorCode);
    }
    Attributes attributes = common.build();
    bound.duration.record(durationNanos / 1e9, attributes);
    bound.requests.add(1, attributes.toBuilder().put(DECISION, decision).build());
    if (decision.equals("throttled")) {
      bound.throttles.add(1, Attributes.of(RPC_SERVICE, rpcService, RPC_METHOD, operation));
    }
    if (event != null && event.cache() != null) {
      bound.cacheRequests.add(1, Attributes.of(RPC_SERVICE, rpcService, RPC_METHOD, operation, CACHE, event.cache()));
    }
  }

  /**
   * One attempt of a call Shunt made to its upstream for a request: an event on the request's
   * span and a count by outcome ({@code status} 0: no HTTP answer; {@code backoffMillis} -1: no retry follows).
   */
  public void upstreamAttempt(ServerSpan serverSpan, String rpcService, String operation, int number, int status,
      String errorCode, long elapsedMillis, long backoffMillis) {
    Instruments bound = instruments;
    if (bound == null) {
      return;
    }
    Span span = serverSpan == null ? null : serverSpan.span;
    if (span != null && span.isRecording()) {
      AttributesBuilder event = Attributes.builder().put(ATTEMPT, number).put(HTTP_STATUS, status)
          .put(ATTEMPT_SECONDS, elapsedMillis / 1000.0);
      if (errorCode != null) {
        event.put(ERROR_TYPE, errorCode);
      }
      if (backoffMillis >= 0) {
        event.put(BACKOFF, backoffMillis);
      }
      span.addEvent("shunt.upstream.attempt", event.build());
    }
    AttributesBuilder counted = Attributes.builder().put(RPC_SERVICE, rpcService).put(RPC_METHOD, operation)
        .put(HTTP_STATUS, status);
    if (errorCode != null) {
      counted.put(ERROR_TYPE, errorCode);
    }
    bound.upstreamAttempts.add(1, counted.build());
  }

  /** Counts a use of a KMS key ({@code invokedBy}: the service that used it for the caller, or null). */
  public void keyUsed(String keyArn, String operation, String invokedBy) {
    Instruments bound = instruments;
    if (bound != null) {
      bound.keyUsage.add(1, invokedBy == null ? Attributes.of(KEY_ID, keyArn, RPC_METHOD, operation)
          : Attributes.of(KEY_ID, keyArn, RPC_METHOD, operation, INVOKED_BY, invokedBy));
    }
  }

  private static void setAuditAttributes(Span span, AuditEvent event) {
    span.setAttribute(REQUEST_ID, event.requestId());
    if (event.nodeId() != null) {
      span.setAttribute(NODE_ID, event.nodeId());
    }
    span.setAttribute(REGION, event.identity().region());
    span.setAttribute(ACCOUNT, event.identity().accountId());
    span.setAttribute(PRINCIPAL, event.identity().principalArn());
    span.setAttribute(DECISION, event.decision());
    if (event.sourceIp() != null) {
      span.setAttribute(CLIENT_ADDRESS, event.sourceIp());
    }
    if (event.userAgent() != null) {
      span.setAttribute(USER_AGENT, event.userAgent());
    }
    if (event.keyArn() != null) {
      span.setAttribute(KEY_ID, event.keyArn());
      span.setAttribute(KEY_SPEC, event.keySpec());
    }
    if (event.encryptionAlgorithm() != null) {
      span.setAttribute(ENCRYPTION_ALGORITHM, event.encryptionAlgorithm());
    }
    if (!event.encryptionContextKeys().isEmpty()) {
      span.setAttribute(CONTEXT_KEYS, event.encryptionContextKeys());
    }
    if (event.secretArn() != null) {
      span.setAttribute(SECRET_ARN, event.secretArn());
    }
    if (event.parameterName() != null) {
      span.setAttribute(PARAMETER_NAME, event.parameterName());
    }
    if (event.cache() != null) {
      span.setAttribute(CACHE, event.cache());
    }
  }

  private static boolean javaAgentPresent() {
    try {
      Class.forName("io.opentelemetry.javaagent.bootstrap.AgentInitializer", false, null);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static final class Instruments {
    final Tracer tracer;
    final LongCounter requests;
    final DoubleHistogram duration;
    final LongCounter throttles;
    final LongCounter keyUsage;
    final LongCounter cacheRequests;
    final LongCounter upstreamAttempts;

    Instruments(OpenTelemetry otel, AuditTelemetry owner) {
      String version = AuditTelemetry.class.getPackage().getImplementationVersion();
      tracer = otel.tracerBuilder(SCOPE).setInstrumentationVersion(version == null ? "dev" : version).build();
      Meter meter = otel.meterBuilder(SCOPE).setInstrumentationVersion(version == null ? "dev" : version).build();
      requests = meter.counterBuilder("shunt.requests").setUnit("{request}")
          .setDescription("AWS requests served, by service, operation and decision").build();
      duration = meter.histogramBuilder("rpc.server.call.duration").setUnit("s")
          .setDescription("Time to serve an AWS request (without injected delays)").build();
      throttles = meter.counterBuilder("shunt.throttled_requests").setUnit("{request}")
          .setDescription("Requests answered with the service's throttling error").build();
      keyUsage = meter.counterBuilder("shunt.kms.key_usage").setUnit("{use}")
          .setDescription("Uses of each KMS key, by the caller or by a service on its behalf").build();
      cacheRequests = meter.counterBuilder("shunt.cache.requests").setUnit("{request}")
          .setDescription("Requests of cached operations, by how the cache served them: hit, stale or miss").build();
      upstreamAttempts = meter.counterBuilder("shunt.upstream.attempts").setUnit("{attempt}")
          .setDescription("Calls to the upstream AWS, each attempt by its HTTP status (0: no answer)").build();
      meter.counterBuilder("shunt.cache.evictions").setUnit("{entry}")
          .setDescription("Cache entries dropped for room or for age, by cache")
          .buildWithCallback(m -> owner.caches.each((cache, evicted, entries, cost) ->
              m.record(evicted, Attributes.of(CACHE_NAME, cache))));
      meter.upDownCounterBuilder("shunt.cache.entries").setUnit("{entry}")
          .setDescription("Entries each cache holds")
          .buildWithCallback(m -> owner.caches.each((cache, evicted, entries, cost) ->
              m.record(entries, Attributes.of(CACHE_NAME, cache))));
      meter.counterBuilder("shunt.cache.cost_saved").ofDoubles().setUnit("USD")
          .setDescription("What the requests each cache answered would have cost at AWS's list prices")
          .buildWithCallback(m -> owner.caches.each((cache, evicted, entries, cost) ->
              m.record(cost, Attributes.of(CACHE_NAME, cache))));
    }
  }
}
