package dev.shunt.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The hand-written Date header says what Netty's RFC 1123 formatter says, for any second from 1970 to 9999. */
class HttpDatesTest {
  @Test
  void formatsAsNettysFormatterDoes() {
    SplittableRandom random = new SplittableRandom(42);
    long last = 253_402_300_799L; // 9999-12-31T23:59:59Z
    for (long second : new long[] {0, 59, 86_399, 86_400, 951_782_400, 1_709_164_800, last}) {
      assertThat(HttpDates.format(second)).isEqualTo(DateFormatter.format(new Date(second * 1000)));
    }
    for (int i = 0; i < 100_000; i++) {
      long second = random.nextLong(last);
      assertThat(HttpDates.format(second)).as("second %d", second)
          .isEqualTo(DateFormatter.format(new Date(second * 1000)));
    }
  }

  @Test
  void theCurrentSecondIsTheHeader() {
    long before = System.currentTimeMillis() / 1000;
    String now = HttpDates.now();
    long after = System.currentTimeMillis() / 1000;
    assertThat(now).isIn(HttpDates.format(before), HttpDates.format(after)).endsWith(" GMT").hasSize(29);
  }
}
