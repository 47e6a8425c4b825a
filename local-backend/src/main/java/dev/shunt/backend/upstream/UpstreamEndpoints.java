package dev.shunt.backend.upstream;
public final class UpstreamEndpoints {
  public static UpstreamEndpoints parse(String spec) { return new UpstreamEndpoints(); }
  public boolean isEmpty() { return true; }
  public boolean proxies(String s) { return false; }
}
