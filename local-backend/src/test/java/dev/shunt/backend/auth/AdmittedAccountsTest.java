package dev.shunt.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cap on accounts holds under concurrent admission, never refuses the configured accounts, and resets. */
class AdmittedAccountsTest {

  @Test
  void theConfiguredAccountsCountButAreNeverRefused() {
    Credentials credentials = Credentials.parse("test:test,AKIDX:s:111122223333,222233334444:s", "000000000000");
    AdmittedAccounts accounts = AdmittedAccounts.of(credentials, 2);
    assertThat(accounts.count()).isEqualTo(3);
    for (String account : List.of("000000000000", "111122223333", "222233334444")) {
      assertThat(accounts.admit(account)).as(account).isTrue();
    }
    assertThat(accounts.admit("999999999999")).isFalse();
  }

  @Test
  void concurrentNewAccountsNeverExceedTheCapAndResetMakesRoom() throws Exception {
    AdmittedAccounts accounts = new AdmittedAccounts(50, List.of("000000000000"));
    AtomicInteger admitted = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        runs.add(pool.submit(() -> {
          for (int i = 0; i < 1000; i++) {
            if (accounts.admit(String.format("%06d%06d", thread + 1, i))) {
              admitted.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> run : runs) {
        run.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(admitted).hasValue(49);
    assertThat(accounts.count()).isEqualTo(50);

    accounts.forgetAdmitted();
    assertThat(accounts.count()).isEqualTo(1);
    assertThat(accounts.admit("000000000000")).isTrue();
    assertThat(accounts.admit("123456789012")).isTrue();
  }

  @Test
  void theCapIsOneToOneHundredThousand() {
    for (int cap : new int[] {0, -1, 100_001}) {
      assertThatThrownBy(() -> new AdmittedAccounts(cap, List.of())).as("" + cap)
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max-accounts");
    }
  }
}
