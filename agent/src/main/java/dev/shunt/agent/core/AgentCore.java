package dev.shunt.agent.core;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.shunt.backend.ShuntBackend;
import dev.shunt.interceptors.ShuntEndpoint;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;

/**
 * The agent proper, in its own class loader: starts the embedded backend (unless
 * {@code endpoint} names a running one), publishes its URL as {@code shunt.endpoint}, and
 * instruments the AWS SDK: the client builders (endpoint, Region, credentials, see
 * {@code ShuntClientBuilderHook}) and the interceptor chain (routing of clients built before the
 * agent arrived). Classes already loaded are retransformed.
 */
public final class AgentCore {
  // ShuntEndpoint's names are compile-time constants, inlined here: this class loader cannot see
  // the interceptors, and nothing here may load one of their classes.
  /** Options that configure the agent itself; every other option goes to the embedded backend. */
  static final Set<String> AGENT_OPTIONS = Set.of("enabled", "endpoint", "override-endpoints", "default-region",
      "log-retries");
  /** The agent options the interceptors (on the application's class path) read too. */
  private static final List<String> INTERCEPTOR_OPTIONS = List.of("override-endpoints", "default-region",
      "log-retries");

  private static volatile ShuntBackend backend;

  private AgentCore() {}

  /**
   * Instruments the SDK now (before the application's classes load) and starts the backend in
   * the background: the application's main begins without waiting for it, and the first KMS,
   * Secrets Manager or SSM client waits until it is up (see {@code ShuntEndpoint.available}).
   *
   * @param arguments the agent arguments (strict: the backend refuses a name it does not know)
   * @param setting an option by its one name: agent argument, system property, then environment
   * @param otelApiJars OpenTelemetry's API jars, to offer the application when the OpenTelemetry
   *     agent runs beside this one (see {@link OtelApi})
   */
  public static void start(Map<String, String> arguments, Function<String, String> setting,
      Instrumentation instrumentation, List<Path> otelApiJars) {
    OtelApi.prepare(instrumentation, otelApiJars);
    // The interceptors read shunt.* properties and SHUNT_* variables; agent arguments win over both.
    for (String name : INTERCEPTOR_OPTIONS) {
      String value = arguments.get(name);
      if (value != null) {
        System.setProperty("shunt." + name, value);
      }
    }
    String endpoint = setting.apply("endpoint");
    if (endpoint != null && !endpoint.isBlank()) {
      ready(endpoint);
      install(instrumentation);
      return;
    }
    // Only arguments are explicit (an unknown name there is an error); the backend reads its
    // shunt.* properties and SHUNT_* variables itself and ignores names it does not know.
    Map<String, String> backendOptions = new LinkedHashMap<>();
    arguments.forEach((name, value) -> {
      if (!AGENT_OPTIONS.contains(name)) {
        backendOptions.put(name, value);
      }
    });
    if (setting.apply("port") == null) {
      backendOptions.put("port", "0");
    }
    System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.STARTING);
    Thread starter = new Thread(() -> {
      try {
        backend = ShuntBackend.builder().options(backendOptions).start();
        Runtime.getRuntime().addShutdownHook(new Thread(backend::close, "shunt-backend-shutdown"));
        ready(backend.uri().toString());
      } catch (Throwable e) {
        System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.FAILED);
        System.err.println("[shunt] agent disabled, the application runs without Shunt: " + e);
      }
    }, "shunt-backend-start");
    starter.setDaemon(true);
    starter.start();
    install(instrumentation);
  }

  private static void ready(String endpoint) {
    System.setProperty(ShuntEndpoint.PROPERTY, endpoint);
    System.setProperty(ShuntEndpoint.AGENT_STATE, ShuntEndpoint.READY);
    System.err.println("[shunt] KMS, Secrets Manager and SSM clients go to " + endpoint);
  }

  private static void install(Instrumentation instrumentation) {
    // Byte Buddy would probe sun.misc.Unsafe (a warning on Java 24+); inline advice needs no class
    // injection, so it runs in its safe mode while it initialises, and the property is restored.
    String safe = System.getProperty("net.bytebuddy.safe");
    System.setProperty("net.bytebuddy.safe", "true");
    try {
      agentBuilder().installOn(instrumentation);
    } finally {
      if (safe == null) {
        System.clearProperty("net.bytebuddy.safe");
      } else {
        System.setProperty("net.bytebuddy.safe", safe);
      }
    }
  }

  private static AgentBuilder agentBuilder() {
    return new AgentBuilder.Default()
        // Only the SDK's classes are looked at; everything else is passed over without describing it.
        .ignore(not(nameStartsWith("software.amazon.awssdk.")))
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.TypeStrategy.Default.REDEFINE)
        .with(new FailureReporter())
        .type(named("software.amazon.awssdk.core.client.builder.SdkDefaultClientBuilder"))
        .transform((builder, type, loader, module, domain) -> OtelApi.sdkLoaded(loader, builder)
            .visit(Advice.to(BuilderAdvice.Build.class).on(named("build").and(takesArguments(0))))
            .visit(Advice.to(BuilderAdvice.Endpoint.class).on(named("endpointOverride").and(takesArguments(1)))))
        .type(named("software.amazon.awssdk.awscore.client.builder.AwsDefaultClientBuilder"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(BuilderAdvice.Region.class).on(named("region").or(named("setRegion"))
                .and(takesArguments(1))))
            .visit(Advice.to(BuilderAdvice.Credentials.class).on(named("credentialsProvider")
                .and(takesArguments(1)))))
        .type(named("software.amazon.awssdk.core.interceptor.ExecutionInterceptorChain"))
        .transform((builder, type, loader, module, domain) -> builder
            .visit(Advice.to(ChainAdvice.class).on(named("modifyHttpRequestAndHttpContent")
                .and(takesArguments(2)))));
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
