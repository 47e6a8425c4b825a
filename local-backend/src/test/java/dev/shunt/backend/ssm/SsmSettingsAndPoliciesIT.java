package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.model.ParameterInlinePolicy;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ServiceSetting;

/** Service settings (high throughput, default tier) and parameter policies on the movable clock. */
class SsmSettingsAndPoliciesIT extends BackendTest {
  private static final String THROUGHPUT = "/ssm/parameter-store/high-throughput-enabled";
  private static final String DEFAULT_TIER = "/ssm/parameter-store/default-parameter-tier";

  @Test
  void highThroughputSettingReadsWritesAndResets() {
    ServiceSetting initial = ssm.getServiceSetting(r -> r.settingId(THROUGHPUT)).serviceSetting();
    assertThat(initial.settingValue()).isEqualTo("false");
    assertThat(initial.status()).isEqualTo("Default");
    assertThat(initial.arn()).isEqualTo("arn:aws:ssm:us-east-1:000000000000:servicesetting" + THROUGHPUT);
    assertThat(shunt.backend().ssm().highThroughput("000000000000", "us-east-1")).isFalse();

    ssm.updateServiceSetting(r -> r.settingId(THROUGHPUT).settingValue("true"));
    ServiceSetting updated = ssm.getServiceSetting(r -> r.settingId(initial.arn())).serviceSetting();
    assertThat(updated.settingValue()).isEqualTo("true");
    assertThat(updated.status()).isEqualTo("Customized");
    assertThat(updated.lastModifiedUser()).isEqualTo("arn:aws:iam::000000000000:root");
    assertThat(shunt.backend().ssm().highThroughput("000000000000", "us-east-1")).isTrue();
    assertThat(shunt.backend().ssm().highThroughput("000000000000", "eu-west-1")).isFalse();

    ServiceSetting reset = ssm.resetServiceSetting(r -> r.settingId(THROUGHPUT)).serviceSetting();
    assertThat(reset.settingValue()).isEqualTo("false");
    assertThat(reset.status()).isEqualTo("Default");
    assertThat(shunt.backend().ssm().highThroughput("000000000000", "us-east-1")).isFalse();

    expectError("ValidationException", () -> ssm.updateServiceSetting(r -> r.settingId(THROUGHPUT).settingValue("yes")));
    expectError("ServiceSettingNotFound", () -> ssm.getServiceSetting(r -> r.settingId("/ssm/no/such/setting")));
  }

  @Test
  void defaultTierSettingAppliesToNewParameters() {
    ssm.updateServiceSetting(r -> r.settingId(DEFAULT_TIER).settingValue("Advanced"));
    assertThat(ssm.putParameter(r -> r.name("/t").value("v").type(ParameterType.STRING)).tier())
        .isEqualTo(ParameterTier.ADVANCED);
    ssm.updateServiceSetting(r -> r.settingId(DEFAULT_TIER).settingValue("Intelligent-Tiering"));
    assertThat(ssm.putParameter(r -> r.name("/u").value("v").type(ParameterType.STRING)).tier())
        .isEqualTo(ParameterTier.STANDARD);
    expectError("ValidationException", () -> ssm.updateServiceSetting(r -> r.settingId(DEFAULT_TIER).settingValue("Gold")));
  }

  private static String expiration(Instant at) {
    return "{\"Type\":\"Expiration\",\"Version\":\"1.0\",\"Attributes\":{\"Timestamp\":\"" + at + "\"}}";
  }

  @Test
  void anExpiredParameterIsDeletedWhenTheClockPassesItsExpiration() {
    Instant at = shunt.backend().clock().now().plus(Duration.ofDays(2));
    String policies = "[" + expiration(at) + ",{\"Type\":\"ExpirationNotification\",\"Version\":\"1.0\","
        + "\"Attributes\":{\"Before\":\"1\",\"Unit\":\"Days\"}},{\"Type\":\"NoChangeNotification\","
        + "\"Version\":\"1.0\",\"Attributes\":{\"After\":\"12\",\"Unit\":\"Hours\"}}]";
    ssm.putParameter(r -> r.name("/temp").value("v").type(ParameterType.STRING).tier(ParameterTier.ADVANCED)
        .policies(policies));
    var metadata = ssm.describeParameters(r -> { }).parameters().get(0);
    assertThat(metadata.policies()).extracting(ParameterInlinePolicy::policyType)
        .containsExactly("Expiration", "ExpirationNotification", "NoChangeNotification");
    assertThat(metadata.policies()).extracting(ParameterInlinePolicy::policyStatus).containsOnly("Pending");

    shunt.backend().clock().advance(Duration.ofDays(1).plusHours(1));
    var later = ssm.describeParameters(r -> { }).parameters().get(0);
    assertThat(later.policies()).extracting(ParameterInlinePolicy::policyStatus)
        .containsExactly("Pending", "Finished", "Finished");
    assertThat(ssm.getParameter(r -> r.name("/temp")).parameter().value()).isEqualTo("v");

    shunt.backend().clock().advance(Duration.ofDays(1));
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/temp")));
    assertThat(ssm.describeParameters(r -> { }).parameters()).isEmpty();
    assertThat(ssm.putParameter(r -> r.name("/temp").value("new").type(ParameterType.STRING)).version()).isEqualTo(1);
  }

  @Test
  void policiesAreCheckedAsSsmChecksThem() {
    Instant future = shunt.backend().clock().now().plus(Duration.ofDays(1));
    expectError("ValidationException", () -> ssm.putParameter(r -> r.name("/p").value("v").type(ParameterType.STRING)
        .tier(ParameterTier.STANDARD).policies("[" + expiration(future) + "]")));
    assertThat(ssm.putParameter(r -> r.name("/p").value("v").type(ParameterType.STRING)
        .tier(ParameterTier.INTELLIGENT_TIERING).policies("[" + expiration(future) + "]")).tier())
        .isEqualTo(ParameterTier.ADVANCED);
    expectError("InvalidPolicyTypeException", () -> ssm.putParameter(r -> r.name("/q").value("v")
        .type(ParameterType.STRING).tier(ParameterTier.ADVANCED)
        .policies("[{\"Type\":\"SelfDestruct\",\"Version\":\"1.0\",\"Attributes\":{}}]")));
    expectError("InvalidPolicyTypeException", () -> ssm.putParameter(r -> r.name("/q").value("v")
        .type(ParameterType.STRING).tier(ParameterTier.ADVANCED).policies("not json")));
    expectError("InvalidPolicyAttributeException", () -> ssm.putParameter(r -> r.name("/q").value("v")
        .type(ParameterType.STRING).tier(ParameterTier.ADVANCED)
        .policies("[" + expiration(future.minus(Duration.ofDays(3))) + "]")));
    expectError("IncompatiblePolicyException", () -> ssm.putParameter(r -> r.name("/q").value("v")
        .type(ParameterType.STRING).tier(ParameterTier.ADVANCED)
        .policies("[" + expiration(future) + "," + expiration(future) + "]")));
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/q")));
  }
}
