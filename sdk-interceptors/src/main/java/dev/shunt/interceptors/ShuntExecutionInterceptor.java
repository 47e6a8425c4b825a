package dev.shunt.interceptors;

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
 */
public final class ShuntExecutionInterceptor implements ExecutionInterceptor {
  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    ShuntRouting.beforeExecution(attributes);
    try {
      ShuntClientStats.Operation operation = ShuntClientStats.operation(
          attributes.getAttribute(SdkExecutionAttribute.SERVICE_NAME),
          attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
      if (operation != null && attributes.getAttribute(ShuntAttempts.ATTRIBUTE) == null
          && ShuntEndpoint.available()) {
        attributes.putAttribute(ShuntAttempts.ATTRIBUTE, new ShuntAttempts(operation, this));
      }
    } catch (RuntimeException | LinkageError e) {
      // the call goes on unrecorded
    }
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    return ShuntRouting.route(context.httpRequest(), attributes);
  }

  @Override
  public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
    try {
      ShuntAttempts call = recorded(attributes);
      if (call != null) {
        call.attemptStarted(System.nanoTime());
      }
    } catch (RuntimeException | LinkageError e) {
      // unrecorded
    }
  }

  @Override
  public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
    try {
      ShuntAttempts call = recorded(attributes);
      if (call != null) {
        call.answered(System.nanoTime(), context.httpResponse());
      }
    } catch (RuntimeException | LinkageError e) {
      // unrecorded
    }
  }

  @Override
  public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
    end(attributes, null);
  }

  @Override
  public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
    Throwable failure = context.exception();
    end(attributes, failure != null ? failure : new IllegalStateException("failed"));
  }

  private void end(ExecutionAttributes attributes, Throwable failure) {
    try {
      ShuntAttempts call = recorded(attributes);
      if (call != null && call.end(System.nanoTime(), failure)) {
        ShuntClientStats.record(call);
      }
    } catch (RuntimeException | LinkageError e) {
      // unrecorded
    }
  }

  /** The call's record if this interceptor keeps it. */
  private ShuntAttempts recorded(ExecutionAttributes attributes) {
    ShuntAttempts call = attributes.getAttribute(ShuntAttempts.ATTRIBUTE);
    return call != null && call.owner == this ? call : null;
  }
}
