package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.policy.ConditionKeySource;
import dev.shunt.backend.auth.policy.GlobalConditionKeys;
import dev.shunt.backend.core.RequestContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The condition keys of a KMS request, as AWS's "AWS KMS condition keys" lists them, read from the
 * request and the key only when a policy asks for one: the encryption context and its keys, the
 * algorithm, the alias the caller named, the caller's account, the key's spec, usage, origin,
 * aliases and multi-Region kind, the service calling for the caller; the grant a CreateGrant makes;
 * one parameter each of Sign, Verify, GenerateMac, VerifyMac, DeriveSharedSecret,
 * GenerateDataKeyPair, ReEncrypt, EnableKeyRotation, ScheduleKeyDeletion, PutKeyPolicy,
 * GetParametersForImport, ImportKeyMaterial, ReplicateKey and UpdatePrimaryRegion; and the global
 * keys (time, source address, the key's tags, the tags the request sets).
 *
 * <p>A parameter with a default counts with its default when the request leaves it out (AWS: "this
 * type of condition works even when the parameter doesn't appear in the request"), except
 * {@code BypassPolicyLockoutSafetyCheck} and {@code ExpirationModel}, whose documented use is a
 * {@code Null} test of the parameter itself.
 */
final class KmsConditionKeys extends GlobalConditionKeys {
  /** What some keys read beyond the request: the key's aliases, and which key a key id names. */
  interface Lookup {
    /** The alias names ({@code alias/...}) of {@code key}. */
    List<String> aliasesOf(KmsKey key);

    /** The ARN of the key {@code keyId} names, seen from this account and Region, or null (no side effects). */
    String keyArnFor(String accountId, String region, String keyId);
  }

  private static final String CONTEXT = "kms:encryptioncontext:";
  /** Operations whose encryption algorithm is SYMMETRIC_DEFAULT when a symmetric key does them without naming one. */
  private static final Set<String> ENVELOPE = Set.of("Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo",
      "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "GenerateDataKeyPair",
      "GenerateDataKeyPairWithoutPlaintext");

  private final RequestContext ctx;
  private final KmsKey key;
  private final String action;
  private final String viaService;
  private final Lookup lookup;

  /** {@code action} on {@code key} (null: CreateKey, whose key is the request's, or an operation on none). */
  KmsConditionKeys(RequestContext ctx, KmsKey key, String action, String viaService, Lookup lookup) {
    super(ctx.now(), ctx.sourceIp(), Map.of(), ctx.input(), "TagKey", "TagValue");
    this.ctx = ctx;
    this.key = key;
    this.action = action;
    this.viaService = viaService;
    this.lookup = lookup;
  }

  @Override
  public List<String> valuesLower(String lowerKey) {
    return switch (lowerKey) {
      case "kms:calleraccount" -> List.of(ctx.accountId());
      case "kms:keyspec", "kms:customermasterkeyspec" -> one(key != null ? key.keySpec : creating() ? requestedSpec()
          : null);
      case "kms:keyusage", "kms:customermasterkeyusage" -> one(key != null ? key.keyUsage
          : requested("KeyUsage", KmsKey.ENCRYPT_DECRYPT));
      case "kms:keyorigin" -> one(key != null ? key.origin : requested("Origin", KmsKey.AWS_KMS));
      case "kms:multiregion" -> key != null ? List.of(Boolean.toString(key.multiRegion != null))
          : creating() ? List.of(Boolean.toString(multiRegionRequested())) : null;
      case "kms:multiregionkeytype" -> key != null ? (key.multiRegion == null ? null
          : List.of(key.multiRegion.isPrimary(key) ? "PRIMARY" : "REPLICA"))
          : creating() && multiRegionRequested() ? List.of("PRIMARY") : null;
      case "kms:resourcealiases" -> key == null ? null : lookup.aliasesOf(key);
      case "kms:viaservice" -> viaService == null ? null
          : List.of(viaService + "." + ctx.region() + ".amazonaws.com");
      case "kms:encryptionalgorithm" -> encryptionAlgorithm();
      case "kms:requestalias" -> requestAlias();
      case "kms:encryptioncontextkeys" -> contextKeys();
      case "kms:grantisforawsresource" -> isAny("CreateGrant", "ListGrants", "RevokeGrant")
          ? List.of(Boolean.toString(viaService != null)) : null;
      case "kms:grantoperations" -> is("CreateGrant") ? distinct(texts("Operations")) : null;
      case "kms:granteeprincipal" -> is("CreateGrant") ? one(text("GranteePrincipal")) : null;
      case "kms:retiringprincipal" -> is("CreateGrant") ? one(text("RetiringPrincipal")) : null;
      case "kms:grantconstrainttype" -> is("CreateGrant") ? constraintTypes() : null;
      case "kms:signingalgorithm" -> one(text("SigningAlgorithm"));
      case "kms:messagetype" -> isAny("Sign", "Verify") ? one(orDefault(text("MessageType"), "RAW")) : null;
      case "kms:macalgorithm" -> one(text("MacAlgorithm"));
      case "kms:keyagreementalgorithm" -> one(text("KeyAgreementAlgorithm"));
      case "kms:datakeypairspec" -> one(text("KeyPairSpec"));
      case "kms:reencryptonsamekey" -> reEncryptOnSameKey();
      case "kms:rotationperiodindays" -> is("EnableKeyRotation")
          ? one(orDefault(number("RotationPeriodInDays"), "365")) : null;
      case "kms:schedulekeydeletionpendingwindowindays" -> is("ScheduleKeyDeletion")
          ? one(orDefault(number("PendingWindowInDays"), "30")) : null;
      case "kms:bypasspolicylockoutsafetycheck" -> one(bool("BypassPolicyLockoutSafetyCheck"));
      case "kms:wrappingalgorithm" -> one(text("WrappingAlgorithm"));
      case "kms:wrappingkeyspec" -> one(text("WrappingKeySpec"));
      case "kms:expirationmodel" -> one(text("ExpirationModel"));
      case "kms:validto" -> one(number("ValidTo"));
      case "kms:replicaregion" -> one(text("ReplicaRegion"));
      case "kms:primaryregion" -> one(text("PrimaryRegion"));
      default -> lowerKey.startsWith(CONTEXT) ? contextValue(lowerKey) : super.valuesLower(lowerKey);
    };
  }

  @Override
  protected Map<String, String> resourceTags() {
    return key == null ? Map.of() : key.tags();
  }

  private boolean creating() {
    return key == null && "CreateKey".equals(action);
  }

  private boolean is(String candidate) {
    return candidate.equals(action);
  }

  private boolean isAny(String... actions) {
    for (String candidate : actions) {
      if (candidate.equals(action)) {
        return true;
      }
    }
    return false;
  }

  private String requestedSpec() {
    String spec = text("KeySpec");
    spec = spec != null ? spec : text("CustomerMasterKeySpec");
    return orDefault(spec, KmsKey.SYMMETRIC_DEFAULT);
  }

  /** For CreateKey, what the request asks for, or AWS's default; for no key, nothing. */
  private String requested(String field, String defaultValue) {
    return creating() ? orDefault(text(field), defaultValue) : null;
  }

  private boolean multiRegionRequested() {
    return "true".equals(bool("MultiRegion"));
  }

  /** The algorithm used, named or not (AWS: so a policy can require SYMMETRIC_DEFAULT); ReEncrypt has one per side. */
  private List<String> encryptionAlgorithm() {
    String named = text(switch (action == null ? "" : action) {
      case "ReEncryptFrom" -> "SourceEncryptionAlgorithm";
      case "ReEncryptTo" -> "DestinationEncryptionAlgorithm";
      default -> "EncryptionAlgorithm";
    });
    if (named == null && key != null && ENVELOPE.contains(action) && key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT)) {
      return List.of(KmsKey.SYMMETRIC_DEFAULT);
    }
    return one(named);
  }

  private List<String> reEncryptOnSameKey() {
    if (key == null || !isAny("ReEncryptFrom", "ReEncryptTo")) {
      return null;
    }
    String other;
    if (action.equals("ReEncryptFrom")) {
      String destination = text("DestinationKeyId");
      other = destination == null ? null : lookup.keyArnFor(ctx.accountId(), ctx.region(), destination);
    } else {
      // ReEncryptTo is decided after the source key was found and recorded.
      other = ctx.audit() == null ? null : ctx.audit().keyArn();
    }
    return List.of(Boolean.toString(key.arn.equals(other)));
  }

  /** The encryption context as the policies see it: CreateGrant has none, so its constraint's stands for it. */
  private Map<String, String> context() {
    Map<String, String> pairs = new LinkedHashMap<>();
    if (is("CreateGrant")) {
      JsonNode constraints = object("Constraints");
      if (constraints != null) {
        pairs(constraints.get("EncryptionContextEquals"), pairs);
        pairs(constraints.get("EncryptionContextSubset"), pairs);
      }
    } else {
      pairs(object("EncryptionContext"), pairs);
    }
    return pairs;
  }

  private List<String> contextValue(String lowerKey) {
    if (!is("CreateGrant")) {
      // The common case, read in place.
      JsonNode context = object("EncryptionContext");
      return context == null ? null : one(ConditionKeySource.member(context::fields, lowerKey, CONTEXT.length()));
    }
    return one(ConditionKeySource.member(context().entrySet(), lowerKey, CONTEXT.length()));
  }

  private List<String> contextKeys() {
    Map<String, String> context = context();
    return context.isEmpty() && object(is("CreateGrant") ? "Constraints" : "EncryptionContext") == null ? null
        : new ArrayList<>(context.keySet());
  }

  private List<String> constraintTypes() {
    JsonNode constraints = object("Constraints");
    if (constraints == null) {
      return null;
    }
    List<String> types = new ArrayList<>(2);
    for (String type : List.of("EncryptionContextEquals", "EncryptionContextSubset")) {
      JsonNode constraint = constraints.get(type);
      if (constraint != null && constraint.isObject()) {
        types.add(type);
      }
    }
    return types.isEmpty() ? null : types;
  }

  private List<String> requestAlias() {
    String keyId = text("KeyId");
    int alias = keyId == null ? -1 : keyId.indexOf("alias/");
    return alias < 0 ? null : List.of(keyId.substring(alias));
  }

  private List<String> texts(String field) {
    JsonNode array = ctx.input() == null ? null : ctx.input().get(field);
    if (array == null || !array.isArray()) {
      return null;
    }
    List<String> texts = new ArrayList<>(Math.min(array.size(), 64));
    for (JsonNode item : array) {
      if (item.isTextual()) {
        texts.add(item.textValue());
      }
    }
    return texts;
  }

  /** A number as the policies compare it (integers without a fraction; a timestamp as its epoch seconds). */
  private String number(String field) {
    JsonNode value = ctx.input() == null ? null : ctx.input().get(field);
    if (value == null || !(value.isNumber() || value.isTextual())) {
      return null;
    }
    return value.isIntegralNumber() ? Long.toString(value.longValue()) : value.asText();
  }

  private String bool(String field) {
    JsonNode value = ctx.input() == null ? null : ctx.input().get(field);
    return value != null && value.isBoolean() ? Boolean.toString(value.booleanValue()) : null;
  }

  private static String orDefault(String value, String defaultValue) {
    return value != null ? value : defaultValue;
  }

  private static List<String> distinct(List<String> values) {
    return values == null || values.size() < 2 ? values : new ArrayList<>(new LinkedHashSet<>(values));
  }

  private static void pairs(JsonNode context, Map<String, String> into) {
    if (context == null || !context.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = context.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> pair = it.next();
      into.put(pair.getKey(), pair.getValue().asText());
    }
  }
}
