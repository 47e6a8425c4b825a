package dev.shunt.backend;

import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.store.StoreException;
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
    if (args[0].equals("export")) {
      System.exit(export(args));
      return;
    }
    if (args[0].equals("loadtest")) {
      // The load is made with the AWS SDK's service clients, which the emulator does not carry.
      System.err.println("shunt: loadtest is in its own jar, with the AWS SDK clients it loads Shunt with: "
          + "java -jar shunt-loadtest.jar loadtest --help (built in loadtest/target; docs/loadtest.md)");
      System.exit(2);
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
          .onFatalError(FatalErrors.Policy.EXIT_PROCESS).durableByDefault().start();
    } catch (IllegalArgumentException e) {
      System.err.println("shunt: " + e.getMessage());
      System.exit(2);
      return;
    } catch (StoreException e) {
      System.err.println("shunt: cannot start: " + e.getMessage());
      System.exit(1);
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
    System.out.println("Shunt state: " + backend.stateSummary());
    backend.upstreamSummary().ifPresent(upstream -> System.out.println("Shunt forwards to its upstream: " + upstream
        + " (signed with this machine's AWS credentials)"));
    backend.quotaStoreSummary().ifPresent(quotaStore -> System.out.println("Shunt quotas shared through "
        + quotaStore));
    if (!BackendOptions.bindsLoopback(backend.options().get(ShuntOptions.Option.HOST))) {
      System.out.println("Shunt is reachable beyond this machine: every request's signature is checked,"
          + " and /_shunt/* needs the admin token");
    }
    backend.generatedAdminToken().ifPresent(token -> System.out.println("Admin token (for /_shunt/*, as "
        + "Authorization: Bearer TOKEN; shown once): " + token));
    System.out.println("Shunt dashboard: " + dashboardUrl(backend));
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * {@code export [--data-dir DIR] [--account A] [--region R] [--plaintext] [--output FILE]}: writes
   * the state of a data directory that no running Shunt holds, as a seed file.
   */
  private static int export(String[] args) {
    try {
      Map<String, String> options = new java.util.LinkedHashMap<>(ShuntOptions.parseArguments(args, 1));
      String account = options.remove("account");
      String region = options.remove("region");
      String output = options.remove("output");
      String plaintextFlag = options.remove("plaintext");
      boolean plaintext = plaintextFlag != null && !plaintextFlag.equals("false");
      for (String name : options.keySet()) {
        if (!name.equals("data-dir") && !name.equals("root-key") && !name.equals("root-key-file")) {
          throw new IllegalArgumentException("export takes --data-dir, --root-key, --root-key-file, --account, "
              + "--region, --plaintext and --output, not --" + name);
        }
      }
      options.put("port", "0");
      options.put("host", "127.0.0.1");
      options.put("quotas", "off");
      String json;
      try (ShuntBackend backend = ShuntBackend.builder().options(options).durableByDefault().start()) {
        // Indented: a seed file is read and edited by people.
        json = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
            .writeValueAsString(backend.export(account, region, plaintext));
      }
      if (output == null) {
        System.out.println(json);
      } else {
        java.nio.file.Files.writeString(java.nio.file.Path.of(output), json + "\n");
        System.err.println("shunt: exported to " + output);
      }
      return 0;
    } catch (IllegalArgumentException | StoreException e) {
      System.err.println("shunt: " + e.getMessage());
      return e instanceof StoreException ? 1 : 2;
    } catch (java.io.IOException e) {
      System.err.println("shunt: cannot write the export: " + e.getMessage());
      return 1;
    }
  }

  private static void usage() {
    System.out.println("Usage: java -jar shunt-backend.jar serve [options]\n"
        + "       java -jar shunt-backend.jar export [--data-dir DIR] [--account ID] [--region R] [--plaintext]"
        + " [--output FILE]\n"
        + "       java -jar shunt-loadtest.jar loadtest --operation kms:Decrypt --rate 100 --duration 30s"
        + " (a load test and its report: docs/loadtest.md)\n\nOptions:\n" + ShuntOptions.usage());
  }

  /**
   * The live dashboard's address, and, when the admin API needs a token, where the page takes it: in
   * its URL's fragment, which the browser keeps to itself (the token itself is printed once, above).
   */
  static String dashboardUrl(ShuntBackend backend) {
    String page = backend.uri() + "/_shunt/";
    boolean token = backend.generatedAdminToken().isPresent()
        || backend.options().get(ShuntOptions.Option.ADMIN_TOKEN) != null;
    return token ? page + " (open it as " + page + "#token=ADMIN_TOKEN)" : page;
  }
}
