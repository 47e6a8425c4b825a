package dev.shunt.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.FatalErrors;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.RequestIds;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The one Netty handler behind the HTTP codec: admin paths go to {@link AdminApi}, everything
 * else is an AWS request. Every failure becomes AWS's error envelope; nothing escapes to the
 * client as a stack trace, and a broken request never takes the connection's neighbours down.
 */
@ChannelHandler.Sharable
final class ShuntHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final System.Logger LOG = System.getLogger("dev.shunt.backend.http");

  private static final AttributeKey<ArrayDeque<FullHttpRequest>> WAITING = AttributeKey.valueOf("shunt.waiting");

  private static final AwsException NOT_POST = new AwsException("UnknownOperationException",
      "AWS operations are called with POST");
  private static final AwsException NOT_AWS_JSON = new AwsException("UnknownOperationException",
      "AWS operations need Content-Type: application/x-amz-json-1.1");

  private final AwsRequestProcessor processor;
  private final AdminApi admin;
  private final RequestGate gate;
  private final FatalErrors fatalErrors;

  ShuntHttpHandler(AwsRequestProcessor processor, AdminApi admin, RequestGate gate, FatalErrors fatalErrors) {
    this.processor = processor;
    this.admin = admin;
    this.gate = gate;
    this.fatalErrors = fatalErrors;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    ArrayDeque<FullHttpRequest> waiting = ctx.channel().attr(WAITING).get();
    if (waiting != null) {
      // Pipelined behind a delayed answer: one socket read may hold several requests, and
      // turning auto-read off does not stop those already decoded.
      waiting.add(request.retain());
      return;
    }
    handle(ctx, request);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    String requestId = RequestIds.next();
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    FullHttpResponse response;
    if (!request.decoderResult().isSuccess()) {
      response = AwsResponses.error(ctx.alloc(), malformed(request.decoderResult().cause()), requestId);
      keepAlive = false;
    } else {
      AwsException refused = refusal(request);
      if (refused == null && !request.uri().startsWith(AdminApi.PREFIX) && !Dashboard.isBarePrefix(request)) {
        aws(ctx, request, requestId, keepAlive);
        return;
      }
      response = refused != null ? AwsResponses.error(ctx.alloc(), refused, requestId) : admin(ctx, request, requestId);
    }
    write(ctx, response, keepAlive, !request.protocolVersion().isKeepAliveDefault());
  }

  /** Why a request may not go on (null: it may): the gate's rules, then, for the AWS API, its method and type. */
  private AwsException refusal(FullHttpRequest request) {
    AwsException refused = gate.refusal(request);
    if (refused != null || request.uri().startsWith(AdminApi.PREFIX) || Dashboard.isBarePrefix(request)) {
      return refused;
    }
    if (!request.method().equals(HttpMethod.POST)) {
      return NOT_POST;
    }
    return ContentTypes.isAwsJson(request) ? null : NOT_AWS_JSON;
  }

  private void aws(ChannelHandlerContext ctx, FullHttpRequest request, String requestId, boolean keepAlive) {
    AwsRequestProcessor.Result result;
    try {
      result = processor.process(request, requestId, sourceIp(ctx));
    } catch (AwsException e) {
      result = AwsRequestProcessor.Result.error(e);
    }
    deliver(ctx, result, requestId, keepAlive, !request.protocolVersion().isKeepAliveDefault(), false);
  }

  /**
   * Sends the answer now, or, when it comes later (a call to the upstream, another request's call
   * for the same cached answer), an injected delay, or a write still on its way to disk, once it
   * is there: every later request on this connection is held back until it is out, so pipelined
   * requests are answered in order.
   */
  private void deliver(ChannelHandlerContext ctx, AwsRequestProcessor.Result answer, String requestId,
      boolean keepAlive, boolean http10, boolean heldBack) {
    if (answer.later() == null && !answer.awaitsStore() && answer.delayMillis() <= 0) {
      answer(ctx, answer.afterStore(), requestId, keepAlive, http10);
      if (heldBack) {
        resumeAfterDelay(ctx);
      }
      return;
    }
    if (ctx.channel().attr(WAITING).get() == null) {
      ctx.channel().attr(WAITING).set(new ArrayDeque<>());
      ctx.channel().config().setAutoRead(false);
    }
    if (answer.later() != null) {
      answer.later().whenComplete((done, failure) -> ctx.executor().execute(() -> {
        try {
          deliver(ctx, done != null ? done : AwsRequestProcessor.Result.error(CommonErrors.internalFailure()),
              requestId, keepAlive, http10, true);
        } catch (Throwable e) {
          exceptionCaught(ctx, e);
        }
      }));
      return;
    }
    Runnable late = () -> {
      try {
        answer(ctx, answer.afterStore(), requestId, keepAlive, http10);
        resumeAfterDelay(ctx);
      } catch (Throwable e) {
        // A scheduled task's failure would only be kept in its future, which nobody reads.
        exceptionCaught(ctx, e);
      }
    };
    if (!answer.awaitsStore()) {
      ctx.executor().schedule(late, answer.delayMillis(), TimeUnit.MILLISECONDS);
      return;
    }
    answer.durable().whenComplete((done, failure) -> {
      if (answer.delayMillis() > 0) {
        ctx.executor().schedule(late, answer.delayMillis(), TimeUnit.MILLISECONDS);
      } else {
        ctx.executor().execute(late);
      }
    });
  }

  private void resumeAfterDelay(ChannelHandlerContext ctx) {
    ArrayDeque<FullHttpRequest> held = ctx.channel().attr(WAITING).getAndSet(null);
    while (held != null && !held.isEmpty()) {
      FullHttpRequest next = held.poll();
      try {
        if (ctx.channel().isActive()) {
          handle(ctx, next);
        }
      } finally {
        next.release();
      }
      ArrayDeque<FullHttpRequest> delayedAgain = ctx.channel().attr(WAITING).get();
      if (delayedAgain != null) {
        delayedAgain.addAll(held);
        return;
      }
    }
    if (ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    ArrayDeque<FullHttpRequest> held = ctx.channel().attr(WAITING).getAndSet(null);
    if (held != null) {
      held.forEach(FullHttpRequest::release);
    }
    super.channelInactive(ctx);
  }

  private static void answer(ChannelHandlerContext ctx, AwsRequestProcessor.Result result, String requestId,
      boolean keepAlive, boolean http10) {
    if (result.reset()) {
      // SO_LINGER 0: close with a TCP reset, as a crashing load balancer would.
      ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
      ctx.close();
      return;
    }
    write(ctx, response(ctx.alloc(), result, requestId), keepAlive, http10);
  }

  /** The response a processed request gets (unless it gets a reset). */
  static FullHttpResponse response(ByteBufAllocator allocator, AwsRequestProcessor.Result result, String requestId) {
    FullHttpResponse response;
    if (result.bareStatus() != 0) {
      response = AwsResponses.bare(allocator, HttpResponseStatus.valueOf(result.bareStatus()), requestId);
    } else if (result.error() != null) {
      response = AwsResponses.error(allocator, result.error(), requestId);
    } else {
      response = AwsResponses.success(allocator, result.body(), requestId);
    }
    if (result.audit() != null) {
      AwsResponses.auditHeaders(response.headers(), result.audit());
    }
    return response;
  }

  private FullHttpResponse admin(ChannelHandlerContext ctx, FullHttpRequest request, String requestId) {
    FullHttpResponse page = Dashboard.response(ctx.alloc(), request, requestId);
    if (page != null) {
      return page;
    }
    FullHttpResponse response;
    try {
      JsonNode body = admin.handle(request);
      response = AwsResponses.json(ctx.alloc(), HttpResponseStatus.OK, body, requestId);
    } catch (AwsException e) {
      response = AwsResponses.error(ctx.alloc(), e, requestId);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.ERROR, "Admin request " + requestId + " failed: " + e);
      response = AwsResponses.error(ctx.alloc(), CommonErrors.internalFailure(), requestId);
    }
    // What Shunt reports of itself is read by its own page or a client, never run as a script or kept.
    AdminApi.sameOriginOnly(response.headers());
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    return response;
  }

  static AwsException malformed(Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      return new AwsException("RequestHeaderFieldsTooLargeException", "Request line or headers are too large", 431);
    }
    return new AwsException("BadRequestException", "Malformed HTTP request");
  }

  static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive, boolean http10) {
    if (keepAlive) {
      if (http10) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.writeAndFlush(response, ctx.voidPromise());
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      // A failed write (the encoder out of memory, say) reaches exceptionCaught, as with the void promise above.
      ctx.writeAndFlush(response).addListeners(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE,
          ChannelFutureListener.CLOSE);
    }
  }

  private static String sourceIp(ChannelHandlerContext ctx) {
    SocketAddress address = ctx.channel().remoteAddress();
    return address instanceof InetSocketAddress inet ? inet.getAddress().getHostAddress() : "127.0.0.1";
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  /**
   * Netty brings here whatever a handler or the codec threw, Errors included: the JVM failing
   * (out of memory) goes to the owner's policy, without a word more here, for memory is short.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!fatalErrors.report(cause)) {
      LOG.log(System.Logger.Level.DEBUG, "Connection closed after an I/O error: " + cause);
    }
    ctx.close();
  }
}
