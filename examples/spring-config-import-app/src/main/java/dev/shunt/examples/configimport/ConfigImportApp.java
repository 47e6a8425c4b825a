package dev.shunt.examples.configimport;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.CommandLineRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application whose configuration Spring Cloud AWS imports at start-up (see
 * application.properties): a database user and password from the secret {@code app/db} and a
 * greeting from the parameter {@code /app/config/greeting}. It prints them (the password only by
 * its length) and exits: {@code java -jar spring-config-import-app.jar [Spring arguments]}.
 */
@SpringBootApplication
public class ConfigImportApp {

  public static void main(String[] args) {
    System.exit(SpringApplication.exit(SpringApplication.run(ConfigImportApp.class, args)));
  }

  /** Runs once the context is up, with what the import put in the Environment. */
  @Bean
  CommandLineRunner showConfiguration(@Value("${db.username}") String username,
      @Value("${db.password}") String password, @Value("${greeting}") String greeting) {
    return args -> {
      System.out.println("db.username=" + username);
      System.out.println("db.password=(" + password.length() + " characters)");
      System.out.println("greeting=" + greeting);
      System.out.flush();
    };
  }
}
