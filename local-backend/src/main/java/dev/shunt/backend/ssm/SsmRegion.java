package dev.shunt.backend.ssm;

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
  final AtomicInteger standardCount = new AtomicInteger();
  final AtomicInteger advancedCount = new AtomicInteger();

  SsmRegion(String accountId, String region) {
    this.accountId = accountId;
    this.region = region;
  }

  AtomicInteger counter(String tier) {
    return "Advanced".equals(tier) ? advancedCount : standardCount;
  }
}
