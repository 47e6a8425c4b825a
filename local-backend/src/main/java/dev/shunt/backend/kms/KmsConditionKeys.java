package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.policy.ConditionKeySource;
import dev.shunt.backend.auth.policy.GlobalConditionKeys;
import dev.shunt.backend.core.RequestContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The condition keys of a request on a KMS key, read from the request and the key only when a
 * policy asks for one: the encryption context and its keys, the algorithm, the alias the caller
 * named, the caller's account, the key's spec, usage and origin, the service calling for the
 * caller; and the global keys (time, source address, the key's tags, the tags the request sets).
 */
class KmsConditionKeys extends GlobalConditionKeys {
  private static final String CONTEXT = "kms:encryptioncontext:";

  private final RequestContext ctx;
  private final KmsKey key;
  private final String viaService;
  private final boolean creating;

  /** A request on {@code key}, made through {@code viaService} (null: by the caller itself). */
  KmsConditionKeys(RequestContext ctx, KmsKey key, String viaService) {
    this(ctx, key, viaService, false);
  }

  /** A request on no key: CreateKey ({@code creating}: the key's spec, usage and origin are the request's) or a listing. */
  static KmsConditionKeys withoutKey(RequestContext ctx, boolean creating) {
    return new KmsConditionKeys(ctx, null, null, creating);
  }

  private KmsConditionKeys(RequestContext ctx, KmsKey key, String viaService, boolean creating) {
    super(ctx.now(), ctx.sourceIp(), key == null ? java.util.Map::of : key::tags, ctx.input(), "TagKey", "TagValue");
    this.ctx = ctx;
    this.key = key;
    this.viaService = viaService;
    this.creating = creating;
  }

  @Override
  public List<String> valuesLower(String lowerKey) {
    return switch (lowerKey) {
      case "kms:calleraccount" -> List.of(ctx.accountId());
      case "kms:keyspec" -> one(key != null ? key.keySpec : requested("KeySpec", "SYMMETRIC_DEFAULT"));
      case "kms:keyusage" -> one(key != null ? key.keyUsage : requested("KeyUsage", "ENCRYPT_DECRYPT"));
      case "kms:keyorigin" -> one(key != null ? key.origin : requested("Origin", "AWS_KMS"));
      case "kms:viaservice" -> viaService == null ? null
          : List.of(viaService + "." + ctx.region() + ".amazonaws.com");
      case "kms:encryptionalgorithm" -> one(text("EncryptionAlgorithm"));
      case "kms:requestalias" -> requestAlias();
      case "kms:encryptioncontextkeys" -> contextKeys();
      default -> lowerKey.startsWith(CONTEXT) ? contextValue(lowerKey) : super.valuesLower(lowerKey);
    };
  }

  /** For a key being created (CreateKey), what the request asks for, or AWS's default. */
  private String requested(String field, String defaultValue) {
    String value = text(field);
    return value != null ? value : creating ? defaultValue : null;
  }

  private List<String> contextValue(String lowerKey) {
    JsonNode context = object("EncryptionContext");
    return context == null ? null : one(ConditionKeySource.member(context::fields, lowerKey, CONTEXT.length()));
  }

  private List<String> contextKeys() {
    JsonNode context = object("EncryptionContext");
    if (context == null) {
      return null;
    }
    List<String> keys = new ArrayList<>(context.size());
    for (Iterator<String> names = context.fieldNames(); names.hasNext(); ) {
      keys.add(names.next());
    }
    return keys;
  }

  private List<String> requestAlias() {
    String keyId = text("KeyId");
    int alias = keyId == null ? -1 : keyId.indexOf("alias/");
    return alias < 0 ? null : List.of(keyId.substring(alias));
  }
}
