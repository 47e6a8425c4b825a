package dev.shunt.backend.secrets;

import static dev.shunt.backend.AwsErrors.expectError;
import static dev.shunt.backend.AwsErrors.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.shunt.backend.BackendTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.APIErrorType;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetRandomPasswordRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretValueEntry;
import software.amazon.awssdk.services.secretsmanager.model.SortByType;
import software.amazon.awssdk.services.secretsmanager.model.SortOrderType;
import software.amazon.awssdk.services.secretsmanager.model.Tag;

/** ListSecrets (filters, order, paging), BatchGetSecretValue, TagResource/UntagResource and GetRandomPassword. */
class SecretListingIT extends BackendTest {
  private static final String LOWER = "abcdefghijklmnopqrstuvwxyz";
  private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final String DIGITS = "0123456789";
  private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

  private static Tag tag(String key, String value) {
    return Tag.builder().key(key).value(value).build();
  }

  private static Filter filter(FilterNameStringType key, String... values) {
    return Filter.builder().key(key).values(values).build();
  }

  private static List<String> names(Filter... filters) {
    return sm.listSecretsPaginator(r -> r.filters(filters)).stream().flatMap(p -> p.secretList().stream())
        .map(SecretListEntry::name).toList();
  }

  private static List<String> allPages(Consumer<ListSecretsRequest.Builder> request, int pageSize, int expectedPages) {
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String current = token;
      ListSecretsResponse page = sm.listSecrets(r -> {
        request.accept(r);
        r.maxResults(pageSize).nextToken(current);
      });
      assertThat(page.secretList()).hasSizeLessThanOrEqualTo(pageSize).isNotEmpty();
      page.secretList().forEach(s -> seen.add(s.name()));
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(expectedPages);
    return seen;
  }

  // ---- filters ----------------------------------------------------------------------------------

  private static void createFilterFixture() {
    sm.createSecret(r -> r.name("prod/db/password").description("Production database password")
        .tags(tag("env", "prod"), tag("team", "payments")));
    sm.createSecret(r -> r.name("prod/api-key").description("Payments API key")
        .tags(tag("env", "prod"), tag("owner", "alice")));
    sm.createSecret(r -> r.name("dev/db/password").description("development DB")
        .tags(tag("env", "dev"), tag("team", "payments")));
    sm.createSecret(r -> r.name("Prod-Upper"));
    try (SecretsManagerClient west = shunt.secrets("AKIDTEST", Region.EU_WEST_1)) {
      west.createSecret(r -> r.name("prod/elsewhere").description("Production elsewhere"));
    }
  }

  @Test
  void filtersMatchPrefixesWithTheirOwnCaseRules() {
    createFilterFixture();
    // name: prefix, case-sensitive.
    assertThat(names(filter(FilterNameStringType.NAME, "prod"))).containsExactlyInAnyOrder("prod/db/password",
        "prod/api-key");
    assertThat(names(filter(FilterNameStringType.NAME, "Prod"))).containsExactly("Prod-Upper");
    assertThat(names(filter(FilterNameStringType.NAME, "db"))).isEmpty();
    // description: prefix, not case-sensitive.
    assertThat(names(filter(FilterNameStringType.DESCRIPTION, "production"))).containsExactly("prod/db/password");
    assertThat(names(filter(FilterNameStringType.DESCRIPTION, "PAYMENTS api"))).containsExactly("prod/api-key");
    assertThat(names(filter(FilterNameStringType.DESCRIPTION, "database"))).isEmpty();
    // tag-key and tag-value: prefix, case-sensitive.
    assertThat(names(filter(FilterNameStringType.TAG_KEY, "te"))).containsExactlyInAnyOrder("prod/db/password",
        "dev/db/password");
    assertThat(names(filter(FilterNameStringType.TAG_KEY, "Team"))).isEmpty();
    assertThat(names(filter(FilterNameStringType.TAG_VALUE, "pay"))).containsExactlyInAnyOrder("prod/db/password",
        "dev/db/password");
    assertThat(names(filter(FilterNameStringType.TAG_VALUE, "al"))).containsExactly("prod/api-key");
    assertThat(names(filter(FilterNameStringType.TAG_VALUE, "Pay"))).isEmpty();
    // primary-region and owning-service.
    assertThat(names(filter(FilterNameStringType.PRIMARY_REGION, "us-east"))).hasSize(4);
    assertThat(names(filter(FilterNameStringType.PRIMARY_REGION, "eu-"))).isEmpty();
    assertThat(names(filter(FilterNameStringType.OWNING_SERVICE, "rds"))).isEmpty();
    // all: words of the value, matched against name, description and tags, not case-sensitive.
    assertThat(names(filter(FilterNameStringType.ALL, "PAYMENTS"))).containsExactlyInAnyOrder("prod/db/password",
        "prod/api-key", "dev/db/password");
    assertThat(names(filter(FilterNameStringType.ALL, "alice"))).containsExactly("prod/api-key");
    assertThat(names(filter(FilterNameStringType.ALL, "DEV"))).containsExactly("dev/db/password");
    assertThat(names(filter(FilterNameStringType.ALL, "upper"))).containsExactly("Prod-Upper");
  }

  @Test
  void filtersNegateCombineAndValidate() {
    createFilterFixture();
    assertThat(names(filter(FilterNameStringType.NAME, "!prod"))).containsExactlyInAnyOrder("dev/db/password",
        "Prod-Upper");
    assertThat(names(filter(FilterNameStringType.TAG_KEY, "!team"))).containsExactlyInAnyOrder("prod/api-key",
        "Prod-Upper");
    assertThat(names(filter(FilterNameStringType.PRIMARY_REGION, "!us-east-1"))).isEmpty();
    assertThat(names(filter(FilterNameStringType.OWNING_SERVICE, "!rds"))).hasSize(4);
    assertThat(names(filter(FilterNameStringType.DESCRIPTION, "!PRODUCTION"))).containsExactlyInAnyOrder("prod/api-key",
        "dev/db/password", "Prod-Upper");
    // Several values of one filter: any of them. Several filters: all of them.
    assertThat(names(filter(FilterNameStringType.NAME, "dev", "Prod"))).containsExactlyInAnyOrder("dev/db/password",
        "Prod-Upper");
    assertThat(names(filter(FilterNameStringType.NAME, "prod"), filter(FilterNameStringType.TAG_KEY, "owner")))
        .containsExactly("prod/api-key");
    assertThat(names(filter(FilterNameStringType.TAG_VALUE, "payments"), filter(FilterNameStringType.NAME, "!dev")))
        .containsExactly("prod/db/password");
    assertThat(names(filter(FilterNameStringType.TAG_VALUE, "prod", "dev"), filter(FilterNameStringType.DESCRIPTION,
        "development", "payments"))).containsExactlyInAnyOrder("prod/api-key", "dev/db/password");

    expectError("ValidationException",
        () -> sm.listSecrets(r -> r.filters(Filter.builder().key("colour").values("x").build())));
    expectError("ValidationException",
        () -> sm.listSecrets(r -> r.filters(filter(FilterNameStringType.NAME, "bad*char"))));
    Filter noValues = Filter.builder().key(FilterNameStringType.NAME).values(List.of()).build();
    expectError("ValidationException", () -> sm.listSecrets(r -> r.filters(noValues)));
  }

  @Test
  void listEntriesCarryWhatDescribeSecretShows() {
    String version = sm.createSecret(r -> r.name("entry").secretString("v").description("d").tags(tag("a", "b")))
        .versionId();
    sm.getSecretValue(r -> r.secretId("entry"));
    DescribeSecretResponse described = sm.describeSecret(r -> r.secretId("entry"));
    SecretListEntry entry = sm.listSecrets().secretList().get(0);
    assertThat(entry.arn()).isEqualTo(described.arn());
    assertThat(entry.name()).isEqualTo("entry");
    assertThat(entry.description()).isEqualTo("d");
    assertThat(entry.tags()).containsExactly(tag("a", "b"));
    assertThat(entry.createdDate()).isEqualTo(described.createdDate());
    assertThat(entry.lastChangedDate()).isEqualTo(described.lastChangedDate());
    assertThat(entry.lastAccessedDate()).isEqualTo(described.lastAccessedDate()).isNotNull();
    assertThat(entry.primaryRegion()).isEqualTo("us-east-1");
    assertThat(entry.rotationEnabled()).isFalse();
    assertThat(entry.kmsKeyId()).isNull();
    assertThat(entry.deletedDate()).isNull();
    assertThat(entry.secretVersionsToStages()).containsOnly(Map.entry(version, List.of("AWSCURRENT")));
  }

  // ---- order and paging ---------------------------------------------------------------------

  @Test
  void secretsSortByCreationOrName() {
    List<String> created = List.of("m-2", "z-1", "a-3", "k-4", "b-5");
    for (String name : created) {
      sm.createSecret(r -> r.name(name));
      shunt.backend().clock().advance(Duration.ofSeconds(1));
    }
    List<String> reversed = reversed(created);
    assertThat(listOrder(r -> r.sortOrder(SortOrderType.ASC))).containsExactlyElementsOf(created);
    assertThat(listOrder(r -> r.sortOrder(SortOrderType.DESC))).containsExactlyElementsOf(reversed);
    assertThat(listOrder(r -> r.sortBy(SortByType.CREATED_DATE).sortOrder(SortOrderType.DESC)))
        .containsExactlyElementsOf(reversed);
    assertThat(listOrder(r -> r.sortBy(SortByType.NAME).sortOrder(SortOrderType.ASC)))
        .containsExactly("a-3", "b-5", "k-4", "m-2", "z-1");
    assertThat(listOrder(r -> r.sortBy(SortByType.NAME).sortOrder(SortOrderType.DESC)))
        .containsExactly("z-1", "m-2", "k-4", "b-5", "a-3");
    assertThat(sm.listSecrets(r -> r.sortOrder(SortOrderType.ASC)).secretList())
        .extracting(SecretListEntry::createdDate).isSorted();
    expectError("ValidationException", () -> sm.listSecrets(r -> r.sortOrder("sideways")));
    expectError("ValidationException", () -> sm.listSecrets(r -> r.sortBy("colour")));
  }

  private static List<String> reversed(List<String> list) {
    List<String> copy = new ArrayList<>(list);
    Collections.reverse(copy);
    return copy;
  }

  private static List<String> listOrder(Consumer<ListSecretsRequest.Builder> request) {
    return sm.listSecrets(request).secretList().stream().map(SecretListEntry::name).toList();
  }

  @Test
  void pagingVisitsEverySecretOnce() {
    List<String> all = new ArrayList<>();
    for (int i = 0; i < 230; i++) {
      String name = String.format("page-%03d", i);
      all.add(name);
      sm.createSecret(r -> r.name(name));
    }
    assertThat(allPages(r -> { }, 17, 14)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
    assertThat(allPages(r -> r.sortOrder(SortOrderType.DESC), 100, 3)).doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(all);
    assertThat(allPages(r -> r.sortBy(SortByType.NAME), 40, 6)).containsExactlyElementsOf(all);
    assertThat(allPages(r -> r.sortBy(SortByType.NAME).sortOrder(SortOrderType.DESC), 40, 6))
        .containsExactlyElementsOf(reversed(all));
    assertThat(allPages(r -> r.filters(filter(FilterNameStringType.NAME, "page-1")), 30, 4))
        .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all.subList(100, 200));
    assertThat(sm.listSecretsPaginator(r -> r.maxResults(9)).stream().mapToLong(p -> p.secretList().size()).sum())
        .isEqualTo(230);

    // A secret deleted between two pages is simply not seen again.
    ListSecretsResponse first = sm.listSecrets(r -> r.sortBy(SortByType.CREATED_DATE).maxResults(50));
    String lastSeen = first.secretList().get(49).name();
    sm.deleteSecret(r -> r.secretId(lastSeen).forceDeleteWithoutRecovery(true));
    ListSecretsResponse second = sm.listSecrets(r -> r.maxResults(50).nextToken(first.nextToken()));
    assertThat(second.secretList()).hasSize(50).extracting(SecretListEntry::name)
        .doesNotContainAnyElementsOf(first.secretList().stream().map(SecretListEntry::name).toList());
  }

  @Test
  void anInvalidNextTokenIsRefused() {
    for (int i = 0; i < 3; i++) {
      int n = i;
      sm.createSecret(r -> r.name("t" + n));
    }
    String byName = sm.listSecrets(r -> r.sortBy(SortByType.NAME).maxResults(1)).nextToken();
    assertThat(byName).isNotNull();
    for (String token : List.of("bogus", "%%%", byName,
        Base64.getUrlEncoder().encodeToString("k:notanumber:x".getBytes(StandardCharsets.UTF_8)))) {
      var error = expectError("InvalidNextTokenException", () -> sm.listSecrets(r -> r.nextToken(token)));
      assertThat(message(error)).as(token).isNotBlank();
    }
    expectError("ValidationException", () -> sm.listSecrets(r -> r.maxResults(0)));
    expectError("ValidationException", () -> sm.listSecrets(r -> r.maxResults(101)));
  }

  // ---- BatchGetSecretValue -----------------------------------------------------------------

  @Test
  void batchGetSecretValueByIds() {
    String aArn = sm.createSecret(r -> r.name("batch/a").secretString("A")).arn();
    sm.createSecret(r -> r.name("batch/b").secretString("B"));
    sm.createSecret(r -> r.name("batch/empty"));
    BatchGetSecretValueResponse response = sm.batchGetSecretValue(r -> r.secretIdList(aArn, "batch/b", "batch/missing",
        "batch/empty"));
    assertThat(response.secretValues()).extracting(SecretValueEntry::name, SecretValueEntry::secretString)
        .containsExactlyInAnyOrder(tuple("batch/a", "A"), tuple("batch/b", "B"));
    assertThat(response.secretValues()).allSatisfy(v -> {
      assertThat(v.versionId()).isNotBlank();
      assertThat(v.versionStages()).containsExactly("AWSCURRENT");
      assertThat(v.arn()).startsWith("arn:aws:secretsmanager:us-east-1:000000000000:secret:" + v.name() + "-");
    });
    Map<String, String> errors = response.errors().stream()
        .collect(Collectors.toMap(APIErrorType::secretId, APIErrorType::errorCode));
    assertThat(errors).containsOnly(Map.entry("batch/missing", "ResourceNotFoundException"),
        Map.entry("batch/empty", "ResourceNotFoundException"));
    assertThat(response.errors()).allSatisfy(e -> assertThat(e.message()).isNotBlank());
    assertThat(response.nextToken()).isNull();
  }

  @Test
  void batchGetSecretValueByFiltersPages() {
    Map<String, String> expected = new HashMap<>();
    for (int i = 0; i < 7; i++) {
      String name = "app/" + i;
      String value = "value-" + i;
      expected.put(name, value);
      sm.createSecret(r -> r.name(name).secretString(value));
    }
    sm.createSecret(r -> r.name("other/x").secretString("nope"));
    sm.createSecret(r -> r.name("app/deleted").secretString("gone"));
    sm.deleteSecret(r -> r.secretId("app/deleted"));

    Map<String, String> seen = new HashMap<>();
    String token = null;
    int pages = 0;
    do {
      String current = token;
      BatchGetSecretValueResponse page = sm.batchGetSecretValue(
          r -> r.filters(filter(FilterNameStringType.NAME, "app/")).maxResults(3).nextToken(current));
      assertThat(page.secretValues()).hasSizeLessThanOrEqualTo(3);
      assertThat(page.errors()).isEmpty();
      page.secretValues().forEach(v -> assertThat(seen.put(v.name(), v.secretString())).isNull());
      token = page.nextToken();
      pages++;
    } while (token != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).isEqualTo(expected);
    assertThat(sm.batchGetSecretValuePaginator(r -> r.filters(filter(FilterNameStringType.NAME, "app/")))
        .stream().mapToLong(p -> p.secretValues().size()).sum()).isEqualTo(7);
  }

  @Test
  void batchGetSecretValueNeedsIdsOrFiltersNotBoth() {
    sm.createSecret(r -> r.name("x").secretString("v"));
    expectError("InvalidParameterException", () -> sm.batchGetSecretValue(r -> { }));
    expectError("InvalidParameterException", () -> sm.batchGetSecretValue(r -> r.secretIdList("x")
        .filters(filter(FilterNameStringType.NAME, "x"))));
    expectError("ValidationException",
        () -> sm.batchGetSecretValue(r -> r.filters(filter(FilterNameStringType.NAME, "x")).maxResults(21)));
    String[] tooMany = new String[21];
    Arrays.fill(tooMany, "x");
    expectError("ValidationException", () -> sm.batchGetSecretValue(r -> r.secretIdList(tooMany)));
  }

  // ---- tags ---------------------------------------------------------------------------------

  @Test
  void tagAndUntagResource() {
    sm.createSecret(r -> r.name("tags").tags(tag("env", "dev"), tag("team", "a")));
    sm.tagResource(r -> r.secretId("tags").tags(tag("env", "prod"), tag("cost", "42")));
    assertThat(sm.describeSecret(r -> r.secretId("tags")).tags())
        .containsExactlyInAnyOrder(tag("env", "prod"), tag("team", "a"), tag("cost", "42"));
    sm.untagResource(r -> r.secretId("tags").tagKeys("team", "not-there"));
    assertThat(sm.describeSecret(r -> r.secretId("tags")).tags()).containsExactlyInAnyOrder(tag("env", "prod"),
        tag("cost", "42"));
    // Tag keys are case-sensitive.
    sm.tagResource(r -> r.secretId("tags").tags(tag("ENV", "x")));
    assertThat(sm.describeSecret(r -> r.secretId("tags")).tags()).hasSize(3);

    expectError("InvalidParameterException", () -> sm.tagResource(r -> r.secretId("tags").tags(tag("aws:owner",
        "me"))));
    expectError("InvalidParameterException", () -> sm.createSecret(r -> r.name("reserved").tags(tag("aws:x", "y"))));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("reserved")));
    expectError("ResourceNotFoundException", () -> sm.tagResource(r -> r.secretId("missing").tags(tag("a", "b"))));
    expectError("ResourceNotFoundException", () -> sm.untagResource(r -> r.secretId("missing").tagKeys("a")));
    assertThat(sm.describeSecret(r -> r.secretId("tags")).tags()).hasSize(3);
  }

  @Test
  void aSecretHasAtMostFiftyTags() {
    Tag[] fifty = new Tag[50];
    for (int i = 0; i < 50; i++) {
      fifty[i] = tag("k" + i, "v");
    }
    sm.createSecret(r -> r.name("full").tags(fifty));
    var error = expectError("InvalidParameterException",
        () -> sm.tagResource(r -> r.secretId("full").tags(tag("one-more", "v"))));
    assertThat(message(error)).contains("50");
    sm.tagResource(r -> r.secretId("full").tags(tag("k0", "replaced")));
    sm.untagResource(r -> r.secretId("full").tagKeys("k1"));
    sm.tagResource(r -> r.secretId("full").tags(tag("new", "v")));
    assertThat(sm.describeSecret(r -> r.secretId("full")).tags()).hasSize(50).contains(tag("k0", "replaced"),
        tag("new", "v"));

    Tag[] fiftyOne = Arrays.copyOf(fifty, 51);
    fiftyOne[50] = tag("k50", "v");
    expectError("InvalidParameterException", () -> sm.createSecret(r -> r.name("overfull").tags(fiftyOne)));
    expectError("ResourceNotFoundException", () -> sm.describeSecret(r -> r.secretId("overfull")));
  }

  // ---- GetRandomPassword --------------------------------------------------------------------

  private static String password(Consumer<GetRandomPasswordRequest.Builder> request) {
    return sm.getRandomPassword(request).randomPassword();
  }

  private static boolean containsAny(String password, String characters) {
    return password.chars().anyMatch(c -> characters.indexOf(c) >= 0);
  }

  @Test
  void theDefaultPasswordHas32CharactersOfEveryType() {
    for (int i = 0; i < 20; i++) {
      String password = password(r -> { });
      assertThat(password).hasSize(32);
      assertThat(password.chars()).allMatch(c -> (LOWER + UPPER + DIGITS + PUNCTUATION).indexOf(c) >= 0);
      assertThat(containsAny(password, LOWER) && containsAny(password, UPPER) && containsAny(password, DIGITS)
          && containsAny(password, PUNCTUATION)).as(password).isTrue();
    }
  }

  @Test
  void requireEachIncludedTypeGuaranteesOneOfEach() {
    // Four characters from four types: at random that happens about one time in fifteen.
    for (int i = 0; i < 200; i++) {
      String password = password(r -> r.passwordLength(4L));
      assertThat(containsAny(password, LOWER) && containsAny(password, UPPER) && containsAny(password, DIGITS)
          && containsAny(password, PUNCTUATION)).as(password).isTrue();
      // The space is allowed, not required: four characters still hold the four required types.
      String spaced = password(r -> r.passwordLength(4L).includeSpace(true));
      assertThat(containsAny(spaced, LOWER) && containsAny(spaced, UPPER) && containsAny(spaced, DIGITS)
          && containsAny(spaced, PUNCTUATION)).as(spaced).isTrue();
      String noDigits = password(r -> r.passwordLength(3L).excludeNumbers(true).requireEachIncludedType(true));
      assertThat(containsAny(noDigits, LOWER) && containsAny(noDigits, UPPER) && containsAny(noDigits, PUNCTUATION))
          .as(noDigits).isTrue();
    }
    var tooShort = expectError("InvalidParameterException", () -> password(r -> r.passwordLength(3L)));
    assertThat(message(tooShort)).isNotBlank();
    assertThat(password(r -> r.passwordLength(3L).requireEachIncludedType(false))).hasSize(3);
    assertThat(password(r -> r.passwordLength(1L).requireEachIncludedType(false))).hasSize(1);
  }

  @Test
  void exclusionsAreHonoured() {
    String excluded = "abcdefghijklmABCDEFGHIJKLM01234!@#$%";
    String withoutExcluded = password(r -> r.passwordLength(4096L).excludeCharacters(excluded));
    assertThat(withoutExcluded).hasSize(4096);
    assertThat(containsAny(withoutExcluded, excluded)).isFalse();
    assertThat(containsAny(withoutExcluded, "nopqrstuvwxyz") && containsAny(withoutExcluded, "NOPQRSTUVWXYZ")
        && containsAny(withoutExcluded, "56789") && containsAny(withoutExcluded, "^&*()")).isTrue();
    String noDigits = password(r -> r.passwordLength(4096L).excludeNumbers(true));
    assertThat(containsAny(noDigits, DIGITS)).isFalse();
    assertThat(containsAny(noDigits, LOWER) && containsAny(noDigits, UPPER) && containsAny(noDigits, PUNCTUATION))
        .isTrue();
    assertThat(password(r -> r.passwordLength(4096L).excludePunctuation(true))).matches("[A-Za-z0-9]{4096}");
    assertThat(password(r -> r.passwordLength(4096L).excludeUppercase(true))).doesNotContainPattern("[A-Z]")
        .containsPattern("[a-z]");
    assertThat(password(r -> r.passwordLength(4096L).excludeLowercase(true))).doesNotContainPattern("[a-z]")
        .containsPattern("[A-Z]");
    assertThat(password(r -> r.passwordLength(4096L))).doesNotContain(" ");
    assertThat(password(r -> r.passwordLength(4096L).includeSpace(true))).contains(" ");
    assertThat(password(r -> r.passwordLength(4096L).includeSpace(true).excludeCharacters(" "))).doesNotContain(" ");
    assertThat(password(r -> r.passwordLength(64L).excludeLowercase(true).excludeUppercase(true).excludeNumbers(true)
        .excludePunctuation(true).includeSpace(true))).isEqualTo(" ".repeat(64));
    assertThat(password(r -> r.passwordLength(50L).excludePunctuation(true).excludeUppercase(true)
        .excludeCharacters(LOWER.substring(1)))).matches("[a0-9]{50}").contains("a");
  }

  @Test
  void impossibleOrOutOfRangePasswordsAreRefused() {
    expectError("InvalidParameterException", () -> password(r -> r.excludeLowercase(true).excludeUppercase(true)
        .excludeNumbers(true).excludePunctuation(true)));
    expectError("InvalidParameterException",
        () -> password(r -> r.excludeCharacters(LOWER + UPPER + DIGITS + PUNCTUATION)));
    expectError("InvalidParameterException",
        () -> password(r -> r.excludeCharacters(LOWER + UPPER + DIGITS + PUNCTUATION).requireEachIncludedType(false)));
    assertThat(password(r -> r.passwordLength(4096L))).hasSize(4096);
    var zero = expectError("ValidationException", () -> password(r -> r.passwordLength(0L)));
    assertThat(message(zero)).contains("passwordLength");
    expectError("ValidationException", () -> password(r -> r.passwordLength(4097L)));
  }
}
