package dev.shunt.examples.springboot;

import dev.shunt.examples.checks.AwsChecks;
import java.util.List;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/** The checks of app-checks with the service's beans, and the values imported at start-up. */
@Component
public class Checks {
  /** The profile that turns the start-up import off (see application.properties). */
  static final String NO_IMPORT = "no-import";

  private final KmsClient kms;
  private final SecretsManagerClient secrets;
  private final SsmClient ssm;
  private final ObjectProvider<S3Client> foreignStore;
  private final Environment environment;
  // Spring Cloud AWS names the properties after the JSON keys of the secret app/db-credentials
  // and after the parameter names below /app/config/. Null by default: with the import turned off
  // (profile no-import) the service still starts, and then does not check them.
  private final String password;
  private final String greeting;

  public Checks(KmsClient kms, SecretsManagerClient secrets, SsmClient ssm, ObjectProvider<S3Client> foreignStore,
      Environment environment, @Value("${password:#{null}}") String password,
      @Value("${greeting:#{null}}") String greeting) {
    this.kms = kms;
    this.secrets = secrets;
    this.ssm = ssm;
    this.foreignStore = foreignStore;
    this.environment = environment;
    this.password = password;
    this.greeting = greeting;
  }

  /** The lines of AwsChecks.run, with "CHECK imported" before "CHECK done" unless the import is off. */
  public List<String> run() {
    List<String> lines = AwsChecks.run(kms, secrets, ssm, foreignStore.getIfAvailable());
    if (!environment.matchesProfiles(NO_IMPORT)) {
      lines.add(lines.size() - 1, AwsChecks.check("imported",
          () -> Objects.requireNonNull(password, "no property password") + " "
              + Objects.requireNonNull(greeting, "no property greeting")));
    }
    return lines;
  }
}
