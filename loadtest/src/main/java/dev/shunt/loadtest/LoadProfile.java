package dev.shunt.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendOptions;
import dev.shunt.backend.config.Durations;
import dev.shunt.backend.config.ShuntOptions;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A load test, checked: what to call (SDK operations and their weights, or an application's
 * request), how hard (stages of a rate or a concurrency, each for a duration), where (an embedded
 * backend, a running Shunt, or an application), and where the report goes. From the command line,
 * a profile file (YAML or JSON, the same names as the options), or both (the command line wins).
 * Everything is checked before anything starts or is written: a mistake is an
 * IllegalArgumentException saying what is wrong.
 */
final class LoadProfile {
  /** One stage: a rate (calls per second, open loop) or a concurrency (closed loop), for a duration. */
  record Stage(double rate, int concurrency, Duration duration) {
    String describe() {
      return (rate > 0 ? number(rate) + " calls/s" : concurrency + " concurrent") + " for "
          + number(duration.toMillis() / 1000.0) + " s";
    }
  }

  static final double MAX_RATE = 100_000;
  static final int MAX_CONCURRENCY = 1024;
  static final String DEFAULT_REPORT = "loadtest-report.html";

  /** The options, with what each takes: the usage text and the error for an unknown one list them. */
  static final Map<String, String> OPTIONS = options();

  private static Map<String, String> options() {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("profile", "a YAML or JSON file of these options (and stages:); the command line wins");
    options.put("operation", "what to call, comma-separated, each with an optional weight: kms:Decrypt=3,ssm:GetParameter");
    options.put("rate", "calls per second, scheduled (open loop; latency counts from the scheduled start)");
    options.put("concurrency", "calls in flight, each worker calling again when answered (closed loop)");
    options.put("duration", "how long: 30s (the default), 500ms, 5m");
    options.put("target", "a running Shunt's URL; without it an embedded backend is started, with AWS's quotas");
    options.put("target-app", "an application's URL to load instead, with plain HTTP requests");
    options.put("method", "with --target-app: GET (the default without --body) or POST (with --body), or another");
    options.put("body", "with --target-app: the request body, or @FILE");
    options.put("header", "with --target-app: one header, 'Name: value'");
    options.put("shunt", "with --target-app: the URL of the Shunt the application uses, to read its stats");
    options.put("admin-token", "the Shunt's admin token, if it has one (else SHUNT_ADMIN_TOKEN)");
    options.put("report", "the HTML report to write (" + DEFAULT_REPORT + "); its numbers go beside it as .json");
    options.put("max-attempts", "the SDK's attempts per call, retries included, in standard retry mode (3)");
    options.put("max-in-flight", "open loop: calls in flight at most, then queued; and the HTTP connections (256)");
    options.put("region", "the clients' Region (us-east-1)");
    options.put("credentials", "the clients' access key, AKID:SECRET (test:test)");
    options.put("quotas", "embedded backend: aws (the default), off, or a quota file, as serve takes it");
    options.put("quota-scale", "embedded backend: multiply AWS's quotas, e.g. 0.01");
    options.put("faults", "embedded backend: a fault file, as serve takes it");
    return java.util.Collections.unmodifiableMap(options);
  }

  final List<String> operationNames = new ArrayList<>();
  final List<Integer> weights = new ArrayList<>();
  /** The SDK operations, in the order of {@link #operationNames}; empty with a target application. */
  final List<Operations> sdkOperations = new ArrayList<>();
  final List<Stage> stages = new ArrayList<>();
  URI target;
  URI targetApp;
  String method;
  byte[] body;
  final Map<String, String> headers = new LinkedHashMap<>();
  URI shunt;
  String adminToken;
  Path report;
  Path json;
  int maxAttempts = 3;
  int maxInFlight = 256;
  String region = "us-east-1";
  String accessKey = "test";
  String secretKey = "test";
  /** Options for the embedded backend. */
  final Map<String, String> backendOptions = new LinkedHashMap<>();
  Path profileFile;

  private LoadProfile() {}

  /** The stages' durations added up. */
  Duration duration() {
    return stages.stream().map(Stage::duration).reduce(Duration.ZERO, Duration::plus);
  }

  /** Whether the SDK load goes to an embedded backend. */
  boolean embedded() {
    return target == null && targetApp == null;
  }

  /** The Shunt whose stats tell the server's side: the target, {@code --shunt}, or null (embedded: its own). */
  URI statsUrl() {
    return targetApp != null ? shunt : target;
  }

  /** The options after {@code args[from]}, with a profile file's if one is named; refuses any mistake. */
  static LoadProfile parse(String[] args, int from, Map<String, String> env) {
    Map<String, String> cli = ShuntOptions.parseArguments(args, from);
    for (String name : cli.keySet()) {
      if (!OPTIONS.containsKey(name) && !name.equals("operations") && !name.equals("help")) {
        throw new IllegalArgumentException("loadtest has no option --" + name + "; it takes --"
            + String.join(", --", OPTIONS.keySet()));
      }
    }
    if (cli.containsKey("operations")) {
      if (cli.containsKey("operation")) {
        throw new IllegalArgumentException("--operation is given twice (as --operations too)");
      }
      cli.put("operation", cli.remove("operations"));
    }
    LoadProfile profile = new LoadProfile();
    JsonNode file = null;
    if (cli.containsKey("profile")) {
      profile.profileFile = Path.of(cli.get("profile"));
      file = ShuntOptions.readYaml(cli.get("profile"), "the profile");
      if (!file.isObject()) {
        throw new IllegalArgumentException("the profile " + cli.get("profile") + " must be a map of options");
      }
    }
    Map<String, JsonNode> fromFile = new LinkedHashMap<>();
    if (file != null) {
      Iterator<Map.Entry<String, JsonNode>> fields = file.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        String name = field.getKey().equals("operations") ? "operation" : field.getKey();
        if (!OPTIONS.containsKey(name) && !name.equals("stages") || name.equals("profile")) {
          throw new IllegalArgumentException("the profile " + profile.profileFile + " has no option '"
              + field.getKey() + "'; it takes stages and " + String.join(", ", OPTIONS.keySet()));
        }
        if (fromFile.put(name, field.getValue()) != null) {
          throw new IllegalArgumentException("the profile gives operation twice (as operations too)");
        }
      }
    }
    profile.read(cli, fromFile, env);
    return profile;
  }

  private void read(Map<String, String> cli, Map<String, JsonNode> file, Map<String, String> env) {
    target = url(cli, file, "target");
    targetApp = url(cli, file, "target-app");
    shunt = url(cli, file, "shunt");
    if (target != null && targetApp != null) {
      throw new IllegalArgumentException("give --target (a Shunt) or --target-app (an application), not both");
    }
    if (shunt != null && targetApp == null) {
      throw new IllegalArgumentException("--shunt names the Shunt an application uses, with --target-app; "
          + (target != null ? "with --target the stats are the target's own" : "the embedded backend is its own"));
    }
    adminToken = text(cli, file, "admin-token");
    if (adminToken == null) {
      adminToken = env.get("SHUNT_ADMIN_TOKEN");
    }
    readOperations(cli, file);
    readStages(cli, file);
    readApp(cli, file);
    readReport(cli, file);
    maxAttempts = integer(cli, file, "max-attempts", 3, 1, 10);
    maxInFlight = integer(cli, file, "max-in-flight", 256, 1, 4096);
    String regionText = text(cli, file, "region");
    if (regionText != null) {
      if (!regionText.matches("[a-z]{2}(-[a-z]+)+-\\d+")) {
        throw new IllegalArgumentException("--region takes a Region such as us-east-1, not '" + regionText + "'");
      }
      region = regionText;
    }
    String credentials = text(cli, file, "credentials");
    if (credentials != null) {
      int colon = credentials.indexOf(':');
      if (colon <= 0 || colon == credentials.length() - 1) {
        throw new IllegalArgumentException("--credentials takes ACCESS_KEY_ID:SECRET_ACCESS_KEY");
      }
      accessKey = credentials.substring(0, colon);
      secretKey = credentials.substring(colon + 1);
    }
    for (String name : List.of("quotas", "quota-scale", "faults")) {
      String value = text(cli, file, name);
      if (value == null) {
        continue;
      }
      if (!embedded()) {
        throw new IllegalArgumentException("--" + name + " sets up the embedded backend; a running Shunt takes its "
            + "own (serve --" + name + ", or POST /_shunt/" + (name.equals("faults") ? "faults" : "quotas") + ")");
      }
      backendOptions.put(name, value);
    }
    if (embedded()) {
      Map<String, String> check = new LinkedHashMap<>(backendOptions);
      check.put("port", "0");
      check.put("host", "127.0.0.1");
      check.put("in-memory", "true");
      BackendOptions.check(check);
    }
  }

  private void readOperations(Map<String, String> cli, Map<String, JsonNode> file) {
    Map<String, Integer> weighted = new LinkedHashMap<>();
    String text = cli.get("operation");
    JsonNode node = text == null ? file.get("operation") : null;
    if (text != null) {
      parseOperations(text, weighted);
    } else if (node != null && node.isTextual()) {
      parseOperations(node.asText(), weighted);
    } else if (node != null && node.isArray()) {
      for (JsonNode entry : node) {
        parseOperations(entry.asText(), weighted);
      }
    } else if (node != null && node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        addOperation(field.getKey(), weight(field.getKey(), field.getValue().asText()), weighted);
      }
    } else if (node != null) {
      throw new IllegalArgumentException("operations takes a list of operations, or a map of operation to weight");
    }
    if (targetApp != null) {
      if (!weighted.isEmpty()) {
        throw new IllegalArgumentException("--operation names AWS SDK calls; with --target-app the load is the "
            + "application's own request (--method, --body)");
      }
      return;
    }
    if (weighted.isEmpty()) {
      throw new IllegalArgumentException("give --operation, e.g. --operation kms:Decrypt (one or more of "
          + String.join(", ", Operations.names()) + ")");
    }
    weighted.forEach((name, weight) -> {
      Operations operation = Operations.named(name).orElseThrow();
      operationNames.add(operation.id);
      sdkOperations.add(operation);
      weights.add(weight);
    });
  }

  private static void parseOperations(String list, Map<String, Integer> weighted) {
    for (String entry : list.split(",")) {
      String item = entry.trim();
      if (item.isEmpty()) {
        continue;
      }
      int eq = item.indexOf('=');
      String name = eq < 0 ? item : item.substring(0, eq).trim();
      addOperation(name, eq < 0 ? 1 : weight(name, item.substring(eq + 1).trim()), weighted);
    }
  }

  private static void addOperation(String name, int weight, Map<String, Integer> weighted) {
    Operations operation = Operations.named(name).orElseThrow(() -> new IllegalArgumentException(
        "unknown operation '" + name + "': loadtest calls " + String.join(", ", Operations.names())));
    if (weighted.put(operation.id, weight) != null) {
      throw new IllegalArgumentException("operation " + operation.id + " is named twice");
    }
  }

  private static int weight(String name, String text) {
    try {
      int weight = Integer.parseInt(text);
      if (weight >= 1 && weight <= 100) {
        return weight;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException("the weight of " + name + " must be a whole number from 1 to 100, not '"
        + text + "'");
  }

  private void readStages(Map<String, String> cli, Map<String, JsonNode> file) {
    boolean cliLoad = cli.containsKey("rate") || cli.containsKey("concurrency") || cli.containsKey("duration");
    JsonNode fileStages = file.get("stages");
    if (fileStages != null && !cliLoad) {
      if (file.containsKey("rate") || file.containsKey("concurrency") || file.containsKey("duration")) {
        throw new IllegalArgumentException("the profile gives stages and a rate, concurrency or duration: give one");
      }
      if (!fileStages.isArray() || fileStages.isEmpty() || fileStages.size() > 100) {
        throw new IllegalArgumentException("stages takes a list of 1 to 100 stages, each {rate: R} or "
            + "{concurrency: C} with a duration");
      }
      int number = 0;
      for (JsonNode stage : fileStages) {
        number++;
        if (!stage.isObject()) {
          throw new IllegalArgumentException("stage " + number + " must be {rate: R, duration: D} or "
              + "{concurrency: C, duration: D}");
        }
        Map<String, String> values = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = stage.fields();
        while (fields.hasNext()) {
          Map.Entry<String, JsonNode> field = fields.next();
          if (!Set.of("rate", "concurrency", "duration").contains(field.getKey())) {
            throw new IllegalArgumentException("stage " + number + " has '" + field.getKey()
                + "'; a stage takes rate or concurrency, and duration");
          }
          values.put(field.getKey(), field.getValue().asText());
        }
        stages.add(stage(values.get("rate"), values.get("concurrency"), values.get("duration"), "stage " + number
            + ": "));
      }
    } else {
      String rate = text(cli, file, "rate");
      String concurrency = text(cli, file, "concurrency");
      // A rate on the command line replaces the profile's concurrency, and the other way round.
      if (cli.containsKey("rate") && !cli.containsKey("concurrency")) {
        concurrency = null;
      } else if (cli.containsKey("concurrency") && !cli.containsKey("rate")) {
        rate = null;
      }
      stages.add(stage(rate, concurrency, text(cli, file, "duration"), ""));
    }
    if (duration().compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("a load test lasts at most 24 hours");
    }
  }

  private static Stage stage(String rate, String concurrency, String duration, String where) {
    if (rate != null && concurrency != null) {
      throw new IllegalArgumentException(where + "give --rate (calls per second) or --concurrency (calls in flight),"
          + " not both");
    }
    if (rate == null && concurrency == null) {
      throw new IllegalArgumentException(where + "give --rate R (calls per second, open loop) or --concurrency C "
          + "(calls in flight, closed loop)");
    }
    Duration length = Durations.parse("duration", duration == null ? "30s" : duration);
    if (length.toMillis() < 1000) {
      throw new IllegalArgumentException(where + "duration must be at least 1s, not '" + duration + "'");
    }
    if (rate != null) {
      double value;
      try {
        value = new BigDecimal(rate.trim()).doubleValue();
      } catch (NumberFormatException e) {
        value = -1;
      }
      if (!(value > 0) || value > MAX_RATE) {
        throw new IllegalArgumentException(where + "rate must be a number of calls per second above 0 and at most "
            + number(MAX_RATE) + ", not '" + rate + "'");
      }
      return new Stage(value, 0, length);
    }
    int value;
    try {
      value = Integer.parseInt(concurrency.trim());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 1 || value > MAX_CONCURRENCY) {
      throw new IllegalArgumentException(where + "concurrency must be a whole number from 1 to " + MAX_CONCURRENCY
          + ", not '" + concurrency + "'");
    }
    return new Stage(0, value, length);
  }

  private void readApp(Map<String, String> cli, Map<String, JsonNode> file) {
    String bodyText = text(cli, file, "body");
    String methodText = text(cli, file, "method");
    String header = cli.get("header");
    JsonNode headerNode = header == null ? file.get("header") : null;
    if (targetApp == null) {
      if (bodyText != null || methodText != null || header != null || headerNode != null) {
        throw new IllegalArgumentException("--method, --body and --header shape the request of --target-app");
      }
      return;
    }
    if (bodyText != null) {
      if (bodyText.startsWith("@")) {
        try {
          body = Files.readAllBytes(Path.of(bodyText.substring(1)));
        } catch (IOException | java.nio.file.InvalidPathException e) {
          throw new IllegalArgumentException("--body " + bodyText + ": cannot read " + bodyText.substring(1));
        }
      } else {
        body = bodyText.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    method = methodText == null ? (body == null ? "GET" : "POST") : methodText.trim().toUpperCase(Locale.ROOT);
    if (!method.matches("[A-Z]{1,20}")) {
      throw new IllegalArgumentException("--method takes an HTTP method such as GET or POST, not '" + methodText + "'");
    }
    if (header != null) {
      addHeader(header);
    } else if (headerNode != null && headerNode.isObject()) {
      headerNode.fields().forEachRemaining(field -> addHeader(field.getKey() + ": " + field.getValue().asText()));
    } else if (headerNode != null) {
      addHeader(headerNode.asText());
    }
    String path = targetApp.getRawPath() == null || targetApp.getRawPath().isEmpty() ? "/" : targetApp.getRawPath();
    operationNames.add(method + " " + path);
    weights.add(1);
  }

  private void addHeader(String header) {
    int colon = header.indexOf(':');
    String name = colon <= 0 ? "" : header.substring(0, colon).trim();
    if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
      throw new IllegalArgumentException("--header takes 'Name: value', not '" + header + "'");
    }
    headers.put(name, header.substring(colon + 1).trim());
  }

  private void readReport(Map<String, String> cli, Map<String, JsonNode> file) {
    String text = text(cli, file, "report");
    Path path = Path.of(text == null ? DEFAULT_REPORT : text).toAbsolutePath().normalize();
    if (Files.isDirectory(path)) {
      throw new IllegalArgumentException("--report " + text + " is a directory; name the HTML file to write");
    }
    Path directory = path.getParent();
    if (directory == null || !Files.isDirectory(directory)) {
      throw new IllegalArgumentException("--report " + (text == null ? DEFAULT_REPORT : text) + ": the directory "
          + directory + " does not exist");
    }
    String name = path.getFileName().toString();
    String lower = name.toLowerCase(Locale.ROOT);
    String stem = lower.endsWith(".html") ? name.substring(0, name.length() - 5)
        : lower.endsWith(".htm") ? name.substring(0, name.length() - 4) : name;
    report = path;
    json = directory.resolve(stem + ".json");
    if (json.equals(report)) {
      throw new IllegalArgumentException("--report must not end with .json: its numbers are written there");
    }
  }

  private static URI url(Map<String, String> cli, Map<String, JsonNode> file, String name) {
    String text = text(cli, file, name);
    if (text == null) {
      return null;
    }
    try {
      URI uri = new URI(text.trim());
      if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
        return uri;
      }
    } catch (URISyntaxException e) {
      // refused below
    }
    throw new IllegalArgumentException("--" + name + " takes an http(s) URL such as http://127.0.0.1:4566, not '"
        + text + "'");
  }

  private static int integer(Map<String, String> cli, Map<String, JsonNode> file, String name, int otherwise,
      int min, int max) {
    String text = text(cli, file, name);
    if (text == null) {
      return otherwise;
    }
    try {
      int value = Integer.parseInt(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new IllegalArgumentException("--" + name + " takes a whole number from " + min + " to " + max + ", not '"
        + text + "'");
  }

  /** An option's text: the command line's, else the profile's (a scalar), else null. */
  private static String text(Map<String, String> cli, Map<String, JsonNode> file, String name) {
    String value = cli.get(name);
    if (value != null) {
      return value;
    }
    JsonNode node = file.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isValueNode()) {
      throw new IllegalArgumentException("the profile's " + name + " must be a single value");
    }
    return node.asText();
  }

  static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
        : BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  /** The options, one a line, for the usage text. */
  static String usage() {
    StringBuilder text = new StringBuilder();
    OPTIONS.forEach((name, what) -> text.append(String.format(Locale.ROOT, "  --%-14s %s%n", name, what)));
    return text.toString();
  }
}
