package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DescribeParametersRequest;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterStringFilter;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ParametersFilter;
import software.amazon.awssdk.services.ssm.model.Tag;

/** GetParametersByPath and DescribeParameters: hierarchy, filters, pagination. */
class SsmListingIT {
  private static BackendFixture shunt;
  private static SsmClient ssm;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    ssm = shunt.ssm();
    put("/app/db/user", "app", ParameterType.STRING, null);
    put("/app/db/password", "pw", ParameterType.SECURE_STRING, "team-a");
    put("/app/db/replica/host", "r", ParameterType.STRING, null);
    put("/app/url", "http", ParameterType.STRING, "team-b");
    put("/app/hosts", "a,b", ParameterType.STRING_LIST, null);
    put("/other/x", "x", ParameterType.STRING, null);
    put("plain", "p", ParameterType.STRING, null);
    ssm.putParameter(r -> r.name("/app/big").value("z".repeat(5000)).type(ParameterType.STRING)
        .tier(ParameterTier.ADVANCED));
    ssm.labelParameterVersion(r -> r.name("/app/url").labels("live"));
    for (int i = 0; i < 25; i++) {
      int n = i;
      put(String.format("/many/p%02d", n), "v" + n, ParameterType.STRING, null);
    }
  }

  private static void put(String name, String value, ParameterType type, String team) {
    ssm.putParameter(r -> {
      r.name(name).value(value).type(type);
      if (team != null) {
        r.tags(Tag.builder().key("team").value(team).build());
      }
    });
  }

  @AfterAll
  static void stop() {
    ssm.close();
    shunt.close();
  }

  private static List<String> byPath(GetParametersByPathRequest.Builder request) {
    return ssm.getParametersByPathPaginator(request.build()).stream().flatMap(page -> page.parameters().stream()).map(Parameter::name).toList();
  }

  private static List<String> describe(DescribeParametersRequest.Builder request) {
    return ssm.describeParametersPaginator(request.build()).stream().flatMap(page -> page.parameters().stream()).map(ParameterMetadata::name)
        .toList();
  }

  private static ParameterStringFilter filter(String key, String option, String... values) {
    return ParameterStringFilter.builder().key(key).option(option).values(values).build();
  }

  @Test
  void oneLevelOrRecursive() {
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app")))
        .containsExactly("/app/big", "/app/hosts", "/app/url");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app/")))
        .containsExactly("/app/big", "/app/hosts", "/app/url");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app").recursive(true)))
        .containsExactly("/app/big", "/app/db/password", "/app/db/replica/host", "/app/db/user", "/app/hosts",
            "/app/url");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app/db"))).containsExactly("/app/db/password",
        "/app/db/user");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/nothing"))).isEmpty();
    // A one-level name is at the root with or without its slash (moto's describe Path "/" lists "foo").
    assertThat(byPath(GetParametersByPathRequest.builder().path("/").recursive(true))).hasSize(33)
        .contains("plain");
    expectError("ValidationException", () -> ssm.getParametersByPath(r -> r.path("app")));
  }

  @Test
  void valuesAreDecryptedOnlyWhenAsked() {
    List<Parameter> plain = ssm.getParametersByPath(r -> r.path("/app/db")).parameters();
    assertThat(plain).filteredOn(p -> p.name().equals("/app/db/password")).singleElement()
        .satisfies(p -> assertThat(p.value()).isNotEqualTo("pw"));
    List<Parameter> decrypted = ssm.getParametersByPath(r -> r.path("/app/db").withDecryption(true)).parameters();
    assertThat(decrypted).filteredOn(p -> p.name().equals("/app/db/password")).singleElement()
        .satisfies(p -> assertThat(p.value()).isEqualTo("pw"));
  }

  @Test
  void pagesHoldAtMostMaxResultsAndCoverEverythingOnce() {
    List<String> names = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String current = token;
      var page = ssm.getParametersByPath(r -> r.path("/many").maxResults(10).nextToken(current));
      assertThat(page.parameters()).hasSizeLessThanOrEqualTo(10);
      page.parameters().forEach(p -> names.add(p.name()));
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(3);
    assertThat(names).hasSize(25).doesNotHaveDuplicates().isSorted();
    expectError("ValidationException", () -> ssm.getParametersByPath(r -> r.path("/many").maxResults(11)));
    expectError("InvalidNextToken", () -> ssm.getParametersByPath(r -> r.path("/many").nextToken("%%%")));
  }

  @Test
  void byPathFilters() {
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app").recursive(true)
        .parameterFilters(filter("Type", "Equals", "SecureString")))).containsExactly("/app/db/password");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app").recursive(true)
        .parameterFilters(filter("tag:team", "Equals", "team-b")))).containsExactly("/app/url");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app").recursive(true)
        .parameterFilters(filter("Label", "Equals", "live")))).containsExactly("/app/url");
    assertThat(byPath(GetParametersByPathRequest.builder().path("/app").recursive(true)
        .parameterFilters(filter("KeyId", "Equals", "alias/aws/ssm")))).containsExactly("/app/db/password");
    expectError("InvalidFilterKey", () -> ssm.getParametersByPath(r -> r.path("/app")
        .parameterFilters(filter("Name", "Equals", "/app/url"))));
    expectError("InvalidFilterOption", () -> ssm.getParametersByPath(r -> r.path("/app")
        .parameterFilters(filter("Type", "BeginsWith", "String"))));
    expectError("InvalidFilterValue", () -> ssm.getParametersByPath(r -> r.path("/app")
        .parameterFilters(filter("Type", "Equals", "Number"))));
  }

  @Test
  void describeParametersFilters() {
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Name", "BeginsWith", "/app/db"))))
        .containsExactly("/app/db/password", "/app/db/replica/host", "/app/db/user");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Name", "Equals", "plain"))))
        .containsExactly("plain");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Name", "Contains", "replica"))))
        .containsExactly("/app/db/replica/host");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Path", "OneLevel", "/app/db"))))
        .containsExactly("/app/db/password", "/app/db/user");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Path", "Recursive", "/app/db"))))
        .containsExactly("/app/db/password", "/app/db/replica/host", "/app/db/user");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Tier", "Equals", "Advanced"))))
        .containsExactly("/app/big");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Type", "Equals", "StringList"))))
        .containsExactly("/app/hosts");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("DataType", "Equals", "text"))))
        .hasSize(33);
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("Label", "Equals", "live"))))
        .containsExactly("/app/url");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(filter("tag:team", "BeginsWith", "team"))))
        .containsExactly("/app/db/password", "/app/url");
    assertThat(describe(DescribeParametersRequest.builder().parameterFilters(
        filter("Path", "Recursive", "/app"), filter("Type", "Equals", "String")))).containsExactly("/app/big",
        "/app/db/replica/host", "/app/db/user", "/app/url");
    assertThat(describe(DescribeParametersRequest.builder().filters(ParametersFilter.builder().key("Type")
        .values("SecureString").build()))).containsExactly("/app/db/password");

    expectError("ValidationException", () -> ssm.describeParameters(r -> r
        .filters(ParametersFilter.builder().key("Type").values("String").build())
        .parameterFilters(filter("Type", "Equals", "String"))));
    expectError("InvalidFilterOption", () -> ssm.describeParameters(r -> r.parameterFilters(
        filter("Path", "Equals", "/app"))));
    expectError("ValidationException", () -> ssm.describeParameters(r -> r.parameterFilters(
        filter("Path", "Recursive", "app"))));
    expectError("InvalidFilterValue", () -> ssm.describeParameters(r -> r.parameterFilters(
        filter("Tier", "Equals", "Gold"))));
  }

  @Test
  void describeParametersPagesAndShowsMetadata() {
    List<String> all = describe(DescribeParametersRequest.builder().maxResults(7));
    // In key order, where "plain" sorts as "/plain".
    assertThat(all).hasSize(33).doesNotHaveDuplicates()
        .isSortedAccordingTo(java.util.Comparator.comparing(ParameterNames::key));
    ParameterMetadata url = ssm.describeParameters(r -> r.parameterFilters(filter("Name", "Equals", "/app/url")))
        .parameters().get(0);
    assertThat(url.arn()).isEqualTo("arn:aws:ssm:us-east-1:000000000000:parameter/app/url");
    assertThat(url.type()).isEqualTo(ParameterType.STRING);
    assertThat(url.version()).isEqualTo(1);
    assertThat(url.tier()).isEqualTo(ParameterTier.STANDARD);
    assertThat(url.lastModifiedUser()).isEqualTo("arn:aws:iam::000000000000:root");
    expectError("ValidationException", () -> ssm.describeParameters(r -> r.maxResults(51)));
  }
}
