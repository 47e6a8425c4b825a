package dev.shunt.examples;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;
import software.amazon.awssdk.regions.providers.AwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * How frameworks build clients (Spring Cloud AWS, Micronaut...): the builder first, then a Region
 * from the framework's own provider chain and a credentials provider of its own, both of which may
 * find nothing. Two styles: the SDK's default chains, and chains the framework assembles itself.
 * Prints {@code CHAINS style ok KEY_ARN} or {@code CHAINS style fail ERROR}.
 */
public final class ProviderChainsProbe {
  private ProviderChainsProbe() {}

  public static void main(String[] args) {
    System.out.println(run("sdk-defaults", () -> {
      KmsClientBuilder builder = KmsClient.builder().httpClient(UrlConnectionHttpClient.create());
      builder.region(DefaultAwsRegionProviderChain.builder().build().getRegion());
      builder.credentialsProvider(software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build());
      return builder;
    }));
    System.out.println(run("own-chains", () -> {
      KmsClientBuilder builder = KmsClient.builder().httpClient(UrlConnectionHttpClient.create());
      builder.region(new AwsRegionProviderChain(new SystemSettingsRegionProvider(),
          new AwsProfileRegionProvider(null, "app")).getRegion());
      builder.credentialsProvider(AwsCredentialsProviderChain.of(ProfileCredentialsProvider.create("app"),
          EnvironmentVariableCredentialsProvider.create()));
      return builder;
    }));
  }

  private static String run(String style, java.util.function.Supplier<KmsClientBuilder> configure) {
    try (KmsClient kms = configure.get().build()) {
      return "CHAINS " + style + " ok " + kms.createKey(r -> r.description("chains")).keyMetadata().arn();
    } catch (RuntimeException e) {
      return "CHAINS " + style + " fail " + e.getClass().getSimpleName() + ": "
          + String.valueOf(e.getMessage()).replace('\n', ' ');
    }
  }
}
