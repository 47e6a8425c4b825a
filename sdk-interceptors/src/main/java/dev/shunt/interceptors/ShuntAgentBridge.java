package dev.shunt.interceptors;

import java.util.function.BiFunction;

/**
 * The agent core's way in: the core lives in a class loader of its own and sees none of these
 * classes, so it calls this one object (made once per class loader that holds the SDK) by the
 * name of the hook and its arguments, in {@code java.base} types only. Not for applications.
 */
public final class ShuntAgentBridge implements BiFunction<String, Object[], Object> {
  @Override
  public Object apply(String hook, Object[] arguments) {
    switch (hook) {
      case "builderCreated":
        ShuntClientBuilderHook.builderCreated(arguments[0]);
        return null;
      case "endpointSet":
        ShuntClientBuilderHook.endpointSet(arguments[0]);
        return null;
      case "regionSet":
        ShuntClientBuilderHook.regionSet(arguments[0]);
        return null;
      case "credentialsSet":
        ShuntClientBuilderHook.credentialsSet(arguments[0], arguments[1]);
        return null;
      case "beforeBuild":
        return ShuntClientBuilderHook.beforeBuild(arguments[0]);
      case "newInterceptor":
        return new ShuntExecutionInterceptor();
      case "afterModifyHttpRequest":
        return ShuntClientBuilderHook.afterModifyHttpRequest(arguments[0], arguments[1]);
      case "regionBeforeProviders":
        return ShuntClientBuilderHook.regionBeforeProviders(arguments[0]);
      case "exit":
        ShuntClientStats.Reporter.pushAtExit();
        return null;
      case "regionAfterFailure":
        return ShuntClientBuilderHook.regionAfterFailure(arguments[0], (Throwable) arguments[1]);
      default:
        throw new IllegalArgumentException("no hook " + hook);
    }
  }
}
