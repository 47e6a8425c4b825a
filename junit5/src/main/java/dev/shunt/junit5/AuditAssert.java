package dev.shunt.junit5;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.api.AbstractIntegerAssert;
import org.assertj.core.api.Assertions;
import org.assertj.core.api.ListAssert;
import org.assertj.core.description.TextDescription;

/**
 * Fluent assertions on the calls a test made, AssertJ style: narrow the calls down, then count
 * them.
 * <pre>
 * assertThat(shunt.audit()).kms("Decrypt").forKey("alias/orders").byPrincipal(app).hasCount(1);
 * assertThat(shunt.audit()).kms("GenerateDataKey").hasCountAtMost(1);
 * assertThat(shunt.audit()).secrets("GetSecretValue").throttled().isEmpty();
 * assertThat(shunt.audit()).kms().withEncryptionContext(Map.of("tenant", "acme")).count().isBetween(1, 3);
 * </pre>
 * Each filter returns a new assertion on fewer calls; a failed count says which filters were
 * applied, lists the calls that matched them, and every call the test made, so that a failing
 * test explains itself.
 */
public final class AuditAssert extends AbstractAssert<AuditAssert, ShuntAudit> {
  /** Calls listed in a failure message, of those matched and of all; the rest are counted. */
  static final int LISTED = 50;

  private final List<AuditCall> selected;
  private final List<String> filters;

  AuditAssert(ShuntAudit audit) {
    this(audit, audit == null ? List.of() : audit.calls(), List.of());
  }

  private AuditAssert(ShuntAudit audit, List<AuditCall> selected, List<String> filters) {
    super(audit, AuditAssert.class);
    this.selected = selected;
    this.filters = filters;
  }

  // ---- Filters ---------------------------------------------------------------------------

  /** KMS calls of these operations ({@code Decrypt}, {@code GenerateDataKey}...), or of any when none is named. */
  public AuditAssert kms(String... operations) {
    return service("kms", "KMS", operations);
  }

  /** Secrets Manager calls of these operations ({@code GetSecretValue}...), or of any. */
  public AuditAssert secrets(String... operations) {
    return service("secretsmanager", "Secrets Manager", operations);
  }

  /** SSM Parameter Store calls of these operations ({@code GetParameter}...), or of any. */
  public AuditAssert ssm(String... operations) {
    return service("ssm", "SSM", operations);
  }

  private AuditAssert service(String service, String title, String... operations) {
    List<String> names = Arrays.asList(operations);
    names.forEach(name -> Objects.requireNonNull(name, "operation"));
    String label = names.isEmpty() ? title : title + " " + String.join(" or ", names);
    return filter(label, call -> call.service().equals(service)
        && (names.isEmpty() || names.contains(call.operation())));
  }

  /**
   * Calls that used the KMS key {@code keyId}: a key id, key ARN, alias name ({@code alias/orders})
   * or alias ARN, resolved to the key as KMS resolves it in each call's account and Region (an
   * alias names the key it points to now). A call that named it but was refused before it found
   * the key (throttled, say) matches by the name it gave.
   */
  public AuditAssert forKey(String keyId) {
    Objects.requireNonNull(keyId, "keyId");
    ShuntAudit audit = audit();
    Map<String, Optional<String>> resolved = new HashMap<>();
    Predicate<AuditCall> usesKey = call -> {
      String target = resolved.computeIfAbsent(call.accountId() + "/" + call.region(),
          scope -> audit.keyArn(call.accountId(), call.region(), keyId)).orElse(null);
      if (target != null && (target.equals(call.keyArn()) || call.resources().contains(target))) {
        return true;
      }
      for (String field : KEY_FIELDS) {
        String named = call.parameter(field);
        if (named == null) {
          continue;
        }
        if (named.equals(keyId) || (target != null && call.keyArn() == null
            && target.equals(audit.keyArn(call.accountId(), call.region(), named).orElse(null)))) {
          return true;
        }
      }
      return keyId.equals(call.keyArn());
    };
    Optional<String> here = audit.keyArn(keyId);
    String label = "for key " + keyId + (here.isPresent() ? here.get().equals(keyId) ? "" : " (" + here.get() + ")"
        : " (which names no key in " + audit.defaultAccount() + " " + audit.defaultRegion() + " now)");
    return filter(label, usesKey);
  }

  private static final String[] KEY_FIELDS = {"keyId", "sourceKeyId", "destinationKeyId", "targetKeyId"};

  /**
   * Calls that named the secret {@code secretId}: its name, ARN or partial ARN (the ARN without
   * its six-character suffix).
   */
  public AuditAssert forSecret(String secretId) {
    Objects.requireNonNull(secretId, "secretId");
    return filter("for secret " + secretId, call -> {
      if (secretId.equals(call.parameter("secretId"))) {
        return true;
      }
      List<String> arns = new ArrayList<>(call.resources());
      if (call.secretArn() != null) {
        arns.add(call.secretArn());
      }
      for (String arn : arns) {
        int at = arn.indexOf(":secret:");
        if (at < 0) {
          continue;
        }
        String name = arn.substring(at + ":secret:".length());
        String bare = name.length() > 7 && name.charAt(name.length() - 7) == '-' ? name.substring(0, name.length() - 7)
            : name;
        if (arn.equals(secretId) || bare.equals(secretId) || name.equals(secretId)
            || (arn.length() == secretId.length() + 7 && arn.startsWith(secretId))) {
          return true;
        }
      }
      return false;
    });
  }

  /**
   * Calls that named the parameter {@code name} ({@code /orders/batch-size}, or its ARN), alone or
   * among others (GetParameters); a selector ({@code name:3}, {@code name:label}) counts as the name.
   */
  public AuditAssert forParameter(String name) {
    Objects.requireNonNull(name, "name");
    String arnSuffix = ":parameter" + (name.startsWith("/") ? name : "/" + name);
    return filter("for parameter " + name, call -> {
      if (name.equals(call.parameterName())) {
        return true;
      }
      for (String arn : call.resources()) {
        if (arn.equals(name) || (arn.startsWith("arn:") && arn.contains(":ssm:") && arn.endsWith(arnSuffix))) {
          return true;
        }
      }
      if (call.service().equals("ssm")) {
        if (sameParameter(call.parameter("name"), name)) {
          return true;
        }
        if (call.requestParameters().get("names") instanceof List<?> names) {
          for (Object named : names) {
            if (named instanceof String text && sameParameter(text, name)) {
              return true;
            }
          }
        }
      }
      return false;
    });
  }

  private static boolean sameParameter(String named, String name) {
    if (named == null) {
      return false;
    }
    if (named.equals(name)) {
      return true;
    }
    int selector = named.lastIndexOf(':');
    return selector > 0 && !named.startsWith("arn:") && named.substring(0, selector).equals(name);
  }

  /**
   * Calls made by the principal {@code arn}: {@code arn:aws:iam::000000000000:root}, a user's
   * ARN, an assumed role's session ARN, or a role's ARN (then any session of the role).
   */
  public AuditAssert byPrincipal(String arn) {
    Objects.requireNonNull(arn, "arn");
    String sessions = roleSessions(arn);
    return filter("by " + arn, call -> arn.equals(call.principalArn())
        || (sessions != null && call.principalArn() != null && call.principalArn().startsWith(sessions)));
  }

  /** {@code arn:aws:sts::ACCOUNT:assumed-role/NAME/} for a role's ARN, else null. */
  private static String roleSessions(String arn) {
    int role = arn.indexOf(":role/");
    if (!arn.startsWith("arn:") || role < 0) {
      return null;
    }
    String[] parts = arn.split(":", 6);
    if (parts.length < 6) {
      return null;
    }
    String name = arn.substring(role + ":role/".length());
    name = name.substring(name.lastIndexOf('/') + 1);
    return "arn:" + parts[1] + ":sts::" + parts[4] + ":assumed-role/" + name + "/";
  }

  /** Calls made by principals of the account {@code accountId}. */
  public AuditAssert byAccount(String accountId) {
    Objects.requireNonNull(accountId, "accountId");
    return filter("by account " + accountId, call -> accountId.equals(call.accountId()));
  }

  /** Calls signed with the access key {@code accessKeyId}. */
  public AuditAssert byAccessKey(String accessKeyId) {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    return filter("with access key " + accessKeyId, call -> accessKeyId.equals(call.accessKeyId()));
  }

  /** Calls made in the Region {@code region}. */
  public AuditAssert inRegion(String region) {
    Objects.requireNonNull(region, "region");
    return filter("in " + region, call -> region.equals(call.region()));
  }

  /** Calls whose encryption context is exactly {@code context} (an empty map: calls with none). */
  public AuditAssert withEncryptionContext(Map<String, String> context) {
    Objects.requireNonNull(context, "context");
    Map<String, String> wanted = Map.copyOf(context);
    return filter("with encryption context " + new java.util.TreeMap<>(wanted),
        call -> call.encryptionContext().equals(wanted));
  }

  /** Calls whose encryption context holds every entry of {@code entries} (and maybe more). */
  public AuditAssert withEncryptionContextContaining(Map<String, String> entries) {
    Objects.requireNonNull(entries, "entries");
    Map<String, String> wanted = Map.copyOf(entries);
    return filter("with encryption context containing " + new java.util.TreeMap<>(wanted),
        call -> call.encryptionContext().entrySet().containsAll(wanted.entrySet()));
  }

  /** Calls answered with {@code ThrottlingException} (a quota, or an injected throttle). */
  public AuditAssert throttled() {
    return filter("throttled", AuditCall::throttled);
  }

  /** Calls that failed in any way: an AWS error, a bare HTTP status, a reset connection. */
  public AuditAssert failed() {
    return filter("failed", AuditCall::failed);
  }

  /** Calls answered with the AWS error {@code errorCode} ({@code NotFoundException}, {@code HTTP 503}...). */
  public AuditAssert failedWith(String errorCode) {
    Objects.requireNonNull(errorCode, "errorCode");
    return filter("failed with " + errorCode, call -> errorCode.equals(call.errorCode()));
  }

  /** Calls that succeeded. */
  public AuditAssert succeeded() {
    return filter("succeeded", call -> !call.failed());
  }

  /**
   * Requests that were an SDK's retries: the second attempt of a call or later (the SDK says
   * which attempt a request is in its {@code amz-sdk-request} header, which Shunt records).
   */
  public AuditAssert retries() {
    return filter("retries (attempt 2 or later)", AuditCall::retry);
  }

  /** Requests that were a call's first attempt (or whose client did not say). */
  public AuditAssert firstAttempts() {
    return filter("first attempts", call -> !call.retry());
  }

  /** Calls a response cache answered (a hit, or a stale answer): AWS would not have seen them. */
  public AuditAssert fromCache() {
    return filter("answered from a cache", AuditCall::fromCache);
  }

  /** Calls no response cache answered: the ones AWS would have seen and charged. */
  public AuditAssert notFromCache() {
    return filter("not answered from a cache", call -> !call.fromCache());
  }

  /**
   * KMS calls a service made for the caller, as AWS records them: {@code secretsmanager} (or
   * {@code secretsmanager.amazonaws.com}) encrypting a secret's value, {@code ssm} a SecureString.
   */
  public AuditAssert invokedBy(String service) {
    Objects.requireNonNull(service, "service");
    String host = service.endsWith(".amazonaws.com") ? service : service + ".amazonaws.com";
    return filter("invoked by " + host, call -> host.equals(call.invokedBy()));
  }

  /** The caller's own calls, not those a service made for it. */
  public AuditAssert direct() {
    return filter("made directly (not by a service)", call -> call.invokedBy() == null);
  }

  /** Calls that match {@code filter}, described in failure messages as {@code description}. */
  public AuditAssert matching(String description, Predicate<? super AuditCall> filter) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(filter, "filter");
    return filter(description, filter::test);
  }

  private AuditAssert filter(String label, Predicate<AuditCall> filter) {
    isNotNull();
    List<String> labels = new ArrayList<>(filters);
    labels.add(label);
    AuditAssert narrowed = new AuditAssert(actual, selected.stream().filter(filter).toList(), List.copyOf(labels));
    // Keep what the user said of this assertion (as(...), withFailMessage(...)).
    narrowed.info.useRepresentation(info.representation());
    if (info.description() != null && !info.descriptionText().isEmpty()) {
      narrowed.as(info.description());
    }
    if (info.overridingErrorMessage() != null) {
      narrowed.overridingErrorMessage(info.overridingErrorMessage());
    }
    return narrowed;
  }

  private ShuntAudit audit() {
    isNotNull();
    return actual;
  }

  // ---- Counts ----------------------------------------------------------------------------

  /** Exactly {@code expected} calls match. */
  public AuditAssert hasCount(int expected) {
    isNotNull();
    if (selected.size() != expected) {
      fail("Expected " + calls(expected) + " " + what() + " but found " + selected.size());
    }
    return this;
  }

  /** At most {@code maximum} calls match (e.g. a cached data key: {@code kms("GenerateDataKey").hasCountAtMost(1)}). */
  public AuditAssert hasCountAtMost(int maximum) {
    isNotNull();
    if (selected.size() > maximum) {
      fail("Expected at most " + calls(maximum) + " " + what() + " but found " + selected.size());
    }
    return this;
  }

  /** At least {@code minimum} calls match. */
  public AuditAssert hasCountAtLeast(int minimum) {
    isNotNull();
    if (selected.size() < minimum) {
      fail("Expected at least " + calls(minimum) + " " + what() + " but found " + selected.size());
    }
    return this;
  }

  /** No call matches. */
  public AuditAssert isEmpty() {
    isNotNull();
    if (!selected.isEmpty()) {
      fail("Expected no call " + what() + " but found " + selected.size());
    }
    return this;
  }

  /** At least one call matches. */
  public AuditAssert exists() {
    isNotNull();
    if (selected.isEmpty()) {
      fail("Expected a call " + what() + " but found none");
    }
    return this;
  }

  /** The same as {@link #exists()}. */
  public AuditAssert isNotEmpty() {
    return exists();
  }

  /**
   * The number of matching calls, for any integer assertion ({@code isBetween(1, 3)},
   * {@code isGreaterThan(2)}); its failure message lists the calls as the counts' do.
   */
  public AbstractIntegerAssert<?> count() {
    isNotNull();
    return Assertions.assertThat(selected.size()).as(new TextDescription("%s",
        "number of calls " + what() + report()));
  }

  /** The matching calls, for any list assertion ({@code extracting(AuditCall::principalArn)...}). */
  public ListAssert<AuditCall> calls() {
    isNotNull();
    return Assertions.assertThat(selected).as(new TextDescription("%s", "calls " + what() + report()));
  }

  private void fail(String headline) {
    failWithMessage("%s", headline + report());
  }

  private static String calls(int count) {
    return count == 1 ? "1 call" : count + " calls";
  }

  /** {@code [KMS Decrypt, for key alias/orders (arn:...), by arn:...]}, or {@code (of any kind)}. */
  private String what() {
    return filters.isEmpty() ? "(of any kind)" : "[" + String.join(", ", filters) + "]";
  }

  /** The calls that matched (if the filters left any out) and every call the test made. */
  private String report() {
    String newline = System.lineSeparator();
    StringBuilder text = new StringBuilder();
    List<AuditCall> all = actual.calls();
    if (!filters.isEmpty() && !selected.isEmpty()) {
      text.append(newline).append("Matching calls:");
      list(text, selected);
    }
    if (all.isEmpty()) {
      text.append(newline).append("The test made no call to Shunt.");
    } else {
      text.append(newline).append("All ").append(all.size()).append(all.size() == 1 ? " call" : " calls")
          .append(" the test made:");
      list(text, all);
    }
    if (actual.truncated()) {
      text.append(newline).append("(Older calls fell out of the audit, which keeps the last ").append(actual.capacity())
          .append("; raise the audit-recent option.)");
    }
    return text.toString();
  }

  private static void list(StringBuilder text, List<AuditCall> calls) {
    String newline = System.lineSeparator();
    for (int i = 0; i < calls.size() && i < LISTED; i++) {
      text.append(newline).append("  ").append(calls.get(i).describe());
    }
    if (calls.size() > LISTED) {
      text.append(newline).append("  ... and ").append(calls.size() - LISTED).append(" more");
    }
  }

  /** The selected calls' count (for tests of this class). */
  int selectedCount() {
    return selected.size();
  }
}
