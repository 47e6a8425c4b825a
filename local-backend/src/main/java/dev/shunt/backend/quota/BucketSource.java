package dev.shunt.backend.quota;

import io.github.bucket4j.Bucket;

/**
 * Where the quota engine's token buckets come from: this node's memory ({@link #LOCAL}, each node
 * its own quota), or a store every node pointed at it shares ({@link RedisQuotaStore}, one quota
 * across the cluster). The engine asks once per (account, Region, quota group) and keeps the bucket.
 */
public interface BucketSource {
  /** Each node its own buckets, in memory: {@link QuotaEngine#bucket(double)}. */
  BucketSource LOCAL = (accountId, region, group, rate) -> QuotaEngine.bucket(rate);

  /**
   * The bucket of a quota group in an account's Region, sustaining {@code rate} requests per second
   * and holding one second of them (a rate of zero throttles everything).
   */
  Bucket bucket(String accountId, String region, String group, double rate);

  /** The engine's configuration was replaced: buckets asked for from now on follow the new rates. */
  default void configurationChanged() {}
}
