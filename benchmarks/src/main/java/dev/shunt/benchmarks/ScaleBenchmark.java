package dev.shunt.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shunt.benchmarks.load.AwsRequests;
import dev.shunt.benchmarks.load.ChildProcess;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * Memory and listing at scale: starts the standalone backend jar as a child JVM, loads N KMS keys,
 * N secrets and N (Advanced-tier) parameters over raw HTTP/1.1 keep-alive connections, reports the
 * child's RSS (and heap used, through {@code jcmd}) after each load, then times ListKeys,
 * ListSecrets and GetParametersByPath pages by their position in a walk of the whole collection
 * (first 1 %, middle, last 1 %) and the first page on its own; the same at a small size to compare.
 *
 * <p>{@code ScaleBenchmark [--n 100000] [--small 1000] [--xmx 1g] [--jar local-backend/target/shunt-backend.jar]
 * [--connections 4] [--pages 20000] [--histogram]}. Prints {@code RESULT key=value} lines and Markdown tables.
 */
public final class ScaleBenchmark {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ScaleBenchmark() {}

  /** The three listings measured: the operation, its request and how a page names the next. */
  private enum Listing {
    LIST_KEYS("ListKeys", "TrentService.ListKeys", "Keys", "NextMarker") {
      @Override
      String body(String token) {
        return "{\"Limit\":100" + (token == null ? "" : ",\"Marker\":\"" + token + "\"") + "}";
      }
    },
    LIST_SECRETS("ListSecrets", "secretsmanager.ListSecrets", "SecretList", "NextToken") {
      @Override
      String body(String token) {
        return "{\"MaxResults\":100" + (token == null ? "" : ",\"NextToken\":\"" + token + "\"") + "}";
      }
    },
    GET_PARAMETERS_BY_PATH("GetParametersByPath", "AmazonSSM.GetParametersByPath", "Parameters", "NextToken") {
      @Override
      String body(String token) {
        return "{\"Path\":\"/scale\",\"Recursive\":true,\"MaxResults\":10"
            + (token == null ? "" : ",\"NextToken\":\"" + token + "\"") + "}";
      }
    };

    final String operation;
    final String target;
    final String items;
    final String next;

    Listing(String operation, String target, String items, String next) {
      this.operation = operation;
      this.target = target;
      this.items = items;
      this.next = next;
    }

    abstract String body(String token);
  }

  private record Options(int n, int small, String xmx, Path jar, int connections, int pages, boolean histogram) {}

  /** What one size measured. */
  private record Run(int n, String maxHeap, Map<String, Long> rssKb, Map<String, Long> heapKb,
      Map<String, Double> loadPerSecond, Map<Listing, Map<String, Histogram>> pages) {}

  public static void main(String[] args) throws Exception {
    System.out.println(section(args));
  }

  /** Runs with these arguments (as {@link #main}) and returns the Markdown tables. */
  public static String section(String... args) throws Exception {
    Options options = parse(args);
    if (!Files.isRegularFile(options.jar())) {
      throw new IllegalArgumentException(options.jar() + " is missing: build it with "
          + "mvn -B -ntp -q package -DskipTests -pl local-backend -am");
    }
    List<Run> runs = new ArrayList<>();
    if (options.small() > 0 && options.small() < options.n()) {
      runs.add(run(options, options.small()));
    }
    runs.add(run(options, options.n()));
    return tables(options, runs);
  }

  private static Options parse(String[] args) {
    int n = 100_000;
    int small = 1_000;
    String xmx = null;
    Path jar = Path.of("local-backend/target/shunt-backend.jar");
    int connections = 4;
    int pages = 20_000;
    boolean histogram = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--n" -> n = Integer.parseInt(args[++i].replace("_", ""));
        case "--small" -> small = Integer.parseInt(args[++i].replace("_", ""));
        case "--xmx" -> xmx = args[++i];
        case "--jar" -> jar = Path.of(args[++i]);
        case "--connections" -> connections = Integer.parseInt(args[++i]);
        case "--pages" -> pages = Integer.parseInt(args[++i]);
        case "--histogram" -> histogram = true;
        default -> throw new IllegalArgumentException("unknown argument " + args[i] + "; usage: ScaleBenchmark "
            + "[--n 100000] [--small 1000] [--xmx SIZE] [--jar PATH] [--connections 4] [--pages 20000] [--histogram]");
      }
    }
    return new Options(n, small, xmx, jar.toAbsolutePath(), connections, pages, histogram);
  }

  // ---- one size ---------------------------------------------------------------------------

  private static Run run(Options options, int n) throws Exception {
    try (Child child = Child.start(options)) {
      Map<String, Long> rss = new LinkedHashMap<>();
      Map<String, Long> heap = new LinkedHashMap<>();
      Map<String, Double> rates = new LinkedHashMap<>();
      String maxHeap = child.maxHeap();
      System.out.printf("RESULT n=%d max_heap=%s pid=%d%n", n, maxHeap, child.pid());
      Thread.sleep(1000);
      sample(child, n, "idle", rss, heap);

      rates.put("keys", load(child, options.connections(), n, "TrentService.CreateKey", i -> "{}"));
      sample(child, n, "keys", rss, heap);
      rates.put("secrets", load(child, options.connections(), n, "secretsmanager.CreateSecret",
          i -> String.format(Locale.ROOT, "{\"Name\":\"scale/s%07d\",\"SecretString\":\"value-%07d\"}", i, i)));
      sample(child, n, "secrets", rss, heap);
      rates.put("parameters", load(child, options.connections(), n, "AmazonSSM.PutParameter",
          i -> String.format(Locale.ROOT, "{\"Name\":\"/scale/g%03d/p%07d\",\"Value\":\"value-%07d\","
              + "\"Type\":\"String\",\"Tier\":\"Advanced\"}", i % 100, i, i)));
      sample(child, n, "parameters", rss, heap);
      rates.forEach((what, rate) -> System.out.printf(Locale.ROOT, "RESULT n=%d load=%s per_s=%.0f%n", n, what, rate));
      child.jcmd("GC.run");
      Thread.sleep(500);
      sample(child, n, "after_gc", rss, heap);
      if (options.histogram()) {
        System.err.println("---- class histogram, n=" + n + " ----");
        child.jcmd("GC.class_histogram").lines().limit(40).forEach(System.err::println);
      }

      Map<Listing, Map<String, Histogram>> pages = new LinkedHashMap<>();
      try (Conn conn = new Conn(child.uri())) {
        for (Listing listing : Listing.values()) {
          pages.put(listing, measure(child, conn, listing, n, options.pages()));
        }
      }
      sample(child, n, "after_listing", rss, heap);
      return new Run(n, maxHeap, rss, heap, rates, pages);
    }
  }

  private static void sample(Child child, int n, String phase, Map<String, Long> rss, Map<String, Long> heap)
      throws Exception {
    long rssKb = child.rssKb();
    long heapKb = child.heapUsedKb();
    rss.put(phase, rssKb);
    heap.put(phase, heapKb);
    System.out.printf("RESULT n=%d phase=%s rss_kb=%d heap_used_kb=%d%n", n, phase, rssKb, heapKb);
  }

  /** Sends N creates over {@code connections} keep-alive connections; returns creates per second. */
  private static double load(Child child, int connections, int n, String target, IntFunction<String> body)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(connections);
    long start = System.nanoTime();
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int c = 0; c < connections; c++) {
        int first = c;
        done.add(pool.submit(() -> {
          try (Conn conn = new Conn(child.uri())) {
            for (int i = first; i < n; i += connections) {
              Conn.Response response = conn.post(child.request(target, body.apply(i)));
              if (response.status() != 200) {
                throw new IllegalStateException(target + " #" + i + " answered " + response.status() + ": "
                    + response.text());
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }

  /**
   * The first page on its own (as many times as a walk has pages, at least 200), then whole walks
   * until about {@code targetPages} pages are timed, each page put in the bucket of where it
   * falls in the walk: the first 1 % of its pages, the last 1 %, or the middle. Untimed walks (at
   * least one, at least 2,000 pages) warm up first. Requests are put together before their timing starts.
   */
  private static Map<String, Histogram> measure(Child child, Conn conn, Listing listing, int n, int targetPages)
      throws IOException {
    Map<String, Histogram> buckets = new LinkedHashMap<>();
    for (String bucket : List.of("first_page", "first_1pct", "middle", "last_1pct")) {
      buckets.put(bucket, new Histogram(60_000_000L, 3));
    }
    int pagesPerWalk = walk(child, conn, listing, n, null, 0);
    for (int warm = pagesPerWalk; warm < 2_000; warm += pagesPerWalk) {
      walk(child, conn, listing, n, null, 0);
    }
    byte[] firstPage = child.request(listing.target, listing.body(null));
    int walks = Math.max(2, (targetPages + pagesPerWalk - 1) / pagesPerWalk);
    for (int i = 0; i < Math.max(200, Math.min(pagesPerWalk, 2_000)); i++) {
      long start = System.nanoTime();
      Conn.Response response = conn.post(firstPage);
      buckets.get("first_page").recordValue((System.nanoTime() - start) / 1_000);
      check(listing, response);
    }
    for (int w = 0; w < walks; w++) {
      walk(child, conn, listing, n, buckets, pagesPerWalk);
    }
    for (Map.Entry<String, Histogram> bucket : buckets.entrySet()) {
      Histogram h = bucket.getValue();
      System.out.printf(Locale.ROOT, "RESULT n=%d op=%s bucket=%s pages=%d p50_us=%d p99_us=%d max_us=%d%n", n,
          listing.operation, bucket.getKey(), h.getTotalCount(), h.getValueAtPercentile(50),
          h.getValueAtPercentile(99), h.getMaxValue());
    }
    return buckets;
  }

  /**
   * Walks a whole listing; returns the pages it took. Timings go to {@code buckets} unless null,
   * by the page's index among {@code expectedPages}: the first 1 % (at least the first page), the
   * last 1 % (at least the last), the middle.
   */
  private static int walk(Child child, Conn conn, Listing listing, int n, Map<String, Histogram> buckets,
      int expectedPages) throws IOException {
    String token = null;
    long seen = 0;
    int pages = 0;
    int edge = Math.max(1, expectedPages / 100);
    do {
      byte[] request = child.request(listing.target, listing.body(token));
      long start = System.nanoTime();
      Conn.Response response = conn.post(request);
      long micros = (System.nanoTime() - start) / 1_000;
      JsonNode page = check(listing, response);
      if (buckets != null) {
        buckets.get(pages < edge ? "first_1pct" : pages >= expectedPages - edge ? "last_1pct" : "middle")
            .recordValue(micros);
      }
      seen += page.path(listing.items).size();
      token = page.hasNonNull(listing.next) ? page.get(listing.next).asText() : null;
      pages++;
    } while (token != null);
    if (seen < n) {
      throw new IllegalStateException(listing.operation + " walked " + seen + " items, expected at least " + n);
    }
    return pages;
  }

  private static JsonNode check(Listing listing, Conn.Response response) throws IOException {
    if (response.status() != 200) {
      throw new IllegalStateException(listing.operation + " answered " + response.status() + ": " + response.text());
    }
    return JSON.readTree(response.body());
  }

  // ---- output -----------------------------------------------------------------------------

  private static String tables(Options options, List<Run> runs) {
    StringBuilder out = new StringBuilder();
    line(out, "Backend: `java " + (options.xmx() == null ? "" : "-Xmx" + options.xmx() + " ")
        + "-jar shunt-backend.jar serve --port 0 --quotas off`; loads over " + options.connections()
        + " keep-alive HTTP/1.1 connections.");
    out.append('\n');
    line(out, "| N | max heap | idle | + N keys | + N secrets | + N parameters | after full GC "
        + "| heap used after GC | load rate (keys / secrets / parameters per s) |");
    line(out, "|---|---|---|---|---|---|---|---|---|");
    for (Run run : runs) {
      out.append(String.format(Locale.ROOT, "| %,d | %s | %s | %s | %s | %s | %s | %s | %,.0f / %,.0f / %,.0f |%n", run.n(),
          run.maxHeap(), mb(run.rssKb().get("idle")), mb(run.rssKb().get("keys")), mb(run.rssKb().get("secrets")),
          mb(run.rssKb().get("parameters")), mb(run.rssKb().get("after_gc")), mb(run.heapKb().get("after_gc")),
          run.loadPerSecond().get("keys"), run.loadPerSecond().get("secrets"),
          run.loadPerSecond().get("parameters")));
    }
    out.append('\n');
    line(out, "Page latency, p50 / p99 in µs (client-side round trip over one keep-alive connection):");
    out.append('\n');
    line(out, "| operation (page size) | N | first page | pages in first 1 % | middle pages "
        + "| pages in last 1 % |");
    line(out, "|---|---|---|---|---|---|");
    for (Listing listing : Listing.values()) {
      for (Run run : runs) {
        Map<String, Histogram> b = run.pages().get(listing);
        out.append(String.format(Locale.ROOT, "| %s (%s) | %,d | %s | %s | %s | %s |%n", listing.operation,
            listing == Listing.GET_PARAMETERS_BY_PATH ? "10, recursive" : "100", run.n(), pct(b.get("first_page")),
            pct(b.get("first_1pct")), pct(b.get("middle")), pct(b.get("last_1pct"))));
      }
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String text) {
    out.append(text).append('\n');
  }

  private static String mb(Long kb) {
    return kb == null || kb < 0 ? "n/a" : String.format(Locale.ROOT, "%,d MB", Math.round(kb / 1024.0));
  }

  private static String pct(Histogram h) {
    return h.getTotalCount() == 0 ? "n/a"
        : h.getValueAtPercentile(50) + " / " + h.getValueAtPercentile(99);
  }

  // ---- the child backend ------------------------------------------------------------------

  /** The backend JVM ({@link ChildProcess}), measured through its pid: RSS from /proc, the rest from jcmd. */
  private static final class Child implements AutoCloseable {
    private final ChildProcess process;
    private final AwsRequests requests;
    private final Path jcmd;

    private Child(ChildProcess process, Path jcmd) {
      this.process = process;
      this.requests = new AwsRequests(process.uri(), false);
      this.jcmd = jcmd;
    }

    static Child start(Options options) throws Exception {
      List<String> args = new ArrayList<>();
      if (options.xmx() != null) {
        args.add("-Xmx" + options.xmx());
      }
      args.addAll(List.of("-jar", options.jar().toString(), "serve", "--in-memory", "--port", "0", "--quotas", "off"));
      Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
      return new Child(ChildProcess.startJava(args), Files.isExecutable(jcmd) ? jcmd : null);
    }

    URI uri() {
      return process.uri();
    }

    long pid() {
      return process.pid();
    }

    /** A whole request to the backend, as bytes on the wire, with a trust-mode Authorization header. */
    byte[] request(String target, String json) {
      return requests.raw(target, json);
    }

    /** VmRSS from /proc, in kB (-1 where there is no /proc). */
    long rssKb() throws IOException {
      Path status = Path.of("/proc", Long.toString(pid()), "status");
      if (!Files.exists(status)) {
        return -1;
      }
      for (String line : Files.readAllLines(status)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
      return -1;
    }

    /** Heap used as {@code jcmd PID GC.heap_info} reports it, in kB (-1 without jcmd). */
    long heapUsedKb() throws Exception {
      String info = jcmd("GC.heap_info");
      int at = info.indexOf("used ");
      if (at < 0) {
        return -1;
      }
      String number = info.substring(at + 5).split("[^0-9]", 2)[0];
      return number.isEmpty() ? -1 : Long.parseLong(number);
    }

    /** The child's maximum heap (its -Xmx, or the JVM's default), from {@code jcmd PID VM.flags}. */
    String maxHeap() throws Exception {
      String flags = jcmd("VM.flags");
      int at = flags.indexOf("-XX:MaxHeapSize=");
      if (at < 0) {
        return "n/a";
      }
      long bytes = Long.parseLong(flags.substring(at + 16).split("[^0-9]", 2)[0]);
      return String.format(Locale.ROOT, "%,d MB", bytes >> 20);
    }

    String jcmd(String command) throws Exception {
      if (jcmd == null) {
        return "";
      }
      Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid()), command)
          .redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(120, TimeUnit.SECONDS);
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      process.close();
    }
  }

  // ---- a minimal HTTP/1.1 client ----------------------------------------------------------

  /**
   * One keep-alive HTTP/1.1 connection speaking AWS JSON 1.1: a POST sent as the bytes
   * {@link AwsRequests#raw} put together (a SigV4-shaped Authorization header, of which the backend
   * in trust mode reads only the scope), a Content-Length response read whole. No HTTP client
   * library, so the client costs little next to what is measured.
   */
  static final class Conn implements Closeable {
    record Response(int status, byte[] body) {
      String text() {
        return new String(body, StandardCharsets.UTF_8);
      }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    Conn(URI uri) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
      socket.setSoTimeout(300_000);
      in = new BufferedInputStream(socket.getInputStream(), 65_536);
      out = new BufferedOutputStream(socket.getOutputStream(), 16_384);
    }

    /** Sends a whole request (as {@link AwsRequests#raw} makes one) and reads its response. */
    Response post(byte[] request) throws IOException {
      out.write(request);
      out.flush();
      String status = line();
      if (status.length() < 12 || !status.startsWith("HTTP/1.1 ")) {
        throw new IOException("not an HTTP/1.1 response: " + status);
      }
      int code = Integer.parseInt(status.substring(9, 12));
      int length = -1;
      for (String header = line(); !header.isEmpty(); header = line()) {
        int colon = header.indexOf(':');
        if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(header.substring(colon + 1).trim());
        }
      }
      if (length < 0) {
        throw new IOException("a response without Content-Length");
      }
      return new Response(code, in.readNBytes(length));
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder(64);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException("the connection closed");
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
