package dev.shunt.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Under JUnit's parallel execution: classes run side by side, each against a backend of its
 * own; a class whose methods run concurrently is refused under Reset.PER_METHOD, with the fix in
 * the message, and allowed under Reset.PER_CLASS.
 */
class ShuntParallelTest {
  static CyclicBarrier together;
  static final Set<URI> endpoints = ConcurrentHashMap.newKeySet();

  static TestExecutionSummary run(String methodMode, Class<?>... classes) {
    LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request()
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", methodMode)
        .configurationParameter("junit.jupiter.execution.parallel.mode.classes.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4");
    for (Class<?> type : classes) {
      request.selectors(selectClass(type));
    }
    LauncherDiscoveryRequest discovery = request.build();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    LauncherFactory.create().execute(discovery, listener);
    return listener.getSummary();
  }

  static List<String> failures(TestExecutionSummary summary) {
    return summary.getFailures().stream().map(f -> f.getTestIdentifier().getDisplayName() + ": "
        + f.getException()).toList();
  }

  /** Waits until every class (or method) of the run is inside its test at once. */
  static void meetTheOthers() throws Exception {
    together.await(60, TimeUnit.SECONDS);
  }

  @Test
  void classesRunSideBySideEachWithABackendOfItsOwn() {
    together = new CyclicBarrier(3);
    endpoints.clear();
    TestExecutionSummary summary = run("same_thread", LaunchedFixtures.First.class, LaunchedFixtures.Second.class,
        LaunchedFixtures.Third.class);
    assertThat(failures(summary)).isEmpty();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(3);
    assertThat(endpoints).as("three backends").hasSize(3);
  }

  @Test
  void concurrentMethodsAreRefusedUnderPerMethodResetWithTheFixInTheMessage() {
    TestExecutionSummary summary = run("concurrent", LaunchedFixtures.ConcurrentMethodsResetPerMethod.class);
    assertThat(summary.getTestsFailedCount()).isEqualTo(2);
    assertThat(summary.getFailures()).allSatisfy(failure -> assertThat(failure.getException())
        .isInstanceOf(org.junit.jupiter.api.extension.ExtensionConfigurationException.class)
        .hasMessageContaining("runs its test methods concurrently")
        .hasMessageContaining("@Execution(ExecutionMode.SAME_THREAD)")
        .hasMessageContaining("@ShuntTest(reset = Reset.PER_CLASS)"));
  }

  @Test
  void concurrentMethodsShareTheBackendUnderPerClassReset() {
    together = new CyclicBarrier(2);
    TestExecutionSummary summary = run("concurrent", LaunchedFixtures.ConcurrentMethodsResetPerClass.class);
    assertThat(failures(summary)).isEmpty();
    assertThat(summary.getTestsSucceededCount()).isEqualTo(2);
  }
}
