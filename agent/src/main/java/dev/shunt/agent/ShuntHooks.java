package dev.shunt.agent;

import java.util.function.BiFunction;

/**
 * What Shunt's advice in the AWS SDK calls, by name: {@code call("beforeBuild", builder)}. It is
 * on the system class path (in the agent jar), and the advice reaches it reflectively through
 * {@link ClassLoader#getSystemClassLoader()}, never by a symbolic reference, so it links in every
 * class loader the SDK may live in, even one that does not delegate to the system class loader
 * (a plugin's). The work is done by the agent core, whose class loader this class cannot see: it
 * is a {@code BiFunction} of java.base types. Until it is installed, and whatever it throws, a
 * call answers null and the SDK goes on exactly as without Shunt.
 */
public final class ShuntHooks {
  private static volatile BiFunction<String, Object[], Object> core;

  private ShuntHooks() {}

  static void install(BiFunction<String, Object[], Object> agentCore) {
    core = agentCore;
  }

  /** The hook's answer, or null (leave the SDK's own value). */
  public static Object call(String hook, Object[] arguments) {
    BiFunction<String, Object[], Object> target = core;
    if (target == null) {
      return null;
    }
    try {
      return target.apply(hook, arguments);
    } catch (Throwable e) {
      return null;
    }
  }
}
