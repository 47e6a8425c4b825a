package dev.shunt.backend.http;

import dev.shunt.backend.FatalErrors;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.core.Router;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.time.ShuntClock;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Netty HTTP/1.1 server (keep-alive, pipelined requests answered in order). Bodies are
 * bounded: a larger one is answered with AWS's envelope, and its bytes are read and dropped.
 */
public final class HttpServer implements AutoCloseable {
  /** Limits that bound what one request can make the server hold. */
  public record Limits(int maxBodyBytes, int maxHeaderBytes, int idleSeconds) {}

  /** How long closing waits for the server socket to close, then for the event loops to end (given 2 s). */
  private static final long CLOSE_WAIT_MILLIS = 3_000;

  private final EventLoopGroup group;
  private final Channel channel;

  private HttpServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** @param allowedHosts host names requests may name in their Host header besides loopback names and addresses */
  public static HttpServer start(String host, int port, int threads, Limits limits, AwsRequestProcessor processor,
      AdminApi admin, Set<String> allowedHosts, FatalErrors fatalErrors) throws InterruptedException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
        new DefaultThreadFactory("shunt-http", true), NioIoHandler.newFactory());
    ShuntHttpHandler handler = new ShuntHttpHandler(processor, admin, new RequestGate(allowedHosts), fatalErrors);
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            addHandlers(ch.pipeline(), limits, handler);
          }
        });
    try {
      // await(), not sync(): sync() rethrows a failed bind's checked BindException undeclared.
      ChannelFuture bound = bootstrap.bind(new InetSocketAddress(host, port)).await();
      if (!bound.isSuccess()) {
        throw new IllegalStateException("Cannot listen on " + host + ":" + port + ": " + bound.cause().getMessage(),
            bound.cause());
      }
      return new HttpServer(group, bound.channel());
    } catch (RuntimeException | InterruptedException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  private static void addHandlers(ChannelPipeline pipeline, Limits limits, ShuntHttpHandler handler) {
    pipeline.addLast(new IdleStateHandler(0, 0, limits.idleSeconds(), TimeUnit.SECONDS));
    pipeline.addLast(new HttpServerCodec(4096, limits.maxHeaderBytes(), 8192));
    pipeline.addLast(new HttpServerKeepAliveHandler());
    pipeline.addLast(new BoundedAggregator(limits.maxBodyBytes()));
    pipeline.addLast(handler);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Stops listening at once, then ends the connections and event loops. Every wait is bounded: a
   * JVM that must stop (on SIGTERM, or the JVM failing under it) is never held by an event loop
   * that no longer gets to its tasks.
   */
  /** Takes no new connection; those open are served on until {@link #close}. */
  public void stopAccepting() {
    channel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
  }

  @Override
  public void close() {
    ChannelFuture unbound = channel.close();
    Future<?> stopped = group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    unbound.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    stopped.awaitUninterruptibly(CLOSE_WAIT_MILLIS);
  }

  /**
   * Answers an oversized body, and an {@code Expect} header it refuses, with AWS's envelope
   * instead of Netty's bare 413 and 417.
   */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    private final int limit;

    BoundedAggregator(int limit) {
      super(limit, true);
      this.limit = limit;
    }

    /**
     * Closing with body bytes still unread makes the kernel reset the connection, and a client
     * still sending its body then loses the 413 with it. So a keep-alive request's connection stays
     * open: the aggregator discards the rest of the body, and the client reads the answer.
     */
    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ShuntHttpHandler.write(ctx, AwsResponses.error(ctx.alloc(), CommonErrors.requestTooLarge(limit),
          RequestIds.next()), HttpUtil.isKeepAlive(oversized), !oversized.protocolVersion().isKeepAliveDefault());
    }

    /**
     * Netty answers {@code Expect: 100-continue} itself, before the body is sent, and its refusals
     * (a declared length over the limit: 413; an expectation it does not know: 417) have no body.
     * curl sends that header before any body over 1 KiB, so those refusals are AWS's envelope too.
     */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      Object response = super.newContinueResponse(start, maxContentLength, pipeline);
      if (!(response instanceof FullHttpResponse refusal)
          || refusal.status().code() < HttpResponseStatus.BAD_REQUEST.code()) {
        return response;
      }
      AwsException error = refusal.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()
          ? CommonErrors.requestTooLarge(limit)
          : new AwsException("ExpectationFailedException", "Only 'Expect: 100-continue' is supported", 417);
      refusal.release();
      FullHttpResponse envelope = AwsResponses.error(pipeline.channel().alloc(), error, RequestIds.next());
      // The aggregator closes the connection after a refusal; say so.
      envelope.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      return envelope;
    }
  }
}
