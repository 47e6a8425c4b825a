package dev.shunt.backend;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AdmittedAccounts;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.auth.AccessControl;
import dev.shunt.backend.auth.Credentials;
import dev.shunt.backend.auth.Principals;
import dev.shunt.backend.cache.CacheSettings;
import dev.shunt.backend.config.Durations;
import dev.shunt.backend.upstream.UpstreamEndpoints;
import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.config.ShuntOptions.Option;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.RedisLocation;
import dev.shunt.backend.store.RootKey;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The options' values checked before anything is built. A class of its own, small, so that the
 * agent can check its arguments as the JVM starts without loading the backend (which it starts
 * only once a client needs it).
 */
public final class BackendOptions {
  private BackendOptions() {}

  /** Refuses (IllegalArgumentException) what {@code ShuntBackend.builder().options(explicit).start()} would refuse in them. */
  public static void check(Map<String, String> explicit) {
    check(ShuntOptions.resolve(explicit, System.getProperties(), System.getenv()));
  }

  /** Refuses what the backend would refuse in the options' values, without building anything. */
  static void check(ShuntOptions options) {
    AuthMode.parse(options.get(Option.AUTH));
    Credentials credentials = credentials(options);
    AccessControl.of(credentials.principals());
    if (!Credentials.isAccountId(credentials.defaultAccountId())) {
      throw new IllegalArgumentException("default-account must be 12 digits");
    }
    if (!regions(options).accepts(options.get(Option.DEFAULT_REGION))) {
      throw new IllegalArgumentException("default-region must be an AWS Region such as us-east-1, or one named in "
          + "extra-regions, not '" + options.get(Option.DEFAULT_REGION) + "'");
    }
    AdmittedAccounts.of(credentials, options.getInt(Option.MAX_ACCOUNTS));
    checkState(options);
    int threads = options.getInt(Option.THREADS);
    if (threads < 0 || threads > 1024) {
      throw new IllegalArgumentException("threads must be 0 (one per core) to 1024");
    }
    int port = options.getInt(Option.PORT);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0 to 65535");
    }
    checkExposure(options);
    checkNames(Option.ALLOWED_HOSTS, options);
    checkNames(Option.OUTBOUND_HOSTS, options);
    checkRotationCallbacks(options);
    if (options.getInt(Option.MAX_BODY_BYTES) < 1024) {
      throw new IllegalArgumentException("max-body-bytes must be at least 1024");
    }
    int recent = options.getInt(Option.AUDIT_RECENT);
    long maxBytes = options.getLong(Option.AUDIT_LOG_MAX_BYTES);
    int files = options.getInt(Option.AUDIT_LOG_FILES);
    if (recent < 1 || recent > 100_000) {
      throw new IllegalArgumentException("audit-recent must be between 1 and 100000");
    }
    if (maxBytes < 4096 || files < 0 || files > 1000) {
      throw new IllegalArgumentException("audit-log-max-bytes must be at least 4096 and audit-log-files 0 to 1000");
    }
    JsonNode file = options.file();
    QuotaConfig.fromOptions(options.get(Option.QUOTAS), file == null ? null : file.get("quotas"),
        options.get(Option.QUOTA_SCALE));
    new FaultInjector().configure(faultRules(options.get(Option.FAULTS), file));
    CacheSettings.fromOptions(options);
    checkUpstream(options);
    checkQuotaStore(options);
    checkUnused(options);
  }

  /** A quota store must be a Redis URL whose host resolves; the message never repeats its password. */
  private static void checkQuotaStore(ShuntOptions options) {
    String url = options.get(Option.QUOTA_STORE);
    if (url == null) {
      return;
    }
    if (url.isBlank()) {
      if (options.isExplicit(Option.QUOTA_STORE)) {
        throw new IllegalArgumentException("quota-store must be redis://[:PASSWORD@]HOST:PORT[/DB], or not given");
      }
      return;
    }
    RedisLocation.parse(url).checkResolves();
  }

  /**
   * The upstream option's entries: separated by commas, or by semicolons where commas separate
   * something else already (the agent's arguments: {@code upstream=kms=URL;ssm=URL}).
   */
  static String upstreamSpec(ShuntOptions options) {
    String spec = options.get(Option.UPSTREAM);
    return spec == null ? null : spec.replace(';', ',');
  }

  private static void checkUpstream(ShuntOptions options) {
    UpstreamEndpoints.parse(upstreamSpec(options));
    int attempts = options.getInt(Option.UPSTREAM_MAX_ATTEMPTS);
    if (attempts < 1 || attempts > 10) {
      throw new IllegalArgumentException("upstream-max-attempts must be 1 to 10");
    }
    for (Option timeout : List.of(Option.UPSTREAM_ATTEMPT_TIMEOUT, Option.UPSTREAM_TIMEOUT)) {
      if (Durations.parse(timeout.key(), options.get(timeout)).isZero()) {
        throw new IllegalArgumentException(timeout.key() + " must be more than 0");
      }
    }
  }

  /** The access keys of {@code credentials} and of the principals file, if any. */
  static Credentials credentials(ShuntOptions options) {
    Credentials credentials = Credentials.parse(options.get(Option.CREDENTIALS), options.get(Option.DEFAULT_ACCOUNT));
    String file = options.get(Option.PRINCIPALS);
    if (file == null || file.isBlank()) {
      return credentials;
    }
    Path directory = Path.of(file).toAbsolutePath().getParent();
    return credentials.with(Principals.parse(ShuntOptions.readYaml(file, "the principals file"),
        "principals file " + file, policyFile -> {
          try {
            return Files.readString(directory.resolve(policyFile));
          } catch (java.io.IOException e) {
            throw new IllegalArgumentException("principals file " + file + ": cannot read policy file " + policyFile);
          }
        }));
  }

  /**
   * This node's name in audit records and cluster totals: node-id, else the host's name and the
   * process id, which tell apart the nodes of a cluster on one machine too.
   */
  static String nodeId(ShuntOptions options) {
    String id = options.get(Option.NODE_ID);
    if (id != null && !id.isBlank()) {
      return id.trim();
    }
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      host = "localhost";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** serve's data directory when it is given none (and not --in-memory). */
  static Path defaultDataDir() {
    return Path.of(System.getProperty("user.home"), ".shunt", "data");
  }

  /**
   * Where state is kept: the data directory, or null for memory only. In memory unless given a
   * data directory, or {@code in-memory false}, or started by serve ({@code durableByDefault}).
   */
  static Path dataDir(ShuntOptions options, boolean durableByDefault) {
    String dir = options.get(Option.DATA_DIR);
    String inMemory = options.get(Option.IN_MEMORY);
    boolean memory;
    if (inMemory != null && dir != null && options.getBoolean(Option.IN_MEMORY)) {
      // One given on the command line (or in the file) overrides the other from the environment.
      memory = options.isExplicit(Option.IN_MEMORY);
    } else {
      memory = inMemory != null ? options.getBoolean(Option.IN_MEMORY) : dir == null && !durableByDefault;
    }
    if (memory) {
      return null;
    }
    return dir != null ? Path.of(dir) : defaultDataDir();
  }

  private static void checkState(ShuntOptions options) {
    if (options.get(Option.IN_MEMORY) != null && options.getBoolean(Option.IN_MEMORY)
        && options.get(Option.DATA_DIR) != null
        && options.isExplicit(Option.IN_MEMORY) == options.isExplicit(Option.DATA_DIR)) {
      throw new IllegalArgumentException("in-memory keeps nothing, and data-dir keeps state: give one of them");
    }
    String nodeId = options.get(Option.NODE_ID);
    if (nodeId != null && !nodeId.trim().matches("[A-Za-z0-9._:-]{1,64}")) {
      throw new IllegalArgumentException("node-id must be 1 to 64 letters, digits, '.', '_', ':' or '-'");
    }
    String store = options.get(Option.STORE);
    if (store != null) {
      dev.shunt.backend.store.PostgresStore.checkUrl(store);
      if (options.isExplicit(Option.DATA_DIR)
          || options.isExplicit(Option.IN_MEMORY) && options.getBoolean(Option.IN_MEMORY)) {
        throw new IllegalArgumentException("store keeps state in PostgreSQL: give no data-dir or in-memory with it");
      }
      if (options.get(Option.ROOT_KEY) == null && options.get(Option.ROOT_KEY_FILE) == null) {
        throw new IllegalArgumentException("store needs root-key (or root-key-file), the same on every node: it seals"
            + " key material and secret values before they leave the node");
      }
    }
    String dir = options.get(Option.DATA_DIR);
    if (dir != null && dir.isBlank()) {
      throw new IllegalArgumentException("data-dir must name a directory");
    }
    String durability = options.get(Option.DURABILITY).trim().toLowerCase(Locale.ROOT);
    if (!durability.equals("full") && !durability.equals("process")) {
      throw new IllegalArgumentException("durability must be full or process, not '" + durability + "'");
    }
    String rootKey = options.get(Option.ROOT_KEY);
    if (rootKey != null) {
      RootKey.fromText(rootKey, "root-key");
      if (options.get(Option.ROOT_KEY_FILE) != null) {
        throw new IllegalArgumentException("root-key and root-key-file both give the root key: give one of them");
      }
    }
    for (String seed : seedFiles(options)) {
      if (!Files.isReadable(Path.of(seed))) {
        throw new IllegalArgumentException("seed file " + seed + " cannot be read");
      }
    }
  }

  /** The seed files, in the order given. */
  static List<String> seedFiles(ShuntOptions options) {
    String seeds = options.get(Option.SEED);
    if (seeds == null || seeds.isBlank()) {
      return List.of();
    }
    return Arrays.stream(seeds.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** An option given on the command line or in the config file that would change nothing is a mistake. */
  private static void checkUnused(ShuntOptions options) {
    if (options.isExplicit(Option.QUOTA_SCALE) && "off".equals(options.get(Option.QUOTAS).trim())) {
      throw new IllegalArgumentException("quota-scale has no effect with quotas off");
    }
    boolean memoryOnly = options.get(Option.IN_MEMORY) != null && options.getBoolean(Option.IN_MEMORY);
    if (memoryOnly && (options.isExplicit(Option.DURABILITY) || options.isExplicit(Option.ROOT_KEY_FILE))) {
      throw new IllegalArgumentException("durability and root-key-file have no effect with in-memory");
    }
    if (options.get(Option.AUDIT_LOG) == null && (options.isExplicit(Option.AUDIT_LOG_MAX_BYTES)
        || options.isExplicit(Option.AUDIT_LOG_FILES))) {
      throw new IllegalArgumentException("audit-log-max-bytes and audit-log-files need an audit-log file");
    }
  }

  /**
   * Beyond loopback, anyone on the network can call: only checked signatures, with access keys
   * of the operator's own, and an admin token keep them from everything Shunt holds.
   */
  private static void checkExposure(ShuntOptions options) {
    String token = options.get(Option.ADMIN_TOKEN);
    if (token != null && (token.length() < 16 || token.length() > 256
        || !token.chars().allMatch(c -> c > ' ' && c < 127))) {
      throw new IllegalArgumentException("admin-token must be 16 to 256 visible ASCII characters");
    }
    String host = options.get(Option.HOST);
    if (bindsLoopback(host)) {
      return;
    }
    if (AuthMode.parse(options.get(Option.AUTH)) != AuthMode.SIGV4
        || options.get(Option.CREDENTIALS).equals(Option.CREDENTIALS.defaultValue())) {
      throw new IllegalArgumentException("host " + host + " is reachable beyond this machine: it needs --auth sigv4 "
          + "and --credentials AKID:SECRET of your own (and takes --admin-token, else one is generated and printed)");
    }
  }

  /** Whether {@code host} is a loopback address (or a name of one); refuses one that cannot be resolved. */
  public static boolean bindsLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("host " + host + " is not an address of this machine");
    }
  }

  /** A comma-separated list of host names or addresses, lower case; empty for none. */
  static Set<String> names(String list) {
    if (list == null || list.isBlank()) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (String name : list.split(",")) {
      String trimmed = name.trim().toLowerCase(Locale.ROOT);
      if (!trimmed.isEmpty()) {
        names.add(trimmed);
      }
    }
    return names;
  }

  private static void checkNames(Option option, ShuntOptions options) {
    for (String name : names(options.get(option))) {
      if (name.length() > 253 || !name.chars().allMatch(c -> c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '-' || c == '.' || c == ':' || c == '[' || c == ']')) {
        throw new IllegalArgumentException(option.key() + " takes host names or addresses, not '" + name + "'");
      }
    }
  }

  /** {@code name=url,name2=url2}: HTTP rotation callbacks by the Lambda function name that selects them. */
  static java.util.Map<String, URI> rotationCallbacks(String spec) {
    java.util.Map<String, URI> callbacks = new LinkedHashMap<>();
    if (spec == null || spec.isBlank()) {
      return callbacks;
    }
    for (String entry : spec.split(",")) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("rotation-callbacks entries are NAME=URL, not '" + entry.trim() + "'");
      }
      try {
        callbacks.put(entry.substring(0, eq).trim(), URI.create(entry.substring(eq + 1).trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rotation-callbacks: '" + entry.trim() + "' has no valid URL");
      }
    }
    return callbacks;
  }

  private static void checkRotationCallbacks(ShuntOptions options) {
    OutboundHosts outbound = new OutboundHosts(
        names(options.get(Option.OUTBOUND_HOSTS)));
    rotationCallbacks(options.get(Option.ROTATION_CALLBACKS)).forEach((name, url) -> {
      if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
        throw new IllegalArgumentException("rotation-callbacks: " + name + " must be an http(s) URL");
      }
      try {
        outbound.check(url);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("rotation-callbacks: " + name + ": " + e.getMessage());
      }
    });
  }

  /** The Regions requests may name: AWS's, and those of {@code extra-regions}. */
  static AwsRegions regions(ShuntOptions options) {
    return AwsRegions.withExtra(options.get(Option.EXTRA_REGIONS));
  }

  /** Fault rules from the {@code faults} file, else the config file's {@code faults:} list. */
  static JsonNode faultRules(String path, JsonNode file) {
    if (path != null && !path.isBlank()) {
      return ShuntOptions.readYaml(path, "the faults file");
    }
    return file == null ? null : file.get("faults");
  }
}
