package dev.shunt.interceptors;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.AwsExecutionAttribute;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.ClientType;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;

/**
 * Shunt's OpenTelemetry spans: the only class of the interceptors that names an OpenTelemetry type
 * (API only), loaded by {@link ShuntTracing} when the API is on the class path.
 *
 * <p>Per KMS, Secrets Manager or SSM call: a CLIENT span named {@code KMS.Decrypt} (the call's
 * {@link ShuntAttempts#operation()}), child of the application's context at
 * {@code beforeExecution}, carrying the AWS SDK conventions' attributes, Shunt's facts (from the
 * backend's {@code x-shunt-*} answer headers, else what the client knows itself) and one
 * {@code attempt} event per HTTP attempt; its W3C {@code traceparent} goes to the backend. When
 * another instrumentation (the OpenTelemetry Java agent) already made a span current for this call,
 * that span is enriched instead, and none is added. For a sync client Shunt's own span is current
 * from {@code modifyHttpRequest} to the call's end (on the calling thread), so that HTTP-level spans
 * nest under it. Nothing secret is ever recorded: no plaintext,
 * data key, secret or parameter value, nor encryption-context value.
 *
 * <p>The global OpenTelemetry is used only once the application has set it (or under the
 * OpenTelemetry agent), so that a call made before the application configures OpenTelemetry never
 * freezes the global to a no-op.
 */
final class OtelSpans implements ShuntTracing.Spans {
  static final String INSTRUMENTATION_NAME = "dev.shunt.interceptors";

  // The AWS SDK conventions (as OpenTelemetry's own AWS SDK instrumentation sets them).
  static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
  static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
  static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
  static final AttributeKey<String> AWS_REQUEST_ID = AttributeKey.stringKey("aws.request_id");
  static final AttributeKey<String> CLOUD_REGION = AttributeKey.stringKey("cloud.region");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> SECRET_ARN = AttributeKey.stringKey("aws.secretsmanager.secret.arn");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  // Shunt's own.
  static final AttributeKey<String> KMS_KEY_ID = AttributeKey.stringKey("aws.kms.key_id");
  static final AttributeKey<String> KMS_KEY_SPEC = AttributeKey.stringKey("aws.kms.key_spec");
  static final AttributeKey<String> KMS_ALGORITHM = AttributeKey.stringKey("aws.kms.encryption_algorithm");
  static final AttributeKey<List<String>> KMS_CONTEXT_KEYS =
      AttributeKey.stringArrayKey("aws.kms.encryption_context.keys");
  static final AttributeKey<String> SSM_PARAMETER = AttributeKey.stringKey("aws.ssm.parameter.name");
  static final AttributeKey<String> CACHE = AttributeKey.stringKey("shunt.cache");
  static final AttributeKey<String> PRINCIPAL = AttributeKey.stringKey("shunt.principal.arn");
  static final AttributeKey<String> DECISION = AttributeKey.stringKey("shunt.decision");
  // The attempt events.
  static final String ATTEMPT_EVENT = "attempt";
  static final AttributeKey<Long> ATTEMPT_NUMBER = AttributeKey.longKey("shunt.attempt.number");
  static final AttributeKey<String> ATTEMPT_OUTCOME = AttributeKey.stringKey("shunt.attempt.outcome");
  static final AttributeKey<Long> ATTEMPT_BACKOFF = AttributeKey.longKey("shunt.attempt.backoff_ms");
  static final AttributeKey<Long> ATTEMPT_DURATION = AttributeKey.longKey("shunt.attempt.duration_ms");

  private static final Tracer NOOP = TracerProvider.noop().get(INSTRUMENTATION_NAME);
  private static final String VERSION = version();
  private static final TextMapSetter<SdkHttpRequest.Builder> HEADERS = (request, name, value) -> {
    if (request != null) {
      request.putHeader(name, value);
    }
  };
  private static final String[] OUTCOMES = outcomes();

  private final boolean underAgent = ShuntTracing.otelAgentPresent();
  private final boolean agentSpansAwsCalls = ShuntTracing.otelAgentInstrumentsAwsSdk();
  /** False once {@code GlobalOpenTelemetry.isSet()} proved missing (an API before it). */
  private volatile boolean canAskIsSet = true;
  private volatile OpenTelemetry cachedOpenTelemetry;
  private volatile Tracer cachedTracer;

  /** What one call's span knows; callbacks of one call come one after another, possibly on other threads. */
  static final class Call {
    final Tracer tracer;
    final Context parent;
    final String name;
    final String service;
    /** KMS, SecretsManager or SSM: the service as its operation's counters know it. */
    final String label;
    final long startEpochNanos;
    final long startNanos;
    Span span;
    boolean own;
    boolean finished;
    /** Shunt's own span made current (sync clients only), from the request until the call ends. */
    Scope scope;
    long[] attemptStarts = new long[4];
    // The last answer's facts.
    String requestId;
    String principal;
    String decision;
    String keyArn;
    String keySpec;
    String algorithm;
    List<String> contextKeys;
    String secretArn;
    String parameterName;
    /** How the backend's cache answered (hit, stale, miss), when a cache serves the operation. */
    String cache;
    /** The failed call's error.type. */
    String errorType;
    // What the request said (fallbacks).
    String requestParameterName;
    List<String> requestContextKeys;

    Call(Tracer tracer, Context parent, String name, String service, String label, long startEpochNanos,
        long startNanos) {
      this.tracer = tracer;
      this.parent = parent;
      this.name = name;
      this.service = service;
      this.label = label;
      this.startEpochNanos = startEpochNanos;
      this.startNanos = startNanos;
    }

    long epochNanos(long nanos) {
      return startEpochNanos + (nanos - startNanos);
    }

    boolean recording() {
      return span != null && span.isRecording();
    }
  }

  /** The tracer of the global OpenTelemetry, or null when it is unset or a no-op. */
  private Tracer tracer() {
    if (!underAgent) {
      if (!canAskIsSet) {
        return null;
      }
      try {
        if (!GlobalOpenTelemetry.isSet()) {
          return null;
        }
      } catch (NoSuchMethodError e) {
        canAskIsSet = false;
        return null;
      }
    }
    OpenTelemetry openTelemetry = GlobalOpenTelemetry.get();
    Tracer tracer = cachedTracer;
    if (openTelemetry != cachedOpenTelemetry || tracer == null) {
      tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME, VERSION);
      cachedTracer = tracer;
      cachedOpenTelemetry = openTelemetry;
    }
    return tracer == NOOP ? null : tracer;
  }

  @Override
  public Object begin(ShuntAttempts call, ExecutionAttributes attributes, long nowNanos) {
    Tracer tracer = tracer();
    if (tracer == null) {
      return null;
    }
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    Instant now = Instant.now();
    return new Call(tracer, Context.current(), call.operation(), service, call.counters().service,
        now.getEpochSecond() * 1_000_000_000L + now.getNano(), nowNanos);
  }

  @Override
  public SdkHttpRequest request(Object trace, SdkRequest request, SdkHttpRequest httpRequest,
      ExecutionAttributes attributes) {
    Call call = (Call) trace;
    synchronized (call) {
      if (call.span != null || call.finished) {
        return httpRequest;
      }
      Span current = Span.current();
      SpanContext currentContext = current.getSpanContext();
      boolean async = attributes.getAttribute(SdkExecutionAttribute.CLIENT_TYPE) == ClientType.ASYNC;
      if (!async && currentContext.isValid()
          && !currentContext.equals(Span.fromContext(call.parent).getSpanContext())) {
        // Another instrumentation (the OpenTelemetry agent's) made its span for this call current: enrich that one.
        call.span = current;
        call.own = false;
      } else if (async && agentSpansAwsCalls) {
        // The agent made a span for this call but keeps it out of reach (not current for async clients):
        // no second span.
        call.finished = true;
        return httpRequest;
      } else {
        call.span = call.tracer.spanBuilder(call.name)
            .setSpanKind(SpanKind.CLIENT)
            .setParent(call.parent)
            .setStartTimestamp(call.startEpochNanos, TimeUnit.NANOSECONDS)
            .setAttribute(RPC_SYSTEM, "aws-api")
            .setAttribute(RPC_SERVICE, call.service)
            .setAttribute(RPC_METHOD, attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME))
            .startSpan();
        call.own = true;
        if (!async) {
          // As OpenTelemetry's AWS SDK instrumentation does for sync clients: HTTP-level spans nest under the call's.
          call.scope = Context.current().with(call.span).makeCurrent();
        }
      }
      if (!call.span.getSpanContext().isValid()) {
        call.finished = true;
        return httpRequest;
      }
      if (call.span.isRecording()) {
        Span span = call.span;
        Region region = attributes.getAttribute(AwsExecutionAttribute.AWS_REGION);
        if (region != null) {
          span.setAttribute(CLOUD_REGION, region.id());
        }
        span.setAttribute(HTTP_METHOD, httpRequest.method().name());
        span.setAttribute(SERVER_ADDRESS, httpRequest.host());
        span.setAttribute(SERVER_PORT, (long) httpRequest.port());
        requestFacts(call, request);
      }
      SdkHttpRequest.Builder builder = httpRequest.toBuilder();
      W3CTraceContextPropagator.getInstance().inject(call.parent.with(call.span), builder, HEADERS);
      return builder.build();
    }
  }

  /** What the request itself tells, by the SDK's generic field access: SSM's parameter name, KMS's context keys. */
  private static void requestFacts(Call call, SdkRequest request) {
    if (request == null) {
      return;
    }
    String label = call.label;
    if ("SSM".equals(label)) {
      call.requestParameterName = request.getValueForField("Name", String.class).orElse(null);
    } else if ("KMS".equals(label)) {
      Map<?, ?> context = request.getValueForField("EncryptionContext", Map.class).orElse(null);
      if (context != null && !context.isEmpty()) {
        TreeSet<String> keys = new TreeSet<>();
        for (Object key : context.keySet()) {
          keys.add(String.valueOf(key));
        }
        call.requestContextKeys = List.copyOf(keys);
      }
    }
  }

  @Override
  public void attemptStarted(Object trace, int number, long nowNanos) {
    Call call = (Call) trace;
    synchronized (call) {
      if (number < 1 || call.finished) {
        return;
      }
      if (number > call.attemptStarts.length) {
        call.attemptStarts = Arrays.copyOf(call.attemptStarts, Math.max(number, call.attemptStarts.length * 2));
      }
      call.attemptStarts[number - 1] = nowNanos;
    }
  }

  @Override
  public void answered(Object trace, SdkHttpResponse response) {
    Call call = (Call) trace;
    synchronized (call) {
      if (call.finished || !call.recording()) {
        return;
      }
      call.requestId = null;
      call.principal = null;
      call.decision = null;
      call.keyArn = null;
      call.keySpec = null;
      call.algorithm = null;
      call.contextKeys = null;
      call.secretArn = null;
      call.parameterName = null;
      call.cache = null;
      for (Map.Entry<String, List<String>> header : response.headers().entrySet()) {
        String name = header.getKey();
        List<String> values = header.getValue();
        if (name == null || values == null || values.isEmpty()) {
          continue;
        }
        String value = values.get(0);
        if (name.length() > 8 && name.regionMatches(true, 0, "x-shunt-", 0, 8)) {
          shuntHeader(call, name, value);
        } else if (name.equalsIgnoreCase("x-amzn-RequestId") || name.equalsIgnoreCase("x-amz-request-id")
            && call.requestId == null) {
          call.requestId = value;
        }
      }
    }
  }

  private static void shuntHeader(Call call, String name, String value) {
    String fact = name.substring(8);
    if (fact.equalsIgnoreCase("principal-arn")) {
      call.principal = value;
    } else if (fact.equalsIgnoreCase("decision")) {
      call.decision = value;
    } else if (fact.equalsIgnoreCase("key-arn")) {
      call.keyArn = value;
    } else if (fact.equalsIgnoreCase("key-spec")) {
      call.keySpec = value;
    } else if (fact.equalsIgnoreCase("encryption-algorithm")) {
      call.algorithm = value;
    } else if (fact.equalsIgnoreCase("encryption-context-keys")) {
      call.contextKeys = commaSeparated(value);
    } else if (fact.equalsIgnoreCase("secret-arn")) {
      call.secretArn = value;
    } else if (fact.equalsIgnoreCase("parameter-name")) {
      call.parameterName = percentDecoded(value);
    } else if (fact.equalsIgnoreCase("cache")) {
      call.cache = value;
    }
  }

  /** {@code a,b%2Cc} as [a, b,c]: comma-separated, each key percent-encoded (UTF-8) where it must be. */
  static List<String> commaSeparated(String value) {
    List<String> keys = new ArrayList<>(4);
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      String key = value.substring(start, end).trim();
      if (!key.isEmpty()) {
        keys.add(percentDecoded(key));
      }
      start = end + 1;
    }
    return List.copyOf(keys);
  }

  /** Decodes {@code %XX} escapes (UTF-8); a malformed escape is kept as it is. */
  static String percentDecoded(String value) {
    if (value.indexOf('%') < 0) {
      return value;
    }
    byte[] bytes = new byte[value.length() * 3];
    int length = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      int high = i + 2 < value.length() && c == '%' ? Character.digit(value.charAt(i + 1), 16) : -1;
      int low = high >= 0 ? Character.digit(value.charAt(i + 2), 16) : -1;
      if (low >= 0) {
        bytes[length++] = (byte) (high * 16 + low);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (byte b : utf8) {
          bytes[length++] = b;
        }
      }
    }
    return new String(bytes, 0, length, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void finish(Object trace, ShuntAttempts attempts, SdkResponse response, Throwable failure) {
    Call call = (Call) trace;
    synchronized (call) {
      if (call.finished) {
        return;
      }
      call.finished = true;
      if (!call.recording()) {
        return;
      }
      Span span = call.span;
      List<ShuntAttempts.Attempt> all = attempts.endedAttempts();
      ShuntAttempts.Attempt last = all.isEmpty() ? null : all.get(all.size() - 1);
      if (last != null && last.httpStatus() > 0) {
        span.setAttribute(HTTP_STATUS, (long) last.httpStatus());
      }
      if (call.requestId != null) {
        span.setAttribute(AWS_REQUEST_ID, call.requestId);
      }
      String errorCode = null;
      if (failure != null) {
        errorCode = errorCode(failure, last);
        call.errorType = errorCode;
        span.setAttribute(ERROR_TYPE, errorCode);
      }
      String label = call.label;
      String keyArn = call.keyArn;
      String algorithm = call.algorithm;
      String secretArn = call.secretArn;
      if (response != null && "KMS".equals(label)) {
        if (keyArn == null) {
          keyArn = response.getValueForField("KeyId", String.class).orElse(null);
        }
        if (algorithm == null) {
          algorithm = response.getValueForField("EncryptionAlgorithm", String.class).orElse(null);
        }
      } else if (response != null && "SecretsManager".equals(label) && secretArn == null) {
        secretArn = response.getValueForField("ARN", String.class).orElse(null);
      }
      setIfKnown(span, KMS_KEY_ID, keyArn);
      setIfKnown(span, KMS_KEY_SPEC, call.keySpec);
      setIfKnown(span, KMS_ALGORITHM, algorithm);
      List<String> contextKeys = call.contextKeys != null ? call.contextKeys : call.requestContextKeys;
      if (contextKeys != null && !contextKeys.isEmpty()) {
        span.setAttribute(KMS_CONTEXT_KEYS, contextKeys);
      }
      setIfKnown(span, SECRET_ARN, secretArn);
      setIfKnown(span, SSM_PARAMETER, call.parameterName != null ? call.parameterName : call.requestParameterName);
      setIfKnown(span, CACHE, call.cache);
      setIfKnown(span, PRINCIPAL, call.principal);
      setIfKnown(span, DECISION, decision(call.decision, failure, errorCode, last));
      for (ShuntAttempts.Attempt attempt : all) {
        attemptEvent(call, span, attempt);
      }
    }
  }

  private static void setIfKnown(Span span, AttributeKey<String> key, String value) {
    if (value != null && !value.isEmpty()) {
      span.setAttribute(key, value);
    }
  }

  /** The backend's decision, else the client's own: allowed when it got its answer, throttled, denied. */
  static String decision(String header, Throwable failure, String errorCode, ShuntAttempts.Attempt last) {
    if (header != null && !header.isEmpty()) {
      return header;
    }
    if (failure == null) {
      return last != null && last.outcome() == ShuntAttempts.Outcome.OK ? "allowed" : null;
    }
    if (last != null && last.outcome() == ShuntAttempts.Outcome.THROTTLED) {
      return "throttled";
    }
    return "AccessDeniedException".equals(errorCode) ? "denied" : null;
  }

  /** The AWS error code of a failed call, else the failure's class name. */
  static String errorCode(Throwable failure, ShuntAttempts.Attempt last) {
    if (failure instanceof AwsServiceException aws && aws.awsErrorDetails() != null
        && aws.awsErrorDetails().errorCode() != null) {
      return aws.awsErrorDetails().errorCode();
    }
    if (last != null && last.errorCode() != null && last.outcome() != ShuntAttempts.Outcome.IO_ERROR) {
      return last.errorCode();
    }
    return failure.getClass().getName();
  }

  private static void attemptEvent(Call call, Span span, ShuntAttempts.Attempt attempt) {
    AttributesBuilder event = Attributes.builder()
        .put(ATTEMPT_NUMBER, (long) attempt.number())
        .put(ATTEMPT_OUTCOME, OUTCOMES[attempt.outcome().ordinal()]);
    if (attempt.httpStatus() > 0) {
      event.put(HTTP_STATUS, (long) attempt.httpStatus());
    }
    if (attempt.errorCode() != null) {
      event.put(ERROR_TYPE, attempt.errorCode());
    }
    if (attempt.delayBeforeMillis() >= 0) {
      event.put(ATTEMPT_BACKOFF, attempt.delayBeforeMillis());
    }
    if (attempt.durationMillis() >= 0) {
      event.put(ATTEMPT_DURATION, attempt.durationMillis());
    }
    int index = attempt.number() - 1;
    long started = index >= 0 && index < call.attemptStarts.length ? call.attemptStarts[index] : 0;
    if (started != 0) {
      span.addEvent(ATTEMPT_EVENT, event.build(), call.epochNanos(started), TimeUnit.NANOSECONDS);
    } else {
      span.addEvent(ATTEMPT_EVENT, event.build());
    }
  }

  @Override
  public void end(Object trace, Throwable failure, long nowNanos) {
    Call call = (Call) trace;
    Span span;
    String errorType;
    Scope scope;
    synchronized (call) {
      span = call.own ? call.span : null;
      errorType = call.errorType;
      scope = call.scope;
      call.scope = null;
      call.own = false;
    }
    if (scope != null) {
      scope.close();
    }
    if (span == null) {
      return;
    }
    if (failure != null && span.isRecording()) {
      span.setStatus(StatusCode.ERROR, errorType != null ? errorType : failure.getClass().getName());
    }
    span.end(call.epochNanos(nowNanos), TimeUnit.NANOSECONDS);
  }

  private static String[] outcomes() {
    ShuntAttempts.Outcome[] outcomes = ShuntAttempts.Outcome.values();
    String[] names = new String[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      names[i] = outcomes[i].name().toLowerCase(java.util.Locale.ROOT);
    }
    return names;
  }

  private static String version() {
    String version = OtelSpans.class.getPackage() == null ? null
        : OtelSpans.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}
