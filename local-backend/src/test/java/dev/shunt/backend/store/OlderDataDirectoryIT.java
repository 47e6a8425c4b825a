package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;

/**
 * Data directories written by earlier versions of Shunt open in this one: each schema version has
 * a directory made by the Shunt that wrote it, kept in {@code src/test/resources/store/schema-N}
 * (made by {@link #main}), with a ciphertext that must still decrypt.
 */
class OlderDataDirectoryIT {
  static final String KEY_ID = "0d1d2d3d-0000-4000-8000-00000000a001";
  static final String PLAINTEXT = "made by a Shunt of schema ";

  @TempDir
  Path dir;

  @Test
  void everyEarlierSchemaOpensAndItsCiphertextsDecrypt() throws Exception {
    for (int schema = 1; schema <= SqliteStore.SCHEMA_VERSION; schema++) {
      Path fixture = Path.of(OlderDataDirectoryIT.class.getResource("/store/schema-" + schema).toURI());
      Path data = Files.createDirectories(dir.resolve("schema-" + schema));
      for (String file : List.of("shunt.db", "root.key")) {
        Files.copy(fixture.resolve(file), data.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
      // Git keeps no permissions beyond the executable bit: the key file is owner-only again here.
      Files.setPosixFilePermissions(data.resolve("root.key"), PosixFilePermissions.fromString("rw-------"));
      byte[] ciphertext = Base64.getDecoder().decode(Files.readString(fixture.resolve("ciphertext.b64")).trim());
      int version = schema;
      try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()))) {
        assertThat(shunt.kms().decrypt(r -> r.ciphertextBlob(SdkBytes.fromByteArray(ciphertext))).plaintext()
            .asUtf8String()).isEqualTo(PLAINTEXT + version);
        assertThat(shunt.kms().describeKey(r -> r.keyId("alias/fixture")).keyMetadata().keyId()).isEqualTo(KEY_ID);
        assertThat(shunt.secrets().getSecretValue(r -> r.secretId("fixture/db")).secretString()).isEqualTo("s3cret");
        assertThat(shunt.ssm().getParameter(r -> r.name("/fixture/password").withDecryption(true)).parameter()
            .value()).isEqualTo("hunter2");
      }
    }
  }

  /** Writes {@code src/test/resources/store/schema-N} for this Shunt's schema N: run it once per new schema. */
  public static void main(String[] args) throws IOException, URISyntaxException {
    Path out = Path.of(args.length > 0 ? args[0] : "local-backend/src/test/resources/store/schema-"
        + SqliteStore.SCHEMA_VERSION);
    Files.createDirectories(out);
    Path seed = Files.writeString(Files.createTempFile("fixture", ".yaml"), """
        regions:
          - kms:
              keys:
                - KeyId: %s
                  Description: fixture
                  Aliases: [alias/fixture]
            secretsmanager:
              secrets:
                - Name: fixture/db
                  SecretString: s3cret
            ssm:
              parameters:
                - Name: /fixture/password
                  Type: SecureString
                  Value: hunter2
        """.formatted(KEY_ID));
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", out.toString())
        .option("seed", seed.toString()))) {
      byte[] ciphertext = shunt.kms().encrypt(r -> r.keyId(KEY_ID)
          .plaintext(SdkBytes.fromUtf8String(PLAINTEXT + SqliteStore.SCHEMA_VERSION))).ciphertextBlob().asByteArray();
      Files.writeString(out.resolve("ciphertext.b64"), Base64.getEncoder().encodeToString(ciphertext) + "\n");
    }
    Files.deleteIfExists(out.resolve("shunt.lock"));
    Files.deleteIfExists(seed);
  }
}
