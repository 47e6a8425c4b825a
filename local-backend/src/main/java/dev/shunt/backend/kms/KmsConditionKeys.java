package dev.shunt.backend.kms;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shunt.backend.auth.policy.ConditionKeySource;
import dev.shunt.backend.core.RequestContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The condition keys of a request on a KMS key, read from the request and the key only when a
 * policy asks for one: the encryption context and its keys, the algorithm, the alias the caller
 * named, the caller's account, the key's spec, usage, origin and tags, the service calling for the
 * caller, the source address and the time.
 */
final class KmsConditionKeys implements ConditionKeySource {
  private static final String CONTEXT = "kms:encryptioncontext:";
  private static final String RESOURCE_TAG = "aws:resourcetag/";

  private final RequestContext ctx;
  private final KmsKey key;
  private final String viaService;

  KmsConditionKeys(RequestContext ctx, KmsKey key, String viaService) {
    this.ctx = ctx;
    this.key = key;
    this.viaService = viaService;
  }

  @Override
  public List<String> valuesLower(String lowerKey) {
    return switch (lowerKey) {
      case "kms:calleraccount" -> List.of(ctx.accountId());
      case "kms:keyspec" -> one(key.keySpec);
      case "kms:keyusage" -> one(key.keyUsage);
      case "kms:keyorigin" -> one(key.origin);
      case "kms:viaservice" -> viaService == null ? null
          : List.of(viaService + "." + ctx.region() + ".amazonaws.com");
      case "kms:encryptionalgorithm" -> one(text("EncryptionAlgorithm"));
      case "kms:requestalias" -> requestAlias();
      case "kms:encryptioncontextkeys" -> contextKeys();
      case "aws:currenttime" -> List.of(ctx.now().toString());
      case "aws:epochtime" -> List.of(Long.toString(ctx.now().getEpochSecond()));
      case "aws:sourceip" -> one(ctx.sourceIp());
      default -> family(lowerKey);
    };
  }

  private List<String> family(String lowerKey) {
    if (lowerKey.startsWith(CONTEXT)) {
      JsonNode context = context();
      return context == null ? null
          : one(ConditionKeySource.member(context::fields, lowerKey, CONTEXT.length()));
    }
    if (lowerKey.startsWith(RESOURCE_TAG)) {
      return one(ConditionKeySource.member(key.tags().entrySet(), lowerKey, RESOURCE_TAG.length()));
    }
    return null;
  }

  private List<String> contextKeys() {
    JsonNode context = context();
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

  private JsonNode context() {
    JsonNode context = ctx.input() == null ? null : ctx.input().get("EncryptionContext");
    return context != null && context.isObject() ? context : null;
  }

  private String text(String field) {
    JsonNode value = ctx.input() == null ? null : ctx.input().get(field);
    return value != null && value.isTextual() ? value.textValue() : null;
  }

  private static List<String> one(String value) {
    return value == null ? null : List.of(value);
  }
}
