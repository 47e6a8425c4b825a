package dev.shunt.junit5;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.audit.AuditEvent;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.config.ShuntOptions;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test class's Shunt backend, as its tests see it: where it listens, the calls it recorded,
 * its quotas and faults for the test under way, its state and clock. Injected like the clients
 * ({@code void test(Shunt shunt)}, or a {@link ShuntInject} field).
 */
public final class Shunt {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ShuntBackend backend;
  private final Settings settings;
  private final List<String> seedFiles;
  private final Resources resources;
  private final Quotas quotas;
  private final Faults faults;
  private final int auditCapacity;
  private final Map<SdkClients.Spec, Object> clients = new ConcurrentHashMap<>();
  /** The last event before the test began, or null when there was none; see {@link #clearAudit()}. */
  private volatile AuditEvent auditMark;

  Shunt(ShuntBackend backend, Settings settings, List<String> seedFiles, Resources resources) {
    this.backend = backend;
    this.settings = settings;
    this.seedFiles = List.copyOf(seedFiles);
    this.resources = resources;
    this.quotas = new Quotas(backend.quotas());
    this.faults = new Faults(backend.faults());
    this.auditCapacity = backend.options().getInt(ShuntOptions.Option.AUDIT_RECENT);
  }

  /** The endpoint, {@code http://127.0.0.1:PORT}, for clients the test builds itself. */
  public URI endpoint() {
    return backend.uri();
  }

  /** The Region of the injected clients (the backend's default Region). */
  public String region() {
    return settings.region();
  }

  /** The access key id of the injected clients ({@code test} unless the extension was told another). */
  public String accessKeyId() {
    return settings.accessKeyId();
  }

  public String secretAccessKey() {
    return settings.secretAccessKey();
  }

  /**
   * The account of the injected clients without a principals file: the access key id if it is
   * 12 digits, else the default account ({@code 000000000000} unless {@code default-account} says).
   */
  public String accountId() {
    String key = settings.accessKeyId();
    return key.length() == 12 && key.chars().allMatch(c -> c >= '0' && c <= '9') ? key
        : backend.options().get(ShuntOptions.Option.DEFAULT_ACCOUNT);
  }

  /**
   * The ARN of the principal the injected clients act as without a principals file: the account's
   * root, {@code arn:aws:iam::000000000000:root}.
   */
  public String rootPrincipalArn() {
    return "arn:" + dev.shunt.backend.auth.Identity.partitionOf(region()) + ":iam::" + accountId() + ":root";
  }

  // ---- Audit -----------------------------------------------------------------------------

  /**
   * The calls the backend served since the test began (or since {@link #clearAudit()}), oldest
   * first, each attempt of a retried call apart: assert on them with
   * {@link ShuntAssertions#assertThat(ShuntAudit)}. A snapshot, taken now.
   */
  public ShuntAudit audit() {
    List<AuditEvent> events = backend.audit().recent(auditCapacity);
    int from = 0;
    boolean truncated = false;
    AuditEvent mark = auditMark;
    if (mark != null) {
      int at = -1;
      for (int i = events.size() - 1; i >= 0; i--) {
        if (events.get(i) == mark) {
          at = i;
          break;
        }
      }
      if (at >= 0) {
        from = at + 1;
      } else {
        // The mark fell out of the kept records, or a reset forgot them all.
        truncated = events.size() >= auditCapacity;
      }
    } else {
      truncated = events.size() >= auditCapacity;
    }
    List<AuditCall> calls = new ArrayList<>(events.size() - from);
    for (int i = from; i < events.size(); i++) {
      calls.add(call(calls.size() + 1, events.get(i)));
    }
    return new ShuntAudit(calls, truncated, auditCapacity, backend::keyArn, accountId(), region());
  }

  /** Forgets the calls made so far, for the audit: what {@link #audit()} shows starts now. */
  public void clearAudit() {
    List<AuditEvent> events = backend.audit().recent(1);
    auditMark = events.isEmpty() ? null : events.get(events.size() - 1);
  }

  @SuppressWarnings("unchecked")
  private static AuditCall call(int number, AuditEvent event) {
    Map<String, Object> parameters = event.requestParameters() == null ? Map.of()
        : JSON.convertValue(event.requestParameters(), LinkedHashMap.class);
    Map<String, String> context = new LinkedHashMap<>();
    JsonNode given = event.requestParameters() == null ? null : event.requestParameters().get("encryptionContext");
    if (given != null && given.isObject()) {
      for (Map.Entry<String, JsonNode> entry : given.properties()) {
        context.put(entry.getKey(), entry.getValue().asText());
      }
    }
    List<String> resources = event.resources().stream().map(AuditFacts.Resource::arn).toList();
    return new AuditCall(number, event.time(), event.service(), event.operation(), event.identity().principalArn(),
        event.identity().accountId(), event.identity().accessKeyId(), event.identity().region(), event.keyArn(),
        event.secretArn(), event.parameterName(), resources, context, parameters, event.errorCode(),
        event.errorMessage(), event.invokedBy(), event.cache(), event.invocationId(), event.attempt(),
        event.requestId());
  }

  // ---- Quotas, faults --------------------------------------------------------------------

  /** The request quotas, for the test under way (undone after it). */
  public Quotas quotas() {
    return quotas;
  }

  /** Fault injection, for the test under way (undone after it). */
  public Faults faults() {
    return faults;
  }

  // ---- State, clock ----------------------------------------------------------------------

  /**
   * Wipes the state now, as the extension does before each test under {@link Reset#PER_METHOD}:
   * keys, secrets, parameters, request counters and the clock; then loads the seed files again
   * and starts the audit afresh. Quotas and faults stay.
   */
  public void reset() {
    backend.reset();
    seedFiles.forEach(backend::loadSeed);
    auditMark = null;
  }

  /**
   * Loads a seed file (class path resource or file) now, on top of the state; the next reset
   * forgets it (the class's seed files come back).
   */
  public void loadSeed(String resourceOrFile) {
    backend.loadSeed(resources.file(resourceOrFile, "seed file"));
  }

  /** The ARN of the KMS key that {@code keyId} (id, ARN, alias name or ARN) names now, in the clients' account and Region. */
  public Optional<String> keyArn(String keyId) {
    return backend.keyArn(accountId(), region(), Objects.requireNonNull(keyId, "keyId"));
  }

  /** The backend's time (it starts as the wall clock's and moves when told). */
  public Instant now() {
    return backend.clock().now();
  }

  /** Moves the backend's clock forward: deletion windows end, rotations fall due, parameters expire. */
  public void advanceClock(Duration by) {
    backend.clock().advance(by);
  }

  // ---- Clients ---------------------------------------------------------------------------

  /**
   * A client of the test backend: {@code KmsClient}, {@code KmsAsyncClient},
   * {@code SecretsManagerClient}, {@code SecretsManagerAsyncClient}, {@code SsmClient} or
   * {@code SsmAsyncClient}, with the extension's Region and credentials. One of each per test
   * class, shared (SDK clients are thread-safe), closed after the class.
   */
  public <T> T client(Class<T> type) {
    return client(type, null, null, null);
  }

  /** A client as {@link #client(Class)} with other credentials or Region (null keeps the extension's). */
  public <T> T client(Class<T> type, String accessKeyId, String secretAccessKey, String region) {
    Objects.requireNonNull(type, "type");
    if (!SdkClients.supports(type)) {
      throw new IllegalArgumentException("Shunt makes KMS, Secrets Manager and SSM clients (sync and async), not "
          + type.getName());
    }
    return type.cast(clients.computeIfAbsent(spec(type.getName(), accessKeyId, secretAccessKey, region),
        SdkClients::create));
  }

  /**
   * Points an AWS SDK v2 client builder at the backend, with the extension's Region and
   * credentials, for a client the test configures further:
   * {@code shunt.configure(KmsClient.builder()).overrideConfiguration(...).build()}.
   */
  public <B> B configure(B builder) {
    Objects.requireNonNull(builder, "builder");
    SdkClients.configure(builder, spec(builder.getClass().getName(), null, null, null));
    return builder;
  }

  private SdkClients.Spec spec(String type, String accessKeyId, String secretAccessKey, String region) {
    return new SdkClients.Spec(type, endpoint(), region == null ? region() : region,
        accessKeyId == null ? settings.accessKeyId() : accessKeyId,
        secretAccessKey == null ? settings.secretAccessKey() : secretAccessKey);
  }

  /** The backend itself, for what this class does not offer (see ShuntBackend's documentation). */
  public ShuntBackend backend() {
    return backend;
  }

  Settings settings() {
    return settings;
  }

  /** After a test: the class's quotas and faults again. */
  void afterTest() {
    quotas.restore();
    faults.restore();
  }

  /** The quotas and faults in force now (after the class's settings are applied) are the class's. */
  void keepClassSettings() {
    quotas.keepAsClassQuotas();
    faults.keepAsClassRules();
  }

  /** Closes the clients made for the tests. */
  void closeClients() {
    for (Object client : clients.values()) {
      if (client instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          // A client that fails to close holds nothing the backend needs.
        }
      }
    }
    clients.clear();
  }

  @Override
  public String toString() {
    return "Shunt at " + endpoint();
  }
}
