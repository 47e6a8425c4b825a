package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.postgresql.PGConnection;

/**
 * State kept in PostgreSQL and shared by every node pointed at it. Each node serves from memory;
 * its writes go, as with SQLite, to one writer thread that commits what has queued (group commit)
 * before those requests are answered. Each item's row carries a version: a change is written only
 * if the row still holds the version the change was based on, so of two nodes changing one item at
 * once one wins and the other's request fails with a retryable error, its memory given the winner's
 * item. Every commit notifies the other nodes (LISTEN/NOTIFY), which read the rows changed since
 * they last looked and apply them; they also look every second, should a notification be lost.
 */
public final class PostgresStore implements StateStore {
  static final String CHANNEL = "shunt_changes";
  /** How often a node looks for other nodes' changes when no notification wakes it: the bound on their delay. */
  public static final long POLL_MILLIS = 1000;
  private static final int SCHEMA_VERSION = 1;
  /** Any number, the same on every node: it keeps two nodes from making the schema at once. */
  private static final long SCHEMA_LOCK = 0x5348554e54L;
  private static final byte[] KEY_CHECK = "shunt root key check".getBytes(StandardCharsets.UTF_8);
  private static final String[] SCHEMA = {
      "CREATE TABLE IF NOT EXISTS shunt_meta (name text PRIMARY KEY, value bytea NOT NULL)",
      // xid: the transaction that last wrote the row, by which a node finds what changed since it last looked.
      "CREATE TABLE IF NOT EXISTS shunt_items (kind text NOT NULL, account text NOT NULL, region text NOT NULL,"
          + " id text NOT NULL, version bigint NOT NULL, document bytea, node text NOT NULL,"
          + " xid xid8 NOT NULL DEFAULT pg_current_xact_id(), PRIMARY KEY (kind, account, region, id))",
      "CREATE INDEX IF NOT EXISTS shunt_items_xid ON shunt_items (xid)",
  };
  /**
   * Writes a change if the row is still at the version it was based on; when the change was based
   * on a change of this node's not yet committed, the row must also be this node's (another node's
   * row at that version is not what the change was made on).
   */
  private static final String UPSERT = "INSERT INTO shunt_items AS i (kind, account, region, id, version, document,"
      + " node, xid) VALUES (?, ?, ?, ?, ?, ?, ?, pg_current_xact_id()) ON CONFLICT (kind, account, region, id)"
      + " DO UPDATE SET version = excluded.version, document = excluded.document, node = excluded.node,"
      + " xid = excluded.xid WHERE i.version = ? AND (? OR i.node = excluded.node)";
  /**
   * The rows written by transactions from {@code ?} on, and the oldest transaction still running:
   * every transaction before it has ended, so the next look starts there and misses no commit.
   */
  private static final String CHANGES = "SELECT s.xmin::text, i.kind, i.account, i.region, i.id, i.version,"
      + " i.document, i.node FROM (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin) s"
      + " LEFT JOIN shunt_items i ON i.xid >= ?::text::xid8";
  private static final String ROW = "SELECT version, document, node FROM shunt_items"
      + " WHERE kind = ? AND account = ? AND region = ? AND id = ?";

  /**
   * The versions of one item: stored, and the last this node's queued changes will have made; and
   * how many times a stored version was applied to memory here (each makes memory equal to it).
   */
  private static final class Versions {
    long committed;
    long pending;
    long applied;
  }

  /**
   * One item of a request's changes, with the version it was based on, and how many stored
   * versions memory had been given when it was made.
   */
  private record Pending(Persistent item, StoreKey key, long expected, boolean basedOnOwnPending, long applied) {}

  /** One request's changes (or, {@code clear}, the removal of all). */
  private record Batch(List<Pending> items, boolean clear, CompletableFuture<Void> done)
      implements GroupCommit.Batch {}

  private enum Outcome { COMMITTED, CONFLICT, FAILED }

  private final PostgresUrl url;
  private final RootKey rootKey;
  /** This process's mark on the rows it writes: its own changes are not applied again. */
  private final String writerId;
  private final Map<StoreKey, Versions> versions = new HashMap<>();
  private final GroupCommit<Batch> writer = new GroupCommit<>(this::commit);
  /** What was stored at start, until {@link #load} hands it over. */
  private List<StoredItem> loaded;
  /**
   * Items whose memory may hold changes PostgreSQL refused, each with the latest {@link
   * Versions#applied} such a change was made at: brought back to the stored version when it answers.
   */
  private final Map<StoreKey, Long> unsynced = new LinkedHashMap<>();
  private Connection connection;
  private volatile String watermark;
  private volatile boolean closing;
  private volatile Thread follower;
  private volatile Consumer<Runnable> exclusively = Runnable::run;
  private volatile Consumer<StoredItem> apply = item -> {};
  private boolean reportedDown;
  /** Whether the last write failed (said once, until one succeeds); the writer thread's own. */
  private boolean writesFailing;

  private PostgresStore(PostgresUrl url, RootKey rootKey, String nodeId, Connection connection) throws SQLException {
    this.url = url;
    this.rootKey = rootKey;
    this.writerId = nodeId + "/" + java.util.HexFormat.of().formatHex(dev.shunt.backend.crypto.Randomness.bytes(6));
    this.connection = connection;
    this.loaded = readAll(connection);
  }

  /**
   * Connects to {@code spec} (postgresql://USER:PASSWORD@HOST:PORT/DATABASE), makes the schema if
   * none is there, checks that {@code rootKey} is the one the stored state was sealed with, and
   * reads every item. Refuses what it cannot reach or does not recognize with a {@link StoreException}.
   */
  public static PostgresStore open(String spec, RootKey rootKey, String nodeId) {
    if (rootKey == null) {
      throw new StoreException("A store in PostgreSQL needs root-key (or root-key-file), the same on every node: it"
          + " seals key material and secret values before they leave the node");
    }
    PostgresUrl url = PostgresUrl.parse(spec);
    Connection connection = null;
    try {
      connection = url.connect("shunt " + nodeId);
      makeSchema(connection, url);
      checkRootKey(connection, rootKey, url);
      PostgresStore store = new PostgresStore(url, rootKey, nodeId, connection);
      store.writer.start();
      return store;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw new StoreException("Cannot use PostgreSQL at " + url + ": " + e.getMessage(), e);
    }
  }

  /** Refuses a store URL that is not postgresql://USER:PASSWORD@HOST:PORT/DATABASE, saying why. */
  public static void checkUrl(String spec) {
    PostgresUrl.parse(spec);
  }

  private static void makeSchema(Connection connection, PostgresUrl url) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_advisory_lock(" + SCHEMA_LOCK + ")");
      try {
        for (String sql : SCHEMA) {
          statement.execute(sql);
        }
        statement.execute("INSERT INTO shunt_meta (name, value) VALUES ('schema-version', '"
            + SCHEMA_VERSION + "'::bytea) ON CONFLICT (name) DO NOTHING");
        try (ResultSet version = statement.executeQuery(
            "SELECT convert_from(value, 'UTF8') FROM shunt_meta WHERE name = 'schema-version'")) {
          version.next();
          int stored = Integer.parseInt(version.getString(1));
          if (stored > SCHEMA_VERSION) {
            throw new StoreException("The database at " + url + " was written by a newer Shunt (schema " + stored
                + "; this Shunt knows " + SCHEMA_VERSION + " and older): run that version, or a newer one");
          }
        }
      } finally {
        statement.execute("SELECT pg_advisory_unlock(" + SCHEMA_LOCK + ")");
      }
    }
  }

  private static void checkRootKey(Connection connection, RootKey rootKey, PostgresUrl url) throws SQLException {
    insertMeta(connection, "root-key-check", rootKey.seal(KEY_CHECK, KEY_CHECK));
    if (rootKey.open(readMeta(connection, "root-key-check"), KEY_CHECK) == null) {
      throw new StoreException("The root key (" + rootKey.source() + ") is not the one the state in " + url
          + " was sealed with: every node needs the same root-key");
    }
  }

  /** Every row, with the versions this node starts from and where it starts looking for changes. */
  private List<StoredItem> readAll(Connection connection) throws SQLException {
    List<StoredItem> items = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(CHANGES)) {
      select.setString(1, "0");
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          watermark = rows.getString(1);
          if (rows.getString(2) == null) {
            continue;
          }
          StoreKey key = new StoreKey(rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5));
          long version = rows.getLong(6);
          Versions known = new Versions();
          known.committed = known.pending = version;
          versions.put(key, known);
          byte[] sealed = rows.getBytes(7);
          if (sealed != null) {
            items.add(new StoredItem(key, version, open(key, sealed)));
          }
        }
      }
    }
    return items;
  }

  private byte[] open(StoreKey key, byte[] sealed) {
    byte[] document = rootKey.open(sealed, key.context());
    if (document == null) {
      throw new StoreException("The stored " + key.kind() + " " + key.id() + " (account " + key.account() + ", "
          + key.region() + ") in " + url + " does not open with the root key: it is damaged or was altered");
    }
    return document;
  }

  @Override
  public List<StoredItem> load() {
    List<StoredItem> items = loaded;
    loaded = List.of();
    return items;
  }

  @Override
  public long lastRevision() {
    return 0;
  }

  @Override
  public boolean shared() {
    return true;
  }

  @Override
  public void follow(Consumer<Runnable> exclusively, Consumer<StoredItem> apply) {
    this.exclusively = exclusively;
    this.apply = apply;
    Thread thread = new Thread(this::followLoop, "shunt-store-follower");
    thread.setDaemon(true);
    follower = thread;
    thread.start();
  }

  // ---- writing ----------------------------------------------------------------------------

  @Override
  public CompletableFuture<Void> write(List<Change> changes) {
    if (closing) {
      return CompletableFuture.failedFuture(new StoreException("The store is closed"));
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    // Of one item's changes in a request, the last says it all (its document is read when written).
    Map<StoreKey, Persistent> items = new LinkedHashMap<>();
    for (Change change : changes) {
      items.put(change.item().storeKey(), change.item());
    }
    List<Pending> pending = new ArrayList<>(items.size());
    synchronized (versions) {
      // Taken and queued together, so that the queue holds each item's changes in version order.
      for (Map.Entry<StoreKey, Persistent> entry : items.entrySet()) {
        Versions known = versions.computeIfAbsent(entry.getKey(), k -> new Versions());
        pending.add(new Pending(entry.getValue(), entry.getKey(), known.pending, known.pending > known.committed,
            known.applied));
        known.pending++;
      }
      writer.add(new Batch(pending, false, done));
    }
    return done;
  }

  @Override
  public void clear() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.add(new Batch(List.of(), true, done));
    done.join();
  }

  @Override
  public void flush() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    writer.add(new Batch(List.of(), false, done));
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // a failed write was reported to its request
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Commits the queued requests' changes together; when one conflicts, each request's alone. */
  private void commit(List<Batch> batches) {
    Outcome together = transaction(batches);
    if (together == Outcome.CONFLICT && batches.size() > 1) {
      for (Batch batch : batches) {
        settle(List.of(batch), transaction(List.of(batch)));
      }
    } else {
      settle(batches, together);
    }
  }

  private void settle(List<Batch> batches, Outcome outcome) {
    if (outcome == Outcome.COMMITTED) {
      batches.forEach(batch -> batch.done().complete(null));
      return;
    }
    StoreException failure = outcome == Outcome.CONFLICT
        ? new StoreConflictException("Another node changed what this request changed; it was not written")
        : new StoreException("Writing to PostgreSQL at " + url + " failed; the change was not acknowledged");
    // Memory holds changes PostgreSQL refused: it takes PostgreSQL's items again before the client retries.
    synchronized (unsynced) {
      batches.forEach(batch -> batch.items().forEach(item -> unsynced.merge(item.key(), item.applied(), Math::max)));
    }
    resync(connection);
    batches.forEach(batch -> batch.done().completeExceptionally(failure));
  }

  /** Writes the batches' changes in one transaction, and notifies the other nodes when it commits. */
  private Outcome transaction(List<Batch> batches) {
    // Of one item's changes in these batches: based on the first's version, holding the last's document.
    Map<StoreKey, Pending> first = new LinkedHashMap<>();
    Map<StoreKey, Long> last = new HashMap<>();
    boolean clear = false;
    for (Batch batch : batches) {
      clear |= batch.clear();
      for (Pending item : batch.items()) {
        Long previous = last.get(item.key());
        if (previous != null && previous + 1 != item.expected()) {
          return Outcome.CONFLICT;
        }
        first.putIfAbsent(item.key(), item);
        last.put(item.key(), item.expected());
      }
    }
    if (first.isEmpty() && !clear) {
      return Outcome.COMMITTED;
    }
    try {
      Connection db = connection();
      db.setAutoCommit(false);
      try {
        if (!upsert(db, first, last)) {
          db.rollback();
          return Outcome.CONFLICT;
        }
        Map<StoreKey, Long> cleared = clear ? clearAll(db) : Map.of();
        try (Statement notify = db.createStatement()) {
          notify.execute("NOTIFY " + CHANNEL);
        }
        db.commit();
        if (writesFailing) {
          writesFailing = false;
          System.err.println("[shunt] PostgreSQL at " + url + " takes writes again");
        }
        synchronized (versions) {
          last.forEach((key, expected) -> versions.get(key).committed = Math.max(versions.get(key).committed,
              expected + 1));
          cleared.forEach((key, version) -> {
            Versions known = versions.computeIfAbsent(key, k -> new Versions());
            known.committed = Math.max(known.committed, version);
            known.pending = Math.max(known.pending, version);
          });
        }
        return Outcome.COMMITTED;
      } finally {
        if (connection != null) {
          try {
            db.setAutoCommit(true);
          } catch (SQLException ignored) {
            // the next transaction finds the connection broken and opens another
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      lost(e);
      return Outcome.FAILED;
    }
  }

  /** Writes each item's current document (read under its monitor); false when a row is not at the version expected. */
  private boolean upsert(Connection db, Map<StoreKey, Pending> first, Map<StoreKey, Long> last) throws SQLException {
    try (PreparedStatement upsert = db.prepareStatement(UPSERT)) {
      for (Pending item : first.values()) {
        StoreKey key = item.key();
        ObjectNode document;
        synchronized (item.item()) {
          document = item.item().document();
        }
        upsert.setString(1, key.kind());
        upsert.setString(2, key.account());
        upsert.setString(3, key.region());
        upsert.setString(4, key.id());
        upsert.setLong(5, last.get(key) + 1);
        upsert.setBytes(6, document == null ? null : rootKey.seal(Json.write(document), key.context()));
        upsert.setString(7, writerId);
        upsert.setLong(8, item.expected());
        upsert.setBoolean(9, !item.basedOnOwnPending());
        upsert.addBatch();
      }
      for (int count : upsert.executeBatch()) {
        if (count != 1) {
          return false;
        }
      }
      return true;
    }
  }

  /** Marks every item removed (other nodes remove them too): the versions the removals took. */
  private Map<StoreKey, Long> clearAll(Connection db) throws SQLException {
    Map<StoreKey, Long> cleared = new HashMap<>();
    try (PreparedStatement update = db.prepareStatement("UPDATE shunt_items SET document = NULL, version = version + 1,"
        + " node = ?, xid = pg_current_xact_id() WHERE document IS NOT NULL"
        + " RETURNING kind, account, region, id, version")) {
      update.setString(1, writerId);
      try (ResultSet rows = update.executeQuery()) {
        while (rows.next()) {
          cleared.put(new StoreKey(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4)),
              rows.getLong(5));
        }
      }
    }
    return cleared;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = url.connect("shunt writer");
    }
    return connection;
  }

  /** The writer's connection failed: it is opened again for the next write. */
  private void lost(Exception e) {
    if (!writesFailing) {
      writesFailing = true;
      System.err.println("[shunt] Writing to PostgreSQL at " + url + " failed (" + e.getMessage() + "); writes are"
          + " answered with an error (clients retry) until it answers again");
    }
    closeQuietly(connection);
    connection = null;
  }

  // ---- following other nodes ------------------------------------------------------------------

  private void followLoop() {
    Connection listening = null;
    while (!closing) {
      try {
        if (listening == null) {
          listening = url.connect("shunt follower");
          try (Statement listen = listening.createStatement()) {
            listen.execute("LISTEN " + CHANNEL);
          }
          if (reportedDown) {
            reportedDown = false;
            System.err.println("[shunt] PostgreSQL at " + url + " answers again: other nodes' changes are applied");
          }
        }
        listening.unwrap(PGConnection.class).getNotifications((int) POLL_MILLIS);
        if (closing) {
          break;
        }
        readChanges(listening);
        resync(listening);
      } catch (SQLException | RuntimeException e) {
        closeQuietly(listening);
        listening = null;
        if (!reportedDown && !closing) {
          reportedDown = true;
          System.err.println("[shunt] Cannot read other nodes' changes from PostgreSQL at " + url + " ("
              + e.getMessage() + "); trying again every second");
        }
        sleep(POLL_MILLIS);
      }
    }
    closeQuietly(listening);
  }

  /** Applies the rows other nodes wrote since the last look. */
  private void readChanges(Connection db) throws SQLException {
    List<StoredItem> changed = new ArrayList<>();
    String next = watermark;
    try (PreparedStatement select = db.prepareStatement(CHANGES)) {
      select.setString(1, watermark);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          next = rows.getString(1);
          if (rows.getString(2) != null && !writerId.equals(rows.getString(8))) {
            StoreKey key = new StoreKey(rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5));
            byte[] sealed = rows.getBytes(7);
            changed.add(new StoredItem(key, rows.getLong(6), sealed == null ? null : open(key, sealed)));
          }
        }
      }
    }
    if (!changed.isEmpty()) {
      exclusively.accept(() -> {
        for (StoredItem item : changed) {
          synchronized (versions) {
            Versions known = versions.get(item.key());
            if (known != null && item.revision() <= known.committed) {
              continue;
            }
            if (known == null) {
              versions.put(item.key(), known = new Versions());
            }
            // Changes queued on the older item now fail: their rows are not at the version they expect.
            known.committed = known.pending = item.revision();
            known.applied++;
          }
          applyQuietly(item);
        }
      });
    }
    watermark = next;
  }

  /** Gives memory PostgreSQL's version of the items whose changes it refused; those it cannot read stay for later. */
  private void resync(Connection db) {
    Map<StoreKey, Long> keys;
    synchronized (unsynced) {
      if (unsynced.isEmpty()) {
        return;
      }
      keys = new LinkedHashMap<>(unsynced);
    }
    List<StoredItem> rows = new ArrayList<>(keys.size());
    try {
      if (db == null) {
        db = connection();
      }
      try (PreparedStatement select = db.prepareStatement(ROW)) {
        for (StoreKey key : keys.keySet()) {
          select.setString(1, key.kind());
          select.setString(2, key.account());
          select.setString(3, key.region());
          select.setString(4, key.id());
          try (ResultSet row = select.executeQuery()) {
            boolean found = row.next();
            byte[] sealed = found ? row.getBytes(2) : null;
            rows.add(new StoredItem(key, found ? row.getLong(1) : 0, sealed == null ? null : open(key, sealed)));
          }
        }
      }
    } catch (SQLException | RuntimeException e) {
      return;
    }
    exclusively.accept(() -> {
      for (StoredItem item : rows) {
        synchronized (versions) {
          Versions known = versions.computeIfAbsent(item.key(), k -> new Versions());
          if (known.applied != keys.get(item.key()) || item.revision() < known.committed) {
            // A stored version was applied after the refused change was made: memory no longer holds
            // it, and what it holds now (that version and later changes of this node's) is right.
            continue;
          }
          known.committed = known.pending = item.revision();
          known.applied++;
        }
        applyQuietly(item);
      }
    });
    synchronized (unsynced) {
      keys.forEach(unsynced::remove);
    }
  }

  private void applyQuietly(StoredItem item) {
    try {
      apply.accept(item);
    } catch (RuntimeException e) {
      StoreKey key = item.key();
      System.err.println("[shunt] Cannot apply another node's " + key.kind() + " " + key.id() + " (account "
          + key.account() + ", " + key.region() + "): " + e.getMessage());
    }
  }

  // ---- meta -------------------------------------------------------------------------------

  @Override
  public byte[] meta(String name) {
    try (Connection db = url.connect("shunt")) {
      byte[] sealed = readMeta(db, name);
      return sealed == null ? null : rootKey.open(sealed, name.getBytes(StandardCharsets.UTF_8));
    } catch (SQLException e) {
      throw new StoreException("Cannot read PostgreSQL at " + url + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void putMeta(String name, byte[] value) {
    try (Connection db = url.connect("shunt")) {
      insertMeta(db, name, rootKey.seal(value, name.getBytes(StandardCharsets.UTF_8)));
    } catch (SQLException e) {
      throw new StoreException("Cannot write PostgreSQL at " + url + ": " + e.getMessage(), e);
    }
  }

  private static byte[] readMeta(Connection db, String name) throws SQLException {
    try (PreparedStatement select = db.prepareStatement("SELECT value FROM shunt_meta WHERE name = ?")) {
      select.setString(1, name);
      try (ResultSet result = select.executeQuery()) {
        return result.next() ? result.getBytes(1) : null;
      }
    }
  }

  /** Puts a value unless one is there: of nodes starting together, the first one's stays. */
  private static void insertMeta(Connection db, String name, byte[] value) throws SQLException {
    try (PreparedStatement insert = db.prepareStatement(
        "INSERT INTO shunt_meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING")) {
      insert.setString(1, name);
      insert.setBytes(2, value);
      insert.executeUpdate();
    }
  }

  // ---- the rest ---------------------------------------------------------------------------

  @Override
  public String location() {
    return url.toString();
  }

  @Override
  public boolean durable() {
    return true;
  }

  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    try {
      writer.close();
      Thread following = follower;
      if (following != null) {
        following.join(2 * POLL_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly(connection);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
