package dev.shunt.backend.ssm;

import static dev.shunt.backend.AwsErrors.expectError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.BackendFixture;
import dev.shunt.backend.ShuntBackend;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.store.StoreFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.ssm.model.DescribeParametersResponse;
import software.amazon.awssdk.services.ssm.model.GetParameterHistoryResponse;
import software.amazon.awssdk.services.ssm.model.GetParametersByPathResponse;
import software.amazon.awssdk.services.ssm.model.ParameterHistory;
import software.amazon.awssdk.services.ssm.model.ParameterTier;
import software.amazon.awssdk.services.ssm.model.ParameterType;
import software.amazon.awssdk.services.ssm.model.ResourceTypeForTagging;
import software.amazon.awssdk.services.ssm.model.Tag;

/**
 * Parameter Store state kept in a data directory and written out by export: after a restart, or
 * in a fresh backend seeded from an export, every field of every parameter, version, label, tag,
 * policy and setting is what it was, SecureStrings decrypt (to the same ciphertexts), page tokens
 * still page and version numbers continue; the database holds no SecureString in the clear.
 */
class SsmDurableStateIT {
  private static final String ACCOUNT = "111122223333";
  private static final String ROOT_KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @TempDir
  Path dir;

  /** What {@link #populate} made that the checks need. */
  private record Made(List<String> secrets, String pageToken, String describeToken, String historyToken) {}

  /**
   * A varied state: String, StringList and SecureString (default key, an alias, a key id, an
   * envelope over 4 KB), overwrites, labels moved and removed, tags added and removed, an advanced
   * parameter with policies, 105 versions (the oldest dropped), deletes (one name made again),
   * settings, and a second account in another Region.
   */
  private static Made populate(BackendFixture shunt) {
    String tail = UUID.randomUUID().toString();
    List<String> secrets = List.of("default-key-1-" + tail, "default-key-2-" + tail, "alias-key-" + tail,
        "key-id-" + tail, "envelope-" + tail + "x".repeat(5000));
    try (SsmClient ssm = shunt.ssm(); KmsClient kms = shunt.kms();
        SsmClient other = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
      String keyId = kms.createKey(r -> r.description("ssm key")).keyMetadata().keyId();
      kms.createAlias(r -> r.aliasName("alias/ssm-test").targetKeyId(keyId));

      ssm.putParameter(r -> r.name("/app/s").value("one").type(ParameterType.STRING).description("first"));
      ssm.putParameter(r -> r.name("/app/s").value("two").overwrite(true));
      ssm.putParameter(r -> r.name("/app/s").value("three").overwrite(true).description("third"));
      ssm.labelParameterVersion(r -> r.name("/app/s").parameterVersion(1L).labels("first", "moved"));
      ssm.labelParameterVersion(r -> r.name("/app/s").parameterVersion(3L).labels("latest", "moved"));
      ssm.labelParameterVersion(r -> r.name("/app/s").parameterVersion(2L).labels("tmp"));
      ssm.unlabelParameterVersion(r -> r.name("/app/s").parameterVersion(2L).labels("tmp"));
      ssm.putParameter(r -> r.name("/app/list").value("a,b,c").type(ParameterType.STRING_LIST)
          .allowedPattern("^[a-z,]+$"));
      ssm.putParameter(r -> r.name("/app/secret/default").value(secrets.get(0)).type(ParameterType.SECURE_STRING));
      ssm.putParameter(r -> r.name("/app/secret/default").value(secrets.get(1)).overwrite(true));
      ssm.putParameter(r -> r.name("/app/secret/alias").value(secrets.get(2)).type(ParameterType.SECURE_STRING)
          .keyId("alias/ssm-test"));
      ssm.putParameter(r -> r.name("/app/secret/id").value(secrets.get(3)).type(ParameterType.SECURE_STRING)
          .keyId(keyId));
      ssm.putParameter(r -> r.name("/app/secret/big").value(secrets.get(4)).type(ParameterType.SECURE_STRING)
          .tier(ParameterTier.ADVANCED));
      ssm.putParameter(r -> r.name("/app/adv").value("v").type(ParameterType.STRING).tier(ParameterTier.ADVANCED)
          .policies("[{\"Type\":\"Expiration\",\"Version\":\"1.0\",\"Attributes\":{\"Timestamp\":"
              + "\"2099-01-01T00:00:00.000Z\"}},{\"Type\":\"NoChangeNotification\",\"Version\":\"1.0\","
              + "\"Attributes\":{\"After\":\"30\",\"Unit\":\"Days\"}}]"));
      ssm.putParameter(r -> r.name("/app/adv").value("w").overwrite(true).policies("[]"));
      ssm.putParameter(r -> r.name("/app/tagged").value("t").type(ParameterType.STRING)
          .tags(Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("2").build()));
      ssm.addTagsToResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId("/app/tagged")
          .tags(Tag.builder().key("c").value("3").build()));
      ssm.removeTagsFromResource(r -> r.resourceType(ResourceTypeForTagging.PARAMETER).resourceId("/app/tagged")
          .tagKeys("a"));
      ssm.putParameter(r -> r.name("plain").value("p").type(ParameterType.STRING).dataType("text"));
      for (int i = 1; i <= 105; i++) {
        String value = "v" + i;
        ssm.putParameter(r -> r.name("/app/many").value(value).type(ParameterType.STRING).overwrite(true));
      }
      ssm.labelParameterVersion(r -> r.name("/app/many").parameterVersion(50L).labels("half"));
      for (String name : List.of("/app/gone", "/app/gone2", "/app/gone3", "/app/again")) {
        ssm.putParameter(r -> r.name(name).value("bye").type(ParameterType.STRING));
      }
      ssm.deleteParameter(r -> r.name("/app/gone"));
      ssm.deleteParameters(r -> r.names("/app/gone2", "/app/gone3"));
      ssm.deleteParameter(r -> r.name("/app/again"));
      ssm.putParameter(r -> r.name("/app/again").value("hello again").type(ParameterType.STRING));
      ssm.updateServiceSetting(r -> r.settingId("/ssm/parameter-store/default-parameter-tier")
          .settingValue("Intelligent-Tiering"));
      ssm.updateServiceSetting(r -> r.settingId("/ssm/parameter-store/high-throughput-enabled").settingValue("true"));
      ssm.updateServiceSetting(r -> r.settingId("/ssm/parameter-store/high-throughput-enabled").settingValue("false"));
      ssm.resetServiceSetting(r -> r.settingId("/ssm/parameter-store/high-throughput-enabled"));
      other.putParameter(r -> r.name("/x/y").value("elsewhere").type(ParameterType.STRING));
      other.updateServiceSetting(r -> r.settingId("/ssm/parameter-store/high-throughput-enabled").settingValue("true"));

      GetParametersByPathResponse firstPage = ssm.getParametersByPath(r -> r.path("/app").recursive(true)
          .maxResults(3));
      DescribeParametersResponse firstDescribed = ssm.describeParameters(r -> r.maxResults(4));
      GetParameterHistoryResponse firstHistory = ssm.getParameterHistory(r -> r.name("/app/many").maxResults(30));
      assertThat(firstPage.nextToken()).isNotNull();
      assertThat(firstDescribed.nextToken()).isNotNull();
      assertThat(firstHistory.nextToken()).isNotNull();
      return new Made(secrets, firstPage.nextToken(), firstDescribed.nextToken(), firstHistory.nextToken());
    }
  }

  /** The pages after the tokens {@link #populate} took. */
  private static List<Object> nextPages(SsmClient ssm, Made made) {
    return List.of(
        ssm.getParametersByPath(r -> r.path("/app").recursive(true).maxResults(3).nextToken(made.pageToken()))
            .parameters(),
        ssm.describeParameters(r -> r.maxResults(4).nextToken(made.describeToken())).parameters(),
        ssm.getParameterHistory(r -> r.name("/app/many").maxResults(30).nextToken(made.historyToken())).parameters());
  }

  @Test
  void everythingSurvivesARestartAndVersionNumbersContinue() {
    Path data = dir.resolve("data");
    Made made;
    Map<String, Object> before;
    Map<String, Object> otherBefore;
    Map<String, List<ParameterHistory>> ciphertexts;
    List<Object> pages;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()))) {
      made = populate(shunt);
      try (SsmClient ssm = shunt.ssm(); SsmClient other = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
        before = SsmSnapshot.of(ssm);
        otherBefore = SsmSnapshot.of(other);
        ciphertexts = SsmSnapshot.ciphertexts(ssm);
        pages = nextPages(ssm, made);
        assertThat(SsmSnapshot.history(ssm, "/app/many", false)).hasSize(100).first()
            .extracting(ParameterHistory::version).isEqualTo(6L);
      }
    }
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm(); SsmClient other = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
      assertThat(shunt.backend().stateSummary()).contains("ssm.parameters");
      assertThat(SsmSnapshot.of(ssm)).isEqualTo(before);
      assertThat(SsmSnapshot.of(other)).isEqualTo(otherBefore);
      assertThat(SsmSnapshot.ciphertexts(ssm)).isEqualTo(ciphertexts);
      assertThat(nextPages(ssm, made)).isEqualTo(pages);
      for (int i = 0; i < 4; i++) {
        String name = List.of("/app/secret/default", "/app/secret/alias", "/app/secret/id", "/app/secret/big").get(i);
        assertThat(ssm.getParameter(r -> r.name(name).withDecryption(true)).parameter().value())
            .isEqualTo(made.secrets().get(i + 1));
      }
      assertThat(ssm.getParameter(r -> r.name("/app/secret/default:1").withDecryption(true)).parameter().value())
          .isEqualTo(made.secrets().get(0));
      assertThat(ssm.getParameter(r -> r.name("/app/s:moved")).parameter().value()).isEqualTo("three");
      assertThat(ssm.getParameter(r -> r.name("/app/s:first")).parameter().version()).isEqualTo(1L);
      expectError("ParameterVersionNotFound", () -> ssm.getParameter(r -> r.name("/app/s:tmp")));
      for (String gone : List.of("/app/gone", "/app/gone2", "/app/gone3")) {
        expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name(gone)));
      }
      assertThat(ssm.getParameter(r -> r.name("/app/again")).parameter().version()).isEqualTo(1L);
      // Numbers continue where they were, and are never reused.
      assertThat(ssm.putParameter(r -> r.name("/app/s").value("four").overwrite(true)).version()).isEqualTo(4L);
      assertThat(ssm.putParameter(r -> r.name("/app/many").value("v106").overwrite(true)).version()).isEqualTo(106L);
      assertThat(ssm.putParameter(r -> r.name("/app/again").value("x").overwrite(true)).version()).isEqualTo(2L);
      assertThat(ssm.putParameter(r -> r.name("/app/gone").value("new").type(ParameterType.STRING)).version())
          .isEqualTo(1L);
      // The Intelligent-Tiering default setting survived: a large value goes Advanced.
      assertThat(ssm.putParameter(r -> r.name("/app/large").value("l".repeat(5000)).type(ParameterType.STRING))
          .tier()).isEqualTo(ParameterTier.ADVANCED);
      assertThat(shunt.backend().ssm().highThroughput(ACCOUNT, "eu-west-1")).isTrue();
      assertThat(shunt.backend().ssm().highThroughput("000000000000", "us-east-1")).isFalse();
    }
  }

  @Test
  void anExportSeedsAnEqualBackendAndASealedOneHidesSecureStrings() throws Exception {
    Map<String, Object> before;
    Map<String, Object> otherBefore;
    Map<String, List<ParameterHistory>> ciphertexts;
    Made made;
    String sealed;
    ObjectNode plain;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("root-key", ROOT_KEY));
        SsmClient ssm = shunt.ssm(); SsmClient other = shunt.ssm(ACCOUNT, Region.EU_WEST_1)) {
      made = populate(shunt);
      before = SsmSnapshot.of(ssm);
      otherBefore = SsmSnapshot.of(other);
      ciphertexts = SsmSnapshot.ciphertexts(ssm);
      sealed = Json.text(shunt.backend().export(null, null, false));
      plain = shunt.backend().export(null, null, true);
    }
    String plainText = Json.text(plain);
    for (String secret : made.secrets()) {
      assertThat(plainText).contains(secret);
      assertThat(sealed).doesNotContain(secret.substring(0, 40))
          .doesNotContain(Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8)).substring(0, 40));
    }
    assertThat(sealed).contains("\"Value\":\"sealed:");
    // A version dropped beyond 100 is not exported: the history starts at 6 and its label stays on 50.
    JsonNode many = parameter(plain, "/app/many");
    assertThat(many.get("Versions")).hasSize(100);
    assertThat(many.get("Versions").get(0).get("Version").asLong()).isEqualTo(6L);

    for (String export : List.of(sealed, plainText)) {
      Path seed = Files.writeString(dir.resolve("export-" + export.hashCode() + ".json"), export);
      try (BackendFixture copy = BackendFixture.start(ShuntBackend.builder().option("root-key", ROOT_KEY)
          .option("seed", seed.toString()));
          SsmClient ssm = copy.ssm(); SsmClient other = copy.ssm(ACCOUNT, Region.EU_WEST_1)) {
        assertThat(SsmSnapshot.of(ssm)).isEqualTo(before);
        assertThat(SsmSnapshot.of(other)).isEqualTo(otherBefore);
        assertThat(SsmSnapshot.ciphertexts(ssm)).isEqualTo(ciphertexts);
        assertThat(ssmParts(copy.backend().export(null, null, true))).isEqualTo(ssmParts(plain));
        assertThat(ssm.putParameter(r -> r.name("/app/many").value("v106").overwrite(true)).version()).isEqualTo(106L);
      }
    }
  }

  @Test
  void anExportLoadsBackIntoTheStateItCameFromWithoutChangingIt() throws Exception {
    Path data = dir.resolve("data");
    Map<String, Object> before;
    Map<String, List<ParameterHistory>> ciphertexts;
    Path sealed = dir.resolve("sealed.json");
    Path plain = dir.resolve("plain.json");
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm()) {
      populate(shunt);
      before = SsmSnapshot.of(ssm);
      ciphertexts = SsmSnapshot.ciphertexts(ssm);
      Files.write(sealed, Json.write(shunt.backend().export(null, null, false)));
      Files.write(plain, Json.write(shunt.backend().export(null, null, true)));
    }
    for (Path seed : List.of(sealed, plain)) {
      try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString())
          .option("seed", seed.toString()));
          SsmClient ssm = shunt.ssm()) {
        assertThat(SsmSnapshot.of(ssm)).as(seed.toString()).isEqualTo(before);
        assertThat(SsmSnapshot.ciphertexts(ssm)).isEqualTo(ciphertexts);
      }
    }
  }

  @Test
  void theDataDirectoryHoldsNoSecureStringOrValueInTheClear() throws Exception {
    Path data = dir.resolve("data");
    String tail = UUID.randomUUID().toString();
    List<String> secrets = List.of("secure-one-" + tail, "secure-two-" + tail);
    String plainValue = "plain-value-" + tail;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm()) {
      ssm.putParameter(r -> r.name("/rest/one").value(secrets.get(0)).type(ParameterType.SECURE_STRING));
      ssm.putParameter(r -> r.name("/rest/one").value(secrets.get(1)).overwrite(true));
      ssm.putParameter(r -> r.name("/rest/plain").value(plainValue).type(ParameterType.STRING)
          .description("described-" + tail));
      assertThat(Json.text(shunt.backend().export(null, null, true))).contains(secrets.get(1)).contains(plainValue);
      assertThat(fileNames(data)).contains("shunt.db");
      // The search finds what is there (SQLite's header), so a miss below means the text is not.
      assertThat(holds(data, "SQLite format 3")).isTrue();
      assertThat(holds(data, secrets.get(0))).isFalse();
      assertThat(holds(data, secrets.get(1))).isFalse();
      assertThat(holds(data, plainValue)).isFalse();
      assertThat(holds(data, "described-" + tail)).isFalse();
    }
    for (String text : List.of(secrets.get(0), secrets.get(1), plainValue, "described-" + tail)) {
      assertThat(holds(data, text)).as(text).isFalse();
    }
    // They were written: a restart reads them back.
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm()) {
      assertThat(ssm.getParameter(r -> r.name("/rest/one").withDecryption(true)).parameter().value())
          .isEqualTo(secrets.get(1));
      assertThat(ssm.getParameter(r -> r.name("/rest/one:1").withDecryption(true)).parameter().value())
          .isEqualTo(secrets.get(0));
      assertThat(ssm.getParameter(r -> r.name("/rest/plain")).parameter().value()).isEqualTo(plainValue);
    }
  }

  @Test
  void aParameterDeletedByItsExpirationStaysDeletedAfterARestart() {
    Path data = dir.resolve("data");
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm()) {
      java.time.Instant at = shunt.backend().clock().now().plus(java.time.Duration.ofDays(2));
      ssm.putParameter(r -> r.name("/temp").value("v").type(ParameterType.STRING).tier(ParameterTier.ADVANCED)
          .policies("[{\"Type\":\"Expiration\",\"Version\":\"1.0\",\"Attributes\":{\"Timestamp\":\"" + at
              + "\"}}]"));
      ssm.putParameter(r -> r.name("/kept").value("v").type(ParameterType.STRING));
      shunt.backend().clock().advance(java.time.Duration.ofDays(3));
      expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/temp")));
    }
    // The restarted backend's clock is back at today, before the expiration: only the stored removal keeps it gone.
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm()) {
      expectError("ParameterNotFound", () -> ssm.getParameter(r -> r.name("/temp")));
      assertThat(SsmSnapshot.describe(ssm)).extracting(p -> p.name()).containsExactly("/kept");
    }
  }

  @Test
  void racingWritesAndDeletesOfTheSameNamesLeaveWhatMemoryHad() throws Exception {
    Path data = dir.resolve("data");
    Map<String, Object> before;
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()))) {
      int threads = 4;
      java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int thread = t;
          done.add(pool.submit(() -> {
            java.util.Random random = new java.util.Random(thread);
            try (SsmClient ssm = shunt.ssm()) {
              for (int i = 0; i < 150; i++) {
                String name = "/race/p" + random.nextInt(3);
                String value = "t" + thread + "-" + i;
                try {
                  switch (random.nextInt(4)) {
                    case 0 -> ssm.deleteParameter(r -> r.name(name));
                    case 1 -> ssm.labelParameterVersion(r -> r.name(name).labels("l" + thread));
                    default -> ssm.putParameter(r -> r.name(name).value(value).type(ParameterType.STRING)
                        .overwrite(true));
                  }
                } catch (software.amazon.awssdk.services.ssm.model.ParameterNotFoundException e) {
                  // Deleted by another thread meanwhile: AWS answers the same.
                }
              }
            }
            return null;
          }));
        }
        for (java.util.concurrent.Future<?> future : done) {
          future.get();
        }
      } finally {
        pool.shutdownNow();
      }
      try (SsmClient ssm = shunt.ssm()) {
        before = SsmSnapshot.of(ssm);
      }
    }
    try (BackendFixture shunt = BackendFixture.start(ShuntBackend.builder().option("data-dir", data.toString()));
        SsmClient ssm = shunt.ssm()) {
      assertThat(SsmSnapshot.of(ssm)).isEqualTo(before);
    }
  }

  private static JsonNode parameter(JsonNode export, String name) {
    for (JsonNode region : export.path("regions")) {
      for (JsonNode parameter : region.path("ssm").path("parameters")) {
        if (parameter.path("Name").asText().equals(name)) {
          return parameter;
        }
      }
    }
    throw new AssertionError("no " + name + " in the export");
  }

  /** The ssm part of each Region of an export. */
  private static List<JsonNode> ssmParts(JsonNode export) {
    List<JsonNode> parts = new java.util.ArrayList<>();
    for (JsonNode region : export.path("regions")) {
      if (region.has("ssm")) {
        parts.add(Json.object().put("account", region.get("account").asText())
            .put("region", region.get("region").asText()).set("ssm", region.get("ssm")));
      }
    }
    return parts;
  }

  private static List<String> fileNames(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(file -> file.getFileName().toString()).toList();
    }
  }

  /** Whether any file of the data directory (the database, its WAL) holds the text, as UTF-8 or base64. */
  private static boolean holds(Path dir, String text) throws Exception {
    byte[] raw = text.getBytes(StandardCharsets.UTF_8);
    byte[] base64 = Base64.getEncoder().encodeToString(raw).getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        if (StoreFiles.indexOf(bytes, raw) >= 0 || StoreFiles.indexOf(bytes, base64) >= 0) {
          return true;
        }
      }
    }
    return false;
  }
}
