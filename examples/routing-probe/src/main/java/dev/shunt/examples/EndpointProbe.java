package dev.shunt.examples;

import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * An application whose KMS endpoint comes from its configuration, not its code
 * ({@code AWS_ENDPOINT_URL_KMS}, {@code aws.endpointUrl}, a profile's {@code endpoint_url}...): it
 * builds a client with the SDK's defaults, describes the key {@code foreign-key}, and prints
 * {@code ENDPOINT ok DESCRIPTION} or {@code ENDPOINT fail ERROR_CODE}.
 */
public final class EndpointProbe {
  private EndpointProbe() {}

  public static void main(String[] args) {
    try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
      System.out.println("ENDPOINT ok " + kms.describeKey(r -> r.keyId("foreign-key")).keyMetadata().description());
    } catch (KmsException e) {
      System.out.println("ENDPOINT fail " + e.awsErrorDetails().errorCode());
    }
  }
}
