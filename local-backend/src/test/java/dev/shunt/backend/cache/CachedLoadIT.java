package dev.shunt.backend.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.KmsException;

/**
 * What a performance engineer sees: the same burst of GenerateDataKey under AWS's quotas (scaled
 * down) throttles without the data-key cache and not with it, and the spans and metrics say which
 * requests the cache answered.
 */
class CachedLoadIT {
  private static final int BURST = 60;

  /** Requests of the burst throttled (no retries: every throttle is seen). */
  private static int throttledOf(ShuntBackend.Builder builder) {
    try (BackendFixture shunt = BackendFixture.start(builder.option("quotas", "aws").option("quota-scale", "0.00005"));
        KmsClient kms = KmsClient.builder().endpointOverride(shunt.uri())
            .region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("AKIDLOAD", "x"))
            .overrideConfiguration(c -> c.retryStrategy(software.amazon.awssdk.retries.DefaultRetryStrategy.doNotRetry()))
            .build()) {
      String key = createKey(kms);
      int throttled = 0;
      for (int i = 0; i < BURST; i++) {
        try {
          kms.generateDataKey(r -> r.keyId(key).keySpec(DataKeySpec.AES_256));
        } catch (KmsException e) {
          assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
          throttled++;
        }
      }
      return throttled;
    }
  }

  private static String createKey(KmsClient kms) {
    for (int attempt = 0; ; attempt++) {
      try {
        return kms.createKey(r -> { }).keyMetadata().keyId();
      } catch (KmsException e) {
        if (attempt > 50) {
          throw e;
        }
        sleep(100);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theDataKeyCacheTakesTheBurstOffTheQuota() {
    int without = throttledOf(ShuntBackend.builder());
    int with = throttledOf(ShuntBackend.builder().option("data-key-cache", "on"));
    assertThat(without).isGreaterThan(BURST / 2);
    assertThat(with).isZero();
  }

  @Test
  void spansAndMetricsSayHowTheCacheServedEachRequest() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build()).build();
        BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().openTelemetry(sdk)
            .option("data-key-cache", "on"));
        KmsClient kms = shunt.kms()) {
      String key = kms.createKey(r -> { }).keyMetadata().keyId();
      for (int i = 0; i < 3; i++) {
        kms.generateDataKey(r -> r.keyId(key).numberOfBytes(16));
      }
      List<String> outcomes = spans.getFinishedSpanItems().stream()
          .filter(s -> s.getName().equals("KMS.GenerateDataKey"))
          .map(SpanData::getAttributes).map(a -> a.get(AttributeKey.stringKey("shunt.cache"))).toList();
      assertThat(outcomes).containsExactly("miss", "hit", "hit");
      assertThat(spans.getFinishedSpanItems()).filteredOn(s -> s.getName().equals("KMS.CreateKey"))
          .allSatisfy(s -> assertThat(s.getAttributes().get(AttributeKey.stringKey("shunt.cache"))).isNull());
      MetricData cacheRequests = metrics.collectAllMetrics().stream()
          .filter(m -> m.getName().equals("shunt.cache.requests")).findFirst().orElseThrow();
      long hits = cacheRequests.getLongSumData().getPoints().stream()
          .filter(p -> "hit".equals(p.getAttributes().get(AttributeKey.stringKey("shunt.cache"))))
          .mapToLong(LongPointData::getValue).sum();
      assertThat(hits).isEqualTo(2);
      List<MetricData> all = List.copyOf(metrics.collectAllMetrics());
      double saved = all.stream().filter(m -> m.getName().equals("shunt.cache.cost_saved"))
          .flatMap(m -> m.getDoubleSumData().getPoints().stream())
          .filter(p -> "dataKeys".equals(p.getAttributes().get(AttributeKey.stringKey("shunt.cache.name"))))
          .mapToDouble(p -> p.getValue()).sum();
      assertThat(saved).isCloseTo(2 * 0.03 / 10_000, org.assertj.core.data.Offset.offset(1e-12));
      assertThat(all).anySatisfy(m -> assertThat(m.getName()).isEqualTo("shunt.cache.entries"));
    }
  }
}
