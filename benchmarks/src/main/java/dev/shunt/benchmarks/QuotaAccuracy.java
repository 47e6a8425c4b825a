package dev.shunt.benchmarks;

import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.quota.QuotaConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * The quota test's accuracy claim at higher rates: {@code QuotaAccuracy [QUOTA...]} starts a
 * backend in this process, sets KMS's symmetric quota to each QUOTA in turn, offers three times
 * it from six SDK client threads (without retries) for 6 s, and reports the accepted rate over
 * the 5 s after the first (which drains the bucket's one-second burst).
 */
public final class QuotaAccuracy {
  private static final int THREADS = 6;
  private static final int SECONDS = 6;

  private QuotaAccuracy() {}

  public static void main(String[] args) throws Exception {
    List<Integer> quotas = new ArrayList<>();
    for (String arg : args.length > 0 ? args : new String[] {"200", "2000"}) {
      quotas.add(Integer.parseInt(arg));
    }
    System.out.println(section(quotas));
  }

  /** Measures each quota in turn and returns the Markdown table. */
  public static String section(List<Integer> quotas) throws Exception {
    StringBuilder out = new StringBuilder("| quota (rps) | offered (rps) | accepted (rps) | error |\n|---|---|---|---|\n");
    try (ShuntBackend backend = ShuntBackend.builder().port(0).option("quotas", "aws").start()) {
      for (int quota : quotas) {
        double[] measured = measure(backend, quota);
        out.append(String.format(java.util.Locale.ROOT, "| %,d | %,.0f | %,.1f | %+.2f %% |%n", quota, measured[0],
            measured[1], (measured[1] - quota) * 100.0 / quota));
      }
    }
    return out.toString();
  }

  /** Returns {offered per second, accepted per second} over the measured window. */
  private static double[] measure(ShuntBackend backend, int quota) throws Exception {
    backend.reset();
    backend.quotas().configure(QuotaConfig.parse(
        Json.parseRequest(("{\"rates\": {\"kms:symmetric\": " + quota + "}}").getBytes(StandardCharsets.UTF_8))));
    AtomicLongArray acceptedPerSecond = new AtomicLongArray(SECONDS);
    AtomicLongArray throttledPerSecond = new AtomicLongArray(SECONDS);
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(SECONDS).toNanos();
    long interval = 1_000_000_000L * THREADS / (3L * quota);
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      long offset = interval * t / THREADS;
      done.add(pool.submit(() -> {
        try (KmsClient kms = client(backend.uri())) {
          long next = start + offset;
          while (next < end) {
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
              TimeUnit.NANOSECONDS.sleep(sleep);
            }
            next += interval;
            boolean accepted;
            try {
              kms.generateRandom(r -> r.numberOfBytes(8));
              accepted = true;
            } catch (AwsServiceException e) {
              accepted = false;
            }
            int second = (int) ((System.nanoTime() - start) / 1_000_000_000L);
            if (second < SECONDS) {
              (accepted ? acceptedPerSecond : throttledPerSecond).incrementAndGet(second);
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long accepted = 0;
    long offered = 0;
    for (int second = 1; second < SECONDS; second++) {
      accepted += acceptedPerSecond.get(second);
      offered += acceptedPerSecond.get(second) + throttledPerSecond.get(second);
    }
    return new double[] {offered / (SECONDS - 1.0), accepted / (SECONDS - 1.0)};
  }

  private static KmsClient client(URI endpoint) {
    return KmsClient.builder().httpClient(ApacheHttpClient.create()).endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
        .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }
}
