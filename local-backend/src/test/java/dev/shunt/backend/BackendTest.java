package dev.shunt.backend;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A test class's backend (quotas off) and a KMS, Secrets Manager and SSM client for the default
 * test access key in us-east-1; every test starts from a reset backend.
 */
public abstract class BackendTest {
  protected static BackendFixture shunt;
  protected static KmsClient kms;
  protected static SecretsManagerClient sm;
  protected static SsmClient ssm;

  @BeforeAll
  static void startBackend() {
    shunt = BackendFixture.start();
    kms = shunt.kms();
    sm = shunt.secrets();
    ssm = shunt.ssm();
  }

  @AfterAll
  static void stopBackend() {
    kms.close();
    sm.close();
    ssm.close();
    shunt.close();
  }

  @BeforeEach
  void resetBackend() {
    shunt.backend().reset();
  }
}
