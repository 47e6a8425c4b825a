package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.auth.AwsRegions;
import dev.shunt.backend.core.AwsService;
import dev.shunt.backend.http.OutboundHosts;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.kms.KmsService;
import dev.shunt.backend.secrets.SecretReferences;
import dev.shunt.backend.secrets.SecretRotations;
import dev.shunt.backend.secrets.SecretsBackend;
import dev.shunt.backend.secrets.SecretsService;
import dev.shunt.backend.ssm.SsmBackend;
import dev.shunt.backend.ssm.SsmService;
import dev.shunt.backend.time.ShuntClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/coverage.md true: the table lists every operation of every model with whether
 * Shunt implements it. Run with {@code -Dshunt.updateCoverage=true} to rewrite it.
 */
class CoverageTableTest {
  private static final Path TABLE = Path.of("..", "docs", "coverage.md");

  static List<AwsService> services() {
    KmsBackend kms = new KmsBackend();
    SecretsBackend secrets = new SecretsBackend(kms, new SecretRotations(new ShuntClock(), OutboundHosts.loopbackOnly()),
        AwsRegions.published());
    return List.of(new KmsService(kms), new SecretsService(secrets),
        new SsmService(new SsmBackend(kms, new SecretReferences(secrets))));
  }

  static String render() {
    StringBuilder out = new StringBuilder("# Operation coverage\n\n"
        + "Generated from the AWS API models and the backend's handlers by `CoverageTableTest`\n"
        + "(`mvn -pl local-backend test -Dtest=CoverageTableTest -Dshunt.updateCoverage=true` rewrites it).\n"
        + "An operation not implemented answers with an error that says so; it never pretends.\n");
    for (AwsService service : services()) {
      List<String> operations = service.model().operationNames().stream().sorted().toList();
      long implemented = operations.stream().filter(service.operations()::containsKey).count();
      out.append("\n## ").append(service.model().serviceId()).append(" (").append(implemented).append(" of ")
          .append(operations.size()).append(")\n\n| operation | implemented |\n|---|---|\n");
      for (String operation : operations) {
        out.append("| ").append(operation).append(" | ")
            .append(service.operations().containsKey(operation) ? "yes" : "not yet").append(" |\n");
      }
    }
    return out.toString();
  }

  @Test
  void coverageTableMatchesTheCode() throws IOException {
    String expected = render();
    if (Boolean.getBoolean("shunt.updateCoverage")) {
      Files.writeString(TABLE, expected);
    }
    assertThat(Files.readString(TABLE))
        .as("docs/coverage.md is stale; rerun with -Dshunt.updateCoverage=true")
        .isEqualTo(expected);
  }
}
