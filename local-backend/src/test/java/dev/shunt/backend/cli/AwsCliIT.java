package dev.shunt.backend.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.cli.AwsCli.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real AWS CLI, run as its own process and changed in nothing but {@code --endpoint-url},
 * against a backend in this JVM ({@link AwsCli} says which CLI and how it is run). Without a CLI
 * the class is skipped, unless {@code SHUNT_REQUIRE_AWS_CLI=1}.
 */
class AwsCliIT {
  @TempDir
  static Path dir;
  private static AwsCli aws;
  private static BackendFixture shunt;

  @BeforeAll
  static void start() throws Exception {
    aws = AwsCli.find(dir);
    if (aws == null) {
      return;
    }
    shunt = BackendFixture.start();
    Run version = run("--version");
    assertThat(version.exitCode()).as("%s --version: %s", aws.executable(), version.stderr()).isZero();
    System.out.println("AwsCliIT uses " + aws.executable() + ": " + (version.stdout() + version.stderr()).trim());
  }

  /** Skips each test (so the report counts them as skipped) when there is no CLI and none is required. */
  @BeforeEach
  void needsTheCli() {
    Assumptions.assumeTrue(aws != null, AwsCli.NO_CLI);
  }

  @AfterAll
  static void stop() {
    if (shunt != null) {
      shunt.close();
    }
  }

  /** Runs {@code aws --endpoint-url URL --output json ARGS} in a clean environment, with a timeout. */
  private static Run run(String... args) throws Exception {
    return run(shunt, "test", args);
  }

  private static Run run(BackendFixture backend, String secret, String... args) throws Exception {
    return aws.run(backend.uri(), "test", secret, args);
  }

  /** Runs the CLI and asserts it succeeded; returns its JSON output. */
  private static JsonNode ok(String... args) throws Exception {
    Run run = run(args);
    assertThat(run.exitCode()).as("aws %s failed: %s", String.join(" ", args), run.stderr()).isZero();
    return run.json();
  }

  private static String file(String name, byte[] content) throws IOException {
    return "fileb://" + Files.write(dir.resolve(name), content);
  }

  private static JsonNode createKey(String description) throws Exception {
    JsonNode metadata = ok("kms", "create-key", "--description", description).get("KeyMetadata");
    assertThat(metadata.get("KeyId").asText()).isNotBlank();
    assertThat(metadata.get("Arn").asText())
        .isEqualTo("arn:aws:kms:us-east-1:000000000000:key/" + metadata.get("KeyId").asText());
    assertThat(metadata.get("KeyState").asText()).isEqualTo("Enabled");
    return metadata;
  }

  @Test
  void createKeyEncryptAndDecryptRoundTrip() throws Exception {
    JsonNode key = createKey("cli round trip");
    byte[] plaintext = "attack at dawn \u00e9\u0000\u00ff".getBytes(StandardCharsets.UTF_8);

    JsonNode encrypted = ok("kms", "encrypt", "--key-id", key.get("KeyId").asText(),
        "--plaintext", file("plain.bin", plaintext));
    assertThat(encrypted.get("KeyId").asText()).isEqualTo(key.get("Arn").asText());
    assertThat(encrypted.get("EncryptionAlgorithm").asText()).isEqualTo("SYMMETRIC_DEFAULT");
    byte[] blob = Base64.getDecoder().decode(encrypted.get("CiphertextBlob").asText());
    assertThat(blob).hasSizeGreaterThan(plaintext.length);

    JsonNode decrypted = ok("kms", "decrypt", "--ciphertext-blob", file("cipher.bin", blob));
    assertThat(Base64.getDecoder().decode(decrypted.get("Plaintext").asText())).isEqualTo(plaintext);
    assertThat(decrypted.get("KeyId").asText()).isEqualTo(key.get("Arn").asText());
  }

  @Test
  void aliasesNameKeysForDataKeysAndAreListed() throws Exception {
    JsonNode key = createKey("cli alias");
    Run created = run("kms", "create-alias", "--alias-name", "alias/cli-test",
        "--target-key-id", key.get("KeyId").asText());
    assertThat(created.exitCode()).as(created.stderr()).isZero();

    JsonNode aliases = ok("kms", "list-aliases").get("Aliases");
    List<JsonNode> ours = new ArrayList<>();
    aliases.forEach(alias -> {
      if (alias.path("AliasName").asText().equals("alias/cli-test")) {
        ours.add(alias);
      }
    });
    assertThat(ours).hasSize(1);
    assertThat(ours.get(0).get("TargetKeyId").asText()).isEqualTo(key.get("KeyId").asText());
    assertThat(ours.get(0).get("AliasArn").asText()).isEqualTo("arn:aws:kms:us-east-1:000000000000:alias/cli-test");

    JsonNode dataKey = ok("kms", "generate-data-key", "--key-id", "alias/cli-test", "--key-spec", "AES_256");
    assertThat(dataKey.get("KeyId").asText()).isEqualTo(key.get("Arn").asText());
    byte[] plaintextKey = Base64.getDecoder().decode(dataKey.get("Plaintext").asText());
    assertThat(plaintextKey).hasSize(32);
    byte[] wrapped = Base64.getDecoder().decode(dataKey.get("CiphertextBlob").asText());
    JsonNode unwrapped = ok("kms", "decrypt", "--ciphertext-blob", file("data-key.bin", wrapped));
    assertThat(Base64.getDecoder().decode(unwrapped.get("Plaintext").asText())).isEqualTo(plaintextKey);
  }

  @Test
  void aServiceErrorExitsNonZeroWithTheAwsErrorCode() throws Exception {
    Run missing = run("kms", "describe-key", "--key-id", "alias/missing");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("NotFoundException").contains("DescribeKey")
        .contains("alias/missing");
    assertThat(missing.stdout()).isBlank();
  }

  /** The CLI signs with botocore's SigV4 (no x-amz-content-sha256): Shunt's checking accepts it and refuses a wrong secret. */
  @Test
  void sigv4CheckingAcceptsTheCliSignatureAndRefusesAWrongSecret() throws Exception {
    try (BackendFixture checked = BackendFixture.start(
        dev.shunt.backend.ShuntBackend.builder().auth(dev.shunt.backend.auth.AuthMode.SIGV4).credentials("test:test"))) {
      Run created = run(checked, "test", "kms", "create-key", "--description", "signed");
      assertThat(created.exitCode()).as(created.stderr()).isZero();
      String keyId = created.json().get("KeyMetadata").get("KeyId").asText();
      Run encrypted = run(checked, "test", "kms", "encrypt", "--key-id", keyId, "--plaintext",
          file("signed.bin", "signed".getBytes(StandardCharsets.UTF_8)));
      assertThat(encrypted.exitCode()).as(encrypted.stderr()).isZero();

      Run forged = run(checked, "not-the-secret", "kms", "list-keys");
      assertThat(forged.exitCode()).isNotZero();
      assertThat(forged.stderr()).contains("InvalidSignatureException");
    }
  }

  /** The README's Parameter Store round trip: a SecureString in, decrypted out, found by path. */
  @Test
  void parameterStoreRoundTrip() throws Exception {
    JsonNode put = ok("ssm", "put-parameter", "--name", "/cli/db/password", "--value", "s3cr3t", "--type",
        "SecureString");
    assertThat(put.get("Version").asLong()).isEqualTo(1);
    ok("ssm", "put-parameter", "--name", "/cli/db/user", "--value", "app", "--type", "String");
    ok("ssm", "put-parameter", "--name", "/cli/region", "--value", "eu", "--type", "String");

    JsonNode decrypted = ok("ssm", "get-parameter", "--name", "/cli/db/password", "--with-decryption");
    assertThat(decrypted.get("Parameter").get("Value").asText()).isEqualTo("s3cr3t");
    JsonNode encrypted = ok("ssm", "get-parameter", "--name", "/cli/db/password");
    assertThat(encrypted.get("Parameter").get("Value").asText()).isNotEqualTo("s3cr3t");

    JsonNode byPath = ok("ssm", "get-parameters-by-path", "--path", "/cli", "--recursive", "--with-decryption");
    List<String> names = new ArrayList<>();
    byPath.get("Parameters").forEach(p -> names.add(p.get("Name").asText() + "=" + p.get("Value").asText()));
    assertThat(names).containsExactly("/cli/db/password=s3cr3t", "/cli/db/user=app", "/cli/region=eu");
  }
}
