package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The agent is a guest: turned off, or unable to start, it leaves the application exactly as it
 * would be without it (after at most one line on stderr).
 */
class AgentFailureIT {
  private static JavaProcess.Result probe(String agentOptions) throws Exception {
    return new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + agentOptions, "-jar",
            JavaProcess.example("routing-probe").toString())
        .env("AWS_REGION", "us-east-1").env("AWS_ACCESS_KEY_ID", "AKIDOFF").env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .run(180);
  }

  @Test
  void disabledItDoesNothing() throws Exception {
    JavaProcess.Result result = probe("=enabled=false");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stderr()).doesNotContain("[shunt]");
    // Without Shunt the KMS calls go to AWS, which this machine cannot reach.
    assertThat(result.stdout()).anyMatch(line -> line.startsWith("PROBE kms-url-connection fail"));
    assertThat(result.stdout()).contains("PROBE done");
  }

  @Test
  void aBrokenOptionDisablesItWithOneLineAndTheApplicationRunsOn() throws Exception {
    JavaProcess.Result result = probe("=auth=bogus");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stderr().lines().filter(l -> l.startsWith("[shunt]")).toList()).singleElement()
        .satisfies(line -> assertThat(line).contains("agent disabled").contains("auth"));
    assertThat(result.stdout()).contains("PROBE done");
    assertThat(result.stdout()).anyMatch(line -> line.startsWith("PROBE kms-url-connection fail"));
  }
}
