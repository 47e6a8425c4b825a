package dev.shunt.examples.springboot2;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.kms.AWSKMS;
import com.amazonaws.services.kms.AWSKMSClientBuilder;
import com.amazonaws.services.kms.model.DescribeKeyRequest;
import dev.shunt.examples.checks.AwsChecks;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A Spring Boot 2.7 application whose AWS clients are beans built with the SDK's defaults
 * (Region, credentials and endpoint from the environment, system properties or ~/.aws), and a
 * legacy corner still on the AWS SDK for Java v1: a KMS client of its own endpoint (the
 * {@code --foreign} one), checked as {@code CHECK sdk-v1-kms}.
 *
 * <p>{@code java -jar spring-boot2-app.jar [--foreign URL] [--wait] [Spring arguments]}: once the
 * context is up it prints {@code APP ready} (with {@code --wait} it then waits for a line on stdin),
 * runs the checks with its beans, prints them, closes the context and exits.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class SpringBoot2App {
  /** The endpoint of the application's own S3-compatible store (from --foreign). */
  static final String FOREIGN_STORE = "app.foreign-store";

  public static void main(String[] args) throws Exception {
    AwsChecks.Arguments arguments = AwsChecks.Arguments.parse(args);
    SpringApplication application = new SpringApplication(SpringBoot2App.class);
    if (arguments.foreign() != null) {
      // The S3 client of the application's own store is a bean only when there is a store.
      application.setDefaultProperties(
          Collections.singletonMap(FOREIGN_STORE, arguments.foreign().toString()));
    }
    ConfigurableApplicationContext context = application.run(AwsChecks.Arguments.others(args));
    AwsChecks.ready(arguments);
    List<String> lines = AwsChecks.run(context.getBean(KmsClient.class), context.getBean(SecretsManagerClient.class),
        context.getBean(SsmClient.class), context.getBeanProvider(S3Client.class).getIfAvailable());
    AWSKMS legacyKms = context.getBeanProvider(AWSKMS.class).getIfAvailable();
    if (legacyKms != null) {
      lines.add(lines.size() - 1, AwsChecks.check("sdk-v1-kms", () -> legacyKms.describeKey(
          new DescribeKeyRequest().withKeyId("foreign-key")).getKeyMetadata().getDescription()));
    }
    lines.forEach(System.out::println);
    System.out.flush();
    System.exit(SpringApplication.exit(context));
  }

  @Bean
  KmsClient kmsClient() {
    return KmsClient.create();
  }

  @Bean
  SecretsManagerClient secretsManagerClient() {
    return SecretsManagerClient.create();
  }

  @Bean
  SsmClient ssmClient() {
    return SsmClient.create();
  }

  /** The application's own store, with its own endpoint, Region and credentials. */
  @Bean
  @ConditionalOnProperty(FOREIGN_STORE)
  S3Client foreignStore(@Value("${" + FOREIGN_STORE + "}") URI endpoint) {
    return AwsChecks.foreignS3(endpoint);
  }

  /** The legacy KMS client (AWS SDK v1), of the application's own endpoint. */
  @Bean
  @ConditionalOnProperty(FOREIGN_STORE)
  AWSKMS legacyKms(@Value("${" + FOREIGN_STORE + "}") URI endpoint) {
    return AWSKMSClientBuilder.standard()
        .withEndpointConfiguration(new EndpointConfiguration(endpoint.toString(), "us-east-1"))
        .withCredentials(new AWSStaticCredentialsProvider(new BasicAWSCredentials("own", "own"))).build();
  }
}
