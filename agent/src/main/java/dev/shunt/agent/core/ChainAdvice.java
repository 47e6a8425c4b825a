package dev.shunt.agent.core;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Advice on {@code ExecutionInterceptorChain.modifyHttpRequestAndHttpContent}: after the
 * interceptors ran, route the request, so that clients built before the agent attached (which
 * lack Shunt's interceptor) reach Shunt too. A call that Shunt's interceptor handles, which routed
 * it already, is left as it is.
 */
final class ChainAdvice {
  private ChainAdvice() {}

  @Advice.OnMethodExit(suppress = Throwable.class)
  static void exit(@Advice.Argument(1) Object attributes,
      @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object context) {
    context = dev.shunt.interceptors.ShuntClientBuilderHook.afterModifyHttpRequest(context, attributes);
  }
}
