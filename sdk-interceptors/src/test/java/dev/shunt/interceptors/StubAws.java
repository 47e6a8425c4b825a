package dev.shunt.interceptors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.KmsAsyncClientBuilder;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * A stand-in for AWS on a loopback port, answering as the test's handler says: while it runs,
 * {@code shunt.endpoint} names it, so Shunt's interceptor routes the clients there. Also the
 * answers and the KMS clients (with quick, fixed retry backoffs) that the tests share.
 */
final class StubAws implements AutoCloseable {
  static final StaticCredentialsProvider CREDENTIALS =
      StaticCredentialsProvider.create(AwsBasicCredentials.create("AKID", "secret"));

  private final HttpServer server;
  private final String previousEndpoint;
  /** Where it listens ({@code http://127.0.0.1:PORT}). */
  final URI endpoint;

  private StubAws(HttpServer server, String previousEndpoint) {
    this.server = server;
    this.previousEndpoint = previousEndpoint;
    this.endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Starts a server that answers every request with {@code handler}, and points {@code shunt.endpoint} at it. */
  static StubAws start(HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", handler);
    server.start();
    StubAws aws = new StubAws(server, System.getProperty(ShuntEndpoint.PROPERTY));
    System.setProperty(ShuntEndpoint.PROPERTY, aws.endpoint.toString());
    return aws;
  }

  /** Stops the server and gives {@code shunt.endpoint} back the value it had (unset, usually). */
  @Override
  public void close() {
    if (previousEndpoint == null) {
      System.clearProperty(ShuntEndpoint.PROPERTY);
    } else {
      System.setProperty(ShuntEndpoint.PROPERTY, previousEndpoint);
    }
    server.stop(0);
  }

  /** Answers in AWS's JSON protocol. */
  static void send(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Answers with an AWS error: its code in {@code x-amzn-ErrorType} and as the body's {@code __type}. */
  static void error(HttpExchange exchange, int status, String code, String message) throws IOException {
    exchange.getResponseHeaders().add("x-amzn-ErrorType", code + ":http://internal.amazon.com/coral/");
    send(exchange, status, "{\"__type\":\"" + code + "\",\"message\":\"" + message + "\"}");
  }

  /** Answers as AWS does when it throttles a call, which the SDK retries. */
  static void throttle(HttpExchange exchange) throws IOException {
    error(exchange, 400, "ThrottlingException", "Rate exceeded");
  }

  /**
   * A KMS client (its endpoint Shunt's unless the caller overrides it) that makes at most three
   * attempts, waiting {@code backoff} before each retry, with {@code extra} interceptors.
   */
  static KmsClientBuilder kms(Duration backoff, ExecutionInterceptor... extra) {
    return KmsClient.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
        .httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> {
          c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
              .maxAttempts(3)
              .backoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(backoff))
              .throttlingBackoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(backoff))
              .build());
          for (ExecutionInterceptor interceptor : extra) {
            c.addExecutionInterceptor(interceptor);
          }
        });
  }

  /** An async KMS client on Netty that waits {@code backoff} before retrying a throttled attempt. */
  static KmsAsyncClientBuilder kmsAsync(Duration backoff) {
    return KmsAsyncClient.builder().region(Region.US_EAST_1).credentialsProvider(CREDENTIALS)
        .httpClient(NettyNioAsyncHttpClient.create())
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .throttlingBackoffStrategy(BackoffStrategy.fixedDelayWithoutJitter(backoff)).build()));
  }
}
