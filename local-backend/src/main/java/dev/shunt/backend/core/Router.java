package dev.shunt.backend.core;

import dev.shunt.backend.model.ServiceModel;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the operation an {@code X-Amz-Target} header names ({@code TrentService.Decrypt},
 * {@code secretsmanager.GetSecretValue}, {@code AmazonSSM.GetParameter}). One hash lookup per
 * request; every operation of every model is present, implemented or not.
 */
public final class Router {
  /**
   * The resolved target: the service, the operation's name, its handler, whether Shunt
   * implements it (an operation it does not implement answers so without validating its input),
   * and its name in spans and logs ({@code KMS.Decrypt}).
   */
  public record Route(AwsService service, String operation, OperationHandler handler, boolean implemented,
      String displayName) {
    public ServiceModel model() {
      return service.model();
    }
  }

  private final Map<String, Route> byTarget = new HashMap<>();
  private final Map<String, AwsService> byPrefix = new HashMap<>();
  private final List<AwsService> services;

  public Router(List<AwsService> services) {
    this.services = List.copyOf(services);
    for (AwsService service : services) {
      String prefix = service.model().targetPrefix() + ".";
      byPrefix.put(service.model().targetPrefix(), service);
      for (String operation : service.model().operationNames()) {
        OperationHandler handler = service.operations().get(operation);
        boolean implemented = handler != null;
        if (!implemented) {
          handler = (context, input) -> {
            throw service.notImplemented(operation);
          };
        }
        byTarget.put(prefix + operation, new Route(service, operation, handler, implemented,
            service.model().displayName() + "." + operation));
      }
      for (String operation : service.operations().keySet()) {
        if (!service.model().operationNames().contains(operation)) {
          throw new IllegalStateException(operation + " is not an operation of " + service.model().serviceId());
        }
      }
    }
  }

  /** Returns the route, or throws {@code UnknownOperationException}. */
  public Route route(String target) {
    Route route = target == null ? null : byTarget.get(target);
    if (route == null) {
      int dot = target == null ? -1 : target.indexOf('.');
      AwsService service = dot < 0 ? null : byPrefix.get(target.substring(0, dot));
      throw service == null ? CommonErrors.unknownOperation(target) : service.unknownOperation(target.substring(dot + 1));
    }
    return route;
  }

  public List<AwsService> services() {
    return services;
  }
}
