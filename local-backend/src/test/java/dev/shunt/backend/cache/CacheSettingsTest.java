package dev.shunt.backend.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.config.Durations;
import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.core.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class CacheSettingsTest {
  private static CacheSettings settings(Map<String, String> given) {
    return CacheSettings.fromOptions(ShuntOptions.resolve(given, new Properties(), Map.of()));
  }

  @Test
  void everyCacheIsOffUnlessAskedFor() {
    CacheSettings defaults = settings(Map.of());
    assertThat(defaults.dataKeys()).isFalse();
    assertThat(List.of(defaults.decryptTtl(), defaults.secretTtl(), defaults.parameterTtl())).containsOnly(Duration.ZERO);
    assertThat(defaults.dataKeyMaxAge()).isEqualTo(Duration.ofSeconds(300));
    assertThat(defaults.dataKeyMaxUses()).isEqualTo(1L << 32);
  }

  @Test
  void onMeansTheDefaultTtlAndTimesTakeUnits() {
    CacheSettings on = settings(Map.of("secret-cache-ttl", "on", "parameter-cache-ttl", "1.5m",
        "decrypt-cache-ttl", "500ms", "data-key-cache", "ON"));
    assertThat(on.secretTtl()).isEqualTo(Duration.ofSeconds(300));
    assertThat(on.parameterTtl()).isEqualTo(Duration.ofSeconds(90));
    assertThat(on.decryptTtl()).isEqualTo(Duration.ofMillis(500));
    assertThat(on.dataKeys()).isTrue();
  }

  @Test
  void malformedValuesAreRefusedNamingTheOption() {
    assertThatThrownBy(() -> settings(Map.of("data-key-cache", "yes please")))
        .hasMessageContaining("data-key-cache must be on or off");
    assertThatThrownBy(() -> settings(Map.of("secret-cache-ttl", "-1"))).hasMessageStartingWith("secret-cache-ttl");
    assertThatThrownBy(() -> settings(Map.of("parameter-cache-ttl", "25h"))).hasMessageStartingWith("parameter-cache-ttl");
    assertThatThrownBy(() -> settings(Map.of("decrypt-cache-ttl", "1e400"))).hasMessageStartingWith("decrypt-cache-ttl");
    assertThatThrownBy(() -> settings(Map.of("data-key-cache-max-uses", "0"))).hasMessageContaining("at least 1");
    assertThatThrownBy(() -> settings(Map.of("data-key-cache-max-age", "0"))).hasMessageContaining("more than 0");
    assertThatThrownBy(() -> settings(Map.of("cache-max-entries", "0"))).hasMessageContaining("cache-max-entries");
    assertThatThrownBy(() -> Durations.parse("x", "ten")).hasMessageContaining("not 'ten'");
  }

  @Test
  void aCanonicalInputIgnoresMemberOrderAndCannotBeForgedAcrossBoundaries() throws Exception {
    StringBuilder a = new StringBuilder();
    CanonicalJson.append(a, Json.readTree("{\"b\":{\"y\":\"2\",\"x\":\"1\"},\"a\":[1,true]}"), null);
    StringBuilder b = new StringBuilder();
    CanonicalJson.append(b, Json.readTree("{\"a\":[1,true],\"b\":{\"x\":\"1\",\"y\":\"2\"}}"), null);
    assertThat(a.toString()).isEqualTo(b.toString());
    StringBuilder c = new StringBuilder();
    CanonicalJson.append(c, (ObjectNode) Json.readTree("{\"k\":\"a\\\"b\"}"), null);
    StringBuilder d = new StringBuilder();
    CanonicalJson.append(d, (ObjectNode) Json.readTree("{\"k\":\"a\",\"b\":\"\"}"), null);
    assertThat(c.toString()).isNotEqualTo(d.toString());
  }

  @Test
  void aParameterIsTaggedAsTheOneParameterItsNameMeans() {
    assertThat(dev.shunt.backend.ssm.ParameterNames.identity("/app/url:3")).isEqualTo("/app/url");
    assertThat(dev.shunt.backend.ssm.ParameterNames.identity("arn:aws:ssm:us-east-1:111122223333:parameter/app/url"))
        .isEqualTo("/app/url");
    assertThat(dev.shunt.backend.ssm.ParameterNames.identity("arn:aws:ssm:us-east-1:111122223333:parameter/plain:label"))
        .isEqualTo("/plain");
    assertThat(dev.shunt.backend.ssm.ParameterNames.identity("plain"))
        .isEqualTo(dev.shunt.backend.ssm.ParameterNames.identity("/plain"));
  }
}
