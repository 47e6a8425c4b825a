package dev.shunt.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.audit.AuditLog;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.audit.CloudTrailRecords;
import dev.shunt.backend.cache.CacheSettings;
import dev.shunt.backend.cache.ResponseCaches;
import dev.shunt.backend.config.Durations;
import dev.shunt.backend.http.UpstreamCalls;
import dev.shunt.backend.upstream.UpstreamClient;
import dev.shunt.backend.upstream.UpstreamEndpoints;
import dev.shunt.backend.upstream.UpstreamRetryPolicy;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.AdmittedAccounts;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.Credentials;
import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.config.ShuntOptions.Option;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.AwsService;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.crypto.AesGcm;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.http.AdminApi;
import dev.shunt.backend.http.AwsRequestProcessor;
import dev.shunt.backend.http.HttpServer;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.kms.KmsService;
import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.quota.RedisLocation;
import dev.shunt.backend.quota.RedisQuotaStore;
import dev.shunt.backend.secrets.SecretReferences;
import dev.shunt.backend.secrets.SecretRotations;
import dev.shunt.backend.secrets.SecretsBackend;
import dev.shunt.backend.secrets.SecretsService;
import dev.shunt.backend.ssm.SsmBackend;
import dev.shunt.backend.ssm.SsmService;
import dev.shunt.backend.stats.LiveStats;
import dev.shunt.backend.store.MemoryStore;
import dev.shunt.backend.store.Persistence;
import dev.shunt.backend.store.PostgresStore;
import dev.shunt.backend.store.RootKey;
import dev.shunt.backend.store.SecretFields;
import dev.shunt.backend.store.SeedFiles;
import dev.shunt.backend.store.SqliteStore;
import dev.shunt.backend.store.StateStore;
import dev.shunt.backend.store.StoredItem;
import dev.shunt.backend.time.ShuntClock;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.api.OpenTelemetry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Shunt backend, standalone or embedded in-process:
 * <pre>
 * try (ShuntBackend shunt = ShuntBackend.builder().port(0).start()) {
 *   URI endpoint = shunt.uri();   // http://127.0.0.1:PORT
 * }
 * </pre>
 */
public final class ShuntBackend implements AutoCloseable {
  private static final double LATEST_CLOCK_SECONDS = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
  private final ShuntOptions options;
  private final String nodeId;
  private final ShuntClock clock = new ShuntClock();
  private final KmsBackend kms = new KmsBackend();
  private final SecretRotations rotations;
  private final SsmBackend ssm;
  private final QuotaEngine quotas;
  /** The quota buckets the cluster shares ({@code quota-store}), or null: each node its own. */
  private final RedisQuotaStore quotaStore;
  private final Authenticator authenticator;
  private final FaultInjector faults = new FaultInjector();
  private final Map<String, JsonNode> clientReports = new java.util.concurrent.ConcurrentHashMap<>();
  private final Router router;
  private final AuditLog auditLog;
  private final LiveStats stats;
  private final HttpServer server;
  private final URI uri;
  private final InetSocketAddress bound;
  private final String adminToken;
  private final boolean adminTokenGenerated;
  private final ResponseCaches caches;
  private final AccessControl access;
  private final UpstreamCalls upstream;
  private final StateStore store;
  private final Persistence persistence;
  private final RootKey rootKey;
  private final SeedFiles seedFiles;
  private final Map<String, Integer> restored = new java.util.TreeMap<>();
  /** Accounts holding state that max-accounts leaves out. */
  private int unreachableAccounts;

  private ShuntBackend(ShuntOptions options, OpenTelemetry openTelemetry, FatalErrors.Policy onFatalError,
      boolean durableByDefault, IdentityProvider<? extends AwsCredentialsIdentity> upstreamCredentials)
      throws InterruptedException {
    BackendOptions.check(options);
    this.options = options;
    this.nodeId = BackendOptions.nodeId(options);
    OutboundHosts outbound = new OutboundHosts(BackendOptions.names(options.get(Option.OUTBOUND_HOSTS)));
    this.rotations = new SecretRotations(clock, outbound);
    BackendOptions.rotationCallbacks(options.get(Option.ROTATION_CALLBACKS)).forEach(rotations::registerCallback);
    AwsRegions regions = BackendOptions.regions(options);
    kms.acceptReplicaRegions(regions);
    SecretsBackend secrets = new SecretsBackend(kms, rotations, regions);
    this.ssm = new SsmBackend(kms, new SecretReferences(secrets));
    List<AwsService> services = List.of(new KmsService(kms, outbound), new SecretsService(secrets), new SsmService(ssm));
    this.seedFiles = new SeedFiles(List.of(kms.stateSection(), secrets.stateSection(), ssm.stateSection()));
    RootKey givenRootKey = rootKeyFromOptions(options);
    this.store = openStore(options, BackendOptions.dataDir(options, durableByDefault), givenRootKey, nodeId);
    this.rootKey = store instanceof SqliteStore sqlite ? sqlite.rootKey() : givenRootKey;
    this.persistence = new Persistence(store);
    secrets.persistThrough(persistence);
    try {
      loadState(options);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    JsonNode file = options.file();
    String quotaStoreUrl = options.get(Option.QUOTA_STORE);
    this.quotaStore = quotaStoreUrl == null || quotaStoreUrl.isBlank() ? null
        : new RedisQuotaStore(RedisLocation.parse(quotaStoreUrl), nodeId);
    this.quotas = new QuotaEngine(QuotaConfig.fromOptions(options.get(Option.QUOTAS),
        file == null ? null : file.get("quotas"), options.get(Option.QUOTA_SCALE)), ssm::highThroughput, regions,
        kms::keySpecForQuota, quotaStore != null ? quotaStore : dev.shunt.backend.quota.BucketSource.LOCAL);
    faults.configure(BackendOptions.faultRules(options.get(Option.FAULTS), file));
    this.caches = new ResponseCaches(CacheSettings.fromOptions(options), clock, kms::keyArnFor);
    rotations.onRotated(caches::secretChanged);
    this.stats = new LiveStats(clock, quotas::ratesByOperation, quotaStore == null ? null : quotaStore::statsReport);
    this.router = new Router(services);
    AuthMode authMode = AuthMode.parse(options.get(Option.AUTH));
    Credentials credentials = BackendOptions.credentials(options);
    this.access = AccessControl.of(credentials.principals());
    kms.accessControl(access);
    secrets.accessControl(access);
    ssm.accessControl(access);
    AdmittedAccounts admitted = AdmittedAccounts.of(credentials, options.getInt(Option.MAX_ACCOUNTS));
    // Accounts that hold state (restored or seeded) are admitted first, up to the cap.
    seedFiles.accounts().forEach(account -> {
      if (!admitted.admit(account)) {
        unreachableAccounts++;
      }
    });
    this.authenticator = new Authenticator(authMode, credentials, options.get(Option.DEFAULT_REGION), regions,
        admitted, Clock.systemUTC());
    String token = options.get(Option.ADMIN_TOKEN);
    this.adminTokenGenerated = token == null
        && (authMode == AuthMode.SIGV4 || !BackendOptions.bindsLoopback(options.get(Option.HOST)));
    this.adminToken = adminTokenGenerated ? AdminApi.newToken() : token;
    AdminApi admin = new AdminApi(adminToken);
    registerAdmin(admin, authMode);
    int threads = options.getInt(Option.THREADS);
    int maxBody = options.getInt(Option.MAX_BODY_BYTES);
    this.auditLog = auditLog(options);
    AuditTelemetry telemetry = new AuditTelemetry(openTelemetry);
    telemetry.observeCaches(caches::readings);
    // A node of a cluster names itself in every record and span; a node alone has no need to.
    Auditor auditor = new Auditor(auditLog, telemetry, stats, store.shared() || quotaStore != null ? nodeId : null);
    this.upstream = upstream(options, upstreamCredentials, auditor);
    FatalErrors fatalErrors = new FatalErrors(onFatalError, this::close);
    try {
      if (quotaStore != null) {
        // Its heartbeat thread starts last, so that nothing before can fail and leave it running.
        quotaStore.start(quotas::counts);
      }
      this.server = HttpServer.start(options.get(Option.HOST), options.getInt(Option.PORT),
          threads > 0 ? threads : Runtime.getRuntime().availableProcessors(), new HttpServer.Limits(maxBody, 16 * 1024,
          300), new AwsRequestProcessor(router, authenticator, clock, quotas, faults, auditor, persistence, caches,
          upstream), admin,
          BackendOptions.names(options.get(Option.ALLOWED_HOSTS)), fatalErrors);
    } catch (RuntimeException | InterruptedException e) {
      auditLog.close();
      store.close();
      if (upstream != null) {
        upstream.close();
      }
      if (quotaStore != null) {
        quotaStore.close();
      }
      throw e;
    }
    InetSocketAddress address = server.address();
    this.bound = address;
    String host = address.getAddress().isAnyLocalAddress() ? "127.0.0.1" : address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    this.uri = URI.create("http://" + host + ":" + address.getPort());
  }

  /** The forwarding of proxied services to AWS, or null when every service is emulated. */
  private static UpstreamCalls upstream(ShuntOptions options,
      IdentityProvider<? extends AwsCredentialsIdentity> credentials, Auditor auditor) {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse(BackendOptions.upstreamSpec(options));
    if (endpoints.isEmpty()) {
      return null;
    }
    UpstreamRetryPolicy policy = UpstreamRetryPolicy.standard(options.getInt(Option.UPSTREAM_MAX_ATTEMPTS),
        Durations.parse(Option.UPSTREAM_ATTEMPT_TIMEOUT.key(), options.get(Option.UPSTREAM_ATTEMPT_TIMEOUT)),
        Durations.parse(Option.UPSTREAM_TIMEOUT.key(), options.get(Option.UPSTREAM_TIMEOUT)));
    return new UpstreamCalls(new UpstreamClient(endpoints, policy,
        credentials != null ? credentials : DefaultCredentialsProvider.builder().build()), endpoints::proxies, auditor);
  }

  private static StateStore openStore(ShuntOptions options, Path dataDir, RootKey rootKey, String nodeId) {
    if (options.get(Option.STORE) != null) {
      return PostgresStore.open(options.get(Option.STORE), rootKey, nodeId);
    }
    if (dataDir == null) {
      return new MemoryStore();
    }
    String keyFile = options.get(Option.ROOT_KEY_FILE);
    return SqliteStore.open(dataDir, options.get(Option.ROOT_KEY), keyFile == null ? null : Path.of(keyFile),
        SqliteStore.Durability.valueOf(options.get(Option.DURABILITY).trim().toUpperCase(java.util.Locale.ROOT)));
  }

  /** Without a data directory, a root key only if one is given (sealed seed values and export need it). */
  private static RootKey rootKeyFromOptions(ShuntOptions options) {
    if (options.get(Option.ROOT_KEY) != null) {
      return RootKey.fromText(options.get(Option.ROOT_KEY), "root-key");
    }
    String file = options.get(Option.ROOT_KEY_FILE);
    return file == null ? null : RootKey.fromFile(Path.of(file), true);
  }

  /** Restores what the store holds, then loads the seed files (whose new items the store then keeps). */
  private void loadState(ShuntOptions options) {
    List<StoredItem> items = store.load();
    items.forEach(item -> restored.merge(item.key().kind(), 1, Integer::sum));
    seedFiles.restore(items, SecretFields.plain(rootKey));
    if (store.shared()) {
      kms.deriveManagedKeysFrom(rootKey.derive("aws managed keys"));
      store.follow(persistence::exclusively, this::applyRemote);
    }
    if (store.durable()) {
      byte[] pageKey = store.meta("page-tokens");
      if (pageKey == null) {
        store.putMeta("page-tokens", dev.shunt.backend.crypto.Randomness.bytes(32));
        pageKey = store.meta("page-tokens");
      }
      dev.shunt.backend.core.PageTokens.adoptKey(pageKey);
    }
    for (String seed : BackendOptions.seedFiles(options)) {
      loadSeed(seed);
    }
  }

  /** Makes memory hold an item as another node stored it (a null document: it removed it). */
  private void applyRemote(StoredItem item) {
    if (item.document() == null) {
      seedFiles.remove(item.key());
    } else {
      seedFiles.replace(item, SecretFields.plain(rootKey));
    }
    ResponseCaches cached = caches;
    if (cached != null) {
      // What another node changed may be in any cached answer: none is kept.
      cached.clear();
    }
  }

  /**
   * Loads a seed file into the running backend, as {@code --seed} does at start: what it names is
   * created, what exists already is compared with it ({@link #reset()} then {@code loadSeed} gives
   * the state the backend started with). A seed that contradicts the state throws
   * {@link IllegalArgumentException} naming the file, the item and the field.
   */
  public void loadSeed(String file) {
    String account = BackendOptions.credentials(options).defaultAccountId();
    JsonNode tree = ShuntOptions.readYaml(file, "the seed file");
    for (int attempt = 1; ; attempt++) {
      try {
        persistence.run(() -> seedFiles.load(tree, "seed file " + file, account, options.get(Option.DEFAULT_REGION),
            SecretFields.plain(rootKey))).join();
        return;
      } catch (java.util.concurrent.CompletionException e) {
        // Nodes of a cluster starting together load one seed at once: the loser finds the items made.
        if (!(e.getCause() instanceof dev.shunt.backend.store.StoreConflictException) || attempt == 3) {
          throw e;
        }
      }
    }
  }

  /**
   * The ARN of the KMS key that {@code keyId} (a key id, key ARN, alias name or alias ARN) names
   * now in an account's Region, as KMS resolves it; empty when it names none. Looks without side
   * effects: no AWS managed key is made, no access is checked.
   */
  public Optional<String> keyArn(String accountId, String region, String keyId) {
    return Optional.ofNullable(kms.keyArnFor(accountId, region, keyId));
  }

  /**
   * Where the state lives and what it held at start, for the operator: {@code /home/me/.shunt/data
   * (12 kms.keys, 3 secretsmanager.secrets)}, or {@code memory}.
   */
  public String stateSummary() {
    if (!store.durable()) {
      return "memory only (nothing is kept when Shunt stops)";
    }
    StringBuilder summary = new StringBuilder(store.location()).append(" (");
    if (restored.isEmpty()) {
      summary.append("empty");
    }
    restored.forEach((kind, count) -> summary.append(summary.charAt(summary.length() - 1) == '(' ? "" : ", ")
        .append(count).append(' ').append(kind));
    summary.append(')');
    if (unreachableAccounts > 0) {
      summary.append("; accounts with state beyond max-accounts (").append(options.getInt(Option.MAX_ACCOUNTS))
          .append("): ").append(unreachableAccounts).append(", unreachable until it is raised");
    }
    return summary.toString();
  }

  /**
   * All state, or one account's (in one Region), as a seed file: key material and secret values
   * sealed under the root key unless {@code plaintext}.
   */
  public ObjectNode export(String account, String region, boolean plaintext) {
    if (!plaintext && rootKey == null) {
      throw new IllegalArgumentException("This Shunt has no root key to seal key material and secret values under:"
          + " give one (root-key or root-key-file), or ask for plaintext");
    }
    return seedFiles.export(account, region, plaintext ? SecretFields.plain(rootKey) : SecretFields.sealedUnder(rootKey));
  }

  /** The services this backend forwards to its upstream and where, if any (proxy mode). */
  public Optional<String> upstreamSummary() {
    return upstream == null ? Optional.empty() : Optional.of(upstream.describe());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** This node's name in audit records, spans and cluster totals (node-id, or HOST-PID). */
  public String nodeId() {
    return nodeId;
  }

  /** The URL clients use as their endpoint, e.g. {@code http://127.0.0.1:4566}. */
  public URI uri() {
    return uri;
  }

  public int port() {
    return uri.getPort();
  }

  /** The address the server listens on, e.g. {@code http://0.0.0.0:4566} for every interface. */
  public URI listeningOn() {
    // A wildcard bind reports the IPv6 wildcard even when asked for 0.0.0.0: say what was asked.
    String host = bound.getAddress().isAnyLocalAddress() ? options.get(Option.HOST)
        : bound.getAddress().getHostAddress();
    return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort());
  }

  /**
   * The token {@code /_shunt/*} requires (but health), if one was generated at start because
   * none was configured; whoever started the backend shows it to its operator, once.
   */
  public Optional<String> generatedAdminToken() {
    return adminTokenGenerated ? Optional.of(adminToken) : Optional.empty();
  }

  /** The backend's movable clock (also at {@code /_shunt/clock}). */
  public ShuntClock clock() {
    return clock;
  }

  public ShuntOptions options() {
    return options;
  }

  /**
   * Wipes every service's state, the request counters and buckets, and resets the clock (also
   * {@code POST /_shunt/reset}); quota and fault configuration stay. The accounts admitted on the
   * fly are forgotten first, so that new ones may take their places.
   */
  public void reset() {
    store.clear();
    caches.clear();
    access.decisions().clear();
    authenticator.forgetAccounts();
    router.services().forEach(AwsService::reset);
    quotas.reset();
    clientReports.clear();
    auditLog.clear();
    stats.reset();
    clock.reset();
  }

  /**
   * Makes the first real request quicker: one KMS request (GenerateRandom) goes through a private
   * copy of the request path (trust authentication, parsing, validation, the operation, the answer)
   * in memory, and AES-GCM seals and opens once, so that the classes and the JIT's first work are
   * done. Nobody sees it: no socket, no quota counted, no audit record, span or metric, no key. The agent's embedded backend does this before it says it is ready,
   * while the application is still building its first client.
   */
  public void warmUp() {
    Credentials credentials = BackendOptions.credentials(options);
    AwsRegions regions = BackendOptions.regions(options);
    Authenticator trust = new Authenticator(AuthMode.TRUST, credentials, options.get(Option.DEFAULT_REGION), regions,
        AdmittedAccounts.of(credentials, options.getInt(Option.MAX_ACCOUNTS)), Clock.systemUTC());
    AwsRequestProcessor unseen = new AwsRequestProcessor(router, trust, clock,
        new QuotaEngine(QuotaConfig.off(), ssm::highThroughput, regions), new FaultInjector(),
        new Auditor(new AuditLog(1, null, 4096, 0), AuditTelemetry.off()));
    unseen.serveInMemory("TrentService.GenerateRandom", "AWS4-HMAC-SHA256 Credential=shunt-warm-up/20260101/"
        + options.get(Option.DEFAULT_REGION) + "/kms/aws4_request, SignedHeaders=host, Signature=0",
        "{\"NumberOfBytes\":8}");
    byte[] sealed = new byte[AesGcm.sealedLength(8)];
    AesGcm.sealWithDataKey(new byte[32], new byte[0], new byte[8], sealed, 0);
    AesGcm.openWithDataKey(new byte[32], new byte[0], sealed, 0, sealed.length);
  }

  /** The quota engine (also {@code /_shunt/quotas}). */
  public QuotaEngine quotas() {
    return quotas;
  }

  /**
   * Where the quota buckets are shared ({@code quota-store}, without its password), with the nodes
   * sharing them; empty when each node keeps its own.
   */
  public Optional<String> quotaStoreSummary() {
    if (quotaStore == null) {
      return Optional.empty();
    }
    RedisQuotaStore.Outage outage = quotaStore.outage();
    return Optional.of(quotaStore.location() + " (node " + nodeId + ", "
        + (outage == null ? "shared" : "unreachable: quotas local at quota/" + outage.nodes()) + ")");
  }

  /** Fault injection (also {@code /_shunt/faults}). */
  public FaultInjector faults() {
    return faults;
  }



  /** Parameter Store's domain (the quota engine reads its throughput setting). */
  public SsmBackend ssm() {
    return ssm;
  }

  /** The rotators secrets can name in their RotationLambdaARN (built-in, ServiceLoader, HTTP callbacks). */
  public SecretRotations rotations() {
    return rotations;
  }

  /** Requests per second, per operation, of the last 15 minutes (also {@code GET /_shunt/stats}). */
  public LiveStats stats() {
    return stats;
  }

  /** The audit records (also {@code GET /_shunt/audit}). */
  public AuditLog audit() {
    return auditLog;
  }

  private static AuditLog auditLog(ShuntOptions options) {
    int recent = options.getInt(Option.AUDIT_RECENT);
    long maxBytes = options.getLong(Option.AUDIT_LOG_MAX_BYTES);
    int files = options.getInt(Option.AUDIT_LOG_FILES);
    String file = options.get(Option.AUDIT_LOG);
    return new AuditLog(recent, file == null || file.isBlank() ? null : Path.of(file), maxBytes, files);
  }

  /**
   * Stops: no new connection is taken, the writes under way reach the disk and their requests are
   * answered, then the server, the rotations and the store close (the store folds its log in).
   */
  @Override
  public void close() {
    server.stopAccepting();
    store.flush();
    server.close();
    if (upstream != null) {
      upstream.close();
    }
    auditLog.close();
    rotations.close();
    if (quotaStore != null) {
      quotaStore.close();
    }
    store.close();
  }

  private void registerAdmin(AdminApi admin, AuthMode authMode) {
    admin.register(HttpMethod.GET, "health", (request, query) -> {
      ObjectNode health = Json.object().put("status", "ok").put("version", version())
          .put("auth", authMode.name().toLowerCase(java.util.Locale.ROOT));
      ArrayNode services = health.putArray("services");
      router.services().forEach(s -> services.add(s.model().serviceId()));
      upstreamSummary().ifPresent(upstreamSpec -> health.put("upstream", upstreamSpec));
      return health;
    });
    admin.register(HttpMethod.POST, "reset", (request, query) -> {
      reset();
      return Json.object().put("status", "reset");
    });
    admin.register(HttpMethod.GET, "clock", (request, query) -> clockState());
    admin.register(HttpMethod.GET, "explain", (request, query) -> {
      if (!access.enabled()) {
        return Json.object().put("principals", false).put("note", "Without a principals file every access key acts "
            + "as its account's root and only key and resource policies decide: nothing to explain")
            .set("decisions", Json.array());
      }
      String limitText = firstParameter(query, "limit");
      int limit;
      try {
        limit = limitText == null ? 100 : Integer.parseInt(limitText);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > 1000) {
        throw new AwsException("ValidationException", "limit must be a number from 1 to 1000");
      }
      return access.decisions().report(limit, firstParameter(query, "requestId")).put("principals", true);
    });
    admin.register(HttpMethod.GET, "audit", (request, query) -> {
      List<String> limits = query.parameters().get("limit");
      int limit = 100;
      if (limits != null && !limits.isEmpty()) {
        try {
          limit = Integer.parseInt(limits.get(0));
        } catch (NumberFormatException e) {
          limit = -1;
        }
        if (limit < 1 || limit > 100_000) {
          throw new AwsException("ValidationException", "limit must be a number from 1 to 100000");
        }
      }
      ObjectNode body = Json.object();
      ArrayNode records = body.putArray("Records");
      auditLog.recent(limit).forEach(event -> records.add(CloudTrailRecords.render(event)));
      return body.put("dropped", auditLog.dropped());
    });
    admin.register(HttpMethod.GET, "stats", (request, query) -> {
      String secondsText = firstParameter(query, "seconds");
      int seconds = LiveStats.DEFAULT_SECONDS;
      if (secondsText != null) {
        try {
          seconds = Integer.parseInt(secondsText);
        } catch (NumberFormatException e) {
          seconds = -1;
        }
      }
      try {
        return stats.report(seconds);
      } catch (IllegalArgumentException e) {
        throw new AwsException("ValidationException", e.getMessage());
      }
    });
    admin.register(HttpMethod.GET, "rotations", (request, query) -> rotationState());
    admin.register(HttpMethod.GET, "export", (request, query) -> {
      try {
        return export(firstParameter(query, "account"), firstParameter(query, "region"),
            "true".equals(firstParameter(query, "plaintext")));
      } catch (IllegalArgumentException e) {
        throw new AwsException("ValidationException", e.getMessage());
      }
    });
    admin.register(HttpMethod.GET, "quotas", (request, query) -> {
      int limit = QuotaEngine.DEFAULT_PAGE_SIZE;
      String limitText = firstParameter(query, "limit");
      if (limitText != null) {
        try {
          limit = Integer.parseInt(limitText);
        } catch (NumberFormatException e) {
          limit = -1;
        }
      }
      try {
        return quotaState(quotas.report(limit, firstParameter(query, "nextToken")));
      } catch (IllegalArgumentException e) {
        throw new AwsException("ValidationException", e.getMessage());
      }
    });
    admin.register(HttpMethod.POST, "quotas", (request, query) -> {
      try {
        quotas.configure(QuotaConfig.parse(jsonBody(request)));
      } catch (IllegalArgumentException e) {
        throw new AwsException("ValidationException", e.getMessage());
      }
      return quotaState(quotas.report());
    });
    admin.register(HttpMethod.GET, "faults", (request, query) -> faults.toJson());
    admin.register(HttpMethod.POST, "faults", (request, query) -> {
      try {
        faults.configure(jsonValue(request));
      } catch (IllegalArgumentException e) {
        throw new AwsException("ValidationException", e.getMessage());
      }
      return faults.toJson();
    });
    admin.register(HttpMethod.DELETE, "faults", (request, query) -> {
      faults.configure(null);
      return faults.toJson();
    });
    admin.register(HttpMethod.POST, "client-stats", (request, query) -> {
      JsonNode report = jsonBody(request);
      String source = report.path("source").asText("");
      if (source.isEmpty() || source.length() > 200) {
        throw new AwsException("ValidationException", "A client report needs a source (at most 200 characters)");
      }
      if (clientReports.size() >= 100 && !clientReports.containsKey(source)) {
        throw new AwsException("LimitExceededException", "At most 100 clients report their retries");
      }
      clientReports.put(source, report);
      return Json.object().put("status", "recorded");
    });
    admin.register(HttpMethod.POST, "rotators", (request, query) -> {
      JsonNode body = jsonBody(request);
      String name = body.path("name").asText("");
      String url = body.path("url").asText("");
      if (name.isEmpty() || url.isEmpty()) {
        throw new AwsException("ValidationException", "Give name and url of the rotation callback");
      }
      try {
        rotations.registerCallback(name, URI.create(url));
      } catch (IllegalArgumentException e) {
        throw new AwsException("ValidationException", e.getMessage());
      }
      return rotationState();
    });
    admin.register(HttpMethod.POST, "clock", (request, query) -> {
      JsonNode body = jsonBody(request);
      if (body.has("advanceSeconds") && body.get("advanceSeconds").isNumber()) {
        double seconds = body.get("advanceSeconds").asDouble();
        checkClockRange("advanceSeconds", Json.epochSeconds(clock.now()) + seconds);
        clock.advance(Duration.ofMillis((long) (seconds * 1000)));
      } else if (body.has("epochSeconds") && body.get("epochSeconds").isNumber()) {
        double seconds = body.get("epochSeconds").asDouble();
        checkClockRange("epochSeconds", seconds);
        clock.set(Instant.ofEpochMilli((long) (seconds * 1000)));
      } else if (body.path("reset").asBoolean(false)) {
        clock.reset();
      } else {
        throw new AwsException("ValidationException",
            "Give one of advanceSeconds (number), epochSeconds (number) or reset (true)");
      }
      return clockState();
    });
  }

  /** The clock stays between 1970 and the end of 9999; beyond, its millisecond arithmetic would overflow. */
  private static void checkClockRange(String field, double epochSeconds) {
    if (!(epochSeconds >= 0 && epochSeconds <= LATEST_CLOCK_SECONDS)) {
      throw new AwsException("ValidationException",
          field + " would put the clock outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z");
    }
  }

  private ObjectNode rotationState() {
    ObjectNode state = Json.object();
    ArrayNode names = state.putArray("rotators");
    rotations.rotators().keySet().stream().sorted().forEach(names::add);
    ObjectNode outcomes = state.putObject("lastRotations");
    rotations.outcomes().forEach((arn, outcome) -> {
      ObjectNode entry = outcomes.putObject(arn).put("versionId", outcome.versionId())
          .put("succeeded", outcome.succeeded()).put("epochSeconds", Json.epochSeconds(outcome.at()));
      if (!outcome.succeeded()) {
        entry.put("failedStep", outcome.failedStep()).put("message", outcome.message());
      }
    });
    return state;
  }

  private static String firstParameter(io.netty.handler.codec.http.QueryStringDecoder query, String name) {
    List<String> values = query.parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** A page of the quota report, with what the clients reported. */
  private ObjectNode quotaState(ObjectNode state) {
    if (quotaStore != null) {
      state.set("cluster", quotaStore.report());
    }
    state.set("caches", caches.report());
    ObjectNode clients = state.putObject("clients");
    clientReports.forEach(clients::set);
    return state;
  }

  private static JsonNode jsonValue(io.netty.handler.codec.http.FullHttpRequest request) {
    try {
      return Json.readTree(io.netty.buffer.ByteBufUtil.getBytes(request.content()));
    } catch (IOException e) {
      throw new AwsException("SerializationException", "Expected JSON");
    }
  }

  private static JsonNode jsonBody(io.netty.handler.codec.http.FullHttpRequest request) {
    JsonNode body;
    try {
      body = Json.readTree(io.netty.buffer.ByteBufUtil.getBytes(request.content()));
    } catch (IOException e) {
      throw new AwsException("SerializationException", "Expected a JSON object");
    }
    if (body == null || !body.isObject()) {
      throw new AwsException("SerializationException", "Expected a JSON object");
    }
    return body;
  }

  private ObjectNode clockState() {
    return Json.object().put("epochSeconds", Json.epochSeconds(clock.now()))
        .put("offsetSeconds", clock.offset().toMillis() / 1000.0);
  }

  static String version() {
    String version = ShuntBackend.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** Options for an embedded backend; anything not set falls back to properties, environment, defaults. */
  public static final class Builder {
    private final Map<String, String> values = new LinkedHashMap<>();
    private OpenTelemetry openTelemetry;
    private FatalErrors.Policy onFatalError = FatalErrors.Policy.CLOSE_SERVER;
    private boolean durableByDefault;
    private IdentityProvider<? extends AwsCredentialsIdentity> upstreamCredentials;

    private Builder() {}

    /**
     * The credentials Shunt signs its calls to the upstream with (proxy mode); by default the
     * AWS SDK's default chain: environment, system properties, profile, container and instance roles.
     */
    public Builder upstreamCredentials(IdentityProvider<? extends AwsCredentialsIdentity> credentials) {
      this.upstreamCredentials = credentials;
      return this;
    }

    /** Keeps state in the default data directory unless told otherwise (serve's default; embedded, memory is). */
    public Builder durableByDefault() {
      this.durableByDefault = true;
      return this;
    }

    public Builder host(String host) {
      return option(Option.HOST.key(), host);
    }

    public Builder port(int port) {
      return option(Option.PORT.key(), Integer.toString(port));
    }

    public Builder auth(AuthMode mode) {
      return option(Option.AUTH.key(), mode.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** Access keys for SigV4 checking: {@code AKID:SECRET[:ACCOUNT],...}. */
    public Builder credentials(String credentials) {
      return option(Option.CREDENTIALS.key(), credentials);
    }

    /** Any option by its name (as on the command line, without dashes). */
    public Builder option(String name, String value) {
      values.put(name, value);
      return this;
    }

    /** Whether an option was set on this builder. */
    boolean has(String name) {
      return values.containsKey(name);
    }

    public Builder options(Map<String, String> options) {
      values.putAll(options);
      return this;
    }

    /**
     * The OpenTelemetry that receives the backend's spans and metrics; without one, the global
     * one once something sets it.
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = openTelemetry;
      return this;
    }

    /**
     * What the backend does when the JVM fails under it (out of memory...): by default it closes its
     * server and says so once, leaving the JVM to its owner; {@code EXIT_PROCESS} only where the JVM is Shunt's.
     */
    public Builder onFatalError(FatalErrors.Policy policy) {
      this.onFatalError = java.util.Objects.requireNonNull(policy, "policy");
      return this;
    }

    public ShuntBackend start() {
      ShuntOptions options = ShuntOptions.resolve(values, System.getProperties(), System.getenv());
      try {
        return new ShuntBackend(options, openTelemetry, onFatalError, durableByDefault, upstreamCredentials);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while starting Shunt", e);
      }
    }
  }
}
