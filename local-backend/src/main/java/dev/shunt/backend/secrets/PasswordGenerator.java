package dev.shunt.backend.secrets;

import dev.shunt.backend.crypto.Randomness;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** GetRandomPassword: AWS's character classes, exclusions and "one of each included type" rule. */
final class PasswordGenerator {
  static final String LOWERCASE = "abcdefghijklmnopqrstuvwxyz";
  static final String UPPERCASE = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static final String NUMBERS = "0123456789";
  static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  /** What to generate: GetRandomPassword's parameters, with AWS's defaults already applied. */
  record Spec(int length, String excludeCharacters, boolean excludeNumbers, boolean excludePunctuation,
      boolean excludeUppercase, boolean excludeLowercase, boolean includeSpace, boolean requireEachIncludedType) {
    static Spec defaults() {
      return new Spec(32, "", false, false, false, false, false, true);
    }
  }

  private PasswordGenerator() {}

  static String generate(Spec spec) {
    List<String> classes = new ArrayList<>();
    addClass(classes, LOWERCASE, spec.excludeLowercase(), spec.excludeCharacters());
    addClass(classes, UPPERCASE, spec.excludeUppercase(), spec.excludeCharacters());
    addClass(classes, NUMBERS, spec.excludeNumbers(), spec.excludeCharacters());
    addClass(classes, PUNCTUATION, spec.excludePunctuation(), spec.excludeCharacters());
    // The space is never a required type: RequireEachIncludedType asks for "at least one upper and
    // lowercase letter, one number, and one punctuation", and with IncludeSpace the password only
    // "can contain space characters".
    boolean space = spec.includeSpace() && spec.excludeCharacters().indexOf(' ') < 0;
    if (classes.isEmpty() && !space) {
      throw SecretsErrors.invalidParameter("Password cannot be generated: every character type is excluded.");
    }
    if (spec.requireEachIncludedType() && spec.length() < classes.size()) {
      throw SecretsErrors.invalidParameter("Password length is too short based on the required types.");
    }
    String all = String.join("", classes) + (space ? " " : "");
    SecureRandom random = Randomness.current();
    char[] password = new char[spec.length()];
    int position = 0;
    if (spec.requireEachIncludedType()) {
      for (String characterClass : classes) {
        password[position++] = characterClass.charAt(random.nextInt(characterClass.length()));
      }
    }
    while (position < password.length) {
      password[position++] = all.charAt(random.nextInt(all.length()));
    }
    for (int i = password.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      char swap = password[i];
      password[i] = password[j];
      password[j] = swap;
    }
    return new String(password);
  }

  private static void addClass(List<String> classes, String characters, boolean excluded, String excludeCharacters) {
    if (excluded) {
      return;
    }
    StringBuilder kept = new StringBuilder();
    for (char c : characters.toCharArray()) {
      if (excludeCharacters.indexOf(c) < 0) {
        kept.append(c);
      }
    }
    if (kept.length() > 0) {
      classes.add(kept.toString());
    }
  }
}
