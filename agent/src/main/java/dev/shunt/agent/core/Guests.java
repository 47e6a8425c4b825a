package dev.shunt.agent.core;

import java.lang.ref.WeakReference;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiFunction;

/**
 * Shunt's interceptors beside each class loader that holds the AWS SDK: the system class loader,
 * Spring Boot's, a web application's, Quarkus', a plugin's. For each, a child class loader of its
 * own defines the interceptor classes, which so link against exactly the SDK that loader holds and
 * stay invisible to the application. The agent reaches them through one
 * {@code ShuntAgentBridge} per SDK. Where that cannot be made, that SDK's clients are left alone,
 * after one line saying so.
 */
final class Guests {
  /** The way into one SDK's copy of the interceptors; {@code bridge} is null where there is none. */
  static final class Guest {
    final BiFunction<String, Object[], Object> bridge;
    /** The interceptor every client of that SDK gets, one instance for all. */
    final Object interceptor;

    Guest(BiFunction<String, Object[], Object> bridge, Object interceptor) {
      this.bridge = bridge;
      this.interceptor = interceptor;
    }
  }

  private static final Guest NONE = new Guest(null, null);
  private static final String PACKAGE = "dev.shunt.interceptors.";

  private final URL interceptorsJar;
  private final OtelApi otelApi;
  /**
   * Per SDK class (the values live as long as the class, so as long as its class loader: a web
   * application undeployed takes its guest with it)...
   */
  private final ClassValue<Guest> byClass = new ClassValue<>() {
    @Override
    protected Guest computeValue(Class<?> type) {
      return forLoader(type.getClassLoader());
    }
  };
  /** ...and one guest per class loader, held weakly here. */
  private final Map<ClassLoader, WeakReference<Guest>> byLoader = new WeakHashMap<>();

  Guests(Path interceptorsJar, OtelApi otelApi) {
    try {
      this.interceptorsJar = interceptorsJar.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
    this.otelApi = otelApi;
  }

  /** Every guest whose SDK is still loaded. */
  synchronized List<Guest> live() {
    List<Guest> live = new ArrayList<>();
    for (WeakReference<Guest> guest : byLoader.values()) {
      Guest known = guest.get();
      if (known != null && known.bridge != null) {
        live.add(known);
      }
    }
    return live;
  }

  /** The guest beside the SDK that {@code sdkObject}'s class belongs to. */
  Guest of(Object sdkObject) {
    return byClass.get(sdkObject.getClass());
  }

  private synchronized Guest forLoader(ClassLoader sdkLoader) {
    WeakReference<Guest> known = byLoader.get(sdkLoader);
    Guest guest = known == null ? null : known.get();
    if (guest == null) {
      guest = create(sdkLoader);
      byLoader.put(sdkLoader, new WeakReference<>(guest));
    }
    return guest;
  }

  @SuppressWarnings("unchecked")
  private Guest create(ClassLoader sdkLoader) {
    try {
      List<URL> urls = new ArrayList<>();
      urls.add(interceptorsJar);
      urls.addAll(otelApi.jarsFor(sdkLoader));
      ClassLoader loader = new InterceptorLoader(urls.toArray(URL[]::new), sdkLoader);
      BiFunction<String, Object[], Object> bridge = (BiFunction<String, Object[], Object>) loader
          .loadClass(PACKAGE + "ShuntAgentBridge").getConstructor().newInstance();
      return new Guest(bridge, bridge.apply("newInterceptor", new Object[0]));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      System.err.println("[shunt] the AWS SDK clients of " + describe(sdkLoader) + " are left alone: Shunt's"
          + " interceptor cannot be defined beside that SDK (" + e + ")");
      return NONE;
    }
  }

  private static String describe(ClassLoader loader) {
    if (loader == null) {
      return "the bootstrap class loader";
    }
    String name = loader.getName();
    return "class loader " + loader.getClass().getName() + (name == null ? "" : " '" + name + "'");
  }

  /**
   * A child of the SDK's class loader that defines Shunt's interceptor classes itself, even when
   * the application has a copy of its own (possibly of another version) on its class path; every
   * other class, the SDK's first, comes from the parent.
   */
  private static final class InterceptorLoader extends URLClassLoader {
    static {
      registerAsParallelCapable();
    }

    InterceptorLoader(URL[] urls, ClassLoader parent) {
      super("shunt-interceptors", urls, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith(PACKAGE)) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> type = findLoadedClass(name);
        if (type == null) {
          type = findClass(name);
        }
        if (resolve) {
          resolveClass(type);
        }
        return type;
      }
    }
  }
}
