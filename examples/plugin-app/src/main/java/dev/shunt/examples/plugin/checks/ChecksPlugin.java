package dev.shunt.examples.plugin.checks;

import dev.shunt.examples.checks.AwsChecks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Function;

/**
 * The plugin: given {@code [--foreign URL] [--wait]} it says {@code APP ready} (and with {@code
 * --wait} waits for a line on stdin), builds its KMS, Secrets Manager and SSM clients with the
 * SDK's defaults, prints the lines of {@link AwsChecks#run} and returns 0.
 */
public final class ChecksPlugin implements Function<String[], Integer> {
  @Override
  public Integer apply(String[] args) {
    AwsChecks.Arguments arguments = AwsChecks.Arguments.parse(args);
    try {
      AwsChecks.ready(arguments);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AwsChecks.runWithDefaultClients(arguments);
    return 0;
  }
}
