package dev.shunt.examples.plugin.checks;

import dev.shunt.examples.checks.AwsChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The plugin: given {@code [--foreign URL] [--wait]} it says {@code APP ready} (and with {@code
 * --wait} waits for a line on stdin), builds its KMS, Secrets Manager and SSM clients with the
 * SDK's defaults, prints the lines of {@link AwsChecks#run} and returns 0.
 */
public final class ChecksPlugin implements Function<String[], Integer> {
  @Override
  public Integer apply(String[] args) {
    AwsChecks.Arguments arguments = AwsChecks.Arguments.parse(args);
    try {
      AwsChecks.ready(arguments);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        SsmClient ssm = SsmClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        S3Client foreign = arguments.foreign() == null ? null : AwsChecks.foreignS3(arguments.foreign())) {
      AwsChecks.run(kms, secrets, ssm, foreign).forEach(System.out::println);
    }
    System.out.flush();
    return 0;
  }
}
