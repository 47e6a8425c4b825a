package dev.shunt.benchmarks;

import java.net.URI;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.KmsClientBuilder;

/**
 * One application thread making KMS GenerateRandom calls through the AWS SDK v2 (Apache
 * client, keep-alive), as fast as it can, and reporting the per-call latency: {@code SdkCallLoop [ENDPOINT]
 * [WARMUP] [CALLS]}. Without ENDPOINT the client is built as an unmodified application builds it
 * (under the agent: the embedded backend).
 */
public final class SdkCallLoop {
  private SdkCallLoop() {}

  public static void main(String[] args) {
    String endpoint = args.length > 0 && !args[0].equals("-") ? args[0] : null;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
    KmsClientBuilder builder = KmsClient.builder().httpClient(ApacheHttpClient.create());
    if (endpoint != null) {
      builder.endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
          .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")));
    }
    try (KmsClient kms = builder.build()) {
      for (int i = 0; i < warmup; i++) {
        kms.generateRandom(r -> r.numberOfBytes(8));
      }
      Histogram histogram = new Histogram(60_000_000_000L, 3);
      long start = System.nanoTime();
      for (int i = 0; i < calls; i++) {
        long before = System.nanoTime();
        kms.generateRandom(r -> r.numberOfBytes(8));
        histogram.recordValue(System.nanoTime() - before);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("RESULT calls=%d mean_us=%.1f p50_us=%.1f p99_us=%.1f calls_per_s=%.0f%n", calls,
          histogram.getMean() / 1000, histogram.getValueAtPercentile(50) / 1000.0,
          histogram.getValueAtPercentile(99) / 1000.0, calls / seconds);
    }
  }
}
