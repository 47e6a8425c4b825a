package dev.shunt.examples;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.AlreadyExistsException;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.DecryptRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyRequest;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/**
 * An envelope-encryption workload, written as an ordinary service would be: one KMS client with the
 * SDK's defaults (no endpoint, credentials or Region in code) and its STANDARD retry mode. It finds
 * or creates the key {@code alias/envelope-load}, then {@code -Dthreads=T} (4) threads encrypt
 * {@code -Dmessages=M} (2,000) messages for 20 tenants: per message a GenerateDataKey (AES_256,
 * encryption context {@code tenant: tN}), AES-256-GCM locally with the plaintext data key, which is
 * then wiped; every 10th message also Decrypts its encrypted data key and checks it opens the
 * payload. An interceptor of its own counts attempts, throttled answers and the {@code x-shunt-cache}
 * header. It prints one line:
 * {@code ENVELOPE messages=M seconds=S generateDataKey=N decrypt=D attempts=A throttled=X cacheHits=H ...}
 * and exits 0, or 1 when a message failed after the SDK's retries.
 */
public final class EnvelopeLoad {
  static final String ALIAS = "alias/envelope-load";
  static final int TENANTS = 20;
  static final int VERIFY_EVERY = 10;
  private static final SecureRandom RANDOM = new SecureRandom();

  private EnvelopeLoad() {}

  public static void main(String[] args) throws Exception {
    int messages = Integer.getInteger("messages", 2_000);
    int threads = Integer.getInteger("threads", 4);
    CallCounter counter = new CallCounter();
    try (KmsClient kms = KmsClient.builder()
        .overrideConfiguration(c -> c.retryStrategy(RetryMode.STANDARD).addExecutionInterceptor(counter))
        .build()) {
      String keyArn = findOrCreateKey(kms);
      Workload workload = new Workload(kms, keyArn);
      counter.reset();
      long start = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(pool.submit(() -> {
          for (int i = next.getAndIncrement(); i < messages; i = next.getAndIncrement()) {
            workload.message(i);
          }
        }));
      }
      for (Future<?> worker : workers) {
        worker.get();
      }
      pool.shutdown();
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.println(String.format(Locale.ROOT, "ENVELOPE messages=%d seconds=%.1f generateDataKey=%d "
          + "decrypt=%d attempts=%d throttled=%d cacheHits=%d cacheMisses=%d failed=%d", messages, seconds,
          workload.dataKeys.sum(), workload.decrypts.sum(), counter.attempts.sum(), counter.throttled.sum(),
          counter.cacheHits.sum(), counter.cacheMisses.sum(), workload.failed.sum()));
      if (workload.failed.sum() > 0) {
        System.err.println("ENVELOPE FAILED: " + workload.failed.sum() + " of " + messages
            + " messages failed after retries (first: " + workload.firstFailure.get() + ")");
        System.exit(1);
      }
    }
  }

  /** The key behind {@link #ALIAS}, created (with the alias) the first time. */
  static String findOrCreateKey(KmsClient kms) {
    try {
      return kms.describeKey(r -> r.keyId(ALIAS)).keyMetadata().arn();
    } catch (NotFoundException absent) {
      String arn = kms.createKey(r -> r.description("envelope-load: data keys for tenant messages"))
          .keyMetadata().arn();
      try {
        kms.createAlias(r -> r.aliasName(ALIAS).targetKeyId(arn));
        return arn;
      } catch (AlreadyExistsException raced) {
        return kms.describeKey(r -> r.keyId(ALIAS)).keyMetadata().arn();
      }
    }
  }

  /** One message's work, and what the run did. */
  private static final class Workload {
    private final KmsClient kms;
    private final String keyArn;
    final LongAdder dataKeys = new LongAdder();
    final LongAdder decrypts = new LongAdder();
    final LongAdder failed = new LongAdder();
    final AtomicReference<String> firstFailure = new AtomicReference<>();

    Workload(KmsClient kms, String keyArn) {
      this.kms = kms;
      this.keyArn = keyArn;
    }

    void message(int i) {
      String tenant = "t" + (i % TENANTS);
      Map<String, String> context = Map.of("tenant", tenant);
      byte[] payload = payload(i, tenant);
      try {
        GenerateDataKeyResponse dataKey = kms.generateDataKey(r -> r.keyId(keyArn).keySpec(DataKeySpec.AES_256)
            .encryptionContext(context));
        dataKeys.increment();
        byte[] key = dataKey.plaintext().asByteArray();
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        byte[] sealed;
        try {
          sealed = aesGcm(Cipher.ENCRYPT_MODE, key, iv, tenant, payload);
        } finally {
          Arrays.fill(key, (byte) 0);
        }
        // Stored: iv, sealed and dataKey.ciphertextBlob(). One in ten is read back at once.
        if (i % VERIFY_EVERY == 0) {
          SdkBytes encryptedKey = dataKey.ciphertextBlob();
          byte[] unwrapped = kms.decrypt(r -> r.ciphertextBlob(encryptedKey).encryptionContext(context))
              .plaintext().asByteArray();
          decrypts.increment();
          try {
            if (!Arrays.equals(aesGcm(Cipher.DECRYPT_MODE, unwrapped, iv, tenant, sealed), payload)) {
              throw new IllegalStateException("message " + i + " opened to something else");
            }
          } finally {
            Arrays.fill(unwrapped, (byte) 0);
          }
        }
      } catch (Exception e) {
        failed.increment();
        firstFailure.compareAndSet(null, "message " + i + ": " + e);
      }
    }
  }

  private static byte[] payload(int i, String tenant) {
    StringBuilder text = new StringBuilder(1024).append("{\"tenant\":\"").append(tenant).append("\",\"message\":")
        .append(i).append(",\"body\":\"");
    while (text.length() < 1000) {
      text.append("lorem ipsum ");
    }
    return text.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] aesGcm(int mode, byte[] key, byte[] iv, String tenant, byte[] input) throws Exception {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
    cipher.updateAAD(tenant.getBytes(StandardCharsets.UTF_8));
    return cipher.doFinal(input);
  }

  /**
   * Counts, for GenerateDataKey and Decrypt, every attempt the SDK sends, every answer that is a
   * ThrottlingException (retried or not) and the {@code x-shunt-cache} header's values.
   */
  static final class CallCounter implements ExecutionInterceptor {
    final LongAdder attempts = new LongAdder();
    final LongAdder throttled = new LongAdder();
    final LongAdder cacheHits = new LongAdder();
    final LongAdder cacheMisses = new LongAdder();
    final LongAdder cacheStale = new LongAdder();

    void reset() {
      List.of(attempts, throttled, cacheHits, cacheMisses, cacheStale).forEach(LongAdder::reset);
    }

    private static boolean counted(SdkRequest request) {
      return request instanceof GenerateDataKeyRequest || request instanceof DecryptRequest;
    }

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
      if (counted(context.request())) {
        attempts.increment();
      }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
      if (!counted(context.request())) {
        return;
      }
      switch (context.httpResponse().firstMatchingHeader("x-shunt-cache").orElse("")) {
        case "hit" -> cacheHits.increment();
        case "miss" -> cacheMisses.increment();
        case "stale" -> cacheStale.increment();
        default -> { }
      }
    }

    /** An error answer's body is read (it is small) to learn its code, and handed on unchanged. */
    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
        ExecutionAttributes attributes) {
      Optional<InputStream> body = context.responseBody();
      if (context.httpResponse().isSuccessful() || !counted(context.request())) {
        return body;
      }
      String errorType = context.httpResponse().firstMatchingHeader("x-amzn-ErrorType").orElse("");
      if (errorType.startsWith("ThrottlingException")) {
        throttled.increment();
        return body;
      }
      if (body.isEmpty()) {
        return body;
      }
      try (InputStream in = body.get()) {
        byte[] bytes = in.readAllBytes();
        if (new String(bytes, StandardCharsets.UTF_8).contains("ThrottlingException")) {
          throttled.increment();
        }
        return Optional.of(new ByteArrayInputStream(bytes));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
