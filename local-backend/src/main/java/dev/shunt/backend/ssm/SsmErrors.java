package dev.shunt.backend.ssm;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;

/** SSM Parameter Store's errors, with the messages SSM gives (several of which are empty, as in AWS). */
final class SsmErrors {
  /**
   * The name rules' message as AWS gives it, for every broken rule (characters, slashes, "ssm"):
   * it names only "ssm" (recorded against AWS in boto/boto3#1499, aws/aws-sdk-php#1952,
   * localstack/localstack#7712; localstack matches it as AWS's).
   */
  static final String INVALID_NAME = "Parameter name: can't be prefixed with \"ssm\" (case-insensitive). "
      + "If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a "
      + "mix of letters, numbers and the following 3 symbols .-_";

  /**
   * GetParametersByPath's message for a path that breaks the rules, as AWS gives it, with the
   * backslashes AWS leaves before the quotes around aws and ssm (recorded in
   * aws-samples/resource-autotagger#1 and pahud/cdk-remote-stack#605); moto gives the same text
   * for DescribeParameters' Path filter.
   */
  static final String INVALID_PATH = "The parameter doesn't meet the parameter name requirements. The parameter name "
      + "must begin with a forward slash \"/\". It can't be prefixed with \\\"aws\\\" or \\\"ssm\\\" (case-insensitive). "
      + "It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). "
      + "Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". "
      + "Valid example: /get/parameters2-/by1./path0_.";

  /** DescribeParameters' Path filter under /aws or /ssm (moto, whose messages were copied from AWS). */
  static final String COMMON_PATH_FILTER = "Filters for common parameters can't be prefixed with \"aws\" or \"ssm\" "
      + "(case-insensitive). When using global parameters, please specify within a global namespace.";

  private SsmErrors() {}

  static AwsException parameterNotFound() {
    return new AwsException("ParameterNotFound", null);
  }

  static AwsException versionNotFound(String name, String selector) {
    return new AwsException("ParameterVersionNotFound", "Systems Manager could not find version " + selector
        + " of " + name + ". Verify the version and try again.");
  }

  static AwsException alreadyExists() {
    return new AwsException("ParameterAlreadyExists",
        "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
  }

  static AwsException invalidName() {
    return CommonErrors.validation(INVALID_NAME);
  }

  static AwsException invalidPath() {
    return CommonErrors.validation(INVALID_PATH);
  }

  /** Creating or deleting a name under AWS's reserved "aws" prefix. */
  static AwsException reservedName(String name) {
    return new AwsException("AccessDeniedException", "No access to reserved parameter name: " + name + ".");
  }

  static AwsException hierarchyTooDeep() {
    return new AwsException("HierarchyLevelLimitExceededException",
        "A hierarchy can have a maximum of 15 levels. For more information, see About requirements and "
            + "constraints for parameter names in the AWS Systems Manager User Guide.");
  }

  static AwsException hierarchyTypeMismatch(String from, String to) {
    return new AwsException("HierarchyTypeMismatchException", "The parameter type can't be changed from " + from
        + " to " + to + ". Parameter Store doesn't support changing a parameter type in a hierarchy.");
  }

  static AwsException limitExceeded(String message) {
    return new AwsException("ParameterLimitExceeded", message);
  }

  static AwsException maxVersions(String name, long oldest) {
    return new AwsException("ParameterMaxVersionLimitExceeded", "You attempted to create a new version of " + name
        + " by calling the PutParameter API with the overwrite flag. Version " + oldest + ", the oldest version, "
        + "can't be deleted because it has a label associated with it. Move the label to another version of the "
        + "parameter, and try again.");
  }

  static AwsException invalidKeyId(String message) {
    return new AwsException("InvalidKeyId", message);
  }

  static AwsException patternMismatch(String pattern) {
    return new AwsException("ParameterPatternMismatchException",
        "Parameter value, cannot be validated against allowedPattern: " + pattern);
  }

  static AwsException invalidAllowedPattern(String message) {
    return new AwsException("InvalidAllowedPatternException", message);
  }

  static AwsException labelLimit() {
    return new AwsException("ParameterVersionLabelLimitExceeded", "A parameter version can have maximum 10 labels."
        + "Move one or more labels to another version and try again.");
  }

  static AwsException invalidFilterKey(String message) {
    return new AwsException("InvalidFilterKey", message);
  }

  /** The same filter key twice in one request (moto's test_describe_parameters_invalid_parameter_filters). */
  static AwsException duplicateFilter(String key) {
    return invalidFilterKey("The following filter is duplicated in the request: " + key
        + ". A request can contain only one occurrence of a specific filter.");
  }

  static AwsException invalidFilterOption(String message) {
    return new AwsException("InvalidFilterOption", message);
  }

  static AwsException invalidFilterValue(String message) {
    return new AwsException("InvalidFilterValue", message);
  }

  static AwsException invalidNextToken() {
    return new AwsException("InvalidNextToken", "The specified token isn't valid.");
  }

  static AwsException invalidPolicyType(String message) {
    return new AwsException("InvalidPolicyTypeException", message);
  }

  static AwsException invalidPolicyAttribute(String message) {
    return new AwsException("InvalidPolicyAttributeException", message);
  }

  static AwsException incompatiblePolicy(String message) {
    return new AwsException("IncompatiblePolicyException", message);
  }

  static AwsException policiesLimit() {
    return new AwsException("PoliciesLimitExceededException", "You specified more than the maximum number of "
        + "allowed policies for the parameter. The maximum is 10.");
  }

  static AwsException settingNotFound(String id) {
    return new AwsException("ServiceSettingNotFound", "The service setting " + id + " was not found.");
  }

  static AwsException invalidResourceType(String type) {
    return new AwsException("InvalidResourceType", "Shunt supports tags on resource type Parameter only, not " + type);
  }

  static AwsException invalidResourceId() {
    return new AwsException("InvalidResourceId", null);
  }

  static AwsException tooManyTags() {
    return new AwsException("TooManyTagsError", "A parameter can have at most 50 tags.");
  }

  static AwsException unsupportedType(String message) {
    return new AwsException("UnsupportedParameterType", message);
  }

  // ---- resource policies -------------------------------------------------------------------

  static AwsException policyInvalidParameter(String message) {
    return new AwsException("ResourcePolicyInvalidParameterException", message);
  }

  static AwsException policyLimit(String message) {
    return new AwsException("ResourcePolicyLimitExceededException", message);
  }

  static AwsException policyConflict(String policyId) {
    return new AwsException("ResourcePolicyConflictException", "The PolicyHash given is not the current hash of the "
        + "policy " + policyId + ": it changed since you read it. Get the policies again and retry.");
  }

  static AwsException policyNotFound(String policyId) {
    return new AwsException("ResourcePolicyNotFoundException", "No policy with the PolicyId " + policyId
        + " is attached to the resource.");
  }

  /** The parameter a resource policy operation names does not exist (the model's words). */
  static AwsException resourceNotFound() {
    return new AwsException("ResourceNotFoundException", "The specified parameter to be shared could not be found.");
  }
}
