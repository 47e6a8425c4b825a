package dev.shunt.interceptors;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the application's own AWS configuration holds, read the way the SDK's default chains read
 * it (system properties, environment, the shared config and credentials files of the active
 * profile), without asking the instance metadata service: whether it has a Region, whether it has
 * credentials, and where an endpoint it configured came from.
 */
final class AppDefaults {
  private AppDefaults() {}

  static boolean hasRegion() {
    return present(System.getProperty("aws.region")) || present(System.getenv("AWS_REGION"))
        || profile(configFile(), profileSection()).containsKey("region");
  }

  static boolean hasCredentials() {
    if (present(System.getProperty("aws.accessKeyId")) || present(System.getenv("AWS_ACCESS_KEY_ID"))
        || present(System.getProperty("aws.webIdentityTokenFile"))
        || present(System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE"))
        || present(System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
        || present(System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        || profile(credentialsFile(), profileName()).containsKey("aws_access_key_id")) {
      return true;
    }
    Map<String, String> profile = profile(configFile(), profileSection());
    for (String key : List.of("aws_access_key_id", "credential_process", "sso_session", "sso_start_url", "role_arn",
        "web_identity_token_file")) {
      if (profile.containsKey(key)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Which of the SDK's endpoint settings gave {@code endpoint} to a client of {@code service}
   * ({@code AWS_ENDPOINT_URL_KMS}, {@code aws.endpointUrl}, a profile's {@code endpoint_url}...),
   * in the SDK's order; null when none did (the application set it in code).
   */
  static String endpointSource(RoutedService service, URI endpoint) {
    String[][] settings = {
        {"system property aws.endpointUrl" + service.propertySuffix,
            System.getProperty("aws.endpointUrl" + service.propertySuffix)},
        {"system property aws.endpointUrl", System.getProperty("aws.endpointUrl")},
        {"AWS_ENDPOINT_URL_" + service.variableSuffix, System.getenv("AWS_ENDPOINT_URL_" + service.variableSuffix)},
        {"AWS_ENDPOINT_URL", System.getenv("AWS_ENDPOINT_URL")}};
    for (String[] setting : settings) {
      if (same(setting[1], endpoint)) {
        return setting[0];
      }
    }
    Map<String, String> profile = profile(configFile(), profileSection());
    String services = profile.get("services");
    String key = service.profileKey + ".endpoint_url";
    if (services != null && same(profile(configFile(), "services " + services).get(key), endpoint)) {
      return "the profile's services section " + services + " (" + key + ")";
    }
    if (same(profile.get(key), endpoint)) {
      return "the profile's " + key;
    }
    return same(profile.get("endpoint_url"), endpoint) ? "the profile's endpoint_url" : null;
  }

  private static boolean same(String configured, URI endpoint) {
    if (!present(configured)) {
      return false;
    }
    try {
      URI uri = URI.create(configured.trim());
      return endpoint.getHost() != null && endpoint.getHost().equals(uri.getHost())
          && endpoint.getPort() == uri.getPort() && endpoint.getScheme().equals(uri.getScheme());
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static boolean present(String value) {
    return value != null && !value.isBlank();
  }

  private static String profileName() {
    String profile = System.getProperty("aws.profile");
    if (present(profile)) {
      return profile.trim();
    }
    profile = System.getenv("AWS_PROFILE");
    return present(profile) ? profile.trim() : "default";
  }

  /** The active profile's section name in the config file: {@code default} or {@code profile NAME}. */
  private static String profileSection() {
    String name = profileName();
    return name.equals("default") ? name : "profile " + name;
  }

  private static Path configFile() {
    String file = System.getenv("AWS_CONFIG_FILE");
    return present(file) ? Path.of(file) : userHome().resolve(".aws").resolve("config");
  }

  private static Path credentialsFile() {
    String file = System.getenv("AWS_SHARED_CREDENTIALS_FILE");
    return present(file) ? Path.of(file) : userHome().resolve(".aws").resolve("credentials");
  }

  /** The home directory as the SDK finds it: {@code HOME} first (as the AWS CLI does), then {@code user.home}. */
  private static Path userHome() {
    String home = System.getenv("HOME");
    return Path.of(present(home) ? home : System.getProperty("user.home"));
  }

  /**
   * The properties of one section of an INI profile file, keys lower-cased, sub-properties as
   * {@code parent.child} ({@code kms =} followed by an indented {@code endpoint_url = ...}). The
   * config file's default profile may also be written {@code [profile default]}.
   */
  static Map<String, String> profile(Path file, String section) {
    Map<String, String> properties = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return properties;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException | RuntimeException e) {
      return properties;
    }
    boolean inSection = false;
    String parent = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (line.startsWith("[") && line.endsWith("]")) {
        String name = line.substring(1, line.length() - 1).trim().replaceAll("\\s+", " ");
        inSection = name.equals(section) || (section.equals("default") && name.equals("profile default"));
        parent = null;
        continue;
      }
      int eq = line.indexOf('=');
      if (!inSection || eq < 0) {
        continue;
      }
      String key = line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(eq + 1).trim();
      boolean indented = Character.isWhitespace(raw.charAt(0));
      if (indented && parent != null) {
        properties.put(parent + "." + key, value);
      } else {
        properties.put(key, value);
        parent = value.isEmpty() ? key : null;
      }
    }
    return properties;
  }
}
