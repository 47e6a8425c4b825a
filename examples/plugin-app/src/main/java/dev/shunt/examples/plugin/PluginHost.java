package dev.shunt.examples.plugin;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A plugin host: {@code java -jar plugin-app.jar [--plugins DIR] [--entry CLASS] [ARGS...]}. It
 * loads the plugin from every jar in DIR (by default plugin-lib beside this jar) with a class loader
 * of its own whose parent is the platform class loader, so the plugin sees the JDK and its own jars
 * and nothing of the host, as in real plugin systems. The entry class is a {@code
 * Function<String[], Integer>} (a JDK type: host and plugin share no API jar); it gets the other
 * arguments, runs with the plugin's class loader as the thread's context class loader, and its
 * result is the exit status.
 */
public final class PluginHost {
  /** The plugin of plugin-lib: the AwsChecks protocol (APP ready, --wait, the CHECK lines). */
  static final String DEFAULT_ENTRY = "dev.shunt.examples.plugin.checks.ChecksPlugin";

  private PluginHost() {}

  public static void main(String[] args) throws Exception {
    Path directory = null;
    String entry = DEFAULT_ENTRY;
    List<String> pluginArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--plugins") && i + 1 < args.length) {
        directory = Path.of(args[++i]);
      } else if (args[i].equals("--entry") && i + 1 < args.length) {
        entry = args[++i];
      } else {
        pluginArgs.add(args[i]);
      }
    }
    if (directory == null) {
      directory = besideThisJar("plugin-lib");
    }
    URL[] jars = jars(directory);
    if (jars.length == 0) {
      System.err.println("no plugin jars in " + directory.toAbsolutePath());
      System.exit(2);
    }

    int status;
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader("plugins", jars, ClassLoader.getPlatformClassLoader())) {
      thread.setContextClassLoader(loader);
      @SuppressWarnings("unchecked")
      Function<String[], Integer> plugin = (Function<String[], Integer>) Class.forName(entry, true, loader)
          .getConstructor().newInstance();
      status = plugin.apply(pluginArgs.toArray(String[]::new));
    } finally {
      thread.setContextClassLoader(previous);
    }
    if (status != 0) {
      System.exit(status);
    }
  }

  private static Path besideThisJar(String name) throws URISyntaxException {
    Path location = Path.of(PluginHost.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return location.resolveSibling(name);
  }

  /** Every jar in the directory, in name order (so the class path is the same on every run). */
  private static URL[] jars(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return new URL[0];
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(file -> file.getFileName().toString().endsWith(".jar")).sorted().map(file -> {
        try {
          return file.toUri().toURL();
        } catch (MalformedURLException e) {
          throw new IllegalArgumentException(file.toString(), e);
        }
      }).toArray(URL[]::new);
    }
  }
}
