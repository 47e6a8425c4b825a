package dev.shunt.backend;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.KeyListEntry;
import software.amazon.awssdk.services.kms.model.ListKeysResponse;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SortByType;
import software.amazon.awssdk.services.secretsmanager.model.SortOrderType;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.Parameter;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;

/**
 * ListKeys, ListSecrets (each sort order) and GetParametersByPath over a few thousand items in
 * small pages: every item exactly once and in order; a walk that items are created and deleted
 * under (between its pages, and from another thread) never fails and never returns an item twice;
 * a token Shunt did not make gets the service's own error. And the per-Region resource limits
 * where AWS lets a test reach them. Each part runs in an account of its own.
 */
class ListingAtScaleIT {
  private static final int COUNT = 3_000;
  private static final int THREADS = 4;
  private static BackendFixture shunt;
  private static ExecutorService pool;

  @BeforeAll
  static void start() {
    shunt = BackendFixture.start();
    pool = Executors.newFixedThreadPool(THREADS + 1);
  }

  @AfterAll
  static void stop() {
    pool.shutdownNow();
    shunt.close();
  }

  @AfterEach
  void clock() {
    shunt.backend().clock().reset();
  }

  // ---- KMS ListKeys -------------------------------------------------------------------------

  @Test
  void listKeysReturnsEveryKeyOnceInKeyIdOrder() throws Exception {
    String account = "111111111101";
    Set<String> created = ConcurrentHashMap.newKeySet();
    parallel(COUNT, () -> kms(account), (kms, i) -> created.add(kms.createKey(r -> { }).keyMetadata().keyId()));
    try (KmsClient kms = kms(account)) {
      List<String> seen = walk(marker -> keys(kms, 7, marker), page -> { });
      // AWS documents no order for ListKeys; Shunt's is the key id's, which is what makes a walk consistent.
      assertThat(seen).hasSize(COUNT).doesNotHaveDuplicates().isSorted().containsExactlyInAnyOrderElementsOf(created);
      assertThat(kms.listKeysPaginator(r -> r.limit(1000)).keys().stream().map(KeyListEntry::keyId).toList())
          .isEqualTo(seen);
    }
  }

  @Test
  void aListKeysWalkSurvivesKeysComingAndGoing() throws Exception {
    String account = "111111111102";
    Set<String> initial = ConcurrentHashMap.newKeySet();
    parallel(2_000, () -> kms(account), (kms, i) -> initial.add(kms.createKey(r -> { }).keyMetadata().keyId()));
    List<String> before = new ArrayList<>(initial);
    Set<String> doomed = new HashSet<>();
    try (KmsClient kms = kms(account)) {
      for (int i = 0; i < before.size(); i += 4) {
        String id = before.get(i);
        kms.scheduleKeyDeletion(r -> r.keyId(id).pendingWindowInDays(7));
        doomed.add(id);
      }
      Set<String> added = ConcurrentHashMap.newKeySet();
      AtomicInteger purgedAtPage = new AtomicInteger(-1);
      List<List<String>> pages = new ArrayList<>();
      try (Churn churn = new Churn(() -> kms(account), client -> added.add(client.createKey(r -> { })
          .keyMetadata().keyId()))) {
        walk(marker -> {
          Page<String> page = keys(kms, 10, marker);
          pages.add(page.items());
          return page;
        }, page -> {
          added.add(kms.createKey(r -> { }).keyMetadata().keyId());
          if (page == 60) {
            // The pending deletions fall due: the walk purges those keys as it meets them.
            shunt.backend().clock().advance(Duration.ofDays(8));
            purgedAtPage.set(page);
          }
        });
      }
      List<String> seen = pages.stream().flatMap(List::stream).toList();
      assertThat(seen).doesNotHaveDuplicates().isSorted();
      Set<String> known = new HashSet<>(initial);
      known.addAll(added);
      assertThat(known).containsAll(seen);
      Set<String> stable = new HashSet<>(initial);
      stable.removeAll(doomed);
      assertThat(seen).containsAll(stable);
      for (int page = purgedAtPage.get() + 1; page < pages.size(); page++) {
        assertThat(pages.get(page)).as("page %d, after the deletions fell due", page).doesNotContainAnyElementsOf(doomed);
      }
      assertThat(purgedAtPage.get()).isPositive();
      assertThat(added).hasSizeGreaterThan(pages.size());
    }
  }

  @Test
  void aListKeysMarkerShuntDidNotMakeIsInvalidMarkerException() throws Exception {
    String account = "111111111103";
    try (KmsClient kms = kms(account)) {
      for (int i = 0; i < 3; i++) {
        kms.createKey(r -> { });
      }
      ListKeysResponse first = kms.listKeys(r -> r.limit(1));
      String marker = first.nextMarker();
      assertThat(kms.listKeys(r -> r.limit(1).marker(marker)).keys()).hasSize(1)
          .doesNotContainAnyElementsOf(first.keys());
      String keyId = first.keys().get(0).keyId();
      for (String bad : List.of("garbage", "%%%", edited(marker), marker.substring(0, marker.length() - 4), keyId,
          ssmToken())) {
        expectError("InvalidMarkerException", () -> kms.listKeys(r -> r.marker(bad)));
      }
    }
  }

  // ---- Secrets Manager ListSecrets --------------------------------------------------------

  @Test
  void listSecretsReturnsEverySecretOnceInEachSortOrder() throws Exception {
    String account = "222222222201";
    List<String> names = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      names.add(String.format("scale/%05d", (i * 7_919) % COUNT));
    }
    parallel(COUNT, () -> secrets(account), (sm, i) -> sm.createSecret(r -> r.name(names.get(i)).secretString("v")));
    try (SecretsManagerClient sm = secrets(account)) {
      // Give LastChangedDate and LastAccessedDate some spread, leaving most secrets at their defaults.
      for (int i = 0; i < COUNT; i += 9) {
        String name = names.get(i);
        shunt.backend().clock().advance(Duration.ofSeconds(1));
        sm.updateSecret(r -> r.secretId(name).description("touched"));
      }
      for (int i = 0; i < COUNT; i += 7) {
        String name = names.get(i);
        if (i % 350 == 0) {
          shunt.backend().clock().advance(Duration.ofDays(1));
        }
        sm.getSecretValue(r -> r.secretId(name));
      }
      List<String> sortedNames = names.stream().sorted().toList();
      Comparator<SecretListEntry> created = byDate(SecretListEntry::createdDate);
      Comparator<SecretListEntry> changed = byDate(SecretListEntry::lastChangedDate);
      Comparator<SecretListEntry> accessed = byDate(SecretListEntry::lastAccessedDate);

      List<SecretListEntry> byCreation = secretsWalk(sm, r -> { }, 37);
      assertThat(byCreation).isSortedAccordingTo(created);
      assertThat(byCreation).extracting(SecretListEntry::name).containsExactlyInAnyOrderElementsOf(names);
      assertThat(secretsWalk(sm, r -> r.sortBy(SortByType.CREATED_DATE).sortOrder(SortOrderType.DESC), 41))
          .isEqualTo(reversed(byCreation));
      assertThat(secretsWalk(sm, r -> r.sortBy(SortByType.NAME), 37)).extracting(SecretListEntry::name)
          .isEqualTo(sortedNames);
      assertThat(secretsWalk(sm, r -> r.sortBy(SortByType.NAME).sortOrder(SortOrderType.DESC), 100))
          .extracting(SecretListEntry::name).isEqualTo(reversed(sortedNames));
      List<SecretListEntry> byChange = secretsWalk(sm, r -> r.sortBy(SortByType.LAST_CHANGED_DATE), 29);
      assertThat(byChange).isSortedAccordingTo(changed).extracting(SecretListEntry::name)
          .containsExactlyInAnyOrderElementsOf(names);
      assertThat(byChange.get(COUNT - 1).description()).isEqualTo("touched");
      assertThat(secretsWalk(sm, r -> r.sortBy(SortByType.LAST_CHANGED_DATE).sortOrder(SortOrderType.DESC), 31))
          .isEqualTo(reversed(byChange));
      List<SecretListEntry> byAccess = secretsWalk(sm, r -> r.sortBy(SortByType.LAST_ACCESSED_DATE), 43);
      assertThat(byAccess).isSortedAccordingTo(accessed).extracting(SecretListEntry::name)
          .containsExactlyInAnyOrderElementsOf(names);
      assertThat(byAccess.get(0).lastAccessedDate()).isNull();
      assertThat(byAccess.get(COUNT - 1).lastAccessedDate()).isNotNull();
    }
  }

  @Test
  void aListSecretsWalkSurvivesSecretsComingAndGoing() throws Exception {
    String account = "222222222202";
    int initial = 1_500;
    parallel(initial, () -> secrets(account), (sm, i) -> sm.createSecret(r -> r.name(String.format("churn/%05d", i))));
    try (SecretsManagerClient sm = secrets(account)) {
      List<java.util.function.Consumer<ListSecretsRequest.Builder>> orders = List.of(r -> { },
          r -> r.sortBy(SortByType.NAME), r -> r.sortBy(SortByType.CREATED_DATE).sortOrder(SortOrderType.DESC));
      for (int round = 0; round < orders.size(); round++) {
        java.util.function.Consumer<ListSecretsRequest.Builder> request = orders.get(round);
        String tag = "r" + round;
        Set<String> existing = new HashSet<>();
        sm.listSecretsPaginator(r -> r.maxResults(100)).stream().flatMap(p -> p.secretList().stream())
            .forEach(s -> existing.add(s.name()));
        List<String> victims = new ArrayList<>(existing);
        Set<String> deleted = ConcurrentHashMap.newKeySet();
        Set<String> added = ConcurrentHashMap.newKeySet();
        AtomicInteger next = new AtomicInteger();
        List<SecretListEntry> seen;
        try (Churn churn = new Churn(() -> secrets(account), client -> {
          String name = "churn/new-" + tag + "-" + next.incrementAndGet();
          client.createSecret(r -> r.name(name));
          added.add(name);
        })) {
          seen = walk(token -> {
            ListSecretsResponse page = sm.listSecrets(r -> {
              request.accept(r);
              r.maxResults(20).nextToken(token);
            });
            return new Page<>(page.secretList(), page.nextToken());
          }, page -> {
            String victim = victims.get((page * 37) % victims.size());
            if (deleted.add(victim)) {
              sm.deleteSecret(r -> r.secretId(victim).forceDeleteWithoutRecovery(true));
            }
            String name = "churn/between-" + tag + "-" + page;
            sm.createSecret(r -> r.name(name));
            added.add(name);
          });
        }
        List<String> seenNames = seen.stream().map(SecretListEntry::name).toList();
        assertThat(seenNames).doesNotHaveDuplicates();
        Set<String> known = new HashSet<>(existing);
        known.addAll(added);
        assertThat(known).containsAll(seenNames);
        Set<String> stable = new HashSet<>(existing);
        stable.removeAll(deleted);
        assertThat(seenNames).containsAll(stable);
        assertThat(deleted).hasSizeGreaterThan(10);
      }
    }
  }

  @Test
  void aListSecretsTokenShuntDidNotMakeIsInvalidNextTokenException() throws Exception {
    String account = "222222222203";
    try (SecretsManagerClient sm = secrets(account)) {
      for (int i = 0; i < 3; i++) {
        int n = i;
        sm.createSecret(r -> r.name("bad-token-" + n).secretString("v"));
      }
      String byCreation = sm.listSecrets(r -> r.maxResults(1)).nextToken();
      String byName = sm.listSecrets(r -> r.maxResults(1).sortBy(SortByType.NAME)).nextToken();
      String versions = null;
      String id = "bad-token-0";
      for (int i = 0; i < 2; i++) {
        sm.putSecretValue(r -> r.secretId(id).secretString("w" + System.nanoTime()));
      }
      versions = sm.listSecretVersionIds(r -> r.secretId(id).maxResults(1).includeDeprecated(true)).nextToken();
      assertThat(sm.listSecrets(r -> r.maxResults(1).nextToken(byCreation)).secretList()).hasSize(1);
      for (String bad : List.of("garbage", "%%%", edited(byCreation), byCreation.substring(0, byCreation.length() - 4),
          byName, versions, ssmToken())) {
        expectError("InvalidNextTokenException", () -> sm.listSecrets(r -> r.nextToken(bad)));
      }
      expectError("InvalidNextTokenException", () -> sm.listSecrets(r -> r.sortBy(SortByType.NAME)
          .nextToken(byCreation)));
    }
  }

  // ---- SSM GetParametersByPath ------------------------------------------------------------

  @Test
  void getParametersByPathReturnsEveryParameterOnceInNameOrder() throws Exception {
    String account = "333333333301";
    List<String> names = new ArrayList<>();
    for (int i = 0; i < COUNT; i++) {
      int n = (i * 7_919) % COUNT;
      names.add(String.format("/scale/g%02d/p%05d", n % 30, n));
    }
    parallel(COUNT, () -> ssm(account), (ssm, i) -> ssm.putParameter(r -> r.name(names.get(i)).value("v" + i)
        .type(ParameterType.STRING)));
    try (SsmClient ssm = ssm(account)) {
      ssm.putParameter(r -> r.name("/scale/g00").value("a parameter named like a level").type(ParameterType.STRING));
      ssm.putParameter(r -> r.name("/scale-not-under").value("x").type(ParameterType.STRING));
      List<String> sorted = names.stream().sorted().toList();
      List<String> all = new ArrayList<>(sorted);
      all.add(0, "/scale/g00");
      assertThat(byPath(ssm, "/scale", true, 10)).isEqualTo(all);
      assertThat(byPath(ssm, "/scale/", true, 7)).isEqualTo(all);
      assertThat(byPath(ssm, "/scale/g07", false, 3))
          .isEqualTo(sorted.stream().filter(n -> n.startsWith("/scale/g07/")).toList());
      assertThat(byPath(ssm, "/scale", false, 10)).containsExactly("/scale/g00");
    }
  }

  @Test
  void aGetParametersByPathWalkSurvivesParametersComingAndGoing() throws Exception {
    String account = "333333333302";
    int initial = 2_000;
    parallel(initial, () -> ssm(account), (ssm, i) -> ssm.putParameter(r -> r.name(String.format("/churn/%02d/p%05d",
        i % 10, i)).value("v").type(ParameterType.STRING)));
    Set<String> existing = new HashSet<>();
    for (int i = 0; i < initial; i++) {
      existing.add(String.format("/churn/%02d/p%05d", i % 10, i));
    }
    List<String> victims = new ArrayList<>(existing);
    Set<String> deleted = ConcurrentHashMap.newKeySet();
    Set<String> added = ConcurrentHashMap.newKeySet();
    AtomicInteger next = new AtomicInteger();
    List<String> seen;
    try (SsmClient ssm = ssm(account);
        Churn churn = new Churn(() -> ssm(account), client -> {
          String name = String.format("/churn/%02d/n%06d", next.get() % 10, next.incrementAndGet());
          client.putParameter(r -> r.name(name).value("v").type(ParameterType.STRING));
          added.add(name);
        })) {
      seen = walk(token -> {
        GetParametersByPathResponse page = ssm.getParametersByPath(r -> r.path("/churn").recursive(true)
            .maxResults(10).nextToken(token));
        return new Page<>(page.parameters().stream().map(Parameter::name).toList(), page.nextToken());
      }, page -> {
        String victim = victims.get((page * 37) % victims.size());
        if (deleted.add(victim)) {
          ssm.deleteParameter(r -> r.name(victim));
        }
        String name = String.format("/churn/%02d/b%05d", page % 10, page);
        ssm.putParameter(r -> r.name(name).value("v").type(ParameterType.STRING));
        added.add(name);
      });
    }
    assertThat(seen).doesNotHaveDuplicates().isSorted();
    Set<String> known = new HashSet<>(existing);
    known.addAll(added);
    assertThat(known).containsAll(seen);
    Set<String> stable = new HashSet<>(existing);
    stable.removeAll(deleted);
    assertThat(seen).containsAll(stable);
    assertThat(deleted).hasSizeGreaterThan(100);
  }

  @Test
  void aGetParametersByPathTokenShuntDidNotMakeIsInvalidNextToken() throws Exception {
    String account = "333333333303";
    try (SsmClient ssm = ssm(account)) {
      for (String path : List.of("/a", "/b")) {
        for (int i = 0; i < 3; i++) {
          String name = path + "/p" + i;
          ssm.putParameter(r -> r.name(name).value("v").type(ParameterType.STRING));
          ssm.putParameter(r -> r.name(name).value("w").type(ParameterType.STRING).overwrite(true));
        }
      }
      String underA = ssm.getParametersByPath(r -> r.path("/a").maxResults(1)).nextToken();
      String underB = ssm.getParametersByPath(r -> r.path("/b").maxResults(1)).nextToken();
      String described = ssm.describeParameters(r -> r.maxResults(1)).nextToken();
      String history = ssm.getParameterHistory(r -> r.name("/a/p0").maxResults(1)).nextToken();
      assertThat(ssm.getParametersByPath(r -> r.path("/a").maxResults(1).nextToken(underA)).parameters())
          .extracting(Parameter::name).containsExactly("/a/p1");
      for (String bad : List.of("garbage", "%%%", edited(underA), underA.substring(0, underA.length() - 4), underB,
          described, history)) {
        expectError("InvalidNextToken", () -> ssm.getParametersByPath(r -> r.path("/a").nextToken(bad)));
      }
      expectError("InvalidNextToken", () -> ssm.describeParameters(r -> r.nextToken(underA)));
      expectError("InvalidNextToken", () -> ssm.getParameterHistory(r -> r.name("/a/p0").nextToken(underA)));
    }
  }

  // ---- resource limits ----------------------------------------------------------------------

  @Test
  void tenThousandStandardParametersThenIntelligentTieringGoesAdvanced() throws Exception {
    String account = "444444444401";
    parallel(10_000, () -> ssm(account), (ssm, i) -> ssm.putParameter(r -> r.name("/std/p" + i).value("v")
        .type(ParameterType.STRING)));
    try (SsmClient ssm = ssm(account)) {
      expectError("ParameterLimitExceeded", () -> ssm.putParameter(r -> r.name("/std/one-more").value("v")
          .type(ParameterType.STRING)));
      expectError("ParameterLimitExceeded", () -> ssm.putParameter(r -> r.name("/std/one-more").value("v")
          .type(ParameterType.STRING).tier(ParameterTier.STANDARD)));
      // "More than 10,000 parameters already exist": Intelligent-Tiering picks Advanced, as AWS does.
      assertThat(ssm.putParameter(r -> r.name("/std/intelligent").value("v").type(ParameterType.STRING)
          .tier(ParameterTier.INTELLIGENT_TIERING)).tier()).isEqualTo(ParameterTier.ADVANCED);
      expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/std/one-more")));
      // A failed write (a SecureString under a key that does not exist) leaves no count behind.
      ssm.deleteParameter(r -> r.name("/std/p0"));
      expectError("InvalidKeyId", () -> ssm.putParameter(r -> r.name("/std/secure").value("v")
          .type(ParameterType.SECURE_STRING).keyId("alias/not-there")));
      assertThat(ssm.putParameter(r -> r.name("/std/back-in").value("v").type(ParameterType.STRING)
          .tier(ParameterTier.INTELLIGENT_TIERING)).tier()).isEqualTo(ParameterTier.STANDARD);
      expectError("ParameterLimitExceeded", () -> ssm.putParameter(r -> r.name("/std/over").value("v")
          .type(ParameterType.STRING)));
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private record Page<T>(List<T> items, String next) {}

  /** Walks a listing to its end, running {@code between} (with the page's index) after each page that has a next. */
  private static <T> List<T> walk(Function<String, Page<T>> fetch, IntConsumer between) {
    List<T> seen = new ArrayList<>();
    String token = null;
    int page = 0;
    do {
      Page<T> result = fetch.apply(token);
      seen.addAll(result.items());
      token = result.next();
      if (token != null) {
        between.accept(page++);
      }
    } while (token != null);
    return seen;
  }

  private static Page<String> keys(KmsClient kms, int limit, String marker) {
    ListKeysResponse page = kms.listKeys(r -> r.limit(limit).marker(marker));
    assertThat(page.truncated()).isEqualTo(page.nextMarker() != null);
    return new Page<>(page.keys().stream().map(KeyListEntry::keyId).toList(), page.nextMarker());
  }

  private static List<SecretListEntry> secretsWalk(SecretsManagerClient sm,
      java.util.function.Consumer<ListSecretsRequest.Builder> request, int maxResults) {
    return walk(token -> {
      ListSecretsResponse page = sm.listSecrets(r -> {
        request.accept(r);
        r.maxResults(maxResults).nextToken(token);
      });
      assertThat(page.secretList().size()).isLessThanOrEqualTo(maxResults);
      return new Page<>(page.secretList(), page.nextToken());
    }, page -> { });
  }

  private static List<String> byPath(SsmClient ssm, String path, boolean recursive, int maxResults) {
    return walk(token -> {
      GetParametersByPathResponse page = ssm.getParametersByPath(r -> r.path(path).recursive(recursive)
          .maxResults(maxResults).nextToken(token));
      return new Page<>(page.parameters().stream().map(Parameter::name).toList(), page.nextToken());
    }, page -> { });
  }

  /** Date order as the index keeps it: to the millisecond, none first, then the ARN. */
  private static Comparator<SecretListEntry> byDate(Function<SecretListEntry, Instant> date) {
    return Comparator.<SecretListEntry>comparingLong(e -> date.apply(e) == null ? Long.MIN_VALUE
        : date.apply(e).toEpochMilli()).thenComparing(SecretListEntry::arn);
  }

  private static <T> List<T> reversed(List<T> list) {
    List<T> copy = new ArrayList<>(list);
    java.util.Collections.reverse(copy);
    return copy;
  }

  /** A token with one character changed: still base64, no longer one Shunt made. */
  private static String edited(String token) {
    char[] chars = token.toCharArray();
    int i = chars.length / 2;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    return new String(chars);
  }

  /** A genuine token, from another service's listing. */
  private static String ssmToken() {
    try (SsmClient ssm = ssm("999999999999")) {
      for (int i = 0; i < 2; i++) {
        String name = "/elsewhere/p" + i;
        ssm.putParameter(r -> r.name(name).value("v").type(ParameterType.STRING).overwrite(true));
      }
      return ssm.getParametersByPath(r -> r.path("/elsewhere").maxResults(1)).nextToken();
    }
  }

  private static KmsClient kms(String account) {
    return shunt.kms(account, Region.US_EAST_1);
  }

  private static SecretsManagerClient secrets(String account) {
    return shunt.secrets(account, Region.US_EAST_1);
  }

  private static SsmClient ssm(String account) {
    return shunt.ssm(account, Region.US_EAST_1);
  }

  /** {@code count} calls spread over a few threads, each with a client of its own. */
  private static <C extends AutoCloseable> void parallel(int count, Supplier<C> clients, ObjIntConsumer<C> call)
      throws Exception {
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int first = t;
      done.add(pool.submit(() -> {
        try (C client = clients.get()) {
          for (int i = first; i < count; i += THREADS) {
            call.accept(client, i);
          }
        }
        return null;
      }));
    }
    for (Future<?> future : done) {
      future.get(5, TimeUnit.MINUTES);
    }
  }

  /** Writes from another thread, for as long as a walk runs; closing stops it and surfaces any failure. */
  private static final class Churn implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger writes = new AtomicInteger();
    private final Future<?> future;

    <C extends AutoCloseable> Churn(Supplier<C> clients, java.util.function.Consumer<C> write) {
      future = pool.submit(() -> {
        try (C client = clients.get()) {
          while (running.get()) {
            write.accept(client);
            writes.incrementAndGet();
          }
        }
        return null;
      });
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      future.get(1, TimeUnit.MINUTES);
      assertThat(writes.get()).as("writes from the other thread during the walk").isPositive();
    }
  }
}
