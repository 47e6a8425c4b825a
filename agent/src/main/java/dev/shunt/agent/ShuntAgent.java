package dev.shunt.agent;

import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The agent's entry points: {@code premain} ({@code -javaagent:shunt-agent.jar[=options]}),
 * {@code agentmain} (attached to a running JVM), and {@code main}
 * ({@code java -jar shunt-agent.jar attach PID [options]}). These classes (and {@link ShuntHooks},
 * which the advice in the AWS SDK calls) are the only ones of Shunt's on the application's class
 * path. The agent core (Byte Buddy, the backend and their libraries) runs in a class loader of its
 * own; the interceptors are defined beside each copy of the SDK, in a child of the class loader that
 * holds it. Whatever fails, the application runs on as if the agent were absent, after one line on
 * stderr.
 */
public final class ShuntAgent {
  /** Set in a JVM where the agent runs: {@code attach} refuses to load it a second time. */
  static final String RUNNING_PROPERTY = "shunt.agent";
  private static boolean started;

  private ShuntAgent() {}

  public static void premain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation, false);
  }

  public static void agentmain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation, true);
  }

  /** {@code attach PID [name=value,...]}: loads this agent into another running JVM. */
  public static void main(String[] args) {
    if (args.length < 2 || args.length > 3 || !args[0].equals("attach")) {
      System.err.println("Usage: java -jar shunt-agent.jar attach PID [option=value,...]");
      System.exit(2);
      return;
    }
    System.exit(Attach.attach(args[1], args.length > 2 ? args[2] : ""));
  }

  private static synchronized void start(String arguments, Instrumentation instrumentation, boolean attached) {
    if (started) {
      return;
    }
    try {
      Map<String, String> options = arguments(arguments);
      if ("false".equalsIgnoreCase(setting(options, "enabled"))) {
        return;
      }
      started = true;
      System.setProperty(RUNNING_PROPERTY, version());
      Path dir = NestedJars.unpack(agentJar());
      URLClassLoader core = new URLClassLoader("shunt-agent", new URL[] {dir.resolve("agent-core.jar").toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> agentCore = core.loadClass("dev.shunt.agent.core.AgentCore");
      agentCore.getMethod("start", Map.class, Function.class, Instrumentation.class, Path.class, List.class,
          boolean.class, Consumer.class).invoke(null, options, new Setting(options), instrumentation,
          dir.resolve("sdk-interceptors.jar"), List.of(dir.resolve("opentelemetry-api.jar"),
              dir.resolve("opentelemetry-context.jar"), dir.resolve("opentelemetry-common.jar")), attached,
          new HookInstaller());
    } catch (Throwable e) {
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null
          ? e.getCause() : e;
      System.clearProperty(RUNNING_PROPERTY);
      System.err.println("[shunt] agent disabled, the application runs without Shunt: " + cause);
    }
  }

  /** This agent's jar. */
  static Path agentJar() throws java.net.URISyntaxException {
    return Path.of(ShuntAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  static String version() {
    String version = ShuntAgent.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /**
   * The agent arguments ({@code quotas=aws,auth=trust}). System properties ({@code -Dshunt.quotas})
   * and the environment ({@code SHUNT_QUOTAS}) are read where each option is used, so that an
   * unknown name there (another tool's {@code SHUNT_} variable) is ignored rather than fatal.
   */
  static Map<String, String> arguments(String arguments) {
    Map<String, String> options = new LinkedHashMap<>();
    if (arguments != null && !arguments.isBlank()) {
      for (String pair : arguments.split(",")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          options.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        } else if (!pair.isBlank()) {
          options.put(pair.trim(), "true");
        }
      }
    }
    return options;
  }

  /** An option by its one name: agent argument, then system property, then environment. */
  private static String setting(Map<String, String> arguments, String name) {
    String value = arguments.get(name);
    if (value == null) {
      value = System.getProperty("shunt." + name);
    }
    if (value == null) {
      value = System.getenv("SHUNT_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
    return value;
  }

  // Classes, not lambdas: the first lambda a JVM meets costs it milliseconds of bootstrap, and a
  // trivial application meets none of its own.

  /** An option by its one name (see {@link #setting}). */
  private static final class Setting implements Function<String, String> {
    private final Map<String, String> arguments;

    Setting(Map<String, String> arguments) {
      this.arguments = arguments;
    }

    @Override
    public String apply(String name) {
      return setting(arguments, name);
    }
  }

  /** Gives the agent core's hooks to {@link ShuntHooks}, which its class loader cannot see. */
  private static final class HookInstaller implements Consumer<BiFunction<String, Object[], Object>> {
    @Override
    public void accept(BiFunction<String, Object[], Object> hooks) {
      ShuntHooks.install(hooks);
    }
  }

  /** {@code attach}: the attach API's failures become one clear line and an exit status. */
  static final class Attach {
    private Attach() {}

    static int attach(String pid, String options) {
      try {
        String jar = agentJar().toString();
        com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(pid);
        try {
          Properties properties = vm.getSystemProperties();
          String running = properties.getProperty(RUNNING_PROPERTY);
          if (running != null) {
            System.err.println("[shunt] process " + pid + " already runs Shunt's agent (" + running
                + "); nothing was attached");
            return 1;
          }
          vm.loadAgent(jar, options);
        } finally {
          vm.detach();
        }
      } catch (com.sun.tools.attach.AttachNotSupportedException | java.io.IOException e) {
        System.err.println("[shunt] cannot attach to process " + pid + ": " + reason(e)
            + " (is it a running Java process of this user, started with this JDK's attach mechanism enabled?)");
        return 1;
      } catch (com.sun.tools.attach.AgentLoadException | com.sun.tools.attach.AgentInitializationException e) {
        System.err.println("[shunt] process " + pid + " could not load the agent: " + reason(e));
        return 1;
      } catch (java.net.URISyntaxException | RuntimeException e) {
        System.err.println("[shunt] cannot attach to process " + pid + ": " + reason(e));
        return 1;
      } catch (LinkageError e) {
        System.err.println("[shunt] attach needs a JDK with the jdk.attach module: " + reason(e));
        return 1;
      }
      System.out.println("Shunt agent attached to " + pid);
      return 0;
    }

    private static String reason(Throwable e) {
      String message = e.getMessage();
      return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
  }
}
