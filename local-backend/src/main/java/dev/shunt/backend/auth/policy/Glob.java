package dev.shunt.backend.auth.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled string pattern of a policy: IAM's {@code *} (any run) and {@code ?} (any one character)
 * wildcards when enabled, and policy variables {@code ${key}} / {@code ${key, 'default'}} with the
 * escapes {@code ${*}}, {@code ${?}}, {@code ${$}} (literal characters) when enabled. A pattern
 * with neither is matched straight against its text; matching allocates nothing.
 *
 * <p>A variable resolves to the value of a single-valued request key; an absent or multivalued key
 * takes the default if one is given, else the pattern does not match.
 */
public final class Glob {
  private static final byte LITERAL = 0;
  private static final byte VARIABLE = 1;
  private static final byte STAR = 2;
  private static final byte ONE = 3;

  private final String source;
  private final boolean wildcards;
  private final boolean ignoreCase;
  /** The pattern when it has no variable or escape (the common case), else null. */
  private final String plain;
  private final byte[] kinds;
  /** Literal text, or the lower-cased key of a variable. */
  private final String[] texts;
  private final String[] defaults;
  /**
   * For a plain pattern, the shape most policies' patterns have, matched without the general
   * wildcard loop: {@code "*"}, {@code "kms:Describe*"} (a prefix), or no wildcard at all.
   */
  private final byte shape;
  private static final byte GENERAL = 0;
  private static final byte EXACT = 1;
  private static final byte ANY = 2;
  private static final byte PREFIX = 3;

  private Glob(String source, boolean wildcards, boolean ignoreCase, String plain, byte[] kinds, String[] texts,
      String[] defaults) {
    this.source = source;
    this.wildcards = wildcards;
    this.ignoreCase = ignoreCase;
    this.plain = plain;
    this.kinds = kinds;
    this.texts = texts;
    this.defaults = defaults;
    this.shape = plain == null ? GENERAL : shapeOf(plain, wildcards);
  }

  private static byte shapeOf(String plain, boolean wildcards) {
    int star = plain.indexOf('*');
    if (!wildcards || star < 0 && plain.indexOf('?') < 0) {
      return EXACT;
    }
    if (plain.equals("*")) {
      return ANY;
    }
    return star == plain.length() - 1 && plain.indexOf('?') < 0 ? PREFIX : GENERAL;
  }

  static Glob compile(String pattern, boolean wildcards, boolean variables, boolean ignoreCase) {
    if (!variables || !pattern.contains("${")) {
      return new Glob(pattern, wildcards, ignoreCase, pattern, null, null, null);
    }
    List<Byte> kinds = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    List<String> defaults = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    int i = 0;
    while (i < pattern.length()) {
      char c = pattern.charAt(i);
      int close = c == '$' && i + 1 < pattern.length() && pattern.charAt(i + 1) == '{' ? pattern.indexOf('}', i) : -1;
      if (close > 0) {
        String inner = pattern.substring(i + 2, close).trim();
        if (inner.equals("*") || inner.equals("?") || inner.equals("$")) {
          literal.append(inner);
          i = close + 1;
          continue;
        }
        String key = inner;
        String fallback = null;
        int comma = inner.indexOf(',');
        if (comma >= 0) {
          key = inner.substring(0, comma).trim();
          String d = inner.substring(comma + 1).trim();
          if (d.length() >= 2 && d.charAt(0) == '\'' && d.charAt(d.length() - 1) == '\'') {
            fallback = d.substring(1, d.length() - 1);
          } else {
            key = "";
          }
        }
        if (!key.isEmpty()) {
          flush(literal, kinds, texts, defaults);
          kinds.add(VARIABLE);
          texts.add(key.toLowerCase(java.util.Locale.ROOT));
          defaults.add(fallback);
          i = close + 1;
          continue;
        }
      }
      if (wildcards && (c == '*' || c == '?')) {
        flush(literal, kinds, texts, defaults);
        kinds.add(c == '*' ? STAR : ONE);
        texts.add(null);
        defaults.add(null);
      } else {
        literal.append(c);
      }
      i++;
    }
    flush(literal, kinds, texts, defaults);
    byte[] k = new byte[kinds.size()];
    for (int j = 0; j < k.length; j++) {
      k[j] = kinds.get(j);
    }
    return new Glob(pattern, wildcards, ignoreCase, null, k, texts.toArray(new String[0]),
        defaults.toArray(new String[0]));
  }

  private static void flush(StringBuilder literal, List<Byte> kinds, List<String> texts, List<String> defaults) {
    if (literal.length() > 0) {
      kinds.add(LITERAL);
      texts.add(literal.toString());
      defaults.add(null);
      literal.setLength(0);
    }
  }

  String source() {
    return source;
  }

  boolean matches(String text, AccessRequest request) {
    return matches(text, 0, text.length(), request);
  }

  /** Whether {@code text[from, to)} matches. */
  boolean matches(String text, int from, int to, AccessRequest request) {
    if (plain != null) {
      return switch (shape) {
        case EXACT -> to - from == plain.length() && text.regionMatches(ignoreCase, from, plain, 0, plain.length());
        case ANY -> true;
        case PREFIX -> to - from >= plain.length() - 1
            && text.regionMatches(ignoreCase, from, plain, 0, plain.length() - 1);
        default -> wildcard(plain, text, from, to, ignoreCase);
      };
    }
    return matchTokens(0, text, from, to, request);
  }

  private boolean matchTokens(int t, String text, int pos, int end, AccessRequest request) {
    while (t < kinds.length) {
      switch (kinds[t]) {
        case LITERAL, VARIABLE -> {
          String s = kinds[t] == LITERAL ? texts[t] : resolve(t, request);
          if (s == null || end - pos < s.length() || !text.regionMatches(ignoreCase, pos, s, 0, s.length())) {
            return false;
          }
          pos += s.length();
          t++;
        }
        case ONE -> {
          if (pos >= end) {
            return false;
          }
          pos++;
          t++;
        }
        default -> {
          while (t + 1 < kinds.length && kinds[t + 1] == STAR) {
            t++;
          }
          if (t + 1 == kinds.length) {
            return true;
          }
          for (int k = pos; k <= end; k++) {
            if (matchTokens(t + 1, text, k, end, request)) {
              return true;
            }
          }
          return false;
        }
      }
    }
    return pos == end;
  }

  private String resolve(int t, AccessRequest request) {
    List<String> values = request == null ? null : request.valuesLower(texts[t]);
    return values != null && values.size() == 1 ? values.get(0) : defaults[t];
  }

  /** IAM wildcard match of a whole text, case-sensitive: {@code *} any run of characters, {@code ?} any one. */
  public static boolean wildcard(String pattern, String text) {
    return wildcard(pattern, text, 0, text.length(), false);
  }

  /** IAM wildcard match of {@code text[from, to)}: {@code *} any run of characters, {@code ?} any one. */
  static boolean wildcard(String pattern, String text, int from, int to, boolean ignoreCase) {
    int p = 0;
    int t = from;
    int star = -1;
    int mark = from;
    while (t < to) {
      if (p < pattern.length() && pattern.charAt(p) == '*') {
        star = p++;
        mark = t;
      } else if (p < pattern.length()
          && (pattern.charAt(p) == '?' || same(pattern.charAt(p), text.charAt(t), ignoreCase))) {
        p++;
        t++;
      } else if (star >= 0) {
        p = star + 1;
        t = ++mark;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  private static boolean same(char a, char b, boolean ignoreCase) {
    return a == b || ignoreCase && (Character.toLowerCase(a) == Character.toLowerCase(b)
        || Character.toUpperCase(a) == Character.toUpperCase(b));
  }

  @Override
  public String toString() {
    return source;
  }
}
