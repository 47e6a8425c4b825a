package dev.shunt.backend.ssm;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parameters and service settings of one account in one Region. Parameters sit in a map
 * sorted by name, so a path ({@code /a/b/}) is a contiguous range: GetParametersByPath and
 * DescribeParameters pages seek to their start instead of scanning.
 */
final class SsmRegion {
  final String accountId;
  final String region;
  final ConcurrentSkipListMap<String, Parameter> parameters = new ConcurrentSkipListMap<>();
  final ConcurrentHashMap<String, ServiceSettings.Setting> settings = new ConcurrentHashMap<>();
  /** What the store keeps of each setting (one object per setting, touched by each of its changes). */
  final Map<String, ServiceSettings.Stored> storedSettings;
  /** The keys of the parameters that have resource policies: what DescribeParameters' Shared option looks through. */
  final Set<String> shared = ConcurrentHashMap.newKeySet();
  final AtomicInteger standardCount = new AtomicInteger();
  final AtomicInteger advancedCount = new AtomicInteger();

  SsmRegion(String accountId, String region) {
    this.accountId = accountId;
    this.region = region;
    Map<String, ServiceSettings.Stored> stored = new java.util.HashMap<>();
    ServiceSettings.DEFINITIONS.keySet().forEach(id -> stored.put(id, new ServiceSettings.Stored(this, id)));
    this.storedSettings = Map.copyOf(stored);
  }

  private volatile String lastUser;

  /**
   * The principal ARN as stored in a version's LastModifiedUser: the instance kept from the last
   * write when it is the same principal (the usual case), so a hundred thousand parameters written
   * by one principal hold one copy of it, not one each.
   */
  String user(String principalArn) {
    String known = lastUser;
    if (principalArn.equals(known)) {
      return known;
    }
    lastUser = principalArn;
    return principalArn;
  }

  AtomicInteger counter(String tier) {
    return "Advanced".equals(tier) ? advancedCount : standardCount;
  }
}
