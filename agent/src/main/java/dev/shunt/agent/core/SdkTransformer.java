package dev.shunt.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.isConstructor;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.none;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * Watches class names as classes load, and instruments the few AWS SDK classes Shunt needs (see
 * {@link SdkAdvice}) with Byte Buddy, which is loaded and set up only when the first of them
 * appears and has not been instrumented by an earlier JVM (see {@link TransformedClasses}): an
 * application that never loads the SDK never pays for Byte Buddy, and one that does pays once.
 * Everything else passes with a string comparison. It also notices the AWS SDK for Java v1, whose
 * clients Shunt leaves alone, and says so once.
 */
final class SdkTransformer implements ClassFileTransformer {
  private static final String SDK_BUILDER = "software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder";
  private static final String AWS_BUILDER = "software.amazon.awssdk.awscore.client.builder.AwsDefaultClientBuilder";
  private static final String INTERCEPTOR_FACTORY = "software.amazon.awssdk.core.interceptor.ClasspathInterceptorChainFactory";
  private static final String REGION_CHAIN = "software.amazon.awssdk.regions.providers.AwsRegionProviderChain";
  private static final String INTERCEPTOR_CHAIN = "software.amazon.awssdk.core.interceptor.ExecutionInterceptorChain";
  private static final String SDK_V1_CLIENT = "com.amazonaws.AmazonWebServiceClient";
  private static final String[] ROUTED_PACKAGES = {"software/amazon/awssdk/services/kms/",
      "software/amazon/awssdk/services/secretsmanager/", "software/amazon/awssdk/services/ssm/"};

  /** Internal names ({@code a/b/C}) of the classes to instrument. */
  private final Set<String> internalNames = new HashSet<>();
  private final boolean attached;
  private final TransformedClasses transformed;
  /** Told once, when the first class of a KMS, Secrets Manager or SSM client loads: one is about to be built. */
  private final Runnable routedServiceLoading;
  private volatile boolean routedServiceSeen;
  private final AtomicBoolean sdkV1Reported = new AtomicBoolean();
  private ClassFileTransformer byteBuddy;

  private SdkTransformer(boolean attached, TransformedClasses transformed, Runnable routedServiceLoading) {
    this.attached = attached;
    this.transformed = transformed;
    this.routedServiceLoading = routedServiceLoading;
    for (String name : names(attached)) {
      internalNames.add(name.replace('.', '/'));
    }
  }

  /**
   * Registers the transformer and retransforms the SDK classes already loaded (attached to a running
   * JVM, or after another agent loaded them). {@code routedServiceLoading} runs (once) as the first
   * class of a KMS, Secrets Manager or SSM client loads, or now if one is loaded already (then
   * clients may exist that no builder hook will announce).
   */
  static void install(Instrumentation instrumentation, boolean attached, TransformedClasses transformed,
      Runnable routedServiceLoading) {
    SdkTransformer transformer = new SdkTransformer(attached, transformed, routedServiceLoading);
    instrumentation.addTransformer(transformer, true);
    if (ClassLoader.getSystemClassLoader().getResource(SDK_V1_CLIENT.replace('.', '/') + ".class") != null) {
      transformer.reportSdkV1();
    }
    Set<String> names = new HashSet<>(List.of(names(attached)));
    List<Class<?>> loaded = new ArrayList<>();
    for (Class<?> type : instrumentation.getAllLoadedClasses()) {
      String name = type.getName();
      if (names.contains(name)) {
        loaded.add(type);
      } else if (name.equals(SDK_V1_CLIENT)) {
        transformer.reportSdkV1();
      } else if (name.startsWith("software.amazon.awssdk.services.")) {
        transformer.maybeRoutedService(name.replace('.', '/'));
      }
    }
    if (!loaded.isEmpty()) {
      try {
        instrumentation.retransformClasses(loaded.toArray(Class<?>[]::new));
      } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
        System.err.println("[shunt] could not instrument the AWS SDK classes already loaded: " + e);
      }
    }
  }

  private static String[] names(boolean attached) {
    // Clients built before an attach lack Shunt's interceptor: only then is every request's chain watched.
    return attached ? new String[] {SDK_BUILDER, AWS_BUILDER, INTERCEPTOR_FACTORY, REGION_CHAIN, INTERCEPTOR_CHAIN}
        : new String[] {SDK_BUILDER, AWS_BUILDER, INTERCEPTOR_FACTORY, REGION_CHAIN};
  }

  @Override
  public byte[] transform(Module module, ClassLoader loader, String className, Class<?> classBeingRedefined,
      ProtectionDomain protectionDomain, byte[] classfileBuffer) throws IllegalClassFormatException {
    if (className == null) {
      return null;
    }
    if (!className.startsWith("software/amazon/awssdk/") || !internalNames.contains(className)) {
      if (className.startsWith("com/amazonaws/") && className.equals("com/amazonaws/AmazonWebServiceClient")) {
        reportSdkV1();
      } else if (!routedServiceSeen && className.startsWith("software/amazon/awssdk/services/")) {
        maybeRoutedService(className);
      }
      return null;
    }
    String key = TransformedClasses.key(classfileBuffer);
    byte[] known = transformed.find(key);
    if (known != null) {
      return known;
    }
    return instrument(key, module, loader, className, classBeingRedefined, protectionDomain, classfileBuffer);
  }

  /**
   * Byte Buddy would probe {@code sun.misc.Unsafe} (a warning on Java 24+) as its classes initialise;
   * inline advice needs no class injection, so it works in its safe mode, and the property is
   * restored. One class at a time (they are a handful), so that two threads cannot leave the
   * property set behind them.
   */
  private synchronized byte[] instrument(String key, Module module, ClassLoader loader, String className,
      Class<?> classBeingRedefined, ProtectionDomain protectionDomain, byte[] classfileBuffer)
      throws IllegalClassFormatException {
    String safe = System.getProperty("net.bytebuddy.safe");
    System.setProperty("net.bytebuddy.safe", "true");
    try {
      byte[] instrumented = byteBuddy().transform(module, loader, className, classBeingRedefined, protectionDomain,
          classfileBuffer);
      if (instrumented != null) {
        transformed.keep(key, instrumented);
      }
      return instrumented;
    } finally {
      if (safe == null) {
        System.clearProperty("net.bytebuddy.safe");
      } else {
        System.setProperty("net.bytebuddy.safe", safe);
      }
    }
  }

  private void maybeRoutedService(String internalName) {
    for (String routed : ROUTED_PACKAGES) {
      if (internalName.startsWith(routed) && !routedServiceSeen) {
        routedServiceSeen = true;
        routedServiceLoading.run();
        return;
      }
    }
  }

  private void reportSdkV1() {
    if (sdkV1Reported.compareAndSet(false, true)) {
      System.err.println("[shunt] this application has the AWS SDK for Java v1 (com.amazonaws): its clients are"
          + " left alone; Shunt reroutes AWS SDK for Java v2 clients only");
    }
  }

  /** Byte Buddy's transformer, made the first time a class must be instrumented (under this object's lock). */
  private ClassFileTransformer byteBuddy() {
    if (byteBuddy == null) {
      byteBuddy = makeByteBuddy();
    }
    return byteBuddy;
  }

  private ClassFileTransformer makeByteBuddy() {
    AgentBuilder builder = new AgentBuilder.Default()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
        .with(new FailureReporter())
        // This transformer chose the types already, by name.
        .ignore(none())
        .type(named(SDK_BUILDER))
        .transform((type, description, loader, module, domain) -> type
            .visit(Advice.to(SdkAdvice.BuilderCreated.class).on(isConstructor()))
            .visit(Advice.to(SdkAdvice.Build.class).on(named("build").and(takesArguments(0))))
            .visit(Advice.to(SdkAdvice.Endpoint.class).on(named("endpointOverride").and(takesArguments(1)))))
        .type(named(AWS_BUILDER))
        .transform((type, description, loader, module, domain) -> type
            .visit(Advice.to(SdkAdvice.Region.class).on(named("region").or(named("setRegion")).and(takesArguments(1))))
            .visit(Advice.to(SdkAdvice.Credentials.class).on(named("credentialsProvider").and(takesArguments(1)))))
        .type(named(INTERCEPTOR_FACTORY))
        .transform((type, description, loader, module, domain) -> type
            .visit(Advice.to(SdkAdvice.GlobalInterceptors.class).on(named("getGlobalInterceptors")
                .and(takesArguments(0)))))
        .type(named(REGION_CHAIN))
        .transform((type, description, loader, module, domain) -> type
            .visit(Advice.to(SdkAdvice.RegionChain.class).on(named("getRegion").and(takesArguments(0)))));
    if (attached) {
      builder = builder.type(named(INTERCEPTOR_CHAIN))
          .transform((type, description, loader, module, domain) -> type
              .visit(Advice.to(SdkAdvice.Chain.class).on(named("modifyHttpRequestAndHttpContent")
                  .and(takesArguments(2)))));
    }
    return builder.makeRaw();
  }

  /** Reports the first instrumentation failure (on stderr, once); the class stays as it was. */
  private static final class FailureReporter extends AgentBuilder.Listener.Adapter {
    private volatile boolean reported;

    @Override
    public void onError(String typeName, ClassLoader classLoader, JavaModule module, boolean loaded,
        Throwable throwable) {
      if (!reported) {
        reported = true;
        System.err.println("[shunt] could not instrument " + typeName + ": " + throwable);
      }
    }

    @Override
    public void onTransformation(TypeDescription typeDescription, ClassLoader classLoader, JavaModule module,
        boolean loaded, DynamicType dynamicType) {
      // transformed as planned
    }
  }
}
