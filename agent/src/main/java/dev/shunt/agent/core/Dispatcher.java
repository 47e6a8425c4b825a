package dev.shunt.agent.core;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * What the advice in the SDK reaches (through {@code ShuntHooks}, by hook name): each call goes to
 * the guest beside the SDK it came from; the backend learns when the first KMS, Secrets Manager or
 * SSM client is built. An SDK without a guest is left as it is (null: the SDK's own value).
 */
final class Dispatcher implements BiFunction<String, Object[], Object> {
  private static final String INTERCEPTOR = "dev.shunt.interceptors.ShuntExecutionInterceptor";
  private final Guests guests;
  private final BackendLink backend;

  Dispatcher(Guests guests, BackendLink backend) {
    this.guests = guests;
    this.backend = backend;
  }

  /**
   * {@code arguments[0]} is the SDK object the hook fires on (builder, factory, chain, Region
   * chain); the rest is the hook's own.
   */
  @Override
  public Object apply(String hook, Object[] arguments) {
    Guests.Guest guest = guests.of(arguments[0]);
    if (guest.bridge == null) {
      return null;
    }
    switch (hook) {
      case "globalInterceptors":
        return globalInterceptors(guest, (List<?>) arguments[1]);
      case "beforeBuild":
        if (Boolean.TRUE.equals(guest.bridge.apply(hook, arguments))) {
          backend.clientBuilt();
        }
        return null;
      case "afterModifyHttpRequest":
        return guest.bridge.apply(hook, new Object[] {arguments[1], arguments[2]});
      default:
        return guest.bridge.apply(hook, arguments);
    }
  }

  /**
   * The SDK's global interceptors with the guest's added (where the SDK would have put it, had it
   * found it on its class path), unless the application's class path registered one already.
   */
  private static List<?> globalInterceptors(Guests.Guest guest, List<?> interceptors) {
    for (Object registered : interceptors) {
      if (registered.getClass().getName().equals(INTERCEPTOR)) {
        return null;
      }
    }
    List<Object> withShunts = new ArrayList<>(interceptors);
    withShunts.add(guest.interceptor);
    return withShunts;
  }
}
