package dev.shunt.backend.cache;

import dev.shunt.backend.config.Durations;
import dev.shunt.backend.config.ShuntOptions;
import dev.shunt.backend.config.ShuntOptions.Option;
import java.time.Duration;
import java.util.Locale;

/**
 * Which caches are on and their bounds, from the options. Every cache is off unless asked for:
 * a cache changes what a caller sees (a data key re-used, a value up to a TTL old).
 *
 * @param dataKeyMaxUses the most requests one cached data key answers, the first included
 * @param maxEntries the most entries each cache holds (an entry of more than 1 KiB counts once per KiB)
 */
public record CacheSettings(boolean dataKeys, Duration dataKeyMaxAge, long dataKeyMaxUses, Duration decryptTtl,
    Duration secretTtl, Duration parameterTtl, int maxEntries) {
  /** What {@code on} means for a TTL: 300 s, as the Parameters and Secrets Lambda extension keeps values. */
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(300);

  public static CacheSettings off() {
    return new CacheSettings(false, DEFAULT_TTL, 1L << 32, Duration.ZERO, Duration.ZERO, Duration.ZERO, 10_000);
  }

  /** The settings the options give; IllegalArgumentException naming the option when one is malformed. */
  public static CacheSettings fromOptions(ShuntOptions options) {
    String dataKeys = options.get(Option.DATA_KEY_CACHE).trim().toLowerCase(Locale.ROOT);
    if (!dataKeys.equals("on") && !dataKeys.equals("off")) {
      throw new IllegalArgumentException("data-key-cache must be on or off, not '" + dataKeys + "'");
    }
    Duration maxAge = Durations.parse(Option.DATA_KEY_CACHE_MAX_AGE.key(), options.get(Option.DATA_KEY_CACHE_MAX_AGE));
    if (maxAge.isZero()) {
      throw new IllegalArgumentException("data-key-cache-max-age must be more than 0 (turn the cache off instead)");
    }
    long maxUses = options.getLong(Option.DATA_KEY_CACHE_MAX_USES);
    if (maxUses < 1) {
      throw new IllegalArgumentException("data-key-cache-max-uses must be at least 1");
    }
    long maxEntries = options.getLong(Option.CACHE_MAX_ENTRIES);
    if (maxEntries < 1 || maxEntries > 1_000_000) {
      throw new IllegalArgumentException("cache-max-entries must be 1 to 1000000");
    }
    return new CacheSettings(dataKeys.equals("on"), maxAge, maxUses, ttl(options, Option.DECRYPT_CACHE_TTL),
        ttl(options, Option.SECRET_CACHE_TTL), ttl(options, Option.PARAMETER_CACHE_TTL), (int) maxEntries);
  }

  private static Duration ttl(ShuntOptions options, Option option) {
    String text = options.get(option).trim().toLowerCase(Locale.ROOT);
    return switch (text) {
      case "on" -> DEFAULT_TTL;
      case "off" -> Duration.ZERO;
      default -> Durations.parse(option.key(), text);
    };
  }
}
