package dev.shunt.examples.quarkus;

import dev.shunt.examples.checks.AwsChecks;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A Quarkus command-mode application: {@code java -jar quarkus-run.jar [--foreign URL] [--wait]}.
 * Once Quarkus has started it it says {@code APP ready} (and with {@code --wait} waits for a line
 * on stdin), builds its KMS, Secrets Manager and SSM clients with the SDK's defaults, prints the
 * lines of {@link AwsChecks#run} and exits 0.
 */
@QuarkusMain
public class ChecksApplication implements QuarkusApplication {
  @Override
  public int run(String... args) throws Exception {
    AwsChecks.Arguments arguments = AwsChecks.Arguments.parse(args);
    AwsChecks.ready(arguments);
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
