package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve} keeps state in a data directory by default, and {@code export} writes it as a seed file. */
class ExportCommandIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void serveKeepsStateInTheHomeDataDirectoryByDefault() throws Exception {
    Path home = dir.resolve("home");
    String keyId;
    try (MainIT.Shunt shunt = MainIT.Shunt.launch(List.of("-Duser.home=" + home), Map.of(), "serve", "--port", "0")
        .awaitListening()) {
      assertThat(shunt.stdoutLines.poll(30, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo("Shunt state: " + home.resolve(".shunt/data") + " (empty)");
      HttpResponse<String> created = shunt.kms("CreateKey", "{\"Description\":\"kept\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
      keyId = JSON.readTree(created.body()).path("KeyMetadata").path("KeyId").asText();
    }
    assertThat(home.resolve(".shunt/data/shunt.db")).exists();
    try (MainIT.Shunt again = MainIT.Shunt.launch(List.of("-Duser.home=" + home), Map.of(), "serve", "--port", "0")
        .awaitListening()) {
      assertThat(again.stdoutLines.poll(30, java.util.concurrent.TimeUnit.SECONDS)).endsWith("(1 kms.keys)");
      assertThat(again.kms("DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void exportWritesADataDirectoryAsASeedFileWhenNoShuntHoldsIt() throws Exception {
    Path data = dir.resolve("data");
    String keyId;
    try (MainIT.Shunt shunt = MainIT.Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--data-dir",
        data.toString()).awaitListening()) {
      keyId = JSON.readTree(shunt.kms("CreateKey", "{}").body()).path("KeyMetadata").path("KeyId").asText();
      MainIT.Shunt busy = MainIT.Shunt.launch(List.of(), Map.of(), "export", "--data-dir", data.toString());
      assertThat(busy.awaitExit()).isEqualTo(1);
      assertThat(busy.stderr.toString()).contains("is in use by another Shunt");
    }
    Path output = dir.resolve("export.json");
    MainIT.Shunt export = MainIT.Shunt.launch(List.of(), Map.of(), "export", "--data-dir", data.toString(),
        "--plaintext", "--output", output.toString());
    assertThat(export.awaitExit()).as(export.stderr.toString()).isEqualTo(0);
    JsonNode file = JSON.readTree(Files.readString(output));
    JsonNode key = file.path("regions").get(0).path("kms").path("keys").get(0);
    assertThat(key.path("KeyId").asText()).isEqualTo(keyId);
    assertThat(key.path("KeyMaterials").get(0).path("Material").asText()).doesNotStartWith("sealed:").hasSize(44);

    MainIT.Shunt sealed = MainIT.Shunt.launch(List.of(), Map.of(), "export", "--data-dir", data.toString());
    assertThat(sealed.awaitExit()).isEqualTo(0);
    assertThat(sealed.stdout.toString()).contains(keyId).contains("\"Material\" : \"sealed:");

    // The export seeds a fresh backend, whose own export is the same.
    try (MainIT.Shunt seeded = MainIT.Shunt.launch(List.of(), Map.of(), "serve", "--port", "0", "--seed",
        output.toString()).awaitListening()) {
      assertThat(seeded.kms("DescribeKey", "{\"KeyId\":\"" + keyId + "\"}").statusCode()).isEqualTo(200);
    }
    MainIT.Shunt wrong = MainIT.Shunt.launch(List.of(), Map.of(), "export", "--data-dir", data.toString(),
        "--port", "1");
    assertThat(wrong.awaitExit()).isEqualTo(2);
    assertThat(wrong.stderr.toString()).contains("export takes --data-dir");
  }
}
