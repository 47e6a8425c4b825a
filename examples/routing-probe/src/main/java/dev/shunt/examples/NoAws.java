package dev.shunt.examples;

/** An application with the AWS SDK on its class path that never uses it (most of a JVM's life is like this). */
public final class NoAws {
  private NoAws() {}

  public static void main(String[] args) {
    System.out.println("NOAWS done");
  }
}
