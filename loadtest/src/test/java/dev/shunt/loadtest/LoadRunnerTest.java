package dev.shunt.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The open and the closed loop against a target that answers after a set time, a second or two each. */
class LoadRunnerTest {
  /** Answers every call after {@code millis}, counting them per operation. */
  private static final class Sleepy implements LoadTarget {
    final long millis;
    final AtomicInteger[] calls = {new AtomicInteger(), new AtomicInteger()};
    final AtomicInteger concurrent = new AtomicInteger();
    final AtomicInteger mostConcurrent = new AtomicInteger();

    Sleepy(long millis) {
      this.millis = millis;
    }

    @Override
    public String call(int op) {
      mostConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
      calls[op].incrementAndGet();
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "Interrupted";
      } finally {
        concurrent.decrementAndGet();
      }
      return op == 1 ? "Boom" : null;
    }

    @Override
    public void close() {}
  }

  private static LoadRunner.Result run(LoadRunner runner, RunClock clock) throws InterruptedException {
    return runner.run((clock.nowMillis() / 1000 + 1) * 1000);
  }

  @Test
  void theOpenLoopOffersExactlyItsRateAndMixesByWeight() throws Exception {
    RunClock clock = new RunClock();
    LoadStats stats = new LoadStats(List.of("a", "b"));
    Sleepy target = new Sleepy(1);
    LoadRunner.Result result = run(new LoadRunner(List.of(new LoadProfile.Stage(40, 0, Duration.ofSeconds(1))),
        List.of(3, 1), target, stats, clock, 16, null), clock);
    JsonNode totals = stats.totals(1);
    assertThat(totals.path("a").path("offered").asLong()).isEqualTo(30);
    assertThat(totals.path("b").path("offered").asLong()).isEqualTo(10);
    assertThat(totals.path("a").path("completed").asLong()).isEqualTo(30);
    assertThat(totals.path("b").path("errors").asLong()).isEqualTo(10);
    assertThat(totals.path("b").path("errorCodes").path("Boom").asLong()).isEqualTo(10);
    assertThat(result.unfinished()).isZero();
    assertThat(result.stagesEndMillis() - result.startMillis()).isEqualTo(1000);
    // Every call was offered in the run's one second.
    assertThat(stats.span()[0]).isEqualTo(result.startMillis() / 1000);
  }

  @Test
  void aSlowTargetShowsAsLatencyFromTheScheduledStartNotAsALowerRate() throws Exception {
    RunClock clock = new RunClock();
    LoadStats stats = new LoadStats(List.of("a"));
    // 20 calls scheduled in one second; one worker, each call 100 ms: the last starts about a second late.
    Sleepy target = new Sleepy(100);
    run(new LoadRunner(List.of(new LoadProfile.Stage(20, 0, Duration.ofSeconds(1))), List.of(1), target, stats,
        clock, 1, null), clock);
    JsonNode totals = stats.totals(1).path("a");
    assertThat(totals.path("offered").asLong()).isEqualTo(20);
    assertThat(totals.path("completed").asLong()).isEqualTo(20);
    assertThat(target.mostConcurrent.get()).isEqualTo(1);
    assertThat(totals.path("latency").path("p50").asLong()).isGreaterThan(400_000);
    assertThat(totals.path("latency").path("max").asLong()).isGreaterThan(900_000);
  }

  @Test
  void theClosedLoopKeepsItsConcurrencyBusy() throws Exception {
    RunClock clock = new RunClock();
    LoadStats stats = new LoadStats(List.of("a"));
    Sleepy target = new Sleepy(20);
    LoadRunner.Result result = run(new LoadRunner(List.of(new LoadProfile.Stage(0, 3, Duration.ofSeconds(1))),
        List.of(1), target, stats, clock, 16, null), clock);
    JsonNode totals = stats.totals(1).path("a");
    // Three workers, 20 ms a call, one second: about 150 calls, never more than three at once.
    assertThat(totals.path("offered").asLong()).isBetween(60L, 153L).isEqualTo(totals.path("completed").asLong());
    assertThat(target.mostConcurrent.get()).isEqualTo(3);
    assertThat(totals.path("latency").path("p50").asLong()).isBetween(19_000L, 200_000L);
    assertThat(result.unfinished()).isZero();
  }
}
