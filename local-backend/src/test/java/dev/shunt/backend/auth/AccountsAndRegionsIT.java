package dev.shunt.backend.auth;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyMetadata;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * What bounds the backend's memory: a request names only AWS's Regions (or extra-regions ones)
 * and at most max-accounts accounts; with the real SDK v2 clients, in the default trust mode.
 */
class AccountsAndRegionsIT {
  private static final String TOO_MANY = "The security token included in the request is invalid. "
      + "(Shunt keeps at most 3 accounts; see --max-accounts)";

  @Test
  void aRegionAwsDoesNotHaveIsServedOnlyWhenNamedInExtraRegions() {
    try (BackendFixture plain = BackendFixture.start();
        BackendFixture extra = BackendFixture.start(ShuntBackend.builder().option("extra-regions", "xx-lab-1"))) {
      try (KmsClient kms = plain.kms("AKIDTEST", Region.of("xx-lab-1"))) {
        assertThat(message(expectError("InvalidSignatureException", kms::listKeys)))
            .isEqualTo("Credential should be scoped to a valid region, not 'xx-lab-1'. ");
      }
      try (KmsClient kms = extra.kms("AKIDTEST", Region.of("xx-lab-1"));
          KmsClient other = extra.kms("AKIDTEST", Region.of("xx-lab-2"))) {
        assertThat(kms.createKey(r -> r.description("lab")).keyMetadata().arn())
            .startsWith("arn:aws:kms:xx-lab-1:000000000000:key/");
        expectError("InvalidSignatureException", other::listKeys);
      }
    }
  }

  @Test
  void badRegionOptionsAreRefusedAtStart() {
    assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("extra-regions", "us-east-1,Lab").start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("extra-regions").hasMessageContaining("'Lab'");
    assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("default-region", "xx-lab-1").start())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("default-region");
    for (String cap : new String[] {"0", "100001", "many"}) {
      assertThatThrownBy(() -> ShuntBackend.builder().port(0).option("max-accounts", cap).start()).as(cap)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-accounts");
    }
    // An extra Region may be the default one.
    try (BackendFixture lab = BackendFixture.start(ShuntBackend.builder().option("extra-regions", "xx-lab-1")
        .option("default-region", "xx-lab-1"))) {
      assertThat(lab.backend().options().get(dev.shunt.backend.config.ShuntOptions.Option.DEFAULT_REGION))
          .isEqualTo("xx-lab-1");
    }
  }

  @Test
  void theNewerPartitionsAreSpelledInArnsAsAwsSpellsThem() {
    Map<String, String> partitions = Map.of("eu-isoe-west-1", "aws-iso-e", "us-isof-south-1", "aws-iso-f",
        "eusc-de-east-1", "aws-eusc", "us-isob-east-1", "aws-iso-b");
    try (BackendFixture shunt = BackendFixture.start()) {
      partitions.forEach((region, partition) -> {
        try (KmsClient kms = shunt.kms("123456789012", Region.of(region));
            SecretsManagerClient secrets = shunt.secrets("123456789012", Region.of(region));
            SsmClient ssm = shunt.ssm("123456789012", Region.of(region))) {
          assertThat(kms.createKey(r -> r.description(region)).keyMetadata().arn())
              .startsWith("arn:" + partition + ":kms:" + region + ":123456789012:key/");
          assertThat(secrets.createSecret(r -> r.name("partitioned").secretString("x")).arn())
              .startsWith("arn:" + partition + ":secretsmanager:" + region + ":123456789012:secret:partitioned-");
          ssm.putParameter(r -> r.name("/partitioned").value("x").type(ParameterType.STRING));
          assertThat(ssm.getParameter(r -> r.name("/partitioned")).parameter().arn())
              .isEqualTo("arn:" + partition + ":ssm:" + region + ":123456789012:parameter/partitioned");
        }
      });
    }
  }

  @Test
  void aNewAccountBeyondTheCapIsRefusedUntilReset() throws Exception {
    // The default account (of test:test and of keys that are not 12 digits) takes one of the 3 places.
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("max-accounts", "3"))) {
      try (KmsClient first = shunt.kms("111111111111", Region.US_EAST_1);
          KmsClient second = shunt.kms("222222222222", Region.US_EAST_1);
          KmsClient third = shunt.kms("333333333333", Region.US_EAST_1);
          KmsClient firstElsewhere = shunt.kms("111111111111", Region.EU_WEST_1);
          KmsClient byDefault = shunt.kms("AKIDTEST", Region.AP_SOUTH_1)) {
        KeyMetadata key = first.createKey(r -> r.description("first")).keyMetadata();
        second.listKeys();
        assertThat(message(expectError("UnrecognizedClientException", third::listKeys))).isEqualTo(TOO_MANY);
        // Admitted accounts go on, in any Region; so does the default account.
        firstElsewhere.listKeys();
        byDefault.createKey();
        // Naming another account's key admits nobody.
        assertThat(message(expectError("NotFoundException", () -> second.describeKey(r -> r.keyId(
            "arn:aws:kms:us-east-1:444444444444:key/" + key.keyId()))))).contains("444444444444");
        expectError("UnrecognizedClientException", third::listKeys);

        HttpResponse<String> reset = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            shunt.uri().resolve("/_shunt/reset")).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reset.statusCode()).as(reset.body()).isEqualTo(200);

        third.listKeys();
        second.listKeys();
        assertThat(message(expectError("UnrecognizedClientException", first::listKeys))).isEqualTo(TOO_MANY);
        byDefault.listKeys();
      }
    }
  }
}
