package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each agent option the README shows, run as the README shows it, on the README's applications
 * with no AWS settings at all: it must work together with what the agent supplies (Region,
 * credentials) and with its embedded backend.
 */
class ReadmeOptionsIT {
  private static final String OK = "OK: envelope encryption with KMS key ";

  private static JavaProcess underTheAgent(String agentOptions) {
    return new JavaProcess(JavaProcess.JAVA_17).args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + agentOptions);
  }

  private static JavaProcess.Result sdkBasics(JavaProcess process) throws Exception {
    return process.args("-jar", JavaProcess.example("sdk-basics").toString()).run(120);
  }

  /** {@code -javaagent:shunt-agent.jar=auth=sigv4,default-region=eu-west-1}: the supplied credentials pass the check. */
  @Test
  void sigv4WithADefaultRegionAsAnAgentArgument() throws Exception {
    JavaProcess.Result result = sdkBasics(underTheAgent("=auth=sigv4,default-region=eu-west-1"));
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith(OK));
    JavaProcess.Result probe = underTheAgent("=auth=sigv4,default-region=eu-west-1")
        .args("-jar", JavaProcess.example("routing-probe").toString()).run(120);
    assertThat(probe.stdout()).as(probe.describe())
        .anyMatch(line -> line.startsWith("PROBE kms-apache ok arn:aws:kms:eu-west-1:000000000000:key/"))
        .anyMatch(line -> line.startsWith("PROBE secrets ok arn:aws:secretsmanager:eu-west-1:000000000000:"));
  }

  @Test
  void sigv4AsASystemProperty() throws Exception {
    JavaProcess.Result result = sdkBasics(underTheAgent("").args("-Dshunt.auth=sigv4"));
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith(OK));
  }

  @Test
  void sigv4FromTheEnvironment() throws Exception {
    JavaProcess.Result result = sdkBasics(underTheAgent("").env("SHUNT_AUTH", "sigv4"));
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith(OK));
  }

  /** With credentials= the agent supplies the first of them, whose account is the caller's. */
  @Test
  void sigv4WithCredentialsSuppliesTheFirstOfThem() throws Exception {
    JavaProcess.Result probe = underTheAgent("=auth=sigv4,credentials=AKIDAPP:app-secret:111122223333")
        .args("-jar", JavaProcess.example("routing-probe").toString()).run(120);
    assertThat(probe.stdout()).as(probe.describe())
        .anyMatch(line -> line.startsWith("PROBE kms-url-connection ok arn:aws:kms:us-east-1:111122223333:key/"));
  }

  /** The check is real: credentials of the application's own that the backend does not know are refused. */
  @Test
  void sigv4RefusesCredentialsTheBackendDoesNotKnow() throws Exception {
    JavaProcess.Result result = sdkBasics(underTheAgent("=auth=sigv4")
        .env("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN").env("AWS_SECRET_ACCESS_KEY", "whatever"));
    assertThat(result.exitCode()).as(result.describe()).isNotZero();
    assertThat(result.stderr()).as(result.describe()).contains("The security token included in the request is invalid");
  }

  /** The throttling walk-through: {@code quota-scale=0.00002} leaves KMS 2 requests a second, and the SDK retries. */
  @Test
  void quotaScaleAsTheLoadTestSectionShowsIt() throws Exception {
    JavaProcess.Result result = underTheAgent("=quota-scale=0.00002")
        .args("-cp", JavaProcess.example("routing-probe").toString(), "dev.shunt.examples.ThrottledClient").run(180);
    assertThat(result.stdout()).as(result.describe())
        .anyMatch(line -> line.startsWith("THROTTLED call") && line.contains("fail ThrottlingException"))
        .anyMatch(line -> line.startsWith("THROTTLED done ok="));
    assertThat(result.stderr()).as(result.describe()).contains("attempt 1 ThrottlingException, waited");
  }

  /** Options the agent itself takes work whichever way they are given. */
  @ParameterizedTest
  @ValueSource(strings = {"=enabled=true,log-retries=false", "=default-region=us-east-1"})
  void otherAgentOptionsShown(String options) throws Exception {
    JavaProcess.Result result = sdkBasics(underTheAgent(options));
    assertThat(result.stdout()).as(result.describe()).anyMatch(line -> line.startsWith(OK));
  }
}
