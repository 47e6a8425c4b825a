package dev.shunt.junit5;

import java.net.URI;
import java.util.Set;

/**
 * Makes the AWS SDK v2 clients the extension injects. It names SDK classes only through the
 * per-service holders below, each loaded when its client is first asked for: a test class path
 * with the KMS client but not the SSM one works, and one with no SDK at all still gets
 * {@link Shunt} and the endpoint.
 */
final class SdkClients {
  static final String KMS = "software.amazon.awssdk.services.kms.KmsClient";
  static final String KMS_ASYNC = "software.amazon.awssdk.services.kms.KmsAsyncClient";
  static final String SECRETS = "software.amazon.awssdk.services.secretsmanager.SecretsManagerClient";
  static final String SECRETS_ASYNC = "software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient";
  static final String SSM = "software.amazon.awssdk.services.ssm.SsmClient";
  static final String SSM_ASYNC = "software.amazon.awssdk.services.ssm.SsmAsyncClient";
  static final Set<String> TYPES = Set.of(KMS, KMS_ASYNC, SECRETS, SECRETS_ASYNC, SSM, SSM_ASYNC);

  /** Where and as whom a client talks. */
  record Spec(String type, URI endpoint, String region, String accessKeyId, String secretAccessKey) {}

  private SdkClients() {}

  static boolean supports(Class<?> type) {
    return TYPES.contains(type.getName());
  }

  static Object create(Spec spec) {
    return switch (spec.type()) {
      case KMS -> Kms.sync(spec);
      case KMS_ASYNC -> Kms.async(spec);
      case SECRETS -> SecretsManager.sync(spec);
      case SECRETS_ASYNC -> SecretsManager.async(spec);
      case SSM -> Ssm.sync(spec);
      case SSM_ASYNC -> Ssm.async(spec);
      default -> throw new IllegalArgumentException("Shunt makes KMS, Secrets Manager and SSM clients, not "
          + spec.type());
    };
  }

  /** Points any AWS SDK v2 client builder at the backend, with the Region and static credentials. */
  static Object configure(Object builder, Spec spec) {
    return Builders.configure(builder, spec);
  }

  private static final class Builders {
    static Object configure(Object builder, Spec spec) {
      if (!(builder instanceof software.amazon.awssdk.awscore.client.builder.AwsClientBuilder<?, ?> aws)) {
        throw new IllegalArgumentException("Not an AWS SDK v2 client builder: " + builder);
      }
      aws.endpointOverride(spec.endpoint())
          .region(software.amazon.awssdk.regions.Region.of(spec.region()))
          .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
              software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(spec.accessKeyId(),
                  spec.secretAccessKey())));
      return builder;
    }
  }

  private static final class Kms {
    static Object sync(Spec spec) {
      return ((software.amazon.awssdk.services.kms.KmsClientBuilder) Builders.configure(
          software.amazon.awssdk.services.kms.KmsClient.builder(), spec)).build();
    }

    static Object async(Spec spec) {
      return ((software.amazon.awssdk.services.kms.KmsAsyncClientBuilder) Builders.configure(
          software.amazon.awssdk.services.kms.KmsAsyncClient.builder(), spec)).build();
    }
  }

  private static final class SecretsManager {
    static Object sync(Spec spec) {
      return ((software.amazon.awssdk.services.secretsmanager.SecretsManagerClientBuilder) Builders.configure(
          software.amazon.awssdk.services.secretsmanager.SecretsManagerClient.builder(), spec)).build();
    }

    static Object async(Spec spec) {
      return ((software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClientBuilder) Builders.configure(
          software.amazon.awssdk.services.secretsmanager.SecretsManagerAsyncClient.builder(), spec)).build();
    }
  }

  private static final class Ssm {
    static Object sync(Spec spec) {
      return ((software.amazon.awssdk.services.ssm.SsmClientBuilder) Builders.configure(
          software.amazon.awssdk.services.ssm.SsmClient.builder(), spec)).build();
    }

    static Object async(Spec spec) {
      return ((software.amazon.awssdk.services.ssm.SsmAsyncClientBuilder) Builders.configure(
          software.amazon.awssdk.services.ssm.SsmAsyncClient.builder(), spec)).build();
    }
  }
}
