package dev.shunt.benchmarks.load;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * A cluster of {@code serve} nodes sharing state in PostgreSQL (issue 19), on this machine: read
 * throughput (KMS Decrypt, SSM GetParameter) of 1, 2 and 3 nodes with the load spread over their
 * endpoints and the CPU of every node summed; how long a write on one node takes to be served by
 * another; write throughput (PutParameter, CreateSecret, CreateKey) on 1 and 3 nodes with
 * PostgreSQL's fsync on, against one node on SQLite with {@code --durability full}; and writes to
 * one parameter from all 3 nodes at once (conflicts). Each cluster size gets a new database on a
 * throwaway PostgreSQL server, unless {@code --store} names one to use (then all share it, and
 * what the runs wrote stays). Prints a Markdown section and {@code RESULT} lines.
 *
 * <p>{@code ClusterLoad [--seconds S] [--warmup S] [--connections N] [--backend-jar PATH]
 * [--store postgresql://USER@HOST:PORT/DB [--root-key BASE64]] [--samples N] [--sqlite on|off]}
 * (defaults: 5, 2, 32, local-backend/target/shunt-backend.jar, a throwaway server and a new root
 * key, 200, on: about 5 minutes)
 */
public final class ClusterLoad {
  /** Items the PutParameter writes spread over, one per connection at 32 connections, as DurableLoad. */
  private static final int ITEMS = 32;
  private static final String PLAINTEXT = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  private static final String SECRET_VALUE = "a new value of a typical size, 64 bytes or so, like a password..";
  /** Longest a sample of the visibility delay waits for the other node before it counts as missed. */
  private static final long VISIBILITY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);
  /**
   * The windows warm-up is measured in; the least it runs, per node before reads (a node JVM among
   * three on 2 cores needs about 25 s of load to compile its read path) and before writes; the most.
   */
  private static final long WARM_WINDOW_MILLIS = 2000;
  private static final long READ_WARM_PER_NODE_MILLIS = 10_000;
  private static final long WRITE_WARM_MILLIS = 10_000;
  private static final long READ_WARM_CAP_MILLIS = 60_000;
  private static final long WRITE_WARM_CAP_MILLIS = 20_000;
  /** How far apart the last three warm-up windows' CPU per answer may be: reads, and writes (noisier: fsync waits). */
  private static final double READ_STEADY = 0.15;
  private static final double WRITE_STEADY = 0.25;

  private ClusterLoad() {}

  /** How a run went, and the load average (1 min) when its window ended. */
  private record Measured(SpreadLoadClient.Result result, double load) {}

  /**
   * A visibility delay's samples, how many timed out, the write's own round trip, each poll's round
   * trip (what the delay cannot be finer than), the load average after, and the load beside it.
   */
  private record Visibility(Histogram delayMicros, int samples, int missed, Histogram writeMicros,
      Histogram pollMicros, double load, SpreadLoadClient.Result background) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = LoadMatrix.options(args);
    Path backendJar = Path.of(options.getOrDefault("backend-jar", "local-backend/target/shunt-backend.jar"));
    long measure = Long.parseLong(options.getOrDefault("seconds", "5")) * 1000;
    long warmup = Long.parseLong(options.getOrDefault("warmup", "2")) * 1000;
    int connections = Integer.parseInt(options.getOrDefault("connections", "32"));
    int samples = Integer.parseInt(options.getOrDefault("samples", "200"));
    boolean sqlite = !options.getOrDefault("sqlite", "on").equals("off");
    System.out.println(run(backendJar, measure, warmup, connections, options.get("store"), options.get("root-key"),
        samples, sqlite));
  }

  /** Runs it all and returns the Markdown section. */
  public static String run(Path backendJar, long measureMillis, long warmupMillis, int connections, String store,
      String givenRootKey, int samples, boolean sqlite) throws Exception {
    long started = System.nanoTime();
    String loadAtStart = loadAverage();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String rootKey = givenRootKey != null ? givenRootKey : Base64.getEncoder().encodeToString(key);
    String tag = Long.toString(System.currentTimeMillis(), 36);
    Map<Integer, Map<String, Measured>> reads = new LinkedHashMap<>();
    Map<String, Map<String, Measured>> writes = new LinkedHashMap<>();
    Map<String, Visibility> visibility = new LinkedHashMap<>();
    Measured conflicts = null;
    Map<String, Double> warmed = new LinkedHashMap<>();
    // The day's baseline: one node with no store at all, the same reads.
    try (ChildProcess node = ChildProcess.startJava(List.of("-jar", backendJar.toString(), "serve", "--port", "0",
        "--in-memory", "--quotas", "off", "--auth", "trust"))) {
      Cluster alone = new Cluster(List.of(node));
      Map<String, List<byte[]>> readRequests = setUpReads(alone, tag + "m");
      List<List<byte[]>> both = new ArrayList<>(readRequests.values());
      warmed.put("reads 0", warmUntilSteady(alone, i -> SpreadLoadClient.same(both.get(i % 2).get(0)), connections,
          READ_WARM_PER_NODE_MILLIS, READ_WARM_CAP_MILLIS, READ_STEADY));
      Map<String, Measured> results = new LinkedHashMap<>();
      for (Map.Entry<String, List<byte[]>> read : readRequests.entrySet()) {
        results.put(read.getKey(), measure(read.getKey(), "in-memory", alone, () -> -1,
            i -> SpreadLoadClient.same(read.getValue().get(0)), connections, warmupMillis, measureMillis));
      }
      reads.put(0, results);
    }
    ThrowawayPostgres postgres = store == null ? ThrowawayPostgres.start() : null;
    try {
      LongSupplier postgresCpu = postgres == null ? () -> -1 : postgres::cpuNanos;
      for (int nodes = 1; nodes <= 3; nodes++) {
        int size = nodes;
        String url = postgres == null ? store : postgres.newDatabase("shunt_" + tag + "_" + size + "_nodes");
        try (Cluster cluster = Cluster.start(backendJar, size, url, rootKey)) {
          // Its own names: with --store every cluster size shares one database.
          Map<String, List<byte[]>> readRequests = setUpReads(cluster, tag + "n" + size);
          List<List<byte[]>> both = new ArrayList<>(readRequests.values());
          warmed.put("reads " + size, warmUntilSteady(cluster, i -> SpreadLoadClient.same(
              both.get((i / size) % 2).get(i % size)), connections, READ_WARM_PER_NODE_MILLIS * size,
              READ_WARM_CAP_MILLIS, READ_STEADY));
          Map<String, Measured> results = new LinkedHashMap<>();
          for (Map.Entry<String, List<byte[]>> read : readRequests.entrySet()) {
            results.put(read.getKey(), measure(read.getKey(), size + "-nodes", cluster, postgresCpu,
                i -> SpreadLoadClient.same(read.getValue().get(i % size)), connections, warmupMillis, measureMillis));
          }
          reads.put(size, results);
          if (size == 1 || size == 3) {
            String config = "PostgreSQL, " + size + (size == 1 ? " node" : " nodes");
            writes.put(config, writeScenarios(cluster, postgresCpu, tag + "n" + size, connections, warmupMillis,
                measureMillis, warmed, config));
          }
          if (size == 3) {
            List<byte[]> contended = cluster.requests.stream().map(r -> r.raw("AmazonSSM.PutParameter",
                "{\"Name\":\"/load/" + tag + "/contended\",\"Value\":\"a value\",\"Type\":\"String\","
                    + "\"Overwrite\":true}")).toList();
            conflicts = measure("SSM PutParameter one parameter", "3-nodes", cluster, postgresCpu,
                i -> SpreadLoadClient.same(contended.get(i % 3)), connections, warmupMillis, measureMillis);
            visibility.put("SSM PutParameter → GetParameter, idle", parameterVisibility(cluster, tag + "a", samples));
            visibility.put("KMS CreateKey → Decrypt, idle", keyVisibility(cluster, samples));
            List<byte[]> decrypts = readRequests.get("KMS Decrypt");
            try (Background load = Background.start(cluster, i -> SpreadLoadClient.same(decrypts.get(i % 3)),
                connections)) {
              Visibility parameter = parameterVisibility(cluster, tag + "b", samples);
              Visibility keys = keyVisibility(cluster, samples);
              SpreadLoadClient.Result during = load.stop();
              visibility.put("SSM PutParameter → GetParameter, under Decrypt load",
                  withBackground(parameter, during));
              visibility.put("KMS CreateKey → Decrypt, under Decrypt load", withBackground(keys, during));
            }
          }
        }
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
    if (sqlite) {
      Path dir = Files.createTempDirectory("shunt-cluster-sqlite");
      try (ChildProcess node = ChildProcess.startJava(List.of("-jar", backendJar.toString(), "serve", "--port", "0",
          "--data-dir", dir.toString(), "--durability", "full", "--quotas", "off", "--auth", "trust"))) {
        Cluster single = new Cluster(List.of(node));
        String config = "SQLite (`--durability full`), 1 node";
        writes.put(config, writeScenarios(single, () -> -1, tag + "sqlite", connections, warmupMillis, measureMillis,
            warmed, config));
      } finally {
        delete(dir);
      }
    }
    return report(reads, writes, warmed, conflicts, visibility, connections, warmupMillis, measureMillis, samples,
        store == null, loadAtStart, loadAverage(), (System.nanoTime() - started) / 1e9);
  }

  // ---- the scenarios ------------------------------------------------------------------------

  /**
   * Makes a key, a ciphertext and a parameter on node 1, waits until every node serves them, and
   * returns each read's request for each node (its Host header is the node's).
   */
  private static Map<String, List<byte[]>> setUpReads(Cluster cluster, String tag) throws Exception {
    AwsRequests first = cluster.requests.get(0);
    String keyId = AwsRequests.field(first.call("TrentService.CreateKey", "{}"), "KeyMetadata", "KeyId");
    String ciphertext = AwsRequests.field(first.call("TrentService.Encrypt", "{\"KeyId\":\"" + keyId
        + "\",\"Plaintext\":\"" + PLAINTEXT + "\"}"), "CiphertextBlob");
    String parameter = "/bench/" + tag + "/threshold";
    first.call("AmazonSSM.PutParameter", "{\"Name\":\"" + parameter + "\",\"Value\":\"50\",\"Type\":\"String\"}");
    Map<String, List<byte[]>> reads = new LinkedHashMap<>();
    reads.put("KMS Decrypt", cluster.requests.stream().map(r -> r.raw("TrentService.Decrypt",
        "{\"CiphertextBlob\":\"" + ciphertext + "\"}")).toList());
    reads.put("SSM GetParameter", cluster.requests.stream().map(r -> r.raw("AmazonSSM.GetParameter",
        "{\"Name\":\"" + parameter + "\"}")).toList());
    for (int node = 0; node < cluster.size(); node++) {
      try (RawHttp http = new RawHttp(cluster.address(node))) {
        for (List<byte[]> requests : reads.values()) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (http.send(requests.get(node)).status != 200) {
            if (System.nanoTime() > deadline) {
              throw new IllegalStateException("Node " + (node + 1) + " does not serve what node 1 made");
            }
            Thread.sleep(5);
          }
        }
      }
    }
    return reads;
  }

  /**
   * Loads the cluster (connection i sending {@code requests.apply(i)}) in windows of 2 s until the
   * nodes' CPU per answer has stopped falling (the last three windows within {@code tolerance} of each other),
   * after at least {@code minMillis} and at most {@code capMillis}; returns the seconds it took.
   * Each node is a JVM that compiles its hot path itself: one alone does it in seconds, three
   * sharing two cores with the client and PostgreSQL take many times longer (with plateaus on the
   * way), and a fixed short warm-up would measure compiling.
   */
  private static double warmUntilSteady(Cluster cluster, IntFunction<SpreadLoadClient.Requests> requests,
      int connections, long minMillis, long capMillis, double tolerance) throws InterruptedException {
    long start = System.nanoTime();
    List<Double> windows = new ArrayList<>();
    try (SpreadLoadClient client = new SpreadLoadClient(cluster.addresses(), requests, cluster::cpuNanos, () -> -1)) {
      while (true) {
        double cpu = client.closedLoop(connections, 0, WARM_WINDOW_MILLIS).serversCpuMicrosPerAnswer();
        windows.add(cpu);
        long elapsed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        List<Double> last = windows.subList(Math.max(0, windows.size() - 3), windows.size());
        boolean steady = last.size() == 3 && java.util.Collections.max(last)
            <= (1 + tolerance) * java.util.Collections.min(last);
        if ((steady && elapsed >= minMillis) || elapsed >= capMillis) {
          System.err.printf(Locale.ROOT, "WARM %d nodes: %.1f s, µs/req per window %s%s%n", cluster.size(),
              elapsed / 1000.0, windows.stream().map(w -> String.format(Locale.ROOT, "%.0f", w)).toList(),
              steady ? "" : " (not steady: cap reached)");
          return elapsed / 1000.0;
        }
      }
    }
  }

  /**
   * PutParameter with overwrite spread over {@link #ITEMS} parameters, CreateSecret with a new name
   * each time, CreateKey spread over {@link #ITEMS} accounts; connection i on node (i mod n).
   */
  private static Map<String, Measured> writeScenarios(Cluster cluster, LongSupplier postgresCpu, String tag,
      int connections, long warmupMillis, long measureMillis, Map<String, Double> warmed, String config)
      throws Exception {
    List<AwsRequests> requests = cluster.requests;
    int size = requests.size();
    AtomicLong names = new AtomicLong();
    Map<String, IntFunction<SpreadLoadClient.Requests>> scenarios = new LinkedHashMap<>();
    scenarios.put("SSM PutParameter (overwrite, 32 parameters)", i -> SpreadLoadClient.same(requests.get(i % size)
        .raw("AmazonSSM.PutParameter", "{\"Name\":\"/load/" + tag + "/parameter-" + (i % ITEMS) + "\",\"Value\":"
            + "\"a value\",\"Type\":\"String\",\"Overwrite\":true}")));
    scenarios.put("Secrets Manager CreateSecret (new names)", i -> SpreadLoadClient.numbered(requests.get(i % size)
        .raw("secretsmanager.CreateSecret", "{\"Name\":\"load/" + tag + "/secret-000000000000\",\"SecretString\":\""
            + SECRET_VALUE + "\"}"), "000000000000", names::incrementAndGet));
    scenarios.put("KMS CreateKey (32 accounts)", i -> SpreadLoadClient.same(requests.get(i % size).rawAs(
        String.format(Locale.ROOT, "1000000000%02d", i % ITEMS), "TrentService.CreateKey",
        "{\"Description\":\"load\"}")));
    // The three at once until the nodes' CPU per write is steady (the write path and, on several nodes, the
    // path applying the others' writes compile), then each measured after its own short warm-up.
    List<IntFunction<SpreadLoadClient.Requests>> all = new ArrayList<>(scenarios.values());
    warmed.put(config, warmUntilSteady(cluster, i -> all.get((i / size) % all.size()).apply(i), connections,
        WRITE_WARM_MILLIS, WRITE_WARM_CAP_MILLIS, WRITE_STEADY));
    Map<String, Measured> results = new LinkedHashMap<>();
    for (Map.Entry<String, IntFunction<SpreadLoadClient.Requests>> scenario : scenarios.entrySet()) {
      results.put(scenario.getKey(), measure(scenario.getKey().substring(0, scenario.getKey().indexOf(" (")),
          tag, cluster, postgresCpu, scenario.getValue(), connections, warmupMillis, measureMillis));
    }
    return results;
  }

  private static Measured measure(String name, String config, Cluster cluster, LongSupplier postgresCpu,
      IntFunction<SpreadLoadClient.Requests> requests, int connections, long warmupMillis, long measureMillis)
      throws InterruptedException {
    try (SpreadLoadClient client = new SpreadLoadClient(cluster.addresses(), requests, cluster::cpuNanos,
        postgresCpu)) {
      SpreadLoadClient.Result result = client.closedLoop(connections, warmupMillis, measureMillis);
      double load = loadOneMinute();
      System.err.printf(Locale.ROOT, "RESULT %s config=%s %s load=%.2f%n", name.replace(' ', '_'), config,
          result.summary(), load);
      return new Measured(result, load);
    }
  }

  /**
   * PutParameter with overwrite, a new value each time, on node A; then GetParameter on node B
   * until it answers that value: the time from A's answer to B's. A and B go round the nodes.
   */
  private static Visibility parameterVisibility(Cluster cluster, String tag, int samples) throws Exception {
    String name = "/visibility/" + tag;
    List<RawHttp> nodes = cluster.connect();
    try {
      Histogram delays = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      Histogram writes = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      Histogram polls = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      int missed = 0;
      for (int i = 1; i <= samples; i++) {
        int a = i % nodes.size();
        int b = (i + 1) % nodes.size();
        String value = "v" + i;
        byte[] put = cluster.requests.get(a).raw("AmazonSSM.PutParameter", "{\"Name\":\"" + name + "\",\"Value\":\""
            + value + "\",\"Type\":\"String\",\"Overwrite\":true}");
        byte[] get = cluster.requests.get(b).raw("AmazonSSM.GetParameter", "{\"Name\":\"" + name + "\"}");
        String expected = "\"Value\":\"" + value + "\"";
        long sent = System.nanoTime();
        RawHttp.Answer written = nodes.get(a).send(put);
        long acknowledged = System.nanoTime();
        if (written.status != 200) {
          throw new IllegalStateException("PutParameter answered " + written.status + ": " + written.body);
        }
        writes.recordValue((acknowledged - sent) / 1000);
        missed += poll(nodes.get(b), get, answer -> answer.status == 200 && answer.body.contains(expected),
            acknowledged, delays, polls);
      }
      return new Visibility(delays, samples, missed, writes, polls, loadOneMinute(), null);
    } finally {
      nodes.forEach(RawHttp::close);
    }
  }

  /**
   * CreateKey then Encrypt on node A; then Decrypt of that ciphertext on node B until it succeeds:
   * the time from CreateKey's answer to B's (so Encrypt's round trip on A is inside it).
   */
  private static Visibility keyVisibility(Cluster cluster, int samples) throws Exception {
    List<RawHttp> nodes = cluster.connect();
    try {
      Histogram delays = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      Histogram writes = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      Histogram polls = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
      int missed = 0;
      for (int i = 1; i <= samples; i++) {
        int a = i % nodes.size();
        int b = (i + 1) % nodes.size();
        AwsRequests onA = cluster.requests.get(a);
        long sent = System.nanoTime();
        RawHttp.Answer created = nodes.get(a).send(onA.raw("TrentService.CreateKey", "{\"Description\":\"seen?\"}"));
        long acknowledged = System.nanoTime();
        if (created.status != 200) {
          throw new IllegalStateException("CreateKey answered " + created.status + ": " + created.body);
        }
        writes.recordValue((acknowledged - sent) / 1000);
        String keyId = AwsRequests.field(created.body, "KeyMetadata", "KeyId");
        RawHttp.Answer encrypted = nodes.get(a).send(onA.raw("TrentService.Encrypt", "{\"KeyId\":\"" + keyId
            + "\",\"Plaintext\":\"" + PLAINTEXT + "\"}"));
        if (encrypted.status != 200) {
          throw new IllegalStateException("Encrypt answered " + encrypted.status + ": " + encrypted.body);
        }
        byte[] decrypt = cluster.requests.get(b).raw("TrentService.Decrypt", "{\"CiphertextBlob\":\""
            + AwsRequests.field(encrypted.body, "CiphertextBlob") + "\"}");
        missed += poll(nodes.get(b), decrypt, answer -> answer.status == 200, acknowledged, delays, polls);
      }
      return new Visibility(delays, samples, missed, writes, polls, loadOneMinute(), null);
    } finally {
      nodes.forEach(RawHttp::close);
    }
  }

  /**
   * Sends {@code request} until an answer passes; records the delay since {@code from}, and each
   * poll's round trip; 1 if it never passed.
   */
  private static int poll(RawHttp node, byte[] request, java.util.function.Predicate<RawHttp.Answer> seen, long from,
      Histogram delays, Histogram polls) throws IOException {
    while (true) {
      long sent = System.nanoTime();
      RawHttp.Answer answer = node.send(request);
      long now = System.nanoTime();
      polls.recordValue(Math.min(polls.getHighestTrackableValue(), (now - sent) / 1000));
      if (seen.test(answer)) {
        delays.recordValue(Math.min(delays.getHighestTrackableValue(), (now - from) / 1000));
        return 0;
      }
      if (now - from > VISIBILITY_TIMEOUT_NANOS) {
        return 1;
      }
    }
  }

  private static Visibility withBackground(Visibility v, SpreadLoadClient.Result background) {
    return new Visibility(v.delayMicros, v.samples, v.missed, v.writeMicros, v.pollMicros, v.load, background);
  }

  // ---- the report ---------------------------------------------------------------------------

  private static String report(Map<Integer, Map<String, Measured>> reads, Map<String, Map<String, Measured>> writes,
      Map<String, Double> warmed, Measured conflicts, Map<String, Visibility> visibility, int connections,
      long warmupMillis, long measureMillis, int samples, boolean ownServer, String loadAtStart, String loadAtEnd,
      double seconds) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Each node a `serve` child process (`--store postgresql://... --root-key ... "
        + "--node-id nN --quotas off --auth trust`), all on one database of %s, every process on this machine's 2 "
        + "cores. Closed loop, %d keep-alive connections from one client thread, connection i on node (i mod n). "
        + "Before a cluster's reads, and before each store's writes, the operations together in 2 s windows until "
        + "the nodes' CPU per answer is steady (the last three windows within 15 %% of each other, 25 %% for writes, "
        + "after at least 10 s per node before reads, 10 s before writes, at most 60 s and 20 s; the *warm-up* "
        + "column: each node JVM compiles its own hot path, and three sharing 2 cores take far longer than one); "
        + "then each operation %d s warm-up, %d s measured. CPU columns: "
        + "CPU time over the measured window, per answer, of every node process summed (all threads), of "
        + "PostgreSQL's processes summed (postmaster, backends, WAL writer), and of the load client; "
        + "*cores: ours / others'*: the cores these three kept busy over the window (CPU per answer × req/s), and "
        + "what else the machine's cores did meanwhile (/proc/stat's busy time less ours: other engineers' builds "
        + "and tests). Load average (1 min) read at the end of each window; it counts this run's own processes. "
        + "Load average at the start of the run: %s; at its end: %s; the run took %.0f s.%n%n",
        ownServer ? "a throwaway PostgreSQL 15 (fsync and synchronous_commit on), a new database per cluster size"
            : "the PostgreSQL given by --store (its own settings; PostgreSQL's CPU not measured)", connections,
        warmupMillis / 1000, measureMillis / 1000, loadAtStart, loadAtEnd, seconds));
    out.append("Reads (one key, one ciphertext, one parameter, made on node 1 and served by every node from its "
        + "memory; first, the day's baseline: one node with no store, `--in-memory`):\n\n| operation | nodes | "
        + "req/s | answers per node | p50 / p99 µs | nodes' CPU µs/req | client CPU µs/req | "
        + "cores: ours / others' | non-200 | warm-up s | load avg |\n"
        + "|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (String operation : reads.get(0).keySet()) {
      for (Map.Entry<Integer, Map<String, Measured>> size : reads.entrySet()) {
        Measured m = size.getValue().get(operation);
        SpreadLoadClient.Result r = m.result;
        out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %,.0f / %,.0f | %.1f | %.1f | %s | %d | "
            + "%.0f | %.2f |%n", operation, size.getKey() == 0 ? "1, `--in-memory`" : size.getKey(), r.perSecond(),
            r.split(), r.percentile(50), r.percentile(99), r.serversCpuMicrosPerAnswer(),
            r.clientCpuMicrosPerAnswer(), cores(r), r.errors(), warmed.get("reads " + size.getKey()), m.load));
      }
    }
    out.append("\nWrites: PutParameter with overwrite spread over 32 parameters (one per connection, so no two "
        + "nodes write one parameter), CreateSecret with a new name each request, CreateKey spread over 32 "
        + "accounts. Each acknowledged write is committed in PostgreSQL (fsynced) or, on SQLite, fsynced to "
        + "the data directory:\n\n| operation | store, nodes | req/s | answers per node | p50 / p99 µs | "
        + "nodes' CPU µs/req | PostgreSQL CPU µs/req | client CPU µs/req | cores: ours / others' | non-200 | "
        + "warm-up s | load avg |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    String firstConfig = writes.keySet().iterator().next();
    for (String operation : writes.get(firstConfig).keySet()) {
      for (Map.Entry<String, Map<String, Measured>> config : writes.entrySet()) {
        Measured m = config.getValue().get(operation);
        SpreadLoadClient.Result r = m.result;
        out.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %,.0f / %,.0f | %.1f | %s | %.1f | %s | "
            + "%s | %.0f | %.2f |%n", operation, config.getKey(), r.perSecond(), r.split(), r.percentile(50),
            r.percentile(99), r.serversCpuMicrosPerAnswer(), Double.isNaN(r.otherCpuMicrosPerAnswer()) ? "–"
                : String.format(Locale.ROOT, "%.1f", r.otherCpuMicrosPerAnswer()), r.clientCpuMicrosPerAnswer(),
            cores(r), statuses(r), warmed.get(config.getKey()), m.load));
      }
    }
    if (conflicts != null) {
      SpreadLoadClient.Result r = conflicts.result;
      double window = measureMillis / 1000.0;
      out.append(String.format(Locale.ROOT, "%nConflicts: PutParameter with overwrite on ONE parameter from all 3 "
          + "nodes at once, %d connections: **%,.0f acknowledged writes/s** (200), %,.0f answered 500/s "
          + "(%d in %d s, %.1f %% of answers: the write lost to another node's, the client retries), other "
          + "non-200: %d; answers per node %s; p50 / p99 %,.0f / %,.0f µs; nodes' CPU %.1f µs and PostgreSQL's "
          + "%s µs per answer; cores ours / others' %s; load avg %.2f.%n", connections, r.status(200) / window,
          r.status(500) / window, r.status(500), measureMillis / 1000, 100.0 * r.status(500) / Math.max(1, r.answers()),
          r.errors() - r.status(500), r.split(), r.percentile(50), r.percentile(99), r.serversCpuMicrosPerAnswer(),
          Double.isNaN(r.otherCpuMicrosPerAnswer()) ? "–" : String.format(Locale.ROOT, "%.1f",
              r.otherCpuMicrosPerAnswer()), cores(r), conflicts.load));
    }
    out.append(String.format(Locale.ROOT, "%nCross-node visibility, 3 nodes: a write on node A, then node B "
        + "polled back to back over a keep-alive connection until it serves the new value; the delay runs from "
        + "A's answer to B's first answer with the value (for keys, from CreateKey's answer, so the Encrypt on A "
        + "that makes the ciphertext is inside it). A and B go round the three nodes; %d sequential samples "
        + "each; a sample gives up after %d s. Under load: Decrypt closed loop on all 3 nodes, %d connections, "
        + "meanwhile. *Poll* is one poll's round trip on B (the delay is no finer than that).%n%n| write → read "
        + "| p50 ms | p90 ms | p99 ms | max ms | over 1 s (the poll) | missed | write's own round trip p50 / p99 ms | "
        + "poll p50 / max ms | load avg |%n|---|---|---|---|---|---|---|---|---|---|%n", samples,
        TimeUnit.NANOSECONDS.toSeconds(VISIBILITY_TIMEOUT_NANOS), connections));
    for (Map.Entry<String, Visibility> entry : visibility.entrySet()) {
      Visibility v = entry.getValue();
      Histogram h = v.delayMicros;
      out.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %d | %d | %.2f / %.2f | "
          + "%.2f / %.2f | %.2f |%n", entry.getKey(), ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0,
          h.getCountBetweenValues(1_000_000, h.getHighestTrackableValue()), v.missed, ms(v.writeMicros, 50),
          ms(v.writeMicros, 99), ms(v.pollMicros, 50), v.pollMicros.getMaxValue() / 1000.0, v.load));
    }
    visibility.values().stream().filter(v -> v.background != null).findFirst().ifPresent(v -> out.append(
        String.format(Locale.ROOT, "%nThe Decrypt load meanwhile: %,.0f req/s over the 3 nodes (%s), p99 %,.0f µs."
            + " Cores ours / others' over it: %s.%n", v.background.perSecond(), v.background.split(),
            v.background.percentile(99), cores(v.background))));
    return out.toString();
  }

  private static double ms(Histogram h, double percentile) {
    return h.getValueAtPercentile(percentile) / 1000.0;
  }

  /** The cores this run kept busy over a window (nodes, PostgreSQL, client), and those the rest of the machine did. */
  private static String cores(SpreadLoadClient.Result r) {
    double other = Double.isNaN(r.otherCpuMicrosPerAnswer()) ? 0 : r.otherCpuMicrosPerAnswer();
    double ours = (r.serversCpuMicrosPerAnswer() + other + r.clientCpuMicrosPerAnswer()) * r.perSecond() / 1e6;
    return Double.isNaN(r.machineBusyCores()) ? String.format(Locale.ROOT, "%.2f / ?", ours)
        : String.format(Locale.ROOT, "%.2f / %.2f", ours, Math.max(0, r.machineBusyCores() - ours));
  }

  private static String statuses(SpreadLoadClient.Result r) {
    if (r.errors() == 0) {
      return "0";
    }
    StringBuilder out = new StringBuilder();
    r.statuses().forEach((code, count) -> {
      if (code != 200) {
        out.append(out.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%,d × %d", count, code));
      }
    });
    return out.toString();
  }

  private static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return fields[0] + ", " + fields[1] + ", " + fields[2];
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static double loadOneMinute() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  // ---- the nodes ----------------------------------------------------------------------------

  /** The nodes of a cluster, each a {@code serve} child process, started together. */
  private static final class Cluster implements AutoCloseable {
    final List<ChildProcess> nodes;
    final List<AwsRequests> requests;

    Cluster(List<ChildProcess> nodes) {
      this.nodes = nodes;
      this.requests = nodes.stream().map(n -> new AwsRequests(n.uri(), false)).toList();
    }

    static Cluster start(Path backendJar, int size, String store, String rootKey) throws Exception {
      ExecutorService starting = Executors.newFixedThreadPool(size);
      List<Future<ChildProcess>> futures = new ArrayList<>();
      try {
        for (int i = 1; i <= size; i++) {
          List<String> command = List.of("-jar", backendJar.toString(), "serve", "--port", "0", "--store", store,
              "--root-key", rootKey, "--node-id", "n" + i, "--quotas", "off", "--auth", "trust");
          futures.add(starting.submit(() -> ChildProcess.startJava(command)));
        }
        List<ChildProcess> nodes = new ArrayList<>();
        Exception failure = null;
        for (Future<ChildProcess> future : futures) {
          try {
            nodes.add(future.get());
          } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause() instanceof Exception cause ? cause : e;
          }
        }
        if (failure != null) {
          for (ChildProcess node : nodes) {
            node.close();
          }
          throw failure;
        }
        return new Cluster(nodes);
      } finally {
        starting.shutdown();
      }
    }

    int size() {
      return nodes.size();
    }

    InetSocketAddress address(int node) {
      return new InetSocketAddress(nodes.get(node).uri().getHost(), nodes.get(node).uri().getPort());
    }

    List<InetSocketAddress> addresses() {
      List<InetSocketAddress> all = new ArrayList<>();
      for (int i = 0; i < size(); i++) {
        all.add(address(i));
      }
      return all;
    }

    /** One blocking keep-alive connection to each node. */
    List<RawHttp> connect() throws IOException {
      List<RawHttp> all = new ArrayList<>();
      for (int i = 0; i < size(); i++) {
        all.add(new RawHttp(address(i)));
      }
      return all;
    }

    /** The CPU time all the nodes have used so far. */
    long cpuNanos() {
      return nodes.stream().mapToLong(ChildProcess::cpuNanos).sum();
    }

    @Override
    public void close() throws InterruptedException {
      for (ChildProcess node : nodes) {
        node.close();
      }
    }
  }

  /** A closed-loop load on a cluster in a thread of its own, until stopped. */
  private static final class Background implements AutoCloseable {
    private final SpreadLoadClient client;
    private final Future<SpreadLoadClient.Result> running;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    private Background(Cluster cluster, IntFunction<SpreadLoadClient.Requests> requests, int connections)
        throws InterruptedException {
      client = new SpreadLoadClient(cluster.addresses(), requests, cluster::cpuNanos, () -> -1);
      // Measured from 1 s on: what the visibility samples run beside.
      running = thread.submit(() -> client.closedLoop(connections, 1000, TimeUnit.MINUTES.toMillis(10)));
      Thread.sleep(1500);
    }

    static Background start(Cluster cluster, IntFunction<SpreadLoadClient.Requests> requests, int connections)
        throws InterruptedException {
      return new Background(cluster, requests, connections);
    }

    SpreadLoadClient.Result stop() throws Exception {
      client.stop();
      return running.get(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
      client.stop();
      thread.shutdown();
      try {
        thread.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      client.close();
    }
  }

  /** One blocking HTTP/1.1 keep-alive connection: a request's bytes out, its status and body back. */
  private static final class RawHttp implements AutoCloseable {
    record Answer(int status, String body) {}

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(InetSocketAddress address) throws IOException {
      socket = new Socket(address.getAddress(), address.getPort());
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      in = new java.io.BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    }

    Answer send(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      ByteArrayOutputStream head = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("The connection closed mid-answer");
        }
        head.write(b);
        matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
            ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      int length = -1;
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(line.substring(colon + 1).trim());
        }
      }
      if (length < 0) {
        throw new IOException("No Content-Length in " + lines[0]);
      }
      byte[] body = in.readNBytes(length);
      return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }
}
