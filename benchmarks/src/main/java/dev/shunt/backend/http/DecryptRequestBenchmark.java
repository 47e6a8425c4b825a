package dev.shunt.backend.http;

import dev.shunt.backend.audit.AuditLog;
import dev.shunt.backend.audit.AuditTelemetry;
import dev.shunt.backend.audit.Auditor;
import dev.shunt.backend.auth.AuthMode;
import dev.shunt.backend.auth.Authenticator;
import dev.shunt.backend.core.RequestIds;
import dev.shunt.backend.fault.FaultInjector;
import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.QuotaEngine;
import dev.shunt.backend.stats.LiveStats;
import dev.shunt.backend.time.ShuntClock;
import dev.shunt.benchmarks.jmh.KmsFixture;
import dev.shunt.benchmarks.jmh.SigV4Benchmark;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One whole KMS Decrypt as the server handles it, without sockets or the HTTP codec: a request id,
 * {@link AwsRequestProcessor#process} (route, SigV4 check, parse, a quota check that never throttles, faults,
 * validation, the operation, audit into memory with no OpenTelemetry, the live statistics of
 * {@code /_shunt/stats}), then the response with its audit headers, released. {@code -p liveStats=false,true}
 * tells what the live statistics cost. The sum the per-step benchmarks of this package and
 * {@code dev.shunt.benchmarks.jmh} break down. In this package because {@code process} is
 * package-private. Its call graph is large: on a small machine the JIT needs the longer warmup
 * (the first seconds run 10 to 20 times slower).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DecryptRequestBenchmark {
  /** A quota bucket that is checked but never empty: one thread here outruns us-east-1's 100,000 rps. */
  private static final QuotaConfig UNREACHED_QUOTA = QuotaConfig.parse(dev.shunt.backend.core.Json.parseRequest(
      "{\"rates\": {\"kms:symmetric\": 1e8}}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

  /** Whether requests are counted in the live statistics, as the server does. */
  @Param({"true"})
  public boolean liveStats;

  private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
  private AwsRequestProcessor processor;
  private AuditLog auditLog;
  private byte[] body;
  private FullHttpRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    KmsFixture kms = new KmsFixture();
    body = KmsFixture.decryptBody(kms.encrypt(KmsFixture.bytes(32)), null).getBytes(StandardCharsets.UTF_8);
    Authenticator authenticator = KmsFixture.authenticator(AuthMode.SIGV4);
    auditLog = new AuditLog(1000, null, 0, 0);
    ShuntClock clock = new ShuntClock();
    QuotaEngine quotas = new QuotaEngine(UNREACHED_QUOTA, (account, region) -> false);
    processor = new AwsRequestProcessor(kms.router, authenticator, clock, quotas, new FaultInjector(),
        new Auditor(auditLog, new AuditTelemetry(null),
            liveStats ? new LiveStats(clock, quotas::ratesByOperation) : null, null));
  }

  @Setup(Level.Iteration)
  public void sign() {
    request = SigV4Benchmark.signedRequest(body);
    // decrypt() throws the error of any answer but a success.
    decrypt();
  }

  @TearDown(Level.Iteration)
  public void release() {
    request.release();
  }

  @TearDown(Level.Trial)
  public void close() {
    auditLog.close();
  }

  @Benchmark
  public int decrypt() {
    String requestId = RequestIds.next();
    AwsRequestProcessor.Result result = processor.process(request, requestId, "127.0.0.1");
    if (result.error() != null) {
      throw result.error();
    }
    FullHttpResponse response = AwsResponses.success(alloc, result.body(), requestId);
    try {
      if (result.audit() != null) {
        AwsResponses.auditHeaders(response.headers(), result.audit());
      }
      return response.content().readableBytes() + response.headers().size();
    } finally {
      response.release();
    }
  }
}
