package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.shunt.backend.BackendTest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.ssm.model.DescribeParametersResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterMetadata;
import software.amazon.awssdk.services.ssm.model.ParameterStringFilter;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ParametersFilter;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Parameter names, paths and filters as AWS answers them, where suites recorded against AWS
 * differ from a naive reading of the API reference. Each test says which recording it follows.
 */
class SsmNameRulesIT extends BackendTest {
  private static final String ACCOUNT_ARN = "arn:aws:ssm:us-east-1:000000000000:parameter";
  /** AWS's text, with the backslashes it leaves before the quotes around aws and ssm. */
  private static final String INVALID_PATH = "The parameter doesn't meet the parameter name requirements. The "
      + "parameter name must begin with a forward slash \"/\". It can't be prefixed with \\\"aws\\\" or \\\"ssm\\\" "
      + "(case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), "
      + "_ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward "
      + "slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.";
  private static final String INVALID_NAME = "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). "
      + "If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a "
      + "mix of letters, numbers and the following 3 symbols .-_";

  private static void put(String name) {
    ssm.putParameter(r -> r.name(name).value("value").type(ParameterType.STRING));
  }

  private static ParameterStringFilter filter(String key, String option, String... values) {
    return ParameterStringFilter.builder().key(key).option(option).values(values).build();
  }

  /**
   * Sources: moto's aws-verified test_parameter_lifecycle_with_leading_slash and
   * test_list_parameter_tags_created_with_leading_slash (get, get-parameters, delete and tags
   * through the other form; one ARN); the AWS user guide's name constraints ("/TestParam1" and
   * "TestParam1" are not unique); localstack's aws-validated test_put_parameters (a read answers
   * with the name as asked). Listings show the name as created (moto's
   * test_describe_parameters_with_parameter_filters_name).
   */
  @ParameterizedTest
  @ValueSource(strings = {"/with-slash", "without-slash"})
  void aNameWithAndWithoutItsLeadingSlashIsOneParameter(String created) {
    String other = created.startsWith("/") ? created.substring(1) : "/" + created;
    String arn = ACCOUNT_ARN + "/" + created.replace("/", "");
    put(created);

    Parameter byOther = ssm.getParameter(r -> r.name(other)).parameter();
    assertThat(byOther.arn()).isEqualTo(arn);
    assertThat(byOther.name()).isEqualTo(other);
    assertThat(ssm.getParameter(r -> r.name(created)).parameter().name()).isEqualTo(created);
    assertThat(ssm.getParameters(r -> r.names(other)).parameters()).extracting(Parameter::name, Parameter::arn)
        .containsExactly(tuple(other, arn));

    expectError("ParameterAlreadyExists", () -> put(other));
    assertThat(ssm.putParameter(r -> r.name(other).value("second").overwrite(true)).version()).isEqualTo(2);
    assertThat(ssm.getParameterHistory(r -> r.name(other)).parameters()).extracting(ParameterHistory::value)
        .containsExactly("value", "second");
    ssm.labelParameterVersion(r -> r.name(other).parameterVersion(1L).labels("first"));
    assertThat(ssm.getParameter(r -> r.name(created + ":first")).parameter().value()).isEqualTo("value");
    assertThat(ssm.unlabelParameterVersion(r -> r.name(other).parameterVersion(1L).labels("first"))
        .removedLabels()).containsExactly("first");

    ssm.addTagsToResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId(other)
        .tags(Tag.builder().key("a").value("1").build()));
    ssm.addTagsToResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId(created)
        .tags(Tag.builder().key("b").value("2").build()));
    for (String id : List.of(created, other)) {
      assertThat(ssm.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId(id))
          .tagList()).extracting(Tag::key).containsExactlyInAnyOrder("a", "b");
    }
    ssm.removeTagsFromResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId(other).tagKeys("b"));
    assertThat(ssm.listTagsForResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId(created))
        .tagList()).extracting(Tag::key).containsExactly("a");

    for (String asked : List.of(created, other)) {
      assertThat(ssm.describeParameters(r -> r.parameterFilters(filter("Name", "Equals", asked))).parameters())
          .extracting(ParameterMetadata::name, ParameterMetadata::arn)
          .containsExactly(tuple(created, arn));
    }

    ssm.deleteParameter(r -> r.name(other));
    assertThat(ssm.getParameters(r -> r.names(created, other)).parameters()).isEmpty();
    put(created);
    assertThat(ssm.deleteParameters(r -> r.names(other)).deletedParameters()).containsExactly(other);
    assertThat(ssm.getParameters(r -> r.names(created)).invalidParameters()).containsExactly(created);
  }

  /**
   * A one-level name sits at the root of the hierarchy with or without its slash: GetParametersByPath
   * "/" and DescribeParameters' Path filter "/" list "foo" (moto's
   * test_describe_parameters_with_parameter_filters_path; sivchari/kumo#386 citing the AWS user guide).
   */
  @Test
  void theRootPathListsOneLevelNamesWithOrWithoutTheirSlash() {
    put("plain");
    put("/rooted");
    put("/deep/er");
    assertThat(ssm.getParametersByPath(r -> r.path("/")).parameters()).extracting(Parameter::name)
        .containsExactlyInAnyOrder("plain", "/rooted");
    assertThat(ssm.describeParameters(r -> r.parameterFilters(filter("Path", "OneLevel", "/"))).parameters())
        .extracting(ParameterMetadata::name).containsExactlyInAnyOrder("plain", "/rooted");
    assertThat(ssm.describeParameters(r -> r.parameterFilters(filter("Name", "BeginsWith", "pla"))).parameters())
        .extracting(ParameterMetadata::name).containsExactly("plain");
    assertThat(ssm.describeParameters(r -> r.parameterFilters(filter("Name", "Contains", "/pla"))).parameters())
        .extracting(ParameterMetadata::name).containsExactly("plain");
  }

  /** moto's test_describe_parameters_paging: 10 a page without MaxResults; the model bounds MaxResults to 1..50. */
  @Test
  void describeParametersPagesByTenWithoutMaxResults() {
    for (int i = 0; i < 25; i++) {
      put(String.format("/p/%02d", i));
    }
    DescribeParametersResponse first = ssm.describeParameters(r -> { });
    assertThat(first.parameters()).hasSize(10);
    assertThat(first.nextToken()).isNotNull();
    DescribeParametersResponse second = ssm.describeParameters(r -> r.nextToken(first.nextToken()));
    assertThat(second.parameters()).hasSize(10);
    assertThat(ssm.describeParameters(r -> r.maxResults(50)).parameters()).hasSize(25);
    expectError("ValidationException", () -> ssm.describeParameters(r -> r.maxResults(51)));
    expectError("ValidationException", () -> ssm.describeParameters(r -> r.maxResults(0)));
  }

  /**
   * moto's test_describe_parameters_invalid_parameter_filters ("The following filter is duplicated in
   * the request") and test_describe_parameters_needs_param (Filters with ParameterFilters).
   */
  @Test
  void aFilterKeyGivenTwiceIsRefused() {
    var twice = expectError("InvalidFilterKey", () -> ssm.describeParameters(r -> r.parameterFilters(
        filter("Name", "Equals", "test"), filter("Name", "Equals", "test test"))));
    assertThat(message(twice)).isEqualTo("The following filter is duplicated in the request: Name. A request can "
        + "contain only one occurrence of a specific filter.");
    var legacy = expectError("InvalidFilterKey", () -> ssm.describeParameters(r -> r.filters(
        ParametersFilter.builder().key("Name").values("a").build(),
        ParametersFilter.builder().key("Name").values("b").build())));
    assertThat(message(legacy)).startsWith("The following filter is duplicated in the request: Name.");
    var byPath = expectError("InvalidFilterKey", () -> ssm.getParametersByPath(r -> r.path("/p").parameterFilters(
        filter("Type", "Equals", "String"), filter("Type", "Equals", "SecureString"))));
    assertThat(message(byPath)).startsWith("The following filter is duplicated in the request: Type.");
    var both = expectError("ValidationException", () -> ssm.describeParameters(r -> r
        .filters(ParametersFilter.builder().key("Name").values("test").build())
        .parameterFilters(filter("Name", "Equals", "test"))));
    assertThat(message(both)).isEqualTo("You can use either Filters or ParameterFilters in a single request.");
  }

  /**
   * "aws" names are AWS's: PutParameter and DeleteParameter answer AccessDeniedException (recorded:
   * aws-solutions/quota-monitor-for-aws#30 "awslimitschecker", awslabs/aws-deployment-framework#119
   * DeleteParameter "aws-cdk-playground"; moto's test_put_parameter_invalid_names for paths). "ssm"
   * names get the name rules' ValidationException (recorded message, see {@link SsmErrors#INVALID_NAME}).
   * Reads under /aws are not refused: AWS serves its public parameters and Secrets Manager references there.
   */
  @Test
  void namesUnderAwsAreReservedAndSsmNamesAreInvalid() {
    for (String name : List.of("awslimitschecker", "/aws/mine", "/aws_test/path/to/var", "/AWS/PATH/TO/VAR")) {
      var reserved = expectError("AccessDeniedException", 400, () -> put(name));
      assertThat(message(reserved)).isEqualTo("No access to reserved parameter name: " + name + ".");
    }
    var delete = expectError("AccessDeniedException", () -> ssm.deleteParameter(r -> r.name("aws-cdk-playground")));
    assertThat(message(delete)).isEqualTo("No access to reserved parameter name: aws-cdk-playground.");
    for (String name : List.of("ssm_test", "SSM-x", "/ssm_test/path/to/var", "/SSM/PATH/TO/VAR")) {
      var invalid = expectError("ValidationException", () -> put(name));
      assertThat(message(invalid)).as(name).isEqualTo(INVALID_NAME);
    }
    expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/aws/service/shunt-test/none")));
    assertThat(ssm.getParametersByPath(r -> r.path("/aws/service/shunt-test")).parameters()).isEmpty();
  }

  /**
   * GetParametersByPath's Path: AWS's message recorded in aws-samples/resource-autotagger#1 and
   * pahud/cdk-remote-stack#605 (a path without its slash); moto's test_describe_parameters_invalid_path
   * gives the same for "/###", "//" and "test" in DescribeParameters' Path filter, and refuses
   * /aws and /ssm there with its own message. A trailing slash is the same path ("/foo/" in moto's tests).
   */
  @Test
  void malformedPathsGetAwsValidationErrors() {
    put("/foo/name");
    for (String path : List.of("some-parameter", "//", "/###", "/a//b", "/a b")) {
      var error = expectError("ValidationException", () -> ssm.getParametersByPath(r -> r.path(path)));
      assertThat(message(error)).as(path).isEqualTo(INVALID_PATH);
      var filter = expectError("ValidationException", () -> ssm.describeParameters(r -> r.parameterFilters(
          filter("Path", "Recursive", path))));
      assertThat(message(filter)).as(path).isEqualTo(INVALID_PATH);
    }
    assertThat(ssm.getParametersByPath(r -> r.path("/foo/")).parameters()).extracting(Parameter::name)
        .containsExactly("/foo/name");
    assertThat(ssm.describeParameters(r -> r.parameterFilters(filter("Path", "OneLevel", "/foo/"))).parameters())
        .extracting(ParameterMetadata::name).containsExactly("/foo/name");
    String sixteen = "/l".repeat(16);
    expectError("HierarchyLevelLimitExceededException", () -> ssm.getParametersByPath(r -> r.path(sixteen)));
    expectError("HierarchyLevelLimitExceededException", () -> put(sixteen));

    for (String path : List.of("/aws", "/ssm/x", "/AWS/service")) {
      var common = expectError("ValidationException", () -> ssm.describeParameters(r -> r.parameterFilters(
          filter("Path", "OneLevel", path))));
      assertThat(message(common)).isEqualTo("Filters for common parameters can't be prefixed with \"aws\" or \"ssm\" "
          + "(case-insensitive). When using global parameters, please specify within a global namespace.");
    }
    for (String name : List.of("/a//b", "/a/b/", "/###")) {
      var error = expectError("ValidationException", () -> put(name));
      assertThat(message(error)).as(name).isEqualTo(INVALID_NAME);
    }
  }

  /**
   * GetParameter checks the name's characters and slashes before looking: "a/b/c" and "/a//b//c"
   * (localstack's aws-validated test_hierarchical_parameter) and "{test}-test"
   * (localstack/localstack#7712, recorded against AWS) are ValidationException, not ParameterNotFound.
   */
  @Test
  void getParameterRefusesMalformedNames() {
    put("/a/b/c");
    for (String name : List.of("a/b/c", "/a//b//c", "{test}-test")) {
      var error = expectError("ValidationException", () -> ssm.getParameter(r -> r.name(name)));
      assertThat(message(error)).as(name).isEqualTo(INVALID_NAME);
    }
  }
}
