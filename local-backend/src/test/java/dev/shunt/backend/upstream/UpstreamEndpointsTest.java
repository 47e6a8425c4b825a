package dev.shunt.backend.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamEndpointsTest {

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "\t"})
  void nothingIsProxiedWithoutAnOption(String spec) {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse(spec);

    assertThat(endpoints.isEmpty()).isTrue();
    assertThat(endpoints.proxies("kms")).isFalse();
    assertThat(endpoints.proxies("secretsmanager")).isFalse();
    assertThat(endpoints.proxies("ssm")).isFalse();
    assertThatThrownBy(() -> endpoints.endpoint("kms", "us-east-1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("upstream: ");
  }

  @Test
  void onlyTheNamedServicesAreProxied() {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse("kms=http://127.0.0.1:4599, ssm = https://ssm.example.com/");

    assertThat(endpoints.isEmpty()).isFalse();
    assertThat(endpoints.proxies("kms")).isTrue();
    assertThat(endpoints.proxies("ssm")).isTrue();
    assertThat(endpoints.proxies("secretsmanager")).isFalse();
    assertThat(endpoints.proxies("sts")).isFalse();
    assertThat(endpoints.proxies(null)).isFalse();
    assertThat(endpoints.endpoint("kms", "eu-west-1")).isEqualTo(URI.create("http://127.0.0.1:4599"));
    assertThat(endpoints.endpoint("ssm", "eu-west-1")).isEqualTo(URI.create("https://ssm.example.com"));
  }

  @Test
  void theRegionPlaceholderTakesTheCallersRegion() {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse("secretsmanager=https://proxy-{region}.example.com:8443");

    assertThat(endpoints.endpoint("secretsmanager", "ap-southeast-2"))
        .isEqualTo(URI.create("https://proxy-ap-southeast-2.example.com:8443"));
    assertThat(endpoints.endpoint("secretsmanager", "us-west-2"))
        .isEqualTo(URI.create("https://proxy-us-west-2.example.com:8443"));
  }

  @ParameterizedTest
  @CsvSource({
      "kms, us-east-1, https://kms.us-east-1.amazonaws.com",
      "secretsmanager, eu-central-1, https://secretsmanager.eu-central-1.amazonaws.com",
      "ssm, ap-northeast-1, https://ssm.ap-northeast-1.amazonaws.com",
      "kms, cn-north-1, https://kms.cn-north-1.amazonaws.com.cn",
  })
  void awsMeansTheServicesRegionalEndpoint(String service, String region, String expected) {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse("all=aws");

    assertThat(endpoints.endpoint(service, region)).isEqualTo(URI.create(expected));
  }

  @Test
  void allCoversEveryServiceNotNamedOtherwise() {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse("all=http://{service}.{region}.upstream.test:8080,kms=AWS");

    assertThat(endpoints.proxies("kms")).isTrue();
    assertThat(endpoints.proxies("secretsmanager")).isTrue();
    assertThat(endpoints.proxies("ssm")).isTrue();
    assertThat(endpoints.endpoint("kms", "us-east-2")).isEqualTo(URI.create("https://kms.us-east-2.amazonaws.com"));
    assertThat(endpoints.endpoint("ssm", "us-east-2"))
        .isEqualTo(URI.create("http://ssm.us-east-2.upstream.test:8080"));
    assertThat(endpoints.endpoint("secretsmanager", "eu-west-3"))
        .isEqualTo(URI.create("http://secretsmanager.eu-west-3.upstream.test:8080"));
  }

  @Test
  void theOrderOfAllAndAnOverrideDoesNotMatter() {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse("ssm=http://localhost:9000,all=aws");

    assertThat(endpoints.endpoint("ssm", "us-east-1")).isEqualTo(URI.create("http://localhost:9000"));
    assertThat(endpoints.endpoint("kms", "us-east-1")).isEqualTo(URI.create("https://kms.us-east-1.amazonaws.com"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "sts=aws                                  | unknown service 'sts'",
      "=http://localhost:1                      | unknown service ''",
      "kms                                      | 'kms' has no URL",
      "kms=                                     | 'kms=' has no URL",
      "kms=aws,kms=http://localhost:1           | kms is named twice",
      "all=aws,ALL=aws                          | all is named twice",
      "kms=ftp://host.example.com               | 'kms=ftp://host.example.com' is not an http(s) URL",
      "kms=localhost:4566                       | 'kms=localhost:4566' is not an http(s) URL",
      "kms=http://localhost:4566?x=1            | 'kms=http://localhost:4566?x=1' has a query or fragment",
      "kms=http://localhost:4566#top            | 'kms=http://localhost:4566#top' has a query or fragment",
      "kms=http://user:pw@localhost:4566        | 'kms=http://user:pw@localhost:4566' carries user information",
      "kms=http://localhost:4566/kms            | 'kms=http://localhost:4566/kms' has a path",
      "kms=http://{zone}.example.com            | 'kms=http://{zone}.example.com' is not a URL",
      "kms=http:///nohost                       | 'kms=http:///nohost' names no host",
      "kms=aws,,ssm=aws                         | an empty entry",
  })
  void aBadEntryIsRefusedByName(String spec, String message) {
    assertThatThrownBy(() -> UpstreamEndpoints.parse(spec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("upstream: ")
        .hasMessageContaining(message);
  }

  @Test
  void aServiceNotProxiedHasNoEndpoint() {
    UpstreamEndpoints endpoints = UpstreamEndpoints.parse("kms=aws");

    assertThatThrownBy(() -> endpoints.endpoint("ssm", "us-east-1"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("upstream: ssm is not proxied");
  }
}
