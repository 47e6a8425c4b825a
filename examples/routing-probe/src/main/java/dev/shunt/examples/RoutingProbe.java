package dev.shunt.examples;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsAsyncClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * An application that uses KMS, Secrets Manager and SSM through every HTTP client of the SDK
 * (URLConnection, Apache, Netty async), an S3 client and a KMS client pointed at an endpoint of
 * its own ({@code --foreign URL}), and reports each outcome as a line {@code PROBE name ok|fail
 * detail}. With {@code --wait} it builds its first clients, prints {@code PROBE ready}, and goes
 * on only when a line arrives on stdin (someone may attach an agent meanwhile).
 */
public final class RoutingProbe {
  private RoutingProbe() {}

  public static void main(String[] args) throws Exception {
    URI foreign = null;
    boolean wait = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--foreign")) {
        foreign = URI.create(args[++i]);
      } else if (args[i].equals("--wait")) {
        wait = true;
      }
    }
    // A client built before anything else happens (before an agent may attach).
    KmsClient early = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
    if (wait) {
      System.out.println("PROBE ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
    List<String> results = new ArrayList<>();
    results.add(check("kms-early-client", () -> kmsRoundTrip(early)));
    results.add(check("kms-url-connection", () -> {
      try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
        return kmsRoundTrip(kms);
      }
    }));
    results.add(check("kms-apache", () -> {
      try (KmsClient kms = KmsClient.builder().httpClient(ApacheHttpClient.create()).build()) {
        return kmsRoundTrip(kms);
      }
    }));
    results.add(check("kms-netty-async", () -> {
      try (KmsAsyncClient kms = KmsAsyncClient.builder().httpClient(NettyNioAsyncHttpClient.create()).build()) {
        return kms.createKey(r -> r.description("async")).join().keyMetadata().arn();
      }
    }));
    results.add(check("secrets", () -> {
      try (SecretsManagerClient secrets = SecretsManagerClient.builder()
          .httpClient(UrlConnectionHttpClient.create()).build()) {
        String name = "probe/" + System.nanoTime();
        secrets.createSecret(r -> r.name(name).secretString("s3cr3t"));
        return secrets.getSecretValue(r -> r.secretId(name)).arn() + " "
            + secrets.getSecretValue(r -> r.secretId(name)).secretString();
      }
    }));
    results.add(check("ssm", () -> {
      try (SsmClient ssm = SsmClient.builder().httpClient(UrlConnectionHttpClient.create()).build()) {
        String name = "/probe/p" + System.nanoTime();
        ssm.putParameter(r -> r.name(name).value("v1").type(ParameterType.SECURE_STRING));
        return ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().arn() + " "
            + ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value();
      }
    }));
    if (foreign != null) {
      URI endpoint = foreign;
      StaticCredentialsProvider own = StaticCredentialsProvider.create(AwsBasicCredentials.create("own", "own"));
      results.add(check("s3-foreign", () -> {
        try (S3Client s3 = S3Client.builder().httpClient(UrlConnectionHttpClient.create()).endpointOverride(endpoint)
            .forcePathStyle(true).region(Region.US_EAST_1).credentialsProvider(own).build()) {
          return String.join(",", s3.listBuckets().buckets().stream().map(b -> b.name()).toList());
        }
      }));
      results.add(check("kms-foreign", () -> {
        try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create())
            .endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(own).build()) {
          return kms.describeKey(r -> r.keyId("foreign-key")).keyMetadata().description();
        }
      }));
    }
    results.add(check("sdk-loader", () -> KmsClient.class.getClassLoader().getClass().getName()));
    results.add(check("libraries", () -> "jackson=" + com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION
        + " netty=" + io.netty.util.Version.identify().values().iterator().next().artifactVersion()
        + " shunt-backend-visible=" + visible("dev.shunt.backend.ShuntBackend")
        + " bytebuddy-visible=" + visible("net.bytebuddy.ByteBuddy")
        + " interceptor-visible=" + visible("dev.shunt.interceptors.ShuntExecutionInterceptor")));
    early.close();
    results.forEach(System.out::println);
    System.out.println("PROBE done");
  }

  private static String kmsRoundTrip(KmsClient kms) {
    String keyArn = kms.createKey(r -> r.description("probe")).keyMetadata().arn();
    SdkBytes blob = kms.encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String("probe"))).ciphertextBlob();
    String plaintext = kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String();
    return keyArn + " " + plaintext;
  }

  private static boolean visible(String className) {
    try {
      Class.forName(className, false, RoutingProbe.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static String check(String name, Supplier<String> check) {
    try {
      return "PROBE " + name + " ok " + check.get();
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage()).replace('\n', ' ');
      return "PROBE " + name + " fail " + e.getClass().getSimpleName() + ": " + message;
    }
  }
}
