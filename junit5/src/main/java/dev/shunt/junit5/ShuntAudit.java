package dev.shunt.junit5;

import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What the test backend recorded since the test began (or since {@link Shunt#clearAudit()}),
 * oldest first: every request, each attempt of a retried call apart. A snapshot: calls made
 * after {@link Shunt#audit()} returned are not in it. Assert on it with
 * {@link ShuntAssertions#assertThat(ShuntAudit)}.
 */
public final class ShuntAudit {
  /** Resolves what a call or a test names as a KMS key (id, ARN, alias) to the key's ARN, as KMS does. */
  @FunctionalInterface
  interface KeyResolver {
    Optional<String> keyArn(String accountId, String region, String keyId);
  }

  private final List<AuditCall> calls;
  private final boolean truncated;
  private final int capacity;
  private final KeyResolver keys;
  private final String defaultAccount;
  private final String defaultRegion;

  ShuntAudit(List<AuditCall> calls, boolean truncated, int capacity, KeyResolver keys, String defaultAccount,
      String defaultRegion) {
    this.calls = List.copyOf(calls);
    this.truncated = truncated;
    this.capacity = capacity;
    this.keys = keys;
    this.defaultAccount = defaultAccount;
    this.defaultRegion = defaultRegion;
  }

  /** The calls, oldest first. */
  public List<AuditCall> calls() {
    return calls;
  }

  public int size() {
    return calls.size();
  }

  /** The calls that match, oldest first. */
  public List<AuditCall> calls(Predicate<? super AuditCall> filter) {
    return calls.stream().filter(filter).toList();
  }

  /**
   * Whether older calls of the test fell out of the backend's memory ({@code audit-recent}
   * records are kept; the extension's default is 10,000).
   */
  public boolean truncated() {
    return truncated;
  }

  int capacity() {
    return capacity;
  }

  /** The ARN of the key {@code keyId} names in an account's Region now, if any. */
  Optional<String> keyArn(String accountId, String region, String keyId) {
    return keys.keyArn(accountId, region, keyId);
  }

  /** The ARN of the key {@code keyId} names in the injected clients' account and Region now, if any. */
  Optional<String> keyArn(String keyId) {
    return keys.keyArn(defaultAccount, defaultRegion, keyId);
  }

  String defaultAccount() {
    return defaultAccount;
  }

  String defaultRegion() {
    return defaultRegion;
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder(calls.size() + " calls");
    calls.forEach(call -> text.append(System.lineSeparator()).append("  ").append(call.describe()));
    return text.toString();
  }
}
