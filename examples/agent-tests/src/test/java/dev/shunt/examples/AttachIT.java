package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar shunt-agent.jar attach PID}: the probe starts without any agent, builds a KMS
 * client, and waits; the agent is attached to it; then both the client built before the attach
 * and the clients built after reach Shunt.
 */
class AttachIT {
  @Test
  void attachingToARunningJvmReroutesClientsBuiltBeforeAndAfter() throws Exception {
    Process probe = new JavaProcess(JavaProcess.JAVA_17)
        .args("-XX:+EnableDynamicAgentLoading", "-jar", JavaProcess.example("routing-probe").toString(), "--wait")
        .env("AWS_REGION", "us-east-1").env("AWS_ACCESS_KEY_ID", "AKIDATTACH").env("AWS_SECRET_ACCESS_KEY", "x")
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("PROBE ready");

      JavaProcess.Result attach = new JavaProcess(JavaProcess.JAVA_17)
          .args("-jar", JavaProcess.AGENT.toAbsolutePath().toString(), "attach", Long.toString(probe.pid()))
          .run(120);
      assertThat(attach.exitCode()).as(attach.describe()).isZero();
      assertThat(attach.stdout()).contains("Shunt agent attached to " + probe.pid());

      JavaProcess.writeLine(probe, "go");
      StringBuilder report = new StringBuilder();
      String line;
      while ((line = out.readLine()) != null) {
        report.append(line).append('\n');
      }
      assertThat(probe.waitFor(120, TimeUnit.SECONDS)).isTrue();
      String stderr = new String(probe.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(stderr).contains("[shunt] KMS, Secrets Manager and SSM clients go to http://127.0.0.1:");
      assertThat(report.toString()).as(report + stderr)
          .contains("PROBE kms-early-client ok " + RoutingChecks.ACCOUNT_ARN)
          .contains("PROBE kms-url-connection ok " + RoutingChecks.ACCOUNT_ARN)
          .contains("PROBE secrets ok arn:aws:secretsmanager:us-east-1:000000000000:")
          .contains("PROBE done");
    } finally {
      probe.destroyForcibly();
    }
  }

  private static JavaProcess.Result attach(String... arguments) throws Exception {
    return new JavaProcess(JavaProcess.JAVA_17).args("-jar", JavaProcess.AGENT.toAbsolutePath().toString(), "attach")
        .args(arguments).run(60);
  }

  /** A process that does not exist, or an argument that is no process id: one clear line, no stack trace. */
  @Test
  void attachingToNoSuchProcessSaysSoInOneLine() throws Exception {
    for (String pid : new String[] {"999999999", "not-a-pid"}) {
      JavaProcess.Result result = attach(pid);
      assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
      assertThat(result.stderr().lines().toList()).as(result.describe()).singleElement()
          .satisfies(line -> assertThat(line).startsWith("[shunt] cannot attach to process " + pid + ": "));
      assertThat(result.stdout()).isEmpty();
    }
  }

  /** A JVM that runs Shunt's agent already (from -javaagent or an earlier attach) is left as it is. */
  @Test
  void attachingTwiceSaysTheAgentRunsAlready() throws Exception {
    Process app = new JavaProcess(JavaProcess.JAVA_17)
        .args("-XX:+EnableDynamicAgentLoading", "-javaagent:" + JavaProcess.AGENT.toAbsolutePath(), "-jar",
            JavaProcess.example("routing-probe").toString(), "--wait")
        .start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo("PROBE ready");
      JavaProcess.Result result = attach(Long.toString(app.pid()));
      assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
      assertThat(result.stderr().lines().toList()).as(result.describe()).singleElement()
          .satisfies(line -> assertThat(line).startsWith("[shunt] process " + app.pid()
              + " already runs Shunt's agent").endsWith("nothing was attached"));
    } finally {
      app.destroyForcibly();
    }
  }

  @Test
  void attachWithoutAProcessIdShowsTheUsage() throws Exception {
    JavaProcess.Result result = new JavaProcess(JavaProcess.JAVA_17)
        .args("-jar", JavaProcess.AGENT.toAbsolutePath().toString(), "attach").run(60);
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderr()).startsWith("Usage: java -jar shunt-agent.jar attach PID");
  }
}
