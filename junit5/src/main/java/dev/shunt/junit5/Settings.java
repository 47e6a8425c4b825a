package dev.shunt.junit5;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What an extension was told: from {@link ShuntTest} or {@link ShuntExtension.Builder}. */
record Settings(Reset reset, List<String> seeds, String principals, String quotas, Double quotaScale,
    Map<String, Double> quotaRates, String faultsFile, List<Fault> faults, Auth auth, String region,
    String accessKeyId, String secretAccessKey, Map<String, String> options) {

  static final String DEFAULT_ACCESS_KEY = "test";
  static final String DEFAULT_SECRET_KEY = "test";

  Settings {
    seeds = List.copyOf(seeds);
    quotaRates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(quotaRates));
    faults = List.copyOf(faults);
    options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
  }

  static Settings defaults() {
    return new Settings(Reset.PER_METHOD, List.of(), null, "off", null, Map.of(), null, List.of(), Auth.TRUST,
        "us-east-1", DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, Map.of());
  }

  static Settings of(ShuntTest test) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String option : test.options()) {
      int equals = option.indexOf('=');
      if (equals <= 0) {
        throw new IllegalArgumentException("@ShuntTest options are name=value, not '" + option + "'");
      }
      options.put(option.substring(0, equals).trim(), option.substring(equals + 1).trim());
    }
    return new Settings(test.reset(), List.of(test.seed()), blankToNull(test.principals()), test.quotas(), null,
        Map.of(), blankToNull(test.faults()), List.of(), test.auth(), test.region(), DEFAULT_ACCESS_KEY,
        DEFAULT_SECRET_KEY, options);
  }

  private static String blankToNull(String text) {
    return text == null || text.isBlank() ? null : text;
  }
}
