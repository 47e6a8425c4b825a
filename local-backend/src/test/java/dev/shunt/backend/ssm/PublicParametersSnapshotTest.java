package dev.shunt.backend.ssm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * Keeps the snapshot behind AWS's public parameters true: the Regions (name, partition, DNS
 * suffix) and the services each Region offers come from the AWS SDK for Java's own endpoint
 * metadata ({@code endpoints.json} in the SDK's regions module, the version this build uses), and
 * the Amazon Linux AMI parameter names from a listing of {@code /aws/service/ami-amazon-linux-latest}.
 * Run with {@code -Dshunt.updatePublicParameters=true} to rewrite it after moving the SDK.
 */
class PublicParametersSnapshotTest {
  private static final Path SNAPSHOT = Path.of("src", "main", "resources", "dev", "shunt", "backend", "ssm",
      "public-parameters.json");
  private static final String SDK_ENDPOINTS = "software/amazon/awssdk/regions/internal/region/endpoints.json";
  /**
   * The names under /aws/service/ami-amazon-linux-latest, with the version each had, as AWS listed
   * them in us-east-1 (GetParametersByPath, recorded in getmoto/moto's resources, 2026).
   */
  private static final Map<String, Integer> AMAZON_LINUX_AMIS = new TreeMap<>(Map.ofEntries(
      Map.entry("al2023-ami-kernel-6.1-arm64", 154), Map.entry("al2023-ami-kernel-6.1-x86_64", 182),
      Map.entry("al2023-ami-kernel-6.12-arm64", 136), Map.entry("al2023-ami-kernel-6.12-x86_64", 136),
      Map.entry("al2023-ami-kernel-6.18-arm64", 62), Map.entry("al2023-ami-kernel-6.18-x86_64", 62),
      Map.entry("al2023-ami-kernel-default-arm64", 154), Map.entry("al2023-ami-kernel-default-x86_64", 182),
      Map.entry("al2023-ami-minimal-kernel-6.1-arm64", 182), Map.entry("al2023-ami-minimal-kernel-6.1-x86_64", 182),
      Map.entry("al2023-ami-minimal-kernel-6.12-arm64", 136), Map.entry("al2023-ami-minimal-kernel-6.12-x86_64", 136),
      Map.entry("al2023-ami-minimal-kernel-6.18-arm64", 62), Map.entry("al2023-ami-minimal-kernel-6.18-x86_64", 62),
      Map.entry("al2023-ami-minimal-kernel-default-arm64", 182),
      Map.entry("al2023-ami-minimal-kernel-default-x86_64", 182),
      Map.entry("amzn-ami-hvm-x86_64-ebs", 73), Map.entry("amzn-ami-hvm-x86_64-gp2", 73),
      Map.entry("amzn-ami-hvm-x86_64-s3", 73), Map.entry("amzn-ami-minimal-hvm-x86_64-ebs", 73),
      Map.entry("amzn-ami-minimal-hvm-x86_64-s3", 73), Map.entry("amzn-ami-minimal-pv-x86_64-ebs", 73),
      Map.entry("amzn-ami-minimal-pv-x86_64-s3", 73), Map.entry("amzn-ami-pv-x86_64-ebs", 73),
      Map.entry("amzn-ami-pv-x86_64-s3", 73), Map.entry("amzn2-ami-hvm-arm64-gp2", 188),
      Map.entry("amzn2-ami-hvm-x86_64-ebs", 201), Map.entry("amzn2-ami-hvm-x86_64-gp2", 202),
      Map.entry("amzn2-ami-kernel-4.14-hvm-arm64-gp2", 40), Map.entry("amzn2-ami-kernel-4.14-hvm-x86_64-ebs", 40),
      Map.entry("amzn2-ami-kernel-4.14-hvm-x86_64-gp2", 40), Map.entry("amzn2-ami-kernel-5.10-hvm-arm64-gp2", 154),
      Map.entry("amzn2-ami-kernel-5.10-hvm-x86_64-ebs", 154), Map.entry("amzn2-ami-kernel-5.10-hvm-x86_64-gp2", 154),
      Map.entry("amzn2-ami-kernel-default-hvm-arm64-gp2", 39),
      Map.entry("amzn2-ami-kernel-default-hvm-x86_64-ebs", 39),
      Map.entry("amzn2-ami-kernel-default-hvm-x86_64-gp2", 39), Map.entry("amzn2-ami-minimal-hvm-arm64-ebs", 188),
      Map.entry("amzn2-ami-minimal-hvm-x86_64-ebs", 201),
      Map.entry("amzn2-ami-minimal-kernel-4.14-hvm-arm64-ebs", 40),
      Map.entry("amzn2-ami-minimal-kernel-4.14-hvm-x86_64-ebs", 40),
      Map.entry("amzn2-ami-minimal-kernel-5.10-hvm-arm64-gp2", 38),
      Map.entry("amzn2-ami-minimal-kernel-5.10-hvm-x86_64-gp2", 38),
      Map.entry("amzn2-ami-minimal-kernel-default-hvm-arm64-gp2", 37),
      Map.entry("amzn2-ami-minimal-kernel-default-hvm-x86_64-gp2", 37)));

  static String render() throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    JsonNode endpoints;
    try (InputStream in = Region.class.getClassLoader().getResourceAsStream(SDK_ENDPOINTS)) {
      assertThat(in).as(SDK_ENDPOINTS + " in the SDK's regions module").isNotNull();
      endpoints = json.readTree(in);
    }
    ObjectNode snapshot = json.createObjectNode();
    snapshot.put("source", "AWS SDK for Java " + software.amazon.awssdk.core.util.VersionInfo.SDK_VERSION
        + " endpoint metadata; Amazon Linux AMI names as AWS listed them");
    ObjectNode regions = snapshot.putObject("regions");
    Map<String, ObjectNode> byName = new TreeMap<>();
    for (JsonNode partition : endpoints.get("partitions")) {
      Iterator<Map.Entry<String, JsonNode>> declared = partition.get("regions").fields();
      Map<String, TreeSet<String>> services = new TreeMap<>();
      while (declared.hasNext()) {
        Map.Entry<String, JsonNode> region = declared.next();
        ObjectNode entry = json.createObjectNode().put("longName", region.getValue().path("description").asText())
            .put("partition", partition.get("partition").asText())
            .put("domain", partition.get("dnsSuffix").asText());
        byName.put(region.getKey(), entry);
        services.put(region.getKey(), new TreeSet<>());
      }
      partition.get("services").fields().forEachRemaining(service -> service.getValue().path("endpoints")
          .fieldNames().forEachRemaining(region -> {
            if (services.containsKey(region)) {
              services.get(region).add(service.getKey());
            }
          }));
      services.forEach((region, offered) -> {
        ArrayNode list = byName.get(region).putArray("services");
        offered.forEach(list::add);
      });
    }
    byName.forEach(regions::set);
    ObjectNode amis = snapshot.putObject("amazonLinuxAmis");
    AMAZON_LINUX_AMIS.forEach(amis::put);
    return json.writeValueAsString(snapshot) + "\n";
  }

  @Test
  void theSnapshotIsTheSdksEndpointMetadata() throws IOException {
    String expected = render();
    if (Boolean.getBoolean("shunt.updatePublicParameters")) {
      Files.writeString(SNAPSHOT, expected);
    }
    assertThat(Files.readString(SNAPSHOT))
        .as("%s is stale; rerun with -Dshunt.updatePublicParameters=true", SNAPSHOT)
        .isEqualTo(expected);
  }
}
