package dev.shunt.backend.secrets;

import static dev.shunt.backend.core.Inputs.blob;
import static dev.shunt.backend.core.Inputs.bool;
import static dev.shunt.backend.core.Inputs.flag;
import static dev.shunt.backend.core.Inputs.integer;
import static dev.shunt.backend.core.Inputs.longValue;
import static dev.shunt.backend.core.Inputs.string;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.AwsService;
import dev.shunt.backend.core.Inputs;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.model.ServiceModel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secrets Manager on the wire ({@code secretsmanager.*}): each operation reads its validated
 * JSON input, calls {@link SecretsBackend}, and writes Secrets Manager's output shape. Find an
 * operation by its AWS name.
 */
public final class SecretsService implements AwsService {
  /**
   * Limits real Secrets Manager reports as InvalidParameterException with its own message, not as
   * the front end's ValidationException, so this service checks them (see {@link #clientRequestToken}
   * and {@link RotationSchedule#check}) instead of the model. Recorded against AWS: moto's
   * {@code test_rotate_secret_client_request_token_too_short} and
   * {@code test_rotate_secret_rotation_period_validation}.
   */
  private static final Set<String> SHAPES_CHECKED_HERE = Set.of("ClientRequestTokenType",
      "AutomaticallyRotateAfterDaysType");
  private final ServiceModel model = ServiceModel.load("secretsmanager", SHAPES_CHECKED_HERE);
  private final SecretsBackend secrets;
  private final Map<String, OperationHandler> operations = new LinkedHashMap<>();

  public SecretsService(SecretsBackend secrets) {
    this.secrets = secrets;
    operations.put("CreateSecret", this::createSecret);
    operations.put("GetSecretValue", this::getSecretValue);
    operations.put("BatchGetSecretValue", this::batchGetSecretValue);
    operations.put("PutSecretValue", this::putSecretValue);
    operations.put("UpdateSecret", this::updateSecret);
    operations.put("UpdateSecretVersionStage", this::updateSecretVersionStage);
    operations.put("DescribeSecret", this::describeSecret);
    operations.put("ListSecrets", this::listSecrets);
    operations.put("ListSecretVersionIds", this::listSecretVersionIds);
    operations.put("DeleteSecret", this::deleteSecret);
    operations.put("RestoreSecret", this::restoreSecret);
    operations.put("TagResource", this::tagResource);
    operations.put("UntagResource", this::untagResource);
    operations.put("GetRandomPassword", this::getRandomPassword);
    operations.put("GetResourcePolicy", this::getResourcePolicy);
    operations.put("PutResourcePolicy", this::putResourcePolicy);
    operations.put("DeleteResourcePolicy", this::deleteResourcePolicy);
    operations.put("ValidateResourcePolicy", this::validateResourcePolicy);
    operations.put("RotateSecret", this::rotateSecret);
    operations.put("CancelRotateSecret", this::cancelRotateSecret);
    operations.put("ReplicateSecretToRegions", this::replicateSecretToRegions);
    operations.put("RemoveRegionsFromReplication", this::removeRegionsFromReplication);
    operations.put("StopReplicationToReplica", this::stopReplicationToReplica);
  }

  @Override
  public ServiceModel model() {
    return model;
  }

  @Override
  public Map<String, OperationHandler> operations() {
    return operations;
  }

  @Override
  public void reset() {
    secrets.reset();
  }

  // ---- values -----------------------------------------------------------------------------

  private ObjectNode createSecret(RequestContext ctx, ObjectNode in) {
    SecretsBackend.Result result = secrets.createSecret(ctx, string(in, "Name"), clientRequestToken(in),
        string(in, "Description"), string(in, "KmsKeyId"), value(in), tags(in), string(in, "Type"),
        replicaRequests(in, "AddReplicaRegions"), flag(in, "ForceOverwriteReplicaSecret"));
    ObjectNode out = named(result.secret());
    if (result.version() != null) {
      out.put("VersionId", result.version().versionId);
    }
    SecretView view = SecretView.of(result.secret());
    if (!view.replicas().isEmpty()) {
      replicationStatus(out, view);
    }
    return out;
  }

  private ObjectNode getSecretValue(RequestContext ctx, ObjectNode in) {
    return valueEntry(secrets.getSecretValue(ctx, string(in, "SecretId"), string(in, "VersionId"),
        string(in, "VersionStage")));
  }

  private static ObjectNode valueEntry(SecretsBackend.Value value) {
    ObjectNode out = named(value.secret());
    out.put("VersionId", value.version().versionId);
    if (value.binary()) {
      out.put("SecretBinary", value.plaintext());
    } else {
      out.put("SecretString", new SecretValue(value.plaintext(), false).string());
    }
    stages(out.putArray("VersionStages"), value.stages());
    Json.putDate(out, "CreatedDate", value.version().createdDate);
    return out;
  }

  private ObjectNode batchGetSecretValue(RequestContext ctx, ObjectNode in) {
    secrets.authorizeIdentity(ctx, "BatchGetSecretValue", "*");
    List<String> ids = Inputs.strings(in, "SecretIdList");
    List<SecretFilter> filters = filters(in);
    boolean byIds = in.hasNonNull("SecretIdList");
    if (byIds == in.hasNonNull("Filters")) {
      throw SecretsErrors.invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    }
    Integer maxResults = integer(in, "MaxResults");
    if (byIds && maxResults != null) {
      throw SecretsErrors.invalidParameter("'MaxResults' can only be used with 'Filters'.");
    }
    String nextToken = null;
    if (!byIds) {
      SecretsBackend.Page<SecretView> page = secrets.listSecrets(ctx, false, filters, null, false,
          maxResults == null ? 20 : maxResults, string(in, "NextToken"));
      ids = page.items().stream().map(SecretView::arn).toList();
      nextToken = page.nextToken();
    }
    ObjectNode out = Json.object();
    ArrayNode values = out.putArray("SecretValues");
    ArrayNode errors = out.putArray("Errors");
    for (String id : ids) {
      try {
        values.add(valueEntry(secrets.getSecretValue(ctx, id, null, null)));
      } catch (AwsException e) {
        errors.addObject().put("SecretId", id).put("ErrorCode", e.code()).put("Message", e.getMessage());
      }
    }
    if (nextToken != null) {
      out.put("NextToken", nextToken);
    }
    return out;
  }

  private ObjectNode putSecretValue(RequestContext ctx, ObjectNode in) {
    SecretsBackend.Result result = secrets.putSecretValue(ctx, string(in, "SecretId"),
        clientRequestToken(in), value(in), Inputs.strings(in, "VersionStages"));
    ObjectNode out = named(result.secret());
    out.put("VersionId", result.version().versionId);
    synchronized (result.secret()) {
      stages(out.putArray("VersionStages"), List.copyOf(result.version().stages));
    }
    return out;
  }

  private ObjectNode updateSecret(RequestContext ctx, ObjectNode in) {
    SecretsBackend.Result result = secrets.updateSecret(ctx, string(in, "SecretId"), clientRequestToken(in),
        string(in, "Description"), string(in, "KmsKeyId"), value(in), string(in, "Type"));
    ObjectNode out = named(result.secret());
    if (result.version() != null) {
      out.put("VersionId", result.version().versionId);
    }
    return out;
  }

  private ObjectNode updateSecretVersionStage(RequestContext ctx, ObjectNode in) {
    return named(secrets.updateSecretVersionStage(ctx, string(in, "SecretId"), string(in, "VersionStage"),
        string(in, "RemoveFromVersionId"), string(in, "MoveToVersionId")));
  }

  // ---- metadata ---------------------------------------------------------------------------

  private ObjectNode describeSecret(RequestContext ctx, ObjectNode in) {
    SecretView view = secrets.describeSecret(ctx, string(in, "SecretId"));
    ObjectNode out = metadata(view);
    if (!view.versionIdsToStages().isEmpty()) {
      ObjectNode versions = out.putObject("VersionIdsToStages");
      view.versionIdsToStages().forEach((id, stages) -> stages(versions.putArray(id), stages));
    }
    if (!view.replicas().isEmpty()) {
      replicationStatus(out, view);
    }
    return out;
  }

  private ObjectNode listSecrets(RequestContext ctx, ObjectNode in) {
    secrets.authorizeIdentity(ctx, "ListSecrets", "*");
    SecretsBackend.Page<SecretView> page = secrets.listSecrets(ctx, flag(in, "IncludePlannedDeletion"), filters(in),
        string(in, "SortBy"), "desc".equals(string(in, "SortOrder")), maxResults(in, 100), string(in, "NextToken"));
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("SecretList");
    for (SecretView view : page.items()) {
      ObjectNode entry = metadata(view);
      if (!view.versionIdsToStages().isEmpty()) {
        ObjectNode versions = entry.putObject("SecretVersionsToStages");
        view.versionIdsToStages().forEach((id, stages) -> stages(versions.putArray(id), stages));
      }
      list.add(entry);
    }
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode listSecretVersionIds(RequestContext ctx, ObjectNode in) {
    SecretsBackend.Versions listed = secrets.listVersions(ctx, string(in, "SecretId"), maxResults(in, 100),
        string(in, "NextToken"), flag(in, "IncludeDeprecated"));
    SecretsBackend.Page<SecretsBackend.VersionView> page = listed.page();
    ObjectNode out = Json.object();
    ArrayNode versions = out.putArray("Versions");
    for (SecretsBackend.VersionView version : page.items()) {
      ObjectNode entry = versions.addObject().put("VersionId", version.versionId());
      stages(entry.putArray("VersionStages"), version.stages());
      Json.putDate(entry, "LastAccessedDate", version.lastAccessedDate());
      Json.putDate(entry, "CreatedDate", version.createdDate());
      ArrayNode keys = entry.putArray("KmsKeyIds");
      if (version.kmsKeyArn() != null) {
        keys.add(version.kmsKeyArn());
      }
    }
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    out.put("ARN", listed.secret().arn);
    out.put("Name", listed.secret().name);
    return out;
  }

  private ObjectNode deleteSecret(RequestContext ctx, ObjectNode in) {
    Secret secret = secrets.deleteSecret(ctx, string(in, "SecretId"), longValue(in, "RecoveryWindowInDays"),
        flag(in, "ForceDeleteWithoutRecovery"));
    ObjectNode out = named(secret);
    synchronized (secret) {
      Json.putDate(out, "DeletionDate", secret.deletionDate);
    }
    return out;
  }

  private ObjectNode restoreSecret(RequestContext ctx, ObjectNode in) {
    return named(secrets.restoreSecret(ctx, string(in, "SecretId")));
  }

  private ObjectNode tagResource(RequestContext ctx, ObjectNode in) {
    secrets.tagResource(ctx, string(in, "SecretId"), tags(in));
    return null;
  }

  private ObjectNode untagResource(RequestContext ctx, ObjectNode in) {
    secrets.untagResource(ctx, string(in, "SecretId"), Inputs.strings(in, "TagKeys"));
    return null;
  }

  private ObjectNode getRandomPassword(RequestContext ctx, ObjectNode in) {
    secrets.authorizeIdentity(ctx, "GetRandomPassword", "*");
    Long length = longValue(in, "PasswordLength");
    Boolean requireEach = bool(in, "RequireEachIncludedType");
    PasswordGenerator.Spec spec = new PasswordGenerator.Spec(length == null ? 32 : length.intValue(),
        string(in, "ExcludeCharacters") == null ? "" : string(in, "ExcludeCharacters"), flag(in, "ExcludeNumbers"),
        flag(in, "ExcludePunctuation"), flag(in, "ExcludeUppercase"), flag(in, "ExcludeLowercase"),
        flag(in, "IncludeSpace"), requireEach == null || requireEach);
    return Json.object().put("RandomPassword", PasswordGenerator.generate(spec));
  }

  // ---- resource policies ------------------------------------------------------------------

  private ObjectNode getResourcePolicy(RequestContext ctx, ObjectNode in) {
    Secret secret = secrets.getResourcePolicy(ctx, string(in, "SecretId"));
    ObjectNode out = named(secret);
    synchronized (secret) {
      if (secret.resourcePolicy != null) {
        out.put("ResourcePolicy", secret.resourcePolicy.text());
      }
    }
    return out;
  }

  private ObjectNode putResourcePolicy(RequestContext ctx, ObjectNode in) {
    return named(secrets.putResourcePolicy(ctx, string(in, "SecretId"), string(in, "ResourcePolicy"),
        flag(in, "BlockPublicPolicy")));
  }

  private ObjectNode deleteResourcePolicy(RequestContext ctx, ObjectNode in) {
    return named(secrets.deleteResourcePolicy(ctx, string(in, "SecretId")));
  }

  private ObjectNode validateResourcePolicy(RequestContext ctx, ObjectNode in) {
    List<String> problems = secrets.validateResourcePolicy(ctx, string(in, "SecretId"), string(in, "ResourcePolicy"));
    ObjectNode out = Json.object().put("PolicyValidationPassed", problems.isEmpty());
    ArrayNode errors = out.putArray("ValidationErrors");
    problems.forEach(problem -> errors.addObject().put("CheckName", "PUBLIC_ACCESS").put("ErrorMessage", problem));
    return out;
  }

  // ---- rotation ---------------------------------------------------------------------------

  private ObjectNode rotateSecret(RequestContext ctx, ObjectNode in) {
    ObjectNode rulesNode = Inputs.object(in, "RotationRules");
    Secret.RotationRules rules = rulesNode == null ? null : new Secret.RotationRules(
        longValue(rulesNode, "AutomaticallyAfterDays"), string(rulesNode, "Duration"),
        string(rulesNode, "ScheduleExpression"));
    Boolean immediately = bool(in, "RotateImmediately");
    String token = clientRequestToken(in);
    SecretsBackend.Result result = secrets.rotateSecret(ctx, string(in, "SecretId"), token,
        string(in, "RotationLambdaARN"), rules, immediately == null || immediately);
    ObjectNode out = named(result.secret());
    if (result.version() != null) {
      out.put("VersionId", result.version().versionId);
    }
    return out;
  }

  private ObjectNode cancelRotateSecret(RequestContext ctx, ObjectNode in) {
    SecretsBackend.Result result = secrets.cancelRotateSecret(ctx, string(in, "SecretId"));
    ObjectNode out = named(result.secret());
    if (result.version() != null) {
      out.put("VersionId", result.version().versionId);
    }
    return out;
  }

  // ---- replication ------------------------------------------------------------------------

  private ObjectNode replicateSecretToRegions(RequestContext ctx, ObjectNode in) {
    Secret secret = secrets.replication.replicateSecretToRegions(ctx, string(in, "SecretId"),
        replicaRequests(in, "AddReplicaRegions"), flag(in, "ForceOverwriteReplicaSecret"));
    ObjectNode out = Json.object().put("ARN", secret.arn);
    replicationStatus(out, SecretView.of(secret));
    return out;
  }

  private ObjectNode removeRegionsFromReplication(RequestContext ctx, ObjectNode in) {
    Secret secret = secrets.replication.removeRegionsFromReplication(ctx, string(in, "SecretId"),
        Inputs.strings(in, "RemoveReplicaRegions"));
    ObjectNode out = Json.object().put("ARN", secret.arn);
    replicationStatus(out, SecretView.of(secret));
    return out;
  }

  private ObjectNode stopReplicationToReplica(RequestContext ctx, ObjectNode in) {
    return Json.object().put("ARN", secrets.replication.stopReplicationToReplica(ctx, string(in, "SecretId")).arn);
  }

  // ---- shapes -----------------------------------------------------------------------------

  private static ObjectNode named(Secret secret) {
    return Json.object().put("ARN", secret.arn).put("Name", secret.name);
  }

  /** The fields DescribeSecret and ListSecrets' entries share. */
  private static ObjectNode metadata(SecretView view) {
    ObjectNode out = Json.object().put("ARN", view.arn()).put("Name", view.name());
    if (view.type() != null) {
      out.put("Type", view.type());
    }
    if (view.description() != null) {
      out.put("Description", view.description());
    }
    if (view.kmsKeyId() != null) {
      out.put("KmsKeyId", view.kmsKeyId());
    }
    if (view.rotationConfigured()) {
      out.put("RotationEnabled", view.rotationEnabled());
    }
    if (view.rotationLambdaArn() != null) {
      out.put("RotationLambdaARN", view.rotationLambdaArn());
    }
    Secret.RotationRules rules = view.rotationRules();
    if (rules != null) {
      ObjectNode node = out.putObject("RotationRules");
      if (rules.automaticallyAfterDays() != null) {
        node.put("AutomaticallyAfterDays", rules.automaticallyAfterDays());
      }
      if (rules.duration() != null) {
        node.put("Duration", rules.duration());
      }
      if (rules.scheduleExpression() != null) {
        node.put("ScheduleExpression", rules.scheduleExpression());
      }
    }
    Json.putDate(out, "LastRotatedDate", view.lastRotatedDate());
    Json.putDate(out, "LastChangedDate", view.lastChangedDate());
    Json.putDate(out, "LastAccessedDate", view.lastAccessedDate());
    Json.putDate(out, "DeletedDate", view.deletedDate());
    if (view.rotationEnabled()) {
      Json.putDate(out, "NextRotationDate", view.nextRotationDate());
    }
    // Once tagged, AWS keeps Tags, as [] after UntagResource removed the last one.
    if (view.everTagged()) {
      ArrayNode tags = out.putArray("Tags");
      view.tags().forEach((key, value) -> tags.addObject().put("Key", key).put("Value", value));
    }
    Json.putDate(out, "CreatedDate", view.createdDate());
    if (view.replicated()) {
      out.put("PrimaryRegion", view.primaryRegion());
    }
    return out;
  }

  private static void replicationStatus(ObjectNode out, SecretView view) {
    ArrayNode status = out.putArray("ReplicationStatus");
    for (SecretView.ReplicaView replica : view.replicas()) {
      ObjectNode entry = status.addObject().put("Region", replica.region());
      entry.put("KmsKeyId", replica.kmsKeyId() == null ? SecretCipher.DEFAULT_KEY : replica.kmsKeyId());
      entry.put("Status", replica.status());
      if (replica.statusMessage() != null) {
        entry.put("StatusMessage", replica.statusMessage());
      }
    }
  }

  /** ClientRequestToken, whose length (32 to 64, as the model says) AWS checks with its own words. */
  private static String clientRequestToken(ObjectNode in) {
    String token = string(in, "ClientRequestToken");
    if (token != null && (token.length() < 32 || token.length() > 64)) {
      throw SecretsErrors.invalidParameter("ClientRequestToken must be 32-64 characters long.");
    }
    return token;
  }

  private static SecretValue value(ObjectNode in) {
    return SecretValue.of(string(in, "SecretString"), blob(in, "SecretBinary"));
  }

  private static Map<String, String> tags(ObjectNode in) {
    Map<String, String> tags = new LinkedHashMap<>();
    for (ObjectNode tag : Inputs.objects(in, "Tags")) {
      String key = string(tag, "Key");
      if (key == null) {
        throw SecretsErrors.invalidParameter("Invalid tag: a tag needs a Key.");
      }
      tags.put(key, string(tag, "Value") == null ? "" : string(tag, "Value"));
    }
    return tags;
  }

  private static List<SecretFilter> filters(ObjectNode in) {
    List<SecretFilter> filters = new ArrayList<>();
    for (ObjectNode filter : Inputs.objects(in, "Filters")) {
      filters.add(SecretFilter.of(string(filter, "Key"), Inputs.strings(filter, "Values")));
    }
    return filters;
  }

  /** The replicas asked for, every Region checked before anything is created (as AWS refuses them up front). */
  private List<SecretsBackend.ReplicaRequest> replicaRequests(ObjectNode in, String member) {
    List<SecretsBackend.ReplicaRequest> requests = new ArrayList<>();
    for (ObjectNode replica : Inputs.objects(in, member)) {
      String region = string(replica, "Region");
      if (region == null || region.isEmpty()) {
        throw SecretsErrors.invalidParameter("Invalid replica region: a replica needs a Region.");
      }
      if (!secrets.acceptsRegion(region)) {
        // AWS's words for a Region it does not have; Shunt's Regions are AWS's and extra-regions.
        throw SecretsErrors.invalidParameter("Invalid replica region.");
      }
      requests.add(new SecretsBackend.ReplicaRequest(region, string(replica, "KmsKeyId")));
    }
    return requests;
  }

  private static int maxResults(ObjectNode in, int defaultValue) {
    Integer max = integer(in, "MaxResults");
    return max == null ? defaultValue : max;
  }

  private static void stages(ArrayNode into, List<String> stages) {
    stages.forEach(into::add);
  }
}
