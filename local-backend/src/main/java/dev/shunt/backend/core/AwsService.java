package dev.shunt.backend.core;

import dev.shunt.backend.model.ServiceModel;
import java.util.Map;

/**
 * A service the backend speaks (KMS, Secrets Manager, SSM): its API model and the handler of
 * each operation it implements, keyed by the operation's AWS name.
 */
public interface AwsService {
  ServiceModel model();

  Map<String, OperationHandler> operations();

  /**
   * The error for an operation of the model that Shunt does not implement. Services override it
   * when AWS has a better code for "not supported" than the default.
   */
  default AwsException notImplemented(String operation) {
    return new AwsException("UnsupportedOperationException",
        "Shunt does not implement " + model().serviceId() + " " + operation + " yet");
  }

  /**
   * The error for a target with this service's prefix naming no operation of its model (the
   * SDK may be newer than the model). AWS answers UnknownOperationException.
   */
  default AwsException unknownOperation(String operation) {
    return CommonErrors.unknownOperation(model().targetPrefix() + "." + operation);
  }

  /** The service's throttling error, as the SDKs classify it (one instance: it is thrown often under load). */
  default AwsException throttlingError() {
    return CommonErrors.RATE_EXCEEDED;
  }

  /** Forgets all state (the admin reset). */
  void reset();
}
