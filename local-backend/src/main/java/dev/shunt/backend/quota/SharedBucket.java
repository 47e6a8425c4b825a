package dev.shunt.backend.quota;

import io.github.bucket4j.BlockingBucket;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketListener;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.SchedulingBucket;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseBucket;
import io.github.bucket4j.distributed.BucketProxy;

/**
 * One quota group's bucket in Redis, shared by every node, with this node's stand-in for when Redis
 * cannot be reached: a local bucket at the group's rate divided by the nodes that were alive when
 * Redis was last seen. A failed Redis call never fails the request: it is answered by the stand-in,
 * and the store stops calling Redis until its heartbeat finds it again. Only {@link #tryConsume} is
 * on the request path; the rest of {@link Bucket} goes to whichever bucket is in force.
 */
final class SharedBucket implements Bucket {
  private final RedisQuotaStore store;
  private final BucketProxy remote;
  private final double rate;
  /**
   * Whether Redis's last answer for this bucket was a refusal: the shared bucket was empty, as under
   * load, so a stand-in starts empty too (no burst when Redis goes); otherwise it starts full.
   */
  private volatile boolean exhausted;
  private volatile Fallback fallback;

  /** The stand-in bucket of one outage. */
  private record Fallback(RedisQuotaStore.Outage outage, Bucket bucket) {}

  SharedBucket(RedisQuotaStore store, BucketProxy remote, double rate) {
    this.store = store;
    this.remote = remote;
    this.rate = rate;
  }

  @Override
  public boolean tryConsume(long numTokens) {
    if (store.outage() == null) {
      store.checking();
      try {
        boolean taken = remote.tryConsume(numTokens);
        if (taken == exhausted) {
          exhausted = !taken;
        }
        return taken;
      } catch (RuntimeException e) {
        store.lost(e);
      }
    }
    return standIn().tryConsume(numTokens);
  }

  /** The bucket in Redis (through its local copy). */
  BucketProxy remote() {
    return remote;
  }

  /** The local bucket of the current outage (made at its first use). */
  private Bucket standIn() {
    RedisQuotaStore.Outage outage = store.outage();
    Fallback current = fallback;
    if (current != null && (outage == null || current.outage == outage)) {
      return current.bucket;
    }
    synchronized (this) {
      current = fallback;
      if (current == null || outage != null && current.outage != outage) {
        RedisQuotaStore.Outage of = outage != null ? outage : store.outageOrNone();
        Bucket bucket = QuotaEngine.bucket(rate / of.nodes());
        if (exhausted) {
          bucket.tryConsumeAsMuchAsPossible();
        }
        current = new Fallback(of, bucket);
        fallback = current;
      }
      return current.bucket;
    }
  }

  /** The bucket in force: Redis's while it is reachable, else this node's stand-in. */
  private Bucket inForce() {
    return store.outage() == null ? remote : standIn();
  }

  @Override
  public BlockingBucket asBlocking() {
    return inForce().asBlocking();
  }

  @Override
  public SchedulingBucket asScheduler() {
    return inForce().asScheduler();
  }

  @Override
  public VerboseBucket asVerbose() {
    return inForce().asVerbose();
  }

  @Override
  public long consumeIgnoringRateLimits(long tokens) {
    return inForce().consumeIgnoringRateLimits(tokens);
  }

  @Override
  public ConsumptionProbe tryConsumeAndReturnRemaining(long numTokens) {
    return inForce().tryConsumeAndReturnRemaining(numTokens);
  }

  @Override
  public EstimationProbe estimateAbilityToConsume(long numTokens) {
    return inForce().estimateAbilityToConsume(numTokens);
  }

  @Override
  public long tryConsumeAsMuchAsPossible() {
    return inForce().tryConsumeAsMuchAsPossible();
  }

  @Override
  public long tryConsumeAsMuchAsPossible(long limit) {
    return inForce().tryConsumeAsMuchAsPossible(limit);
  }

  @Override
  public void addTokens(long tokensToAdd) {
    inForce().addTokens(tokensToAdd);
  }

  @Override
  public void forceAddTokens(long tokensToAdd) {
    inForce().forceAddTokens(tokensToAdd);
  }

  @Override
  public void reset() {
    inForce().reset();
  }

  @Override
  public long getAvailableTokens() {
    return inForce().getAvailableTokens();
  }

  @Override
  public void replaceConfiguration(BucketConfiguration newConfiguration,
      TokensInheritanceStrategy tokensInheritanceStrategy) {
    inForce().replaceConfiguration(newConfiguration, tokensInheritanceStrategy);
  }

  @Override
  public Bucket toListenable(BucketListener listener) {
    return inForce().toListenable(listener);
  }
}
