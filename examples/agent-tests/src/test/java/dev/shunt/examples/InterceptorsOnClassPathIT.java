package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.ShuntBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Wiring 1: no agent. The interceptors jar sits on the application's class path beside the SDK,
 * {@code -Dshunt.endpoint} names a backend this test runs, and the application brings its own
 * Region and credentials (in the environment). SDK 2.54 and 2.20.
 */
class InterceptorsOnClassPathIT {
  static ShuntBackend backend = ShuntBackend.builder().port(0).option("quotas", "off").start();

  @AfterAll
  static void stop() {
    backend.close();
  }

  static JavaProcess.Result run(String probe, URI foreign) throws Exception {
    return new JavaProcess(JavaProcess.JAVA_17)
        .args("-Dshunt.endpoint=" + backend.uri(), "-cp",
            JavaProcess.classPath(JavaProcess.example(probe), JavaProcess.INTERCEPTORS),
            "dev.shunt.examples.RoutingProbe", "--foreign", foreign.toString())
        .env("AWS_REGION", "us-east-1").env("AWS_ACCESS_KEY_ID", "AKIDPROBE").env("AWS_SECRET_ACCESS_KEY", "x")
        .run(120);
  }

  /** The backend this test runs holds the keys the probe created: the calls really came here. */
  static void keysLandedHere(String arnAndPlaintext) throws Exception {
    String keyId = arnAndPlaintext.substring(RoutingChecks.ACCOUNT_ARN.length(), arnAndPlaintext.indexOf(' '));
    HttpResponse<String> described = HttpClient.newHttpClient().send(HttpRequest.newBuilder(backend.uri())
        .header("X-Amz-Target", "TrentService.DescribeKey")
        .header("Content-Type", "application/x-amz-json-1.1")
        .POST(HttpRequest.BodyPublishers.ofString("{\"KeyId\":\"" + keyId + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(described.statusCode()).isEqualTo(200);
    assertThat(described.body()).contains(keyId).contains("\"Description\":\"probe\"");
  }

  @Nested
  class OnSdk254 extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreign) throws Exception {
      return run("routing-probe", foreign);
    }

    @Override
    boolean interceptorVisible() {
      return true;
    }

    @Test
    void theKeysAreInTheBackendTheEndpointNames() throws Exception {
      keysLandedHere(ok("kms-url-connection"));
      keysLandedHere(ok("kms-apache"));
    }
  }

  @Nested
  class OnSdk220 extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreign) throws Exception {
      return run("routing-probe-sdk2.20", foreign);
    }

    @Override
    boolean interceptorVisible() {
      return true;
    }

    @Test
    void theKeysAreInTheBackendTheEndpointNames() throws Exception {
      keysLandedHere(ok("kms-url-connection"));
    }
  }
}
