package dev.shunt.agent.core;

import net.bytebuddy.asm.Advice;

/**
 * Advice inlined into the SDK's client builders. It only calls the hook, which lives beside the
 * SDK (in the interceptors jar on the system class path), and it takes everything as Object:
 * the SDK's types are not visible from the agent's own class loader.
 */
final class BuilderAdvice {
  private BuilderAdvice() {}

  /** {@code SdkDefaultClientBuilder.build()}: configure KMS, Secrets Manager and SSM clients. */
  static final class Build {
    private Build() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) {
      dev.shunt.interceptors.ShuntClientBuilderHook.beforeBuild(builder);
    }
  }

  /** {@code endpointOverride(URI)}: the application chose an endpoint. */
  static final class Endpoint {
    private Endpoint() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) {
      dev.shunt.interceptors.ShuntClientBuilderHook.endpointSet(builder);
    }
  }

  /** {@code region(Region)} / {@code setRegion(Region)}: the application chose a Region. */
  static final class Region {
    private Region() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) {
      dev.shunt.interceptors.ShuntClientBuilderHook.regionSet(builder);
    }
  }

  /** {@code credentialsProvider(...)}: the application brought credentials. */
  static final class Credentials {
    private Credentials() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static void enter(@Advice.This Object builder) {
      dev.shunt.interceptors.ShuntClientBuilderHook.credentialsSet(builder);
    }
  }
}
