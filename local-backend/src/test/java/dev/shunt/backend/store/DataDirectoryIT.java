package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory as a careful database keeps it: one Shunt at a time, a damaged or foreign
 * database refused and left as it is, a newer schema refused, the root key checked and kept
 * owner-only.
 */
class DataDirectoryIT {
  @TempDir
  Path dir;

  private ShuntBackend start() {
    return start(ShuntBackend.builder());
  }

  private ShuntBackend start(ShuntBackend.Builder builder) {
    return builder.port(0).option("quotas", "off").option("data-dir", dir.toString()).start();
  }

  private String createKey() {
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", dir.toString()))) {
      return shunt.kms().createKey(r -> r.description("kept")).keyMetadata().keyId();
    }
  }

  @Test
  void aFirstStartMakesAnOwnerOnlyDirectoryKeyAndDatabase() throws IOException {
    Path data = dir.resolve("new");
    try (ShuntBackend shunt = ShuntBackend.builder().port(0).option("data-dir", data.toString()).start()) {
      assertThat(shunt.stateSummary()).startsWith(data.toString()).endsWith("(empty)");
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("root.key"))))
        .isEqualTo("rw-------");
    assertThat(data.resolve("shunt.db")).exists();
    assertThat(data.resolve("shunt.db.new")).doesNotExist();
  }

  @Test
  void theStateSummarySaysWhatIsKept() {
    createKey();
    try (ShuntBackend shunt = start()) {
      assertThat(shunt.stateSummary()).isEqualTo(dir.toAbsolutePath() + " (1 kms.keys)");
    }
  }

  @Test
  void accountsHoldingStateAreAdmittedFirstAndThoseBeyondTheCapAreNamed() {
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", dir.toString()))) {
      for (String account : new String[] {"111111111111", "222222222222", "333333333333"}) {
        shunt.kms(account, software.amazon.awssdk.regions.Region.US_EAST_1).createKey(r -> r.description(account));
      }
    }
    // The default account is always admitted; two more fit under a cap of three.
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", dir.toString())
        .option("max-accounts", "3"))) {
      assertThat(shunt.backend().stateSummary()).endsWith("; accounts with state beyond max-accounts (3): 1,"
          + " unreachable until it is raised");
      assertThat(shunt.kms("111111111111", software.amazon.awssdk.regions.Region.US_EAST_1).listKeys().keys())
          .hasSize(1);
    }
  }

  @Test
  void twoBackendsNeverShareADataDirectory() {
    try (ShuntBackend first = start()) {
      assertThatThrownBy(this::start).isInstanceOf(StoreException.class)
          .hasMessageContaining("is in use by another Shunt (pid " + ProcessHandle.current().pid() + ")");
      assertThat(first.stateSummary()).contains("empty");
    }
    // Closed, the directory is free again.
    try (ShuntBackend again = start()) {
      assertThat(again.stateSummary()).contains(dir.toAbsolutePath().toString());
    }
  }

  @Test
  void aTruncatedDatabaseIsRefusedAndLeftAsItIs() throws IOException {
    createKey();
    Path database = dir.resolve("shunt.db");
    byte[] whole = Files.readAllBytes(database);
    for (int length : new int[] {0, 100, whole.length / 2}) {
      Files.write(database, Arrays.copyOf(whole, length));
      assertThatThrownBy(this::start).as("truncated to " + length).isInstanceOf(StoreException.class)
          .hasMessageContaining(database.getFileName().toString()).hasMessageContaining("Shunt does not");
      assertThat(Files.size(database)).isEqualTo(length);
    }
  }

  @Test
  void aFileThatIsNotADatabaseIsRefused() throws IOException {
    createKey();
    Path database = dir.resolve("shunt.db");
    byte[] garbage = new byte[8192];
    new java.util.Random(7).nextBytes(garbage);
    Files.write(database, garbage);
    assertThatThrownBy(this::start).isInstanceOf(StoreException.class).hasMessageContaining("cannot be read");
    assertThat(Files.readAllBytes(database)).isEqualTo(garbage);
  }

  @Test
  void aDamagedRowIsReportedNotSkipped() throws Exception {
    String key = createKey();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("shunt.db"));
        Statement statement = sql.createStatement()) {
      statement.executeUpdate("UPDATE items SET document = substr(document, 1, length(document) - 1) || x'00'");
    }
    assertThatThrownBy(this::start).isInstanceOf(StoreException.class).hasMessageContaining(key)
        .hasMessageContaining("does not open with the root key");
  }

  @Test
  void aDirectoryOfOtherFilesIsNotTakenOver() throws IOException {
    Files.writeString(dir.resolve("notes.txt"), "mine");
    assertThatThrownBy(this::start).isInstanceOf(StoreException.class)
        .hasMessageContaining("holds files but no shunt.db");
  }

  @Test
  void aNewerSchemaIsRefusedWithWhatToDo() throws Exception {
    createKey();
    try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("shunt.db"));
        Statement statement = sql.createStatement()) {
      statement.execute("PRAGMA user_version = " + (SqliteStore.SCHEMA_VERSION + 1));
    }
    assertThatThrownBy(this::start).isInstanceOf(StoreException.class)
        .hasMessageContaining("was written by a newer Shunt (schema " + (SqliteStore.SCHEMA_VERSION + 1));
  }

  @Test
  void theRootKeyMustBeTheOneTheDirectoryWasMadeWith() throws IOException {
    createKey();
    String other = Base64.getEncoder().encodeToString(new byte[32]);
    assertThatThrownBy(() -> start(ShuntBackend.builder().option("root-key", other)))
        .isInstanceOf(StoreException.class).hasMessageContaining("is not the one the data directory");
    Path keyFile = dir.resolve("root.key");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(this::start).isInstanceOf(StoreException.class).hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    Path moved = dir.resolveSibling(dir.getFileName() + "-key");
    Files.move(keyFile, moved);
    try {
      assertThatThrownBy(this::start).isInstanceOf(StoreException.class).hasMessageContaining("does not exist");
      assertThat(keyFile).doesNotExist();
      // Kept elsewhere and named, the key opens the directory.
      try (ShuntBackend shunt = start(ShuntBackend.builder().option("root-key-file", moved.toString()))) {
        assertThat(shunt.stateSummary()).contains("1 kms.keys");
      }
    } finally {
      Files.deleteIfExists(moved);
    }
  }

  @Test
  void aRootKeyFromTheEnvironmentKeepsNoKeyFile() {
    String key = Base64.getEncoder().encodeToString(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32});
    try (ShuntBackend shunt = start(ShuntBackend.builder().option("root-key", key))) {
      assertThat(shunt.stateSummary()).contains("empty");
    }
    assertThat(dir.resolve("root.key")).doesNotExist();
    try (ShuntBackend shunt = start(ShuntBackend.builder().option("root-key", key))) {
      assertThat(shunt.stateSummary()).contains("empty");
    }
  }

  @Test
  void writesAfterAFailedCommitAreRefusedNotAcknowledged() throws Exception {
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", dir.toString()))) {
      shunt.kms().createKey(r -> r.description("first"));
      // Another connection holds the write lock past the busy timeout: the commit fails.
      try (Connection sql = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("shunt.db"));
          Statement statement = sql.createStatement()) {
        statement.execute("PRAGMA busy_timeout = 0");
        statement.execute("BEGIN EXCLUSIVE");
        assertThatThrownBy(() -> shunt.kms().createKey(r -> r.description("lost")))
            .hasMessageContaining("500");
        statement.execute("ROLLBACK");
      }
      // Memory and disk may differ now: nothing more is acknowledged until a restart.
      assertThatThrownBy(() -> shunt.kms().createKey(r -> r.description("after"))).hasMessageContaining("500");
    }
    try (ShuntBackend shunt = start()) {
      assertThat(shunt.stateSummary()).contains("1 kms.keys");
    }
  }
}
