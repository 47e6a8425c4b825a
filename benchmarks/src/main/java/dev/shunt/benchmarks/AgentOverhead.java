package dev.shunt.benchmarks;

import dev.shunt.backend.ShuntBackend;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What the agent costs an application: start-up time (a trivial main, and an application that
 * makes one KMS call, each with and without {@code -javaagent}, the four taking turns) and time per
 * SDK call (KMS GenerateRandom from one thread: under the agent with its in-process backend,
 * against Shunt in another process, and against a canned-response server that does nothing).
 * {@code AgentOverhead AGENT_JAR [RUNS]}; prints a Markdown section.
 */
public final class AgentOverhead {
  private AgentOverhead() {}

  /**
   * {@code AgentOverhead AGENT_JAR [RUNS]}: the whole section; {@code AgentOverhead --start-up RUNS
   * AGENT_JAR...}: only the start-ups, for each agent jar in turn (an earlier build against this one).
   */
  public static void main(String[] args) throws Exception {
    if (args[0].equals("--start-up")) {
      System.out.println(startUpComparison(Integer.parseInt(args[1]), List.of(args).subList(2, args.length)));
      return;
    }
    System.out.println(section(Path.of(args[0]), args.length > 1 ? Integer.parseInt(args[1]) : 10, 3, 50_000, 30_000));
  }

  /** One row per agent jar: start-up added to a trivial main and to one KMS call, medians of {@code runs}. */
  static String startUpComparison(int runs, List<String> agentJars) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    StringBuilder out = new StringBuilder("| agent | trivial main: without / with / added | one KMS call: without / with / "
        + "added |\n|---|---|---|\n");
    try (ShuntBackend backend = ShuntBackend.builder().port(0).start()) {
      for (String jar : agentJars) {
        StartUp s = startUp(runs, java, Path.of(jar).toAbsolutePath(), SelfJar.path(), backend.uri().toString());
        out.append(String.format("| %s | %.0f / %.0f / **%.0f ms** | %.0f / %.0f / **%.0f ms** |%n", jar, s.plain,
            s.plainWithAgent, s.plainWithAgent - s.plain, s.oneCall, s.oneCallWithAgent,
            s.oneCallWithAgent - s.oneCall));
      }
    }
    return out.toString();
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

    // The three setups take turns, ROUNDS times, and each is reported by its median round: a
    // single round of a one-thread loop on two shared cores swings by tens of microseconds.
    List<String> inProcess = new ArrayList<>();
    List<String> standalone = new ArrayList<>();
    List<String> canned = new ArrayList<>();
    StartUp startUp;
    try (ShuntBackend backend = ShuntBackend.builder().port(0).start();
        CannedServer server = new CannedServer(0, 2, "{\"Plaintext\":\"AAAAAAAAAAA=\"}")) {
      startUp = startUp(runs, java, agent, self, backend.uri().toString());
      for (int round = 0; round < rounds; round++) {
        inProcess.add(run(java, "-javaagent:" + agent, "-cp", self, loop, "-", counts, timed));
        standalone.add(run(java, "-cp", self, loop, backend.uri().toString(), counts, timed));
        canned.add(run(java, "-cp", self, loop, "http://127.0.0.1:" + server.port(), counts, timed));
      }
    }
    StringBuilder out = new StringBuilder();
    out.append("| measure | value |\n|---|---|\n");
    out.append(String.format("| start-up, trivial main, no agent (median of %d) | %.0f ms |%n", runs, startUp.plain));
    out.append(String.format("| start-up, trivial main, with the agent (median of %d) | %.0f ms |%n", runs,
        startUp.plainWithAgent));
    out.append(String.format("| **start-up added by the agent, trivial main** | **%.0f ms** |%n",
        startUp.plainWithAgent - startUp.plain));
    out.append(String.format("| start-up and one KMS call, no agent, Shunt in another process (median of %d) | %.0f ms |%n",
        runs, startUp.oneCall));
    out.append(String.format("| start-up and one KMS call, with the agent and its backend (median of %d) | %.0f ms |%n",
        runs, startUp.oneCallWithAgent));
    out.append(String.format("| **start-up added by the agent, one KMS call** | **%.0f ms** |%n",
        startUp.oneCallWithAgent - startUp.oneCall));
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

  /** Median wall times (ms) of the four start-ups. */
  record StartUp(double plain, double plainWithAgent, double oneCall, double oneCallWithAgent) {}

  /**
   * The four start-ups take turns, {@code runs} times after one unmeasured round (it unpacks the
   * agent into its cache, and warms the disk cache): a trivial main, and {@link SdkCallLoop} making
   * one KMS call (against {@code backend} without the agent; with it, against its own backend), each
   * with and without the agent. Taking turns spreads whatever else the machine does over all four.
   */
  static StartUp startUp(int runs, String java, Path agent, String self, String backend) throws Exception {
    String hello = "dev.shunt.benchmarks.Hello";
    String loop = "dev.shunt.benchmarks.SdkCallLoop";
    String javaagent = "-javaagent:" + agent;
    String[][] commands = {
        {java, "-cp", self, hello},
        {java, javaagent, "-cp", self, hello},
        {java, "-cp", self, loop, backend, "0", "1"},
        {java, javaagent, "-cp", self, loop, "-", "0", "1"}};
    double[][] times = new double[commands.length][runs];
    for (int round = -1; round < runs; round++) {
      for (int i = 0; i < commands.length; i++) {
        long start = System.nanoTime();
        run(commands[i]);
        if (round >= 0) {
          times[i][round] = (System.nanoTime() - start) / 1e6;
        }
      }
    }
    for (double[] each : times) {
      Arrays.sort(each);
    }
    return new StartUp(times[0][runs / 2], times[1][runs / 2], times[2][runs / 2], times[3][runs / 2]);
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
