package dev.shunt.examples.springboot;

import dev.shunt.examples.checks.AwsChecks;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot service that uses KMS, Secrets Manager and Parameter Store through beans, and a
 * secret and a parameter imported into its Environment at start-up by Spring Cloud AWS.
 *
 * <p>{@code java -jar spring-boot-app.jar [--foreign URL] [--wait] [Spring arguments]}: once the
 * context is up it prints {@code APP ready} (with {@code --wait} it then waits for a line on stdin),
 * runs the checks with its beans, prints them, closes the context and exits.
 */
@SpringBootApplication
public class SpringBootApp {

  public static void main(String[] args) throws Exception {
    AwsChecks.Arguments arguments = AwsChecks.Arguments.parse(args);
    SpringApplication application = new SpringApplication(SpringBootApp.class);
    if (arguments.foreign() != null) {
      // The S3 client of the service's own store is a bean only when there is a store.
      application.setDefaultProperties(Map.of(AwsConfiguration.FOREIGN_STORE, arguments.foreign().toString()));
    }
    ConfigurableApplicationContext context = application.run(AwsChecks.Arguments.others(args));
    AwsChecks.ready(arguments);
    context.getBean(Checks.class).run().forEach(System.out::println);
    System.out.flush();
    System.exit(SpringApplication.exit(context));
  }
}
