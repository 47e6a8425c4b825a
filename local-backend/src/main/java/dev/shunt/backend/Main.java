package dev.shunt.backend;

import dev.shunt.backend.config.ShuntOptions;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar shunt-backend.jar serve [--option value...]}: runs the backend until stopped. */
public final class Main {
  /** The status of a process halted because closing outlasted {@link FatalErrors#EXIT_GRACE}: 128 + SIGTERM. */
  private static final int HALTED_ON_SHUTDOWN = 143;

  private Main() {}

  public static void main(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      usage();
      return;
    }
    if (args[0].equals("version") || args[0].equals("--version")) {
      System.out.println("Shunt " + ShuntBackend.version());
      return;
    }
    if (!args[0].equals("serve")) {
      System.err.println("Unknown command '" + args[0] + "'");
      usage();
      System.exit(2);
    }
    ShuntBackend backend;
    OpenTelemetrySdk telemetry = null;
    try {
      Map<String, String> options = ShuntOptions.parseArguments(args, 1);
      if (options.containsKey("help")) {
        usage();
        return;
      }
      telemetry = StandaloneTelemetry.fromEnvironment(System.getenv());
      backend = ShuntBackend.builder().options(options).openTelemetry(telemetry)
          .onFatalError(FatalErrors.Policy.EXIT_PROCESS).start();
    } catch (IllegalArgumentException e) {
      System.err.println("shunt: " + e.getMessage());
      System.exit(2);
      return;
    } catch (RuntimeException e) {
      Throwable cause = e.getCause();
      System.err.println("shunt: cannot start: " + e.getMessage() + (cause == null ? "" : ": " + cause.getMessage()));
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    OpenTelemetrySdk exporting = telemetry;
    Thread watchdog = FatalErrors.haltAfter(FatalErrors.EXIT_GRACE, HALTED_ON_SHUTDOWN, "shunt-shutdown-watchdog");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // SIGTERM always ends the process, whatever closing would wait for.
      watchdog.start();
      backend.close();
      if (exporting != null) {
        exporting.close();
      }
      stopped.countDown();
    }, "shunt-shutdown"));
    System.out.println("Shunt listening on " + backend.listeningOn()
        + (backend.listeningOn().equals(backend.uri()) ? "" : " (from this machine: " + backend.uri() + ")"));
    if (!BackendOptions.bindsLoopback(backend.options().get(ShuntOptions.Option.HOST))) {
      System.out.println("Shunt is reachable beyond this machine: every request's signature is checked,"
          + " and /_shunt/* needs the admin token");
    }
    backend.generatedAdminToken().ifPresent(token -> System.out.println("Admin token (for /_shunt/*, as "
        + "Authorization: Bearer TOKEN; shown once): " + token));
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void usage() {
    System.out.println("Usage: java -jar shunt-backend.jar serve [options]\n\nOptions:\n" + ShuntOptions.usage());
  }
}
