package dev.shunt.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * An application without OpenTelemetry on its class path: this module's test class path less every
 * OpenTelemetry jar, in a class loader of its own. Its calls are routed and recorded as before,
 * make no span, and nothing is printed.
 */
class WithoutOpenTelemetryTest {
  /** Runs in the OpenTelemetry-less class loader: one KMS call, then what the interceptors saw. */
  public static final class App implements Callable<String> {
    @Override
    public String call() {
      try (KmsClient kms = KmsClient.builder().region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "x")))
          .httpClient(UrlConnectionHttpClient.create()).build()) {
        kms.generateRandom(r -> r.numberOfBytes(3));
      }
      boolean otelVisible;
      try {
        Class.forName("io.opentelemetry.api.GlobalOpenTelemetry");
        otelVisible = true;
      } catch (ClassNotFoundException e) {
        otelVisible = false;
      }
      return "otel-visible=" + otelVisible + " spans=" + ShuntTracing.spans() + " stats="
          + ShuntClientStats.snapshot().get("KMS.GenerateRandom");
    }
  }

  @Test
  void theInterceptorsWorkAndStayQuietWithoutOpenTelemetry() throws Exception {
    List<String> traceparents = new CopyOnWriteArrayList<>();
    StubAws aws = StubAws.start(exchange -> {
      exchange.getRequestBody().readAllBytes();
      if (exchange.getRequestHeaders().containsKey("X-Amz-Target")) {
        traceparents.add(String.valueOf(exchange.getRequestHeaders().getFirst("traceparent")));
      }
      StubAws.send(exchange, 200, "{\"Plaintext\":\"AAAA\"}");
    });
    List<URL> withoutOtel = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.contains("opentelemetry")) {
        withoutOtel.add(Path.of(entry).toUri().toURL());
      }
    }
    PrintStream err = System.err;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try (URLClassLoader app = new URLClassLoader("no-otel", withoutOtel.toArray(URL[]::new),
        ClassLoader.getPlatformClassLoader())) {
      System.setErr(new PrintStream(printed, true, StandardCharsets.UTF_8));
      Object result = app.loadClass(App.class.getName()).getDeclaredConstructor().newInstance();
      assertThat(((Callable<?>) result).call()).isEqualTo(
          "otel-visible=false spans=null stats=OperationStats[calls=1, attempts=1, retries=0, throttles=0, "
              + "giveUps=0, successes=1]");
    } finally {
      System.setErr(err);
      aws.close();
    }
    assertThat(traceparents).containsExactly("null");
    // The SDK's own SLF4J notice (no binding on this class path) is not Shunt's; nothing else may be printed.
    assertThat(printed.toString(StandardCharsets.UTF_8).lines().filter(line -> !line.startsWith("SLF4J(")))
        .as("nothing printed").isEmpty();
  }
}
