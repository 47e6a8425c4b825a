package dev.shunt.interceptors;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this JVM's KMS, Secrets Manager and SSM calls went through, per operation: calls,
 * attempts, retries, throttled attempts, give-ups and successes, and the stories of the last 50
 * calls that needed a retry or gave up ({@code KMS.Decrypt: attempt 1 ThrottlingException, waited
 * 412 ms, attempt 2 OK}). Fed by {@link ShuntExecutionInterceptor}; read with {@link #snapshot()}
 * and {@link #recentStories()}.
 *
 * <p>A call that needed retries or gave up is also logged ({@code System.Logger}
 * {@code dev.shunt.interceptors}, INFO; at most a line a second, the rest counted in the next
 * line; off with {@code shunt.log-retries=false}), and a daemon thread pushes the counters to
 * Shunt's {@code POST /_shunt/client-stats} each second they changed (and once at exit), silently.
 */
public final class ShuntClientStats {
  /** The counters of one operation at one moment. */
  public record OperationStats(long calls, long attempts, long retries, long throttles, long giveUps,
      long successes) {}

  static final int RECENT_STORIES = 50;
  static final String LOGGER = "dev.shunt.interceptors";
  /** Set by Shunt's agent in the JVM it runs in (it then pushes the counters at exit itself). */
  static final String AGENT_PROPERTY = "shunt.agent";
  private static final long SECOND_NANOS = 1_000_000_000L;

  /** One operation's counters, found by the SDK's service and operation names without allocating. */
  static final class Operation {
    /** {@code KMS.Decrypt}. */
    final String name;
    /** KMS, SecretsManager or SSM (see {@link #serviceLabel}). */
    final String service;
    final LongAdder calls = new LongAdder();
    final LongAdder attempts = new LongAdder();
    final LongAdder retries = new LongAdder();
    final LongAdder throttles = new LongAdder();
    final LongAdder giveUps = new LongAdder();
    final LongAdder successes = new LongAdder();

    Operation(String service, String operationName) {
      this.name = service + "." + operationName;
      this.service = service;
    }

    OperationStats stats() {
      return new OperationStats(calls.sum(), attempts.sum(), retries.sum(), throttles.sum(), giveUps.sum(),
          successes.sum());
    }

    void reset() {
      calls.reset();
      attempts.reset();
      retries.reset();
      throttles.reset();
      giveUps.reset();
      successes.reset();
    }
  }

  /** SDK service name, then operation name, to counters. */
  private static final ConcurrentHashMap<String, ConcurrentHashMap<String, Operation>> BY_SDK_NAMES =
      new ConcurrentHashMap<>();
  /** Display name ({@code KMS.Decrypt}) to counters: one per name whatever the SDK's spelling. */
  private static final ConcurrentHashMap<String, Operation> BY_NAME = new ConcurrentHashMap<>();
  private static final ArrayDeque<String> RECENT = new ArrayDeque<>(RECENT_STORIES);
  /** Bumped by every recorded call (and reset): the reporter pushes only when it moved. */
  private static final LongAdder CHANGES = new LongAdder();

  private ShuntClientStats() {}

  /** Every operation called so far, by {@code SERVICE.Operation}, in name order. */
  public static Map<String, OperationStats> snapshot() {
    Map<String, OperationStats> snapshot = new TreeMap<>();
    BY_NAME.forEach((name, operation) -> {
      OperationStats stats = operation.stats();
      if (stats.calls() > 0) {
        snapshot.put(name, stats);
      }
    });
    return Collections.unmodifiableMap(snapshot);
  }

  /** The stories of the last (at most 50) calls that needed a retry or gave up, oldest first. */
  public static List<String> recentStories() {
    synchronized (RECENT) {
      return List.copyOf(RECENT);
    }
  }

  /** Forgets every counter and story (for tests, or an application that reports in periods). */
  public static void reset() {
    BY_NAME.values().forEach(Operation::reset);
    synchronized (RECENT) {
      RECENT.clear();
    }
    RetryLog.reset();
    CHANGES.increment();
  }

  /**
   * The counters of a call of the SDK's {@code serviceName} (KMS, Secrets Manager or SSM in any
   * of the SDK's spellings) and {@code operationName}; null for another service.
   */
  static Operation operation(String serviceName, String operationName) {
    if (serviceName == null || operationName == null) {
      return null;
    }
    ConcurrentHashMap<String, Operation> operations = BY_SDK_NAMES.get(serviceName);
    Operation operation = operations == null ? null : operations.get(operationName);
    if (operation != null) {
      return operation;
    }
    String service = serviceLabel(serviceName);
    if (service == null) {
      return null;
    }
    Operation shared = BY_NAME.computeIfAbsent(service + "." + operationName,
        name -> new Operation(service, operationName));
    BY_SDK_NAMES.computeIfAbsent(serviceName, s -> new ConcurrentHashMap<>()).putIfAbsent(operationName, shared);
    return shared;
  }

  /** KMS, SecretsManager or SSM, from the SDK's service name; null for any other service. */
  static String serviceLabel(String serviceName) {
    switch (serviceName) {
      case "KMS":
      case "Kms":
        return "KMS";
      case "Secrets Manager":
      case "SecretsManager":
        return "SecretsManager";
      case "SSM":
      case "Ssm":
        return "SSM";
      default:
        return null;
    }
  }

  /** Counts an ended call; tells its story if it needed a retry or gave up. */
  static void record(ShuntAttempts call) {
    Operation operation = call.counters();
    List<ShuntAttempts.Attempt> attempts = call.endedAttempts();
    int throttles = 0;
    for (int i = 0; i < attempts.size(); i++) {
      if (attempts.get(i).outcome() == ShuntAttempts.Outcome.THROTTLED) {
        throttles++;
      }
    }
    boolean gaveUp = call.gaveUp();
    operation.calls.increment();
    operation.attempts.add(attempts.size());
    if (attempts.size() > 1) {
      operation.retries.add(attempts.size() - 1);
    }
    if (throttles > 0) {
      operation.throttles.add(throttles);
    }
    if (gaveUp) {
      operation.giveUps.increment();
    }
    if (call.succeeded()) {
      operation.successes.increment();
    }
    CHANGES.increment();
    if (attempts.size() > 1 || gaveUp) {
      String story = ShuntAttempts.story(operation.name, attempts, gaveUp);
      synchronized (RECENT) {
        if (RECENT.size() == RECENT_STORIES) {
          RECENT.removeFirst();
        }
        RECENT.addLast(story);
      }
      RetryLog.retried(story);
    }
    Reporter.ensureStarted();
  }

  /** The report {@code POST /_shunt/client-stats} takes. */
  static String json(String source, Map<String, OperationStats> operations, List<String> recent) {
    StringBuilder json = new StringBuilder(128 + operations.size() * 120 + recent.size() * 80);
    json.append("{\"source\":");
    quote(json, source);
    json.append(",\"operations\":{");
    boolean first = true;
    for (Map.Entry<String, OperationStats> entry : operations.entrySet()) {
      if (!first) {
        json.append(',');
      }
      first = false;
      OperationStats stats = entry.getValue();
      quote(json, entry.getKey());
      json.append(":{\"calls\":").append(stats.calls())
          .append(",\"attempts\":").append(stats.attempts())
          .append(",\"retries\":").append(stats.retries())
          .append(",\"throttles\":").append(stats.throttles())
          .append(",\"giveUps\":").append(stats.giveUps())
          .append(",\"successes\":").append(stats.successes())
          .append('}');
    }
    json.append("},\"recent\":[");
    for (int i = 0; i < recent.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      quote(json, recent.get(i));
    }
    return json.append("]}").toString();
  }

  /** Appends {@code value} as a JSON string: quotes, backslashes and control characters escaped. */
  static void quote(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c)
              && !validSurrogatePair(value, i)) {
            json.append("\\u");
            String hex = Integer.toHexString(c);
            for (int pad = hex.length(); pad < 4; pad++) {
              json.append('0');
            }
            json.append(hex);
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  /** Whether the surrogate at {@code i} is half of a well-formed pair (which UTF-8 can carry). */
  private static boolean validSurrogatePair(String value, int i) {
    char c = value.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(value.charAt(i - 1));
  }

  /**
   * The retry log: a call's story at INFO, at most one line a second; the calls not logged are
   * counted in the next line ({@code (and N more retried calls)}), or alone a second later.
   */
  static final class RetryLog {
    private static final long NEVER = Long.MIN_VALUE;
    private static final AtomicLong LAST_LINE = new AtomicLong(NEVER);
    private static final AtomicLong NOT_LOGGED = new AtomicLong();
    private static volatile System.Logger logger;

    private RetryLog() {}

    static void reset() {
      LAST_LINE.set(NEVER);
      NOT_LOGGED.set(0);
    }

    static boolean enabled() {
      return !"false".equalsIgnoreCase(ShuntEndpoint.setting("log-retries", "true"));
    }

    static void retried(String story) {
      if (!enabled()) {
        return;
      }
      long now = System.nanoTime();
      long last = LAST_LINE.get();
      if ((last == NEVER || now - last >= SECOND_NANOS) && LAST_LINE.compareAndSet(last, now)) {
        long more = NOT_LOGGED.getAndSet(0);
        log(line(story, more));
      } else {
        NOT_LOGGED.incrementAndGet();
      }
    }

    static String line(String story, long more) {
      return "[shunt] " + story + (more > 0 ? " (and " + more + " more retried call" + (more == 1 ? ")" : "s)") : "");
    }

    /** Logs the calls counted but not told, once a second has passed since the last line. */
    static void flush() {
      if (NOT_LOGGED.get() == 0) {
        return;
      }
      long now = System.nanoTime();
      long last = LAST_LINE.get();
      if ((last == NEVER || now - last >= SECOND_NANOS) && LAST_LINE.compareAndSet(last, now)) {
        long more = NOT_LOGGED.getAndSet(0);
        if (more > 0) {
          log("[shunt] (and " + more + " more retried call" + (more == 1 ? ")" : "s)"));
        }
      }
    }

    private static void log(String line) {
      try {
        System.Logger log = logger;
        if (log == null) {
          log = System.getLogger(LOGGER);
          logger = log;
        }
        log.log(System.Logger.Level.INFO, line);
      } catch (RuntimeException | LinkageError e) {
        // a logging setup that fails is the application's business, not a reason to fail its call
      }
    }
  }

  /**
   * The daemon thread that pushes the counters to Shunt each second they changed, and once more
   * at exit. One per copy of these classes, started by the first recorded call and ended after a
   * while without calls (a web application undeployed does not stay pinned by it); every failure
   * is silent. Under Shunt's agent the exit push is the agent's to make (one shutdown hook for every
   * copy, held weakly), so that no hook of this class loader's outlives its application.
   */
  static final class Reporter {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration EXIT_TIMEOUT = Duration.ofMillis(500);
    /** Seconds without a change after which the thread ends (the next call starts another). */
    private static final int IDLE_SECONDS = 30;
    private static volatile boolean started;
    private static boolean exitHooked;
    private static String source;
    private static long pushed = -1;
    /** Whether the last push failed: then the exit push is skipped (Shunt is away, exit must not wait). */
    private static boolean failing;

    private Reporter() {}

    static void ensureStarted() {
      if (!started) {
        start();
      }
    }

    private static synchronized void start() {
      if (started) {
        return;
      }
      started = true;
      try {
        // Neither the calling thread's context class loader nor its inheritable thread locals: the
        // thread must not hold on to the application (a servlet container would rightly complain).
        Thread thread = new Thread(null, Reporter::run, "shunt-client-stats", 0, false);
        thread.setContextClassLoader(null);
        thread.setDaemon(true);
        thread.start();
        if (!exitHooked && System.getProperty(AGENT_PROPERTY) == null) {
          exitHooked = true;
          Runtime.getRuntime().addShutdownHook(new Thread(Reporter::pushAtExit, "shunt-client-stats-exit"));
        }
      } catch (RuntimeException | LinkageError e) {
        started = false;
        // no reporting then (a JVM shutting down, a security manager...)
      }
    }

    private static void run() {
      int idle = 0;
      long seen = CHANGES.sum();
      while (idle < IDLE_SECONDS) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          break;
        }
        long changes = CHANGES.sum();
        idle = changes == seen ? idle + 1 : 0;
        seen = changes;
        try {
          RetryLog.flush();
          if (ShuntEndpoint.available()) {
            push(false);
          }
        } catch (RuntimeException | LinkageError e) {
          // silent: the next second tries again
        }
      }
      synchronized (Reporter.class) {
        started = false;
      }
      if (CHANGES.sum() != seen) {
        ensureStarted();
      }
    }

    /** The last push, as the JVM exits (from this class's own hook, or the agent's). */
    static void pushAtExit() {
      push(true);
    }

    /** POSTs the snapshot if it changed since the last push that Shunt accepted. */
    static synchronized void push(boolean atExit) {
      try {
        if (atExit) {
          String state = System.getProperty(ShuntEndpoint.AGENT_STATE);
          if (failing || state != null && !state.equals(ShuntEndpoint.READY)) {
            return;
          }
        }
        long changes = CHANGES.sum();
        if (changes == pushed) {
          return;
        }
        if (source == null) {
          String named = ProcessHandle.current().pid() + "@" + hostname();
          source = named.length() > 200 ? named.substring(0, 200) : named;
        }
        URI endpoint = ShuntEndpoint.uri();
        String base = endpoint.toString();
        URI target = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
            + "/_shunt/client-stats");
        byte[] body = json(source, snapshot(), recentStories()).getBytes(StandardCharsets.UTF_8);
        // HttpURLConnection, not java.net.http: that client sets up TLS even for plain HTTP, a
        // tenth of a second of an application's start or exit.
        HttpURLConnection connection = (HttpURLConnection) target.toURL().openConnection();
        connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
        connection.setReadTimeout((int) (atExit ? EXIT_TIMEOUT : REQUEST_TIMEOUT).toMillis());
        connection.setRequestMethod("POST");
        connection.setRequestProperty("Content-Type", "application/json");
        String token = adminToken();
        if (token != null) {
          connection.setRequestProperty("Authorization", "Bearer " + token);
        }
        connection.setDoOutput(true);
        connection.setFixedLengthStreamingMode(body.length);
        try (OutputStream out = connection.getOutputStream()) {
          out.write(body);
        }
        int status = connection.getResponseCode();
        try (InputStream answer = status / 100 == 2 ? connection.getInputStream() : connection.getErrorStream()) {
          if (answer != null) {
            answer.readAllBytes();
          }
        }
        failing = status / 100 != 2;
        if (!failing) {
          pushed = changes;
        }
      } catch (Exception | LinkageError e) {
        // silent: Shunt may be down or elsewhere; the application must not notice
        failing = true;
      }
    }

    /** The token a backend under {@code --auth sigv4} (or beyond loopback) requires for its admin API. */
    private static String adminToken() {
      String token = System.getProperty("shunt.admin-token");
      if (token == null || token.isBlank()) {
        token = System.getenv("SHUNT_ADMIN_TOKEN");
      }
      return token == null || token.isBlank() ? null : token.trim();
    }

    private static String hostname() {
      String name = System.getenv("HOSTNAME");
      if (name != null && !name.isBlank()) {
        return name.trim();
      }
      try {
        return InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        return "localhost";
      }
    }
  }
}
