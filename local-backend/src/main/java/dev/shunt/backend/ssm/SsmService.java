package dev.shunt.backend.ssm;

import static dev.shunt.backend.core.Inputs.flag;
import static dev.shunt.backend.core.Inputs.integer;
import static dev.shunt.backend.core.Inputs.longValue;
import static dev.shunt.backend.core.Inputs.string;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.AwsService;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.Inputs;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.model.ServiceModel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * SSM Parameter Store on the wire ({@code AmazonSSM.*}): the 19 Parameter Store operations read
 * their validated JSON input, call {@link SsmBackend} and write SSM's output shapes. Every other
 * SSM operation (Run Command, Automation...) answers UnsupportedOperationException naming these.
 */
public final class SsmService implements AwsService {
  private final ServiceModel model = ServiceModel.load("ssm");
  private final SsmBackend ssm;
  private final Map<String, OperationHandler> operations = new LinkedHashMap<>();

  public SsmService(SsmBackend ssm) {
    this.ssm = ssm;
    operations.put("PutParameter", this::putParameter);
    operations.put("GetParameter", this::getParameter);
    operations.put("GetParameters", this::getParameters);
    operations.put("GetParametersByPath", this::getParametersByPath);
    operations.put("DeleteParameter", this::deleteParameter);
    operations.put("DeleteParameters", this::deleteParameters);
    operations.put("DescribeParameters", this::describeParameters);
    operations.put("GetParameterHistory", this::getParameterHistory);
    operations.put("LabelParameterVersion", this::labelParameterVersion);
    operations.put("UnlabelParameterVersion", this::unlabelParameterVersion);
    operations.put("AddTagsToResource", this::addTagsToResource);
    operations.put("ListTagsForResource", this::listTagsForResource);
    operations.put("RemoveTagsFromResource", this::removeTagsFromResource);
    operations.put("GetServiceSetting", this::getServiceSetting);
    operations.put("UpdateServiceSetting", this::updateServiceSetting);
    operations.put("ResetServiceSetting", this::resetServiceSetting);
    operations.put("PutResourcePolicy", this::putResourcePolicy);
    operations.put("GetResourcePolicies", this::getResourcePolicies);
    operations.put("DeleteResourcePolicy", this::deleteResourcePolicy);
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
  public AwsException notImplemented(String operation) {
    return new AwsException("UnsupportedOperationException", "Shunt emulates SSM Parameter Store only; "
        + operation + " is not supported. Supported operations: " + String.join(", ", operations.keySet()) + ".");
  }

  /** An SSM operation newer than the model is still not Parameter Store: say what is. */
  @Override
  public AwsException unknownOperation(String operation) {
    return notImplemented(operation);
  }

  @Override
  public void reset() {
    ssm.reset();
  }

  private ObjectNode putParameter(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "PutParameter", string(in, "Name"));
    Map<String, String> tags = new LinkedHashMap<>();
    for (ObjectNode tag : Inputs.objects(in, "Tags")) {
      tags.put(string(tag, "Key"), string(tag, "Value"));
    }
    SsmBackend.Put put = ssm.putParameter(ctx, string(in, "Name"), string(in, "Description"), string(in, "Value"),
        string(in, "Type"), string(in, "KeyId"), flag(in, "Overwrite"), string(in, "AllowedPattern"), tags,
        string(in, "Tier"), string(in, "Policies"), string(in, "DataType"));
    return Json.object().put("Version", put.version()).put("Tier", put.tier());
  }

  private ObjectNode getParameter(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "GetParameter", string(in, "Name"));
    ObjectNode out = Json.object();
    out.set("Parameter", parameter(ssm.getParameter(ctx, string(in, "Name"), flag(in, "WithDecryption"))));
    return out;
  }

  private ObjectNode getParameters(RequestContext ctx, ObjectNode in) {
    // AWS lists the names a caller may not read; Shunt refuses the call, which is simpler and as safe.
    Inputs.strings(in, "Names").forEach(name -> ssm.authorize(ctx, "GetParameters", name));
    SsmBackend.Found found = ssm.getParameters(ctx, Inputs.strings(in, "Names"), flag(in, "WithDecryption"));
    ObjectNode out = Json.object();
    ArrayNode parameters = out.putArray("Parameters");
    found.parameters().forEach(view -> parameters.add(parameter(view)));
    ArrayNode invalid = out.putArray("InvalidParameters");
    found.invalid().forEach(invalid::add);
    return out;
  }

  private ObjectNode getParametersByPath(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "GetParametersByPath", string(in, "Path"));
    Integer max = integer(in, "MaxResults");
    SsmBackend.Page<SsmBackend.View> page = ssm.getParametersByPath(ctx, string(in, "Path"), flag(in, "Recursive"),
        filters(in, "ParameterFilters"), flag(in, "WithDecryption"), max == null ? 10 : max, string(in, "NextToken"));
    ObjectNode out = Json.object();
    ArrayNode parameters = out.putArray("Parameters");
    page.items().forEach(view -> parameters.add(parameter(view)));
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode deleteParameter(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "DeleteParameter", string(in, "Name"));
    ssm.deleteParameter(ctx, string(in, "Name"));
    return null;
  }

  private ObjectNode deleteParameters(RequestContext ctx, ObjectNode in) {
    Inputs.strings(in, "Names").forEach(name -> ssm.authorize(ctx, "DeleteParameters", name));
    SsmBackend.Deleted deleted = ssm.deleteParameters(ctx, Inputs.strings(in, "Names"));
    ObjectNode out = Json.object();
    deleted.deleted().forEach(out.putArray("DeletedParameters")::add);
    deleted.invalid().forEach(out.putArray("InvalidParameters")::add);
    return out;
  }

  private ObjectNode describeParameters(RequestContext ctx, ObjectNode in) {
    ssm.authorizeAll(ctx, "DescribeParameters");
    Integer max = integer(in, "MaxResults");
    // Without MaxResults AWS pages DescribeParameters by 10 (moto's test_describe_parameters_paging), not 50.
    // Shared: the parameters other accounts shared with the caller, instead of its own.
    SsmBackend.Page<SsmBackend.Metadata> page = flag(in, "Shared")
        ? ssm.describeShared(ctx, filters(in, "Filters"), filters(in, "ParameterFilters"), max == null ? 10 : max,
            string(in, "NextToken"))
        : ssm.describeParameters(ctx, filters(in, "Filters"), filters(in, "ParameterFilters"), max == null ? 10 : max,
            string(in, "NextToken"));
    ObjectNode out = Json.object();
    ArrayNode parameters = out.putArray("Parameters");
    for (SsmBackend.Metadata metadata : page.items()) {
      ParameterVersion latest = metadata.latest();
      ObjectNode entry = parameters.addObject().put("Name", metadata.name()).put("ARN", metadata.arn())
          .put("Type", latest.type);
      versionMetadata(entry, latest, ctx.now());
    }
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode getParameterHistory(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "GetParameterHistory", string(in, "Name"));
    Integer max = integer(in, "MaxResults");
    String name = string(in, "Name");
    SsmBackend.Page<SsmBackend.History> page = ssm.history(ctx, name, flag(in, "WithDecryption"),
        max == null ? 50 : max, string(in, "NextToken"));
    ObjectNode out = Json.object();
    ArrayNode parameters = out.putArray("Parameters");
    for (SsmBackend.History history : page.items()) {
      ParameterVersion version = history.version();
      ObjectNode entry = parameters.addObject().put("Name", ParameterNames.unwrapArn(name)).put("Type", version.type)
          .put("Value", history.value());
      versionMetadata(entry, version, ctx.now());
      ArrayNode labels = entry.putArray("Labels");
      history.labels().forEach(labels::add);
    }
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode labelParameterVersion(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "LabelParameterVersion", string(in, "Name"));
    SsmBackend.Labelled labelled = ssm.label(ctx, string(in, "Name"), longValue(in, "ParameterVersion"),
        Inputs.strings(in, "Labels"));
    ObjectNode out = Json.object();
    labelled.invalid().forEach(out.putArray("InvalidLabels")::add);
    out.put("ParameterVersion", labelled.version());
    return out;
  }

  private ObjectNode unlabelParameterVersion(RequestContext ctx, ObjectNode in) {
    ssm.authorize(ctx, "UnlabelParameterVersion", string(in, "Name"));
    Long version = longValue(in, "ParameterVersion");
    if (version == null) {
      throw CommonErrors.validation("1 validation error detected: Value null at 'parameterVersion' failed to satisfy "
          + "constraint: Member must not be null");
    }
    SsmBackend.Unlabelled unlabelled = ssm.unlabel(ctx, string(in, "Name"), version, Inputs.strings(in, "Labels"));
    ObjectNode out = Json.object();
    unlabelled.removed().forEach(out.putArray("RemovedLabels")::add);
    unlabelled.invalid().forEach(out.putArray("InvalidLabels")::add);
    return out;
  }

  private ObjectNode addTagsToResource(RequestContext ctx, ObjectNode in) {
    if ("Parameter".equals(string(in, "ResourceType"))) {
      ssm.authorize(ctx, "AddTagsToResource", string(in, "ResourceId"));
    }
    Map<String, String> tags = new LinkedHashMap<>();
    for (ObjectNode tag : Inputs.objects(in, "Tags")) {
      tags.put(string(tag, "Key"), string(tag, "Value"));
    }
    ssm.addTags(ctx, string(in, "ResourceType"), string(in, "ResourceId"), tags);
    return null;
  }

  private ObjectNode listTagsForResource(RequestContext ctx, ObjectNode in) {
    if ("Parameter".equals(string(in, "ResourceType"))) {
      ssm.authorize(ctx, "ListTagsForResource", string(in, "ResourceId"));
    }
    ObjectNode out = Json.object();
    ArrayNode list = out.putArray("TagList");
    ssm.listTags(ctx, string(in, "ResourceType"), string(in, "ResourceId"))
        .forEach((key, value) -> list.addObject().put("Key", key).put("Value", value));
    return out;
  }

  private ObjectNode removeTagsFromResource(RequestContext ctx, ObjectNode in) {
    if ("Parameter".equals(string(in, "ResourceType"))) {
      ssm.authorize(ctx, "RemoveTagsFromResource", string(in, "ResourceId"));
    }
    ssm.removeTags(ctx, string(in, "ResourceType"), string(in, "ResourceId"), Inputs.strings(in, "TagKeys"));
    return null;
  }

  private ObjectNode getServiceSetting(RequestContext ctx, ObjectNode in) {
    return setting(ssm.getSetting(ctx, string(in, "SettingId")));
  }

  private ObjectNode updateServiceSetting(RequestContext ctx, ObjectNode in) {
    ssm.updateSetting(ctx, string(in, "SettingId"), string(in, "SettingValue"));
    return null;
  }

  private ObjectNode resetServiceSetting(RequestContext ctx, ObjectNode in) {
    return setting(ssm.resetSetting(ctx, string(in, "SettingId")));
  }

  private ObjectNode putResourcePolicy(RequestContext ctx, ObjectNode in) {
    ParameterSharing.PolicyPut put = ssm.sharing().putResourcePolicy(ctx, string(in, "ResourceArn"), string(in, "Policy"),
        string(in, "PolicyId"), string(in, "PolicyHash"));
    return Json.object().put("PolicyId", put.policyId()).put("PolicyHash", put.policyHash());
  }

  private ObjectNode getResourcePolicies(RequestContext ctx, ObjectNode in) {
    Integer max = integer(in, "MaxResults");
    SsmBackend.Page<ParameterResourcePolicies.Entry> page = ssm.sharing().getResourcePolicies(ctx, string(in, "ResourceArn"),
        max == null ? ParameterResourcePolicies.MAX_POLICIES : max, string(in, "NextToken"));
    ObjectNode out = Json.object();
    ArrayNode policies = out.putArray("Policies");
    for (ParameterResourcePolicies.Entry policy : page.items()) {
      policies.addObject().put("PolicyId", policy.id()).put("PolicyHash", policy.hash()).put("Policy", policy.text());
    }
    if (page.nextToken() != null) {
      out.put("NextToken", page.nextToken());
    }
    return out;
  }

  private ObjectNode deleteResourcePolicy(RequestContext ctx, ObjectNode in) {
    ssm.sharing().deleteResourcePolicy(ctx, string(in, "ResourceArn"), string(in, "PolicyId"), string(in, "PolicyHash"));
    return null;
  }

  // ---- shapes -----------------------------------------------------------------------------

  private static ObjectNode parameter(SsmBackend.View view) {
    ParameterVersion version = view.version();
    ObjectNode out = Json.object().put("Name", view.name()).put("Type", version.type).put("Value", view.value())
        .put("Version", version.version);
    if (view.selector() != null) {
      out.put("Selector", view.selector());
    }
    if (view.sourceResult() != null) {
      out.put("SourceResult", view.sourceResult());
    }
    Json.putDate(out, "LastModifiedDate", version.lastModifiedDate);
    out.put("ARN", view.arn());
    out.put("DataType", version.dataType);
    return out;
  }

  /** The metadata DescribeParameters and GetParameterHistory share. */
  private static void versionMetadata(ObjectNode entry, ParameterVersion version, Instant now) {
    if (version.keyId != null) {
      entry.put("KeyId", version.keyId);
    }
    Json.putDate(entry, "LastModifiedDate", version.lastModifiedDate);
    entry.put("LastModifiedUser", version.lastModifiedUser);
    if (version.description != null) {
      entry.put("Description", version.description);
    }
    if (version.allowedPattern != null) {
      entry.put("AllowedPattern", version.allowedPattern);
    }
    entry.put("Version", version.version);
    entry.put("Tier", version.tier);
    ArrayNode policies = entry.putArray("Policies");
    for (ParameterPolicies.Policy policy : version.policies) {
      Instant trigger = ParameterPolicies.triggerOf(policy, version.policies, version.lastModifiedDate);
      policies.addObject().put("PolicyText", policy.text()).put("PolicyType", policy.type())
          .put("PolicyStatus", trigger != null && !trigger.isAfter(now) ? "Finished" : "Pending");
    }
    entry.put("DataType", version.dataType);
  }

  private static ObjectNode setting(SsmBackend.SettingView view) {
    ObjectNode setting = Json.object().put("SettingId", view.id()).put("SettingValue", view.setting().value());
    Json.putDate(setting, "LastModifiedDate", view.setting().lastModified());
    if (view.setting().lastModifiedUser() != null) {
      setting.put("LastModifiedUser", view.setting().lastModifiedUser());
    }
    setting.put("ARN", view.arn()).put("Status", view.setting().customized() ? "Customized" : "Default");
    ObjectNode out = Json.object();
    out.set("ServiceSetting", setting);
    return out;
  }

  private static List<ParameterFilters.Filter> filters(ObjectNode in, String member) {
    List<ParameterFilters.Filter> filters = new ArrayList<>();
    for (ObjectNode filter : Inputs.objects(in, member)) {
      filters.add(new ParameterFilters.Filter(string(filter, "Key"), string(filter, "Option"),
          Inputs.strings(filter, "Values")));
    }
    return filters;
  }
}
