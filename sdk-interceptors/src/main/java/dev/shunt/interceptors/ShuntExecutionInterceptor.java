package dev.shunt.interceptors;

import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Shunt's interceptor for every AWS SDK v2 client, registered through the SDK's global
 * interceptor resource ({@code software/amazon/awssdk/global/handlers/execution.interceptors}):
 * routes KMS, Secrets Manager and SSM requests to Shunt and leaves every other service alone.
 * Named so that no other vendor's interceptor shares its simple name (some SDK versions
 * de-duplicate interceptors by it).
 *
 * <p>It also makes the SDK's retries visible: while Shunt is active (see
 * {@link ShuntEndpoint#available()}; not under an agent that failed to start), each call of the
 * three services keeps a {@link ShuntAttempts} in its execution attributes (one entry per HTTP
 * attempt, with the backoff before it), and the ended call is counted in {@link ShuntClientStats}.
 * Recording never fails a call: anything it throws is swallowed.
 *
 * <p>With OpenTelemetry's API on the class path and a global OpenTelemetry set (or the
 * OpenTelemetry Java agent), each such call also gets a CLIENT span, or enriches the agent's
 * (see {@link OtelSpans}): started at {@code beforeExecution}, its {@code traceparent} added in
 * {@code modifyHttpRequest} (the SDK signs after that), the backend's facts read in
 * {@code afterTransmission}, completed in {@code modifyResponse} / {@code modifyException} (the
 * last callbacks before any interceptor ends its span) and ended in {@code afterExecution} /
 * {@code onExecutionFailure}.
 */
public final class ShuntExecutionInterceptor implements ExecutionInterceptor {
  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    String service = attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME);
    if (!ShuntRouting.isRoutedService(service)) {
      return;
    }
    boolean available = ShuntEndpoint.available();
    ShuntRouting.beforeExecution(attributes, available);
    if (!available) {
      return;
    }
    try {
      ShuntClientStats.Operation operation = ShuntClientStats.operation(service,
          attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
      if (operation != null && attributes.getAttribute(ShuntAttempts.ATTRIBUTE) == null) {
        ShuntAttempts call = new ShuntAttempts(operation, this);
        attributes.putAttribute(ShuntAttempts.ATTRIBUTE, call);
        ShuntTracing.Spans spans = ShuntTracing.spans();
        if (spans != null) {
          call.trace = spans.begin(call, attributes, System.nanoTime());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      ShuntTracing.failed(e);
      // the call goes on unrecorded
    }
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    SdkHttpRequest routed = ShuntRouting.route(context.httpRequest(), attributes);
    try {
      ShuntAttempts call = recorded(attributes);
      Object trace = call == null ? null : call.trace;
      ShuntTracing.Spans spans = spans(trace);
      if (spans != null) {
        return spans.request(trace, context.request(), routed, attributes);
      }
    } catch (RuntimeException | LinkageError e) {
      ShuntTracing.failed(e);
      // no trace context for this call
    }
    return routed;
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    try {
      ShuntAttempts call = recorded(attributes);
      if (call != null) {
        long now = System.nanoTime();
        int number = call.attemptStarted(now);
        ShuntTracing.Spans spans = spans(call.trace);
        if (spans != null) {
          spans.attemptStarted(call.trace, number, now);
        }
      }
    } catch (RuntimeException | LinkageError e) {
      ShuntTracing.failed(e);
      // unrecorded
    }
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    try {
      ShuntAttempts call = recorded(attributes);
      if (call != null) {
        call.answered(System.nanoTime(), context.httpResponse());
        ShuntTracing.Spans spans = spans(call.trace);
        if (spans != null) {
          spans.answered(call.trace, context.httpResponse());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      ShuntTracing.failed(e);
      // unrecorded
    }
  }

  @Override
  public SdkResponse modifyResponse(Context.ModifyResponse context, ExecutionAttributes attributes) {
    complete(attributes, context.response(), null);
    return context.response();
  }

  @Override
  public Throwable modifyException(Context.FailedExecution context, ExecutionAttributes attributes) {
    Throwable failure = context.exception();
    complete(attributes, null, failure != null ? failure : new IllegalStateException("failed"));
    return failure;
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    end(attributes, context.response(), null);
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    Throwable failure = context.exception();
    end(attributes, null, failure != null ? failure : new IllegalStateException("failed"));
  }

  /**
   * The call's outcome is known: its record ends (and is counted) and its span gets its attributes
   * and attempt events, while every interceptor's span is still open. Idempotent.
   */
  private void complete(ExecutionAttributes attributes, SdkResponse response, Throwable failure) {
    try {
      ShuntAttempts call = recorded(attributes);
      if (call == null) {
        return;
      }
      if (call.end(System.nanoTime(), failure)) {
        ShuntClientStats.record(call);
      }
      ShuntTracing.Spans spans = spans(call.trace);
      if (spans != null) {
        spans.finish(call.trace, call, response, failure);
      }
    } catch (RuntimeException | LinkageError e) {
      ShuntTracing.failed(e);
      // unrecorded
    }
  }

  private void end(ExecutionAttributes attributes, SdkResponse response, Throwable failure) {
    complete(attributes, response, failure);
    try {
      ShuntAttempts call = recorded(attributes);
      ShuntTracing.Spans spans = call == null || call.trace == null ? null : ShuntTracing.spansToEnd();
      if (spans != null) {
        spans.end(call.trace, failure, System.nanoTime());
      }
    } catch (RuntimeException | LinkageError e) {
      ShuntTracing.failed(e);
      // unrecorded
    }
  }

  /** The span work for a call that has a trace, else null. */
  private static ShuntTracing.Spans spans(Object trace) {
    return trace == null ? null : ShuntTracing.spans();
  }

  /** The call's record if this interceptor keeps it. */
  private ShuntAttempts recorded(ExecutionAttributes attributes) {
    ShuntAttempts call = attributes.getAttribute(ShuntAttempts.ATTRIBUTE);
    return call != null && call.owner == this ? call : null;
  }
}
