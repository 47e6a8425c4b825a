package dev.shunt.junit5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import org.junit.jupiter.api.Test;

/**
 * A test class path without the SDK's service modules: the extension's classes load and verify,
 * and only asking for a client needs them (the SDK is the user's, and optional).
 */
class ShuntWithoutSdkTest {
  /** Defines the extension's classes itself and finds no class of the SDK's KMS, Secrets Manager or SSM modules. */
  static final class NoServiceModules extends ClassLoader {
    NoServiceModules(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith("software.amazon.awssdk.services.")) {
        throw new ClassNotFoundException(name);
      }
      if (!name.startsWith("dev.shunt.junit5.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> loaded = findLoadedClass(name);
        if (loaded == null) {
          try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
            if (in == null) {
              throw new ClassNotFoundException(name);
            }
            byte[] bytes = in.readAllBytes();
            loaded = defineClass(name, bytes, 0, bytes.length);
          } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
          }
        }
        if (resolve) {
          resolveClass(loaded);
        }
        return loaded;
      }
    }
  }

  @Test
  void theExtensionLoadsAndOnlyAClientNeedsTheSdk() throws Exception {
    ClassLoader loader = new NoServiceModules(getClass().getClassLoader());
    for (String name : new String[] {"ShuntExtension", "Shunt", "SdkClients", "AuditAssert", "ShuntAssertions",
        "ShuntAudit", "AuditCall", "Quotas", "Faults", "Fault"}) {
      Class<?> type = Class.forName("dev.shunt.junit5." + name, true, loader);
      type.getDeclaredMethods();  // every method's signature resolves
    }
    Object extension = Class.forName("dev.shunt.junit5.ShuntExtension", true, loader).getConstructor().newInstance();
    assertThat(extension).isNotNull();
    Class<?> clients = Class.forName("dev.shunt.junit5.SdkClients", true, loader);
    Method supports = clients.getDeclaredMethod("supports", Class.class);
    supports.setAccessible(true);
    assertThat(supports.invoke(null, URI.class)).isEqualTo(false);
    Class<?> spec = Class.forName("dev.shunt.junit5.SdkClients$Spec", true, loader);
    var makeSpec = spec.getDeclaredConstructors()[0];
    makeSpec.setAccessible(true);
    Object kmsSpec = makeSpec.newInstance(SdkClients.KMS, URI.create("http://127.0.0.1:1"), "us-east-1", "a", "b");
    Method create = clients.getDeclaredMethod("create", spec);
    create.setAccessible(true);
    assertThatThrownBy(() -> create.invoke(null, kmsSpec)).cause().isInstanceOf(NoClassDefFoundError.class)
        .hasMessageContaining("software/amazon/awssdk/services/kms");
  }
}
