package dev.shunt.backend.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretFieldsTest {
  private final RootKey rootKey = RootKey.fromText(Base64.getEncoder().encodeToString(new byte[32]), "test key");

  @Test
  void aClearTextThatLooksSealedOrMarkedReadsBackAsItself() {
    SecretFields plain = SecretFields.plain(rootKey);
    for (String text : new String[] {"sealed:not really", "plain:as written", "ordinary", ""}) {
      assertThat(plain.readText(plain.writeText(text), "SecretString")).isEqualTo(text);
    }
    assertThat(plain.writeText("ordinary")).isEqualTo("ordinary");
  }

  @Test
  void sealedValuesNeedTheirRootKey() {
    SecretFields sealed = SecretFields.sealedUnder(rootKey);
    String written = sealed.writeText("s3cret");
    assertThat(written).startsWith("sealed:").doesNotContain("s3cret");
    assertThat(SecretFields.plain(rootKey).readText(written, "SecretString")).isEqualTo("s3cret");
    assertThatThrownBy(() -> SecretFields.plain(null).readText(written, "SecretString"))
        .hasMessageContaining("no root key");
    RootKey other = RootKey.fromText(Base64.getEncoder().encodeToString(new byte[] {
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), "other");
    assertThatThrownBy(() -> SecretFields.plain(other).read(written, "Material"))
        .hasMessageContaining("does not open with this Shunt's root key");
    assertThatThrownBy(() -> SecretFields.plain(rootKey).read("not base64!", "Material"))
        .hasMessageContaining("Material is not base64");
  }
}
