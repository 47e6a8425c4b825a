package dev.shunt.backend.kms;

import static dev.shunt.backend.core.Inputs.blob;
import static dev.shunt.backend.core.Inputs.flag;
import static dev.shunt.backend.core.Inputs.string;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import dev.shunt.backend.core.OperationHandler;
import dev.shunt.backend.core.RequestContext;
import java.util.Map;

/**
 * GenerateMac and VerifyMac on the wire, kept apart from {@link KmsService} so HMAC keys are one
 * file to read. The model has already checked the input (Message 1 to 4,096 bytes, MacAlgorithm
 * one of AWS's, up to 10 GrantTokens; {@link KmsService} refuses a token KMS did not issue).
 */
final class KmsMacOperations {
  private final KmsMacBackend macs;

  KmsMacOperations(KmsBackend kms) {
    this.macs = new KmsMacBackend(kms);
  }

  /** Adds both operations to KMS's operation map. */
  void register(Map<String, OperationHandler> operations) {
    operations.put("GenerateMac", this::generateMac);
    operations.put("VerifyMac", this::verifyMac);
  }

  private ObjectNode generateMac(RequestContext ctx, ObjectNode in) {
    KmsMacBackend.Mac mac = macs.generateMac(ctx, string(in, "KeyId"), blob(in, "Message"),
        string(in, "MacAlgorithm"), flag(in, "DryRun"));
    ObjectNode out = Json.object();
    out.put("Mac", mac.mac());
    out.put("MacAlgorithm", mac.algorithm());
    out.put("KeyId", mac.key().arn);
    return out;
  }

  private ObjectNode verifyMac(RequestContext ctx, ObjectNode in) {
    String algorithm = string(in, "MacAlgorithm");
    KmsKey key = macs.verifyMac(ctx, string(in, "KeyId"), blob(in, "Message"), algorithm, blob(in, "Mac"),
        flag(in, "DryRun"));
    ObjectNode out = Json.object();
    out.put("KeyId", key.arn);
    out.put("MacValid", true);
    out.put("MacAlgorithm", algorithm);
    return out;
  }
}
