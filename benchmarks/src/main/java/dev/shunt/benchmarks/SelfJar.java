package dev.shunt.benchmarks;

import java.io.File;
import java.net.URISyntaxException;

/** The class path that child JVMs get to run this module's mains: the shaded benchmarks jar. */
public final class SelfJar {
  private SelfJar() {}

  /** {@code shunt.benchmarks.jar} if set (tests run from classes, not the jar), else where this class came from. */
  public static String path() {
    String configured = System.getProperty("shunt.benchmarks.jar");
    if (configured != null) {
      return configured;
    }
    try {
      return new File(SelfJar.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getPath();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
