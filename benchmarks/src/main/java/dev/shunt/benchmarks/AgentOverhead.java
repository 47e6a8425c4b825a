package dev.shunt.benchmarks;

import dev.shunt.backend.ShuntBackend;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent costs an application: start-up time (a trivial main with and without
 * {@code -javaagent}) and time per SDK call (KMS GenerateRandom from one thread: under the agent
 * with its in-process backend, against Shunt in another process, and against a canned-response
 * server that does nothing). {@code AgentOverhead AGENT_JAR [RUNS]}; prints a Markdown section.
 */
public final class AgentOverhead {
  private AgentOverhead() {}

  public static void main(String[] args) throws Exception {
    Path agent = Path.of(args[0]).toAbsolutePath();
    int runs = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String self = new File(AgentOverhead.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();

    double plain = medianMillis(runs, java, "-cp", self, "dev.shunt.benchmarks.Hello");
    double withAgent = medianMillis(runs, java, "-javaagent:" + agent, "-cp", self, "dev.shunt.benchmarks.Hello");

    String inProcess = run(java, "-javaagent:" + agent, "-cp", self, "dev.shunt.benchmarks.SdkCallLoop", "-");
    String standalone;
    try (ShuntBackend backend = ShuntBackend.builder().port(0).start()) {
      standalone = run(java, "-cp", self, "dev.shunt.benchmarks.SdkCallLoop", backend.uri().toString());
    }
    String canned;
    try (CannedServer server = new CannedServer(0, 2, "{\"Plaintext\":\"AAAAAAAAAAA=\"}")) {
      canned = run(java, "-cp", self, "dev.shunt.benchmarks.SdkCallLoop", "http://127.0.0.1:" + server.port());
    }
    System.out.println("| measure | value |");
    System.out.println("|---|---|");
    System.out.printf("| start-up, trivial main, no agent (median of %d) | %.0f ms |%n", runs, plain);
    System.out.printf("| start-up, trivial main, with the agent (median of %d) | %.0f ms |%n", runs, withAgent);
    System.out.printf("| **start-up added by the agent** | **%.0f ms** |%n", withAgent - plain);
    System.out.println("| KMS GenerateRandom, agent + in-process backend | " + inProcess + " |");
    System.out.println("| KMS GenerateRandom, Shunt in another process (no agent) | " + standalone + " |");
    System.out.println("| KMS GenerateRandom, canned-response server (no agent) | " + canned + " |");
    System.out.printf("| **per call added over a canned response (p50)** | **%.1f µs** |%n",
        field(inProcess, "p50_us") - field(canned, "p50_us"));
  }

  private static double field(String result, String name) {
    for (String part : result.split(" ")) {
      if (part.startsWith(name + "=")) {
        return Double.parseDouble(part.substring(name.length() + 1));
      }
    }
    throw new IllegalStateException(name + " missing from " + result);
  }

  private static double medianMillis(int runs, String... command) throws Exception {
    double[] times = new double[runs];
    run(command);
    for (int i = 0; i < runs; i++) {
      long start = System.nanoTime();
      run(command);
      times[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(times);
    return times[runs / 2];
  }

  /** Runs a JVM to completion; returns its RESULT line (or its last line). */
  private static String run(String... command) throws Exception {
    Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    List<String> lines = new ArrayList<>();
    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().forEach(lines::add);
    if (!process.waitFor(600, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed:\n" + String.join("\n", lines));
    }
    for (String line : lines) {
      if (line.startsWith("RESULT ")) {
        return line.substring("RESULT ".length());
      }
    }
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }
}
