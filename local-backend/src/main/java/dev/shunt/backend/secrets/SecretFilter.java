package dev.shunt.backend.secrets;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One ListSecrets / BatchGetSecretValue filter, matched as AWS documents it: prefix matches
 * (description and {@code all} ignore case, the others do not), {@code !} negates a value, values
 * of one filter are alternatives, filters all apply.
 */
record SecretFilter(String key, List<String> values) {
  static final List<String> KEYS = List.of("description", "name", "tag-key", "tag-value", "primary-region",
      "owning-service", "all");

  static SecretFilter of(String key, List<String> values) {
    if (key == null) {
      throw SecretsErrors.invalidParameter("Invalid filter: a filter needs a Key.");
    }
    if (values.isEmpty()) {
      throw SecretsErrors.invalidParameter("Invalid filter values: a filter needs at least one value.");
    }
    return new SecretFilter(key, values);
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
    for (String value : values) {
      boolean negated = value.startsWith("!");
      String wanted = negated ? value.substring(1) : value;
      if (matchesValue(secret, wanted) != negated) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesValue(SecretView secret, String wanted) {
    return switch (key) {
      case "name" -> secret.name().startsWith(wanted);
      case "description" -> secret.description() != null
          && secret.description().toLowerCase(Locale.ROOT).startsWith(wanted.toLowerCase(Locale.ROOT));
      case "tag-key" -> secret.tags().keySet().stream().anyMatch(k -> k.startsWith(wanted));
      case "tag-value" -> secret.tags().values().stream().anyMatch(v -> v.startsWith(wanted));
      case "primary-region" -> secret.primaryRegion().startsWith(wanted);
      case "owning-service" -> false;
      case "all" -> matchesWords(secret, wanted);
      default -> false;
    };
  }

  /** {@code all}: every word of the value starts some word of the name, description or tags, ignoring case. */
  private static boolean matchesWords(SecretView secret, String value) {
    List<String> attributeWords = new ArrayList<>(words(secret.name()));
    attributeWords.addAll(words(secret.description()));
    for (Map.Entry<String, String> tag : secret.tags().entrySet()) {
      attributeWords.addAll(words(tag.getKey()));
      attributeWords.addAll(words(tag.getValue()));
    }
    List<String> wanted = words(value);
    if (wanted.isEmpty()) {
      return true;
    }
    for (String word : wanted) {
      if (attributeWords.stream().noneMatch(a -> a.startsWith(word))) {
        return false;
      }
    }
    return true;
  }

  /** Splits text into lower-cased words at case changes, letter/digit changes and punctuation. */
  static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    if (text == null) {
      return words;
    }
    StringBuilder word = new StringBuilder();
    char previous = 0;
    for (char c : text.toCharArray()) {
      boolean letterOrDigit = Character.isLetterOrDigit(c);
      boolean boundary = !letterOrDigit
          || (word.length() > 0 && (Character.isDigit(c) != Character.isDigit(previous)
              || (Character.isUpperCase(c) && Character.isLowerCase(previous))));
      if (boundary && word.length() > 0) {
        words.add(word.toString().toLowerCase(Locale.ROOT));
        word.setLength(0);
      }
      if (letterOrDigit) {
        word.append(c);
      }
      previous = c;
    }
    if (word.length() > 0) {
      words.add(word.toString().toLowerCase(Locale.ROOT));
    }
    return words;
  }
}
