package dev.shunt.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The agent is a guest: turned off, or unable to start, it leaves the application exactly as it
 * would be without it (after at most one line on stderr).
 */
class AgentFailureIT {
  private static JavaProcess.Result probe(String agentOptions) throws Exception {
    return probe(JavaProcess.AGENT, agentOptions);
  }

  private static JavaProcess.Result probe(Path agent, String agentOptions) throws Exception {
    return new JavaProcess(JavaProcess.JAVA_17)
        .args("-javaagent:" + agent.toAbsolutePath() + agentOptions, "-jar",
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

  /**
   * Where Shunt's interceptor cannot be defined beside an application's SDK (here: the agent's copy
   * of the interceptors is broken), that SDK's clients are built and called exactly as without the
   * agent, every one of them, and one line says which and why.
   */
  @Test
  void anSdkShuntCannotJoinIsLeftAsItWasWithOneLine() throws Exception {
    Path broken = withoutInterceptors(Files.createTempDirectory("shunt-broken-agent").resolve("shunt-agent.jar"));
    JavaProcess.Result result = probe(broken, "");
    JavaProcess.Result without = probe("=enabled=false");
    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stderr().lines().filter(line -> line.startsWith("[shunt]")).toList()).as(result.describe())
        .singleElement().satisfies(line -> assertThat(line)
            .startsWith("[shunt] the AWS SDK clients of class loader jdk.internal.loader.ClassLoaders$AppClassLoader")
            .contains("are left alone: Shunt's interceptor cannot be defined beside that SDK"));
    assertThat(outcomes(result)).as(result.describe() + "\n=== without the agent:\n" + without.describe())
        .isEqualTo(outcomes(without));
  }

  /** Each PROBE check's name and whether it passed. */
  private static List<String> outcomes(JavaProcess.Result result) {
    return result.stdout().stream().filter(line -> line.startsWith("PROBE ") && !line.startsWith("PROBE libraries"))
        .map(line -> String.join(" ", List.of(line.split(" ")).subList(0, Math.min(3, line.split(" ").length))))
        .toList();
  }

  /** A copy of the agent whose interceptors jar holds nothing: they cannot be defined anywhere. */
  private static Path withoutInterceptors(Path target) throws Exception {
    try (JarFile agent = new JarFile(JavaProcess.AGENT.toFile());
        JarOutputStream out = new JarOutputStream(Files.newOutputStream(target), agent.getManifest())) {
      for (JarEntry entry : java.util.Collections.list(agent.entries())) {
        if (entry.getName().equals(JarFile.MANIFEST_NAME)) {
          continue;
        }
        out.putNextEntry(new JarEntry(entry.getName()));
        if (entry.getName().equals("shunt/sdk-interceptors.jar")) {
          ByteArrayOutputStream empty = new ByteArrayOutputStream();
          new JarOutputStream(empty).close();
          out.write(empty.toByteArray());
        } else {
          try (InputStream in = agent.getInputStream(entry)) {
            in.transferTo(out);
          }
        }
        out.closeEntry();
      }
    }
    return target;
  }
}
