package dev.shunt.backend.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One ListSecrets / BatchGetSecretValue filter, matched as Secrets Manager does. {@code name},
 * {@code tag-key}, {@code tag-value} and {@code primary-region} match the start of the whole
 * value, case-sensitively (API reference, Filter). {@code description} and {@code all} match by
 * words, not case-sensitively: every word of the filter value must start some word of the
 * secret's description (of its name, description, tag keys or tag values, for {@code all}). The
 * API reference calls description a prefix match, but the user guide ("Find secrets") and moto's
 * tests recorded against AWS ({@code test_with_filter_with_value_with_multiple_words}) show words.
 * {@code !} negates a value; values of one filter are alternatives; filters (even of one key) all
 * apply ({@code test_with_duplicate_filter_keys}).
 */
record SecretFilter(String key, List<FilterValue> values) {

  /**
   * A filter value: negated or not, as typed (for the prefix keys), and its words, lower-cased
   * (for the word keys), split once per request rather than once per secret.
   */
  record FilterValue(boolean negated, String text, List<String> words) {
    static FilterValue of(String value) {
      boolean negated = value.startsWith("!");
      String text = negated ? value.substring(1) : value;
      List<String> words = new ArrayList<>();
      forEachWord(text, (start, end) -> words.add(text.substring(start, end).toLowerCase(Locale.ROOT)));
      return new FilterValue(negated, text, words);
    }
  }

  static SecretFilter of(String key, List<String> values) {
    if (key == null) {
      throw SecretsErrors.invalidParameter("Invalid filter: a filter needs a Key.");
    }
    if (values.isEmpty()) {
      throw SecretsErrors.invalidParameter("Invalid filter values: a filter needs at least one value.");
    }
    return new SecretFilter(key, values.stream().map(FilterValue::of).toList());
  }

  static boolean matchesAll(List<SecretFilter> filters, SecretView secret) {
    for (SecretFilter filter : filters) {
      if (!filter.matches(secret)) {
        return false;
      }
    }
    return true;
  }

  boolean matches(SecretView secret) {
    for (FilterValue value : values) {
      if (matchesValue(secret, value) != value.negated()) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesValue(SecretView secret, FilterValue value) {
    String wanted = value.text();
    return switch (key) {
      case "name" -> secret.name().startsWith(wanted);
      case "description" -> secret.description() != null && everyWordStartsAWordOf(value.words(),
          List.of(secret.description()));
      case "tag-key" -> secret.tags().keySet().stream().anyMatch(k -> k.startsWith(wanted));
      case "tag-value" -> secret.tags().values().stream().anyMatch(v -> v.startsWith(wanted));
      // AWS reports a primary Region only for a secret that is or has a replica; so does the filter.
      case "primary-region" -> secret.replicated() && secret.primaryRegion().startsWith(wanted);
      // Shunt's secrets are never managed by another service.
      case "owning-service" -> false;
      case "all" -> everyWordStartsAWordOf(value.words(), searchedByAll(secret));
      default -> false;
    };
  }

  private static List<String> searchedByAll(SecretView secret) {
    List<String> attributes = new ArrayList<>(2 + 2 * secret.tags().size());
    attributes.add(secret.name());
    if (secret.description() != null) {
      attributes.add(secret.description());
    }
    for (Map.Entry<String, String> tag : secret.tags().entrySet()) {
      attributes.add(tag.getKey());
      attributes.add(tag.getValue());
    }
    return attributes;
  }

  /**
   * Whether each (lower-cased) word starts some word of the attributes, ignoring case. A value
   * without words (only punctuation, such as "+") matches nothing, as AWS answers
   * ({@code test_with_all_filter_special_characters}).
   */
  static boolean everyWordStartsAWordOf(List<String> words, List<String> attributes) {
    if (words.isEmpty()) {
      return false;
    }
    for (String word : words) {
      boolean found = false;
      for (int i = 0; i < attributes.size() && !found; i++) {
        found = hasWordStartingWith(attributes.get(i), word);
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private static boolean hasWordStartingWith(String text, String lowerCasedWord) {
    boolean[] found = {false};
    forEachWord(text, (start, end) -> {
      if (!found[0] && end - start >= lowerCasedWord.length()
          && text.regionMatches(true, start, lowerCasedWord, 0, lowerCasedWord.length())) {
        found[0] = true;
      }
    });
    return found[0];
  }

  /** Receives a word as its bounds in the text. */
  interface WordSink {
    void word(int start, int end);
  }

  /**
   * Splits text into words as Secrets Manager's search does. Anything but a letter or digit
   * separates words (user guide: "ignores special characters ... and only uses numbers and
   * letters"). Within letters and digits a word also ends where a lower-case letter is followed by
   * an upper-case letter or a digit ({@code credsDatabase#892} is creds, Database, 892 in the user
   * guide), where a letter is followed by a digit, and before an upper-case letter followed by a
   * lower-case one: AWS splits {@code COMPANYthings} as COMPAN and Ythings, so "things" and
   * "company" do not find it but "Ythings" does, and {@code SecretFTag} as Secret, F, Tag (moto's
   * {@code test_with_all_filter_special_characters} and {@code test_with_all_filter}, recorded
   * against AWS). A digit followed by a letter does not split ({@code 4d} stays one word).
   */
  static void forEachWord(String text, WordSink sink) {
    int length = text.length();
    int start = -1;
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (!Character.isLetterOrDigit(c)) {
        if (start >= 0) {
          sink.word(start, i);
          start = -1;
        }
        continue;
      }
      if (start >= 0 && startsNewWord(text.charAt(i - 1), c, i + 1 < length ? text.charAt(i + 1) : ' ')) {
        sink.word(start, i);
        start = i;
      }
      if (start < 0) {
        start = i;
      }
    }
    if (start >= 0) {
      sink.word(start, length);
    }
  }

  private static boolean startsNewWord(char previous, char current, char next) {
    return (Character.isLowerCase(previous) && !Character.isLowerCase(current))
        || (Character.isLetter(previous) && Character.isDigit(current))
        || (Character.isUpperCase(current) && Character.isLowerCase(next));
  }
}
