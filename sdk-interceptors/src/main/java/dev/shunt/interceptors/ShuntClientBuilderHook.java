package dev.shunt.interceptors;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.InterceptorContext;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * What Shunt's agent calls from the SDK's client builders (its advice is inlined there). When a
 * KMS, Secrets Manager or SSM client is built: the endpoint becomes Shunt's unless the
 * application set one; a Region and credentials are supplied only when the application has none
 * (no {@code region(...)} and none in the environment, system properties or profile files; the
 * same for credentials), so the client builds without an AWS account and never probes the
 * instance metadata service. The builder is handled by reflection: it may live in a class loader
 * this class cannot see into. A failure here is reported once and the client builds as it would
 * have without Shunt.
 */
public final class ShuntClientBuilderHook {
  private static final String[] SERVICES = {"software.amazon.awssdk.services.kms.",
      "software.amazon.awssdk.services.secretsmanager.", "software.amazon.awssdk.services.ssm."};
  static final String ACCESS_KEY = "shunt-agent";

  /** What the application itself set on a builder. */
  private static final class Marks {
    volatile boolean endpoint;
    volatile boolean region;
    volatile boolean credentials;
  }

  private static final Map<Object, Marks> MARKS = Collections.synchronizedMap(new WeakHashMap<>());
  private static volatile boolean failureReported;
  private static final ThreadLocal<Boolean> CONFIGURING = ThreadLocal.withInitial(() -> false);

  private ShuntClientBuilderHook() {}

  public static void endpointSet(Object builder) {
    if (!CONFIGURING.get()) {
      marks(builder).endpoint = true;
    }
  }

  public static void regionSet(Object builder) {
    if (!CONFIGURING.get()) {
      marks(builder).region = true;
    }
  }

  public static void credentialsSet(Object builder) {
    if (!CONFIGURING.get()) {
      marks(builder).credentials = true;
    }
  }

  private static Marks marks(Object builder) {
    return MARKS.computeIfAbsent(builder, b -> new Marks());
  }

  /** Called as {@code build()} starts. */
  public static void beforeBuild(Object builder) {
    if (!routed(builder.getClass().getName()) || !ShuntEndpoint.available()) {
      return;
    }
    Marks marks = MARKS.get(builder);
    CONFIGURING.set(true);
    try {
      if (marks == null || !marks.endpoint || ShuntEndpoint.overrideAppEndpoints()) {
        invoke(builder, "endpointOverride", URI.class, ShuntEndpoint.uri());
      }
      ClassLoader sdk = builder.getClass().getClassLoader();
      if ((marks == null || !marks.region) && !Defaults.hasRegion()) {
        Class<?> region = Class.forName("software.amazon.awssdk.regions.Region", true, sdk);
        invoke(builder, "region", region, region.getMethod("of", String.class)
            .invoke(null, ShuntEndpoint.setting("default-region", "us-east-1")));
      }
      if ((marks == null || !marks.credentials) && !Defaults.hasCredentials()) {
        Class<?> basic = Class.forName("software.amazon.awssdk.auth.credentials.AwsBasicCredentials", true, sdk);
        Class<?> staticProvider = Class.forName("software.amazon.awssdk.auth.credentials.StaticCredentialsProvider",
            true, sdk);
        Object credentials = basic.getMethod("create", String.class, String.class).invoke(null, ACCESS_KEY, ACCESS_KEY);
        Object provider = staticProvider.getMethod("create",
            Class.forName("software.amazon.awssdk.auth.credentials.AwsCredentials", true, sdk)).invoke(null, credentials);
        invoke(builder, "credentialsProvider", staticProvider, provider);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      reportOnce("could not configure " + builder.getClass().getName() + ": " + e);
    } finally {
      CONFIGURING.set(false);
    }
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

  static boolean routed(String builderClass) {
    for (String service : SERVICES) {
      if (builderClass.startsWith(service)) {
        return true;
      }
    }
    return false;
  }

  /** Calls the builder's public one-argument method {@code name} whose parameter accepts {@code argumentType}. */
  private static void invoke(Object builder, String name, Class<?> argumentType, Object argument)
      throws ReflectiveOperationException {
    for (Method method : builder.getClass().getMethods()) {
      if (method.getName().equals(name) && method.getParameterCount() == 1
          && method.getParameterTypes()[0].isAssignableFrom(argumentType)) {
        method.invoke(builder, argument);
        return;
      }
    }
    throw new NoSuchMethodException(builder.getClass().getName() + "." + name + "(" + argumentType.getName() + ")");
  }

  static void reportOnce(String message) {
    if (!failureReported) {
      failureReported = true;
      System.err.println("[shunt] " + message + " (the client is left as the application built it)");
    }
  }

  /** Whether the application's own default chains would find a Region or credentials. */
  static final class Defaults {
    private Defaults() {}

    static boolean hasRegion() {
      return present(System.getProperty("aws.region")) || present(System.getenv("AWS_REGION"))
          || profileHas(configFile(), "region");
    }

    static boolean hasCredentials() {
      return present(System.getProperty("aws.accessKeyId")) || present(System.getenv("AWS_ACCESS_KEY_ID"))
          || present(System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE"))
          || present(System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"))
          || present(System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
          || profileHas(credentialsFile(), "aws_access_key_id")
          || profileHas(configFile(), "aws_access_key_id", "credential_process", "sso_session", "sso_start_url",
              "role_arn", "web_identity_token_file");
    }

    private static boolean present(String value) {
      return value != null && !value.isBlank();
    }

    private static Path configFile() {
      String file = System.getenv("AWS_CONFIG_FILE");
      return present(file) ? Path.of(file) : Path.of(System.getProperty("user.home"), ".aws", "config");
    }

    private static Path credentialsFile() {
      String file = System.getenv("AWS_SHARED_CREDENTIALS_FILE");
      return present(file) ? Path.of(file) : Path.of(System.getProperty("user.home"), ".aws", "credentials");
    }

    /** Whether the active profile's section of an INI file sets one of {@code keys}. */
    static boolean profileHas(Path file, String... keys) {
      if (!Files.isRegularFile(file)) {
        return false;
      }
      String profile = System.getProperty("aws.profile");
      if (!present(profile)) {
        profile = present(System.getenv("AWS_PROFILE")) ? System.getenv("AWS_PROFILE") : "default";
      }
      List<String> lines;
      try {
        lines = Files.readAllLines(file);
      } catch (IOException | RuntimeException e) {
        return false;
      }
      boolean inProfile = false;
      for (String raw : lines) {
        String line = raw.trim();
        if (line.startsWith("[") && line.endsWith("]")) {
          String section = line.substring(1, line.length() - 1).trim();
          if (section.startsWith("profile ")) {
            section = section.substring("profile ".length()).trim();
          }
          inProfile = section.equals(profile);
        } else if (inProfile) {
          int eq = line.indexOf('=');
          String key = eq < 0 ? "" : line.substring(0, eq).trim().toLowerCase(Locale.ROOT);
          for (String wanted : keys) {
            if (key.equals(wanted)) {
              return true;
            }
          }
        }
      }
      return false;
    }
  }
}
