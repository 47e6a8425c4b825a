package dev.shunt.backend.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Shunt's options. Each has one name, spelled the same everywhere: {@code --quotas} on the
 * command line, {@code SHUNT_QUOTAS} in the environment, {@code shunt.quotas} as a system
 * property, {@code quotas:} in the YAML config file. The first source that sets an option wins,
 * in that order: command line (or the embedding API), system property, environment, file.
 */
public final class ShuntOptions {
  /** Every option, with its default and the line {@code --help} prints. */
  public enum Option {
    CONFIG("config", null, "YAML file of options (the names below, without dashes)"),
    HOST("host", "127.0.0.1", "address to bind; beyond loopback it needs --auth sigv4 and your own --credentials"),
    PORT("port", "4566", "port to listen on; 0 picks a free one"),
    IN_MEMORY("in-memory", null, "keep no state beyond the process (embedded default; serve keeps it in a data directory)"),
    DATA_DIR("data-dir", null, "directory of the durable state (SQLite); serve's default is ~/.shunt/data"),
    DURABILITY("durability", "full", "full: each acknowledged write is fsynced; process: it survives Shunt's crash, not "
        + "the machine's"),
    STORE("store", null, "postgresql://USER:PASSWORD@HOST:PORT/DATABASE: keep state in PostgreSQL, shared by every node "
        + "pointed at it (needs root-key); default: the data directory"),
    QUOTA_STORE("quota-store", null, "redis://[:PASSWORD@]HOST:PORT[/DB]: keep quota buckets in Redis, shared by every "
        + "node pointed at it; default: each node its own"),
    NODE_ID("node-id", null, "this node's name in audit records, spans and cluster totals (default HOST-PID)"),
    ROOT_KEY("root-key", null, "base64 of the 32-byte key that seals stored state (give it as SHUNT_ROOT_KEY); "
        + "default: the key file"),
    ROOT_KEY_FILE("root-key-file", null, "file of the root key, made owner-only on first start (default DATA_DIR/root.key)"),
    SEED("seed", null, "YAML or JSON files of keys, secrets and parameters to create at start: FILE,..."),
    PRINCIPALS("principals", null, "YAML or JSON file of IAM users and roles: their ARNs, access keys and identity "
        + "policies (without it, every access key acts as its account's root)"),
    AUTH("auth", "trust", "trust: read the SigV4 scope, do not check it; sigv4: verify signatures"),
    CREDENTIALS("credentials", "test:test", "access keys for --auth sigv4: AKID:SECRET[:ACCOUNT],..."),
    ADMIN_TOKEN("admin-token", null, "token /_shunt/* requires (Authorization: Bearer TOKEN); without one, one is "
        + "generated and printed under --auth sigv4 or beyond loopback"),
    ALLOWED_HOSTS("allowed-hosts", null, "host names requests may use besides localhost and IP addresses: NAME,..."),
    OUTBOUND_HOSTS("outbound-hosts", null, "hosts beyond loopback that rotation callbacks may call: NAME,..."),
    DEFAULT_ACCOUNT("default-account", "000000000000", "account of access keys that are not 12 digits"),
    DEFAULT_REGION("default-region", "us-east-1", "Region of requests that carry no SigV4 scope"),
    EXTRA_REGIONS("extra-regions", null, "Regions accepted besides AWS's published ones: NAME,... (e.g. xx-east-1)"),
    MAX_ACCOUNTS("max-accounts", "100", "most accounts that may have state (1 to 100000); new ones beyond are refused"),
    MAX_BODY_BYTES("max-body-bytes", "1048576", "largest request body accepted"),
    THREADS("threads", "0", "HTTP event-loop threads; 0 means one per core"),
    ROTATION_CALLBACKS("rotation-callbacks", null, "HTTP rotation functions: NAME=URL,... (NAME = Lambda function name)"),
    QUOTAS("quotas", "aws", "aws (AWS's default request quotas), off, or a YAML file of quota settings"),
    QUOTA_SCALE("quota-scale", null, "multiply every AWS default quota, e.g. 0.1"),
    FAULTS("faults", null, "YAML file of fault-injection rules (latency, errors, resets, schedules)"),
    DATA_KEY_CACHE("data-key-cache", "off", "on: answer GenerateDataKey(WithoutPlaintext) from a cache of data keys "
        + "(re-uses a data key: see docs/caching.md)"),
    DATA_KEY_CACHE_MAX_AGE("data-key-cache-max-age", "300s", "longest a cached data key is handed out"),
    DATA_KEY_CACHE_MAX_USES("data-key-cache-max-uses", "4294967296", "most requests one cached data key answers"),
    DECRYPT_CACHE_TTL("decrypt-cache-ttl", "0", "how long a Decrypt result is re-used; 0 is off"),
    SECRET_CACHE_TTL("secret-cache-ttl", "0", "how long a GetSecretValue result is re-used; 0 is off, on is 300s"),
    PARAMETER_CACHE_TTL("parameter-cache-ttl", "0", "how long GetParameter(s)(ByPath) results are re-used; 0 is off, "
        + "on is 300s"),
    CACHE_MAX_ENTRIES("cache-max-entries", "10000", "most entries each cache holds (least recently used go first)"),
    UPSTREAM("upstream", null, "forward services to real AWS instead of emulating them: kms=URL,secretsmanager=URL,"
        + "ssm=URL or all=URL; URL may hold {region}; aws means https://SERVICE.{region}.amazonaws.com"),
    UPSTREAM_MAX_ATTEMPTS("upstream-max-attempts", "3", "attempts per upstream call (throttling, 5xx, I/O errors "
        + "are retried with capped exponential backoff and full jitter)"),
    UPSTREAM_ATTEMPT_TIMEOUT("upstream-attempt-timeout", "10s", "longest wait for one upstream answer"),
    UPSTREAM_TIMEOUT("upstream-timeout", "30s", "longest an upstream call takes, retries included"),
    AUDIT_LOG("audit-log", null, "JSON-lines file of CloudTrail-shaped records, one per call (rotated by size)"),
    AUDIT_LOG_MAX_BYTES("audit-log-max-bytes", "104857600", "size at which the audit log rotates"),
    AUDIT_LOG_FILES("audit-log-files", "5", "rotated audit logs kept (FILE.1 ... FILE.N)"),
    AUDIT_RECENT("audit-recent", "1000", "records kept in memory for GET /_shunt/audit");

    private final String key;
    private final String defaultValue;
    private final String help;

    Option(String key, String defaultValue, String help) {
      this.key = key;
      this.defaultValue = defaultValue;
      this.help = help;
    }

    public String key() {
      return key;
    }

    public String help() {
      return help;
    }

    public String defaultValue() {
      return defaultValue;
    }

    public String environmentName() {
      return "SHUNT_" + key.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    public String propertyName() {
      return "shunt." + key;
    }

    static Option byKey(String key) {
      for (Option option : values()) {
        if (option.key.equals(key)) {
          return option;
        }
      }
      return null;
    }
  }

  /** Keys of the config file whose value is a structure, not an option's text. */
  private static final Set<String> STRUCTURED_KEYS = Set.of("quotas", "faults");

  private final Map<Option, String> values;
  private final Set<Option> explicit;
  private final JsonNode file;

  private ShuntOptions(Map<Option, String> values, Set<Option> explicit, JsonNode file) {
    this.values = values;
    this.explicit = explicit;
    this.file = file;
  }

  /** Resolves options from explicit values (the command line), system properties, environment and file. */
  public static ShuntOptions resolve(Map<String, String> explicit, Properties properties, Map<String, String> env) {
    Map<Option, String> given = new LinkedHashMap<>();
    explicit.forEach((key, value) -> {
      Option option = Option.byKey(key);
      if (option == null) {
        throw new IllegalArgumentException("Unknown option --" + key);
      }
      given.put(option, value);
    });
    Set<Option> strict = EnumSet.noneOf(Option.class);
    strict.addAll(given.keySet());
    for (Option option : Option.values()) {
      if (!given.containsKey(option)) {
        String value = properties.getProperty(option.propertyName());
        if (value == null) {
          value = env.get(option.environmentName());
        }
        if (value != null) {
          given.put(option, value);
        }
      }
    }
    JsonNode file = readFile(given.get(Option.CONFIG));
    if (file != null) {
      Iterator<Map.Entry<String, JsonNode>> fields = file.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        Option option = Option.byKey(field.getKey());
        boolean structured = STRUCTURED_KEYS.contains(field.getKey()) && field.getValue().isContainerNode();
        if (option == null && !structured || option == Option.CONFIG) {
          throw new IllegalArgumentException("Config file " + given.get(Option.CONFIG) + ": unknown key '"
              + field.getKey() + "'");
        }
        if (structured) {
          continue;
        }
        if (!field.getValue().isValueNode() || field.getValue().isNull()) {
          throw new IllegalArgumentException("Config file " + given.get(Option.CONFIG) + ": " + field.getKey()
              + " takes a single value");
        }
        strict.add(option);
        given.putIfAbsent(option, field.getValue().asText());
      }
    }
    return new ShuntOptions(given, strict, file);
  }

  /** Parses {@code --name value}, {@code --name=value} and bare flags ({@code --in-memory}). */
  public static Map<String, String> parseArguments(String[] args, int from) {
    Map<String, String> parsed = new LinkedHashMap<>();
    for (int i = from; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("Unexpected argument '" + arg + "'");
      }
      String name = arg.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i];
      } else {
        value = "true";
      }
      if (parsed.put(name, value) != null) {
        throw new IllegalArgumentException("--" + name + " is given twice");
      }
    }
    return parsed;
  }

  private static JsonNode readFile(String path) {
    if (path == null) {
      return null;
    }
    JsonNode tree = readYaml(path, "config file");
    if (tree != null && !tree.isObject()) {
      throw new IllegalArgumentException("Config file " + path + " must be a YAML mapping");
    }
    return tree;
  }

  /** A YAML (or JSON) file's tree; {@code what} names the file in the error ("the quota file") when it cannot be read. */
  public static JsonNode readYaml(String path, String what) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(Files.readString(Path.of(path)));
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read " + what + " " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * Whether the option was given on the command line, by the embedding API or in the config file,
   * where Shunt refuses what has no effect; environment variables and system properties are
   * shared with other tools, so they may hold what Shunt does not use.
   */
  public boolean isExplicit(Option option) {
    return explicit.contains(option);
  }

  public String get(Option option) {
    return values.getOrDefault(option, option.defaultValue);
  }

  public int getInt(Option option) {
    long value = getLong(option);
    if (value != (int) value) {
      throw new IllegalArgumentException(option.key + " is too large: " + value);
    }
    return (int) value;
  }

  public long getLong(Option option) {
    String value = get(option);
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option.key + " must be a whole number, not '" + value + "'");
    }
  }

  public boolean getBoolean(Option option) {
    String value = get(option).trim().toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true", "yes", "1", "on" -> true;
      case "false", "no", "0", "off" -> false;
      default -> throw new IllegalArgumentException(option.key + " must be true or false, not '" + value + "'");
    };
  }

  /** The config file's whole tree (null without one), for options with structured values. */
  public JsonNode file() {
    return file;
  }

  /** The usage text of every option. */
  public static String usage() {
    StringBuilder usage = new StringBuilder();
    for (Option option : Option.values()) {
      usage.append(String.format("  --%-24s %s%s%n", option.key, option.help,
          option.defaultValue == null ? "" : " (default " + option.defaultValue + ")"));
    }
    usage.append("Each option can also be set as SHUNT_NAME in the environment or -Dshunt.name.\n");
    return usage.toString();
  }
}
