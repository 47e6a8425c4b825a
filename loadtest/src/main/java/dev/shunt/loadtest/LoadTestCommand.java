package dev.shunt.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.ShuntBackend;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * {@code loadtest}: runs a load profile and writes the report (HTML, and its numbers as JSON).
 * Exit status 0 when the report was written (whatever the load met: throttles and errors are what
 * it is for), 1 when the run could not be made or written (the target cannot be set up, the
 * report cannot be written), 2 for a mistake in the options (then nothing is started or written).
 */
public final class LoadTestCommand {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Progress on the console every this many seconds. */
  private static final int PROGRESS_SECONDS = 5;
  /** The server's stats are read this often while the run lasts, so that a long run is whole. */
  private static final int POLL_SECONDS = 60;
  /** Calls of each operation made, and not counted, before the run (set-up's quotas allow them: one burst). */
  private static final int WARM_UP_CALLS = 3;

  private final PrintStream out;
  private final PrintStream err;
  private final Map<String, String> env;

  LoadTestCommand(PrintStream out, PrintStream err, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.env = env;
  }

  /** Runs {@code loadtest} with the options after {@code args[from]}; returns the exit status. */
  public static int run(String[] args, int from, PrintStream out, PrintStream err, Map<String, String> env) {
    return new LoadTestCommand(out, err, env).run(args, from);
  }

  int run(String[] args, int from) {
    for (int i = from; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.print(usage());
        return 0;
      }
    }
    LoadProfile profile;
    try {
      profile = LoadProfile.parse(args, from, env);
    } catch (IllegalArgumentException e) {
      err.println("shunt loadtest: " + e.getMessage());
      err.println("(java -jar shunt-loadtest.jar loadtest --help lists the options)");
      return 2;
    }
    try {
      return run(profile);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("shunt loadtest: interrupted");
      return 1;
    }
  }

  private int run(LoadProfile profile) throws InterruptedException {
    ShuntBackend backend = null;
    LoadTarget target = null;
    try {
      URI endpoint = profile.target;
      if (profile.embedded()) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("port", "0");
        options.put("host", "127.0.0.1");
        options.put("in-memory", "true");
        options.putAll(profile.backendOptions);
        try {
          backend = ShuntBackend.builder().options(options).start();
        } catch (RuntimeException e) {
          err.println("shunt loadtest: cannot start the embedded backend: " + e.getMessage());
          return 1;
        }
        endpoint = backend.uri();
      }
      RunClock clock = new RunClock();
      LoadStats stats = new LoadStats(profile.operationNames);
      if (profile.targetApp != null) {
        target = new AppTarget(profile.targetApp, profile.method, profile.body, profile.headers, stats, clock);
      } else {
        SdkTarget sdk = new SdkTarget(endpoint, profile.region, profile.accessKey, profile.secretKey,
            profile.maxAttempts, profile.maxInFlight, profile.sdkOperations, stats, clock);
        target = sdk;
        try {
          sdk.setUp();
          sdk.warmUp(WARM_UP_CALLS);
        } catch (SdkException e) {
          err.println("shunt loadtest: cannot set up what the operations read at " + endpoint + ": "
              + SdkTarget.errorCode(e) + ": " + e.getMessage());
          return 1;
        }
      }
      URI statsUrl = profile.embedded() ? backend.uri() : profile.statsUrl();
      ServerStats server = statsUrl == null ? null : new ServerStats(statsUrl, profile.adminToken);
      if (server != null) {
        server.before();
        if (!server.poll(1)) {
          // The report says what is missing too; the run goes on.
          err.println("shunt loadtest: " + (server.problem() != null ? server.problem()
              : statsUrl + " has no /_shunt/stats; the report has its totals only (from /_shunt/quotas)"));
        }
      }
      out.println("shunt loadtest: " + String.join(", ", profile.operationNames) + " against "
          + describeTarget(profile, endpoint) + ", " + String.join(", then ",
          profile.stages.stream().map(LoadProfile.Stage::describe).toList()));
      if (statsUrl != null) {
        // The same numbers, live, while the run lasts (the embedded backend stops with it).
        out.println("shunt loadtest: watch it live on Shunt's dashboard, " + statsUrl.resolve("/_shunt/")
            + (profile.adminToken != null ? "#token=(its admin token)" : ""));
      }
      long now = clock.nowMillis();
      // Seconds line up with the server's: the run starts on a whole second, after the set-up's.
      long start = (now / 1000 + 1) * 1000;
      if (start - now < 200) {
        start += 1000;
      }
      LoadRunner runner = new LoadRunner(profile.stages, profile.weights, target, stats, clock,
          profile.maxInFlight, out);
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "shunt-load-ticker");
        thread.setDaemon(true);
        return thread;
      });
      long firstSecond = start / 1000;
      ticker.scheduleAtFixedRate(() -> tick(clock, stats, runner, server, firstSecond),
          start + 1000 - clock.nowMillis(), 1000, TimeUnit.MILLISECONDS);
      LoadRunner.Result result;
      try {
        result = runner.run(start);
      } finally {
        ticker.shutdownNow();
        ticker.awaitTermination(5, TimeUnit.SECONDS);
      }
      long lastSecond = Math.max(firstSecond, (result.lastCallEndMillis() - 1) / 1000);
      stats.seal(Long.MAX_VALUE);
      ObjectNode serverPart;
      if (server != null) {
        // The server's last second is whole once its clock has passed it.
        LoadRunner.sleepUntil(clock.nanosAt((lastSecond + 1) * 1000 + 150));
        server.poll((int) Math.min(ServerStats.MAX_WINDOW_SECONDS, clock.nowMillis() / 1000 - firstSecond + 2));
        Set<String> operations = profile.targetApp != null ? null : new LinkedHashSet<>(profile.operationNames);
        serverPart = server.result(firstSecond, lastSecond, operations);
      } else {
        serverPart = JsonNodeFactory.instance.objectNode().put("source", "none")
            .put("note", "the application's Shunt was not named (--shunt URL): only the client's side is shown");
        serverPart.putObject("quotas");
        serverPart.putArray("seconds");
        serverPart.putObject("totals");
      }
      ObjectNode report = report(profile, describeTarget(profile, endpoint), stats, result, firstSecond, lastSecond,
          serverPart);
      try {
        write(profile.json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        write(profile.report, HtmlReport.render(report));
      } catch (IOException e) {
        err.println("shunt loadtest: cannot write the report: " + e.getMessage());
        return 1;
      }
      printSummary(report);
      out.println("shunt loadtest: wrote " + profile.report + " and " + profile.json);
      return 0;
    } finally {
      if (target != null) {
        target.close();
      }
      if (backend != null) {
        backend.close();
      }
    }
  }

  private void tick(RunClock clock, LoadStats stats, LoadRunner runner, ServerStats server, long firstSecond) {
    try {
      long second = clock.nowMillis() / 1000;
      // Calls are counted in the second they end: a second is whole once the clock has left it.
      stats.seal(second - 1);
      long elapsed = second - firstSecond;
      if (elapsed > 0 && elapsed % PROGRESS_SECONDS == 0) {
        runner.report(second - 1);
      }
      if (server != null && elapsed > 0 && elapsed % POLL_SECONDS == 0) {
        server.poll(POLL_SECONDS * 2);
      }
    } catch (RuntimeException e) {
      // Progress is a courtesy: the run goes on.
    }
  }

  private static String describeTarget(LoadProfile profile, URI endpoint) {
    if (profile.targetApp != null) {
      return profile.targetApp.toString();
    }
    return profile.embedded() ? "an embedded Shunt (" + endpoint + ")" : endpoint.toString();
  }

  /** The report's JSON: the run, the client's numbers, the server's. */
  static ObjectNode report(LoadProfile profile, String target, LoadStats stats, LoadRunner.Result result,
      long firstSecond, long lastSecond, ObjectNode server) {
    ObjectNode report = JsonNodeFactory.instance.objectNode();
    report.put("tool", "shunt loadtest").put("version", version());
    ObjectNode run = report.putObject("run");
    run.put("target", target).put("targetKind", profile.targetApp != null ? "application"
        : profile.embedded() ? "embedded" : "shunt");
    run.put("start", firstSecond).put("end", lastSecond)
        .put("startedAt", Instant.ofEpochMilli(result.startMillis()).toString())
        .put("durationSeconds", profile.duration().toMillis() / 1000.0)
        .put("elapsedSeconds", (result.lastCallEndMillis() - result.startMillis()) / 1000.0);
    ArrayNode operations = run.putArray("operations");
    for (int i = 0; i < profile.operationNames.size(); i++) {
      operations.addObject().put("name", profile.operationNames.get(i)).put("weight", profile.weights.get(i));
    }
    ArrayNode stages = run.putArray("stages");
    boolean openLoop = true;
    for (LoadProfile.Stage stage : profile.stages) {
      ObjectNode node = stages.addObject();
      if (stage.rate() > 0) {
        node.put("rate", stage.rate());
      } else {
        node.put("concurrency", stage.concurrency());
        openLoop = false;
      }
      node.put("durationSeconds", stage.duration().toMillis() / 1000.0);
    }
    run.put("openLoop", openLoop);
    if (profile.targetApp == null) {
      run.put("retryMode", "standard").put("maxAttempts", profile.maxAttempts).put("region", profile.region);
    } else {
      run.put("method", profile.method);
    }
    run.put("maxInFlight", profile.maxInFlight).put("unfinished", result.unfinished());
    if (!profile.backendOptions.isEmpty()) {
      ObjectNode options = run.putObject("backendOptions");
      profile.backendOptions.forEach(options::put);
    }
    run.put("report", profile.report.getFileName().toString()).put("json", profile.json.getFileName().toString());
    report.putObject("units").put("counts", "per second, or for the run in totals")
        .put("latency", "microseconds").put("backoff", "microseconds");
    ObjectNode client = report.putObject("client");
    double seconds = Math.max(1e-3, (result.stagesEndMillis() - result.startMillis()) / 1000.0);
    client.set("totals", stats.totals(seconds));
    ArrayNode clientSeconds = client.putArray("seconds");
    stats.seconds(firstSecond, lastSecond).forEach(clientSeconds::add);
    report.set("server", server);
    return report;
  }

  private void printSummary(ObjectNode report) {
    ObjectNode totals = (ObjectNode) report.path("client").path("totals");
    totals.fields().forEachRemaining(entry -> {
      var c = entry.getValue();
      var s = report.path("server").path("totals").path(entry.getKey());
      var latency = c.path("latency");
      out.println(String.format(Locale.ROOT, "  %s: offered %d (%.1f/s), accepted %d (%.1f/s), throttled %d, "
              + "retries %d, errors %d; latency p50 %s p99 %s ms%s", entry.getKey(), c.path("offered").asLong(),
          c.path("offeredPerSecond").asDouble(), c.path("accepted").asLong(), c.path("acceptedPerSecond").asDouble(),
          c.path("throttled").asLong(), c.path("retries").asLong(), c.path("errors").asLong(),
          millis(latency.path("p50")), millis(latency.path("p99")),
          s.isMissingNode() ? "" : "; server accepted " + s.path("accepted").asLong() + ", throttled "
              + s.path("throttled").asLong()));
    });
  }

  private static String millis(com.fasterxml.jackson.databind.JsonNode micros) {
    return micros.isNumber() ? SvgChart.format(micros.asDouble() / 1000) : "-";
  }

  /** Writes beside the file and moves it in place: a reader never sees half a report. */
  private static void write(Path file, String text) throws IOException {
    Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(temporary, text, StandardCharsets.UTF_8);
    try {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The jar's version (its manifest's), or dev when run from classes. */
  static String version() {
    String version = LoadTestCommand.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  static String usage() {
    return "Usage: java -jar shunt-loadtest.jar loadtest --operation OP[,OP...] (--rate R | --concurrency C)"
        + " [--duration 30s] [options]\n"
        + "       java -jar shunt-loadtest.jar loadtest --profile FILE [options]\n"
        + "       java -jar shunt-loadtest.jar loadtest --target-app URL [--method M] [--body TEXT|@FILE]"
        + " [--shunt URL] (--rate R | --concurrency C)\n\n"
        + "Runs a load with the AWS SDK for Java v2 (standard retry mode) against an embedded Shunt (AWS's quotas),\n"
        + "a running one (--target), or an application (--target-app), and writes a self-contained HTML report of\n"
        + "what the client saw and what Shunt counted (GET /_shunt/stats), with its numbers as JSON beside it.\n\n"
        + "Operations: " + String.join(", ", Operations.names()) + "\n\nOptions:\n" + LoadProfile.usage();
  }
}
