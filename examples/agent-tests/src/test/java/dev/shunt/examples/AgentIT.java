package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Wiring 2: the unmodified probe under {@code -javaagent:shunt-agent.jar}, with no AWS settings
 * at all: the agent starts the backend in the application's JVM and supplies Region and
 * credentials. On Java 17 and 25, SDK 2.54 and 2.20, and beside the OpenTelemetry Java agent.
 */
class AgentIT {
  static JavaProcess.Result run(Path java, String probe, URI foreign, String... jvmOptions) throws Exception {
    JavaProcess process = new JavaProcess(java).args(jvmOptions)
        .args("-javaagent:" + JavaProcess.AGENT.toAbsolutePath(), "-jar", JavaProcess.example(probe).toString(),
            "--foreign", foreign.toString());
    return process.run(180);
  }

  static void announcesItsBackend(JavaProcess.Result result) {
    assertThat(result.stderr()).as(result.describe())
        .contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:")
        .containsPattern("\\(dashboard: http://127\\.0\\.0\\.1:\\d+/_shunt/\\)")
        .doesNotContain("agent disabled").doesNotContain("could not").doesNotContain("Exception");
  }

  @Nested
  class OnJava17 extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreign) throws Exception {
      return run(JavaProcess.JAVA_17, "routing-probe", foreign);
    }

    @Test
    void theAgentSaysWhereItsBackendIs() {
      announcesItsBackend(result);
    }
  }

  @Nested
  class OnJava25 extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreign) throws Exception {
      return run(JavaProcess.java25(), "routing-probe", foreign);
    }

    /** The application's own Netty 4.1 may warn about Unsafe on Java 25; nothing of Shunt's does. */
    @Test
    void theAgentSaysWhereItsBackendIsAndJava25WarnsAboutNothingOfShunts() {
      announcesItsBackend(result);
      assertThat(result.stderr().lines().filter(line -> line.startsWith("WARNING")))
          .noneMatch(line -> line.contains("agent-core.jar") || line.contains("net.bytebuddy")
              || line.contains("shunt-agent"));
    }
  }

  @Nested
  class OnSdk220 extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreign) throws Exception {
      return run(JavaProcess.JAVA_17, "routing-probe-sdk2.20", foreign);
    }

    @Test
    void theAgentSaysWhereItsBackendIs() {
      announcesItsBackend(result);
    }
  }

  @Nested
  class BesideTheOpenTelemetryAgent extends RoutingChecks {
    @Override
    JavaProcess.Result runProbe(URI foreign) throws Exception {
      return run(JavaProcess.JAVA_17, "routing-probe", foreign,
          "-javaagent:" + JavaProcess.OTEL_AGENT.toAbsolutePath(), "-Dotel.traces.exporter=none",
          "-Dotel.metrics.exporter=none", "-Dotel.logs.exporter=none");
    }

    @Test
    void bothAgentsAreActive() {
      announcesItsBackend(result);
      assertThat(result.stderr()).contains("opentelemetry-javaagent");
    }
  }
}
