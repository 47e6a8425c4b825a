package dev.shunt.benchmarks;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The reference ceiling: an HTTP server on the same stack as Shunt (Netty, the same codec and
 * aggregator, the same thread count) that answers every request with one fixed AWS JSON body,
 * doing no work at all. Shunt's throughput is reported as a fraction of this server's.
 */
public final class CannedServer implements AutoCloseable {
  private final EventLoopGroup group;
  private final Channel channel;

  public CannedServer(int port, int threads, String body) throws InterruptedException {
    ByteBuf content = Unpooled.unreleasableBuffer(Unpooled.directBuffer()
        .writeBytes(body.getBytes(StandardCharsets.UTF_8)));
    Handler handler = new Handler(content);
    group = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new HttpServerCodec(), new HttpServerKeepAliveHandler(),
                new HttpObjectAggregator(1 << 20), handler);
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** {@code CannedServer PORT BODY}: runs until killed. */
  public static void main(String[] args) throws Exception {
    try (CannedServer server = new CannedServer(Integer.parseInt(args[0]), Runtime.getRuntime().availableProcessors(),
        args.length > 1 ? args[1] : "{}")) {
      System.out.println("Canned server listening on http://127.0.0.1:" + server.port());
      Thread.currentThread().join();
    }
  }

  @ChannelHandler.Sharable
  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ByteBuf content;

    Handler(ByteBuf content) {
      this.content = content;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          content.duplicate());
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-amz-json-1.1")
          .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
          .set("x-amzn-RequestId", "00000000-0000-4000-8000-000000000000");
      ctx.writeAndFlush(response, ctx.voidPromise());
    }
  }
}
