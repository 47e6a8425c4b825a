package dev.shunt.backend.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamErrorsTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', nullValues = "NONE", value = {
      "NONE                                                   | {\"__type\":\"ThrottlingException\"}                       | ThrottlingException",
      "NONE                                                   | {\"__type\":\"com.amazonaws.kms#ThrottlingException\"}     | ThrottlingException",
      "NONE                                                   | {\"message\":\"x\",\"code\":\"NotFoundException\"}          | NotFoundException",
      "NONE                                                   | {\"code\":\"A\",\"__type\":\"B\"}                            | B",
      "NONE                                                   | {\"nested\":{\"__type\":\"Inner\"},\"__type\":\"Outer\"}     | Outer",
      "ThrottlingException:http://internal.amazon.com/coral/  | {\"__type\":\"Other\"}                                     | ThrottlingException",
      "aws.protocoltests#FooError:http://internal.amazon.com/ | NONE                                                       | FooError",
      "NONE                                                   | <html>Bad Gateway</html>                                   | NONE",
      "NONE                                                   | [\"__type\"]                                               | NONE",
      "NONE                                                   | NONE                                                       | NONE",
  })
  void theErrorCodeIsTheBareName(String header, String body, String expected) {
    byte[] bytes = body == null ? null : body.getBytes(StandardCharsets.UTF_8);

    assertThat(UpstreamErrors.errorCode(header, bytes)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Throttling", "ThrottlingException", "ThrottledException",
      "ProvisionedThroughputExceededException", "SlowDown", "TooManyRequestsException", "RequestLimitExceeded",
      "BandwidthLimitExceeded", "RequestThrottled", "RequestThrottledException"})
  void throttlingCodesAreRetriedAsThrottled(String code) {
    assertThat(UpstreamErrors.isThrottling(400, code)).isTrue();
    assertThat(UpstreamErrors.isRetryable(400, code)).isTrue();
  }

  @ParameterizedTest
  @CsvSource({"429, true, true", "500, true, false", "502, true, false", "503, true, false", "504, true, false",
      "200, false, false", "400, false, false", "403, false, false", "404, false, false", "501, false, false"})
  void theStatusAloneDecidesWithoutAThrottlingCode(int status, boolean retryable, boolean throttled) {
    assertThat(UpstreamErrors.isRetryable(status, "NotFoundException")).isEqualTo(retryable);
    assertThat(UpstreamErrors.isThrottling(status, null)).isEqualTo(throttled);
  }
}
