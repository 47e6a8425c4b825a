package dev.shunt.examples;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.shunt.backend.ShuntBackend;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The applications people run, as they are packaged, each in its own JVM, on Java 17 and 25: a
 * Spring Boot 3 service (Spring Cloud AWS, nested jars, LaunchedClassLoader), a Spring Boot 2.7 jar
 * (LaunchedURLClassLoader), a WAR in Tomcat (its web application class loader), a Quarkus fast-jar
 * (RunnerClassLoader) and a plugin host (a URLClassLoader that does not even see the system class
 * path). Under {@code -javaagent} with no AWS settings at all, and with {@code attach} to the running
 * application, every KMS, Secrets Manager and SSM call reaches Shunt, and the application's S3
 * client of its own store (a WireMock server) works exactly as without Shunt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FrameworkAppsIT {
  private static final String KMS_ARN = "arn:aws:kms:us-east-1:000000000000:key/";
  private WireMockServer foreign;
  /** A running backend, for the Spring Boot service's start-up import: it reads a secret before any line of its own runs. */
  private ShuntBackend backend;

  /** Each application: how it starts, and the class loader its AWS SDK must report. */
  enum App {
    SPRING_BOOT_3("org.springframework.boot.loader.launch.LaunchedClassLoader", "-jar",
        JavaProcess.example("spring-boot-app").toString()),
    SPRING_BOOT_2("org.springframework.boot.loader.LaunchedURLClassLoader", "-jar",
        JavaProcess.example("spring-boot2-app").toString()),
    TOMCAT_WAR("org.apache.catalina.loader.ParallelWebappClassLoader", "-jar",
        JavaProcess.example("tomcat-launcher").toString(), "--war",
        JavaProcess.EXAMPLES.resolve("servlet-app/target/servlet-app.war").toString()),
    QUARKUS("io.quarkus.bootstrap.runner.RunnerClassLoader", "-jar",
        JavaProcess.EXAMPLES.resolve("quarkus-app/target/quarkus-app/quarkus-run.jar").toString()),
    PLUGIN_HOST("java.net.URLClassLoader", "-jar", JavaProcess.example("plugin-app").toString());

    final String sdkLoader;
    final String[] command;

    App(String sdkLoader, String... command) {
      this.sdkLoader = sdkLoader;
      this.command = command;
    }
  }

  @BeforeAll
  void start() {
    foreign = ForeignEndpoints.start();
    backend = ShuntBackend.builder().port(0).option("quotas", "off").start();
    StaticCredentialsProvider test = StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    try (SecretsManagerClient secrets = SecretsManagerClient.builder().endpointOverride(backend.uri())
        .region(Region.US_EAST_1).credentialsProvider(test).httpClient(UrlConnectionHttpClient.create()).build();
        SsmClient ssm = SsmClient.builder().endpointOverride(backend.uri()).region(Region.US_EAST_1)
            .credentialsProvider(test).httpClient(UrlConnectionHttpClient.create()).build()) {
      secrets.createSecret(r -> r.name("app/db-credentials")
          .secretString("{\"username\":\"app\",\"password\":\"pa55word\"}"));
      ssm.putParameter(r -> r.name("/app/config/greeting").value("hello-from-ssm").type("String"));
    }
  }

  @AfterAll
  void stop() {
    foreign.stop();
    backend.close();
  }

  private String foreignUrl() {
    return "http://127.0.0.1:" + foreign.port();
  }

  private static Path java(int version) {
    return version == 25 ? JavaProcess.java25() : JavaProcess.JAVA_17;
  }

  /**
   * Under {@code -javaagent}, no AWS settings whatsoever (no environment, an empty home). The
   * Spring Boot service imports a secret and parameters at start-up, so its agent uses this test's
   * backend ({@code endpoint=}), where they were put first; every other application gets the
   * agent's own embedded backend.
   */
  @ParameterizedTest(name = "{0} on Java {1}")
  @CsvSource({"SPRING_BOOT_3, 17", "SPRING_BOOT_3, 25", "SPRING_BOOT_2, 17", "SPRING_BOOT_2, 25",
      "TOMCAT_WAR, 17", "TOMCAT_WAR, 25", "QUARKUS, 17", "QUARKUS, 25", "PLUGIN_HOST, 17", "PLUGIN_HOST, 25"})
  void underTheAgentWithNoAwsSettings(App app, int javaVersion) throws Exception {
    String options = app == App.SPRING_BOOT_3 ? "=endpoint=" + backend.uri() : "";
    JavaProcess.Result result = new JavaProcess(java(javaVersion))
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath() + options)
        .args(app.command).args("--foreign", foreignUrl())
        .run(240);
    List<String> checks = checksPassed(app, result.stdout(), result.describe());
    if (app == App.SPRING_BOOT_3) {
      assertThat(checks).as(result.describe()).contains("CHECK imported ok pa55word hello-from-ssm");
    }
    assertGuestBehaviour(app, result.stderr(), result.describe());
  }

  /**
   * Started without Shunt (with a Region and credentials of its own, as it could not start without
   * them), the application waits; the agent is attached; then it does its work: the clients it
   * built before the attach (Spring's beans, the servlet's) and after (Quarkus', the plugin's)
   * reach Shunt.
   */
  @ParameterizedTest(name = "{0} on Java {1}")
  @CsvSource({"SPRING_BOOT_3, 17", "SPRING_BOOT_3, 25", "SPRING_BOOT_2, 17", "SPRING_BOOT_2, 25",
      "TOMCAT_WAR, 17", "TOMCAT_WAR, 25", "QUARKUS, 17", "QUARKUS, 25", "PLUGIN_HOST, 17", "PLUGIN_HOST, 25"})
  void attachedToTheRunningApplication(App app, int javaVersion) throws Exception {
    Path java = java(javaVersion);
    JavaProcess launch = new JavaProcess(java).args("-XX:+EnableDynamicAgentLoading").args(app.command)
        .args("--foreign", foreignUrl(), "--wait")
        .env("AWS_REGION", "us-east-1").env("AWS_ACCESS_KEY_ID", "AKIDATTACH").env("AWS_SECRET_ACCESS_KEY", "x");
    if (app == App.SPRING_BOOT_3) {
      // A start-up import cannot reach Shunt before Shunt is there: the service runs without it.
      launch.args("--spring.profiles.active=no-import");
    }
    Process process = launch.start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      List<String> stdout = new ArrayList<>();
      String line;
      while ((line = out.readLine()) != null && !line.equals("APP ready")) {
        stdout.add(line);
      }
      assertThat(line).as("the application got ready: %s", stdout).isEqualTo("APP ready");
      JavaProcess.Result attach = new JavaProcess(java)
          .args("-jar", JavaProcess.AGENT.toAbsolutePath().toString(), "attach", Long.toString(process.pid()))
          .run(120);
      assertThat(attach.exitCode()).as(attach.describe()).isZero();
      JavaProcess.writeLine(process, "go");
      while ((line = out.readLine()) != null) {
        stdout.add(line);
      }
      assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      String describe = "exit " + process.exitValue() + "\n--- stdout\n" + String.join("\n", stdout)
          + "\n--- stderr\n" + stderr;
      assertThat(process.exitValue()).as(describe).isZero();
      checksPassed(app, stdout, describe);
      assertGuestBehaviour(app, stderr, describe);
    } finally {
      process.destroyForcibly();
    }
  }

  /** Every check passed, the SDK is where the layout puts it, and the calls reached Shunt; returns the CHECK lines. */
  private List<String> checksPassed(App app, List<String> stdout, String describe) {
    List<String> checks = stdout.stream().filter(line -> line.startsWith("CHECK ")).toList();
    assertThat(checks).as(describe).last().isEqualTo("CHECK done");
    assertThat(checks).as(describe).allMatch(line -> line.equals("CHECK done") || line.contains(" ok "))
        .contains("CHECK sdk-loader ok " + app.sdkLoader, "CHECK foreign ok foreign-bucket")
        .anyMatch(line -> line.startsWith("CHECK kms ok " + KMS_ARN) && line.endsWith(" app-check"))
        .anyMatch(line -> line.startsWith("CHECK secrets ok arn:aws:secretsmanager:us-east-1:000000000000:secret:app/")
            && line.endsWith(" s3cr3t"))
        .anyMatch(line -> line.startsWith("CHECK ssm ok arn:aws:ssm:us-east-1:000000000000:parameter/app/")
            && line.endsWith(" v1"));
    if (app == App.SPRING_BOOT_2) {
      // Its AWS SDK v1 KMS client reached the application's own endpoint, untouched.
      assertThat(checks).as(describe).contains("CHECK sdk-v1-kms ok from-foreign");
    }
    // The application's own store saw its own client, signed with its own credentials for S3.
    foreign.verify(getRequestedFor(urlPathEqualTo("/")).withHeader("Authorization",
        containing("Credential=own/")).withHeader("Authorization", containing("/us-east-1/s3/aws4_request")));
    return checks;
  }

  /**
   * Shunt said where the clients go (and, where the application has the AWS SDK v1, that those
   * clients are left alone), and nothing else went wrong: no failure, no thread a container calls a
   * leak, no Java 25 warning of Shunt's.
   */
  private static void assertGuestBehaviour(App app, String stderr, String describe) {
    String sdkV1 = "[shunt] this application has the AWS SDK for Java v1 (com.amazonaws): its clients are left"
        + " alone; Shunt reroutes AWS SDK for Java v2 clients only";
    if (app == App.SPRING_BOOT_2) {
      assertThat(stderr.lines().filter(line -> line.equals(sdkV1))).as(describe).hasSize(1);
    } else {
      assertThat(stderr).as(describe).doesNotContain("SDK for Java v1");
    }
    assertThat(stderr).as(describe)
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:")
        .doesNotContain("agent disabled").doesNotContain("could not").doesNotContain("interceptor cannot be defined")
        .doesNotContain("appears to have started a thread");
    assertThat(stderr.lines().filter(line -> line.startsWith("WARNING")))
        .as(describe).noneMatch(line -> line.contains("shunt") || line.contains("bytebuddy"));
  }

  /** The routing suite of every other wiring, inside a Spring Boot executable jar (nested jars). */
  @Nested
  class RoutingInsideASpringBootJar extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreignEndpoint) throws Exception {
      return AgentIT.run(JavaProcess.JAVA_17, "routing-probe-boot", foreignEndpoint);
    }

    @Test
    void theProbeRanFromNestedJars() {
      AgentIT.announcesItsBackend(result);
      assertThat(ok("sdk-loader")).isEqualTo(App.SPRING_BOOT_3.sdkLoader);
    }
  }
}
