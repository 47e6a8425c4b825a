package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The agent supplies a Region and credentials only when the application has none, and its
 * options come by their one name from agent arguments, system properties or the environment.
 */
class AgentSettingsIT {
  private static JavaProcess probe() {
    return new JavaProcess(JavaProcess.JAVA_17).args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath());
  }

  private static JavaProcess.Result run(JavaProcess process) throws Exception {
    return process.args("-jar", JavaProcess.example("routing-probe").toString()).run(180);
  }

  /** Runs another of the routing probe's applications. */
  private static JavaProcess.Result run(JavaProcess process, String mainClass) throws Exception {
    return process.args("-cp", JavaProcess.example("routing-probe").toString(), "dev.shunt.examples." + mainClass)
        .run(120);
  }

  @Test
  void theApplicationsOwnRegionAndCredentialsAreKeptAndItsAccessKeyIsItsAccount() throws Exception {
    JavaProcess.Result result = run(probe().env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "111122223333").env("AWS_SECRET_ACCESS_KEY", "its-own"));
    assertThat(result.stdout()).as(result.describe())
        .anyMatch(line -> line.startsWith("PROBE kms-url-connection ok arn:aws:kms:eu-west-1:111122223333:key/"))
        .anyMatch(line -> line.startsWith("PROBE secrets ok arn:aws:secretsmanager:eu-west-1:111122223333:"));
  }

  @Test
  void aDefaultRegionOptionAppliesWhenTheApplicationHasNone() throws Exception {
    JavaProcess.Result result = run(probe().args("-Dshunt.default-region=ap-southeast-2"));
    assertThat(result.stdout()).as(result.describe())
        .anyMatch(line -> line.startsWith("PROBE kms-apache ok arn:aws:kms:ap-southeast-2:000000000000:key/"));
    // As an agent argument it reaches the interceptors (which supply the Region) as well.
    JavaProcess.Result byArgument = run(new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=default-region=sa-east-1"));
    assertThat(byArgument.stdout()).as(byArgument.describe())
        .anyMatch(line -> line.startsWith("PROBE kms-apache ok arn:aws:kms:sa-east-1:000000000000:key/"));
  }

  @Test
  void optionsComeFromSystemPropertiesAndTheEnvironmentToo() throws Exception {
    JavaProcess.Result byProperty = run(probe().args("-Dshunt.auth=bogus"));
    assertThat(byProperty.stderr()).as(byProperty.describe()).contains("[shunt] agent disabled").contains("auth");
    JavaProcess.Result byEnvironment = run(probe().env("SHUNT_ENABLED", "false")
        .env("AWS_REGION", "us-east-1").env("AWS_ACCESS_KEY_ID", "x").env("AWS_SECRET_ACCESS_KEY", "x"));
    assertThat(byEnvironment.stderr()).as(byEnvironment.describe()).doesNotContain("[shunt]");
    assertThat(byEnvironment.stdout()).anyMatch(line -> line.startsWith("PROBE kms-url-connection fail"));
  }

  @Test
  void anUnknownNameInTheEnvironmentIsIgnoredButAnUnknownAgentArgumentIsAnError() throws Exception {
    // Another tool's SHUNT_ variable (CI sets SHUNT_REQUIRE_JAVA25) must not turn the agent off.
    JavaProcess.Result unrelated = run(probe().env("SHUNT_REQUIRE_JAVA25", "1").args("-Dshunt.not-an-option=x"));
    assertThat(unrelated.stderr()).as(unrelated.describe()).doesNotContain("agent disabled");
    assertThat(unrelated.stdout()).anyMatch(line -> line.startsWith("PROBE kms-apache ok "));
    JavaProcess.Result typo = run(new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=quota=off"));
    assertThat(typo.stderr()).as(typo.describe())
        .contains("[shunt] agent disabled").contains("Unknown option --quota");
  }

  @Test
  void anEndpointOptionUsesARunningBackendInsteadOfStartingOne() throws Exception {
    try (dev.shunt.backend.ShuntBackend backend = dev.shunt.backend.ShuntBackend.builder().port(0).start()) {
      JavaProcess.Result result = run(new JavaProcess(JavaProcess.JAVA_17)
          .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + "=endpoint=" + backend.uri()));
      assertThat(result.stderr()).as(result.describe())
          .contains("[shunt] KMS, Secrets Manager and SSM clients go to " + backend.uri());
      String line = result.stdout().stream().filter(l -> l.startsWith("PROBE kms-apache ok ")).findFirst()
          .orElseThrow(() -> new AssertionError(result.describe()));
      String keyId = line.substring(line.indexOf(":key/") + 5, line.lastIndexOf(' '));
      var described = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(backend.uri())
          .header("X-Amz-Target", "TrentService.DescribeKey").header("Content-Type", "application/x-amz-json-1.1")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"KeyId\":\"" + keyId + "\"}")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(described.statusCode()).as(described.body()).isEqualTo(200);
    }
  }

  /** Shunt speaks only when it reroutes something: no line, and no backend, for an application that uses no AWS client. */
  @Test
  void anApplicationThatNeverUsesAwsHearsNothingFromShunt() throws Exception {
    JavaProcess.Result result = run(probe(), "NoAws");
    assertThat(result.stdout()).as(result.describe()).containsExactly("NOAWS done");
    assertThat(result.stderr()).as(result.describe()).doesNotContain("[shunt]");
  }

  /**
   * Frameworks resolve a Region and credentials with chains of their own while they configure a
   * builder; where those find nothing, a KMS, Secrets Manager or SSM client gets Shunt's (said once
   * for chains Shunt does not know), and never a probe of the instance metadata service.
   */
  @Test
  void whereAFrameworksChainsFindNothingTheRoutedClientGetsShuntsDefaults() throws Exception {
    JavaProcess.Result result = run(probe(), "ProviderChainsProbe");
    assertThat(result.stdout()).as(result.describe())
        .anyMatch(line -> line.startsWith("CHAINS sdk-defaults ok arn:aws:kms:us-east-1:000000000000:key/"))
        .anyMatch(line -> line.startsWith("CHAINS own-chains ok arn:aws:kms:us-east-1:000000000000:key/"));
    assertThat(result.stderr().lines().filter(line -> line.startsWith("[shunt] KMS client:"))).as(result.describe())
        .containsExactly("[shunt] KMS client: the application's Region providers found none (AwsRegionProviderChain);"
            + " Shunt's default Region us-east-1 is used",
            "[shunt] KMS client: the application's credentials provider (AwsCredentialsProviderChain) found none;"
            + " Shunt's are used");
  }

  @Test
  void aRegionAndCredentialsTheFrameworksChainsFindAreKept() throws Exception {
    JavaProcess.Result result = run(probe().env("AWS_REGION", "eu-west-1")
        .env("AWS_ACCESS_KEY_ID", "111122223333").env("AWS_SECRET_ACCESS_KEY", "its-own"), "ProviderChainsProbe");
    assertThat(result.stdout()).as(result.describe())
        .anyMatch(line -> line.startsWith("CHAINS sdk-defaults ok arn:aws:kms:eu-west-1:111122223333:key/"))
        .anyMatch(line -> line.startsWith("CHAINS own-chains ok arn:aws:kms:eu-west-1:111122223333:key/"));
    assertThat(result.stderr()).as(result.describe()).doesNotContain("found none");
  }
}
