package dev.shunt.examples.checks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * What an application does with AWS once it runs, reported line by line: {@code CHECK name ok
 * detail} or {@code CHECK name fail Exception: message}, then {@code CHECK done}. The clients are
 * the application's own (built by it, or by its framework as beans); the S3 client is pointed at
 * a store of the application's own ({@code --foreign URL}) with its own Region and credentials, the
 * way an application talks to MinIO or another S3-compatible store: it must work exactly as
 * without Shunt.
 */
public final class AwsChecks {
  private AwsChecks() {}

  /** The command line every framework application takes: {@code [--foreign URL] [--wait]}. */
  public record Arguments(URI foreign, boolean waitForGo) {
    /** The command line without what {@link #parse} takes: the rest is the framework's. */
    public static String[] others(String... args) {
      List<String> rest = new ArrayList<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--foreign") && i + 1 < args.length) {
          i++;
        } else if (!args[i].equals("--wait")) {
          rest.add(args[i]);
        }
      }
      return rest.toArray(new String[0]);
    }

    public static Arguments parse(String... args) {
      URI foreign = null;
      boolean wait = false;
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--foreign") && i + 1 < args.length) {
          foreign = URI.create(args[++i]);
        } else if (args[i].equals("--wait")) {
          wait = true;
        }
      }
      return new Arguments(foreign, wait);
    }
  }

  /**
   * Prints {@code APP ready}; with {@code --wait}, then blocks until a line arrives on stdin (a
   * test attaches Shunt's agent meanwhile).
   */
  public static void ready(Arguments arguments) throws IOException {
    System.out.println("APP ready");
    System.out.flush();
    if (arguments.waitForGo()) {
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }
  }

  /** An S3 client of the application's own store: its endpoint, Region and credentials. */
  public static S3Client foreignS3(URI endpoint) {
    return S3Client.builder().httpClient(UrlConnectionHttpClient.create()).endpointOverride(endpoint)
        .forcePathStyle(true).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("own", "own"))).build();
  }

  /**
   * An application that builds its clients with the SDK's defaults (no Region, credentials or
   * endpoint in code) as it needs them: builds them, runs every check, prints the lines, closes them.
   */
  public static void runWithDefaultClients(Arguments arguments) {
    try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(UrlConnectionHttpClient.create())
            .build();
        SsmClient ssm = SsmClient.builder().httpClient(UrlConnectionHttpClient.create()).build();
        S3Client foreign = arguments.foreign() == null ? null : foreignS3(arguments.foreign())) {
      run(kms, secrets, ssm, foreign).forEach(System.out::println);
    }
    System.out.flush();
  }

  /** Runs every check with these clients ({@code foreign} may be null) and returns the lines, {@code CHECK done} last. */
  public static List<String> run(KmsClient kms, SecretsManagerClient secrets, SsmClient ssm, S3Client foreign) {
    List<String> lines = new ArrayList<>();
    lines.add(check("sdk-loader", () -> String.valueOf(KmsClient.class.getClassLoader().getClass().getName())));
    lines.add(check("kms", () -> {
      String keyArn = kms.createKey(r -> r.description("app check")).keyMetadata().arn();
      SdkBytes blob = kms.encrypt(r -> r.keyId(keyArn).plaintext(SdkBytes.fromUtf8String("app-check")))
          .ciphertextBlob();
      return keyArn + " " + kms.decrypt(r -> r.ciphertextBlob(blob)).plaintext().asUtf8String();
    }));
    lines.add(check("secrets", () -> {
      String name = "app/check-" + System.nanoTime();
      secrets.createSecret(r -> r.name(name).secretString("s3cr3t"));
      var value = secrets.getSecretValue(r -> r.secretId(name));
      return value.arn() + " " + value.secretString();
    }));
    lines.add(check("ssm", () -> {
      String name = "/app/check-" + System.nanoTime();
      ssm.putParameter(r -> r.name(name).value("v1").type(ParameterType.SECURE_STRING));
      var parameter = ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter();
      return parameter.arn() + " " + parameter.value();
    }));
    if (foreign != null) {
      lines.add(check("foreign", () -> String.join(",",
          foreign.listBuckets().buckets().stream().map(bucket -> bucket.name()).toList())));
    }
    lines.add("CHECK done");
    return lines;
  }

  /** One check's line. */
  public static String check(String name, Supplier<String> check) {
    try {
      return "CHECK " + name + " ok " + check.get();
    } catch (RuntimeException | LinkageError e) {
      String message = String.valueOf(e.getMessage()).replace('\n', ' ');
      return "CHECK " + name + " fail " + e.getClass().getSimpleName() + ": " + message;
    }
  }
}
