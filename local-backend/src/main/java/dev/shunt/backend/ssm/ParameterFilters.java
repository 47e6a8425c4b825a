package dev.shunt.backend.ssm;

import dev.shunt.backend.core.CommonErrors;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * DescribeParameters' and GetParametersByPath's ParameterFilters (and DescribeParameters'
 * older Filters), checked as SSM checks them: which keys each operation takes, which options
 * each key takes, which values are valid; then matched against a parameter's latest version.
 */
final class ParameterFilters {
  /** One filter: key ({@code Name}, {@code Type}, {@code tag:Team}...), option, values. */
  record Filter(String key, String option, List<String> values) {}

  private static final Set<String> TYPES = Set.of("String", "StringList", "SecureString");
  private static final Set<String> TIERS = Set.of("Standard", "Advanced", "Intelligent-Tiering");
  private static final List<String> DESCRIBE_KEYS = List.of("Name", "Type", "KeyId", "Path", "Tier", "DataType",
      "Label", "tag:");
  private static final List<String> BY_PATH_KEYS = List.of("Type", "KeyId", "Label", "tag:");

  private ParameterFilters() {}

  /** ParameterFilters of DescribeParameters ({@code byPath} false) or GetParametersByPath ({@code byPath} true). */
  static List<Filter> parse(List<Filter> given, boolean byPath) {
    List<String> keys = byPath ? BY_PATH_KEYS : DESCRIBE_KEYS;
    List<Filter> filters = new ArrayList<>(given.size());
    Set<String> seen = new HashSet<>();
    for (Filter filter : given) {
      String key = filter.key();
      boolean tag = key.startsWith("tag:");
      if (!tag && !keys.contains(key)) {
        throw SsmErrors.invalidFilterKey("The following filter key is not valid: " + key
            + ". Valid filter keys include: " + keys + ".");
      }
      if (!seen.add(key)) {
        throw SsmErrors.duplicateFilter(key);
      }
      String option = filter.option() == null ? (key.equals("Path") ? "OneLevel" : "Equals") : filter.option();
      List<String> options = switch (tag ? "tag:" : key) {
        case "Name" -> List.of("Equals", "BeginsWith", "Contains");
        case "Path" -> List.of("Recursive", "OneLevel");
        case "tag:" -> List.of("Equals", "BeginsWith");
        default -> List.of("Equals");
      };
      if (!options.contains(option)) {
        throw SsmErrors.invalidFilterOption("The following filter option is not valid: " + option
            + ". Valid options include: " + options + ".");
      }
      if (filter.values().isEmpty() && !tag) {
        throw SsmErrors.invalidFilterValue("The following filter values are missing: " + key + ".");
      }
      for (String value : filter.values()) {
        if (key.equals("Path")) {
          checkPathValue(value);
          continue;
        }
        boolean valid = switch (tag ? "tag:" : key) {
          case "Type" -> TYPES.contains(value);
          case "Tier" -> TIERS.contains(value);
          default -> !value.isEmpty();
        };
        if (!valid) {
          throw SsmErrors.invalidFilterValue("The following filter value is not valid: " + value + ".");
        }
      }
      filters.add(new Filter(key, option, filter.values()));
    }
    return filters;
  }

  /**
   * A Path filter's value: under /aws or /ssm it is refused (AWS's public parameters are not
   * described), and it must be a path as GetParametersByPath takes it ("/a/" included), with
   * ValidationException, not InvalidFilterValue (moto's test_describe_parameters_invalid_path
   * and test_describe_parameters_invalid_parameter_filters, messages copied from AWS).
   */
  private static void checkPathValue(String value) {
    if (value.regionMatches(true, 0, "/aws", 0, 4) || value.regionMatches(true, 0, "/ssm", 0, 4)) {
      throw CommonErrors.validation(SsmErrors.COMMON_PATH_FILTER);
    }
    if (!ParameterNames.validPath(value)) {
      throw SsmErrors.invalidPath();
    }
  }

  /** DescribeParameters' older Filters: keys Name (prefix), Type and KeyId, each at most once. */
  static List<Filter> parseLegacy(List<Filter> given) {
    List<Filter> filters = new ArrayList<>(given.size());
    Set<String> seen = new HashSet<>();
    for (Filter filter : given) {
      String key = filter.key();
      if (!key.equals("Name") && !key.equals("Type") && !key.equals("KeyId")) {
        throw SsmErrors.invalidFilterKey("The following filter key is not valid: " + key
            + ". Valid filter keys include: [Name, Type, KeyId].");
      }
      if (!seen.add(key)) {
        throw SsmErrors.duplicateFilter(key);
      }
      if (key.equals("Type") && !TYPES.containsAll(filter.values())) {
        throw SsmErrors.invalidFilterValue("The following filter value is not valid: " + filter.values() + ".");
      }
      filters.add(new Filter(key, key.equals("Name") ? "BeginsWith" : "Equals", filter.values()));
    }
    return filters;
  }

  /** True when every filter matches; call under the parameter's lock (labels move). */
  static boolean matches(List<Filter> filters, Parameter parameter, ParameterVersion latest,
      Map<String, String> tags) {
    for (Filter filter : filters) {
      if (!matches(filter, parameter, latest, tags)) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(Filter filter, Parameter parameter, ParameterVersion latest,
      Map<String, String> tags) {
    String key = filter.key();
    if (key.startsWith("tag:")) {
      String value = tags.get(key.substring(4));
      if (value == null) {
        return false;
      }
      return filter.values().isEmpty() || filter.values().stream().anyMatch(v ->
          filter.option().equals("BeginsWith") ? value.startsWith(v) : value.equals(v));
    }
    // Names and paths compare in key form, where "x" is "/x" (moto's _match_filters does the same).
    return filter.values().stream().anyMatch(value -> switch (key) {
      case "Name" -> switch (filter.option()) {
        case "BeginsWith" -> parameter.key.startsWith(withSlash(value));
        case "Contains" -> parameter.key.contains(value);
        default -> parameter.key.equals(withSlash(value));
      };
      case "Type" -> latest.type.equals(value);
      case "KeyId" -> value.equals(latest.keyId);
      case "Tier" -> latest.tier.equals(value);
      case "DataType" -> latest.dataType.equals(value);
      case "Label" -> parameter.versions.values().stream().anyMatch(v -> v.labels.contains(value));
      case "Path" -> {
        String prefix = value.endsWith("/") ? value : value + "/";
        yield parameter.key.startsWith(prefix) && (filter.option().equals("Recursive")
            || parameter.key.indexOf('/', prefix.length()) < 0);
      }
      default -> false;
    });
  }

  private static String withSlash(String value) {
    return value.startsWith("/") ? value : "/" + value;
  }
}
