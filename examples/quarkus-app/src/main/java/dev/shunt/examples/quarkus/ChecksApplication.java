package dev.shunt.examples.quarkus;

import dev.shunt.examples.checks.AwsChecks;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * A Quarkus command-mode application: {@code java -jar quarkus-run.jar [--foreign URL] [--wait]}.
 * Once Quarkus has started it it says {@code APP ready} (and with {@code --wait} waits for a line
 * on stdin), builds its KMS, Secrets Manager and SSM clients with the SDK's defaults, prints the
 * lines of {@link AwsChecks#run} and exits 0.
 */
@QuarkusMain
public class ChecksApplication implements QuarkusApplication {
  @Override
  public int run(String... args) throws Exception {
    AwsChecks.Arguments arguments = AwsChecks.Arguments.parse(args);
    AwsChecks.ready(arguments);
    AwsChecks.runWithDefaultClients(arguments);
    return 0;
  }
}
