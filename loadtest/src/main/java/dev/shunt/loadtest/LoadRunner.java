package dev.shunt.loadtest;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the stages of a load, one after the other, against a {@link LoadTarget}, counting in
 * {@link LoadStats}.
 *
 * <ul>
 *   <li><b>Open loop</b> (a rate): calls are scheduled at fixed intervals whatever the answers do;
 *       each is handed to a worker (up to the run's maximum in flight, then a queue), and its
 *       latency is measured from when it was <i>meant</i> to start, so a slow or retrying server
 *       shows as latency rather than as a quietly lower rate (no coordinated omission). A call that
 *       finds every worker busy and the queue full is counted as skipped.</li>
 *   <li><b>Closed loop</b> (a concurrency): that many workers each make one call after another.</li>
 * </ul>
 * Operations are mixed by their weights in a fixed order (smooth weighted round robin), so a
 * short run has the mix it was asked for. When the last stage ends, calls in flight are waited for
 * (they end within the SDK's call timeout).
 */
final class LoadRunner {
  /** How long calls still in flight at the end are waited for: the SDK's call timeout, and a margin. */
  private static final long DRAIN_MILLIS = 75_000;

  private final List<LoadProfile.Stage> stages;
  private final int[] schedule;
  private final LoadTarget target;
  private final LoadStats stats;
  private final RunClock clock;
  private final int maxInFlight;
  private final PrintStream progress;
  private final AtomicLong next = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();

  LoadRunner(List<LoadProfile.Stage> stages, List<Integer> weights, LoadTarget target, LoadStats stats, RunClock clock,
      int maxInFlight, PrintStream progress) {
    this.stages = List.copyOf(stages);
    this.schedule = schedule(weights);
    this.target = target;
    this.stats = stats;
    this.clock = clock;
    this.maxInFlight = maxInFlight;
    this.progress = progress;
  }

  /** What a run did: when it started, when its stages ended, when its last call ended, and calls never ended. */
  record Result(long startMillis, long stagesEndMillis, long lastCallEndMillis, int unfinished) {}

  /** Runs every stage from {@code startMillis} (an epoch millisecond, waited for) and waits for the calls in flight. */
  Result run(long startMillis) throws InterruptedException {
    ThreadPoolExecutor pool = new ThreadPoolExecutor(maxInFlight, maxInFlight, 10, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(Math.max(1000, maxInFlight * 4)), daemons("shunt-load"));
    pool.allowCoreThreadTimeOut(true);
    List<Thread> loops = new ArrayList<>();
    AtomicLong lastEnd = new AtomicLong(startMillis);
    long stageStart = clock.nanosAt(startMillis);
    sleepUntil(stageStart);
    for (LoadProfile.Stage stage : stages) {
      long stageEnd = stageStart + stage.duration().toNanos();
      if (stage.rate() > 0) {
        openLoop(stage.rate(), stageStart, stageEnd, pool, lastEnd);
      } else {
        for (int i = 0; i < stage.concurrency(); i++) {
          long end = stageEnd;
          Thread loop = new Thread(() -> closedLoop(end, lastEnd), "shunt-load-loop-" + i);
          loop.setDaemon(true);
          loop.start();
          loops.add(loop);
        }
        sleepUntil(stageEnd);
      }
      stageStart = stageEnd;
    }
    long stagesEnd = clock.epochMillis(stageStart);
    pool.shutdown();
    long drainUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
    pool.awaitTermination(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    for (Thread loop : loops) {
      loop.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(drainUntil - System.nanoTime())));
    }
    int unfinished = inFlight.get();
    pool.shutdownNow();
    loops.forEach(Thread::interrupt);
    return new Result(startMillis, stagesEnd, Math.max(lastEnd.get(), stagesEnd), unfinished);
  }

  private void openLoop(double rate, long startNanos, long endNanos, ThreadPoolExecutor pool, AtomicLong lastEnd) {
    double interval = 1e9 / rate;
    for (long k = 0; ; k++) {
      long intended = startNanos + (long) (k * interval);
      if (intended >= endNanos) {
        return;
      }
      sleepUntil(intended);
      int op = nextOperation();
      long intendedMillis = clock.epochMillis(intended);
      stats.offered(op, intendedMillis);
      try {
        pool.execute(() -> timedCall(op, intended, lastEnd));
      } catch (RejectedExecutionException e) {
        stats.skipped(op, intendedMillis);
      }
    }
  }

  private void closedLoop(long endNanos, AtomicLong lastEnd) {
    while (!Thread.currentThread().isInterrupted()) {
      long start = System.nanoTime();
      if (start >= endNanos) {
        return;
      }
      int op = nextOperation();
      stats.offered(op, clock.epochMillis(start));
      timedCall(op, start, lastEnd);
    }
  }

  private void timedCall(int op, long intendedNanos, AtomicLong lastEnd) {
    inFlight.incrementAndGet();
    try {
      String error = target.call(op);
      long end = System.nanoTime();
      long endMillis = clock.epochMillis(end);
      stats.call(op, endMillis, Math.max(0, end - intendedNanos) / 1000, error);
      lastEnd.accumulateAndGet(endMillis, Math::max);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private int nextOperation() {
    return schedule[(int) (next.getAndIncrement() % schedule.length)];
  }

  /** A fixed order of operation indexes in which each appears as often as its weight, spread out (nginx's smooth WRR). */
  static int[] schedule(List<Integer> weights) {
    int total = weights.stream().mapToInt(Integer::intValue).sum();
    int[] order = new int[total];
    int[] current = new int[weights.size()];
    for (int slot = 0; slot < total; slot++) {
      int best = 0;
      for (int i = 0; i < current.length; i++) {
        current[i] += weights.get(i);
        if (current[i] > current[best]) {
          best = i;
        }
      }
      current[best] -= total;
      order[slot] = best;
    }
    return order;
  }

  /** Sleeps until the {@link System#nanoTime()} reading {@code deadline} (the JDK's parking: about 60 µs late at worst). */
  static void sleepUntil(long deadline) {
    for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
      LockSupport.parkNanos(left);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** One line of progress: the last whole second's offered and accepted per operation. */
  void report(long epochSecond) {
    if (progress == null) {
      return;
    }
    StringBuilder line = new StringBuilder("loadtest: ");
    var second = stats.seconds(epochSecond, epochSecond).get(0).path("operations");
    List<String> ops = stats.operations();
    for (int i = 0; i < ops.size(); i++) {
      var op = second.path(ops.get(i));
      line.append(i == 0 ? "" : "; ").append(ops.get(i)).append(String.format(Locale.ROOT,
          " offered %d/s, accepted %d/s, throttled %d, retries %d, errors %d",
          op.path("offered").asLong(), op.path("accepted").asLong(), op.path("throttled").asLong(),
          op.path("retries").asLong(), op.path("errors").asLong()));
    }
    line.append(String.format(Locale.ROOT, " (%d in flight)", inFlight.get()));
    progress.println(line);
  }

  private static java.util.concurrent.ThreadFactory daemons(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
