package dev.shunt.interceptors;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Shunt's lines on stderr that are said once, whatever happens again: the agent is a guest, not a chatterbox. */
final class Reports {
  private static final Set<Object> SAID = ConcurrentHashMap.newKeySet();

  private Reports() {}

  /** Whether a line was said for {@code key} (cheap: check it before composing a line on a hot path). */
  static boolean said(Object key) {
    return SAID.contains(key);
  }

  /** Prints {@code line} unless a line was already said for {@code key}. */
  static void once(Object key, String line) {
    if (SAID.add(key)) {
      System.err.println(line);
    }
  }
}
