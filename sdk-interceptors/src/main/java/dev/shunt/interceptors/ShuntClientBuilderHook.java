package dev.shunt.interceptors;

import java.lang.ref.WeakReference;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;

/**
 * What Shunt's agent does to the SDK's client builders (through {@link ShuntAgentBridge}; this
 * class is defined beside the SDK, in a class loader that sees it). When a KMS, Secrets Manager or
 * SSM client is built, a Region and credentials are supplied only where the application has none:
 * no {@code region(...)} and none in its system properties, environment or profile files; no
 * credentials provider, or the SDK's default chain with nothing to find. A provider of the
 * application's own that finds nothing (a framework's chain at start-up) falls back to Shunt's
 * credentials, and a Region provider chain that finds no Region while such a client is being
 * configured answers with Shunt's default Region. Shunt never asks the instance metadata service.
 * The endpoint is left to {@link ShuntRouting}, at the first call. Every other service's builder is
 * left alone.
 */
public final class ShuntClientBuilderHook {
  /** Set by the agent: the credentials it supplies, {@code ACCESS_KEY:SECRET}. */
  public static final String CREDENTIALS_PROPERTY = "shunt.agent.credentials";
  static final String DEFAULT_CREDENTIALS = "shunt-agent:shunt-agent";

  /** What the application itself set on a builder. */
  private static final class Marks {
    volatile boolean endpoint;
    volatile boolean region;
    volatile boolean credentials;
    volatile Object credentialsProvider;
  }

  private static final Map<Object, Marks> MARKS = Collections.synchronizedMap(new WeakHashMap<>());
  /** The routed builder this thread created last and has not built yet (a framework may be resolving its Region). */
  private static final ThreadLocal<WeakReference<Object>> CONFIGURING_ROUTED = new ThreadLocal<>();
  /** True while Shunt itself calls a builder's setters, which are not the application's choices. */
  private static final ThreadLocal<Boolean> SHUNT_CONFIGURING = ThreadLocal.withInitial(() -> false);

  private ShuntClientBuilderHook() {}

  public static void builderCreated(Object builder) {
    if (RoutedService.ofBuilder(builder.getClass().getName()) != null) {
      CONFIGURING_ROUTED.set(new WeakReference<>(builder));
    } else {
      CONFIGURING_ROUTED.remove();
    }
  }

  public static void endpointSet(Object builder) {
    if (!SHUNT_CONFIGURING.get()) {
      marks(builder).endpoint = true;
    }
  }

  public static void regionSet(Object builder) {
    if (!SHUNT_CONFIGURING.get()) {
      marks(builder).region = true;
    }
  }

  public static void credentialsSet(Object builder, Object provider) {
    if (!SHUNT_CONFIGURING.get()) {
      Marks marks = marks(builder);
      marks.credentials = provider != null;
      marks.credentialsProvider = provider;
    }
  }

  private static Marks marks(Object builder) {
    return MARKS.computeIfAbsent(builder, b -> new Marks());
  }

  /**
   * Called as {@code build()} starts: supplies a Region and credentials to a KMS, Secrets Manager or
   * SSM client that has none. Returns whether the builder builds such a client (Shunt routes it).
   */
  public static boolean beforeBuild(Object builder) {
    RoutedService service = RoutedService.ofBuilder(builder.getClass().getName());
    WeakReference<Object> configuring = CONFIGURING_ROUTED.get();
    if (configuring != null && configuring.get() == builder) {
      CONFIGURING_ROUTED.remove();
    }
    if (service == null || !(builder instanceof AwsClientBuilder) || ShuntEndpoint.failed()) {
      return false;
    }
    AwsClientBuilder<?, ?> client = (AwsClientBuilder<?, ?>) builder;
    Marks marks = MARKS.get(builder);
    SHUNT_CONFIGURING.set(true);
    try {
      if ((marks == null || !marks.region) && !AppDefaults.hasRegion()) {
        client.region(defaultRegion());
      }
      Object provider = marks == null || !marks.credentials ? null : marks.credentialsProvider;
      if (provider == null || provider instanceof DefaultCredentialsProvider) {
        if (!AppDefaults.hasCredentials()) {
          client.credentialsProvider(shuntCredentials());
        }
      } else if (provider instanceof AwsCredentialsProvider && !(provider instanceof StaticCredentialsProvider)) {
        client.credentialsProvider(new FallbackCredentials((AwsCredentialsProvider) provider, service));
      }
    } catch (RuntimeException | LinkageError e) {
      reportOnce("could not configure the " + service.displayName + " client (" + builder.getClass().getName()
          + "): " + e);
    } finally {
      SHUNT_CONFIGURING.set(false);
    }
    return true;
  }

  /**
   * Before a Region provider chain asks its providers: while a routed client is being configured on
   * this thread and the application has no Region anywhere the SDK's default chain would look
   * (before it asks the instance metadata service), Shunt's default Region; otherwise null.
   */
  public static Object regionBeforeProviders(Object chain) {
    if (configuringRouted() == null
        || !chain.getClass().getName().equals("software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain")
        || AppDefaults.hasRegion()) {
      return null;
    }
    return defaultRegion();
  }

  /** A Region provider chain found no Region while a routed client is being configured: Shunt's default; else null. */
  public static Object regionAfterFailure(Object chain, Throwable failure) {
    Object builder = configuringRouted();
    if (builder == null) {
      return null;
    }
    Region region = defaultRegion();
    Reports.once("region", "[shunt] " + RoutedService.ofBuilder(builder.getClass().getName()).displayName
        + " client: the application's Region providers found none (" + chain.getClass().getSimpleName()
        + "); Shunt's default Region " + region.id() + " is used");
    return region;
  }

  private static Object configuringRouted() {
    WeakReference<Object> configuring = CONFIGURING_ROUTED.get();
    return configuring == null ? null : configuring.get();
  }

  private static Region defaultRegion() {
    return Region.of(ShuntEndpoint.setting("default-region", "us-east-1"));
  }

  /** The credentials the agent supplies ({@value #CREDENTIALS_PROPERTY}, else {@value #DEFAULT_CREDENTIALS}). */
  static StaticCredentialsProvider shuntCredentials() {
    String configured = System.getProperty(CREDENTIALS_PROPERTY, DEFAULT_CREDENTIALS);
    int colon = configured.indexOf(':');
    String accessKey = colon > 0 ? configured.substring(0, colon) : configured;
    String secret = colon > 0 ? configured.substring(colon + 1) : configured;
    return StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secret));
  }

  /**
   * Routes a request of a client built before the agent arrived (attach to a running JVM): the
   * agent calls this after the interceptor chain's modifyHttpRequest. A call that Shunt's
   * interceptor handles (every client built since) was routed already and is left as it is.
   */
  public static Object afterModifyHttpRequest(Object context, Object attributes) {
    try {
      ExecutionAttributes executionAttributes = (ExecutionAttributes) attributes;
      if (ShuntRouting.intercepted(executionAttributes)) {
        return context;
      }
      InterceptorContext interceptorContext = (InterceptorContext) context;
      SdkHttpRequest request = interceptorContext.httpRequest();
      SdkHttpRequest routed = ShuntRouting.routeUnintercepted(request, executionAttributes);
      return routed == request ? context : interceptorContext.toBuilder().httpRequest(routed).build();
    } catch (RuntimeException | LinkageError e) {
      reportOnce("could not route a request: " + e);
      return context;
    }
  }

  static void reportOnce(String message) {
    Reports.once("builder", "[shunt] " + message + " (the client is left as the application built it)");
  }

  /**
   * The application's own credentials provider, until it finds none: then Shunt's (said once), for
   * good, so that a chain that probes (a container endpoint, the instance metadata service) is not
   * asked again on every call.
   */
  static final class FallbackCredentials implements AwsCredentialsProvider {
    private final AwsCredentialsProvider application;
    private final RoutedService service;
    private volatile boolean useShunts;

    FallbackCredentials(AwsCredentialsProvider application, RoutedService service) {
      this.application = application;
      this.service = service;
    }

    @Override
    public software.amazon.awssdk.auth.credentials.AwsCredentials resolveCredentials() {
      if (!useShunts) {
        try {
          return application.resolveCredentials();
        } catch (RuntimeException e) {
          useShunts = true;
          Reports.once("credentials", "[shunt] " + service.displayName + " client: the application's credentials"
              + " provider (" + application.getClass().getSimpleName() + ") found none; Shunt's are used");
        }
      }
      return shuntCredentials().resolveCredentials();
    }

    @Override
    public String toString() {
      return "ShuntFallbackCredentials(" + application + ")";
    }
  }
}
