package dev.shunt.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The benchmark harness still works: the whole standard set runs for a moment (load matrix
 * against real servers, agent overhead, asymmetric keys beside OpenSSL, durable state, every JMH
 * benchmark, quota accuracy) and writes a report. Its numbers mean nothing and are not asserted; that every part ran, and ran clean, is.
 */
class BenchmarkHarnessIT {
  @Test
  void theStandardSetRunsAndWritesItsReport() throws Exception {
    String report = RunAll.report(true, Path.of(System.getProperty("shunt.root", "..")));
    assertThat(report).contains("# Shunt benchmark results", "Machine: ", "## Targets",
        "## Throughput against the machine's ceiling", "## Agent overhead", "## Hot path pieces (JMH)",
        "## Quota check accuracy", "## Memory and scale", "## KMS asymmetric keys, MACs and data key pairs",
        "## Durable state", "## Caches", "Errors (non-200 answers) over all runs: 0.");
    assertThat(report).contains("| ListKeys (100) | 200 |", "| ListSecrets (100) | 200 |",
        "| GetParametersByPath (10, recursive) | 200 |");
    for (String operation : List.of("KMS Encrypt", "KMS Decrypt", "KMS GenerateDataKey",
        "Secrets Manager GetSecretValue", "SSM GetParameter")) {
      Matcher row = Pattern.compile("\\| " + operation + " \\| ([\\d,]+) \\|").matcher(report);
      assertThat(row.find()).as(operation).isTrue();
      assertThat(Long.parseLong(row.group(1).replace(",", ""))).as(operation + " served something").isPositive();
    }
    assertThat(report).contains("QuotaCheckBenchmark", "AuditBenchmark");
    // The caches' section: clean, and with the caches on, answered from them.
    String caches = report.substring(report.indexOf("## Caches"), report.indexOf("## Hot path pieces"));
    assertThat(caches).contains("Errors (non-200 answers) over all runs: 0.");
    for (String operation : List.of("KMS GenerateDataKey", "KMS Decrypt", "Secrets Manager GetSecretValue")) {
      Matcher row = Pattern.compile("\\| " + operation + " [^|]*\\|.*\\| ([\\d,]+) / ([\\d,]+) \\| [\\d.]+× \\|")
          .matcher(caches);
      assertThat(row.find()).as(operation + " in " + caches).isTrue();
      assertThat(Long.parseLong(row.group(1).replace(",", ""))).as(operation + " cache hits").isPositive();
    }
    // Every target was read back from its section (a changed wording there would leave NaN).
    String targets = report.substring(report.indexOf("## Targets"), report.indexOf("## Throughput"));
    assertThat(targets).doesNotContain("NaN");
    assertThat(report).contains("per call added over a canned response (median p50s)");
  }
}
