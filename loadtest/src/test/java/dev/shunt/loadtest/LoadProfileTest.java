package dev.shunt.loadtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The options and the profile file: what they mean, and every mistake refused with a clear message. */
class LoadProfileTest {
  @TempDir
  Path dir;

  private LoadProfile parse(String... args) {
    return LoadProfile.parse(args, 0, Map.of());
  }

  private String refused(String... args) {
    try {
      parse(args);
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
    throw new AssertionError("accepted: " + String.join(" ", args));
  }

  @Test
  void aCommandLineLoad() {
    LoadProfile profile = parse("--operation", "kms:Decrypt=3,SSM:GetParameter", "--rate", "12.5", "--duration", "2m",
        "--report", dir.resolve("out.html").toString(), "--max-attempts", "5", "--quota-scale", "0.01");
    assertThat(profile.operationNames).containsExactly("kms:Decrypt", "ssm:GetParameter");
    assertThat(profile.weights).containsExactly(3, 1);
    assertThat(profile.stages).containsExactly(new LoadProfile.Stage(12.5, 0, Duration.ofMinutes(2)));
    assertThat(profile.embedded()).isTrue();
    assertThat(profile.report).isEqualTo(dir.resolve("out.html"));
    assertThat(profile.json).isEqualTo(dir.resolve("out.json"));
    assertThat(profile.maxAttempts).isEqualTo(5);
    assertThat(profile.backendOptions).containsEntry("quota-scale", "0.01");
  }

  @Test
  void defaults() {
    LoadProfile profile = parse("--operation", "kms:GenerateRandom", "--concurrency", "4",
        "--report", dir.resolve("r").toString());
    assertThat(profile.stages).containsExactly(new LoadProfile.Stage(0, 4, Duration.ofSeconds(30)));
    assertThat(profile.maxAttempts).isEqualTo(3);
    assertThat(profile.maxInFlight).isEqualTo(256);
    assertThat(profile.region).isEqualTo("us-east-1");
    assertThat(profile.json).isEqualTo(dir.resolve("r.json"));
  }

  @Test
  void aProfileFileWithStagesAndTheCommandLineWinning() throws Exception {
    Path file = dir.resolve("profile.yaml");
    Files.writeString(file, """
        operations:
          secretsmanager:GetSecretValue: 2
          kms:Decrypt: 1
        stages:
          - {rate: 10, duration: 5s}
          - {concurrency: 8, duration: 10s}
        max-attempts: 4
        report: %s
        """.formatted(dir.resolve("from-profile.html")));
    LoadProfile profile = parse("--profile", file.toString(), "--max-attempts", "2");
    assertThat(profile.operationNames).containsExactly("secretsmanager:GetSecretValue", "kms:Decrypt");
    assertThat(profile.weights).containsExactly(2, 1);
    assertThat(profile.stages).containsExactly(new LoadProfile.Stage(10, 0, Duration.ofSeconds(5)),
        new LoadProfile.Stage(0, 8, Duration.ofSeconds(10)));
    assertThat(profile.duration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(profile.maxAttempts).isEqualTo(2);
    assertThat(profile.report.getFileName().toString()).isEqualTo("from-profile.html");

    // A rate on the command line replaces the profile's stages.
    LoadProfile replaced = parse("--profile", file.toString(), "--rate", "3", "--duration", "1s");
    assertThat(replaced.stages).containsExactly(new LoadProfile.Stage(3, 0, Duration.ofSeconds(1)));
  }

  @Test
  void anApplicationTarget() {
    LoadProfile profile = parse("--target-app", "http://127.0.0.1:8080/orders?id=1", "--body", "{}", "--header",
        "Content-Type: application/json", "--shunt", "http://127.0.0.1:4566", "--rate", "5",
        "--report", dir.resolve("a.html").toString());
    assertThat(profile.operationNames).containsExactly("POST /orders");
    assertThat(profile.method).isEqualTo("POST");
    assertThat(profile.headers).containsEntry("Content-Type", "application/json");
    assertThat(profile.statsUrl()).hasToString("http://127.0.0.1:4566");
    assertThat(profile.embedded()).isFalse();
  }

  @Test
  void mistakesAreRefusedAndSaySo() {
    String report = dir.resolve("x.html").toString();
    assertThat(refused("--operation", "kms:Decrypts", "--rate", "1", "--report", report))
        .contains("unknown operation 'kms:Decrypts'").contains("kms:Decrypt, kms:Encrypt");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "-5", "--report", report))
        .contains("rate must be a number of calls per second above 0").contains("'-5'");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "0", "--report", report)).contains("above 0");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "fast", "--report", report)).contains("'fast'");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--duration", "soon", "--report", report))
        .contains("duration takes a time such as 300, 30s, 500ms or 5m");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--duration", "-3s", "--report", report))
        .contains("duration takes a time");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--duration", "200ms", "--report", report))
        .contains("at least 1s");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--concurrency", "2", "--report", report))
        .contains("not both");
    assertThat(refused("--operation", "kms:Decrypt", "--report", report)).contains("give --rate R");
    assertThat(refused("--rate", "1", "--report", report)).contains("give --operation");
    assertThat(refused("--operation", "kms:Decrypt", "--concurrency", "0", "--report", report))
        .contains("concurrency must be a whole number from 1 to 1024");
    assertThat(refused("--operation", "kms:Decrypt=0", "--rate", "1", "--report", report))
        .contains("weight of kms:Decrypt");
    assertThat(refused("--operation", "kms:Decrypt,kms:Decrypt", "--rate", "1", "--report", report))
        .contains("named twice");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report",
        dir.resolve("missing/x.html").toString())).contains("does not exist");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", dir.toString()))
        .contains("is a directory");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--target", "localhost:4566"))
        .contains("--target takes an http(s) URL");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--target",
        "http://h:1", "--quota-scale", "0.1")).contains("sets up the embedded backend");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--shunt", "http://h:1"))
        .contains("with --target-app");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--target-app",
        "http://h:1/")).contains("with --target-app the load is the application's own request");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--max-attempts", "11"))
        .contains("--max-attempts takes a whole number from 1 to 10");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--rates", "2"))
        .contains("loadtest has no option --rates");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--quota-scale", "lots"))
        .contains("quota-scale");
    assertThat(refused("--operation", "kms:Decrypt", "--rate", "1", "--report", report, "--method", "GET"))
        .contains("--target-app");
  }

  @Test
  void profileFileMistakes() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "operations: [kms:Decrypt]\nstages: [{rate: 5}, {rate: 1, duration: 1s, burst: 3}]\n");
    assertThat(refused("--profile", file.toString(), "--report", dir.resolve("x.html").toString()))
        .contains("stage 2 has 'burst'");
    Files.writeString(file, "operations: [kms:Decrypt]\nrate: 5\nspeed: 3\n");
    assertThat(refused("--profile", file.toString())).contains("has no option 'speed'");
    assertThat(refused("--profile", dir.resolve("none.yaml").toString())).contains("none.yaml");
  }

  @Test
  void weightsMakeAnEvenlySpreadSchedule() {
    assertThat(LoadRunner.schedule(List.of(1))).containsExactly(0);
    assertThat(LoadRunner.schedule(List.of(1, 1))).containsExactly(0, 1);
    int[] order = LoadRunner.schedule(List.of(3, 1));
    assertThat(order).hasSize(4);
    assertThat(java.util.Arrays.stream(order).filter(i -> i == 0).count()).isEqualTo(3);
    // nginx's smooth weighted round robin: a, a, b, a.
    assertThat(order).containsExactly(0, 0, 1, 0);
    int[] spread = LoadRunner.schedule(List.of(5, 1, 1));
    assertThat(spread).containsExactly(0, 0, 1, 0, 2, 0, 0);
  }
}
