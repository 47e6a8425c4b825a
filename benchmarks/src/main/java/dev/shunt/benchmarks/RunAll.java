package dev.shunt.benchmarks;

import dev.shunt.benchmarks.load.AsymmetricLoad;
import dev.shunt.benchmarks.load.CacheLoad;
import dev.shunt.benchmarks.load.DurableLoad;
import dev.shunt.benchmarks.load.LoadMatrix;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The standard set, in one command ({@code benchmarks/run.sh}): the load matrix against the
 * ceiling, the agent's overhead, the JMH hot-path benchmarks, the quota check's accuracy, memory
 * and scale; written to {@code benchmarks/RESULTS.md} with the machine and the date, the targets
 * marked met or missed, the cost of durable state, what a cache hit costs, and the hand-written analysis ({@code benchmarks/analysis.md}) after it.
 *
 * <p>{@code RunAll [--smoke] [--out PATH]}: {@code --smoke} runs every part for a moment (it proves
 * the harness works; its numbers mean nothing).
 */
public final class RunAll {
  private RunAll() {}

  public static void main(String[] args) throws Exception {
    boolean smoke = List.of(args).contains("--smoke");
    Path out = Path.of("benchmarks", "RESULTS.md");
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--out")) {
        out = Path.of(args[i + 1]);
      }
    }
    Files.writeString(out, report(smoke, Path.of(".")));
    System.out.println("Wrote " + out.toAbsolutePath());
  }

  /** Runs everything from the repository root {@code root}; returns the whole RESULTS.md. */
  public static String report(boolean smoke, Path root) throws Exception {
    StringBuilder md = new StringBuilder("# Shunt benchmark results\n\n");
    md.append(machine()).append("\n");
    md.append("Written by `benchmarks/run.sh` (`mvn -B -ntp -q package -DskipTests` then `java -cp "
        + "benchmarks/target/shunt-benchmarks.jar dev.shunt.benchmarks.RunAll`); nothing else runs on the machine "
        + "meanwhile, or the numbers are not worth writing down.\n");
    if (smoke) {
      md.append("\n**Smoke run: durations cut to a moment; these numbers mean nothing.**\n");
    }

    String load = LoadMatrix.run(root.resolve("local-backend/target/shunt-backend.jar"), smoke ? 1_000 : 15_000,
        smoke ? 500 : 10_000, 32);
    String agent = AgentOverhead.section(root.resolve("agent/target/shunt-agent.jar"), smoke ? 1 : 10, smoke ? 1 : 3,
        smoke ? 200 : 50_000, smoke ? 500 : 30_000);
    String jmh = jmh(smoke);
    String quota = QuotaAccuracy.section(smoke ? List.of(20) : List.of(20, 200, 2000));
    String asymmetric = AsymmetricLoad.run(root.resolve("local-backend/target/shunt-backend.jar"),
        smoke ? 1_000 : 8_000, smoke ? 500 : 4_000, 32, smoke ? 1 : 3);
    String durable = DurableLoad.run(root.resolve("local-backend/target/shunt-backend.jar"), smoke ? 1_000 : 8_000,
        smoke ? 500 : 4_000, 32, smoke ? 200 : 10_000);
    String caches = CacheLoad.run(root.resolve("local-backend/target/shunt-backend.jar"), smoke ? 1_000 : 8_000,
        smoke ? 500 : 4_000, 32);
    String scale = ScaleBenchmark.section("--jar", root.resolve("local-backend/target/shunt-backend.jar").toString(),
        "--n", smoke ? "200" : "100000", "--small", smoke ? "50" : "1000", "--pages", smoke ? "50" : "20000");

    md.append("\n## Targets\n\n").append(targets(load, agent, asymmetric)).append("\n");
    md.append("## Throughput against the machine's ceiling\n\n").append(load).append("\n");
    md.append("## Agent overhead\n\n`dev.shunt.benchmarks.AgentOverhead`: start-up is the wall time of a JVM "
        + "running a trivial main, and of one that builds a KMS client and makes one call (GenerateRandom, Apache "
        + "client), medians of runs taking turns; per call, one application thread making KMS GenerateRandom(8) "
        + "calls through the AWS SDK v2 (Apache client) after a warm-up.\n\n").append(agent).append("\n");
    md.append("## KMS asymmetric keys, MACs and data key pairs\n\n`dev.shunt.benchmarks.load.AsymmetricLoad`: "
        + "the backend serves with its two event loops; OpenSSL's figure is one core, so a ratio of 1.0 would mean "
        + "Shunt over HTTP on two cores matches OpenSSL on one.\n\n").append(asymmetric).append("\n");
    md.append("## Durable state\n\n`dev.shunt.benchmarks.load.DurableLoad`: what a data directory costs writes, "
        + "that it costs Decrypt nothing, and how long `serve` takes to restore a large one.\n\n").append(durable)
        .append("\n");
    md.append("## Caches\n\n`dev.shunt.benchmarks.load.CacheLoad`: an answer from the data-key, Decrypt and "
        + "secret caches beside the call it saves.\n\n").append(caches).append("\n");
    md.append("## Hot path pieces (JMH)\n\n").append(jmh).append("\n");
    md.append("## Quota check accuracy\n\n`dev.shunt.benchmarks.QuotaAccuracy`: an in-process backend, KMS's "
        + "symmetric quota set to the rate, six SDK client threads offering three times it for 6 s; accepted "
        + "over seconds 1 to 6. `QuotaIT` asserts ±5 % at 20 rps.\n\n").append(quota).append("\n");
    md.append("## Memory and scale\n\n`dev.shunt.benchmarks.ScaleBenchmark`: the standalone backend's resident set "
        + "size as N KMS keys, N secrets and N (Advanced) parameters are created, and list page latency by position "
        + "in a walk through all of them (flat means no page costs more the deeper it is).\n\n").append(scale)
        .append("\n");
    Path analysis = root.resolve("benchmarks/analysis.md");
    if (Files.exists(analysis)) {
      md.append(Files.readString(analysis));
    }
    return md.toString();
  }

  private static String machine() throws IOException {
    String cpu = "unknown CPU";
    Path cpuinfo = Path.of("/proc/cpuinfo");
    if (Files.exists(cpuinfo)) {
      try (Stream<String> lines = Files.lines(cpuinfo)) {
        cpu = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
            .findFirst().orElse(cpu);
      }
    }
    String memory = "";
    Path meminfo = Path.of("/proc/meminfo");
    if (Files.exists(meminfo)) {
      try (Stream<String> lines = Files.lines(meminfo)) {
        memory = lines.filter(l -> l.startsWith("MemTotal")).map(l -> String.format(Locale.ROOT, ", %.0f GB RAM",
            Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0)).findFirst().orElse("");
      }
    }
    return String.format(Locale.ROOT, "Machine: %d cores (%s)%s; %s %s; %s %s; measured %s.%n",
        Runtime.getRuntime().availableProcessors(), cpu, memory, System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"), System.getProperty("os.name"), System.getProperty("os.version"),
        LocalDate.now());
  }

  /** Every JMH benchmark in this jar, one fork, with the GC profiler; a table of time and allocation. */
  private static String jmh(boolean smoke) throws Exception {
    ChainedOptionsBuilder options = new OptionsBuilder().include(".*").addProfiler(GCProfiler.class)
        .shouldFailOnError(true);
    if (smoke) {
      options.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(100));
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    StringBuilder out = new StringBuilder("`java -cp benchmarks/target/shunt-benchmarks.jar org.openjdk.jmh.Main "
        + "-prof gc` (each benchmark's class says what it measures).\n\n"
        + "| benchmark | parameters | time | allocated |\n|---|---|---|---|\n");
    for (RunResult result : results) {
      BenchmarkParams params = result.getParams();
      String name = params.getBenchmark();
      name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
      List<String> values = new ArrayList<>();
      for (String key : params.getParamsKeys()) {
        values.add(key + "=" + params.getParam(key));
      }
      Result<?> primary = result.getPrimaryResult();
      Map<String, Result> secondary = result.getSecondaryResults();
      Result<?> allocation = secondary.get("gc.alloc.rate.norm");
      out.append(String.format(Locale.ROOT, "| %s | %s | %,.1f %s | %s |%n", name, String.join(", ", values),
          primary.getScore(), primary.getScoreUnit(),
          allocation == null ? "" : String.format(Locale.ROOT, "%,.0f B/op", allocation.getScore())));
    }
    return out.toString();
  }

  /** The targets, read back from the measured sections. */
  static String targets(String load, String agent, String asymmetric) {
    double rsa = ratio(asymmetric, "Sign RSA_2048");
    double p256 = ratio(asymmetric, "Sign ECC_NIST_P256");
    double decryptTrust = percent(load, "KMS Decrypt", 0);
    double decryptSigv4 = percent(load, "KMS Decrypt", 1);
    Matcher openLoop = Pattern.compile("p99 ([\\d,]+) µs, p99\\.9").matcher(load);
    double p99Micros = openLoop.find() ? number(openLoop.group(1)) : Double.NaN;
    Matcher added = Pattern.compile("per call added over a canned response \\(median p50s\\)\\*\\* \\| \\*\\*(-?[\\d.]+) µs")
        .matcher(agent);
    double addedMicros = added.find() ? Double.parseDouble(added.group(1)) : Double.NaN;
    double startUpPlain = millis(agent, "start-up added by the agent, trivial main");
    double startUpOneCall = millis(agent, "start-up added by the agent, one KMS call");
    return "| target | measured | |\n|---|---|---|\n"
        + row("KMS Decrypt, trust auth: ≥ 50 % of the ceiling", String.format(Locale.ROOT, "%.0f %%", decryptTrust),
            decryptTrust >= 50)
        + row("KMS Decrypt, SigV4 checked: ≥ 35 % of the ceiling", String.format(Locale.ROOT, "%.0f %%", decryptSigv4),
            decryptSigv4 >= 35)
        + row("p99 latency at 80 % of peak (Decrypt, trust): < 5 ms",
            String.format(Locale.ROOT, "%.2f ms", p99Micros / 1000), p99Micros < 5000)
        + row("In-process path (agent, embedded backend): ≤ 50 µs per SDK call over a canned response",
            String.format(Locale.ROOT, "%.1f µs", addedMicros), addedMicros <= 50)
        + row("Start-up added by the agent, trivial main: < 200 ms",
            String.format(Locale.ROOT, "%.0f ms", startUpPlain), startUpPlain < 200)
        + row("Start-up added by the agent, an application making one KMS call: < 300 ms",
            String.format(Locale.ROOT, "%.0f ms", startUpOneCall), startUpOneCall < 300)
        + row("KMS Sign RSA_2048 over HTTP: ≥ 0.5× OpenSSL's single-core sign rate",
            String.format(Locale.ROOT, "%.2f×", rsa), rsa >= 0.5)
        + row("KMS Sign ECC_NIST_P256 over HTTP: ≥ 0.25× OpenSSL's single-core sign rate",
            String.format(Locale.ROOT, "%.2f×", p256), p256 >= 0.25);
  }

  /** The last cell ("0.60×") of the asymmetric section's row for {@code operation}. */
  private static double ratio(String asymmetric, String operation) {
    Matcher row = Pattern.compile("\\| " + Pattern.quote(operation) + " \\|.*\\| ([\\d.]+)× \\|").matcher(asymmetric);
    return row.find() ? Double.parseDouble(row.group(1)) : Double.NaN;
  }

  /** The bold "N ms" of the agent section's row named {@code measure}. */
  private static double millis(String agent, String measure) {
    Matcher row = Pattern.compile(Pattern.quote(measure) + "\\*\\* \\| \\*\\*(-?[\\d.]+) ms").matcher(agent);
    return row.find() ? Double.parseDouble(row.group(1)) : Double.NaN;
  }

  private static String row(String target, String measured, boolean met) {
    return "| " + target + " | " + measured + " | " + (met ? "met" : "**missed**") + " |\n";
  }

  /** The {@code index}-th "N %" cell (0: trust, 1: sigv4) of an operation's row. */
  private static double percent(String load, String operation, int index) {
    for (String line : load.split("\n")) {
      if (line.startsWith("| " + operation + " |")) {
        Matcher cell = Pattern.compile("\\| (\\d+) % \\|").matcher(line);
        for (int i = 0; cell.find(); i++) {
          if (i == index) {
            return Double.parseDouble(cell.group(1));
          }
        }
      }
    }
    return Double.NaN;
  }

  private static double number(String text) {
    return Double.parseDouble(text.replace(",", ""));
  }
}
