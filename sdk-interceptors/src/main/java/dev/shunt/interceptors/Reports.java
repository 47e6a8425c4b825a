package dev.shunt.interceptors;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Shunt's lines on stderr that are said once, whatever happens again: the agent is a guest, not a chatterbox. */
final class Reports {
  private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

  private Reports() {}

  /** Prints {@code line} unless a line was already said for {@code key}. */
  static void once(String key, String line) {
    if (SAID.add(key)) {
      System.err.println(line);
    }
  }
}
