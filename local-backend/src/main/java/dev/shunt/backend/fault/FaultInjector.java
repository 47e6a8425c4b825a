package dev.shunt.backend.fault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Fault injection, per operation and optionally per key / secret / parameter: added latency
 * (fixed or drawn from a distribution), errors at a chosen rate (an AWS error code, a bare HTTP
 * 500/503, a connection reset, or the service's own throttling), and schedules that switch a
 * rule on for part of each period to rehearse brown-outs. Rules are set at start (the config
 * file's {@code faults:}) and at run time ({@code /_shunt/faults}); the first matching rule with
 * a given effect wins, latencies of matching rules add up.
 */
public final class FaultInjector {
  /** What a request gets: a delay before its answer, and instead of its answer an error, a bare status or a reset. */
  public record Decision(long delayMillis, AwsException error, int bareStatus, boolean reset) {
    public static final Decision NONE = new Decision(0, null, 0, false);

    public boolean replacesAnswer() {
      return error != null || bareStatus != 0 || reset;
    }
  }

  /** One rule as given, kept to show it back. */
  private record Rule(List<String> operations, String resource, Latency latency, Failure failure, Schedule schedule,
      JsonNode source) {

    boolean applies(String service, String operation, ObjectNode input) {
      if (schedule != null && !schedule.active()) {
        return false;
      }
      boolean matched = false;
      for (String pattern : operations) {
        if (matches(pattern, service, operation)) {
          matched = true;
          break;
        }
      }
      return matched && (resource == null || names(input, resource));
    }
  }

  private record Latency(String distribution, double a, double b) {
    long draw() {
      ThreadLocalRandom random = ThreadLocalRandom.current();
      double millis = switch (distribution) {
        case "uniform" -> a + random.nextDouble() * (b - a);
        case "exponential" -> -a * Math.log(1 - random.nextDouble());
        case "normal" -> a + b * random.nextGaussian();
        default -> a;
      };
      return Math.max(0, Math.min(MAX_DELAY_MS, Math.round(millis)));
    }
  }

  private record Failure(double rate, String code, String message, int status, boolean bare, boolean reset,
      boolean throttle) {}

  /** Active for the first {@code activeSeconds} of every {@code everySeconds}, on the wall clock. */
  private record Schedule(long everySeconds, long activeSeconds) {
    boolean active() {
      return (System.currentTimeMillis() / 1000) % everySeconds < activeSeconds;
    }
  }

  /** No SDK waits longer than this for an answer; a longer delay would only hold a connection. */
  static final long MAX_DELAY_MS = 300_000;
  private static final String[] RESOURCE_FIELDS = {"KeyId", "SecretId", "Name", "DestinationKeyId", "TargetKeyId"};

  private volatile List<Rule> rules = List.of();

  public boolean active() {
    return !rules.isEmpty();
  }

  /**
   * The faults for a request. {@code throttling} is the service's own throttling error, for
   * rules that throttle.
   */
  public Decision decide(String service, String operation, ObjectNode input, AwsException throttling) {
    List<Rule> current = rules;
    if (current.isEmpty()) {
      return Decision.NONE;
    }
    long delay = 0;
    for (Rule rule : current) {
      if (!rule.applies(service, operation, input)) {
        continue;
      }
      if (rule.latency != null) {
        delay += rule.latency.draw();
      }
      Failure failure = rule.failure;
      if (failure != null && ThreadLocalRandom.current().nextDouble() < failure.rate) {
        if (failure.reset) {
          return new Decision(delay, null, 0, true);
        }
        if (failure.bare) {
          return new Decision(delay, null, failure.status, false);
        }
        AwsException error = failure.throttle ? throttling
            : new AwsException(failure.code, failure.message, failure.status);
        return new Decision(delay, error, 0, false);
      }
    }
    return delay == 0 ? Decision.NONE : new Decision(delay, null, 0, false);
  }

  /** Replaces every rule (an empty list clears them). */
  public void configure(JsonNode rulesNode) {
    List<Rule> parsed = new ArrayList<>();
    if (rulesNode != null && !rulesNode.isNull()) {
      if (!rulesNode.isArray()) {
        throw new IllegalArgumentException("Faults are a list of rules");
      }
      for (JsonNode node : rulesNode) {
        parsed.add(parse(node));
      }
    }
    rules = List.copyOf(parsed);
  }

  public ArrayNode toJson() {
    ArrayNode array = Json.array();
    rules.forEach(rule -> array.add(rule.source.deepCopy()));
    return array;
  }

  private static Rule parse(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("A fault rule is a mapping");
    }
    List<String> operations = new ArrayList<>();
    JsonNode ops = node.path("operations");
    if (ops.isTextual()) {
      operations.add(ops.asText());
    } else if (ops.isArray()) {
      ops.forEach(op -> operations.add(op.asText()));
    } else {
      operations.add("*");
    }
    for (String pattern : operations) {
      if (!pattern.equals("*") && pattern.indexOf(':') <= 0) {
        throw new IllegalArgumentException("Fault operations are service:Operation, service:* or *, not '"
            + pattern + "'");
      }
    }
    String resource = node.hasNonNull("resource") ? node.get("resource").asText() : null;
    Latency latency = node.has("latency") ? latency(node.get("latency")) : null;
    Failure failure = node.has("error") ? failure(node.get("error")) : null;
    Schedule schedule = null;
    if (node.has("schedule")) {
      JsonNode s = node.get("schedule");
      long every = s.path("everySeconds").asLong(0);
      long active = s.path("activeSeconds").asLong(0);
      if (every <= 0 || active <= 0 || active > every) {
        throw new IllegalArgumentException("A fault schedule needs everySeconds > 0 and 0 < activeSeconds <= everySeconds");
      }
      schedule = new Schedule(every, active);
    }
    if (latency == null && failure == null) {
      throw new IllegalArgumentException("A fault rule needs a latency, an error, or both");
    }
    return new Rule(List.copyOf(operations), resource, latency, failure, schedule, node.deepCopy());
  }

  private static Latency latency(JsonNode node) {
    String distribution = node.path("distribution").asText("fixed").toLowerCase(Locale.ROOT);
    return switch (distribution) {
      case "fixed" -> new Latency("fixed", milliseconds(node, "fixedMs"), 0);
      case "uniform" -> {
        double min = milliseconds(node, "minMs");
        double max = milliseconds(node, "maxMs");
        if (max < min) {
          throw new IllegalArgumentException("A uniform latency needs minMs <= maxMs");
        }
        yield new Latency("uniform", min, max);
      }
      case "exponential" -> new Latency("exponential", milliseconds(node, "meanMs"), 0);
      case "normal" -> new Latency("normal", milliseconds(node, "meanMs"), milliseconds(node, "stddevMs"));
      default -> throw new IllegalArgumentException("Latency distributions: fixed, uniform, exponential, normal");
    };
  }

  private static Failure failure(JsonNode node) {
    double rate = node.has("rate") ? nonNegative(node, "rate") : 1.0;
    if (rate > 1) {
      throw new IllegalArgumentException("An error rate is between 0 and 1");
    }
    if (node.path("reset").asBoolean(false)) {
      return new Failure(rate, null, null, 0, false, true, false);
    }
    if (node.path("throttle").asBoolean(false)) {
      return new Failure(rate, null, null, 400, false, false, true);
    }
    String code = node.path("code").asText(null);
    int status = node.path("status").asInt(code == null ? 503 : 500);
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("An error status is 4xx or 5xx");
    }
    if (code == null) {
      return new Failure(rate, null, null, status, true, false, false);
    }
    String message = node.path("message").asText("Injected by Shunt's fault injection");
    return new Failure(rate, code, message, status, false, false, false);
  }

  private static double nonNegative(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isNumber() || !(value.asDouble() >= 0)) {
      throw new IllegalArgumentException(field + " must be a number, zero or more");
    }
    return value.asDouble();
  }

  private static double milliseconds(JsonNode node, String field) {
    double value = nonNegative(node, field);
    if (value > MAX_DELAY_MS) {
      throw new IllegalArgumentException(field + " must be at most " + MAX_DELAY_MS + " (five minutes)");
    }
    return value;
  }

  /** {@code *}, {@code service:*} or {@code service:Operation} ({@code service} is kms, secretsmanager or ssm). */
  static boolean matches(String pattern, String service, String operation) {
    if (pattern.equals("*")) {
      return true;
    }
    int colon = pattern.indexOf(':');
    return pattern.regionMatches(0, service, 0, service.length()) && colon == service.length()
        && (pattern.endsWith(":*") || pattern.regionMatches(colon + 1, operation, 0, operation.length())
            && pattern.length() == colon + 1 + operation.length());
  }

  /** Whether the request names the resource (KeyId, SecretId, Name and the like, as given, or its ARN ends so). */
  private static boolean names(ObjectNode input, String resource) {
    for (String field : RESOURCE_FIELDS) {
      JsonNode value = input.get(field);
      if (value != null && value.isTextual() && (value.textValue().equals(resource)
          || value.textValue().endsWith("/" + resource) || value.textValue().endsWith(":" + resource))) {
        return true;
      }
    }
    return false;
  }
}
