package dev.shunt.agent;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The agent's entry points: {@code premain} ({@code -javaagent:shunt-agent.jar[=options]}),
 * {@code agentmain} (attached to a running JVM), and {@code main}
 * ({@code java -jar shunt-agent.jar attach PID [options]}). This is the only class of Shunt's
 * that the application's class loader sees: it unpacks the agent core (Byte Buddy, the backend
 * and their libraries) into a class loader of its own, and appends only the interceptors, which
 * the SDK must see, to the system class path (and OpenTelemetry's API, for the OpenTelemetry agent
 * to bridge, when that agent runs too and the application has none: see {@code OtelApi}).
 * Whatever fails, the application runs on as if the agent were absent, after one line on stderr.
 */
public final class ShuntAgent {
  private static boolean started;

  private ShuntAgent() {}

  public static void premain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation);
  }

  public static void agentmain(String arguments, Instrumentation instrumentation) {
    start(arguments, instrumentation);
  }

  /** {@code attach PID [name=value,...]}: loads this agent into another running JVM. */
  public static void main(String[] args) throws Exception {
    if (args.length < 2 || !args[0].equals("attach")) {
      System.err.println("Usage: java -jar shunt-agent.jar attach PID [option=value,...]");
      System.exit(2);
      return;
    }
    String jar = new File(ShuntAgent.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(args[1]);
    try {
      vm.loadAgent(jar, args.length > 2 ? args[2] : "");
    } finally {
      vm.detach();
    }
    System.out.println("Shunt agent attached to " + args[1]);
  }

  private static synchronized void start(String arguments, Instrumentation instrumentation) {
    if (started) {
      return;
    }
    started = true;
    try {
      Map<String, String> options = arguments(arguments);
      if ("false".equalsIgnoreCase(setting(options, "enabled"))) {
        return;
      }
      Path dir = unpack();
      if (ClassLoader.getSystemClassLoader().getResource("dev/shunt/interceptors/ShuntExecutionInterceptor.class")
          == null) {
        instrumentation.appendToSystemClassLoaderSearch(new JarFile(dir.resolve("sdk-interceptors.jar").toFile()));
      }
      URLClassLoader core = new URLClassLoader("shunt-agent", new URL[] {dir.resolve("agent-core.jar").toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Class<?> agentCore = core.loadClass("dev.shunt.agent.core.AgentCore");
      Function<String, String> setting = name -> setting(options, name);
      agentCore.getMethod("start", Map.class, Function.class, Instrumentation.class, List.class).invoke(null, options,
          setting, instrumentation, List.of(dir.resolve("opentelemetry-api.jar"), dir.resolve("opentelemetry-context.jar"),
              dir.resolve("opentelemetry-common.jar")));
    } catch (Throwable e) {
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException && e.getCause() != null
          ? e.getCause() : e;
      System.err.println("[shunt] agent disabled, the application runs without Shunt: " + cause);
    }
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

  /** Copies the nested jars to a temporary directory that is removed when the JVM exits. */
  private static Path unpack() throws IOException {
    Path dir = Files.createTempDirectory("shunt-agent-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir), "shunt-agent-cleanup"));
    for (String name : new String[] {"agent-core.jar", "sdk-interceptors.jar", "opentelemetry-api.jar",
        "opentelemetry-context.jar", "opentelemetry-common.jar"}) {
      try (InputStream in = ShuntAgent.class.getResourceAsStream("/shunt/" + name)) {
        if (in == null) {
          throw new IOException("shunt/" + name + " is missing from the agent jar");
        }
        Files.copy(in, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return dir;
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }
}
