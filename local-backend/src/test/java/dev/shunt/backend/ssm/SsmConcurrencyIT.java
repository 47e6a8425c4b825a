package dev.shunt.backend.ssm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shunt.backend.BackendFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/** Many writers overwriting one parameter: every write gets its own version, none is lost. */
class SsmConcurrencyIT {
  @Test
  void concurrentOverwritesNeverLoseOrDuplicateAVersion() throws Exception {
    int threads = 8;
    int writesEach = 10;
    try (BackendFixture shunt = BackendFixture.start()) {
      List<SsmClient> clients = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        clients.add(shunt.ssm());
      }
      ConcurrentLinkedQueue<Long> versions = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SsmClient client = clients.get(t);
        int thread = t;
        done.add(pool.submit(() -> {
          go.await();
          for (int w = 0; w < writesEach; w++) {
            String value = thread + "-" + w;
            versions.add(client.putParameter(r -> r.name("/shared").value(value).type(ParameterType.STRING)
                .overwrite(true)).version());
          }
          return null;
        }));
      }
      go.countDown();
      for (Future<?> future : done) {
        future.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();

      int total = threads * writesEach;
      assertThat(versions).hasSize(total).doesNotHaveDuplicates();
      assertThat(versions).allSatisfy(v -> assertThat(v).isBetween(1L, (long) total));
      List<ParameterHistory> history = clients.get(0).getParameterHistoryPaginator(r -> r.name("/shared"))
          .stream().flatMap(page -> page.parameters().stream()).toList();
      assertThat(history).extracting(ParameterHistory::version).isSorted().hasSize(total)
          .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, total).boxed().toList());
      // Each writer's own writes appear in its own order.
      for (int t = 0; t < threads; t++) {
        String prefix = t + "-";
        List<String> mine = history.stream().map(ParameterHistory::value).filter(v -> v.startsWith(prefix)).toList();
        assertThat(mine).hasSize(writesEach);
        for (int w = 0; w < writesEach; w++) {
          assertThat(mine.get(w)).isEqualTo(prefix + w);
        }
      }
      clients.forEach(SsmClient::close);
    }
  }
}
