package dev.shunt.backend.secrets;

import dev.shunt.backend.core.AwsException;

/** Secrets Manager's errors, with the messages Secrets Manager gives. */
final class SecretsErrors {
  static final String MARKED_FOR_DELETION =
      "You can't perform this operation on the secret because it was marked for deletion.";

  private SecretsErrors() {}

  static AwsException secretNotFound() {
    return new AwsException("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
  }

  static AwsException stageNotFound(String stage) {
    return new AwsException("ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for staging label: " + stage);
  }

  static AwsException versionNotFound(String versionId) {
    return new AwsException("ResourceNotFoundException",
        "Secrets Manager can't find the specified secret value for VersionId: " + versionId);
  }

  static AwsException markedForDeletion() {
    return invalidRequest(MARKED_FOR_DELETION);
  }

  static AwsException invalidRequest(String message) {
    return new AwsException("InvalidRequestException", message);
  }

  static AwsException invalidParameter(String message) {
    return new AwsException("InvalidParameterException", message);
  }

  static AwsException exists(String message) {
    return new AwsException("ResourceExistsException", message);
  }

  /** A ClientRequestToken (a version id) sent again with another value; AWS's words, recorded by moto. */
  static AwsException tokenInUse(String token, String secretArn) {
    return exists("You can't use ClientRequestToken " + token
        + " because that value is already in use for a version of secret " + secretArn + ".");
  }

  static AwsException limitExceeded(String message) {
    return new AwsException("LimitExceededException", message);
  }

  static AwsException encryptionFailure() {
    return new AwsException("EncryptionFailure", "Secrets Manager can't encrypt the protected secret text using the "
        + "provided KMS key. Check that the KMS key is available, enabled, and not in an invalid state.");
  }

  static AwsException decryptionFailure() {
    return new AwsException("DecryptionFailure",
        "Secrets Manager can't decrypt the protected secret text using the provided KMS key.");
  }

  static AwsException kmsAccessDenied() {
    return new AwsException("AccessDeniedException", "Access to KMS is not allowed");
  }

  static AwsException accessDenied(String principalArn, String action, String secretArn) {
    return new AwsException("AccessDeniedException", "User: " + principalArn + " is not authorized to perform: "
        + "secretsmanager:" + action + " on resource: " + secretArn
        + " because no resource-based policy allows the secretsmanager:" + action + " action");
  }

  /** IAM's wording when a Deny statement decided, not a missing Allow. */
  static AwsException explicitlyDenied(String principalArn, String action, String secretArn) {
    return new AwsException("AccessDeniedException", "User: " + principalArn + " is not authorized to perform: "
        + "secretsmanager:" + action + " on resource: " + secretArn
        + " with an explicit deny in a resource-based policy");
  }

  static AwsException replicaReadOnly() {
    return invalidParameter(
        "Operation not permitted on a replica secret. Call must be made in primary secret's region.");
  }

  static AwsException publicPolicy() {
    return new AwsException("PublicPolicyException",
        "The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.");
  }

  static AwsException invalidNextToken() {
    return new AwsException("InvalidNextTokenException", "The NextToken value is invalid.");
  }
}
