package dev.shunt.backend.kms;

import dev.shunt.backend.core.AwsException;
import dev.shunt.backend.core.RequestContext;
import dev.shunt.backend.crypto.Randomness;
import dev.shunt.backend.kms.crypto.PrivateMaterial;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * Imported key material (keys of Origin EXTERNAL): GetParametersForImport's wrapping keys and
 * import tokens, ImportKeyMaterial's unwrapping and checks, DeleteImportedKeyMaterial, and the
 * expiry of material on the backend's clock.
 *
 * <p>Wrapping key pairs: AWS makes a new RSA pair per call. Generating RSA_4096 takes seconds on a
 * small machine, so Shunt generates one pair per (key, wrapping key spec), lazily, and reuses it for
 * that key's later calls; each call still gets its own token. A pair never serves two keys, so
 * material wrapped for one key never unwraps under another key's token.
 */
final class KeyImport {
  static final Duration TOKEN_LIFETIME = Duration.ofHours(24);
  /** AWS: ValidTo may be at most 365 days after the request. */
  static final Duration MAX_VALID_TO = Duration.ofDays(365);
  /** Bounds memory: outstanding tokens beyond this evict expired ones, then the oldest. */
  static final int MAX_OUTSTANDING_TOKENS = 10_000;
  static final String EXPIRES = "KEY_MATERIAL_EXPIRES";
  static final String DOES_NOT_EXPIRE = "KEY_MATERIAL_DOES_NOT_EXPIRE";
  static final String NEW_KEY_MATERIAL = "NEW_KEY_MATERIAL";
  static final String EXISTING_KEY_MATERIAL = "EXISTING_KEY_MATERIAL";
  private static final int SYMMETRIC_MATERIAL_BYTES = 32;
  private static final int TOKEN_BYTES = 48;
  private static final byte[] MATERIAL_ID_LABEL = "shunt/kms/imported-key-material-id/".getBytes(StandardCharsets.US_ASCII);

  /** The wrapping algorithms AWS accepts today, with the OAEP digest (and MGF1 digest) each uses. */
  enum WrappingAlgorithm {
    RSAES_OAEP_SHA_1(MGF1ParameterSpec.SHA1, false),
    RSAES_OAEP_SHA_256(MGF1ParameterSpec.SHA256, false),
    RSA_AES_KEY_WRAP_SHA_1(MGF1ParameterSpec.SHA1, true),
    RSA_AES_KEY_WRAP_SHA_256(MGF1ParameterSpec.SHA256, true);

    private final MGF1ParameterSpec digest;
    /** RSA-OAEP wraps an ephemeral AES key, which wraps the material (AES Key Wrap with Padding, RFC 5649). */
    private final boolean aesKeyWrap;

    WrappingAlgorithm(MGF1ParameterSpec digest, boolean aesKeyWrap) {
      this.digest = digest;
      this.aesKeyWrap = aesKeyWrap;
    }

    OAEPParameterSpec oaep() {
      return new OAEPParameterSpec(digest.getDigestAlgorithm(), "MGF1", digest, PSource.PSpecified.DEFAULT);
    }
  }

  /** What an import token stands for: one key, one wrapping key pair, one algorithm, until validTo. */
  record Parameters(String token, String keyArn, String wrappingKeySpec, WrappingAlgorithm algorithm,
      PrivateKey privateKey, byte[] publicKey, Instant issuedAt, Instant validTo) {}

  private final KmsBackend kms;
  private final ConcurrentHashMap<String, Parameters> tokens = new ConcurrentHashMap<>();
  /** Key ARN + wrapping key spec → the key pair that key's tokens use for that spec. */
  private final ConcurrentHashMap<String, KeyPair> wrappingKeys = new ConcurrentHashMap<>();

  KeyImport(KmsBackend kms) {
    this.kms = kms;
  }

  void reset() {
    tokens.clear();
    wrappingKeys.clear();
  }

  // ---- GetParametersForImport -------------------------------------------------------------

  Parameters parametersForImport(RequestContext ctx, String keyId, String algorithmName, String wrappingKeySpec) {
    KmsKey key = kms.resolve(ctx, keyId, false, false, "GetParametersForImport", null);
    requireExternal(key);
    requireNotPendingDeletion(key);
    int bits = switch (wrappingKeySpec) {
      case "RSA_2048" -> 2048;
      case "RSA_3072" -> 3072;
      case "RSA_4096" -> 4096;
      case "SM2" -> throw ctx.partition().equals("aws-cn")
          ? KmsErrors.unsupported("The SM2 wrapping key spec is not supported by Shunt")
          : KmsErrors.validation("The SM2 wrapping key spec is supported only in China Regions");
      default -> throw KmsErrors.validation("1 validation error detected: Value '" + wrappingKeySpec
          + "' at 'wrappingKeySpec' failed to satisfy constraint: Member must satisfy enum value set: "
          + "[RSA_2048, RSA_3072, RSA_4096, SM2]");
    };
    WrappingAlgorithm algorithm = wrappingAlgorithm(algorithmName);
    requireWrappingFits(key.spec, algorithm, wrappingKeySpec);
    KeyPair pair = wrappingKeys.computeIfAbsent(key.arn + "/" + wrappingKeySpec, k -> rsaKeyPair(bits));
    byte[] token = Randomness.bytes(TOKEN_BYTES);
    String handle = HexFormat.of().formatHex(token);
    Parameters parameters = new Parameters(handle, key.arn, wrappingKeySpec, algorithm, pair.getPrivate(),
        pair.getPublic().getEncoded(), ctx.now(), ctx.now().plus(TOKEN_LIFETIME));
    makeRoom(ctx.now());
    tokens.put(handle, parameters);
    return parameters;
  }

  static byte[] tokenBytes(Parameters parameters) {
    return HexFormat.of().parseHex(parameters.token());
  }

  private static WrappingAlgorithm wrappingAlgorithm(String name) {
    switch (name) {
      case "RSAES_PKCS1_V1_5" ->
          // Deprecated by AWS: "As of October 10, 2023, KMS does not support the RSAES_PKCS1_V1_5 wrapping algorithm."
          throw KmsErrors.validation("The RSAES_PKCS1_V1_5 wrapping algorithm is not supported. "
              + "Use RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.");
      case "SM2PKE" -> throw KmsErrors.validation("The SM2PKE wrapping algorithm requires the SM2 wrapping key spec");
      default -> { }
    }
    try {
      return WrappingAlgorithm.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw KmsErrors.validation("1 validation error detected: Value '" + name + "' at 'wrappingAlgorithm' failed "
          + "to satisfy constraint: Member must satisfy enum value set: [RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1, "
          + "RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, SM2PKE]");
    }
  }

  /**
   * AWS's limits on the wrapping algorithm by the material it must carry: RSA-OAEP alone holds at
   * most the wrapping key's size less its padding (190 bytes for RSA_2048 with SHA-256), too little
   * for an RSA private key (over 1,200 bytes of PKCS#8), so RSA key material needs an RSA_AES
   * algorithm; and an ECC_NIST_P521 private key (about 240 bytes) does not fit RSA_2048 with OAEP.
   * Refused here, as AWS documents for GetParametersForImport, not later as undecryptable material.
   */
  private static void requireWrappingFits(KeySpec spec, WrappingAlgorithm algorithm, String wrappingKeySpec) {
    if (algorithm.aesKeyWrap) {
      return;
    }
    if (spec == KeySpec.RSA_2048 || spec == KeySpec.RSA_3072 || spec == KeySpec.RSA_4096) {
      throw KmsErrors.validation("The " + algorithm.name() + " wrapping algorithm cannot wrap RSA private key "
          + "material. Use RSA_AES_KEY_WRAP_SHA_256 or RSA_AES_KEY_WRAP_SHA_1.");
    }
    if (spec == KeySpec.ECC_NIST_P521 && wrappingKeySpec.equals("RSA_2048")) {
      throw KmsErrors.validation("You cannot use the " + algorithm.name() + " wrapping algorithm with the RSA_2048 "
          + "wrapping key spec to wrap ECC_NIST_P521 key material. Use an RSA_AES wrapping algorithm or a longer "
          + "RSA wrapping key spec.");
    }
  }

  private static KeyPair rsaKeyPair(int bits) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate RSA key pairs", e);
    }
  }

  private void makeRoom(Instant now) {
    if (tokens.size() < MAX_OUTSTANDING_TOKENS) {
      return;
    }
    tokens.values().removeIf(parameters -> !parameters.validTo().isAfter(now));
    Iterator<String> oldest = tokens.keySet().iterator();
    while (tokens.size() >= MAX_OUTSTANDING_TOKENS && oldest.hasNext()) {
      oldest.next();
      oldest.remove();
    }
  }

  // ---- ImportKeyMaterial ------------------------------------------------------------------

  /** The result of ImportKeyMaterial. */
  record Imported(KmsKey key, String materialId) {}

  Imported importKeyMaterial(RequestContext ctx, String keyId, byte[] token, byte[] encryptedMaterial,
      Instant validTo, String expirationModel, String importType, String description, String materialId) {
    KmsKey key = kms.resolve(ctx, keyId, false, false, "ImportKeyMaterial", null);
    requireExternal(key);
    requireNotPendingDeletion(key);
    String model = expirationModel != null ? expirationModel : validTo != null ? EXPIRES : DOES_NOT_EXPIRE;
    if (model.equals(EXPIRES)) {
      if (validTo == null) {
        throw KmsErrors.validation("A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
      }
      if (!validTo.isAfter(ctx.now()) || validTo.isAfter(ctx.now().plus(MAX_VALID_TO))) {
        throw KmsErrors.validation("ValidTo must be a future date no more than 365 days after the request");
      }
    } else if (validTo != null) {
      throw KmsErrors.validation("A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE");
    }
    String type = importType == null ? EXISTING_KEY_MATERIAL : importType;
    if (type.equals(NEW_KEY_MATERIAL) && materialId != null) {
      throw KmsErrors.validation("You cannot specify a KeyMaterialId when ImportType is NEW_KEY_MATERIAL");
    }
    if (materialId != null && !key.spec.symmetric()) {
      // AWS: KeyMaterialId is "only usable with symmetric encryption keys".
      throw KmsErrors.validation("KeyMaterialId is valid only for symmetric encryption KMS keys; " + key.arn
          + " has KeySpec " + key.spec.name());
    }
    String handle = HexFormat.of().formatHex(token);
    Parameters parameters = tokens.get(handle);
    if (parameters == null || !parameters.keyArn().equals(key.arn)) {
      // Unknown, already used, or issued for another key.
      throw new AwsException("InvalidImportTokenException", "The import token is invalid for " + key.arn);
    }
    if (!parameters.validTo().isAfter(ctx.now())) {
      throw new AwsException("ExpiredImportTokenException", "The import token has expired");
    }
    byte[] material = unwrap(parameters, encryptedMaterial);
    try {
      SecretKeySpec secret = null;
      PrivateMaterial privateMaterial = null;
      String computedId;
      if (key.spec.symmetric()) {
        if (material.length != SYMMETRIC_MATERIAL_BYTES) {
          throw incorrectMaterial("The key material must be " + SYMMETRIC_MATERIAL_BYTES + " bytes for a "
              + key.keySpec + " key");
        }
        secret = new SecretKeySpec(material, "AES");
        computedId = materialId(key.keyId, material);
      } else {
        privateMaterial = decode(key, material);
        // The id comes from the family's own encoding of the key, so the same key re-imported in another
        // valid encoding (PKCS#8 with or without the optional public key, say) is still the same material.
        computedId = materialId(key.keyId, privateMaterial.encoded());
      }
      if (materialId != null && !MessageDigest.isEqual(materialId.getBytes(StandardCharsets.US_ASCII),
          computedId.getBytes(StandardCharsets.US_ASCII))) {
        throw incorrectMaterial("The key material does not match the KeyMaterialId " + materialId);
      }
      synchronized (key) {
        key.imported.accept(key, computedId, secret, privateMaterial, type, model, validTo, description, ctx.now());
      }
      // A token imports once: a second use is refused like a foreign one.
      tokens.remove(handle, parameters);
      return new Imported(key, computedId);
    } finally {
      Arrays.fill(material, (byte) 0);
    }
  }

  /**
   * The key spec's material from the unwrapped bytes: a PKCS#8 DER private key of exactly the spec's
   * algorithm, curve and size, or an HMAC key of a length AWS accepts for the spec. Anything else is
   * AWS's IncorrectKeyMaterialException; the message never echoes the material.
   */
  private static PrivateMaterial decode(KmsKey key, byte[] material) {
    try {
      return key.spec.family().decode(key.spec.name(), material);
    } catch (RuntimeException notThatKey) {
      throw incorrectMaterial(key.spec.name().startsWith("HMAC_")
          ? "The key material is not a valid " + key.spec.name() + " key: its length is not one AWS imports for "
              + "that key spec"
          : "The key material is not a PKCS #8 DER-encoded " + key.spec.name() + " private key");
    }
  }

  /** Unwraps the material as the token's algorithm says; any failure is AWS's InvalidCiphertextException. */
  static byte[] unwrap(Parameters parameters, byte[] encrypted) {
    WrappingAlgorithm algorithm = parameters.algorithm();
    try {
      Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
      rsa.init(Cipher.DECRYPT_MODE, parameters.privateKey(), algorithm.oaep());
      if (!algorithm.aesKeyWrap) {
        return rsa.doFinal(encrypted);
      }
      int rsaBytes = (((RSAPrivateKey) parameters.privateKey()).getModulus().bitLength() + 7) / 8;
      if (encrypted.length <= rsaBytes) {
        throw KmsErrors.invalidCiphertext();
      }
      byte[] aesKey = rsa.doFinal(encrypted, 0, rsaBytes);
      try {
        Cipher keyWrap = Cipher.getInstance("AES/KWP/NoPadding");
        keyWrap.init(Cipher.DECRYPT_MODE, new SecretKeySpec(aesKey, "AES"));
        return keyWrap.doFinal(encrypted, rsaBytes, encrypted.length - rsaBytes);
      } finally {
        Arrays.fill(aesKey, (byte) 0);
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw KmsErrors.invalidCiphertext();
    }
  }

  /**
   * AWS: "KMS assigns a unique identifier to the key material based on the KMS key ID and the
   * imported key material". Here an HMAC-SHA256 keyed by the material, so the id reveals nothing of
   * it, re-importing the same material into the same key (or a multi-Region relative, which shares
   * the key id) finds the same id, and ciphertexts made before a deletion open again.
   */
  static String materialId(String keyId, byte[] material) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(material, "HmacSHA256"));
      mac.update(MATERIAL_ID_LABEL);
      return HexFormat.of().formatHex(mac.doFinal(keyId.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no HmacSHA256", e);
    }
  }

  // ---- DeleteImportedKeyMaterial and on-demand rotation -----------------------------------

  Imported deleteImportedKeyMaterial(RequestContext ctx, String keyId, String materialId) {
    KmsKey key = kms.resolve(ctx, keyId, false, false, "DeleteImportedKeyMaterial", null);
    requireExternal(key);
    synchronized (key) {
      String deleted = key.imported.delete(key, materialId);
      return new Imported(key, deleted);
    }
  }

  /** RotateKeyOnDemand of an EXTERNAL key: the material imported with NEW_KEY_MATERIAL becomes current. */
  void rotateOnDemand(KmsKey key, Instant now) {
    if (key.multiRegion != null) {
      throw KmsErrors.unsupported("On-demand rotation of multi-Region keys with imported key material is not "
          + "supported by Shunt");
    }
    synchronized (key) {
      key.imported.rotate(key, now);
    }
  }

  private static void requireExternal(KmsKey key) {
    if (key.imported == null) {
      throw KmsErrors.unsupported(key.arn + " origin is " + key.origin + " which is not valid for this operation.");
    }
  }

  private static void requireNotPendingDeletion(KmsKey key) {
    if (key.state() == KeyState.PendingDeletion || key.state() == KeyState.PendingReplicaDeletion) {
      throw KmsErrors.pendingDeletion(key.arn);
    }
  }

  static AwsException incorrectMaterial(String message) {
    return new AwsException("IncorrectKeyMaterialException", message);
  }

  // ---- one key's imported material --------------------------------------------------------

  /**
   * One material version of an EXTERNAL key: {@code secret} (symmetric) or {@code privateMaterial}
   * (any other spec) once imported, both null while it is not.
   */
  static final class Entry {
    final String idHex;
    final Instant associatedAt;
    SecretKeySpec secret;
    PrivateMaterial privateMaterial;
    String description;
    String expirationModel;
    Instant validTo;
    String rotationType;
    boolean current;

    Entry(String idHex, Instant associatedAt) {
      this.idHex = idHex;
      this.associatedAt = associatedAt;
    }

    boolean isImported() {
      return secret != null || privateMaterial != null;
    }

    void forgetMaterial() {
      secret = null;
      privateMaterial = null;
    }

    KeyMaterial asKeyMaterial() {
      return new KeyMaterial(HexFormat.of().parseHex(idHex), idHex, secret, privateMaterial, associatedAt,
          rotationType);
    }
  }

  /**
   * The material versions of one EXTERNAL key. Guarded by the key's lock; what Encrypt and Decrypt
   * read is republished to the key's volatile material array after every change.
   */
  static final class Materials {
    /** Permanently associated versions, in rotation order: the current one last. */
    private final List<Entry> associated = new ArrayList<>();
    /** Imported with NEW_KEY_MATERIAL and not yet rotated in (not permanently associated). */
    private Entry pending;
    /** The earliest ValidTo of imported material, or null: the one field the lookup path reads. */
    private volatile Instant nextExpiry;

    /** True when some permanently associated material is not imported (so the key is PendingImport). */
    boolean missingMaterial() {
      if (associated.isEmpty()) {
        return true;
      }
      for (Entry entry : associated) {
        if (!entry.isImported()) {
          return true;
        }
      }
      return false;
    }

    boolean isPending(Entry entry) {
      return entry == pending;
    }

    Entry current() {
      return associated.isEmpty() ? null : associated.get(associated.size() - 1);
    }

    /** The version with this id; compared in constant time, since a re-import looks up the keyed hash of its material. */
    Entry entry(String idHex) {
      byte[] wanted = idHex.getBytes(StandardCharsets.US_ASCII);
      for (Entry entry : associated) {
        if (MessageDigest.isEqual(entry.idHex.getBytes(StandardCharsets.US_ASCII), wanted)) {
          return entry;
        }
      }
      return pending != null && MessageDigest.isEqual(pending.idHex.getBytes(StandardCharsets.US_ASCII), wanted)
          ? pending : null;
    }

    /** Every version ListKeyRotations shows (the pending one last); secrets may be absent. */
    List<KeyMaterial> listed() {
      List<KeyMaterial> all = new ArrayList<>(associated.size() + 1);
      associated.forEach(entry -> all.add(entry.asKeyMaterial()));
      if (pending != null) {
        all.add(pending.asKeyMaterial());
      }
      return all;
    }

    /** Every version as the store keeps it: the associated ones in order, then the pending one. */
    List<Entry> storedEntries() {
      return all();
    }

    /** Takes the versions a stored or seeded key held, and publishes the imported ones. */
    void restore(KmsKey key, List<Entry> entries, Entry pendingEntry) {
      associated.addAll(entries);
      pending = pendingEntry;
      // The key is not shared yet, and it came from a document: whoever adds it says so to the store.
      republish(key, false);
    }

    /**
     * Takes the versions of {@code stored} (the same key as another node wrote it) in place of
     * these, publishing them without writing the key back; under the key's lock.
     */
    void replace(KmsKey key, Materials stored) {
      associated.clear();
      associated.addAll(stored.associated);
      pending = stored.pending;
      republish(key, false);
    }

    /** What a multi-Region replica of an EXTERNAL key starts with: the same versions, none imported. */
    void copyAssociation(Materials primary) {
      for (Entry source : primary.associated) {
        Entry copy = new Entry(source.idHex, source.associatedAt);
        copy.rotationType = source.rotationType;
        copy.current = source.current;
        associated.add(copy);
      }
    }

    void accept(KmsKey key, String idHex, SecretKeySpec secret, PrivateMaterial privateMaterial, String importType,
        String model, Instant validTo, String description, Instant now) {
      if (associated.isEmpty() && key.multiRegion != null && !key.multiRegion.isPrimary(key)) {
        // A replica imports the material its primary has (replicated before the primary's first import).
        KmsKey primary = key.multiRegion.primary();
        synchronized (primary) {
          copyAssociation(primary.imported);
        }
        if (associated.isEmpty()) {
          throw KmsErrors.unsupported("Import key material into the primary key of " + key.arn + " first");
        }
      }
      Entry entry = entry(idHex);
      boolean isNew = importType.equals(NEW_KEY_MATERIAL);
      if (associated.isEmpty()) {
        // The first material imported into a key becomes current and is associated with it for good.
        entry = new Entry(idHex, now);
        entry.current = true;
        associated.add(entry);
      } else if (entry == null) {
        if (!isNew) {
          throw incorrectMaterial("The key material is not the same key material that was previously imported "
              + "into " + key.arn);
        }
        if (!key.spec.symmetric()) {
          // AWS: only symmetric encryption keys take new material (ImportType is "only usable with symmetric
          // encryption keys"); an asymmetric or HMAC key keeps the one material first imported into it.
          throw KmsErrors.validation("ImportType NEW_KEY_MATERIAL is valid only for symmetric encryption KMS keys; "
              + key.arn + " is bound to the key material first imported into it.");
        }
        if (key.multiRegion != null) {
          throw KmsErrors.unsupported("Importing new key material into multi-Region keys is not supported by Shunt");
        }
        if (pending != null && pending.isImported()) {
          throw KmsErrors.invalidState(key.arn + " already has key material pending rotation ("
              + pending.idHex + "); rotate the key or delete that material first.");
        }
        entry = new Entry(idHex, now);
        pending = entry;
      } else if (isNew && entry != pending) {
        throw incorrectMaterial("The key material is already associated with " + key.arn
            + "; import it with ImportType EXISTING_KEY_MATERIAL");
      }
      entry.secret = secret;
      entry.privateMaterial = privateMaterial;
      entry.expirationModel = model;
      entry.validTo = validTo;
      if (description != null) {
        entry.description = description;
      }
      republish(key);
      if (key.state() == KeyState.PendingImport && !missingMaterial()) {
        key.state(KeyState.Enabled);
      }
    }

    /** Deletes one version's material (the current one unless named); returns its id. */
    String delete(KmsKey key, String idHex) {
      Entry entry = idHex == null ? current() : entry(idHex);
      if (entry == null) {
        if (idHex != null) {
          throw new AwsException("NotFoundException", "Key material " + idHex + " is not associated with " + key.arn);
        }
        return "";
      }
      entry.forgetMaterial();
      entry.validTo = null;
      entry.expirationModel = null;
      republish(key);
      markPendingImport(key);
      return entry.idHex;
    }

    void rotate(KmsKey key, Instant now) {
      if (pending == null || !pending.isImported()) {
        throw KmsErrors.unsupported(key.arn + " has no key material pending rotation. Import new key material "
            + "with ImportType NEW_KEY_MATERIAL before you rotate a key with imported key material.");
      }
      if (missingMaterial()) {
        throw KmsErrors.invalidState(key.arn + " is pending import.");
      }
      Entry previous = current();
      if (previous != null) {
        previous.current = false;
      }
      Entry promoted = new Entry(pending.idHex, now);
      promoted.secret = pending.secret;
      promoted.privateMaterial = pending.privateMaterial;
      promoted.description = pending.description;
      promoted.expirationModel = pending.expirationModel;
      promoted.validTo = pending.validTo;
      promoted.rotationType = "ON_DEMAND";
      promoted.current = true;
      associated.add(promoted);
      pending = null;
      key.countOnDemandRotation();
      republish(key);
    }

    /** Deletes the material whose ValidTo has passed; the key then waits in PendingImport. */
    void expireIfDue(KmsKey key, Instant now) {
      Instant next = nextExpiry;
      if (next == null || next.isAfter(now)) {
        return;
      }
      synchronized (key) {
        boolean expired = false;
        for (Entry entry : all()) {
          if (entry.isImported() && entry.validTo != null && !entry.validTo.isAfter(now)) {
            entry.forgetMaterial();
            expired = true;
          }
        }
        republish(key);
        if (expired) {
          markPendingImport(key);
        }
      }
    }

    private List<Entry> all() {
      List<Entry> all = new ArrayList<>(associated);
      if (pending != null) {
        all.add(pending);
      }
      return all;
    }

    private void markPendingImport(KmsKey key) {
      KeyState state = key.state();
      if (state != KeyState.PendingDeletion && state != KeyState.PendingReplicaDeletion && missingMaterial()) {
        key.state(KeyState.PendingImport);
      }
    }

    /** Publishes the imported, associated versions (current last) to the key, and the next expiry. */
    private void republish(KmsKey key) {
      republish(key, true);
    }

    /** As {@link #republish(KmsKey)}; {@code write}: whether the key's change is written (not when it came from the store). */
    private void republish(KmsKey key, boolean write) {
      List<KeyMaterial> usable = new ArrayList<>(associated.size());
      Instant earliest = null;
      for (Entry entry : all()) {
        if (entry.isImported() && entry.validTo != null && (earliest == null || entry.validTo.isBefore(earliest))) {
          earliest = entry.validTo;
        }
      }
      for (Entry entry : associated) {
        if (entry.isImported()) {
          usable.add(entry.asKeyMaterial());
        }
      }
      // Encrypt uses the last version: with the current one missing the key is PendingImport anyway.
      if (write) {
        key.materials(usable.toArray(new KeyMaterial[0]));
      } else {
        key.publishMaterials(usable.toArray(new KeyMaterial[0]));
      }
      nextExpiry = earliest;
    }
  }
}
