package dev.shunt.interceptors;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * Shunt's interceptor for every AWS SDK v2 client, registered through the SDK's global
 * interceptor resource ({@code software/amazon/awssdk/global/handlers/execution.interceptors}):
 * routes KMS, Secrets Manager and SSM requests to Shunt and leaves every other service alone.
 * Named so that no other vendor's interceptor shares its simple name (some SDK versions
 * de-duplicate interceptors by it).
 */
public final class ShuntExecutionInterceptor implements ExecutionInterceptor {
  @Override
  public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
    ShuntRouting.beforeExecution(attributes);
  }

  @Override
  public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
    return ShuntRouting.route(context.httpRequest(), attributes);
  }
}
