package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The example applications, unmodified, under the agent, with no AWS settings whatsoever, on
 * Java 17 and 25: each prints its success line and exits 0.
 */
class ExamplesIT {
  @ParameterizedTest(name = "{0} on Java {1}")
  @CsvSource({
      "sdk-basics, 17, OK: envelope encryption with KMS key",
      "sdk-basics, 25, OK: envelope encryption with KMS key",
      "encryption-sdk, 17, OK: the Encryption SDK encrypted and decrypted 10800 bytes",
      "encryption-sdk, 25, OK: the Encryption SDK encrypted and decrypted 10800 bytes",
      "secrets-caching, 17, OK: read app/db-credentials through the Secrets Manager caching client",
      "secrets-caching, 25, OK: read app/db-credentials through the Secrets Manager caching client"})
  void runsUnderTheAgent(String example, int javaVersion, String success) throws Exception {
    Path java = javaVersion == 25 ? JavaProcess.java25() : JavaProcess.JAVA_17;
    JavaProcess.Result result = new JavaProcess(java)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath(), "-jar", JavaProcess.example(example).toString())
        .run(180);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith(success));
    assertThat(result.stderr()).as(result.describe()).doesNotContain("Exception").doesNotContain("agent disabled");
  }

  @ParameterizedTest(name = "{0} without the agent fails for want of AWS settings")
  @CsvSource({"sdk-basics", "secrets-caching"})
  void withoutTheAgentTheSameApplicationsNeedAws(String example) throws Exception {
    JavaProcess.Result result = new JavaProcess(JavaProcess.JAVA_17)
        .args("-jar", JavaProcess.example(example).toString()).run(120);
    assertThat(result.exitCode()).as(result.describe()).isNotZero();
    assertThat(result.stderr()).contains("Unable to load region");
  }
}
