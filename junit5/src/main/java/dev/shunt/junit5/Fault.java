package dev.shunt.junit5;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A fault-injection rule, immutable: which operations it hits, and what they get instead of (or
 * before) their answer. Hand it to {@link Faults#add} in a test or to
 * {@link ShuntExtension.Builder#fault} for the whole class:
 * <pre>
 * Fault.on("kms:Decrypt").error("KMSInternalException", 500)
 * Fault.on("secretsmanager:*").latency(Duration.ofMillis(200))
 * Fault.on("kms:GenerateDataKey").forResource("alias/orders").throttle().rate(0.5)
 * Fault.on("*").status(503).during(Duration.ofSeconds(10), Duration.ofSeconds(60))
 * </pre>
 * The rules are those of docs/quotas.md ("Fault injection"); a rule needs a latency, an error,
 * or both.
 */
public final class Fault {
  private final ObjectNode rule;

  private Fault(ObjectNode rule) {
    this.rule = rule;
  }

  /**
   * A rule for these operations: {@code service:Operation} ({@code kms:Decrypt}), {@code service:*}
   * ({@code ssm:*}) or {@code *}; the services are {@code kms}, {@code secretsmanager}, {@code ssm}.
   */
  public static Fault on(String... operations) {
    if (operations.length == 0) {
      throw new IllegalArgumentException("Name the operations: kms:Decrypt, secretsmanager:*, *...");
    }
    ObjectNode rule = JsonNodeFactory.instance.objectNode();
    ArrayNode list = rule.putArray("operations");
    for (String operation : operations) {
      list.add(Objects.requireNonNull(operation, "operation"));
    }
    return new Fault(rule);
  }

  /** Only requests that name this key (id, ARN, alias), secret or parameter, as given or as the end of an ARN. */
  public Fault forResource(String resource) {
    return with("resource", Objects.requireNonNull(resource, "resource"));
  }

  /** A fixed delay before the answer. */
  public Fault latency(Duration delay) {
    ObjectNode latency = JsonNodeFactory.instance.objectNode().put("distribution", "fixed")
        .put("fixedMs", delay.toMillis());
    return with("latency", latency);
  }

  /** A delay drawn uniformly between {@code min} and {@code max}. */
  public Fault latency(Duration min, Duration max) {
    ObjectNode latency = JsonNodeFactory.instance.objectNode().put("distribution", "uniform")
        .put("minMs", min.toMillis()).put("maxMs", max.toMillis());
    return with("latency", latency);
  }

  /** Answers with the AWS error {@code code} and HTTP 500 ({@code KMSInternalException}, {@code InternalServiceError}...). */
  public Fault error(String code) {
    return error(code, 500);
  }

  /** Answers with the AWS error {@code code} and this HTTP status (4xx or 5xx). */
  public Fault error(String code, int status) {
    return error(code, status, null);
  }

  /** Answers with the AWS error {@code code}, this status and this message. */
  public Fault error(String code, int status, String message) {
    ObjectNode error = JsonNodeFactory.instance.objectNode().put("code", Objects.requireNonNull(code, "code"))
        .put("status", status);
    if (message != null) {
      error.put("message", message);
    }
    return withError(error);
  }

  /** Answers with a bare HTTP status and an empty body, as a load balancer does (e.g. 503). */
  public Fault status(int status) {
    return withError(JsonNodeFactory.instance.objectNode().put("status", status));
  }

  /** Closes the connection with a TCP reset instead of answering. */
  public Fault connectionReset() {
    return withError(JsonNodeFactory.instance.objectNode().put("reset", true));
  }

  /** Answers with the service's own {@code ThrottlingException}, as a quota would. */
  public Fault throttle() {
    return withError(JsonNodeFactory.instance.objectNode().put("throttle", true));
  }

  /** The fraction of matching requests (0 to 1) that get the error; by default all of them. */
  public Fault rate(double rate) {
    ObjectNode error = rule.get("error") instanceof ObjectNode given ? given.deepCopy() : null;
    if (error == null) {
      throw new IllegalStateException("Give the error first: Fault.on(...).error(...).rate(0.5)");
    }
    error.put("rate", rate);
    return with("error", error);
  }

  /** Active for the first {@code active} of every {@code every}, on the wall clock (a brown-out). */
  public Fault during(Duration active, Duration every) {
    return with("schedule", JsonNodeFactory.instance.objectNode().put("everySeconds", every.toSeconds())
        .put("activeSeconds", active.toSeconds()));
  }

  private Fault withError(ObjectNode error) {
    if (rule.get("error") instanceof ObjectNode given && given.has("rate")) {
      error.set("rate", given.get("rate"));
    }
    return with("error", error);
  }

  private Fault with(String field, String value) {
    ObjectNode copy = rule.deepCopy();
    copy.put(field, value);
    return new Fault(copy);
  }

  private Fault with(String field, ObjectNode value) {
    ObjectNode copy = rule.deepCopy();
    copy.set(field, value);
    return new Fault(copy);
  }

  /** The rule as the backend takes it ({@code /_shunt/faults}). */
  ObjectNode toJson() {
    return rule.deepCopy();
  }

  /** The operations the rule hits. */
  public List<String> operations() {
    java.util.ArrayList<String> names = new java.util.ArrayList<>();
    rule.get("operations").forEach(name -> names.add(name.asText()));
    return List.copyOf(names);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Fault fault && fault.rule.equals(rule);
  }

  @Override
  public int hashCode() {
    return rule.hashCode();
  }

  /** The rule as JSON, as {@code GET /_shunt/faults} shows it. */
  @Override
  public String toString() {
    return rule.toString();
  }
}
