package dev.shunt.backend.ssm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.RequestContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * AWS's public parameters, which every account reads and none can change: the global
 * infrastructure tree ({@code /aws/service/global-infrastructure/regions/us-east-1/longName},
 * {@code .../services/kms/regions/eu-west-1}...) and the latest Amazon Linux AMIs
 * ({@code /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}). They come from a
 * snapshot shipped with Shunt (the SDK's endpoint metadata; {@code PublicParametersSnapshotTest}
 * keeps it true), read when first asked for. The AMI ids are fake, well-formed and differ by Region.
 */
final class PublicParameters {
  static final String PREFIX = "/aws/service/";
  private static final String REGIONS = "/aws/service/global-infrastructure/regions";
  private static final String SERVICES = "/aws/service/global-infrastructure/services";
  private static final String AMAZON_LINUX = "/aws/service/ami-amazon-linux-latest/";
  private static final String SNAPSHOT = "public-parameters.json";
  /** When the snapshot's values last changed, as far as a client can tell. */
  private static final Instant SNAPSHOT_DATE = Instant.parse("2026-09-04T00:00:00Z");

  /** One public parameter; an AMI's value depends on the Region asking. */
  record Entry(String name, String value, long version, boolean amiOfRegion) {
    String valueIn(String region) {
      return amiOfRegion ? fakeAmi(region, name) : value;
    }
  }

  private static volatile NavigableMap<String, Entry> tree;

  private PublicParameters() {}

  /** Whether {@code path} (a GetParametersByPath path) lies among the public parameters. */
  static boolean covers(String path) {
    return path.startsWith(PREFIX) || path.equals(PREFIX.substring(0, PREFIX.length() - 1));
  }

  /** The public parameter of that name, or null. */
  static Entry get(String name) {
    return tree().get(name);
  }

  /** Every public parameter, by name. */
  static NavigableMap<String, Entry> tree() {
    NavigableMap<String, Entry> loaded = tree;
    if (loaded == null) {
      synchronized (PublicParameters.class) {
        loaded = tree;
        if (loaded == null) {
          loaded = load();
          tree = loaded;
        }
      }
    }
    return loaded;
  }

  /** A public parameter as GetParameter shows it in the caller's Region: String, text, no account in its ARN. */
  static SsmBackend.View view(RequestContext ctx, Entry entry, String selector) {
    ParameterVersion version = new ParameterVersion(entry.version(), "String", entry.valueIn(ctx.region()), null,
        null, null, null, "Standard", List.of(), "text", SNAPSHOT_DATE, null);
    String arn = "arn:" + Identity.partitionOf(ctx.region()) + ":ssm:" + ctx.region() + "::parameter" + entry.name();
    return new SsmBackend.View(entry.name(), arn, version, selector, version.value, null);
  }

  private static NavigableMap<String, Entry> load() {
    JsonNode snapshot;
    try (InputStream in = PublicParameters.class.getResourceAsStream(SNAPSHOT)) {
      if (in == null) {
        throw new IllegalStateException(SNAPSHOT + " is missing from Shunt's jar");
      }
      snapshot = Json.readTree(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + SNAPSHOT, e);
    }
    NavigableMap<String, Entry> entries = new TreeMap<>();
    snapshot.get("regions").fields().forEachRemaining(region -> {
      String name = region.getKey();
      JsonNode facts = region.getValue();
      String base = REGIONS + "/" + name;
      put(entries, base, name);
      put(entries, base + "/longName", facts.get("longName").asText());
      put(entries, base + "/partition", facts.get("partition").asText());
      put(entries, base + "/domain", facts.get("domain").asText());
      for (JsonNode service : facts.get("services")) {
        String code = service.asText();
        put(entries, base + "/services/" + code, code);
        put(entries, SERVICES + "/" + code, code);
        put(entries, SERVICES + "/" + code + "/regions/" + name, name);
      }
    });
    for (Map.Entry<String, JsonNode> ami : (Iterable<Map.Entry<String, JsonNode>>) snapshot.get("amazonLinuxAmis")
        ::fields) {
      String name = AMAZON_LINUX + ami.getKey();
      entries.put(name, new Entry(name, null, ami.getValue().asLong(), true));
    }
    return entries;
  }

  private static void put(Map<String, Entry> entries, String name, String value) {
    entries.putIfAbsent(name, new Entry(name, value, 1, false));
  }

  /**
   * {@code ami-0feed} and 12 hex digits of a hash of the Region and the name: well-formed (AWS's
   * 17-digit form), the same on every machine, different in every Region, and recognisably not
   * an AMI anyone published.
   */
  static String fakeAmi(String region, String name) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest((region + name).getBytes(StandardCharsets.UTF_8));
      return "ami-0feed" + HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
