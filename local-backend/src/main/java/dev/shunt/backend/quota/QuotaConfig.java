package dev.shunt.backend.quota;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.auth.Credentials;
import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.core.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the quota engine enforces: AWS's defaults ({@code aws}) or nothing ({@code off}), a scale
 * factor on every default (0.1 reproduces AWS's throttling at a tenth of its load), absolute
 * rates for groups or single operations, and per-account pins (a raised-quota account):
 * <pre>
 * profile: aws
 * scale: 0.1
 * rates: { "kms:symmetric": 500, "kms:Decrypt": 100, "secretsmanager:GetSecretValue": 50 }
 * accounts:
 *   "111122223333": { scale: 10, rates: { "kms:symmetric": 200000 } }
 * </pre>
 */
public record QuotaConfig(boolean enabled, double scale, Map<String, Double> rates, Map<String, Account> accounts) {

  /** One account's own quotas: its scale (instead of the global one) and rates (over the global ones). */
  public record Account(Double scale, Map<String, Double> rates) {}

  public static QuotaConfig aws() {
    return new QuotaConfig(true, 1.0, Map.of(), Map.of());
  }

  public static QuotaConfig off() {
    return new QuotaConfig(false, 1.0, Map.of(), Map.of());
  }

  /**
   * From the options: {@code quotas} is {@code aws}, {@code off} or a YAML/JSON file (or, in
   * the config file, the mapping itself); {@code quota-scale} multiplies the defaults.
   */
  public static QuotaConfig fromOptions(String quotas, JsonNode configured, String scale) {
    QuotaConfig config;
    if (configured != null && configured.isObject()) {
      config = parse(configured);
    } else if (quotas == null || quotas.isBlank() || quotas.equalsIgnoreCase("aws")) {
      config = aws();
    } else if (quotas.equalsIgnoreCase("off")) {
      config = off();
    } else {
      config = parse(ShuntOptions.readYaml(quotas, "the quota file"));
    }
    if (scale != null && !scale.isBlank()) {
      config = new QuotaConfig(config.enabled, number("quota-scale", scale), config.rates, config.accounts);
    }
    return config;
  }

  /** Reads the mapping form (the quota file, the config file's {@code quotas:}, or the admin API's body). */
  public static QuotaConfig parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("A quota configuration is a mapping with profile, scale, rates, accounts");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals("profile") && !name.equals("scale") && !name.equals("rates") && !name.equals("accounts")) {
        throw new IllegalArgumentException("Unknown quota setting '" + name + "' (profile, scale, rates, accounts)");
      }
    }
    String profile = node.path("profile").asText("aws").toLowerCase(Locale.ROOT);
    if (!profile.equals("aws") && !profile.equals("off")) {
      throw new IllegalArgumentException("Quota profile must be aws or off, not '" + profile + "'");
    }
    double scale = node.has("scale") ? positive("scale", node.get("scale")) : 1.0;
    Map<String, Account> accounts = new LinkedHashMap<>();
    JsonNode accountsNode = node.path("accounts");
    if (!accountsNode.isMissingNode() && !accountsNode.isObject()) {
      throw new IllegalArgumentException("Quota accounts must be a mapping of account id to quotas");
    }
    accountsNode.fields().forEachRemaining(entry -> {
      if (!Credentials.isAccountId(entry.getKey())) {
        throw new IllegalArgumentException("Quota accounts are 12-digit account ids, not '" + entry.getKey() + "'");
      }
      JsonNode account = entry.getValue();
      accounts.put(entry.getKey(), new Account(account.has("scale") ? positive("scale", account.get("scale")) : null,
          rates(account.path("rates"))));
    });
    return new QuotaConfig(profile.equals("aws"), scale, rates(node.path("rates")), accounts);
  }

  private static Map<String, Double> rates(JsonNode node) {
    Map<String, Double> rates = new LinkedHashMap<>();
    if (node.isMissingNode()) {
      return rates;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("Quota rates must be a mapping of group or service:Operation to a rate");
    }
    node.fields().forEachRemaining(entry -> {
      if (!entry.getKey().contains(":")) {
        throw new IllegalArgumentException("Quota rate names are service:group or service:Operation, not '"
            + entry.getKey() + "'");
      }
      rates.put(entry.getKey(), positive(entry.getKey(), entry.getValue()));
    });
    return rates;
  }

  private static double positive(String name, JsonNode value) {
    if (!value.isNumber() && !value.isTextual()) {
      throw new IllegalArgumentException(name + " must be a number");
    }
    return number(name, value.asText());
  }

  private static double number(String name, String text) {
    double value;
    try {
      value = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, not '" + text + "'");
    }
    if (!(value >= 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(name + " must be zero or more, not " + text);
    }
    return value;
  }

  /** The group a request counts against for this account: a rate set for the operation itself wins. */
  String groupFor(String accountId, String service, String operation, boolean highThroughput) {
    String own = service + ":" + operation;
    Account account = accounts.get(accountId);
    if (rates.containsKey(own) || (account != null && account.rates.containsKey(own))) {
      return own;
    }
    return AwsQuotaTable.groupOf(service, operation, highThroughput);
  }

  /** The rate of a group for an account in a Region: an account's rate, the global rate, or the scaled default. */
  double rate(String accountId, String region, String group) {
    Account account = accounts.get(accountId);
    if (account != null && account.rates.containsKey(group)) {
      return account.rates.get(group);
    }
    if (rates.containsKey(group)) {
      return rates.get(group);
    }
    double factor = account != null && account.scale != null ? account.scale : scale;
    String defaulted = group.startsWith("kms:") || group.startsWith("secretsmanager:") || group.startsWith("ssm:")
        ? group : null;
    return defaulted == null ? Double.POSITIVE_INFINITY : AwsQuotaTable.defaultRate(group, region) * factor;
  }

  ObjectNode toJson() {
    ObjectNode node = Json.object().put("profile", enabled ? "aws" : "off").put("scale", scale);
    ObjectNode ratesNode = node.putObject("rates");
    rates.forEach(ratesNode::put);
    ObjectNode accountsNode = node.putObject("accounts");
    accounts.forEach((id, account) -> {
      ObjectNode entry = accountsNode.putObject(id);
      if (account.scale != null) {
        entry.put("scale", account.scale);
      }
      ObjectNode accountRates = entry.putObject("rates");
      account.rates.forEach(accountRates::put);
    });
    return node;
  }
}
