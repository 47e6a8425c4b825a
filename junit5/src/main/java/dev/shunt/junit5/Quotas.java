package dev.shunt.junit5;

import dev.shunt.backend.quota.QuotaConfig;
import dev.shunt.backend.quota.QuotaEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The test backend's request quotas, for the test under way: what a test sets here is undone
 * after it, leaving the class's (by default {@code off}). Rates are requests per second per
 * account and Region, for a quota group ({@code kms:symmetric}, {@code secretsmanager:GetSecretValue})
 * or one operation ({@code kms:Decrypt}); see docs/quotas.md. A bucket holds one second of its
 * rate and starts full, and every bucket is refilled when the quotas change:
 * <pre>
 * shunt.quotas().rate("kms:Decrypt", 2);   // the third Decrypt in a second is throttled
 * shunt.quotas().rate("kms:Decrypt", 0);   // every Decrypt is throttled
 * shunt.quotas().aws().scale(0.01);        // AWS's quotas, at a hundredth
 * </pre>
 * With quotas off, a rate limits only what it names.
 */
public final class Quotas {
  /** The scale that makes every AWS default unlimited, for "off but for the rates named". */
  private static final double UNLIMITED_SCALE = 1e9;

  private final QuotaEngine engine;
  private volatile QuotaConfig classConfig;
  private volatile boolean changed;

  Quotas(QuotaEngine engine) {
    this.engine = engine;
    this.classConfig = engine.config();
  }

  /** Limits a quota group or an operation ({@code kms:Decrypt}) to {@code requestsPerSecond} (0 throttles every request). */
  public synchronized Quotas rate(String name, double requestsPerSecond) {
    Objects.requireNonNull(name, "name");
    if (name.indexOf(':') <= 0) {
      throw new IllegalArgumentException("Quota names are service:group or service:Operation (kms:Decrypt), not '"
          + name + "'");
    }
    if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
      throw new IllegalArgumentException("A rate is zero or more requests per second, not " + requestsPerSecond);
    }
    QuotaConfig current = engine.config();
    Map<String, Double> rates = new LinkedHashMap<>(current.rates());
    rates.put(name, requestsPerSecond);
    double scale = current.enabled() ? current.scale() : UNLIMITED_SCALE;
    return apply(new QuotaConfig(true, scale, rates, current.accounts()));
  }

  /** AWS's default quotas (the rates set before are kept). */
  public synchronized Quotas aws() {
    QuotaConfig current = engine.config();
    return apply(new QuotaConfig(true, 1.0, current.rates(), current.accounts()));
  }

  /** Multiplies AWS's default quotas by {@code factor} (and turns them on). */
  public synchronized Quotas scale(double factor) {
    if (!(factor >= 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("A scale is zero or more, not " + factor);
    }
    QuotaConfig current = engine.config();
    return apply(new QuotaConfig(true, factor, current.rates(), current.accounts()));
  }

  /** No quota at all: nothing is throttled (but by an injected fault). */
  public synchronized Quotas off() {
    return apply(QuotaConfig.off());
  }

  /** Whether any quota is enforced. */
  public boolean enforced() {
    return engine.config().enabled();
  }

  private Quotas apply(QuotaConfig config) {
    engine.configure(config);
    changed = true;
    return this;
  }

  /** The quotas now in force become the class's. */
  synchronized void keepAsClassQuotas() {
    classConfig = engine.config();
    changed = false;
  }

  /** Back to the class's quotas, if a test changed them. */
  synchronized void restore() {
    if (changed) {
      engine.configure(classConfig);
      changed = false;
    }
  }
}
