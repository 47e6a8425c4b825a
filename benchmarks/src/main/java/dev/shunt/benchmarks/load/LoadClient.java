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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * A lightweight HTTP/1.1 load generator: one event-loop thread, many keep-alive connections,
 * one pre-encoded request sent over and over (no AWS SDK, no per-request building), responses
 * decoded by Netty's codec. Closed loop: each connection sends its next request when the answer
 * to the last one arrives. Open loop: requests leave at a fixed rate whatever the answers do
 * (pipelined on a busy connection), and latency counts from when a request was due, so a stall
 * shows in the percentiles instead of hiding (no coordinated omission).
 */
public final class LoadClient implements AutoCloseable {
  /**
   * What a run measured: answers per second over the measured window, errors, latency in
   * microseconds, and the CPU time the server and this client spent per answer in that window.
   */
  public record Result(double perSecond, long answers, long errors, Histogram latencyMicros,
      double serverCpuMicrosPerAnswer, double clientCpuMicrosPerAnswer) {
    public String summary() {
      return String.format("%.0f req/s, p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, max %.0f µs, %d errors, "
          + "server CPU %.1f µs/req, client CPU %.1f µs/req", perSecond, percentile(50), percentile(99),
          percentile(99.9), (double) latencyMicros.getMaxValue(), errors, serverCpuMicrosPerAnswer,
          clientCpuMicrosPerAnswer);
    }

    public double percentile(double p) {
      return latencyMicros.getValueAtPercentile(p);
    }
  }

  private static final com.sun.management.OperatingSystemMXBean CLIENT_CPU =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final InetSocketAddress address;
  /** The requests connections send: connection i sends the (i mod n)-th, over and over. */
  private final List<byte[]> requests;
  private final LongSupplier serverCpuNanos;

  /** A closed-loop run against a server in a JVM of its own, whose CPU time it counts. */
  public static Result closedLoop(ChildProcess server, byte[] request, int connections, long warmupMillis,
      long measureMillis) throws InterruptedException {
    return closedLoop(server, List.of(request), connections, warmupMillis, measureMillis);
  }

  /** The same, connection i sending the (i mod n)-th of {@code requests} (writes spread over n items). */
  public static Result closedLoop(ChildProcess server, List<byte[]> requests, int connections, long warmupMillis,
      long measureMillis) throws InterruptedException {
    try (LoadClient client = new LoadClient(new InetSocketAddress(server.uri().getHost(), server.uri().getPort()),
        requests, server::cpuNanos)) {
      return client.closedLoop(connections, warmupMillis, measureMillis);
    }
  }

  /** A client of the server at {@code address}, whose total CPU time {@code serverCpuNanos} reads. */
  public LoadClient(InetSocketAddress address, byte[] request, LongSupplier serverCpuNanos) {
    this(address, List.of(request), serverCpuNanos);
  }

  public LoadClient(InetSocketAddress address, List<byte[]> requests, LongSupplier serverCpuNanos) {
    this.address = address;
    this.requests = List.copyOf(requests);
    this.serverCpuNanos = serverCpuNanos;
  }

  /** Closed loop on {@code connections} connections: warm up, then measure. */
  public Result closedLoop(int connections, long warmupMillis, long measureMillis) throws InterruptedException {
    return run(connections, 0, warmupMillis, measureMillis);
  }

  /** Open loop at {@code ratePerSecond}, spread over {@code connections} connections. */
  public Result openLoop(int connections, double ratePerSecond, long warmupMillis, long measureMillis)
      throws InterruptedException {
    return run(connections, ratePerSecond, warmupMillis, measureMillis);
  }

  private Result run(int connectionCount, double rate, long warmupMillis, long measureMillis)
      throws InterruptedException {
    Run run = new Run(rate > 0);
    List<ByteBuf> encoded = new ArrayList<>(requests.size());
    for (byte[] request : requests) {
      encoded.add(Unpooled.unreleasableBuffer(Unpooled.directBuffer(request.length).writeBytes(request)));
    }
    List<Connection> connections = new ArrayList<>(connectionCount);
    Bootstrap bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true);
    for (int i = 0; i < connectionCount; i++) {
      Connection connection = new Connection(run, encoded.get(i % encoded.size()));
      bootstrap.handler(new ChannelInitializer<SocketChannel>() {
        @Override
        protected void initChannel(SocketChannel ch) {
          ch.pipeline().addLast(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20), connection);
        }
      });
      connection.channel = bootstrap.connect(address).sync().channel();
      connections.add(connection);
    }
    long start = System.nanoTime();
    run.measureFrom = start + TimeUnit.MILLISECONDS.toNanos(warmupMillis);
    run.measureUntil = run.measureFrom + TimeUnit.MILLISECONDS.toNanos(measureMillis);
    CountDownLatch done = new CountDownLatch(1);
    long[] cpuAtMeasureStart = new long[2];
    group.next().schedule(() -> {
      cpuAtMeasureStart[0] = serverCpuNanos.getAsLong();
      cpuAtMeasureStart[1] = CLIENT_CPU.getProcessCpuTime();
    }, warmupMillis, TimeUnit.MILLISECONDS);
    group.next().execute(() -> {
      if (rate > 0) {
        scheduleOpenLoop(run, connections, rate, start, done);
      } else {
        connections.forEach(Connection::send);
        group.next().schedule(done::countDown, warmupMillis + measureMillis, TimeUnit.MILLISECONDS);
      }
    });
    done.await();
    long serverCpu = serverCpuNanos.getAsLong();
    long clientCpu = CLIENT_CPU.getProcessCpuTime();
    run.stopped = true;
    for (Connection connection : connections) {
      connection.channel.close().sync();
    }
    double seconds = measureMillis / 1000.0;
    // The schedule ran on the same single thread before done fired, so its values are visible here.
    double answers = Math.max(1, run.answers);
    return new Result(run.answers / seconds, run.answers, run.errors, run.histogram,
        (serverCpu - cpuAtMeasureStart[0]) / 1000.0 / answers, (clientCpu - cpuAtMeasureStart[1]) / 1000.0 / answers);
  }

  /** Every millisecond, sends the requests that fell due, round-robin over the connections. */
  private void scheduleOpenLoop(Run run, List<Connection> connections, double rate, long start, CountDownLatch done) {
    double intervalNanos = 1e9 / rate;
    long[] sent = {0};
    int[] next = {0};
    ScheduledFuture<?>[] ticker = new ScheduledFuture<?>[1];
    ticker[0] = group.next().scheduleAtFixedRate(() -> {
      long now = System.nanoTime();
      if (now >= run.measureUntil) {
        ticker[0].cancel(false);
        done.countDown();
        return;
      }
      while (start + (long) (sent[0] * intervalNanos) <= now) {
        long due = start + (long) (sent[0] * intervalNanos);
        connections.get(next[0]).sendDue(due);
        next[0] = (next[0] + 1) % connections.size();
        sent[0]++;
      }
      connections.forEach(c -> c.channel.flush());
    }, 0, 1, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One run's shared state; touched only on the client's single event-loop thread. */
  private static final class Run {
    final boolean openLoop;
    final Histogram histogram = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    long measureFrom;
    long measureUntil;
    long answers;
    long errors;
    volatile boolean stopped;

    Run(boolean openLoop) {
      this.openLoop = openLoop;
    }

    void record(long dueNanos, long answeredNanos, boolean ok) {
      if (answeredNanos < measureFrom || answeredNanos >= measureUntil) {
        return;
      }
      answers++;
      if (!ok) {
        errors++;
      }
      histogram.recordValue(Math.min(histogram.getHighestTrackableValue(),
          Math.max(0, (answeredNanos - dueNanos) / 1000)));
    }
  }

  private static final class Connection extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final Run run;
    private final ByteBuf request;
    private final ArrayDeque<long[]> pending = new ArrayDeque<>();
    Channel channel;

    Connection(Run run, ByteBuf request) {
      this.run = run;
      this.request = request;
    }

    void send() {
      pending.add(new long[] {System.nanoTime()});
      channel.writeAndFlush(request.duplicate(), channel.voidPromise());
    }

    void sendDue(long dueNanos) {
      pending.add(new long[] {dueNanos});
      channel.write(request.duplicate(), channel.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      long now = System.nanoTime();
      long[] due = pending.poll();
      if (due != null) {
        run.record(due[0], now, response.status().code() == 200);
      }
      if (!run.openLoop && !run.stopped && now < run.measureUntil) {
        send();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
