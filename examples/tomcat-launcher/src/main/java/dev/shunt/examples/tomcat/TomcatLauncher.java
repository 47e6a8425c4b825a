package dev.shunt.examples.tomcat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * A servlet container in one jar: {@code java -jar tomcat-launcher.jar --war PATH [--foreign URL]
 * [--wait]}. It starts embedded Tomcat on a free port, deploys the WAR as a real web application
 * (expanded, its WEB-INF/lib loaded by Tomcat's web application class loader), prints {@code APP
 * ready} and, with {@code --wait}, waits for a line on stdin (as AwsChecks.ready does: app-checks
 * needs the AWS SDK, which must not be on this class path). Then it asks the WAR's {@code /checks}
 * over HTTP, prints the lines of the answer, stops Tomcat and exits.
 */
public final class TomcatLauncher {
  /** Held here: java.util.logging keeps loggers weakly, and a collected one forgets its level. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  private TomcatLauncher() {}

  public static void main(String[] args) throws Exception {
    Path war = null;
    String foreign = null;
    boolean waitForGo = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--war") && i + 1 < args.length) {
        war = Path.of(args[++i]).toAbsolutePath();
      } else if (args[i].equals("--foreign") && i + 1 < args.length) {
        foreign = args[++i];
      } else if (args[i].equals("--wait")) {
        waitForGo = true;
      }
    }
    if (war == null || !Files.isRegularFile(war)) {
      System.err.println("usage: java -jar tomcat-launcher.jar --war PATH [--foreign URL] [--wait]"
          + (war == null ? "" : " (no file " + war + ")"));
      System.exit(2);
    }
    // Tomcat's start-up lines go to stderr through java.util.logging; only its warnings are kept.
    TOMCAT_LOG.setLevel(Level.WARNING);

    // Tomcat's base directory (work/, the expanded WAR, its temp files) is a temporary one: nothing
    // is left in the directory it was started from.
    Path base = Files.createTempDirectory("tomcat-launcher-");
    Tomcat tomcat = new Tomcat();
    int exit;
    try {
      tomcat.setBaseDir(base.toString());
      tomcat.setPort(0);
      tomcat.getConnector();
      // Tomcat's built-in defaults would add a JSP servlet, and Jasper is not here: the WAR's own
      // web.xml is all the application has.
      tomcat.setAddDefaultWebXmlToWebapp(false);
      Files.createDirectories(base.resolve("webapps"));
      Context context = tomcat.addWebapp("", war.toString());
      // A servlet that cannot start (its SDK clients cannot be built) fails the application, at once,
      // with Tomcat's report of why on stderr, rather than a 500 at the first request.
      ((StandardContext) context).setFailCtxIfServletStartFails(true);
      // The launcher's own jar holds no web fragments; the WAR's jars are still Tomcat's to open.
      StandardJarScanner scanner = new StandardJarScanner();
      scanner.setScanClassPath(false);
      context.setJarScanner(scanner);
      tomcat.start();
      if (context.getState() != LifecycleState.STARTED) {
        System.err.println("the web application " + war + " did not start: " + context.getState());
        exit = 1;
      } else {
        ready(waitForGo);
        exit = printChecks(tomcat.getConnector().getLocalPort(), foreign);
      }
    } finally {
      stop(tomcat);
      delete(base);
    }
    if (exit != 0) {
      System.exit(exit);
    }
  }

  /** The protocol of AwsChecks.ready: "APP ready", then with --wait a line on stdin. */
  private static void ready(boolean waitForGo) throws IOException {
    System.out.println("APP ready");
    System.out.flush();
    if (waitForGo) {
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
  }

  /** GET /checks over HTTP; prints the answer's lines and returns the exit status. */
  private static int printChecks(int port, String foreign) throws IOException {
    String query = foreign == null ? "" : "?foreign=" + URLEncoder.encode(foreign, StandardCharsets.UTF_8);
    HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/checks" + query)
        .toURL().openConnection();
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(120_000);
    try {
      int status = connection.getResponseCode();
      InputStream body = status == 200 ? connection.getInputStream() : connection.getErrorStream();
      String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
      if (status != 200) {
        System.err.println("GET /checks answered " + status + ":\n" + text);
        return 1;
      }
      text.lines().forEach(System.out::println);
      System.out.flush();
      return 0;
    } finally {
      connection.disconnect();
    }
  }

  private static void stop(Tomcat tomcat) {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      System.err.println("stopping Tomcat: " + e);
    }
  }

  private static void delete(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("could not delete " + directory + ": " + e);
    }
  }
}
