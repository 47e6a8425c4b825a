package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.store.Persistent;
import dev.shunt.backend.store.StoreKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The Parameter Store service settings: {@code /ssm/parameter-store/high-throughput-enabled}
 * (which the quota engine reads) and {@code /ssm/parameter-store/default-parameter-tier}, named by
 * path or by ARN ({@code arn:aws:ssm:REGION:ACCOUNT:servicesetting/ssm/...}).
 */
final class ServiceSettings {
  static final String HIGH_THROUGHPUT = "/ssm/parameter-store/high-throughput-enabled";
  static final String DEFAULT_TIER = "/ssm/parameter-store/default-parameter-tier";

  /** A setting's current value: customized by UpdateServiceSetting, or the default. */
  record Setting(String value, Instant lastModified, String lastModifiedUser, boolean customized) {}

  /** A known setting: its default and the values UpdateServiceSetting accepts. */
  record Definition(String defaultValue, List<String> allowed) {}

  static final Map<String, Definition> DEFINITIONS = Map.of(
      HIGH_THROUGHPUT, new Definition("false", List.of("true", "false")),
      DEFAULT_TIER, new Definition("Standard", List.of("Standard", "Advanced", "Intelligent-Tiering")));

  static final String KIND = "ssm.serviceSettings";

  private ServiceSettings() {}

  /**
   * One setting of one account in one Region as the store keeps it: its document is the
   * customized value (read from the Region's map when written), or null (a removal) while it has
   * its default. Every change of the setting touches this one object.
   */
  static final class Stored implements Persistent {
    private final SsmRegion region;
    private final String id;
    private final StoreKey storeKey;

    Stored(SsmRegion region, String id) {
      this.region = region;
      this.id = id;
      this.storeKey = new StoreKey(KIND, region.accountId, region.region, id);
    }

    @Override
    public StoreKey storeKey() {
      return storeKey;
    }

    @Override
    public ObjectNode document() {
      Setting setting = region.settings.get(id);
      return setting == null ? null : ParameterDocuments.setting(id, setting);
    }
  }

  /** The setting's path, from either form; throws ServiceSettingNotFound for settings Shunt does not know. */
  static String normalize(String settingId) {
    String id = settingId;
    if (id.startsWith("arn:")) {
      int at = id.indexOf(":servicesetting/");
      id = at < 0 ? id : id.substring(at + ":servicesetting".length());
    }
    if (!DEFINITIONS.containsKey(id)) {
      throw SsmErrors.settingNotFound(settingId);
    }
    return id;
  }

  static String arn(String partition, String region, String accountId, String path) {
    return "arn:" + partition + ":ssm:" + region + ":" + accountId + ":servicesetting" + path;
  }
}
