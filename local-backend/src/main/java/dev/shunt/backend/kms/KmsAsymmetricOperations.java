package dev.shunt.backend.kms;

import static dev.shunt.backend.core.Inputs.blob;
import static dev.shunt.backend.core.Inputs.string;
import static dev.shunt.backend.core.Inputs.stringMap;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import java.util.Map;

/**
 * KMS's asymmetric operations on the wire: Sign, Verify, GetPublicKey, GenerateDataKeyPair,
 * GenerateDataKeyPairWithoutPlaintext and DeriveSharedSecret, registered into {@link KmsService}'s
 * operation map. Each reads its validated input, calls {@link AsymmetricKeys}, writes KMS's shape.
 */
final class KmsAsymmetricOperations {
  private final AsymmetricKeys keys;

  KmsAsymmetricOperations(KmsBackend kms) {
    this.keys = new AsymmetricKeys(kms);
  }

  void registerInto(Map<String, OperationHandler> operations) {
    operations.put("Sign", this::sign);
    operations.put("Verify", this::verify);
    operations.put("GetPublicKey", this::getPublicKey);
    operations.put("GenerateDataKeyPair", this::generateDataKeyPair);
    operations.put("GenerateDataKeyPairWithoutPlaintext", this::generateDataKeyPairWithoutPlaintext);
    operations.put("DeriveSharedSecret", this::deriveSharedSecret);
  }

  private ObjectNode sign(RequestContext ctx, ObjectNode in) {
    String algorithm = string(in, "SigningAlgorithm");
    AsymmetricKeys.Signed signed = keys.sign(ctx, string(in, "KeyId"), blob(in, "Message"),
        string(in, "MessageType"), algorithm);
    KmsService.dryRun(in);
    ObjectNode out = Json.object();
    out.put("KeyId", signed.key().arn);
    out.put("Signature", signed.signature());
    out.put("SigningAlgorithm", algorithm);
    return out;
  }

  private ObjectNode verify(RequestContext ctx, ObjectNode in) {
    String algorithm = string(in, "SigningAlgorithm");
    KmsKey key = keys.verify(ctx, string(in, "KeyId"), blob(in, "Message"), string(in, "MessageType"),
        blob(in, "Signature"), algorithm);
    KmsService.dryRun(in);
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn);
    out.put("SignatureValid", true);
    out.put("SigningAlgorithm", algorithm);
    return out;
  }

  private ObjectNode getPublicKey(RequestContext ctx, ObjectNode in) {
    KmsKey key = keys.publicKey(ctx, string(in, "KeyId"));
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn);
    out.put("PublicKey", AsymmetricKeys.publicKeyDer(key));
    out.put("CustomerMasterKeySpec", key.keySpec);
    out.put("KeySpec", key.keySpec);
    out.put("KeyUsage", key.keyUsage);
    // Only the list of the key's usage, as in KeyMetadata.
    ArrayNode algorithms = out.putArray(switch (key.keyUsage) {
      case KeySpec.Usage.SIGN_VERIFY -> "SigningAlgorithms";
      case KeySpec.Usage.KEY_AGREEMENT -> "KeyAgreementAlgorithms";
      default -> "EncryptionAlgorithms";
    });
    key.spec.algorithms(key.keyUsage).forEach(algorithms::add);
    return out;
  }

  private ObjectNode generateDataKeyPair(RequestContext ctx, ObjectNode in) {
    KmsService.rejectRecipient(in);
    AsymmetricKeys.DataKeyPair pair = dataKeyPair(ctx, in, "GenerateDataKeyPair");
    KmsService.dryRun(in);
    ObjectNode out = dataKeyPairShape(pair, string(in, "KeyPairSpec"));
    out.put("PrivateKeyPlaintext", pair.privateKeyPlaintext());
    return out;
  }

  private ObjectNode generateDataKeyPairWithoutPlaintext(RequestContext ctx, ObjectNode in) {
    AsymmetricKeys.DataKeyPair pair = dataKeyPair(ctx, in, "GenerateDataKeyPairWithoutPlaintext");
    KmsService.dryRun(in);
    return dataKeyPairShape(pair, string(in, "KeyPairSpec"));
  }

  private AsymmetricKeys.DataKeyPair dataKeyPair(RequestContext ctx, ObjectNode in, String action) {
    return keys.generateDataKeyPair(ctx, string(in, "KeyId"), string(in, "KeyPairSpec"),
        stringMap(in, "EncryptionContext"), action);
  }

  private static ObjectNode dataKeyPairShape(AsymmetricKeys.DataKeyPair pair, String pairSpec) {
    ObjectNode out = Json.object();
    out.put("PrivateKeyCiphertextBlob", pair.privateKeyCiphertext());
    out.put("PublicKey", pair.publicKey());
    out.put("KeyId", pair.key().arn);
    out.put("KeyPairSpec", pairSpec);
    out.put("KeyMaterialId", pair.materialId());
    return out;
  }

  private ObjectNode deriveSharedSecret(RequestContext ctx, ObjectNode in) {
    KmsService.rejectRecipient(in);
    String algorithm = string(in, "KeyAgreementAlgorithm");
    AsymmetricKeys.SharedSecret secret = keys.deriveSharedSecret(ctx, string(in, "KeyId"), algorithm,
        blob(in, "PublicKey"));
    KmsService.dryRun(in);
    ObjectNode out = Json.object();
    out.put("KeyId", secret.key().arn);
    out.put("SharedSecret", secret.secret());
    out.put("KeyAgreementAlgorithm", algorithm);
    out.put("KeyOrigin", secret.key().origin);
    return out;
  }
}
