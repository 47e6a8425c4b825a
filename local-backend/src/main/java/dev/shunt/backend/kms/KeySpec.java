package dev.shunt.backend.kms;

import dev.shunt.backend.kms.crypto.EccFamily;
import dev.shunt.backend.kms.crypto.Ed25519Family;
import dev.shunt.backend.kms.crypto.HmacFamily;
import dev.shunt.backend.kms.crypto.KeyFamily;
import dev.shunt.backend.kms.crypto.MlDsaFamily;
import dev.shunt.backend.kms.crypto.RsaFamily;
import dev.shunt.backend.kms.crypto.Sm2Family;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every KMS key spec: the crypto family that does its cryptography, and for each key usage AWS
 * allows with it, the algorithms AWS lists in KeyMetadata (SigningAlgorithms,
 * EncryptionAlgorithms, MacAlgorithms, KeyAgreementAlgorithms), in AWS's order.
 */
public enum KeySpec {
  SYMMETRIC_DEFAULT(null, Map.of(Usage.ENCRYPT_DECRYPT, List.of("SYMMETRIC_DEFAULT"))),
  RSA_2048(RsaFamily.INSTANCE, rsa()),
  RSA_3072(RsaFamily.INSTANCE, rsa()),
  RSA_4096(RsaFamily.INSTANCE, rsa()),
  ECC_NIST_P256(EccFamily.INSTANCE, ecc("ECDSA_SHA_256", true)),
  ECC_NIST_P384(EccFamily.INSTANCE, ecc("ECDSA_SHA_384", true)),
  ECC_NIST_P521(EccFamily.INSTANCE, ecc("ECDSA_SHA_512", true)),
  ECC_SECG_P256K1(EccFamily.INSTANCE, ecc("ECDSA_SHA_256", false)),
  ECC_NIST_EDWARDS25519(Ed25519Family.INSTANCE,
      Map.of(Usage.SIGN_VERIFY, List.of("ED25519_SHA_512", "ED25519_PH_SHA_512"))),
  ML_DSA_44(MlDsaFamily.INSTANCE, Map.of(Usage.SIGN_VERIFY, List.of("ML_DSA_SHAKE_256"))),
  ML_DSA_65(MlDsaFamily.INSTANCE, Map.of(Usage.SIGN_VERIFY, List.of("ML_DSA_SHAKE_256"))),
  ML_DSA_87(MlDsaFamily.INSTANCE, Map.of(Usage.SIGN_VERIFY, List.of("ML_DSA_SHAKE_256"))),
  SM2(Sm2Family.INSTANCE, ordered(Usage.SIGN_VERIFY, List.of("SM2DSA"), Usage.ENCRYPT_DECRYPT, List.of("SM2PKE"),
      Usage.KEY_AGREEMENT, List.of("ECDH"))),
  HMAC_224(HmacFamily.INSTANCE, Map.of(Usage.GENERATE_VERIFY_MAC, List.of("HMAC_SHA_224"))),
  HMAC_256(HmacFamily.INSTANCE, Map.of(Usage.GENERATE_VERIFY_MAC, List.of("HMAC_SHA_256"))),
  HMAC_384(HmacFamily.INSTANCE, Map.of(Usage.GENERATE_VERIFY_MAC, List.of("HMAC_SHA_384"))),
  HMAC_512(HmacFamily.INSTANCE, Map.of(Usage.GENERATE_VERIFY_MAC, List.of("HMAC_SHA_512")));

  /** KeyUsage values, as the API spells them. */
  public static final class Usage {
    public static final String ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT";
    public static final String SIGN_VERIFY = "SIGN_VERIFY";
    public static final String GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC";
    public static final String KEY_AGREEMENT = "KEY_AGREEMENT";

    private Usage() {}
  }

  /** The Regions where AWS offers SM2 keys: the China partition's. */
  private static final Set<String> SM2_REGIONS = Set.of("cn-north-1", "cn-northwest-1");

  private final KeyFamily family;
  private final Map<String, List<String>> algorithmsByUsage;

  KeySpec(KeyFamily family, Map<String, List<String>> algorithmsByUsage) {
    this.family = family;
    this.algorithmsByUsage = algorithmsByUsage;
  }

  /** The spec named so, or null. */
  public static KeySpec named(String name) {
    for (KeySpec spec : values()) {
      if (spec.name().equals(name)) {
        return spec;
      }
    }
    return null;
  }

  /** The family that does this spec's cryptography; null for SYMMETRIC_DEFAULT (the envelope in CiphertextBlob). */
  public KeyFamily family() {
    return family;
  }

  public boolean symmetric() {
    return this == SYMMETRIC_DEFAULT;
  }

  public boolean allows(String usage) {
    return algorithmsByUsage.containsKey(usage);
  }

  /** The usages AWS allows with this spec. */
  public Set<String> usages() {
    return algorithmsByUsage.keySet();
  }

  /** The algorithms of this spec for the usage (empty if the usage is not allowed). */
  public List<String> algorithms(String usage) {
    return algorithmsByUsage.getOrDefault(usage, List.of());
  }

  /**
   * Whether AWS imports key material into keys of this spec (Origin EXTERNAL). The developer
   * guide's "Requirements for imported key material" lists symmetric encryption, HMAC, RSA, the
   * NIST and SECG ECC curves and SM2 (China Regions only). Ed25519 and ML-DSA, newer specs, were
   * not on that list as last read; it could not be re-checked when this was written, so if AWS
   * adds them, this switch is the one place to change (their families already decode PKCS#8).
   */
  public boolean importable() {
    return switch (this) {
      case ECC_NIST_EDWARDS25519, ML_DSA_44, ML_DSA_65, ML_DSA_87 -> false;
      default -> true;
    };
  }

  /** Whether AWS offers this spec in {@code region}: SM2 only in the China Regions. */
  public boolean offeredIn(String region) {
    return this != SM2 || SM2_REGIONS.contains(region);
  }

  private static Map<String, List<String>> rsa() {
    return ordered(Usage.ENCRYPT_DECRYPT, List.of("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"), Usage.SIGN_VERIFY,
        List.of("RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256",
            "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"));
  }

  private static Map<String, List<String>> ecc(String signing, boolean keyAgreement) {
    return keyAgreement ? ordered(Usage.SIGN_VERIFY, List.of(signing), Usage.KEY_AGREEMENT, List.of("ECDH"))
        : Map.of(Usage.SIGN_VERIFY, List.of(signing));
  }

  private static Map<String, List<String>> ordered(Object... usageThenAlgorithms) {
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < usageThenAlgorithms.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> algorithms = (List<String>) usageThenAlgorithms[i + 1];
      map.put((String) usageThenAlgorithms[i], algorithms);
    }
    return map;
  }
}
