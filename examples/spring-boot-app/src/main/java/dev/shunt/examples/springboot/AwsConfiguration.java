package dev.shunt.examples.springboot;

import dev.shunt.examples.checks.AwsChecks;
import io.awspring.cloud.autoconfigure.core.AwsClientBuilderConfigurer;
import java.net.URI;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The AWS clients Spring Cloud AWS does not make. The SecretsManagerClient and SsmClient beans
 * come from its starters' auto-configuration (or, when spring.config.import loads from those
 * services, are the very clients built for the import and promoted to beans).
 */
@Configuration(proxyBeanMethods = false)
public class AwsConfiguration {
  /** The endpoint of the service's own S3-compatible store (from --foreign). */
  static final String FOREIGN_STORE = "app.foreign-store";

  /**
   * KMS has no Spring Cloud AWS starter: its documented way for any other service is the
   * auto-configured AwsClientBuilderConfigurer, which applies the same Region, credentials and
   * spring.cloud.aws.* settings as to the clients it makes itself.
   */
  @Bean
  KmsClient kmsClient(AwsClientBuilderConfigurer configurer) {
    return configurer.configure(KmsClient.builder()).build();
  }

  /** The service's own store, with its own endpoint, Region and credentials, untouched by Spring Cloud AWS. */
  @Bean
  @ConditionalOnProperty(FOREIGN_STORE)
  S3Client foreignStore(@Value("${" + FOREIGN_STORE + "}") URI endpoint) {
    return AwsChecks.foreignS3(endpoint);
  }
}
