package dev.shunt.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kms.KmsClient;

/**
 * An application that calls KMS harder than its quota allows: {@code --calls N} (20) GenerateRandom
 * calls from {@code --threads T} (4) threads through one client with the SDK's standard retry mode,
 * then reports each call as {@code THROTTLED call I ok} or {@code THROTTLED call I fail CODE} and
 * {@code THROTTLED done ok=N failed=M}. It knows nothing of Shunt: whatever it learns about its
 * retries, Shunt's interceptors tell.
 */
public final class ThrottledClient {
  private ThrottledClient() {}

  public static void main(String[] args) throws Exception {
    int calls = 20;
    int threads = 4;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--calls")) {
        calls = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--threads")) {
        threads = Integer.parseInt(args[++i]);
      }
    }
    System.out.println("THROTTLED pid " + ProcessHandle.current().pid());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (KmsClient kms = KmsClient.builder().httpClient(UrlConnectionHttpClient.create())
        .overrideConfiguration(c -> c.retryPolicy(RetryMode.STANDARD)).build()) {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        results.add(pool.submit(() -> call(kms)));
      }
      int ok = 0;
      for (int i = 0; i < calls; i++) {
        String result = results.get(i).get();
        ok += result.equals("ok") ? 1 : 0;
        System.out.println("THROTTLED call " + (i + 1) + " " + result);
      }
      System.out.println("THROTTLED done ok=" + ok + " failed=" + (calls - ok));
    } finally {
      pool.shutdown();
    }
  }

  private static String call(KmsClient kms) {
    try {
      int bytes = kms.generateRandom(r -> r.numberOfBytes(16)).plaintext().asByteArray().length;
      return bytes == 16 ? "ok" : "fail " + bytes + " bytes";
    } catch (AwsServiceException e) {
      return "fail " + e.awsErrorDetails().errorCode();
    } catch (SdkException e) {
      return "fail " + e.getClass().getSimpleName();
    }
  }
}
