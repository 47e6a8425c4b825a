package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An endpoint the application configured outside its code is the application's own, as one set in
 * code is: every source the SDK reads (system properties, environment, the profile's
 * {@code endpoint_url} in its three places) is kept, with one line saying so and how to override
 * it, and {@code override-endpoints=true} sends each to Shunt. A WireMock server stands in for the
 * application's endpoint: it knows the key {@code foreign-key}, Shunt does not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AppEndpointsIT {
  private WireMockServer foreign;

  /** Each place the SDK (2.54) reads an endpoint from, and how Shunt's line names it. */
  enum Source {
    SERVICE_VARIABLE("from AWS_ENDPOINT_URL_KMS", (process, url) -> process.env("AWS_ENDPOINT_URL_KMS", url)),
    GLOBAL_VARIABLE("from AWS_ENDPOINT_URL", (process, url) -> process.env("AWS_ENDPOINT_URL", url)),
    SERVICE_PROPERTY("from system property aws.endpointUrlKms",
        (process, url) -> process.args("-Daws.endpointUrlKms=" + url)),
    GLOBAL_PROPERTY("from system property aws.endpointUrl", (process, url) -> process.args("-Daws.endpointUrl=" + url)),
    PROFILE("from the profile's endpoint_url",
        (process, url) -> process.homeFile(".aws/config", "[default]\nendpoint_url = " + url + "\n")),
    PROFILE_SERVICE("from the profile's kms.endpoint_url",
        (process, url) -> process.homeFile(".aws/config", "[default]\nkms =\n  endpoint_url = " + url + "\n")),
    SERVICES_SECTION("from the profile's services section local (kms.endpoint_url)",
        (process, url) -> process.homeFile(".aws/config",
            "[default]\nservices = local\n\n[services local]\nkms =\n  endpoint_url = " + url + "\n"));

    final String named;
    final java.util.function.BiFunction<JavaProcess, String, JavaProcess> apply;

    Source(String named, java.util.function.BiFunction<JavaProcess, String, JavaProcess> apply) {
      this.named = named;
      this.apply = apply;
    }
  }

  @BeforeAll
  void startForeign() {
    foreign = ForeignEndpoints.start();
  }

  @AfterAll
  void stopForeign() {
    foreign.stop();
  }

  private String url() {
    return "http://127.0.0.1:" + foreign.port();
  }

  private JavaProcess.Result probe(String probeJar, String agentOptions, UnaryOperator<JavaProcess> configure)
      throws Exception {
    JavaProcess process = new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + agentOptions);
    return configure.apply(process)
        .args("-cp", JavaProcess.example(probeJar).toString(), "dev.shunt.examples.EndpointProbe").run(120);
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void theApplicationsConfiguredEndpointIsKeptAndSaidSo(Source source) throws Exception {
    JavaProcess.Result result = probe("routing-probe", "", process -> source.apply.apply(process, url()));
    assertThat(result.stdout()).as(result.describe()).containsExactly("ENDPOINT ok from-foreign");
    assertThat(result.stderr().lines().filter(line -> line.startsWith("[shunt] KMS clients keep")))
        .as(result.describe()).containsExactly("[shunt] KMS clients keep the endpoint the application gave them ("
            + url() + ", " + source.named + "); override-endpoints=true sends them to Shunt");
  }

  @ParameterizedTest
  @EnumSource(Source.class)
  void overrideEndpointsSendsItToShunt(Source source) throws Exception {
    JavaProcess.Result result = probe("routing-probe", "=override-endpoints=true",
        process -> source.apply.apply(process, url()));
    // Shunt has no key named foreign-key: the call reached Shunt, not the application's endpoint.
    assertThat(result.stdout()).as(result.describe()).containsExactly("ENDPOINT fail NotFoundException");
    assertThat(result.stderr()).as(result.describe()).doesNotContain("keep the endpoint");
  }

  /** SDK 2.20 does not read AWS_ENDPOINT_URL_KMS: without Shunt it calls AWS, so with Shunt it calls Shunt. */
  @Test
  void anSdkThatIgnoresTheVariableIsRoutedAsItWouldGoToAws() throws Exception {
    JavaProcess.Result result = probe("routing-probe-sdk2.20", "",
        process -> process.env("AWS_ENDPOINT_URL_KMS", url()));
    assertThat(result.stdout()).as(result.describe()).containsExactly("ENDPOINT fail NotFoundException");
    assertThat(result.stderr()).as(result.describe()).doesNotContain("keep the endpoint");
  }
}
