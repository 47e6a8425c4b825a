package dev.shunt.backend.ssm;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.CommonErrors;
import dev.shunt.backend.core.PageTokens;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.kms.KmsBackend;
import dev.shunt.backend.secrets.SecretReferences;
import dev.shunt.backend.state.RegionalStore;
import dev.shunt.backend.store.Persistence;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Parameter Store's domain: parameters, versions, labels, tiers, policies, tags and the service
 * settings, with SSM's rules and errors and nothing of HTTP or JSON. SecureStrings go through
 * the local KMS; {@code /aws/reference/secretsmanager/NAME} reads Secrets Manager.
 */
public final class SsmBackend {
  static final int MAX_VERSIONS = 100;
  static final int MAX_LABELS_PER_VERSION = 10;
  static final int MAX_TAGS = 50;
  static final int STANDARD_LIMIT = 10_000;
  static final int ADVANCED_LIMIT = 100_000;
  static final int STANDARD_VALUE_BYTES = 4096;
  static final int ADVANCED_VALUE_BYTES = 8192;
  static final String STANDARD = "Standard";
  static final String ADVANCED = "Advanced";
  static final String INTELLIGENT = "Intelligent-Tiering";
  static final String SECURE_STRING = "SecureString";
  private static final String BY_PATH = "ssm.GetParametersByPath";
  private static final String DESCRIBE = "ssm.DescribeParameters";
  private static final String HISTORY = "ssm.GetParameterHistory";
  private static final String DESCRIBE_SHARED = "ssm.DescribeParameters.Shared";

  /** A parameter as a read returns it: the version read, its value (plaintext or ciphertext form). */
  record View(String name, String arn, ParameterVersion version, String selector, String value, String sourceResult) {}

  /** GetParameters' answer. */
  record Found(List<View> parameters, List<String> invalid) {}

  /** One page and the token of the next (null on the last). */
  record Page<T>(List<T> items, String nextToken) {}

  /** DescribeParameters' entry: the parameter's latest version and its name and ARN. */
  record Metadata(String name, String arn, ParameterVersion latest) {}

  private final RegionalStore<SsmRegion> regions = new RegionalStore<>(SsmRegion::new);
  private final SecureStrings secure;
  private final ParameterSharing sharing;
  private final SecretReferences secrets;
  private final SsmState state;
  private final SsmAuthorization authorization = new SsmAuthorization();

  public SsmBackend(KmsBackend kms, SecretReferences secrets) {
    this.secure = new SecureStrings(kms);
    this.sharing = new ParameterSharing(this, secure);
    this.secrets = secrets;
    this.state = new SsmState(this);
  }

  /** The state of (account, Region), made on first use. */
  SsmRegion region(String accountId, String region) {
    return regions.get(accountId, region);
  }

  /** The state of (account, Region) if it was ever used, else null. */
  SsmRegion peekRegion(String accountId, String region) {
    return regions.peek(accountId, region);
  }

  java.util.Collection<SsmRegion> allRegions() {
    return regions.all();
  }

  SecureStrings secureStrings() {
    return secure;
  }

  public void reset() {
    regions.clear();
  }

  /** Whether the account turned on higher throughput in the Region (the quota engine reads this). */
  public boolean highThroughput(String accountId, String region) {
    SsmRegion state = regions.peek(accountId, region);
    ServiceSettings.Setting setting = state == null ? null : state.settings.get(ServiceSettings.HIGH_THROUGHPUT);
    return setting != null && setting.value().equals("true");
  }

  // ---- PutParameter -----------------------------------------------------------------------

  /** The new version's number and tier. */
  record Put(long version, String tier) {}

  Put putParameter(RequestContext ctx, String nameText, String description, String value, String type, String keyId,
      boolean overwrite, String allowedPattern, Map<String, String> tags, String requestedTier, String policiesText,
      String dataTypeText) {
    String name = ParameterNames.unwrapArn(nameText);
    ParameterNames.checkWritable(name);
    if (value.isEmpty()) {
      throw CommonErrors.validation("1 validation error detected: Value at 'value' failed to satisfy constraint: "
          + "Member must have length greater than or equal to 1");
    }
    if (keyId != null && type != null && !type.equals(SECURE_STRING)) {
      throw CommonErrors.validation("KeyId is only supported for SecureString parameters.");
    }
    String dataType = dataTypeText == null ? null : ParameterRules.checkDataType(dataTypeText, name, value);
    List<ParameterPolicies.Policy> policies = policiesText == null ? null
        : ParameterPolicies.parse(policiesText, ctx.now());
    for (String tagKey : tags.keySet()) {
      checkTagKey(tagKey);
    }
    if (tags.size() > MAX_TAGS) {
      throw SsmErrors.tooManyTags();
    }
    int valueBytes = value.getBytes(StandardCharsets.UTF_8).length;
    SsmRegion region = regions.get(ctx.accountId(), ctx.region());
    ctx.audit().parameter(name, ParameterNames.arn(ctx.region(), ctx.accountId(), name), ctx.accountId());
    while (true) {
      Parameter parameter = live(region, ParameterNames.key(name), ctx.now());
      if (parameter == null) {
        // The Region's own strings: one copy for all its parameters' store keys, not one per request.
        Parameter created = new Parameter(region.accountId, region.region, name);
        parameter = region.parameters.putIfAbsent(created.key, created);
        if (parameter == null) {
          parameter = created;
        }
      }
      synchronized (parameter) {
        if (parameter.deleted) {
          continue;
        }
        return putVersion(ctx, region, parameter, description, value, valueBytes, type, keyId, overwrite,
            allowedPattern, tags, requestedTier, policies, dataType);
      }
    }
  }

  private Put putVersion(RequestContext ctx, SsmRegion region, Parameter parameter, String description, String value,
      int valueBytes, String type, String keyId, boolean overwrite, String allowedPattern, Map<String, String> tags,
      String requestedTier, List<ParameterPolicies.Policy> policies, String dataType) {
    ParameterVersion latest = parameter.latest();
    boolean creating = latest == null;
    if (!creating) {
      if (!overwrite) {
        throw SsmErrors.alreadyExists();
      }
      if (!tags.isEmpty()) {
        throw CommonErrors.validation("Invalid request: tags and overwrite can't be used together. To create a "
            + "parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please "
            + "use AddTagsToResource or RemoveTagsFromResource.");
      }
      if (type != null && !type.equals(latest.type)) {
        throw SsmErrors.hierarchyTypeMismatch(latest.type, type);
      }
    } else if (type == null) {
      abandon(region, parameter);
      throw CommonErrors.validation("A parameter type is required when you create a parameter.");
    }
    try {
      String effectiveType = creating ? ParameterRules.canonicalType(type) : latest.type;
      if (keyId != null && !effectiveType.equals(SECURE_STRING)) {
        throw CommonErrors.validation("KeyId is only supported for SecureString parameters.");
      }
      List<ParameterPolicies.Policy> effectivePolicies = policies != null ? policies
          : creating ? List.of() : latest.policies;
      ParameterRules.TierChoice choice = ParameterRules.tier(ctx, region, requestedTier, creating ? null : latest.tier, valueBytes,
          !effectivePolicies.isEmpty());
      String pattern = allowedPattern != null ? allowedPattern : creating ? null : latest.allowedPattern;
      if (pattern != null && !pattern.isEmpty()) {
        ParameterRules.checkPattern(pattern, value);
      }
      boolean full = !creating && parameter.versions.size() >= MAX_VERSIONS;
      if (full) {
        ParameterVersion oldest = parameter.versions.firstEntry().getValue();
        if (!oldest.labels.isEmpty()) {
          throw SsmErrors.maxVersions(parameter.name, oldest.version);
        }
      }
      String effectiveKey = effectiveType.equals(SECURE_STRING)
          ? (keyId != null ? keyId : creating || latest.keyId == null ? SecureStrings.DEFAULT_KEY : latest.keyId)
          : null;
      SecureStrings.Sealed sealed = effectiveKey == null ? null : secure.seal(ctx, effectiveKey, parameter.arn, value);
      // Counting into a tier is the last step that can fail, so a failed write never leaves a count behind.
      String tier = creating || !latest.tier.equals(choice.tier())
          ? ParameterRules.reserve(region, choice, creating ? null : latest.tier) : choice.tier();
      if (full) {
        parameter.versions.pollFirstEntry();
      }
      long version = parameter.lastVersion + 1;
      ParameterVersion next = new ParameterVersion(version, effectiveType, sealed == null ? value : null, sealed,
          effectiveKey, description != null ? description : creating ? null : latest.description, pattern, tier,
          effectivePolicies, dataType != null ? dataType : creating ? "text" : latest.dataType, ctx.now(),
          region.user(ctx.identity().principalArn()));
      parameter.versions.put(version, next);
      parameter.lastVersion = version;
      if (creating) {
        parameter.tags.putAll(tags);
      }
      // The new version, the tags of a new parameter, and the oldest version dropped beyond 100.
      Persistence.touched(parameter);
      return new Put(version, tier);
    } catch (RuntimeException e) {
      if (creating) {
        abandon(region, parameter);
      }
      throw e;
    }
  }

  /** Takes back a parameter whose first version failed, so the name stays free. */
  private static void abandon(SsmRegion region, Parameter parameter) {
    if (parameter.versions.isEmpty()) {
      parameter.deleted = true;
      region.parameters.remove(parameter.key, parameter);
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  View getParameter(RequestContext ctx, String nameText, boolean withDecryption) {
    if (nameText.startsWith(ParameterNames.SECRETS_REFERENCE)) {
      return secretReference(ctx, nameText, withDecryption);
    }
    ParameterNames.Selected selected = ParameterNames.select(nameText);
    ParameterNames.checkReadable(selected.name());
    if (selected.name().startsWith(PublicParameters.PREFIX)) {
      return publicParameter(ctx, selected);
    }
    Parameter parameter = find(ctx, owner(ctx, nameText), selected.name());
    ParameterVersion version;
    synchronized (parameter) {
      version = pick(parameter, selected);
    }
    View view = view(ctx, parameter, version, selected.selector() == null ? null : ":" + selected.selector(),
        withDecryption);
    // A read answers with the name as asked: "/x" for a parameter created as "x" (localstack's
    // aws-validated test_put_parameters); the ARN is the parameter's either way (moto's aws-verified
    // test_parameter_lifecycle_with_leading_slash).
    return selected.name().equals(parameter.name) ? view
        : new View(selected.name(), view.arn(), view.version(), view.selector(), view.value(), view.sourceResult());
  }

  /** One of AWS's public parameters: one version, no labels. */
  private static View publicParameter(RequestContext ctx, ParameterNames.Selected selected) {
    PublicParameters.Entry entry = PublicParameters.get(selected.name());
    if (entry == null) {
      throw SsmErrors.parameterNotFound();
    }
    String selector = selected.selector();
    if (selector != null && !(selected.byVersion() && selector.equals(Long.toString(entry.version())))) {
      throw SsmErrors.versionNotFound(selected.name(), selector);
    }
    return PublicParameters.view(ctx, entry, selector == null ? null : ":" + selector);
  }

  private static ParameterVersion pick(Parameter parameter, ParameterNames.Selected selected) {
    if (selected.selector() == null) {
      return parameter.latest();
    }
    ParameterVersion version;
    if (selected.byVersion()) {
      try {
        version = parameter.versions.get(Long.parseLong(selected.selector()));
      } catch (NumberFormatException e) {
        version = null;
      }
    } else {
      version = parameter.withLabel(selected.selector());
    }
    if (version == null) {
      throw SsmErrors.versionNotFound(parameter.name, selected.selector());
    }
    return version;
  }

  private View view(RequestContext ctx, Parameter parameter, ParameterVersion version, String selector,
      boolean withDecryption) {
    String value = !version.secure() ? version.value
        : withDecryption ? secure.open(ctx, parameter.arn, version.sealed) : version.sealed.ciphertextForm();
    return new View(parameter.name, parameter.arn, version, selector, value, null);
  }

  private View secretReference(RequestContext ctx, String nameText, boolean withDecryption) {
    if (!withDecryption) {
      throw CommonErrors.validation("WithDecryption flag must be True for retrieving a Secret Manager secret.");
    }
    String reference = nameText.substring(ParameterNames.SECRETS_REFERENCE.length());
    int colon = reference.lastIndexOf(':');
    String secretId = colon < 0 ? reference : reference.substring(0, colon);
    String selector = colon < 0 ? null : reference.substring(colon + 1);
    SecretReferences.Reference secret;
    try {
      secret = secrets.read(ctx, secretId, selector);
    } catch (dev.shunt.backend.core.AwsException e) {
      if (e.code().equals("ResourceNotFoundException") || e.code().equals("InvalidRequestException")) {
        throw SsmErrors.parameterNotFound();
      }
      throw e;
    }
    ParameterVersion version = new ParameterVersion(0, SECURE_STRING, null, null, null, null, null, STANDARD,
        List.of(), "text", secret.createdDate(), null);
    return new View(ParameterNames.SECRETS_REFERENCE + secretId, secret.arn(), version,
        selector == null ? null : ":" + selector, secret.value(), secret.sourceResult());
  }

  Found getParameters(RequestContext ctx, List<String> names, boolean withDecryption) {
    List<View> found = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      try {
        found.add(getParameter(ctx, name, withDecryption));
      } catch (dev.shunt.backend.core.AwsException e) {
        if (!e.code().equals("ParameterNotFound") && !e.code().equals("ParameterVersionNotFound")
            && !(e.code().equals("ValidationException") && !name.startsWith(ParameterNames.SECRETS_REFERENCE))) {
          throw e;
        }
        invalid.add(name);
      }
    }
    return new Found(found, invalid);
  }

  /**
   * GetParametersByPath: the parameters under {@code path} (one level, or all with
   * {@code recursive}), in name order, a page at a time; the token is the last name returned.
   */
  Page<View> getParametersByPath(RequestContext ctx, String path, boolean recursive,
      List<ParameterFilters.Filter> filters, boolean withDecryption, int maxResults, String nextToken) {
    ParameterNames.checkPath(path);
    List<ParameterFilters.Filter> checked = ParameterFilters.parse(filters, true);
    String prefix = path.endsWith("/") ? path : path + "/";
    if (PublicParameters.covers(path)) {
      return pageUnder(PublicParameters.tree(), prefix, recursive, maxResults, nextToken,
          (name, entry) -> PublicParameters.view(ctx, entry, null));
    }
    SsmRegion region = regions.get(ctx.accountId(), ctx.region());
    return pageUnder(region.parameters, prefix, recursive, maxResults, nextToken, (name, parameter) -> {
      ParameterVersion latest = visible(region, parameter, ctx.now(), checked);
      return latest == null ? null : view(ctx, parameter, latest, null, withDecryption);
    });
  }

  /**
   * A page of the entries under {@code prefix} (one level, or all with {@code recursive}) that
   * {@code shown} makes a view of (null: left out), in name order; the token is the last name.
   */
  private static <T> Page<View> pageUnder(NavigableMap<String, T> all, String prefix, boolean recursive,
      int maxResults, String nextToken, BiFunction<String, T, View> shown) {
    NavigableMap<String, T> range = all.subMap(prefix, true, upperBound(prefix), false);
    if (nextToken != null) {
      range = after(range, BY_PATH, nextToken);
    }
    List<View> page = new ArrayList<>();
    String last = null;
    Iterator<Map.Entry<String, T>> entries = range.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, T> entry = entries.next();
      String name = entry.getKey();
      int deeper = name.indexOf('/', prefix.length());
      if (!recursive && deeper >= 0) {
        // Skip the whole sub-tree: its names all sort below the child path followed by '0'.
        entries = range.tailMap(name.substring(0, deeper) + '0', true).entrySet().iterator();
        continue;
      }
      View view = shown.apply(name, entry.getValue());
      if (view == null) {
        continue;
      }
      if (page.size() == maxResults) {
        return new Page<>(page, PageTokens.seal(BY_PATH, last));
      }
      page.add(view);
      last = name;
    }
    return new Page<>(page, null);
  }

  /** The latest version if the parameter is live and passes the filters, else null. */
  private static ParameterVersion visible(SsmRegion region, Parameter parameter, Instant now,
      List<ParameterFilters.Filter> filters) {
    synchronized (parameter) {
      if (parameter.deleted || parameter.latest() == null) {
        return null;
      }
      if (expired(parameter, now)) {
        delete(region, parameter);
        return null;
      }
      ParameterVersion latest = parameter.latest();
      return ParameterFilters.matches(filters, parameter, latest, parameter.tags) ? latest : null;
    }
  }

  Page<Metadata> describeParameters(RequestContext ctx, List<ParameterFilters.Filter> legacy,
      List<ParameterFilters.Filter> filters, int maxResults, String nextToken) {
    if (!legacy.isEmpty() && !filters.isEmpty()) {
      throw CommonErrors.validation("You can use either Filters or ParameterFilters in a single request.");
    }
    List<ParameterFilters.Filter> checked = legacy.isEmpty() ? ParameterFilters.parse(filters, false)
        : ParameterFilters.parseLegacy(legacy);
    SsmRegion region = regions.get(ctx.accountId(), ctx.region());
    NavigableMap<String, Parameter> range = region.parameters;
    for (ParameterFilters.Filter filter : checked) {
      if (filter.key().equals("Path") && filter.values().size() == 1) {
        String prefix = filter.values().get(0).endsWith("/") ? filter.values().get(0) : filter.values().get(0) + "/";
        range = range.subMap(prefix, true, upperBound(prefix), false);
      }
    }
    if (nextToken != null) {
      range = after(range, DESCRIBE, nextToken);
    }
    List<Metadata> page = new ArrayList<>();
    String last = null;
    for (Map.Entry<String, Parameter> entry : range.entrySet()) {
      ParameterVersion latest = visible(region, entry.getValue(), ctx.now(), checked);
      if (latest == null) {
        continue;
      }
      if (page.size() == maxResults) {
        return new Page<>(page, PageTokens.seal(DESCRIBE, last));
      }
      page.add(new Metadata(entry.getValue().name, entry.getValue().arn, latest));
      last = entry.getKey();
    }
    return new Page<>(page, null);
  }

  /** GetParameterHistory: every kept version, oldest first, with its labels at read time. */
  record History(ParameterVersion version, List<String> labels, String value) {}

  Page<History> history(RequestContext ctx, String name, boolean withDecryption, int maxResults, String nextToken) {
    Parameter parameter = find(ctx, owner(ctx, name), ParameterNames.unwrapArn(name));
    List<ParameterVersion> versions;
    List<List<String>> labels = new ArrayList<>();
    synchronized (parameter) {
      versions = new ArrayList<>(parameter.versions.values());
      versions.forEach(v -> labels.add(List.copyOf(v.labels)));
    }
    int from = nextToken == null ? 0 : PageTokens.openOffset(HISTORY, nextToken, versions.size());
    if (from < 0) {
      throw SsmErrors.invalidNextToken();
    }
    int to = Math.min(versions.size(), from + maxResults);
    List<History> page = new ArrayList<>(to - from);
    for (int i = from; i < to; i++) {
      ParameterVersion version = versions.get(i);
      String value = !version.secure() ? version.value
          : withDecryption ? secure.open(ctx, parameter.arn, version.sealed) : version.sealed.ciphertextForm();
      page.add(new History(version, labels.get(i), value));
    }
    return new Page<>(page, to < versions.size() ? PageTokens.sealOffset(HISTORY, to) : null);
  }

  // ---- labels -----------------------------------------------------------------------------

  /** LabelParameterVersion's answer: the labels that broke the rules, and the version labelled. */
  record Labelled(List<String> invalid, long version) {}

  Labelled label(RequestContext ctx, String name, Long versionNumber, List<String> labels) {
    Parameter parameter = find(ctx, ParameterNames.unwrapArn(name));
    synchronized (parameter) {
      ParameterVersion version = versionNumber == null ? parameter.latest() : parameter.versions.get(versionNumber);
      if (version == null) {
        throw SsmErrors.versionNotFound(parameter.name, String.valueOf(versionNumber));
      }
      List<String> invalid = new ArrayList<>();
      List<String> valid = new ArrayList<>();
      for (String label : new LinkedHashSet<>(labels)) {
        (validLabel(label) ? valid : invalid).add(label);
      }
      Set<String> after = new LinkedHashSet<>(version.labels);
      after.addAll(valid);
      if (after.size() > MAX_LABELS_PER_VERSION) {
        throw SsmErrors.labelLimit();
      }
      boolean changed = false;
      for (String label : valid) {
        ParameterVersion holder = parameter.withLabel(label);
        if (holder != null && holder != version) {
          holder.labels.remove(label);
        }
        changed |= version.labels.add(label);
      }
      if (changed) {
        Persistence.touched(parameter);
      }
      return new Labelled(invalid, version.version);
    }
  }

  /** UnlabelParameterVersion's answer. */
  record Unlabelled(List<String> removed, List<String> invalid) {}

  Unlabelled unlabel(RequestContext ctx, String name, long versionNumber, List<String> labels) {
    Parameter parameter = find(ctx, ParameterNames.unwrapArn(name));
    synchronized (parameter) {
      ParameterVersion version = parameter.versions.get(versionNumber);
      if (version == null) {
        throw SsmErrors.versionNotFound(parameter.name, String.valueOf(versionNumber));
      }
      List<String> removed = new ArrayList<>();
      List<String> invalid = new ArrayList<>();
      for (String label : new LinkedHashSet<>(labels)) {
        (version.labels.remove(label) ? removed : invalid).add(label);
      }
      if (!removed.isEmpty()) {
        Persistence.touched(parameter);
      }
      return new Unlabelled(removed, invalid);
    }
  }

  /**
   * Label rules: letters, digits, {@code . - _}; not starting with a digit, nor with
   * {@code aws} or {@code ssm} in any case; at most 100 characters.
   */
  static boolean validLabel(String label) {
    if (label.isEmpty() || label.length() > 100 || Character.isDigit(label.charAt(0))) {
      return false;
    }
    String lower = label.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("aws") || lower.startsWith("ssm")) {
      return false;
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      if (!Character.isLetterOrDigit(c) && c != '.' && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }

  // ---- delete -----------------------------------------------------------------------------

  void deleteParameter(RequestContext ctx, String name) {
    // DeleteParameter("aws-cdk-playground") is AccessDeniedException in AWS
    // (awslabs/aws-deployment-framework#119, recorded against AWS), not ParameterNotFound.
    ParameterNames.checkNotReserved(ParameterNames.unwrapArn(name));
    deleteExisting(ctx, name);
  }

  private void deleteExisting(RequestContext ctx, String name) {
    Parameter parameter = find(ctx, ParameterNames.unwrapArn(name));
    SsmRegion region = regions.get(ctx.accountId(), ctx.region());
    synchronized (parameter) {
      if (parameter.deleted) {
        throw SsmErrors.parameterNotFound();
      }
      delete(region, parameter);
    }
  }

  /** DeleteParameters' answer. */
  record Deleted(List<String> deleted, List<String> invalid) {}

  Deleted deleteParameters(RequestContext ctx, List<String> names) {
    List<String> deleted = new ArrayList<>();
    List<String> invalid = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) {
      try {
        deleteExisting(ctx, name);
        deleted.add(name);
      } catch (dev.shunt.backend.core.AwsException e) {
        if (!e.code().equals("ParameterNotFound")) {
          throw e;
        }
        invalid.add(name);
      }
    }
    return new Deleted(deleted, invalid);
  }

  /**
   * Removes a parameter (DeleteParameter, or its Expiration policy come due); call under its lock.
   * The removal takes its store revision before the name is free: a parameter made again under
   * the name can only be touched after, so the store never keeps the removal over the new one.
   */
  private static void delete(SsmRegion region, Parameter parameter) {
    Persistence.removed(parameter);
    forget(region, parameter);
  }

  /**
   * Takes out a parameter as {@link #delete} does (its tier count, the shared index, the map),
   * writing nothing: another node deleted it, and the removal came from the store. Under its lock.
   */
  static void forget(SsmRegion region, Parameter parameter) {
    ParameterVersion latest = parameter.latest();
    parameter.deleted = true;
    if (!parameter.resourcePolicies().isEmpty()) {
      region.shared.remove(parameter.key);
    }
    if (region.parameters.remove(parameter.key, parameter) && latest != null) {
      region.counter(latest.tier).decrementAndGet();
    }
  }

  // ---- tags -------------------------------------------------------------------------------

  void addTags(RequestContext ctx, String resourceType, String resourceId, Map<String, String> tags) {
    Parameter parameter = taggable(ctx, resourceType, resourceId);
    for (String key : tags.keySet()) {
      checkTagKey(key);
    }
    synchronized (parameter) {
      Map<String, String> merged = new LinkedHashMap<>(parameter.tags);
      merged.putAll(tags);
      if (merged.size() > MAX_TAGS) {
        throw SsmErrors.tooManyTags();
      }
      parameter.tags.putAll(tags);
      Persistence.touched(parameter);
    }
  }

  Map<String, String> listTags(RequestContext ctx, String resourceType, String resourceId) {
    Parameter parameter = taggable(ctx, resourceType, resourceId);
    synchronized (parameter) {
      return new LinkedHashMap<>(parameter.tags);
    }
  }

  void removeTags(RequestContext ctx, String resourceType, String resourceId, List<String> keys) {
    Parameter parameter = taggable(ctx, resourceType, resourceId);
    synchronized (parameter) {
      boolean changed = false;
      for (String key : keys) {
        changed |= parameter.tags.remove(key) != null;
      }
      if (changed) {
        Persistence.touched(parameter);
      }
    }
  }

  private Parameter taggable(RequestContext ctx, String resourceType, String resourceId) {
    if (!resourceType.equals("Parameter")) {
      throw SsmErrors.invalidResourceType(resourceType);
    }
    Parameter parameter = lookup(ctx, ParameterNames.unwrapArn(resourceId));
    if (parameter == null) {
      throw SsmErrors.invalidResourceId();
    }
    return parameter;
  }

  static void checkTagKey(String key) {
    if (key.startsWith("aws:")) {
      throw CommonErrors.validation("Tag keys beginning with aws: are reserved for AWS use.");
    }
  }

  // ---- resource policies (sharing) -------------------------------------------------------

  /** PutResourcePolicy, GetResourcePolicies and DeleteResourcePolicy. */
  ParameterSharing sharing() {
    return sharing;
  }

  /** DescribeParameters with Shared: the parameters of other accounts in this Region shared with the caller, by ARN. */
  Page<Metadata> describeShared(RequestContext ctx, List<ParameterFilters.Filter> legacy,
      List<ParameterFilters.Filter> filters, int maxResults, String nextToken) {
    if (!legacy.isEmpty() && !filters.isEmpty()) {
      throw CommonErrors.validation("You can use either Filters or ParameterFilters in a single request.");
    }
    List<ParameterFilters.Filter> checked = legacy.isEmpty() ? ParameterFilters.parse(filters, false)
        : ParameterFilters.parseLegacy(legacy);
    String after = null;
    if (nextToken != null) {
      after = PageTokens.open(DESCRIBE_SHARED, nextToken);
      if (after == null) {
        throw SsmErrors.invalidNextToken();
      }
    }
    java.util.TreeMap<String, Metadata> shared = new java.util.TreeMap<>();
    for (SsmRegion region : regions.all()) {
      if (!region.region.equals(ctx.region()) || region.accountId.equals(ctx.accountId())) {
        continue;
      }
      for (String key : region.shared) {
        Parameter parameter = live(region, key, ctx.now());
        if (parameter == null || after != null && parameter.arn.compareTo(after) <= 0
            || !authorization.sharedWith(ctx, parameter)) {
          continue;
        }
        ParameterVersion latest = visible(region, parameter, ctx.now(), checked);
        if (latest != null) {
          shared.put(parameter.arn, new Metadata(parameter.name, parameter.arn, latest));
        }
      }
    }
    List<Metadata> page = new ArrayList<>(Math.min(maxResults, shared.size()));
    for (Metadata metadata : shared.values()) {
      if (page.size() == maxResults) {
        return new Page<>(page, PageTokens.seal(DESCRIBE_SHARED, page.get(page.size() - 1).arn()));
      }
      page.add(metadata);
    }
    return new Page<>(page, null);
  }

  // ---- service settings -------------------------------------------------------------------

  /** A setting as GetServiceSetting shows it. */
  record SettingView(String id, String arn, ServiceSettings.Setting setting) {}

  SettingView getSetting(RequestContext ctx, String settingId) {
    String id = ServiceSettings.normalize(settingId);
    return new SettingView(id, ServiceSettings.arn(ctx.partition(), ctx.region(), ctx.accountId(), id),
        setting(ctx, regions.get(ctx.accountId(), ctx.region()), id));
  }

  void updateSetting(RequestContext ctx, String settingId, String value) {
    String id = ServiceSettings.normalize(settingId);
    ServiceSettings.Definition definition = ServiceSettings.DEFINITIONS.get(id);
    if (!definition.allowed().contains(value)) {
      throw CommonErrors.validation("The value " + value + " is not valid for the setting " + id + ". Valid values: "
          + definition.allowed() + ".");
    }
    SsmRegion region = regions.get(ctx.accountId(), ctx.region());
    region.settings.put(id, new ServiceSettings.Setting(value, ctx.now(), ctx.identity().principalArn(), true));
    Persistence.touched(region.storedSettings.get(id));
  }

  SettingView resetSetting(RequestContext ctx, String settingId) {
    String id = ServiceSettings.normalize(settingId);
    SsmRegion region = regions.get(ctx.accountId(), ctx.region());
    if (region.settings.remove(id) != null) {
      Persistence.touched(region.storedSettings.get(id));
    }
    return getSetting(ctx, id);
  }

  static ServiceSettings.Setting setting(RequestContext ctx, SsmRegion region, String id) {
    ServiceSettings.Setting setting = region.settings.get(id);
    return setting != null ? setting
        : new ServiceSettings.Setting(ServiceSettings.DEFINITIONS.get(id).defaultValue(), null, null, false);
  }

  // ---- access -----------------------------------------------------------------------------

  /** With a principals file, the caller's identity policies decide every Parameter Store operation. */
  public void accessControl(dev.shunt.backend.auth.AccessControl access) {
    authorization.accessControl(access);
  }

  /**
   * Checks {@code ssm:ACTION} on the parameter a name or ARN names (a version or label selector
   * aside), whether or not it exists: AWS answers AccessDeniedException before ParameterNotFound.
   * An ARN names the parameter in its own account, so another account's caller is decided by the
   * parameter's resource policies (and, under a principals file, its identity policies); in its
   * own account only a principals file checks anything. The parameter's tags are its
   * {@code aws:ResourceTag} keys.
   */
  void authorize(RequestContext ctx, String action, String nameText) {
    if (nameText == null) {
      return;
    }
    String[] scope = ParameterNames.arnScope(nameText);
    boolean byArn = scope != null && !scope[2].isEmpty();
    String account = byArn ? scope[2] : ctx.accountId();
    if (!authorization.enabled() && account.equals(ctx.accountId())) {
      return;
    }
    String name = ParameterNames.select(nameText).name();
    String region = byArn ? scope[1] : ctx.region();
    boolean here = !byArn || region.equals(ctx.region()) && scope[0].equals(ctx.partition());
    Parameter parameter = here ? lookup(ctx, account, name) : null;
    Map<String, String> tags = Map.of();
    List<dev.shunt.backend.auth.policy.NamedPolicy> policies = List.of();
    if (parameter != null) {
      policies = parameter.accessPolicies();
      synchronized (parameter) {
        tags = parameter.tags.isEmpty() ? Map.of() : Map.copyOf(parameter.tags);
      }
    }
    // The resource as the request names it (another Region's ARN stays that Region's).
    String arn = parameter != null ? parameter.arn : !byArn ? ParameterNames.arn(region, account, name)
        : "arn:" + scope[0] + ":ssm:" + region + ":" + account + ":parameter"
            + (name.startsWith("/") ? name : "/" + name);
    authorization.authorize(ctx, action, arn, account, tags, policies);
  }

  /** Under a principals file, checks an action that names no parameter (DescribeParameters) on {@code *}. */
  void authorizeAll(RequestContext ctx, String action) {
    // AWS names the account's parameters, not "*", in this denial.
    authorization.authorize(ctx, action, "arn:" + Identity.partitionOf(ctx.region()) + ":ssm:" + ctx.region() + ":"
        + ctx.accountId() + ":*", ctx.accountId(), Map.of(), List.of());
  }

  /**
   * The account whose parameter a name or ARN names: an ARN's own (AWS's public parameters' ARNs
   * name none: the caller's), else the caller's. An ARN of another Region or partition names no
   * parameter served here: ParameterNotFound (SSM does not follow an ARN to its Region).
   */
  private static String owner(RequestContext ctx, String text) {
    String[] scope = ParameterNames.arnScope(text);
    if (scope == null || scope[2].isEmpty()) {
      return ctx.accountId();
    }
    if (!scope[1].equals(ctx.region()) || !scope[0].equals(ctx.partition())) {
      throw SsmErrors.parameterNotFound();
    }
    return scope[2];
  }

  // ---- lookup -----------------------------------------------------------------------------

  private Parameter find(RequestContext ctx, String name) {
    return find(ctx, ctx.accountId(), name);
  }

  /** The live parameter of that name in {@code accountId} (the caller's, or a sharing owner's), in this Region. */
  private Parameter find(RequestContext ctx, String accountId, String name) {
    Parameter parameter = lookup(ctx, accountId, name);
    if (parameter == null) {
      throw SsmErrors.parameterNotFound();
    }
    ctx.audit().parameter(parameter.name, parameter.arn, accountId);
    return parameter;
  }

  /** The live parameter of that name, with or without its leading slash ({@link ParameterNames#key}), or null. */
  Parameter lookup(RequestContext ctx, String name) {
    return lookup(ctx, ctx.accountId(), name);
  }

  private Parameter lookup(RequestContext ctx, String accountId, String name) {
    SsmRegion region = regions.peek(accountId, ctx.region());
    return region == null ? null : live(region, ParameterNames.key(name), ctx.now());
  }

  /** The parameter stored under that key if it exists and has not expired (an expired one is deleted here). */
  static Parameter live(SsmRegion region, String key, Instant now) {
    Parameter parameter = region.parameters.get(key);
    if (parameter == null) {
      return null;
    }
    synchronized (parameter) {
      if (parameter.deleted) {
        return null;
      }
      if (expired(parameter, now)) {
        delete(region, parameter);
        return null;
      }
      return parameter.latest() == null ? null : parameter;
    }
  }

  private static boolean expired(Parameter parameter, Instant now) {
    Instant expiration = parameter.expiration();
    return expiration != null && !expiration.isAfter(now);
  }

  /** Names from {@code prefix} up to (not including) the first name that sorts after every name under it. */
  private static String upperBound(String prefix) {
    return prefix.substring(0, prefix.length() - 1) + '0';
  }

  /**
   * The part of {@code range} after the name a token holds; a token this listing did not make, or
   * one whose name lies outside the range (another path's), is {@code InvalidNextToken}.
   */
  private static <T> NavigableMap<String, T> after(NavigableMap<String, T> range, String kind, String token) {
    String last = PageTokens.open(kind, token);
    if (last == null) {
      throw SsmErrors.invalidNextToken();
    }
    try {
      return range.tailMap(last, false);
    } catch (IllegalArgumentException e) {
      throw SsmErrors.invalidNextToken();
    }
  }

  /** Its state as documents: what the store keeps, what seed files make and what export writes. */
  public dev.shunt.backend.store.StateSection stateSection() {
    return state;
  }
}
