package dev.shunt.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which failures end a backend's service: the JVM failing, not one request going wrong. */
class FatalErrorsTest {
  @Test
  void theJvmFailingIsFatalEvenWrapped() {
    assertThat(FatalErrors.isFatal(new OutOfMemoryError("Java heap space"))).isTrue();
    assertThat(FatalErrors.isFatal(new InternalError("broken"))).isTrue();
    assertThat(FatalErrors.isFatal(new ExecutionException(new OutOfMemoryError()))).isTrue();
    assertThat(FatalErrors.isFatal(new DecoderException(new ExecutionException(new OutOfMemoryError())))).isTrue();
  }

  /** A deeply nested request body overflows its own stack and is answered with an error, as before. */
  @Test
  void aStackOverflowOrAnExceptionIsNot() {
    assertThat(FatalErrors.isFatal(new StackOverflowError())).isFalse();
    assertThat(FatalErrors.isFatal(new IOException("Connection reset by peer"))).isFalse();
    assertThat(FatalErrors.isFatal(new IllegalStateException(new StackOverflowError()))).isFalse();
    assertThat(FatalErrors.isFatal(null)).isFalse();
  }

  @Test
  void aCloseServerPolicyReportsFatalErrorsOnceAndLeavesOthersToTheCaller() throws Exception {
    CountDownLatch closed = new CountDownLatch(1);
    AtomicInteger closes = new AtomicInteger();
    PrintStream err = System.err;
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    System.setErr(new PrintStream(said, true, StandardCharsets.US_ASCII));
    try {
      FatalErrors fatalErrors = new FatalErrors(FatalErrors.Policy.CLOSE_SERVER, () -> {
        closes.incrementAndGet();
        closed.countDown();
      });
      assertThat(fatalErrors.report(new IOException("reset"))).isFalse();
      assertThat(fatalErrors.report(new OutOfMemoryError("Java heap space"))).isTrue();
      assertThat(fatalErrors.report(new OutOfMemoryError("Java heap space"))).isTrue();
      closed.await();
    } finally {
      System.setErr(err);
    }
    assertThat(closes.get()).isEqualTo(1);
    assertThat(said.toString(StandardCharsets.US_ASCII).lines().toList()).singleElement()
        .satisfies(line -> assertThat(line).startsWith("[shunt] out of memory (max heap ")
            .contains("the embedded backend stopped listening"));
  }
}
