package dev.shunt.backend;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.Credentials;
import dev.shunt.backend.auth.AdmittedAccounts;
import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.config.ShuntOptions.Option;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.quota.QuotaConfig;
import java.util.Map;

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
    Credentials credentials = Credentials.parse(options.get(Option.CREDENTIALS), options.get(Option.DEFAULT_ACCOUNT));
    if (!Credentials.isAccountId(credentials.defaultAccountId())) {
      throw new IllegalArgumentException("default-account must be 12 digits");
    }
    if (!regions(options).accepts(options.get(Option.DEFAULT_REGION))) {
      throw new IllegalArgumentException("default-region must be an AWS Region such as us-east-1, or one named in "
          + "extra-regions, not '" + options.get(Option.DEFAULT_REGION) + "'");
    }
    AdmittedAccounts.of(credentials, options.getInt(Option.MAX_ACCOUNTS));
    options.getInt(Option.THREADS);
    options.getInt(Option.PORT);
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
