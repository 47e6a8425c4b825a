package dev.shunt.benchmarks;

import dev.shunt.backend.ShuntBackend;
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
    System.out.println(section(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 10, 3, 50_000, 30_000));
  }

  /**
   * Measures, and returns the Markdown table: {@code runs} start-ups each way; {@code rounds} of
   * each SDK-call setup, {@code calls} timed calls after {@code warmupCalls}. The SDK client itself needs tens of thousands of calls before
   * the JIT settles (5,000 left every setup 80-120 µs per call slower), so warm up generously.
   */
  public static String section(Path agentJar, int runs, int rounds, int warmupCalls, int calls) throws Exception {
    Path agent = agentJar.toAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String self = SelfJar.path();
    String loop = "dev.shunt.benchmarks.SdkCallLoop";
    String counts = Integer.toString(warmupCalls);
    String timed = Integer.toString(calls);

    double plain = medianMillis(runs, java, "-cp", self, "dev.shunt.benchmarks.Hello");
    double withAgent = medianMillis(runs, java, "-javaagent:" + agent, "-cp", self, "dev.shunt.benchmarks.Hello");

    // The three setups take turns, ROUNDS times, and each is reported by its median round: a
    // single round of a one-thread loop on two shared cores swings by tens of microseconds.
    List<String> inProcess = new ArrayList<>();
    List<String> standalone = new ArrayList<>();
    List<String> canned = new ArrayList<>();
    try (ShuntBackend backend = ShuntBackend.builder().port(0).start();
        CannedServer server = new CannedServer(0, 2, "{\"Plaintext\":\"AAAAAAAAAAA=\"}")) {
      for (int round = 0; round < rounds; round++) {
        inProcess.add(run(java, "-javaagent:" + agent, "-cp", self, loop, "-", counts, timed));
        standalone.add(run(java, "-cp", self, loop, backend.uri().toString(), counts, timed));
        canned.add(run(java, "-cp", self, loop, "http://127.0.0.1:" + server.port(), counts, timed));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("| measure | value |\n|---|---|\n");
    out.append(String.format("| start-up, trivial main, no agent (median of %d) | %.0f ms |%n", runs, plain));
    out.append(String.format("| start-up, trivial main, with the agent (median of %d) | %.0f ms |%n", runs,
        withAgent));
    out.append(String.format("| **start-up added by the agent** | **%.0f ms** |%n", withAgent - plain));
    out.append("| KMS GenerateRandom, agent + in-process backend | " + describe(inProcess) + " |\n");
    out.append("| KMS GenerateRandom, Shunt in another process (no agent) | " + describe(standalone) + " |\n");
    out.append("| KMS GenerateRandom, canned-response server (no agent) | " + describe(canned) + " |\n");
    out.append(String.format("| **per call added over a canned response (median p50s)** | **%.1f µs** |%n",
        field(median(inProcess), "p50_us") - field(median(canned), "p50_us")));
    return out.toString();
  }

  /** The round with the median p50, and every round's p50. */
  private static String describe(List<String> rounds) {
    String result = median(rounds);
    StringBuilder p50s = new StringBuilder();
    for (String round : rounds) {
      p50s.append(p50s.length() == 0 ? "" : " / ").append(String.format("%.0f", field(round, "p50_us")));
    }
    return String.format("mean %.1f µs, p50 %.1f µs, p99 %.1f µs (%,.0f calls/s); p50 by round: %s µs",
        field(result, "mean_us"), field(result, "p50_us"), field(result, "p99_us"), field(result, "calls_per_s"), p50s);
  }

  private static String median(List<String> rounds) {
    List<String> sorted = new ArrayList<>(rounds);
    sorted.sort(java.util.Comparator.comparingDouble(round -> field(round, "p50_us")));
    return sorted.get(sorted.size() / 2);
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
