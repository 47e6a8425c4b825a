package dev.shunt.interceptors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.shunt.interceptors.ShuntClientStats.OperationStats;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * A real KMS client, its real retry strategy and Shunt's global interceptor (loaded by the SDK
 * from this module's resources), against a local server that throttles, drops connections or
 * answers as each test scripts it. The server also takes the reporter's client-stats pushes.
 */
class SdkRetriesTest {
  private static final Duration BACKOFF = Duration.ofMillis(50);
  private static StubAws aws;
  private static URI endpoint;
  private static final ConcurrentLinkedQueue<String> SCRIPT = new ConcurrentLinkedQueue<>();
  private static final List<String> PUSHES = new CopyOnWriteArrayList<>();
  /** Each push's Authorization header ("" for none), by its body. */
  private static final Map<String, String> PUSH_AUTHORIZATION = new ConcurrentHashMap<>();
  private static final Logger JUL = Logger.getLogger(ShuntClientStats.LOGGER);
  private static final List<String> LOGGED = new CopyOnWriteArrayList<>();
  private static final Handler CAPTURE = new Handler() {
    @Override
    public void publish(LogRecord record) {
      LOGGED.add(record.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private KmsClient kms;

  @BeforeAll
  static void startServer() throws IOException {
    aws = StubAws.start(SdkRetriesTest::answer);
    endpoint = aws.endpoint;
    JUL.addHandler(CAPTURE);
  }

  @AfterAll
  static void stopServer() {
    JUL.removeHandler(CAPTURE);
    aws.close();
  }

  @BeforeEach
  void client() {
    ShuntClientStats.reset();
    SCRIPT.clear();
    LOGGED.clear();
    kms = StubAws.kms(BACKOFF).endpointOverride(endpoint).build();
  }

  @AfterEach
  void close() {
    kms.close();
    System.clearProperty("shunt.log-retries");
    System.clearProperty("shunt.admin-token");
  }

  /** Answers the next scripted way (ok when the script is empty); takes client-stats pushes. */
  private static void answer(HttpExchange exchange) throws IOException {
    byte[] request = exchange.getRequestBody().readAllBytes();
    if (exchange.getRequestURI().getPath().equals("/_shunt/client-stats")) {
      String body = new String(request, StandardCharsets.UTF_8);
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      PUSH_AUTHORIZATION.put(body, authorization == null ? "" : authorization);
      PUSHES.add(body);
      StubAws.send(exchange, 200, "{\"status\":\"recorded\"}");
      return;
    }
    String next = SCRIPT.poll();
    if (next == null || next.equals("ok")) {
      StubAws.send(exchange, 200, "{\"Plaintext\":\"AAAA\"}");
    } else if (next.equals("throttle")) {
      StubAws.throttle(exchange);
    } else if (next.equals("truncate")) {
      // Promises 100 bytes, sends 5 and hangs up: the SDK reads a broken body and retries.
      exchange.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.1");
      exchange.sendResponseHeaders(200, 100);
      exchange.getResponseBody().write("{\"Pla".getBytes(StandardCharsets.UTF_8));
      exchange.getResponseBody().flush();
      exchange.close();
    } else {
      throw new IllegalStateException(next);
    }
  }

  private static void script(String... steps) {
    SCRIPT.addAll(List.of(steps));
  }

  @Test
  void aThrottledAttemptAndItsBackoffAreRecorded() {
    script("throttle", "ok");
    kms.generateRandom(r -> r.numberOfBytes(3));
    assertThat(ShuntClientStats.recentStories()).hasSize(1);
    String story = ShuntClientStats.recentStories().get(0);
    assertThat(story).matches("KMS\\.GenerateRandom: attempt 1 ThrottlingException, waited \\d+ ms, attempt 2 OK");
    long waited = Long.parseLong(story.replaceAll(".*waited (\\d+) ms.*", "$1"));
    assertThat(waited).as("the backoff the SDK slept").isGreaterThanOrEqualTo(BACKOFF.toMillis() - 1);
    assertThat(ShuntClientStats.snapshot()).containsEntry("KMS.GenerateRandom", new OperationStats(1, 2, 1, 1, 0, 1));
    assertThat(LOGGED).containsExactly("[shunt] " + story);
  }

  @Test
  void anAsyncClientsAttemptsAreRecordedToo() {
    script("throttle", "ok");
    try (KmsAsyncClient async = StubAws.kmsAsync(BACKOFF).endpointOverride(endpoint).build()) {
      async.generateRandom(r -> r.numberOfBytes(3)).join();
    }
    assertThat(ShuntClientStats.recentStories()).singleElement().asString()
        .matches("KMS\\.GenerateRandom: attempt 1 ThrottlingException, waited \\d+ ms, attempt 2 OK");
    assertThat(ShuntClientStats.snapshot()).containsEntry("KMS.GenerateRandom", new OperationStats(1, 2, 1, 1, 0, 1));
  }

  @Test
  void aCallWithoutRetriesIsCountedButNotTold() {
    kms.generateRandom(r -> r.numberOfBytes(3));
    kms.generateRandom(r -> r.numberOfBytes(3));
    assertThat(ShuntClientStats.snapshot()).containsEntry("KMS.GenerateRandom", new OperationStats(2, 2, 0, 0, 0, 2));
    assertThat(ShuntClientStats.recentStories()).isEmpty();
    assertThat(LOGGED).isEmpty();
  }

  @Test
  void theSdkGivingUpIsRecorded() {
    script("throttle", "throttle", "throttle");
    assertThatThrownBy(() -> kms.generateRandom(r -> r.numberOfBytes(3))).isInstanceOf(KmsException.class);
    assertThat(ShuntClientStats.recentStories()).singleElement().asString().matches(
        "KMS\\.GenerateRandom: attempt 1 ThrottlingException, waited \\d+ ms, attempt 2 ThrottlingException, "
            + "waited \\d+ ms, attempt 3 ThrottlingException, gave up");
    assertThat(ShuntClientStats.snapshot()).containsEntry("KMS.GenerateRandom", new OperationStats(1, 3, 2, 3, 1, 0));
  }

  @Test
  void aBrokenAnswerIsAnIoFailure() {
    script("truncate", "ok");
    kms.generateRandom(r -> r.numberOfBytes(3));
    assertThat(ShuntClientStats.recentStories()).singleElement().asString()
        .matches("KMS\\.GenerateRandom: attempt 1 I/O error, waited \\d+ ms, attempt 2 OK");
    assertThat(ShuntClientStats.snapshot()).containsEntry("KMS.GenerateRandom", new OperationStats(1, 2, 1, 0, 0, 1));
  }

  @Test
  void theLogIsRateLimitedAndCanBeTurnedOff() {
    script("throttle", "ok", "throttle", "ok", "throttle", "ok");
    for (int i = 0; i < 3; i++) {
      kms.generateRandom(r -> r.numberOfBytes(3));
    }
    assertThat(ShuntClientStats.recentStories()).hasSize(3);
    assertThat(LOGGED).as("one line a second").hasSize(1);
    ShuntClientStats.RetryLog.reset();
    System.setProperty("shunt.log-retries", "false");
    script("throttle", "ok");
    kms.generateRandom(r -> r.numberOfBytes(3));
    assertThat(ShuntClientStats.recentStories()).hasSize(4);
    assertThat(LOGGED).hasSize(1);
  }

  @Test
  void theCountersArePushedToShuntWithItsAdminToken() throws InterruptedException {
    // A backend under --auth sigv4 (or beyond loopback) takes the reports only with its admin token.
    System.setProperty("shunt.admin-token", "token-of-this-test");
    script("throttle", "ok");
    kms.generateRandom(r -> r.numberOfBytes(3));
    String source = ProcessHandle.current().pid() + "@";
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    String push = null;
    while (push == null && System.nanoTime() < deadline) {
      for (String candidate : new ArrayList<>(PUSHES)) {
        if (candidate.contains("\"KMS.GenerateRandom\":{\"calls\":1,\"attempts\":2,")) {
          push = candidate;
        }
      }
      Thread.sleep(50);
    }
    assertThat(push).as("pushes: %s", PUSHES).isNotNull()
        .startsWith("{\"source\":\"" + source)
        .contains("\"KMS.GenerateRandom\":{\"calls\":1,\"attempts\":2,\"retries\":1,\"throttles\":1,\"giveUps\":0,"
            + "\"successes\":1}")
        .containsPattern("\"recent\":\\[\"KMS\\.GenerateRandom: attempt 1 ThrottlingException, waited \\d+ ms, "
            + "attempt 2 OK\"\\]}$");
    assertThat(PUSH_AUTHORIZATION.get(push)).isEqualTo("Bearer token-of-this-test");
  }
}
