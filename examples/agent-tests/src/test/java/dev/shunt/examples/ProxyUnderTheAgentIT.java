package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent in proxy mode: an unmodified application's KMS and Secrets Manager calls go through
 * the embedded Shunt to an upstream (here a standalone Shunt playing AWS), signed with the
 * credentials the application's environment gives Shunt; SSM stays emulated in the application.
 */
class ProxyUnderTheAgentIT {
  private static final Path BACKEND = Path.of(System.getProperty("shunt.examples.dir", ".."))
      .resolve("../local-backend/target/shunt-backend.jar");

  @Test
  void anUnmodifiedAppRunsAgainstTheUpstreamThroughTheAgent() throws Exception {
    Process upstream = new JavaProcess(JavaProcess.JAVA_17)
        .args("-jar", BACKEND.toAbsolutePath().toString(), "serve", "--port", "0", "--in-memory", "--quotas", "off")
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(upstream.getInputStream(), StandardCharsets.UTF_8));
      String listening = out.readLine();
      assertThat(listening).startsWith("Shunt listening on http://127.0.0.1:");
      URI uri = URI.create(listening.substring("Shunt listening on ".length()).split(" ")[0]);

      JavaProcess.Result app = new JavaProcess(JavaProcess.JAVA_17)
          .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=upstream=kms=" + uri + ";secretsmanager="
              + uri + ",data-key-cache=on", "-jar", JavaProcess.example("sdk-basics").toString())
          .env("AWS_ACCESS_KEY_ID", "AKIAAGENTPROXY").env("AWS_SECRET_ACCESS_KEY", "proxy-secret")
          .run(120);
      assertThat(app.stdout()).as(app.describe())
          .anyMatch(line -> line.startsWith("OK: envelope encryption with KMS key "));

      HttpClient http = HttpClient.newHttpClient();
      JsonNode records = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(uri.resolve(
          "/_shunt/audit?limit=100")).GET().build(), HttpResponse.BodyHandlers.ofString()).body()).get("Records");
      assertThat(records.toString()).contains("\"eventSource\":\"kms.amazonaws.com\"")
          .contains("\"eventSource\":\"secretsmanager.amazonaws.com\"").doesNotContain("ssm.amazonaws.com");
      for (JsonNode record : records) {
        // Every call reached the upstream signed with Shunt's own (the environment's) access key.
        assertThat(record.path("userIdentity").path("accessKeyId").asText()).isEqualTo("AKIAAGENTPROXY");
      }
    } finally {
      upstream.destroy();
      upstream.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
