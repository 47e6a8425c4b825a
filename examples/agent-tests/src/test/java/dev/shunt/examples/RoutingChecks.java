package dev.shunt.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The routing checks every wiring must pass (interceptors on the class path, the agent on Java 17
 * and 25, beside the OpenTelemetry agent, on SDK 2.20 and 2.54): the routing probe application
 * runs once per wiring, against a WireMock server standing in for endpoints the application owns,
 * and each test reads one of its reports.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RoutingChecks {
  static final String ACCOUNT_ARN = "arn:aws:kms:us-east-1:000000000000:key/";
  protected WireMockServer foreign;
  protected JavaProcess.Result result;
  protected final Map<String, String> reports = new LinkedHashMap<>();

  /** Runs the probe the way this wiring runs it, pointing its own clients at {@code foreignEndpoint}. */
  abstract JavaProcess.Result runProbe(URI foreignEndpoint) throws Exception;

  /**
   * Whether the application sees Shunt's interceptor classes: only where they are on its class path
   * (the interceptors wiring); the agent defines them in a class loader of their own.
   */
  boolean interceptorVisible() {
    return false;
  }

  /** The Netty version the application brings (the SDK's client builds use it). */
  String expectedNetty() {
    return "4.1.118.Final";
  }

  @BeforeAll
  void runTheProbe() throws Exception {
    foreign = ForeignEndpoints.start();
    result = runProbe(URI.create("http://127.0.0.1:" + foreign.port()));
    for (String line : result.stdout()) {
      if (line.startsWith("PROBE ") && line.indexOf(' ', 6) > 0) {
        int space = line.indexOf(' ', 6);
        reports.put(line.substring(6, space), line.substring(space + 1));
      }
    }
    assertThat(result.stdout()).as(result.describe()).contains("PROBE done");
    assertThat(result.exitCode()).as(result.describe()).isZero();
  }

  @AfterAll
  void stopForeign() {
    if (foreign != null) {
      foreign.stop();
    }
  }

  String ok(String check) {
    String report = reports.get(check);
    assertThat(report).as("%s\n%s", check, result.describe()).isNotNull().startsWith("ok ");
    return report.substring(3);
  }

  @Test
  void kmsReachesShuntThroughEverySdkHttpClient() {
    for (String check : new String[] {"kms-early-client", "kms-url-connection", "kms-apache"}) {
      assertThat(ok(check)).as(check).startsWith(ACCOUNT_ARN).endsWith(" probe");
    }
    assertThat(ok("kms-netty-async")).startsWith(ACCOUNT_ARN);
  }

  @Test
  void secretsManagerAndParameterStoreReachShunt() {
    assertThat(ok("secrets")).startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:probe/")
        .endsWith(" s3cr3t");
    assertThat(ok("ssm")).startsWith("arn:aws:ssm:us-east-1:000000000000:parameter/probe/p").endsWith(" v1");
  }

  @Test
  void otherServicesAreNotRerouted() {
    assertThat(ok("s3-foreign")).isEqualTo("foreign-bucket");
    foreign.verify(anyRequestedFor(urlPathEqualTo("/")).withHeader("Authorization", containing("/s3/aws4_request")));
  }

  @Test
  void aClientTheApplicationPointedElsewhereKeepsItsEndpoint() {
    assertThat(ok("kms-foreign")).isEqualTo("from-foreign");
    foreign.verify(postRequestedFor(anyUrl()).withHeader("X-Amz-Target", containing("TrentService.DescribeKey")));
  }

  @Test
  void theApplicationKeepsItsOwnLibrariesAndSeesNoneOfShunts() {
    assertThat(ok("libraries")).isEqualTo("jackson=2.12.7-2 netty=" + expectedNetty()
        + " shunt-backend-visible=false bytebuddy-visible=false interceptor-visible=" + interceptorVisible());
  }
}
