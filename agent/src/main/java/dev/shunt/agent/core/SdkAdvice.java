package dev.shunt.agent.core;

import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * The advice Shunt inlines into the AWS SDK. Each piece only hands the SDK's objects to
 * {@code dev.shunt.agent.ShuntHooks.call(hook, arguments)}, found through the system class loader
 * by reflection, so that the advice links in whichever class loader holds the SDK (a symbolic
 * reference would not resolve in one that does not delegate to the system class loader). That
 * costs a microsecond at most, on calls that happen while clients are built; only an attached agent
 * watches every request (see {@link Chain}). A null answer leaves the SDK's own value.
 */
final class SdkAdvice {
  private SdkAdvice() {}

  /** {@code SdkDefaultClientBuilder}'s constructors. */
  static final class BuilderCreated {
    private BuilderCreated() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object builder) throws Exception {
      ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class).invoke(null, "builderCreated", new Object[] {builder});
    }
  }

  /** {@code SdkDefaultClientBuilder.build()}. */
  static final class Build {
    private Build() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) throws Exception {
      ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class).invoke(null, "beforeBuild", new Object[] {builder});
    }
  }

  /** {@code endpointOverride(URI)}. */
  static final class Endpoint {
    private Endpoint() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) throws Exception {
      ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class).invoke(null, "endpointSet", new Object[] {builder});
    }
  }

  /** {@code region(Region)} / {@code setRegion(Region)}. */
  static final class Region {
    private Region() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) throws Exception {
      ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class).invoke(null, "regionSet", new Object[] {builder});
    }
  }

  /** {@code credentialsProvider(...)}. */
  static final class Credentials {
    private Credentials() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder, @Advice.Argument(0) Object provider) throws Exception {
      ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class)
          .invoke(null, "credentialsSet", new Object[] {builder, provider});
    }
  }

  /** {@code ClasspathInterceptorChainFactory.getGlobalInterceptors()}: where Shunt's interceptor joins a client. */
  static final class GlobalInterceptors {
    private GlobalInterceptors() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object factory,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) List<?> interceptors) throws Exception {
      Object withShunts = ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class)
          .invoke(null, "globalInterceptors", new Object[] {factory, interceptors});
      if (withShunts != null) {
        interceptors = (List<?>) withShunts;
      }
    }
  }

  /**
   * {@code ExecutionInterceptorChain.modifyHttpRequestAndHttpContent}, installed only when the
   * agent is attached to a running JVM: clients built before it lack Shunt's interceptor.
   */
  static final class Chain {
    private Chain() {}

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(@Advice.This Object chain, @Advice.Argument(1) Object attributes,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object context) throws Exception {
      Object routed = ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class)
          .invoke(null, "afterModifyHttpRequest", new Object[] {chain, context, attributes});
      if (routed != null) {
        context = routed;
      }
    }
  }

  /**
   * {@code AwsRegionProviderChain.getRegion()}: for a KMS, Secrets Manager or SSM client being
   * configured, a Region where the application's providers find none.
   */
  static final class RegionChain {
    private RegionChain() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static Object enter(@Advice.This Object chain) throws Exception {
      return ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
          .getMethod("call", String.class, Object[].class)
          .invoke(null, "regionBeforeProviders", new Object[] {chain});
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.This Object chain, @Advice.Enter Object chosen,
        @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object region,
        @Advice.Thrown(readOnly = false, typing = Assigner.Typing.DYNAMIC) Throwable thrown) throws Exception {
      if (chosen != null) {
        region = chosen;
      } else if (thrown != null) {
        Object instead = ClassLoader.getSystemClassLoader().loadClass("dev.shunt.agent.ShuntHooks")
            .getMethod("call", String.class, Object[].class)
            .invoke(null, "regionAfterFailure", new Object[] {chain, thrown});
        if (instead != null) {
          region = instead;
          thrown = null;
        }
      }
    }
  }
}
