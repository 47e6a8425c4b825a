package dev.shunt.junit5;

import dev.shunt.backend.ShuntBackend;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * The JUnit 5 extension behind {@link ShuntTest}: one in-process Shunt backend per test class
 * (free port, state in memory), stopped when the class is done; {@link Shunt}, the endpoint and
 * AWS SDK v2 clients injected into constructors, test and lifecycle methods, and
 * {@link ShuntInject} fields; the state reset before every test (or kept for the class), and
 * the quotas and faults a test set undone after it.
 *
 * <p>Declared with {@code @ShuntTest}, or registered on a static field for the options the
 * annotation lacks:
 * <pre>
 * &#64;RegisterExtension
 * static ShuntExtension shunt = ShuntExtension.builder()
 *     .seed("shunt/seed.yaml")
 *     .principals("shunt/principals.yaml")
 *     .quota("kms:Decrypt", 50)
 *     .fault(Fault.on("ssm:GetParameter").latency(Duration.ofMillis(100)))
 *     .reset(Reset.PER_CLASS)
 *     .build();
 * </pre>
 *
 * <p>Parallel execution: test classes may run concurrently (each has its own backend). The
 * methods of one class share its backend, so under {@link Reset#PER_METHOD} they must not run
 * concurrently (the extension refuses it, naming the fix); with {@link Reset#PER_CLASS} they may,
 * and then each test's audit holds the calls of the tests running beside it too.
 */
public final class ShuntExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback,
    ParameterResolver, TestInstancePostProcessor {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ShuntExtension.class);

  /** What the builder said, or null for the extension that {@link ShuntTest} declares (which reads the annotation). */
  private final Settings configured;

  /** The extension {@link ShuntTest} declares: its settings are the annotation's. */
  public ShuntExtension() {
    this(null);
  }

  private ShuntExtension(Settings configured) {
    this.configured = configured;
  }

  /** An extension to register on a static field, with options the annotation lacks. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- Lifecycle -------------------------------------------------------------------------

  @Override
  public void beforeAll(ExtensionContext context) {
    Running running = running(context);
    Class<?> testClass = context.getRequiredTestClass();
    for (Field field : AnnotationSupport.findAnnotatedFields(testClass, ShuntInject.class,
        field -> Modifier.isStatic(field.getModifiers()), HierarchyTraversalMode.TOP_DOWN)) {
      inject(field, null, running);
    }
  }

  @Override
  public void postProcessTestInstance(Object instance, ExtensionContext context) {
    Running running = running(context);
    for (Field field : AnnotationSupport.findAnnotatedFields(instance.getClass(), ShuntInject.class,
        field -> !Modifier.isStatic(field.getModifiers()), HierarchyTraversalMode.TOP_DOWN)) {
      inject(field, instance, running);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Running running = running(context);
    if (running.settings.reset() == Reset.PER_METHOD) {
      if (concurrent(context)) {
        throw new ExtensionConfigurationException(context.getRequiredTestClass().getName()
            + " runs its test methods concurrently, and they share one Shunt backend, which @ShuntTest resets before"
            + " each of them (Reset.PER_METHOD): one test would wipe another's state. Annotate the class with"
            + " @Execution(ExecutionMode.SAME_THREAD), or use @ShuntTest(reset = Reset.PER_CLASS) (then the tests"
            + " must not depend on each other's state), or split it into classes.");
      }
      running.shunt.reset();
    } else {
      running.shunt.clearAudit();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    running(context).shunt.afterTest();
  }

  /** Whether the test's siblings may run beside it. */
  private static boolean concurrent(ExtensionContext context) {
    boolean parallel = context.getConfigurationParameter("junit.jupiter.execution.parallel.enabled")
        .map(Boolean::parseBoolean).orElse(false);
    return parallel && context.getExecutionMode() == ExecutionMode.CONCURRENT;
  }

  // ---- Injection -------------------------------------------------------------------------

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return supports(parameter.getParameter().getType(), parameter.getParameter());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    try {
      return value(parameter.getParameter().getType(), parameter.getParameter(), running(context));
    } catch (RuntimeException e) {
      throw new ParameterResolutionException("Shunt could not make " + parameter.getParameter().getType().getName()
          + ": " + e.getMessage(), e);
    }
  }

  private static boolean supports(Class<?> type, AnnotatedElement element) {
    return type == Shunt.class || type == URI.class
        || (type == String.class && element.isAnnotationPresent(ShuntEndpoint.class)) || SdkClients.supports(type);
  }

  private static Object value(Class<?> type, AnnotatedElement element, Running running) {
    Shunt shunt = running.shunt;
    if (type == Shunt.class) {
      return shunt;
    }
    if (type == URI.class) {
      return shunt.endpoint();
    }
    if (type == String.class) {
      return shunt.endpoint().toString();
    }
    ShuntClient as = element.getAnnotation(ShuntClient.class);
    return as == null ? shunt.client(type)
        : shunt.client(type, emptyToNull(as.accessKeyId()), emptyToNull(as.secretAccessKey()), emptyToNull(as.region()));
  }

  private static void inject(Field field, Object instance, Running running) {
    if (!supports(field.getType(), field)) {
      throw new ExtensionConfigurationException("@ShuntInject field " + field + " is of a type Shunt does not give: "
          + "Shunt, URI (or String with @ShuntEndpoint), or a KMS, Secrets Manager or SSM client of the AWS SDK v2");
    }
    if (Modifier.isFinal(field.getModifiers())) {
      throw new ExtensionConfigurationException("@ShuntInject field " + field + " is final");
    }
    try {
      field.setAccessible(true);
      field.set(instance, value(field.getType(), field, running));
    } catch (IllegalAccessException e) {
      throw new ExtensionConfigurationException("Cannot set @ShuntInject field " + field, e);
    }
  }

  private static String emptyToNull(String text) {
    return text == null || text.isEmpty() ? null : text;
  }

  // ---- The backend of a test class ---------------------------------------------------------

  /**
   * The backend the test class (or, for a {@code @Nested} class with the same settings, its
   * enclosing class) runs against, started on first use and stored in the class's context, which
   * closes it when the class is done.
   */
  private Running running(ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    Settings wanted = settings(classContext);
    for (ExtensionContext at = classContext; at != null; at = at.getParent().orElse(null)) {
      if (at.getTestClass().isEmpty()) {
        break;
      }
      Running found = at.getStore(NAMESPACE).get(key(at), Running.class);
      if (found == null) {
        continue;
      }
      if (found.settings.equals(wanted)) {
        return found;
      }
      if (at == classContext) {
        throw new ExtensionConfigurationException(classContext.getRequiredTestClass().getName() + " has two Shunt"
            + " extensions with different settings: use @ShuntTest or a registered ShuntExtension, not both");
      }
      // A nested class with settings of its own gets a backend of its own.
      break;
    }
    return classContext.getStore(NAMESPACE).getOrComputeIfAbsent(key(classContext), k -> start(classContext, wanted),
        Running.class);
  }

  private static String key(ExtensionContext classContext) {
    return "backend:" + classContext.getUniqueId();
  }

  /** The context of the test class a context belongs to (a method's, a dynamic test's, a class's own). */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext at = context;
    while (at.getTestMethod().isPresent() && at.getParent().isPresent()) {
      at = at.getParent().get();
    }
    return at;
  }

  private Settings settings(ExtensionContext classContext) {
    if (configured != null) {
      return configured;
    }
    for (Class<?> type = classContext.getRequiredTestClass(); type != null; type = type.getEnclosingClass()) {
      Optional<ShuntTest> annotation = AnnotationSupport.findAnnotation(type, ShuntTest.class);
      if (annotation.isPresent()) {
        try {
          return Settings.of(annotation.get());
        } catch (IllegalArgumentException e) {
          throw new ExtensionConfigurationException(e.getMessage(), e);
        }
      }
    }
    return Settings.defaults();
  }

  private static Running start(ExtensionContext classContext, Settings settings) {
    Class<?> testClass = classContext.getRequiredTestClass();
    Resources resources = new Resources(testClass.getClassLoader());
    try {
      Map<String, String> options = new LinkedHashMap<>();
      options.put("host", "127.0.0.1");
      options.put("port", "0");
      options.put("in-memory", "true");
      options.put("default-region", settings.region());
      options.put("audit-recent", "10000");
      options.put("threads", "2");
      String quotas = settings.quotas();
      boolean named = quotas.equalsIgnoreCase("off") || quotas.equalsIgnoreCase("aws");
      options.put("quotas", named ? quotas.toLowerCase(Locale.ROOT) : resources.file(quotas, "quota file"));
      if (settings.quotaScale() != null) {
        options.put("quota-scale", Double.toString(settings.quotaScale()));
      }
      options.put("auth", settings.auth().name().toLowerCase(Locale.ROOT));
      String principals = settings.principals() == null ? null
          : resources.file(settings.principals(), "principals file");
      if (principals != null) {
        options.put("principals", principals);
      }
      if (settings.auth() == Auth.SIGV4 && (principals == null || !hasAccessKey(principals, settings.accessKeyId()))) {
        // The clients' key must be one the backend knows: the principals file's, or else a credential of its own.
        options.put("credentials", settings.accessKeyId() + ":" + settings.secretAccessKey());
      }
      List<String> seeds = new ArrayList<>();
      for (String seed : settings.seeds()) {
        seeds.add(resources.file(seed, "seed file"));
      }
      if (settings.faultsFile() != null) {
        options.put("faults", resources.file(settings.faultsFile(), "fault file"));
      }
      settings.options().forEach((name, value) -> {
        if (name.equals("seed")) {
          for (String seed : value.split(",")) {
            if (!seed.isBlank()) {
              seeds.add(resources.file(seed.trim(), "seed file"));
            }
          }
        } else {
          options.put(name, value);
        }
      });
      if (!seeds.isEmpty()) {
        options.put("seed", String.join(",", seeds));
      }
      ShuntBackend backend = ShuntBackend.builder().options(options).start();
      Shunt shunt = new Shunt(backend, settings, seeds, resources);
      try {
        settings.quotaRates().forEach(shunt.quotas()::rate);
        settings.faults().forEach(shunt.faults()::add);
      } catch (RuntimeException e) {
        backend.close();
        throw e;
      }
      shunt.keepClassSettings();
      shunt.clearAudit();
      return new Running(shunt, settings, resources);
    } catch (RuntimeException e) {
      resources.close();
      throw new ExtensionConfigurationException("Shunt could not start for " + testClass.getName() + ": "
          + e.getMessage(), e);
    }
  }

  /** Whether a principals file gives a principal the access key {@code accessKeyId}. */
  private static boolean hasAccessKey(String principalsFile, String accessKeyId) {
    com.fasterxml.jackson.databind.JsonNode file = dev.shunt.backend.config.ShuntOptions.readYaml(principalsFile,
        "the principals file");
    for (com.fasterxml.jackson.databind.JsonNode principal : file.path("principals")) {
      for (com.fasterxml.jackson.databind.JsonNode key : principal.path("accessKeys")) {
        if (accessKeyId.equals(key.path("id").asText(null))) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * A started backend in a test class's store: closed with the class's context (as an
   * AutoCloseable by JUnit 5.13 and later, as a CloseableResource by older ones; closing twice does nothing).
   */
  @SuppressWarnings("deprecation")
  private static final class Running implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    final Shunt shunt;
    final Settings settings;
    final Resources resources;
    private boolean closed;

    Running(Shunt shunt, Settings settings, Resources resources) {
      this.shunt = shunt;
      this.settings = settings;
      this.resources = resources;
    }

    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        shunt.closeClients();
        shunt.backend().close();
      } finally {
        resources.close();
      }
    }
  }

  // ---- Builder -----------------------------------------------------------------------------

  /** Options of a registered extension; each has a default, as for {@link ShuntTest}. */
  public static final class Builder {
    private Reset reset = Reset.PER_METHOD;
    private final List<String> seeds = new ArrayList<>();
    private String principals;
    private String quotas = "off";
    private Double quotaScale;
    private final Map<String, Double> quotaRates = new LinkedHashMap<>();
    private String faultsFile;
    private final List<Fault> faults = new ArrayList<>();
    private Auth auth = Auth.TRUST;
    private String region = "us-east-1";
    private String accessKeyId = Settings.DEFAULT_ACCESS_KEY;
    private String secretAccessKey = Settings.DEFAULT_SECRET_KEY;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Builder() {}

    /** When the state is wiped: before each test (the default) or never while the class runs. */
    public Builder reset(Reset reset) {
      this.reset = Objects.requireNonNull(reset, "reset");
      return this;
    }

    /** Seed files (class path resources or files), loaded at start and after every reset. */
    public Builder seed(String... resourcesOrFiles) {
      for (String seed : resourcesOrFiles) {
        seeds.add(Objects.requireNonNull(seed, "seed"));
      }
      return this;
    }

    /** A principals file (resource or file): IAM users, roles, access keys and policies decide access. */
    public Builder principals(String resourceOrFile) {
      this.principals = Objects.requireNonNull(resourceOrFile, "principals");
      return this;
    }

    /** {@code off} (the default), {@code aws}, or a quota file (resource or file). */
    public Builder quotas(String offAwsOrFile) {
      this.quotas = Objects.requireNonNull(offAwsOrFile, "quotas");
      return this;
    }

    /** AWS's default quotas multiplied by {@code factor} (turns AWS's quotas on if they were off). */
    public Builder quotaScale(double factor) {
      this.quotaScale = factor;
      if (quotas.equalsIgnoreCase("off")) {
        quotas = "aws";
      }
      return this;
    }

    /** A rate for a quota group or an operation ({@code kms:Decrypt}), in requests per second. */
    public Builder quota(String name, double requestsPerSecond) {
      quotaRates.put(Objects.requireNonNull(name, "name"), requestsPerSecond);
      return this;
    }

    /** A fault-injection file (resource or file). */
    public Builder faults(String resourceOrFile) {
      this.faultsFile = Objects.requireNonNull(resourceOrFile, "faults");
      return this;
    }

    /** A fault-injection rule for every test of the class. */
    public Builder fault(Fault fault) {
      faults.add(Objects.requireNonNull(fault, "fault"));
      return this;
    }

    /** Whether SigV4 signatures are checked ({@link Auth#TRUST} by default). */
    public Builder auth(Auth auth) {
      this.auth = Objects.requireNonNull(auth, "auth");
      return this;
    }

    /** The injected clients' Region and the backend's default Region ({@code us-east-1} by default). */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /**
     * The injected clients' credentials ({@code test}/{@code test} by default): an access key of
     * the principals file, or a 12-digit access key id to act as that account's root. Under
     * {@link Auth#SIGV4} the backend accepts them (unless the {@code credentials} option says otherwise).
     */
    public Builder credentials(String accessKeyId, String secretAccessKey) {
      this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
      this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
      return this;
    }

    /** Any backend option by its name (the README's options table), e.g. {@code option("data-key-cache", "on")}. */
    public Builder option(String name, String value) {
      options.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public ShuntExtension build() {
      return new ShuntExtension(new Settings(reset, seeds, principals, quotas, quotaScale, quotaRates, faultsFile,
          faults, auth, region, accessKeyId, secretAccessKey, options));
    }
  }
}
