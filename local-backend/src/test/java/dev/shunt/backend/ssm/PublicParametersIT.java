package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathRequest;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * AWS's public parameters, which applications read at start-up (the Regions a service is in, the
 * latest Amazon Linux AMI): every account reads them, nobody writes them. What AWS returns for
 * them (type String, data type text, an ARN without an account) follows AWS's answers as
 * recorded by getmoto/moto's resources, e.g. {@code arn:aws:ssm:us-east-1::parameter/aws/service/...}.
 */
class PublicParametersIT extends BackendTest {
  private static final String REGIONS = "/aws/service/global-infrastructure/regions";
  private static final String AL2023 = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64";

  @Test
  void aRegionsLongNameIsReadInEveryAccountAndRegionWithAnArnThatNamesNoAccount() {
    try (SsmClient other = shunt.ssm("123456789012", Region.EU_WEST_1)) {
      for (SsmClient client : List.of(ssm, other)) {
        Parameter longName = client.getParameter(r -> r.name(REGIONS + "/us-east-1/longName")).parameter();
        assertThat(longName.value()).isEqualTo("US East (N. Virginia)");
        assertThat(longName.type()).isEqualTo(ParameterType.STRING);
        assertThat(longName.dataType()).isEqualTo("text");
        assertThat(longName.version()).isEqualTo(1);
        assertThat(longName.lastModifiedDate()).isNotNull();
      }
      assertThat(other.getParameter(r -> r.name(REGIONS + "/us-east-1/longName")).parameter().arn())
          .isEqualTo("arn:aws:ssm:eu-west-1::parameter" + REGIONS + "/us-east-1/longName");
      assertThat(other.getParameter(r -> r.name(REGIONS + "/cn-north-1/partition")).parameter().value())
          .isEqualTo("aws-cn");
      assertThat(other.getParameter(r -> r.name(REGIONS + "/cn-north-1/domain")).parameter().value())
          .isEqualTo("amazonaws.com.cn");
    }
  }

  @Test
  void theRegionsAreTheSdksRegions() {
    List<Parameter> regions = all(GetParametersByPathRequest.builder().path(REGIONS).build());
    Set<String> names = regions.stream().map(Parameter::value).collect(Collectors.toCollection(TreeSet::new));
    Set<String> sdk = Region.regions().stream().map(Region::id)
        .filter(id -> !id.endsWith("-global") && !id.contains("fips")).collect(Collectors.toCollection(TreeSet::new));
    assertThat(names).isEqualTo(sdk);
    assertThat(regions).allSatisfy(region -> assertThat(region.name()).isEqualTo(REGIONS + "/" + region.value()));
  }

  @Test
  void theRegionsOfAServiceAreTheSdksEndpointsForIt() {
    Set<String> kmsRegions = all(GetParametersByPathRequest.builder()
        .path("/aws/service/global-infrastructure/services/kms/regions").build())
        .stream().map(Parameter::value).collect(Collectors.toCollection(TreeSet::new));
    Set<String> sdk = KmsClient.serviceMetadata().regions().stream().map(Region::id)
        .filter(id -> !id.contains("fips") && !id.endsWith("-global") && !id.equals("ProdFips"))
        .collect(Collectors.toCollection(TreeSet::new));
    assertThat(kmsRegions).contains("us-east-1", "eu-west-1", "cn-north-1").isEqualTo(sdk);
    assertThat(ssm.getParameter(r -> r.name(REGIONS + "/eu-west-1/services/secretsmanager")).parameter().value())
        .isEqualTo("secretsmanager");
  }

  @Test
  void oneRegionRecursivelyHasItsFactsAndServices() {
    List<Parameter> usEast1 = all(GetParametersByPathRequest.builder().path(REGIONS + "/us-east-1").recursive(true)
        .build());
    List<String> names = usEast1.stream().map(Parameter::name).toList();
    assertThat(names).contains(REGIONS + "/us-east-1/longName", REGIONS + "/us-east-1/partition",
        REGIONS + "/us-east-1/domain", REGIONS + "/us-east-1/services/kms", REGIONS + "/us-east-1/services/ssm")
        .isSorted().doesNotHaveDuplicates();
    // One level only without Recursive: the facts and no service (they sit a level deeper).
    List<String> oneLevel = all(GetParametersByPathRequest.builder().path(REGIONS + "/us-east-1").build())
        .stream().map(Parameter::name).toList();
    assertThat(oneLevel).containsExactly(REGIONS + "/us-east-1/domain", REGIONS + "/us-east-1/longName",
        REGIONS + "/us-east-1/partition");
  }

  @Test
  void theLatestAmazonLinuxAmiIsAWellFormedFakeIdThatDiffersByRegion() {
    String here = ssm.getParameter(r -> r.name(AL2023)).parameter().value();
    String again = ssm.getParameter(r -> r.name(AL2023)).parameter().value();
    String there;
    try (SsmClient frankfurt = shunt.ssm("AKIDTEST", Region.EU_CENTRAL_1)) {
      there = frankfurt.getParameter(r -> r.name(AL2023)).parameter().value();
    }
    assertThat(here).matches("ami-[0-9a-f]{17}").isEqualTo(again).isNotEqualTo(there);
    assertThat(there).matches("ami-[0-9a-f]{17}");

    List<Parameter> amis = all(GetParametersByPathRequest.builder().path("/aws/service/ami-amazon-linux-latest")
        .maxResults(10).build());
    assertThat(amis).hasSize(45).extracting(Parameter::name).contains(AL2023,
        "/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2");
    assertThat(amis).allSatisfy(ami -> assertThat(ami.value()).matches("ami-[0-9a-f]{17}"));
  }

  @Test
  void aVersionSelectorNamesItsOneVersion() {
    Parameter latest = ssm.getParameter(r -> r.name(AL2023)).parameter();
    assertThat(ssm.getParameter(r -> r.name(AL2023 + ":" + latest.version())).parameter().value())
        .isEqualTo(latest.value());
    expectError("ParameterVersionNotFound", () -> ssm.getParameter(r -> r.name(AL2023 + ":" + (latest.version() + 1))));
    expectError("ParameterVersionNotFound", () -> ssm.getParameter(r -> r.name(AL2023 + ":some-label")));
  }

  @Test
  void getParametersMixesPublicOwnAndUnknownNames() {
    ssm.putParameter(r -> r.name("/app/mine").value("v").type(ParameterType.STRING));
    var answer = ssm.getParameters(r -> r.names(REGIONS + "/eu-west-1/longName", "/app/mine",
        "/aws/service/no-such/parameter"));
    assertThat(answer.parameters()).extracting(Parameter::value).containsExactlyInAnyOrder("Europe (Ireland)", "v");
    assertThat(answer.invalidParameters()).containsExactly("/aws/service/no-such/parameter");
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/aws/service/no-such/parameter")));
  }

  @Test
  void nobodyWritesThemAndTheyAreNotAnAccountsOwn() {
    // AWS's answer for a name under /aws: "No access to reserved parameter name" (see SsmNameRulesIT).
    expectError("AccessDeniedException", () -> ssm.putParameter(r -> r.name(REGIONS + "/us-east-1/longName")
        .value("Elsewhere").type(ParameterType.STRING).overwrite(true)));
    assertThat(ssm.getParameter(r -> r.name(REGIONS + "/us-east-1/longName")).parameter().value())
        .isEqualTo("US East (N. Virginia)");
    expectError("AccessDeniedException", () -> ssm.deleteParameter(r -> r.name(REGIONS + "/us-east-1/longName")));
    assertThat(ssm.describeParameters(r -> { }).parameters()).isEmpty();
    assertThat(ssm.getParametersByPath(r -> r.path("/").recursive(true)).parameters()).isEmpty();
  }

  /** Every page of a GetParametersByPath. */
  private static List<Parameter> all(GetParametersByPathRequest first) {
    List<Parameter> all = new ArrayList<>();
    ssm.getParametersByPathPaginator(first).forEach(page -> all.addAll(page.parameters()));
    return all;
  }
}
