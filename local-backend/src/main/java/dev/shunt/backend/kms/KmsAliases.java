package dev.shunt.backend.kms;

import dev.shunt.backend.core.RequestContext;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * KMS aliases (CreateAlias, UpdateAlias, DeleteAlias, ListAliases): names of keys in an account's
 * Region, kept in {@link KmsRegion}; AWS managed keys' aliases are listed before they exist.
 */
final class KmsAliases {
  private final KmsBackend kms;

  KmsAliases(KmsBackend kms) {
    this.kms = kms;
  }

  void createAlias(RequestContext ctx, String aliasName, String targetKeyId) {
    checkAliasName(aliasName);
    checkAliasCharacters(aliasName);
    KmsKey key = aliasTarget(ctx, targetKeyId, "CreateAlias");
    KmsRegion region = kms.region(ctx);
    synchronized (region) {
      if (region.aliases.containsKey(aliasName)) {
        throw KmsErrors.alreadyExists("An alias with the name " + region.aliasArn(aliasName) + " already exists");
      }
      if (region.aliasesOf(key.keyId) >= KmsBackend.MAX_ALIASES_PER_KEY) {
        throw KmsErrors.limitExceeded("Aliases per KMS key limit (" + KmsBackend.MAX_ALIASES_PER_KEY + ") exceeded for "
            + key.arn);
      }
      region.aliases.put(aliasName, new KmsAlias(aliasName, key.keyId, ctx.now(), ctx.now()));
    }
    KmsState.aliasChanged(region, aliasName);
  }

  void updateAlias(RequestContext ctx, String aliasName, String targetKeyId) {
    checkAliasName(aliasName);
    checkAliasCharacters(aliasName);
    KmsRegion region = kms.region(ctx);
    KmsKey key = aliasTarget(ctx, targetKeyId, "UpdateAlias");
    synchronized (region) {
      KmsAlias alias = region.aliases.get(aliasName);
      if (alias == null) {
        throw KmsErrors.aliasNotFound(region.aliasArn(aliasName));
      }
      region.aliases.put(aliasName, new KmsAlias(aliasName, key.keyId, alias.createdAt(), ctx.now()));
    }
    KmsState.aliasChanged(region, aliasName);
  }

  void deleteAlias(RequestContext ctx, String aliasName) {
    checkAliasName(aliasName);
    KmsRegion region = kms.region(ctx);
    if (region.aliases.remove(aliasName) == null) {
      throw KmsErrors.aliasNotFound(region.aliasArn(aliasName));
    }
    KmsState.aliasChanged(region, aliasName);
  }

  KmsBackend.Page<KmsBackend.AliasView> listAliases(RequestContext ctx, String keyId, int limit, String marker) {
    KmsRegion region = kms.region(ctx);
    String target = keyId == null ? null : kms.key(ctx, keyId, false, false, "ListAliases").keyId;
    List<KmsBackend.AliasView> page = new ArrayList<>(Math.min(limit, 64));
    Iterator<KmsAlias> real = (marker == null ? region.aliases : region.aliases.tailMap(marker, true))
        .values().iterator();
    Iterator<String> managed = target != null ? List.<String>of().iterator()
        : AwsManagedKeys.SERVICES.stream().map(s -> AwsManagedKeys.PREFIX + s)
            .filter(name -> marker == null || name.compareTo(marker) >= 0).iterator();
    KmsAlias nextReal = next(real);
    String nextManaged = next(managed);
    while (nextReal != null || nextManaged != null) {
      KmsBackend.AliasView view;
      if (nextManaged == null || (nextReal != null && nextReal.name().compareTo(nextManaged) <= 0)) {
        if (nextManaged != null && nextReal.name().equals(nextManaged)) {
          nextManaged = next(managed);
        }
        KmsAlias alias = nextReal;
        nextReal = next(real);
        if ((target != null && !alias.targetKeyId().equals(target)) || region.key(alias.targetKeyId(), ctx.now()) == null) {
          continue;
        }
        view = new KmsBackend.AliasView(alias.name(), region.aliasArn(alias.name()), alias.targetKeyId(), alias.createdAt(),
            alias.updatedAt());
      } else {
        view = new KmsBackend.AliasView(nextManaged, region.aliasArn(nextManaged), null, null, null);
        nextManaged = next(managed);
      }
      if (page.size() == limit) {
        return new KmsBackend.Page<>(page, view.name());
      }
      page.add(view);
    }
    return new KmsBackend.Page<>(page, null);
  }

  private static <T> T next(Iterator<T> iterator) {
    return iterator.hasNext() ? iterator.next() : null;
  }

  private static void checkAliasName(String aliasName) {
    if (!aliasName.startsWith("alias/")) {
      throw KmsErrors.validation("Alias must start with the prefix \"alias/\". Please see "
          + "https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html");
    }
    if (aliasName.startsWith(AwsManagedKeys.PREFIX)) {
      throw KmsErrors.notAuthorized("Aliases that begin with alias/aws/ are reserved for AWS managed keys");
    }
    if (aliasName.length() == "alias/".length()) {
      throw KmsErrors.validation("Alias name must not be empty after the prefix \"alias/\"");
    }
  }

  /**
   * The model's pattern lets ':' through, but KMS refuses it when an alias is named or renamed
   * (recorded against AWS: hashicorp/terraform-provider-aws#12891; moto copies it). DeleteAlias
   * and KeyId references do not check it: such an alias cannot exist, so they answer NotFound.
   */
  private static void checkAliasCharacters(String aliasName) {
    if (aliasName.indexOf(':') >= 0) {
      throw KmsErrors.validation(aliasName + " contains invalid characters for an alias");
    }
  }

  private KmsKey aliasTarget(RequestContext ctx, String targetKeyId, String action) {
    if (KeyReference.parse(targetKeyId).isAlias()) {
      throw KmsErrors.validation("Aliases must refer to keys. Not aliases");
    }
    KmsKey key = kms.key(ctx, targetKeyId, false, false, action);
    KmsBackend.requireNotPendingDeletion(key);
    return key;
  }
}
