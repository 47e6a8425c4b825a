package dev.shunt.agent.core;

import dev.shunt.backend.BackendOptions;
import dev.shunt.interceptors.ShuntClientBuilderHook;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The agent proper, in its own class loader. At start it only checks its options and registers a
 * class file transformer that looks at class names; the AWS SDK's classes are instrumented as they
 * load (or, attached to a running JVM, retransformed), Shunt's interceptor is put beside each copy
 * of the SDK when it is first needed, and the embedded backend starts in the background when the
 * classes of a KMS, Secrets Manager or SSM client first load, so an application that never uses
 * one pays almost nothing.
 */
public final class AgentCore {
  // The interceptors' constants used here are compile-time constants, inlined: this class loader
  // cannot see the interceptors' classes, and nothing here may load one.
  /** Options that configure the agent itself; every other option goes to the embedded backend. */
  static final Set<String> AGENT_OPTIONS = Set.of("enabled", "endpoint", "override-endpoints", "default-region",
      "log-retries");
  /** The agent options the interceptors (beside the SDK) read too. */
  private static final List<String> INTERCEPTOR_OPTIONS = List.of("override-endpoints", "default-region",
      "log-retries");
  /** The credentials the agent gives clients that have none, when no {@code credentials} option names others. */
  private static final String SUPPLIED_CREDENTIALS = "shunt-agent:shunt-agent";

  private AgentCore() {}

  /**
   * @param arguments the agent arguments (strict: the backend refuses a name it does not know)
   * @param setting an option by its one name: agent argument, system property, then environment
   * @param interceptorsJar Shunt's interceptors, to define beside each copy of the SDK
   * @param otelApiJars OpenTelemetry's API jars, to offer an application that runs under the
   *     OpenTelemetry agent without the API (see {@link OtelApi})
   * @param attached whether the agent was attached to a running JVM (clients may exist already)
   * @param hooks installs what the advice in the SDK calls ({@code ShuntHooks}, which this class
   *     loader cannot see)
   */
  public static void start(Map<String, String> arguments, Function<String, String> setting,
      Instrumentation instrumentation, Path interceptorsJar, List<Path> otelApiJars, boolean attached,
      Consumer<BiFunction<String, Object[], Object>> hooks) {
    // The interceptors read shunt.* properties and SHUNT_* variables; agent arguments win over both.
    for (String name : INTERCEPTOR_OPTIONS) {
      String value = arguments.get(name);
      if (value != null) {
        System.setProperty("shunt." + name, value);
      }
    }
    BackendLink backend = backend(arguments, setting);
    Guests guests = new Guests(interceptorsJar, new OtelApi(otelApiJars));
    hooks.accept(new Dispatcher(guests, backend));
    if (!backend.embedded()) {
      // The clients' retry counters, pushed a last time to the backend that outlives this JVM: one
      // hook for every SDK's interceptors (theirs would pin an undeployed web application's classes).
      Runtime.getRuntime().addShutdownHook(new Thread(null, () -> guests.live()
          .forEach(guest -> guest.bridge.apply("exit", new Object[0])), "shunt-client-stats-exit", 0, false));
    }
    // The backend starts (in the background) as a KMS, Secrets Manager or SSM client's classes load,
    // a moment before the client is built. Instrumented classes are kept beside the unpacked agent,
    // whose directory is named after its content. (No lambda on the start-up path: see ShuntAgent.)
    SdkTransformer.install(instrumentation, attached,
        new TransformedClasses(interceptorsJar.resolveSibling("instrumented")), new Runnable() {
          @Override
          public void run() {
            backend.start();
          }
        });
    if (attached && backend.started()) {
      // Attached where such clients' classes are loaded already: clients exist that no build announces.
      backend.clientBuilt();
    }
  }

  /**
   * The backend clients go to: a running one ({@code endpoint}), or one this JVM starts when it is
   * first needed, whose options are checked now so that a mistake disables the agent at once.
   */
  private static BackendLink backend(Map<String, String> arguments, Function<String, String> setting) {
    String credentials = setting.apply("credentials");
    String endpoint = setting.apply("endpoint");
    boolean embedded = endpoint == null || endpoint.isBlank();
    Map<String, String> backendOptions = new LinkedHashMap<>();
    if (embedded) {
      // Only arguments are explicit (an unknown name there is an error); the backend reads its
      // shunt.* properties and SHUNT_* variables itself and ignores names it does not know.
      for (Map.Entry<String, String> argument : arguments.entrySet()) {
        if (!AGENT_OPTIONS.contains(argument.getKey())) {
          backendOptions.put(argument.getKey(), argument.getValue());
        }
      }
      if (setting.apply("port") == null) {
        backendOptions.put("port", "0");
      }
      String auth = setting.apply("auth");
      if ((credentials == null || credentials.isBlank()) && auth != null && auth.trim().equalsIgnoreCase("sigv4")) {
        // The credentials the agent supplies must pass the signature check of its own backend.
        backendOptions.put("credentials", "test:test," + SUPPLIED_CREDENTIALS);
      }
      BackendOptions.check(backendOptions);
    }
    System.setProperty(ShuntClientBuilderHook.CREDENTIALS_PROPERTY, suppliedCredentials(credentials));
    return new BackendLink(embedded ? null : endpoint.trim(), backendOptions);
  }

  /** The first {@code ACCESS_KEY:SECRET} of the {@code credentials} option, else Shunt's own. */
  static String suppliedCredentials(String credentials) {
    if (credentials == null || credentials.isBlank()) {
      return SUPPLIED_CREDENTIALS;
    }
    String[] first = credentials.split(",")[0].trim().split(":");
    return first.length >= 2 ? first[0].trim() + ":" + first[1].trim() : SUPPLIED_CREDENTIALS;
  }
}
