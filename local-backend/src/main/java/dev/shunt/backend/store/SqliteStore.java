package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The durable store: one SQLite database in WAL mode in the data directory. Every item is a row
 * whose document is sealed under the {@link RootKey}; writes from all request threads go to one
 * writer thread that commits whatever has queued in one transaction (group commit), fsynced when
 * the durability asks for it, before any of those requests is answered.
 */
public final class SqliteStore implements StateStore {
  /** The schema this version of Shunt writes; it opens any older one by the migrations below. */
  public static final int SCHEMA_VERSION = 1;
  static final String DATABASE_FILE = "shunt.db";
  private static final byte[] KEY_CHECK = "shunt root key check".getBytes(StandardCharsets.UTF_8);
  private static final String[][] MIGRATIONS = {
      { // 0 -> 1: the first schema
          "CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID",
          "CREATE TABLE items (kind TEXT NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, id TEXT NOT NULL,"
              + " revision INTEGER NOT NULL, document BLOB, PRIMARY KEY (kind, account, region, id)) WITHOUT ROWID",
      },
  };
  private static final String UPSERT = "INSERT INTO items (kind, account, region, id, revision, document)"
      + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, account, region, id) DO UPDATE"
      + " SET revision = excluded.revision, document = excluded.document WHERE excluded.revision > items.revision";

  /** How far an acknowledged write survives. */
  public enum Durability {
    /** Every commit is fsynced before its requests are answered: it survives the machine losing power. */
    FULL,
    /** Commits reach the operating system, not the disk: they survive Shunt's crash (kill -9), not the machine's. */
    PROCESS
  }

  /** Changes to write, or (null) the removal of all. */
  private record Batch(List<Change> changes, CompletableFuture<Void> done) implements GroupCommit.Batch {}

  private final DataDirectory directory;
  private final RootKey rootKey;
  private final Connection connection;
  private final GroupCommit<Batch> writer = new GroupCommit<>(this::commit);
  private final long lastRevision;
  private volatile StoreException failed;

  private SqliteStore(DataDirectory directory, RootKey rootKey, Connection connection, long lastRevision) {
    this.directory = directory;
    this.rootKey = rootKey;
    this.connection = connection;
    this.lastRevision = lastRevision;
  }

  /**
   * Opens (making it on first use) the data directory {@code dir}: takes its lock, checks the
   * database and the root key (from {@code rootKeyText} if given, else the directory's key file),
   * and brings an older schema up to date. Refuses a newer schema, a damaged database or a wrong
   * key with a {@link StoreException} that says so; it never replaces what it finds.
   */
  public static SqliteStore open(Path dir, String rootKeyText, Path rootKeyFile, Durability durability) {
    DataDirectory directory = DataDirectory.lock(dir);
    Connection connection = null;
    try {
      Path database = directory.path().resolve(DATABASE_FILE);
      boolean fresh = !Files.exists(database);
      if (fresh && directory.holdsOtherFiles()) {
        throw new StoreException("The data directory " + directory.path() + " holds files but no " + DATABASE_FILE
            + ": it is not a Shunt data directory, or its database was removed; Shunt will not start over in it");
      }
      RootKey rootKey = rootKeyText != null ? RootKey.fromText(rootKeyText, "root-key")
          : RootKey.fromFile(rootKeyFile != null ? rootKeyFile : directory.path().resolve("root.key"), fresh);
      if (fresh) {
        create(directory.path(), database);
      }
      connection = connect(database);
      int version = schemaVersion(connection, database);
      if (version > SCHEMA_VERSION) {
        throw new StoreException("The data directory " + directory.path() + " was written by a newer Shunt (schema "
            + version + "; this Shunt knows " + SCHEMA_VERSION + " and older): run that version, or a newer one");
      }
      if (version > 0) {
        checkIntegrity(connection, database);
      }
      useWal(connection, durability);
      migrate(connection, version);
      checkRootKey(connection, rootKey, directory.path());
      long last = 0;
      try (Statement statement = connection.createStatement()) {
        // Removed items are kept only to order racing writes; none is in flight now.
        statement.executeUpdate("DELETE FROM items WHERE document IS NULL");
        try (ResultSet max = statement.executeQuery("SELECT coalesce(max(revision), 0) FROM items")) {
          max.next();
          last = max.getLong(1);
        }
      }
      SqliteStore store = new SqliteStore(directory, rootKey, connection, last);
      store.writer.start();
      return store;
    } catch (SQLException e) {
      closeQuietly(connection);
      directory.close();
      throw damaged(directory.path(), e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      directory.close();
      throw e;
    }
  }

  /** Makes the database complete under a temporary name, then renames it: a crash never leaves half of one. */
  private static void create(Path dir, Path database) throws SQLException {
    Path making = dir.resolve(DATABASE_FILE + ".new");
    try {
      Files.deleteIfExists(making);
      try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + making)) {
        migrate(connection, 0);
      }
      Files.move(making, database, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    } catch (java.io.IOException e) {
      throw new StoreException("Cannot create " + database + ": " + e);
    }
  }

  /** Opens the database; nothing is written to it (not even the switch to WAL) until {@link #useWal}, after it is checked. */
  private static Connection connect(Path database) throws SQLException {
    try {
      if (Files.size(database) == 0) {
        throw new StoreException(database + " is empty (it may have been truncated): restore it from a copy; Shunt"
            + " does not replace it");
      }
    } catch (java.io.IOException e) {
      throw new StoreException("Cannot read " + database + ": " + e);
    }
    Properties properties = new Properties();
    properties.setProperty("busy_timeout", "5000");
    Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database, properties);
    try (Statement statement = connection.createStatement()) {
      // A file that is not SQLite's fails here, before anything is written to it.
      statement.executeQuery("SELECT count(*) FROM sqlite_master").close();
    } catch (SQLException e) {
      closeQuietly(connection);
      throw e;
    }
    return connection;
  }

  private static void useWal(Connection connection, Durability durability) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("PRAGMA journal_mode=WAL");
      statement.execute("PRAGMA synchronous=" + (durability == Durability.FULL ? "FULL" : "NORMAL"));
    }
  }

  private static int schemaVersion(Connection connection, Path database) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("PRAGMA user_version")) {
      result.next();
      int version = result.getInt(1);
      if (version == 0) {
        // A new database is made under another name and renamed once complete: an existing one
        // without a schema was truncated or emptied, or is not Shunt's.
        throw new StoreException(database + " is empty or not Shunt's (it may have been truncated): restore it from"
            + " a copy; Shunt does not replace it");
      }
      return version;
    }
  }

  private static void checkIntegrity(Connection connection, Path database) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("PRAGMA quick_check")) {
      String verdict = result.next() ? result.getString(1) : "no answer";
      if (!"ok".equals(verdict)) {
        throw new StoreException(database + " is damaged (" + verdict + "): restore it from a copy; Shunt does not"
            + " repair or replace it");
      }
    }
  }

  private static void migrate(Connection connection, int from) throws SQLException {
    if (from == SCHEMA_VERSION) {
      return;
    }
    connection.setAutoCommit(false);
    try (Statement statement = connection.createStatement()) {
      for (int version = from; version < SCHEMA_VERSION; version++) {
        for (String sql : MIGRATIONS[version]) {
          statement.execute(sql);
        }
      }
      statement.execute("PRAGMA user_version = " + SCHEMA_VERSION);
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(true);
    }
  }

  private static void checkRootKey(Connection connection, RootKey rootKey, Path dir) throws SQLException {
    byte[] check = readMeta(connection, "root-key-check");
    if (check == null) {
      writeMeta(connection, "root-key-check", rootKey.seal(KEY_CHECK, KEY_CHECK));
    } else if (rootKey.open(check, KEY_CHECK) == null) {
      throw new StoreException("The root key (" + rootKey.source() + ") is not the one the data directory " + dir
          + " was made with");
    }
  }

  private static StoreException damaged(Path dir, SQLException e) {
    return new StoreException(dir.resolve(DATABASE_FILE) + " cannot be read (" + e.getMessage() + "): restore it from"
        + " a copy; Shunt does not repair or replace it", e);
  }

  @Override
  public List<StoredItem> load() {
    List<StoredItem> items = new ArrayList<>();
    synchronized (connection) {
      try (Statement statement = connection.createStatement();
          ResultSet rows = statement.executeQuery("SELECT kind, account, region, id, revision, document FROM items"
              + " WHERE document IS NOT NULL")) {
        while (rows.next()) {
          StoreKey key = new StoreKey(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4));
          byte[] document = rootKey.open(rows.getBytes(6), key.context());
          if (document == null) {
            throw new StoreException("The stored " + key.kind() + " " + key.id() + " (account " + key.account()
                + ", " + key.region() + ") in " + directory.path() + " does not open with the root key: it is"
                + " damaged or was altered");
          }
          items.add(new StoredItem(key, rows.getLong(5), document));
        }
      } catch (SQLException e) {
        throw damaged(directory.path(), e);
      }
    }
    return items;
  }

  @Override
  public long lastRevision() {
    return lastRevision;
  }

  @Override
  public CompletableFuture<Void> write(List<Change> items) {
    StoreException broken = failed;
    if (broken != null) {
      return CompletableFuture.failedFuture(broken);
    }
    if (writer.closing()) {
      return CompletableFuture.failedFuture(new StoreException("The store is closed"));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.add(new Batch(items, done));
    return done;
  }

  @Override
  public void clear() {
    write(null).join();
  }

  @Override
  public void flush() {
    try {
      write(List.of()).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // a failed store reports its failure to every request; closing goes on
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void commit(List<Batch> batches) {
    StoreException broken = failed;
    if (broken == null) {
      synchronized (connection) {
        try {
          connection.setAutoCommit(false);
          try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
            // Of the changes to one item queued together, only the latest is read and written.
            Map<StoreKey, Change> latest = new LinkedHashMap<>();
            for (Batch batch : batches) {
              if (batch.changes() == null) {
                upsert(upsert, latest);
                try (Statement statement = connection.createStatement()) {
                  statement.executeUpdate("DELETE FROM items");
                }
                continue;
              }
              for (Change change : batch.changes()) {
                latest.merge(change.item().storeKey(), change, (had, next) -> next.revision() > had.revision()
                    ? next : had);
              }
            }
            upsert(upsert, latest);
          }
          connection.commit();
        } catch (SQLException | RuntimeException e) {
          // Memory is now ahead of the disk: refuse every later write rather than acknowledge what may be lost.
          broken = new StoreException("Writing to " + directory.path() + " failed (" + e.getMessage() + "); Shunt"
              + " acknowledges no more writes until it is restarted", e);
          failed = broken;
          System.err.println("[shunt] " + broken.getMessage());
          try {
            connection.rollback();
          } catch (SQLException ignored) {
            // the failure is reported above
          }
        } finally {
          try {
            connection.setAutoCommit(true);
          } catch (SQLException ignored) {
            // the next commit reports it
          }
        }
      }
    }
    for (Batch batch : batches) {
      if (broken == null) {
        batch.done().complete(null);
      } else {
        batch.done().completeExceptionally(broken);
      }
    }
  }

  /** Reads each item's document now (under its monitor), seals it and writes it, or its removal. */
  private void upsert(PreparedStatement upsert, Map<StoreKey, Change> latest) throws SQLException {
    for (Map.Entry<StoreKey, Change> entry : latest.entrySet()) {
      StoreKey key = entry.getKey();
      Persistent item = entry.getValue().item();
      ObjectNode document;
      synchronized (item) {
        document = item.document();
      }
      upsert.setString(1, key.kind());
      upsert.setString(2, key.account());
      upsert.setString(3, key.region());
      upsert.setString(4, key.id());
      upsert.setLong(5, entry.getValue().revision());
      upsert.setBytes(6, document == null ? null : rootKey.seal(Json.write(document), key.context()));
      upsert.addBatch();
    }
    upsert.executeBatch();
    latest.clear();
  }

  @Override
  public byte[] meta(String name) {
    synchronized (connection) {
      try {
        byte[] sealed = readMeta(connection, name);
        return sealed == null ? null : rootKey.open(sealed, name.getBytes(StandardCharsets.UTF_8));
      } catch (SQLException e) {
        throw damaged(directory.path(), e);
      }
    }
  }

  @Override
  public void putMeta(String name, byte[] value) {
    synchronized (connection) {
      try {
        writeMeta(connection, name, rootKey.seal(value, name.getBytes(StandardCharsets.UTF_8)));
      } catch (SQLException e) {
        throw damaged(directory.path(), e);
      }
    }
  }

  private static byte[] readMeta(Connection connection, String name) throws SQLException {
    try (PreparedStatement select = connection.prepareStatement("SELECT value FROM meta WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getBytes(1) : null;
      }
    }
  }

  private static void writeMeta(Connection connection, String name, byte[] value) throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(
        "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")) {
      upsert.setString(1, name);
      upsert.setBytes(2, value);
      upsert.executeUpdate();
    }
  }

  /** The root key the store seals with (export seals key material under it too). */
  public RootKey rootKey() {
    return rootKey;
  }

  @Override
  public String location() {
    return directory.path().toString();
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public void close() {
    if (writer.closing()) {
      return;
    }
    try {
      writer.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (connection) {
      try (Statement statement = connection.createStatement()) {
        // Folds the write-ahead log into the database, so a copy of shunt.db alone is complete.
        statement.execute("PRAGMA wal_checkpoint(TRUNCATE)");
      } catch (SQLException ignored) {
        // the log stays beside the database; SQLite replays it on the next open
      }
      closeQuietly(connection);
    }
    directory.close();
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing what failed
      }
    }
  }
}
