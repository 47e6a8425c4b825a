package dev.shunt.backend.kms;

import dev.shunt.backend.core.AwsException;

/** KMS's errors, with the messages KMS gives. */
final class KmsErrors {
  private KmsErrors() {}

  static AwsException keyNotFound(String keyArn) {
    return new AwsException("NotFoundException", "Key '" + keyArn + "' does not exist");
  }

  static AwsException aliasNotFound(String aliasArn) {
    return new AwsException("NotFoundException", "Alias " + aliasArn + " is not found.");
  }

  static AwsException invalidKeyId(String keyId) {
    return new AwsException("NotFoundException", "Invalid keyId " + keyId);
  }

  static AwsException disabled(String keyArn) {
    return new AwsException("DisabledException", keyArn + " is disabled.");
  }

  static AwsException pendingDeletion(String keyArn) {
    return new AwsException("KMSInvalidStateException", keyArn + " is pending deletion.");
  }

  static AwsException pendingImport(String keyArn) {
    return new AwsException("KMSInvalidStateException", keyArn + " is pending import.");
  }

  static AwsException invalidState(String message) {
    return new AwsException("KMSInvalidStateException", message);
  }

  static AwsException invalidCiphertext() {
    return new AwsException("InvalidCiphertextException", null);
  }

  /** VerifyMac's answer to a MAC that is not the key's MAC of the message; KMS says no more. */
  static AwsException invalidMac() {
    return new AwsException("KMSInvalidMacException", null);
  }

  static AwsException incorrectKey() {
    return new AwsException("IncorrectKeyException",
        "The key ID in the request does not identify a CMK that can perform this operation.");
  }

  static AwsException invalidKeyUsage(String message) {
    return new AwsException("InvalidKeyUsageException", message);
  }

  static AwsException validation(String message) {
    return new AwsException("ValidationException", message);
  }

  static AwsException unsupported(String message) {
    return new AwsException("UnsupportedOperationException", message);
  }

  static AwsException accessDenied(String principalArn, String action, String resourceArn) {
    return new AwsException("AccessDeniedException", "User: " + principalArn + " is not authorized to perform: kms:"
        + action + " on resource: " + resourceArn + " because no resource-based policy allows the kms:" + action
        + " action");
  }

  static AwsException alreadyExists(String message) {
    return new AwsException("AlreadyExistsException", message);
  }

  static AwsException notAuthorized(String message) {
    return new AwsException("NotAuthorizedException", message);
  }

  static AwsException limitExceeded(String message) {
    return new AwsException("LimitExceededException", message);
  }

  static AwsException tag(String message) {
    return new AwsException("TagException", message);
  }

  static AwsException invalidMarker() {
    return new AwsException("InvalidMarkerException", "Invalid marker");
  }

  static AwsException invalidArn(String message) {
    return new AwsException("InvalidArnException", message);
  }

  static AwsException dryRun() {
    return new AwsException("DryRunOperationException",
        "The request would have succeeded, but the DryRun option is set.", 412);
  }

  static AwsException customKeyStoreNotFound() {
    return new AwsException("CustomKeyStoreNotFoundException", "Custom key store not found");
  }

  static AwsException grantNotFound(String grantId) {
    return new AwsException("NotFoundException", "Grant ID " + grantId + " not found");
  }

  static AwsException invalidGrantId(String message) {
    return new AwsException("InvalidGrantIdException", message);
  }

  static AwsException invalidGrantToken() {
    return new AwsException("InvalidGrantTokenException", "Invalid grant token");
  }

  static AwsException customKeyStoreNotFound(String message) {
    return new AwsException("CustomKeyStoreNotFoundException", message);
  }

  static AwsException customKeyStoreInvalidState(String message) {
    return new AwsException("CustomKeyStoreInvalidStateException", message);
  }
}
