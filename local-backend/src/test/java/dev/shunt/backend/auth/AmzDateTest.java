package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.core.AwsException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written X-Amz-Date reader agrees with java.time on every valid date and refuses the rest. */
class AmzDateTest {
  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Test
  void validDatesReadAsJavaTimeReadsThem() {
    for (String date : List.of("20260101T000000Z", "20261125T103951Z", "20240229T235959Z", "19700101T000000Z",
        "29991231T120000Z")) {
      assertThat(Authenticator.parseAmzDate(date)).as(date).isEqualTo(Instant.from(FORMAT.parse(date)).getEpochSecond());
    }
  }

  @Test
  void anythingElseIsAwsBasicFormatError() {
    for (String date : List.of("", "2026-11-25T10:39:51Z", "20261125T103951", "20261325T103951Z", "20250229T103951Z",
        "20261131T000000Z", "20261125T243951Z", "20261125T106051Z", "20261125T103960Z", "2026112xT103951Z",
        "20261125 103951Z", "20261125T1039510Z", "20261100T103951Z")) {
      assertThatThrownBy(() -> Authenticator.parseAmzDate(date)).as(date).isInstanceOf(AwsException.class)
          .hasMessageContaining("ISO-8601 'basic format'");
    }
  }
}
