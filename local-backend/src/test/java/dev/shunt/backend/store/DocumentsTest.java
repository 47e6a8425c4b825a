package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DocumentsTest {
  private static ObjectNode json(String text) throws Exception {
    return (ObjectNode) Json.readTree(text);
  }

  @Test
  void tagsComeAsAwsListsThemOrAsPeopleWriteThem() throws Exception {
    assertThat(Documents.tags(json("{\"Tags\":[{\"Key\":\"team\",\"Value\":\"core\"}]}").get("Tags")))
        .isEqualTo(Map.of("team", "core"));
    assertThat(Documents.tags(json("{\"Tags\":{\"team\":\"core\"}}").get("Tags"))).isEqualTo(Map.of("team", "core"));
    assertThat(Documents.tags(null)).isNull();
    assertThatThrownBy(() -> Documents.tags(json("{\"Tags\":[{\"Key\":\"a\"},{\"Key\":\"a\"}]}").get("Tags")))
        .hasMessage("Tags: the key a is given twice");
    assertThatThrownBy(() -> Documents.tags(json("{\"Tags\":[{\"Key\":\"a\",\"Valeu\":\"x\"}]}").get("Tags")))
        .hasMessageStartingWith("Tags[0]: unknown field 'Valeu'");
    assertThatThrownBy(() -> Documents.tags(json("{\"Tags\":\"team=core\"}").get("Tags")))
        .hasMessageStartingWith("Tags must be a list of {Key, Value}");
  }

  @Test
  void timesComeInEveryFormADocumentMayUse() throws Exception {
    Instant noon = Instant.parse("2026-01-31T12:00:00Z");
    assertThat(Documents.date(json("{\"At\":\"2026-01-31T12:00:00Z\"}"), "At")).isEqualTo(noon);
    assertThat(Documents.date(json("{\"At\":\"2026-01-31T13:00:00+01:00\"}"), "At")).isEqualTo(noon);
    assertThat(Documents.date(json("{\"At\":\"2026-01-31\"}"), "At")).isEqualTo(Instant.parse("2026-01-31T00:00:00Z"));
    assertThat(Documents.date(json("{\"At\":" + noon.getEpochSecond() + "}"), "At")).isEqualTo(noon);
    assertThat(Documents.date(json("{}"), "At")).isNull();
    assertThatThrownBy(() -> Documents.date(json("{\"At\":\"yesterday\"}"), "At"))
        .hasMessage("At must be an ISO-8601 date and time such as 2026-01-31T12:00:00Z, not 'yesterday'");
    ObjectNode written = Json.object();
    Documents.putDate(written, "At", noon);
    Documents.putDate(written, "Never", null);
    assertThat(written.toString()).isEqualTo("{\"At\":\"2026-01-31T12:00:00Z\"}");
  }
}
