package dev.shunt.backend.kms;

import dev.shunt.backend.auth.Identity;
import dev.shunt.backend.core.PageTokens;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.Randomness;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KMS grants, stored and listed: CreateGrant (with AWS's idempotency by name), ListGrants,
 * ListRetirableGrants, RetireGrant and RevokeGrant, with KMS's validation, quotas and errors.
 * Whether a grant allows a request is decided by {@link KmsAuthorization} (it reads the grants of
 * the key for the caller from {@link GrantTable}), and so is who may retire a grant.
 */
final class Grants {
  /** AWS's resource quota "grants per KMS key". */
  static final int MAX_GRANTS_PER_KEY = 50_000;
  /**
   * AWS's resource quota "grants for a given principal per KMS key": at most this many grants on
   * one key name the same grantee principal (AWS's quota table listed it beside the 50,000; its
   * current table no longer does).
   */
  static final int MAX_GRANTS_PER_GRANTEE = 500;
  private static final String LIST_GRANTS = "kms.ListGrants";
  private static final String LIST_RETIRABLE = "kms.ListRetirableGrants";
  private static final String GRANT_TOKEN = "kms.GrantToken";

  /** What each kind of key can be granted: AWS refuses a grant for operations the key cannot do. */
  private static final Set<String> SYMMETRIC_OPERATIONS = Set.of("Decrypt", "Encrypt", "GenerateDataKey",
      "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair",
      "GenerateDataKeyPairWithoutPlaintext", "CreateGrant", "RetireGrant", "DescribeKey");
  private static final Set<String> ASYMMETRIC_ENCRYPTION_OPERATIONS = Set.of("Decrypt", "Encrypt", "ReEncryptFrom",
      "ReEncryptTo", "GetPublicKey", "CreateGrant", "RetireGrant", "DescribeKey");
  private static final Set<String> SIGNING_OPERATIONS = Set.of("Sign", "Verify", "GetPublicKey", "CreateGrant",
      "RetireGrant", "DescribeKey");
  private static final Set<String> MAC_OPERATIONS = Set.of("GenerateMac", "VerifyMac", "CreateGrant", "RetireGrant",
      "DescribeKey");
  private static final Set<String> KEY_AGREEMENT_OPERATIONS = Set.of("DeriveSharedSecret", "GetPublicKey",
      "CreateGrant", "RetireGrant", "DescribeKey");

  /** CreateGrant's answer: the grant's id and a token for this request. */
  record Created(String grantId, String grantToken) {}

  private final KmsBackend kms;

  Grants(KmsBackend kms) {
    this.kms = kms;
  }

  Created create(RequestContext ctx, String keyId, String granteePrincipal, String retiringPrincipal,
      List<String> operations, Map<String, String> contextEquals, Map<String, String> contextSubset,
      List<String> grantTokens, String name, boolean dryRun) {
    checkTokens(grantTokens);
    KmsKey key = kms.key(ctx, keyId, false, true, "CreateGrant");
    switch (key.state()) {
      case Disabled -> throw KmsErrors.disabled(key.arn);
      case PendingDeletion -> throw KmsErrors.pendingDeletion(key.arn);
      default -> { }
    }
    checkPrincipal(granteePrincipal);
    if (retiringPrincipal != null) {
      checkPrincipal(retiringPrincipal);
    }
    // A grant's operations are a set (a retry with them in another order is the same grant): a
    // repeated one is kept once, so a hostile list of one operation a million times stores one.
    operations = List.copyOf(new java.util.LinkedHashSet<>(operations));
    if (operations.isEmpty()) {
      throw KmsErrors.validation("1 validation error detected: Value '[]' at 'operations' failed to satisfy "
          + "constraint: Member must have length greater than or equal to 1");
    }
    Set<String> allowed = operationsFor(key);
    for (String operation : operations) {
      if (!allowed.contains(operation)) {
        throw KmsErrors.validation("Grant operation " + operation + " is not valid for a KMS key with KeySpec "
            + key.keySpec + " and KeyUsage " + key.keyUsage);
      }
    }
    if ((contextEquals != null || contextSubset != null) && allowed != SYMMETRIC_OPERATIONS) {
      // Only symmetric encryption keys take an encryption context, so only their grants can be constrained by one.
      throw KmsErrors.validation("Encryption context grant constraints are not supported for KMS keys with KeySpec "
          + key.keySpec);
    }
    if (dryRun) {
      throw KmsErrors.dryRun();
    }
    KmsRegion region = kms.peekRegion(key.accountId, key.region);
    GrantTable table = region.grants;
    Grant grant;
    synchronized (table) {
      Grant existing = name == null ? null : sameNamed(table, key, name, granteePrincipal, retiringPrincipal,
          operations, contextEquals, contextSubset);
      if (existing != null) {
        grant = existing;
      } else {
        if (table.countOf(key.keyId) >= MAX_GRANTS_PER_KEY) {
          throw KmsErrors.limitExceeded("The grant limit (" + MAX_GRANTS_PER_KEY + ") has been exceeded for "
              + key.arn);
        }
        if (table.ofGrantee(key.keyId, granteePrincipal).size() >= MAX_GRANTS_PER_GRANTEE) {
          throw KmsErrors.limitExceeded("The grant limit (" + MAX_GRANTS_PER_GRANTEE + ") for the grantee principal "
              + granteePrincipal + " has been exceeded for " + key.arn);
        }
        grant = new Grant(key.keyId, key.arn, HexFormat.of().formatHex(Randomness.bytes(32)), table.nextSequence(),
            name, ctx.now(), granteePrincipal, retiringPrincipal,
            "arn:" + Identity.partitionOf(key.region) + ":iam::" + ctx.accountId() + ":root", operations,
            contextEquals == null ? null : Map.copyOf(contextEquals),
            contextSubset == null ? null : Map.copyOf(contextSubset));
        table.add(grant);
        KmsState.grantChanged(kms.peekRegion(key.accountId, key.region), grant.grantId());
      }
    }
    return new Created(grant.grantId(), token(key, grant));
  }

  /**
   * A grant made by an earlier CreateGrant with the same name and parameters (a retry), or null:
   * one of the key's grants for the same grantee (at most 500), not all of the key's.
   */
  private static Grant sameNamed(GrantTable table, KmsKey key, String name, String grantee, String retiring,
      List<String> operations, Map<String, String> contextEquals, Map<String, String> contextSubset) {
    for (Grant grant : table.ofGrantee(key.keyId, grantee)) {
      if (grant.sameRequest(name, grantee, retiring, operations, contextEquals, contextSubset)) {
        return grant;
      }
    }
    return null;
  }

  KmsBackend.Page<Grant> list(RequestContext ctx, String keyId, String grantId, String granteePrincipal, int limit,
      String marker) {
    KmsKey key = kms.key(ctx, keyId, false, true, "ListGrants");
    String after = openMarker(LIST_GRANTS, marker);
    if (after != null && !after.startsWith(key.keyId + '/')) {
      throw KmsErrors.invalidMarker();
    }
    GrantTable table = kms.peekRegion(key.accountId, key.region).grants;
    if (grantId != null) {
      Grant grant = table.byId(grantId);
      if (grant != null && !grant.keyId().equals(key.keyId)) {
        throw invalidGrantId(grantId);
      }
    }
    return page(table.ofKey(key.keyId, after), limit, LIST_GRANTS, grant ->
        (grantId == null || grant.grantId().equals(grantId))
            && (granteePrincipal == null || grant.granteePrincipal().equals(granteePrincipal)));
  }

  /** ListRetirableGrants: the grants on the caller's keys (account and Region) that this principal may retire. */
  KmsBackend.Page<Grant> listRetirable(RequestContext ctx, String retiringPrincipal, int limit, String marker) {
    // AWS: kms:ListRetirableGrants in an identity policy, on no key.
    kms.authorizeWithoutKey(ctx, "ListRetirableGrants");
    checkPrincipal(retiringPrincipal);
    String after = openMarker(LIST_RETIRABLE, marker);
    GrantTable table = kms.region(ctx).grants;
    return page(table.all(after), limit, LIST_RETIRABLE, grant -> retiringPrincipal.equals(grant.retiringPrincipal()));
  }

  /**
   * RetireGrant, by the grant's token or by key and grant id. The grant decides who may retire it
   * ({@link KmsBackend#authorizeRetire}), so it is found before anything is authorized.
   */
  void retire(RequestContext ctx, String grantToken, String keyId, String grantId, boolean dryRun) {
    Grant grant;
    KmsRegion region;
    GrantTable table;
    KmsKey key;
    if (grantToken != null) {
      String[] parts = openToken(grantToken);
      region = kms.peekRegion(parts[0], parts[1]);
      table = region == null ? null : region.grants;
      grant = table == null ? null : table.byId(parts[2]);
      if (grant == null) {
        throw KmsErrors.grantNotFound(parts[2]);
      }
      if (grantId != null && !grantId.equals(grant.grantId())) {
        throw invalidGrantId(grantId);
      }
      key = kms.grantKey(ctx, region, grant, "RetireGrant");
    } else {
      if (keyId == null || grantId == null) {
        throw KmsErrors.validation("Either GrantToken, or both KeyId and GrantId, must be specified");
      }
      key = kms.unauthorizedKey(ctx, keyId, true, "RetireGrant");
      region = kms.peekRegion(key.accountId, key.region);
      table = region.grants;
      grant = grantOf(table, key, grantId);
    }
    // CloudTrail's RetireGrant record names the grant in additionalEventData (its request may hold only a token).
    ctx.audit().additionalEventData("grantId", grant.grantId());
    kms.authorizeRetire(ctx, key, grant);
    if (dryRun) {
      throw KmsErrors.dryRun();
    }
    table.remove(grant);
    KmsState.grantChanged(region, grant.grantId());
  }

  void revoke(RequestContext ctx, String keyId, String grantId, boolean dryRun) {
    KmsKey key = kms.key(ctx, keyId, false, true, "RevokeGrant");
    GrantTable table = kms.peekRegion(key.accountId, key.region).grants;
    Grant grant = grantOf(table, key, grantId);
    if (dryRun) {
      throw KmsErrors.dryRun();
    }
    table.remove(grant);
    KmsState.grantChanged(kms.peekRegion(key.accountId, key.region), grant.grantId());
  }

  private static Grant grantOf(GrantTable table, KmsKey key, String grantId) {
    Grant grant = table.byId(grantId);
    if (grant == null) {
      throw KmsErrors.grantNotFound(grantId);
    }
    if (!grant.keyId().equals(key.keyId)) {
      throw invalidGrantId(grantId);
    }
    return grant;
  }

  private static Set<String> operationsFor(KmsKey key) {
    return switch (key.keyUsage) {
      case "SIGN_VERIFY" -> SIGNING_OPERATIONS;
      case "GENERATE_VERIFY_MAC" -> MAC_OPERATIONS;
      case "KEY_AGREEMENT" -> KEY_AGREEMENT_OPERATIONS;
      default -> key.keySpec.equals(KmsKey.SYMMETRIC_DEFAULT) ? SYMMETRIC_OPERATIONS
          : ASYMMETRIC_ENCRYPTION_OPERATIONS;
    };
  }

  /**
   * A grantee or retiring principal: an AWS principal's ARN (account, user, role, assumed role,
   * federated user) or a service principal.
   */
  private static void checkPrincipal(String principal) {
    boolean arn = principal.startsWith("arn:") && principal.split(":", 6).length == 6;
    boolean service = principal.endsWith(".amazonaws.com") || principal.endsWith(".amazonaws.com.cn");
    if (!arn && !service) {
      throw KmsErrors.invalidArn("An ARN in the grant is not valid: " + principal);
    }
  }

  /** The grant tokens a request presents must be tokens KMS issued. */
  static void checkTokens(List<String> grantTokens) {
    for (String token : grantTokens) {
      openToken(token);
    }
  }

  /**
   * A grant token: the grant's account, Region and id, and a nonce (AWS issues a new token on
   * every CreateGrant, even one that returns an existing grant), sealed so that only this
   * process's tokens open.
   */
  private static String token(KmsKey key, Grant grant) {
    return PageTokens.seal(GRANT_TOKEN, key.accountId + ' ' + key.region + ' ' + grant.grantId() + ' '
        + HexFormat.of().formatHex(Randomness.bytes(16)));
  }

  /** The account, Region and grant id of a token, or InvalidGrantTokenException. */
  private static String[] openToken(String token) {
    String position = PageTokens.open(GRANT_TOKEN, token);
    String[] parts = position == null ? null : position.split(" ");
    if (parts == null || parts.length != 4) {
      throw KmsErrors.invalidGrantToken();
    }
    return parts;
  }

  private static String openMarker(String kind, String marker) {
    if (marker == null) {
      return null;
    }
    String after = PageTokens.open(kind, marker);
    if (after == null) {
      throw KmsErrors.invalidMarker();
    }
    return after;
  }

  private static KmsBackend.Page<Grant> page(Collection<Grant> candidates, int limit, String kind,
      java.util.function.Predicate<Grant> filter) {
    List<Grant> page = new ArrayList<>(Math.min(limit, 64));
    for (Grant grant : candidates) {
      if (!filter.test(grant)) {
        continue;
      }
      if (page.size() == limit) {
        Grant last = page.get(page.size() - 1);
        return new KmsBackend.Page<>(page, PageTokens.seal(kind, GrantTable.position(last.keyId(), last.sequence(),
            last.grantId())));
      }
      page.add(grant);
    }
    return new KmsBackend.Page<>(page, null);
  }

  private static dev.shunt.backend.core.AwsException invalidGrantId(String grantId) {
    return KmsErrors.invalidGrantId("Grant ID " + grantId + " is not valid for this KMS key");
  }
}
