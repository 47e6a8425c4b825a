package dev.shunt.backend.upstream;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where each proxied service's requests go, from the {@code upstream} option: entries
 * {@code SERVICE=URL} (kms, secretsmanager, ssm, or all for every service not named), a URL
 * holding {@code {region}} and {@code {service}} placeholders, or {@code aws} for AWS itself.
 */
public final class UpstreamEndpoints {
  /** The services Shunt can forward, by SigV4 signing name. */
  public static final List<String> SERVICES = List.of("kms", "secretsmanager", "ssm");
  private static final String ALL = "all";
  private static final String AWS = "https://{service}.{region}.amazonaws.com";
  private static final UpstreamEndpoints NONE = new UpstreamEndpoints(Map.of());

  /** URL template by signing name, {@code all} included; validated at parse time. */
  private final Map<String, String> templates;

  private UpstreamEndpoints(Map<String, String> templates) {
    this.templates = templates;
  }

  /**
   * Parses the option's text: null or blank is nothing proxied. Throws IllegalArgumentException
   * with a message starting "upstream: " that names the bad entry.
   */
  public static UpstreamEndpoints parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return NONE;
    }
    Map<String, String> templates = new LinkedHashMap<>();
    for (String raw : spec.split(",", -1)) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        throw new IllegalArgumentException("upstream: an empty entry in '" + spec.trim()
            + "' (entries are SERVICE=URL separated by commas)");
      }
      int equals = entry.indexOf('=');
      String service = (equals < 0 ? entry : entry.substring(0, equals)).trim().toLowerCase(Locale.ROOT);
      String url = equals < 0 ? "" : entry.substring(equals + 1).trim();
      if (!service.equals(ALL) && !SERVICES.contains(service)) {
        throw new IllegalArgumentException("upstream: unknown service '" + service + "' in '" + entry
            + "' (kms, secretsmanager, ssm or all)");
      }
      if (url.isEmpty()) {
        throw new IllegalArgumentException("upstream: '" + entry + "' has no URL (" + service + "=URL or "
            + service + "=aws)");
      }
      if (templates.containsKey(service)) {
        throw new IllegalArgumentException("upstream: " + service + " is named twice in '" + spec.trim() + "'");
      }
      String template = url.equalsIgnoreCase("aws") ? AWS : withoutTrailingSlash(url);
      checkTemplate(entry, template);
      templates.put(service, template);
    }
    return new UpstreamEndpoints(Collections.unmodifiableMap(templates));
  }

  public boolean isEmpty() {
    return templates.isEmpty();
  }

  /** Whether requests of this service ("kms", "secretsmanager", "ssm") go upstream. */
  public boolean proxies(String signingName) {
    return template(signingName) != null;
  }

  /**
   * The endpoint, {@code scheme://host[:port]}, for this service in this Region (a Region name
   * the caller validated); IllegalArgumentException if the service is not proxied.
   */
  public URI endpoint(String signingName, String region) {
    String template = template(signingName);
    if (template == null) {
      throw new IllegalArgumentException("upstream: " + signingName + " is not proxied");
    }
    if (region == null || region.isEmpty()) {
      throw new IllegalArgumentException("upstream: no Region for " + signingName);
    }
    String url = fill(template, signingName, region);
    if (template.equals(AWS) && region.startsWith("cn-")) {
      // AWS's China partition lives under its own domain.
      url = url + ".cn";
    }
    try {
      return new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("upstream: '" + url + "' is not a URL for Region " + region);
    }
  }

  private String template(String signingName) {
    if (signingName == null || !SERVICES.contains(signingName)) {
      return null;
    }
    String own = templates.get(signingName);
    return own != null ? own : templates.get(ALL);
  }

  private static String fill(String template, String service, String region) {
    return template.replace("{service}", service).replace("{region}", region);
  }

  private static String withoutTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** Refuses what cannot be an endpoint whatever the Region: checked once with sample values. */
  private static void checkTemplate(String entry, String template) {
    URI uri;
    try {
      uri = new URI(fill(template, "kms", "us-east-1"));
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("upstream: '" + entry + "' is not a URL (http(s)://host[:port], "
          + "{region} and {service} allowed)");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("upstream: '" + entry + "' is not an http(s) URL");
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("upstream: '" + entry + "' carries user information; "
          + "credentials come from Shunt's AWS credential chain");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("upstream: '" + entry + "' has a query or fragment; give http(s)://host[:port]");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("upstream: '" + entry + "' names no host");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      // AWS JSON 1.1 requests go to "/": a path would be silently dropped or, worse, mis-signed.
      throw new IllegalArgumentException("upstream: '" + entry + "' has a path; give http(s)://host[:port]");
    }
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    templates.forEach((service, template) -> text.append(text.length() == 0 ? "" : ",")
        .append(service).append('=').append(template));
    return text.toString();
  }
}
