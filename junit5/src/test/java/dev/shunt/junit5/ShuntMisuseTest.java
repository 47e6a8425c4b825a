package dev.shunt.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/** What the extension says when it is set up wrong: the class, the file or the field, and what to do. */
class ShuntMisuseTest {
  private static Throwable onlyFailure(Class<?> fixture) {
    TestExecutionSummary summary = ShuntParallelTest.run("same_thread", fixture);
    assertThat(summary.getFailures()).hasSize(1);
    return summary.getFailures().get(0).getException();
  }

  @Test
  void aSeedThatIsNeitherAResourceNorAFileIsNamed() {
    assertThat(onlyFailure(LaunchedFixtures.MissingSeed.class)).isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("Shunt could not start for dev.shunt.junit5.LaunchedFixtures$MissingSeed")
        .hasMessageContaining("The seed file 'shunt/no-such-seed.yaml' is neither a class path resource nor a file");
  }

  @Test
  void twoExtensionsWithDifferentSettingsOnOneClassAreRefused() {
    assertThat(onlyFailure(LaunchedFixtures.TwoExtensionsThatDisagree.class))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("two Shunt extensions with different settings");
  }

  @Test
  void aFieldOfATypeShuntDoesNotGiveIsNamed() {
    assertThat(onlyFailure(LaunchedFixtures.WrongFieldType.class)).isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("notAClient").hasMessageContaining("of a type Shunt does not give");
  }

  @Test
  void filesAreFoundOnTheClassPathOrTheFileSystem(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("seed.yaml"), "version: 1\n");
    Resources resources = new Resources(getClass().getClassLoader());
    try {
      assertThat(resources.file(file.toString(), "seed file")).isEqualTo(file.toAbsolutePath().toString());
      String copy = resources.file("classpath:/shunt/seed.yaml", "seed file");
      assertThat(Files.readString(Path.of(copy))).contains("alias/orders");
      assertThat(resources.file("shunt/seed.yaml", "seed file")).isNotEqualTo(copy);
      assertThatThrownBy(() -> resources.file("classpath:" + file, "seed file"))
          .hasMessageContaining("it says classpath:");
      resources.close();
      assertThat(Path.of(copy)).as("copies are deleted with the test class").doesNotExist();
    } finally {
      resources.close();
    }
  }
}
