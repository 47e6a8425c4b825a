package dev.shunt.backend.secrets;

import dev.shunt.backend.BackendFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** A test class's backend (quotas off) and Secrets Manager client; every test starts from a reset backend. */
abstract class SecretsManagerTest {
  static BackendFixture shunt;
  static SecretsManagerClient sm;

  @BeforeAll
  static void startBackend() {
    shunt = BackendFixture.start();
    sm = shunt.secrets();
  }

  @AfterAll
  static void stopBackend() {
    sm.close();
    shunt.close();
  }

  @BeforeEach
  void resetBackend() {
    shunt.backend().reset();
  }
}
