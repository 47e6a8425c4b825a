package dev.shunt.backend.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.shunt.backend.audit.AuditFacts;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.Json;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One cache of answers (data keys, decrypts, secret values or parameters), by a key that holds
 * the caller and the whole request. Caffeine keeps the entries, bounded in number and size and
 * timed; concurrent misses of one key make one call (single flight: the first request leads,
 * the others wait for its answer); an entry goes when a resource it came from changes (its
 * tags). Plaintext handed out is always a copy, so that an entry's own is wiped when it goes.
 */
public final class ResponseCache {
  /** An answer served from the cache (or from the call another request made): a copy of its own. */
  public record Hit(ObjectNode answer, AuditFacts facts, boolean stale) {}

  /** What a lookup found: a hit, a call under way to wait for, or the lead of a new call. */
  public sealed interface Lookup permits Found, Wait, Lead {}

  public record Found(Hit hit) implements Lookup {}

  /**
   * Another request's call for the same key is under way: its answer (a hit), or its error; or
   * null when it cannot serve this request too (a data key at its use limit): look up again.
   */
  public record Wait(CompletableFuture<Hit> answer) implements Lookup {}

  private final CacheFamily family;
  private final Set<String> secretFields;
  private final Duration freshFor;
  private final long maxUses;
  private final Ticker ticker;
  private final Cache<String, Entry> entries;
  private final ConcurrentHashMap<String, Lead> inFlight = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Set<String>> keysByTag = new ConcurrentHashMap<>();
  /** Moves at every invalidation: a call that began before one may not store what it read. */
  private final AtomicLong generation = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final LongAdder staleHits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder evictedBySize = new LongAdder();
  private final LongAdder expired = new LongAdder();
  private final LongAdder invalidated = new LongAdder();
  private final LongAdder usedUp = new LongAdder();

  /**
   * @param freshFor how long an entry answers; {@code keepStaleFor} more it is kept, to answer
   *     when a refresh fails for a passing reason (throttling, a 5xx, no answer)
   * @param maxUses the most requests one entry answers (the first call included)
   */
  ResponseCache(CacheFamily family, Set<String> secretFields, Duration freshFor, Duration keepStaleFor, long maxUses,
      int maxEntries, Ticker ticker) {
    this.family = family;
    this.secretFields = secretFields;
    this.freshFor = freshFor;
    this.maxUses = maxUses;
    this.ticker = ticker;
    this.entries = Caffeine.newBuilder()
        .maximumWeight(maxEntries)
        .weigher((String key, Entry entry) -> entry.weight)
        .expireAfterWrite(freshFor.plus(keepStaleFor))
        .ticker(ticker)
        // Removal runs on the thread that caused it: wiping plaintext must not wait for a pool.
        .executor(Runnable::run)
        .removalListener((String key, Entry entry, RemovalCause cause) -> removed(key, entry, cause))
        .build();
  }

  CacheFamily family() {
    return family;
  }

  /** Finds {@code key}: a fresh entry with uses left, a call under way, or else this request leads a call. */
  public Lookup lookup(String key) {
    Entry entry = entries.getIfPresent(key);
    if (entry != null) {
      if (ticker.read() < entry.freshUntil) {
        Hit hit = entry.use(false);
        if (hit != null) {
          hits.increment();
          return new Found(hit);
        }
      }
    }
    Lead lead = new Lead(key, entry, generation.get());
    Lead running = inFlight.putIfAbsent(key, lead);
    if (running != null) {
      hits.increment();
      return new Wait(running.shared.thenApply(shared -> shared == null ? null : shared.use(running.servedStale)));
    }
    misses.increment();
    return lead;
  }

  /** Drops every entry made from a resource with this tag (a key, a secret, a parameter changed). */
  public void invalidate(String tag) {
    generation.incrementAndGet();
    Set<String> keys = keysByTag.remove(tag);
    if (keys != null) {
      invalidated.add(keys.size());
      entries.invalidateAll(keys);
    }
  }

  /** Drops every entry and zeroes the counters (the admin reset). */
  public void clear() {
    generation.incrementAndGet();
    entries.invalidateAll();
    keysByTag.clear();
    for (LongAdder counter : List.of(hits, staleHits, misses, evictedBySize, expired, invalidated, usedUp)) {
      counter.reset();
    }
  }

  /** This cache's counters and size, for {@code GET /_shunt/quotas}. */
  ObjectNode report(double usdPerRequest) {
    long served = hits.sum() + staleHits.sum();
    return Json.object().put("enabled", true).put("hits", hits.sum()).put("staleHits", staleHits.sum())
        .put("misses", misses.sum()).put("entries", entries.estimatedSize())
        .put("evictedBySize", evictedBySize.sum()).put("expired", expired.sum())
        .put("invalidated", invalidated.sum()).put("usedUp", usedUp.sum())
        .put("requestsSaved", served).put("costSavedUsd", served * usdPerRequest);
  }

  void read(dev.shunt.backend.audit.AuditTelemetry.CacheReading reading, double usdPerRequest) {
    reading.of(family.reportName, evictedBySize.sum() + expired.sum(), entries.estimatedSize(),
        (hits.sum() + staleHits.sum()) * usdPerRequest);
  }

  private void removed(String key, Entry entry, RemovalCause cause) {
    if (entry == null) {
      return;
    }
    entry.wipe();
    if (cause == RemovalCause.REPLACED) {
      return;
    }
    switch (cause) {
      case SIZE, COLLECTED -> evictedBySize.increment();
      case EXPIRED -> expired.increment();
      default -> { }
    }
    for (String tag : entry.tags) {
      keysByTag.computeIfPresent(tag, (t, keys) -> {
        keys.remove(key);
        return keys.isEmpty() ? null : keys;
      });
    }
  }

  /**
   * The call this request makes for a key nobody has an answer for: when it ends, tell it
   * ({@link #succeeded} or {@link #failed}), and the requests that waited get the same.
   */
  public final class Lead implements Lookup {
    private final String key;
    private final Entry stale;
    private final long startedAt;
    private final CompletableFuture<Entry> shared = new CompletableFuture<>();
    private volatile boolean servedStale;

    private Lead(String key, Entry stale, long startedAt) {
      this.key = key;
      this.stale = stale;
      this.startedAt = startedAt;
    }

    /**
     * The call answered: keep its answer (unless something it may have read changed meanwhile).
     *
     * @param tags the resources whose change makes the answer wrong
     */
    public void succeeded(ObjectNode answer, AuditFacts facts, Collection<String> tags) {
      Entry entry = new Entry(key, privateCopy(answer), facts, ticker.read() + freshFor.toNanos(), tags);
      entry.uses.set(1);
      if (generation.get() == startedAt && maxUses > 1) {
        for (String tag : entry.tags) {
          keysByTag.computeIfAbsent(tag, t -> ConcurrentHashMap.newKeySet()).add(key);
        }
        entries.put(key, entry);
        if (generation.get() != startedAt) {
          entries.asMap().remove(key, entry);
        }
      }
      inFlight.remove(key, this);
      shared.complete(entry);
    }

    /**
     * The call failed. When it failed for a passing reason and an older answer is still kept,
     * that answer serves this request (returned) and the waiting ones; otherwise null, and the
     * waiting requests get the same error.
     */
    public Hit failed(AwsException error) {
      inFlight.remove(key, this);
      if (stale != null && passing(error)) {
        servedStale = true;
        shared.complete(stale);
        staleHits.increment();
        return stale.use(true);
      }
      shared.completeExceptionally(error);
      return null;
    }
  }

  /** Throttling, a server error, or no answer: what the caching clients ride out on the value they have. */
  static boolean passing(AwsException error) {
    return error.httpStatus() >= 500 || error.code().contains("Throttl") || error.code().equals("TooManyRequestsException")
        || error.code().equals("RequestLimitExceeded");
  }

  /** A copy whose binary secret fields are arrays of its own, which only the entry holds. */
  private ObjectNode privateCopy(ObjectNode answer) {
    ObjectNode copy = answer.deepCopy();
    for (String field : secretFields) {
      JsonNode value = copy.get(field);
      if (value instanceof BinaryNode binary) {
        copy.set(field, BinaryNode.valueOf(binary.binaryValue().clone()));
      }
    }
    return copy;
  }

  private final class Entry {
    final String key;
    final ObjectNode answer;
    final AuditFacts facts;
    final long freshUntil;
    final List<String> tags;
    final int weight;
    final AtomicLong uses = new AtomicLong();
    /** Set once its plaintext is wiped: from then on it hands nothing out. */
    private boolean wiped;

    Entry(String key, ObjectNode answer, AuditFacts facts, long freshUntil, Collection<String> tags) {
      this.key = key;
      this.answer = answer;
      this.facts = facts;
      this.freshUntil = freshUntil;
      this.tags = List.copyOf(tags);
      // One per entry, and one more per KiB it holds: the bound holds bytes as well as entries.
      this.weight = 1 + Json.write(answer).length / 1024;
    }

    /** Hands this entry out once more, or null (and drops it) when its uses are spent. */
    Hit use(boolean staleAnswer) {
      long n = uses.incrementAndGet();
      if (n > maxUses) {
        dropUsedUp();
        return null;
      }
      ObjectNode copy;
      synchronized (this) {
        if (wiped) {
          return null;
        }
        copy = handOut();
      }
      if (n == maxUses) {
        dropUsedUp();
      }
      return new Hit(copy, facts, staleAnswer);
    }

    private void dropUsedUp() {
      if (entries.asMap().remove(key, this)) {
        usedUp.increment();
      }
    }

    private ObjectNode handOut() {
      if (secretFields.isEmpty()) {
        return answer;
      }
      return privateCopy(answer);
    }

    synchronized void wipe() {
      wiped = true;
      for (String field : secretFields) {
        JsonNode value = answer.get(field);
        if (value instanceof BinaryNode binary) {
          Arrays.fill(binary.binaryValue(), (byte) 0);
        }
      }
    }
  }
}
