package dev.shunt.interceptors;

import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Whether Shunt's interceptor makes OpenTelemetry spans, and the calls it makes for them. This
 * class names no OpenTelemetry type: {@link OtelSpans}, the only class that does, is loaded once,
 * and only when {@code io.opentelemetry.api.GlobalOpenTelemetry} is loadable from this class's
 * loader. Without OpenTelemetry on the class path every method here is a cheap no-op.
 *
 * <p>It also tells whether the OpenTelemetry Java agent is in this JVM and instruments the AWS SDK
 * (it then makes its own CLIENT span per call, which Shunt enriches instead of adding another).
 */
final class ShuntTracing {
  /** The span work of one call, in the interceptor's order. Implemented by {@link OtelSpans}. */
  interface Spans {
    /** {@code beforeExecution}: the call's trace state (the app's current context), or null when nothing records. */
    Object begin(ShuntAttempts call, ExecutionAttributes attributes, long nowNanos);

    /** {@code modifyHttpRequest}, after routing: the span is chosen (own or the OTel agent's), traceparent added. */
    SdkHttpRequest request(Object trace, SdkRequest request, SdkHttpRequest httpRequest, ExecutionAttributes attributes);

    /** {@code beforeTransmission}. */
    void attemptStarted(Object trace, int number, long nowNanos);

    /** {@code afterTransmission}: the answer's x-shunt-* facts (the last answer's win). */
    void answered(Object trace, SdkHttpResponse response);

    /** {@code modifyResponse} / {@code modifyException} (or the end): attributes and attempt events, once. */
    void finish(Object trace, ShuntAttempts call, SdkResponse response, Throwable failure);

    /** {@code afterExecution} / {@code onExecutionFailure}: ends Shunt's own span. */
    void end(Object trace, Throwable failure, long nowNanos);
  }

  /** -1 until known, then 1 when the OpenTelemetry agent runs here, else 0. Declared before {@link #SPANS}. */
  private static volatile int otelAgent = -1;
  private static final Spans SPANS = load();
  /** Set once the API failed to link (an incomplete or too old OpenTelemetry): no spans from then on. */
  private static volatile boolean broken;

  private ShuntTracing() {}

  /** The span work, or null when OpenTelemetry's API is not on this class's class path (or failed to link). */
  static Spans spans() {
    return broken ? null : SPANS;
  }

  /** The span work for ending a call that has a trace, even once broken: a span made current must be left. */
  static Spans spansToEnd() {
    return SPANS;
  }

  /**
   * What a span callback threw: a {@link LinkageError} (missing or incompatible OpenTelemetry classes)
   * turns spans off for good, so that no call pays for it again; anything else is the call's alone.
   */
  static void failed(Throwable error) {
    if (error instanceof LinkageError) {
      broken = true;
    }
  }

  private static Spans load() {
    ClassLoader loader = ShuntTracing.class.getClassLoader();
    try {
      Class.forName("io.opentelemetry.api.GlobalOpenTelemetry", false, loader);
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
    try {
      return Class.forName("dev.shunt.interceptors.OtelSpans", true, loader).asSubclass(Spans.class)
          .getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      // an API too old or incomplete: no spans, silently
      return null;
    }
  }

  /** Whether the OpenTelemetry Java agent runs in this JVM (its bootstrap classes are there). */
  static boolean otelAgentPresent() {
    int known = otelAgent;
    if (known < 0) {
      known = 0;
      try {
        Class.forName("io.opentelemetry.javaagent.bootstrap.AgentInitializer", false, null);
        known = enabled("otel.javaagent.enabled", true) ? 1 : 0;
      } catch (ClassNotFoundException | LinkageError e) {
        // no agent
      }
      otelAgent = known;
    }
    return known == 1;
  }

  /**
   * Whether the OpenTelemetry agent's AWS SDK instrumentation is on: its module is named
   * {@code aws-sdk} and {@code aws-sdk-2.2}; the first of {@code otel.instrumentation.NAME.enabled}
   * that is set decides, else {@code otel.instrumentation.common.default-enabled} (true). Read from
   * system properties and the environment, as the agent does (not from its configuration file).
   */
  static boolean otelAgentInstrumentsAwsSdk() {
    if (!otelAgentPresent()) {
      return false;
    }
    for (String name : new String[] {"aws-sdk", "aws-sdk-2.2"}) {
      String value = otelSetting("otel.instrumentation." + name + ".enabled");
      if (value != null) {
        return Boolean.parseBoolean(value);
      }
    }
    return enabled("otel.instrumentation.common.default-enabled", true);
  }

  private static boolean enabled(String property, boolean fallback) {
    String value = otelSetting(property);
    return value == null ? fallback : Boolean.parseBoolean(value);
  }

  /** An OpenTelemetry setting: system property, then environment ({@code OTEL_...}); see {@link ShuntEndpoint#option}. */
  static String otelSetting(String property) {
    return ShuntEndpoint.option(property);
  }
}
