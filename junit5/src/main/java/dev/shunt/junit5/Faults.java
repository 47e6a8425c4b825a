package dev.shunt.junit5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.shunt.backend.fault.FaultInjector;

/**
 * The test backend's fault injection, for the test under way: rules added here are undone after
 * the test, leaving the class's own (from {@link ShuntTest#faults()} or
 * {@link ShuntExtension.Builder#fault}).
 * <pre>
 * shunt.faults().add(Fault.on("kms:Decrypt").error("KMSInternalException"));
 * </pre>
 */
public final class Faults {
  private final FaultInjector injector;
  private volatile JsonNode classRules;
  private volatile boolean changed;

  Faults(FaultInjector injector) {
    this.injector = injector;
    this.classRules = injector.toJson();
  }

  /**
   * Adds a rule after those in force (the first matching rule whose error fires decides the
   * answer; latencies of all matching rules add up).
   *
   * @throws IllegalArgumentException when the backend refuses the rule, saying why
   */
  public synchronized Faults add(Fault fault) {
    ArrayNode rules = injector.toJson();
    rules.add(fault.toJson());
    injector.configure(rules);
    changed = true;
    return this;
  }

  /** Removes every rule, the class's too, until the test ends. */
  public synchronized Faults clear() {
    injector.configure(null);
    changed = true;
    return this;
  }

  /** The rules in force, as {@code GET /_shunt/faults} shows them. */
  public String describe() {
    return injector.toJson().toString();
  }

  /** Whether any rule is in force. */
  public boolean active() {
    return injector.active();
  }

  /** The rules now in force become the class's (after the extension has applied the class's settings). */
  synchronized void keepAsClassRules() {
    classRules = injector.toJson();
    changed = false;
  }

  /** Back to the class's rules, if a test changed them. */
  synchronized void restore() {
    if (changed) {
      injector.configure(classRules);
      changed = false;
    }
  }
}
