package dev.shunt.benchmarks;

/** The smallest application: the agent's start-up cost is the difference it makes to this. */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) {
    System.out.println("hello");
  }
}
