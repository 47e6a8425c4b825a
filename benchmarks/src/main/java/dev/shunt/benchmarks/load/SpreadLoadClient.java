package dev.shunt.benchmarks.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * {@link LoadClient}'s closed loop, its keep-alive connections spread round-robin over several
 * servers (the nodes of a cluster), each connection's requests made by a {@link Requests} that may
 * give a new one every time (a new name per CreateSecret); answers are counted by status code and
 * by server, and the CPU time of the servers and of one other party (the database) is read before
 * and after the measured window.
 */
public final class SpreadLoadClient implements AutoCloseable {
  /** One connection's requests: the bytes of its next one, each call; closed when the run ends. */
  @FunctionalInterface
  public interface Requests extends AutoCloseable {
    ByteBuf next();

    @Override
    default void close() {}
  }

  /**
   * What a run measured: answers per second over the measured window, their count by HTTP status
   * and by server, latency in microseconds, CPU per answer: the servers' summed, the other party's
   * ({@code NaN} when not known), this client's; and the cores the whole machine kept busy over the
   * window, whoever used them ({@code NaN} without /proc/stat).
   */
  public record Result(double perSecond, long answers, long errors, Map<Integer, Long> statuses,
      long[] answersPerServer, Histogram latencyMicros, double serversCpuMicrosPerAnswer,
      double otherCpuMicrosPerAnswer, double clientCpuMicrosPerAnswer, double machineBusyCores) {
    public long status(int code) {
      return statuses.getOrDefault(code, 0L);
    }

    public double percentile(double p) {
      return latencyMicros.getValueAtPercentile(p);
    }

    /** The answers each server gave, as {@code 11,204 / 10,998 / 10,310}. */
    public String split() {
      StringBuilder out = new StringBuilder();
      for (long count : answersPerServer) {
        out.append(out.length() == 0 ? "" : " / ").append(String.format(java.util.Locale.ROOT, "%,d", count));
      }
      return out.toString();
    }

    public String summary() {
      return String.format(java.util.Locale.ROOT, "%.0f req/s, p50 %.0f µs, p99 %.0f µs, max %.0f µs, statuses %s, "
          + "per server %s, servers CPU %.1f µs/req, other CPU %.1f µs/req, client CPU %.1f µs/req, "
          + "machine busy %.2f cores", perSecond, percentile(50), percentile(99), (double) latencyMicros.getMaxValue(),
          statuses, split().replace(" ", ""), serversCpuMicrosPerAnswer, otherCpuMicrosPerAnswer,
          clientCpuMicrosPerAnswer, machineBusyCores);
    }
  }

  private static final com.sun.management.OperatingSystemMXBean CLIENT_CPU =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<InetSocketAddress> servers;
  private final IntFunction<Requests> requestsOfConnection;
  private final LongSupplier serversCpuNanos;
  private final LongSupplier otherCpuNanos;
  private volatile Run current;

  /**
   * A client of {@code servers}: connection i goes to server (i mod n) and sends what
   * {@code requestsOfConnection.apply(i)} gives; {@code otherCpuNanos} returns -1 when not known.
   */
  public SpreadLoadClient(List<InetSocketAddress> servers, IntFunction<Requests> requestsOfConnection,
      LongSupplier serversCpuNanos, LongSupplier otherCpuNanos) {
    this.servers = List.copyOf(servers);
    this.requestsOfConnection = requestsOfConnection;
    this.serversCpuNanos = serversCpuNanos;
    this.otherCpuNanos = otherCpuNanos;
  }

  /** The same request over and over (its bytes never change). */
  public static Requests same(byte[] request) {
    ByteBuf direct = Unpooled.directBuffer(request.length).writeBytes(request);
    ByteBuf shared = Unpooled.unreleasableBuffer(direct);
    return new Requests() {
      @Override
      public ByteBuf next() {
        return shared.duplicate();
      }

      @Override
      public void close() {
        direct.release();
      }
    };
  }

  /**
   * A new request each time: {@code template} with its last occurrence of {@code placeholder} (ASCII
   * digits) replaced by the next number of {@code counter}, zero-padded to the same width, so the
   * length (and Content-Length) stays the same.
   */
  public static Requests numbered(byte[] template, String placeholder, LongSupplier counter) {
    byte[] mark = placeholder.getBytes(StandardCharsets.US_ASCII);
    int at = lastIndexOf(template, mark);
    if (at < 0) {
      throw new IllegalArgumentException("No " + placeholder + " in the request");
    }
    String format = "%0" + mark.length + "d";
    return () -> {
      byte[] request = template.clone();
      byte[] digits = String.format(java.util.Locale.ROOT, format, counter.getAsLong())
          .getBytes(StandardCharsets.US_ASCII);
      if (digits.length != mark.length) {
        throw new IllegalStateException("The counter outgrew " + placeholder);
      }
      System.arraycopy(digits, 0, request, at, digits.length);
      return Unpooled.wrappedBuffer(request);
    };
  }

  private static int lastIndexOf(byte[] bytes, byte[] part) {
    outer:
    for (int i = bytes.length - part.length; i >= 0; i--) {
      for (int j = 0; j < part.length; j++) {
        if (bytes[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Closed loop on {@code connectionCount} connections: warm up, then measure (or until {@link #stop}). */
  public Result closedLoop(int connectionCount, long warmupMillis, long measureMillis) throws InterruptedException {
    Run run = new Run(servers.size());
    List<Connection> connections = new ArrayList<>(connectionCount);
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true);
    for (int i = 0; i < connectionCount; i++) {
      int server = i % servers.size();
      Connection connection = new Connection(run, server, requestsOfConnection.apply(i));
      bootstrap.handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20), connection);
        }
      });
      connection.channel = bootstrap.connect(servers.get(server)).sync().channel();
      connections.add(connection);
    }
    long start = System.nanoTime();
    run.measureFrom = start + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    run.measureUntil = run.measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMillis);
    long[] cpuAtMeasureStart = new long[4];
    group.next().schedule(() -> {
      cpuAtMeasureStart[0] = serversCpuNanos.getAsLong();
      cpuAtMeasureStart[1] = otherCpuNanos.getAsLong();
      cpuAtMeasureStart[2] = CLIENT_CPU.getProcessCpuTime();
      cpuAtMeasureStart[3] = machineBusyNanos();
    }, warmupMillis, TimeUnit.MILLISECONDS);
    current = run;
    group.next().execute(() -> {
      connections.forEach(Connection::send);
      group.next().schedule(run.done::countDown, warmupMillis + measureMillis, TimeUnit.MILLISECONDS);
    });
    run.done.await();
    long end = Math.min(System.nanoTime(), run.measureUntil);
    long serversCpu = serversCpuNanos.getAsLong();
    long otherCpu = otherCpuNanos.getAsLong();
    long clientCpu = CLIENT_CPU.getProcessCpuTime();
    long machineBusy = machineBusyNanos();
    // Answers arriving from here on are not counted (they are after measureUntil, or the run is stopped).
    group.next().submit(() -> {
      run.stopped = true;
    }).sync();
    for (Connection connection : connections) {
      connection.channel.close().sync();
      connection.requests.close();
    }
    current = null;
    double seconds = Math.max(1, end - run.measureFrom) / 1e9;
    double answers = Math.max(1, run.answers);
    Map<Integer, Long> statuses = new LinkedHashMap<>();
    for (int code = 0; code < run.statuses.length; code++) {
      if (run.statuses[code] > 0) {
        statuses.put(code, run.statuses[code]);
      }
    }
    double other = cpuAtMeasureStart[1] < 0 || otherCpu < 0 ? Double.NaN
        : (otherCpu - cpuAtMeasureStart[1]) / 1000.0 / answers;
    double machine = cpuAtMeasureStart[3] < 0 || machineBusy < 0 ? Double.NaN
        : (machineBusy - cpuAtMeasureStart[3]) / 1e9 / seconds;
    return new Result(run.answers / seconds, run.answers, run.answers - run.statuses[200], statuses,
        run.answersPerServer, run.histogram, (serversCpu - cpuAtMeasureStart[0]) / 1000.0 / answers, other,
        (clientCpu - cpuAtMeasureStart[2]) / 1000.0 / answers, machine);
  }

  /** The CPU time every core of the machine has spent busy since boot (/proc/stat), or -1 when not known. */
  static long machineBusyNanos() {
    try {
      String[] cpu = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/stat")).get(0).trim()
          .split("\\s+");
      long busy = 0;
      // cpu user nice system idle iowait irq softirq steal ...: all but idle and iowait, in USER_HZ (100/s) ticks.
      for (int i = 1; i <= 8 && i < cpu.length; i++) {
        if (i != 4 && i != 5) {
          busy += Long.parseLong(cpu[i]);
        }
      }
      return busy * 10_000_000L;
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Ends the measured window of the run under way now (from another thread), if one is. */
  public void stop() {
    Run run = current;
    if (run != null) {
      group.next().execute(() -> {
        run.measureUntil = Math.min(run.measureUntil, System.nanoTime());
        run.done.countDown();
      });
    }
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One run's shared state; touched only on the client's single event-loop thread. */
  private static final class Run {
    final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    final long[] statuses = new long[600];
    final long[] answersPerServer;
    final CountDownLatch done = new CountDownLatch(1);
    long measureFrom;
    volatile long measureUntil;
    long answers;
    boolean stopped;

    Run(int servers) {
      answersPerServer = new long[servers];
    }

    void record(int server, long sentNanos, long answeredNanos, int status) {
      if (stopped || answeredNanos < measureFrom || answeredNanos >= measureUntil) {
        return;
      }
      answers++;
      answersPerServer[server]++;
      statuses[Math.min(Math.max(status, 0), statuses.length - 1)]++;
      histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), Math.max(0,
          (answeredNanos - sentNanos) / 1000)));
    }
  }

  private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Run run;
    private final int server;
    private final Requests requests;
    private final ArrayDeque<Long> pending = new ArrayDeque<>();
    Channel channel;

    Connection(Run run, int server, Requests requests) {
      this.run = run;
      this.server = server;
      this.requests = requests;
    }

    void send() {
      pending.add(System.nanoTime());
      channel.writeAndFlush(requests.next(), channel.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      long now = System.nanoTime();
      Long sent = pending.poll();
      if (sent != null) {
        run.record(server, sent, now, response.status().code());
      }
      if (!run.stopped && now < run.measureUntil) {
        send();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
