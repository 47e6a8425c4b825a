package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Seed files and export: state as one YAML or JSON document,
 * <pre>
 * version: 1
 * regions:
 *   - account: "111122223333"      # default: the default account
 *     region: eu-west-1            # default: the default Region
 *     kms: {keys: [...], aliases: [...]}
 *     secretsmanager: {secrets: [...]}
 *     ssm: {parameters: [...]}
 * </pre>
 * whose items are the documents of each {@link StateSection}. Export writes what seeding takes.
 */
public final class SeedFiles {
  public static final int VERSION = 1;
  private static final Set<String> TOP = Set.of("version", "regions");

  private final List<StateSection> sections;

  public SeedFiles(List<StateSection> sections) {
    this.sections = sections;
  }

  /**
   * Creates what {@code seed} holds, or checks that it is there already; refuses a malformed
   * document or one that contradicts the state with a message naming the item ({@code source}
   * names the file). Returns the number of items the file holds.
   */
  public int load(JsonNode seed, String source, String defaultAccount, String defaultRegion, SecretFields secrets) {
    if (seed == null || !seed.isObject()) {
      throw new IllegalArgumentException(source + ": a seed file is a mapping with version and regions");
    }
    seed.fieldNames().forEachRemaining(name -> {
      if (!TOP.contains(name)) {
        throw new IllegalArgumentException(source + ": unknown key '" + name + "' (a seed file has version and regions)");
      }
    });
    JsonNode version = seed.get("version");
    if (version != null && (!version.canConvertToInt() || version.asInt() != VERSION)) {
      throw new IllegalArgumentException(source + ": version " + version.asText() + " is not one this Shunt reads ("
          + VERSION + ")");
    }
    JsonNode regions = seed.path("regions");
    if (!regions.isArray()) {
      throw new IllegalArgumentException(source + ": regions must be a list");
    }
    int count = 0;
    for (int r = 0; r < regions.size(); r++) {
      String where = source + ": regions[" + r + "]";
      JsonNode entry = regions.get(r);
      if (!entry.isObject()) {
        throw new IllegalArgumentException(where + " must be a mapping");
      }
      if (entry.path("account").isNumber()) {
        // YAML reads 000000000000 as the number 0: an account id is text.
        throw new IllegalArgumentException(where + ": account must be quoted (account: \"" + String.format("%012d",
            entry.get("account").asLong()) + "\"): unquoted, YAML reads its digits as a number");
      }
      String account = entry.path("account").asText(defaultAccount);
      String region = entry.path("region").asText(defaultRegion);
      if (!account.matches("\\d{12}")) {
        throw new IllegalArgumentException(where + ": account must be 12 digits, not '" + account + "'");
      }
      Set<String> known = new TreeSet<>(Set.of("account", "region"));
      sections.forEach(s -> known.add(s.name()));
      entry.fieldNames().forEachRemaining(name -> {
        if (!known.contains(name)) {
          throw new IllegalArgumentException(where + ": unknown key '" + name + "' (known: " + String.join(", ", known)
              + ")");
        }
      });
      for (StateSection section : sections) {
        JsonNode part = entry.get(section.name());
        if (part == null || part.isNull()) {
          continue;
        }
        count += loadSection(section, part, where + "." + section.name(), account, region, secrets);
      }
    }
    return count;
  }

  private static int loadSection(StateSection section, JsonNode part, String where, String account, String region,
      SecretFields secrets) {
    if (!part.isObject()) {
      throw new IllegalArgumentException(where + " must be a mapping of " + String.join(", ", section.kinds()));
    }
    part.fieldNames().forEachRemaining(name -> {
      if (!section.kinds().contains(name)) {
        throw new IllegalArgumentException(where + ": unknown key '" + name + "' (known: "
            + String.join(", ", section.kinds()) + ")");
      }
    });
    int count = 0;
    for (String kind : section.kinds()) {
      JsonNode items = part.get(kind);
      if (items == null || items.isNull()) {
        continue;
      }
      if (!items.isArray()) {
        throw new IllegalArgumentException(where + "." + kind + " must be a list");
      }
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        String at = where + "." + kind + "[" + i + "]";
        if (!item.isObject()) {
          throw new IllegalArgumentException(at + " must be a mapping");
        }
        try {
          section.load(account, region, kind, ((ObjectNode) item).deepCopy(), secrets);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(at + name(item) + ": " + e.getMessage(), e);
        }
        count++;
      }
    }
    return count;
  }

  /** How an item names itself in a message: its first id-like field. */
  private static String name(JsonNode item) {
    for (String field : List.of("KeyId", "AliasName", "GrantId", "CustomKeyStoreId", "Name", "SettingId")) {
      if (item.hasNonNull(field)) {
        return " (" + field + " " + item.get(field).asText() + ")";
      }
    }
    return "";
  }

  /**
   * All state (or one account's, or one account's in one Region, when those are not null) as a
   * seed file that {@link #load} takes.
   */
  public ObjectNode export(String account, String region, SecretFields secrets) {
    Map<StateSection.Scope, ObjectNode> entries = new LinkedHashMap<>();
    List<StateSection.Scope> scopes = new ArrayList<>();
    for (StateSection section : sections) {
      for (StateSection.Scope scope : section.scopes()) {
        if ((account == null || account.equals(scope.account())) && (region == null || region.equals(scope.region()))
            && !scopes.contains(scope)) {
          scopes.add(scope);
        }
      }
    }
    scopes.sort(Comparator.comparing(StateSection.Scope::account).thenComparing(StateSection.Scope::region));
    ObjectNode file = Json.object().put("version", VERSION);
    ArrayNode regions = file.putArray("regions");
    for (StateSection.Scope scope : scopes) {
      ObjectNode entry = Json.object().put("account", scope.account()).put("region", scope.region());
      for (StateSection section : sections) {
        ObjectNode part = Json.object();
        section.export(scope.account(), scope.region(), secrets, (kind, document) -> {
          JsonNode list = part.get(kind);
          (list == null ? part.putArray(kind) : (ArrayNode) list).add(document);
        });
        if (!part.isEmpty()) {
          // Kinds in load order, whatever order they were written in.
          ObjectNode ordered = entry.putObject(section.name());
          section.kinds().forEach(kind -> {
            if (part.has(kind)) {
              ordered.set(kind, part.get(kind));
            }
          });
        }
      }
      if (entries.putIfAbsent(scope, entry) == null && entry.size() > 2) {
        regions.add(entry);
      }
    }
    return file;
  }

  /** The accounts holding state in any section, in order. */
  public java.util.SortedSet<String> accounts() {
    java.util.SortedSet<String> accounts = new TreeSet<>();
    sections.forEach(section -> section.scopes().forEach(scope -> accounts.add(scope.account())));
    return accounts;
  }

  /** Restores what the store holds, section by section and kind by kind in load order. */
  public void restore(List<StoredItem> items, SecretFields secrets) {
    List<StoredItem> ordered = new ArrayList<>(items);
    ordered.sort(Comparator.comparingInt(this::rank).thenComparingLong(StoredItem::revision));
    for (StoredItem item : ordered) {
      StoreKey key = item.key();
      StateSection section = section(key.kind());
      ObjectNode document;
      try {
        document = (ObjectNode) Json.readTree(item.document());
        section.load(key.account(), key.region(), key.kind().substring(section.name().length() + 1), document, secrets);
      } catch (java.io.IOException | ClassCastException | IllegalArgumentException e) {
        throw new StoreException("The stored " + key.kind() + " " + key.id() + " (account " + key.account() + ", "
            + key.region() + ") cannot be restored: " + e.getMessage(), e);
      }
    }
  }

  /**
   * Makes memory equal to a stored item another node wrote (its document wins over what is here):
   * the item's section replaces it, or makes it. Refuses a malformed document, or a kind this
   * Shunt does not know, with an IllegalArgumentException naming the item.
   */
  public void replace(StoredItem item, SecretFields secrets) {
    StoreKey key = item.key();
    StateSection section = sectionOf(key);
    try {
      JsonNode document = Json.readTree(item.document());
      if (document == null || !document.isObject()) {
        throw new IllegalArgumentException("its document is not a mapping");
      }
      section.replace(key.account(), key.region(), key.kind().substring(section.name().length() + 1),
          (ObjectNode) document, secrets);
    } catch (java.io.IOException | ClassCastException | IllegalArgumentException e) {
      // A ClassCastException: a field holds another shape than its kind's (a list where a mapping goes).
      throw new IllegalArgumentException(describe(key) + " cannot be replaced: " + e.getMessage(), e);
    }
  }

  /** Forgets a stored item another node removed; nothing when this node does not hold it. */
  public void remove(StoreKey key) {
    StateSection section = sectionOf(key);
    section.remove(key.account(), key.region(), key.kind().substring(section.name().length() + 1), key.id());
  }

  /** The section of a stored item's kind; an IllegalArgumentException for a kind no section has. */
  private StateSection sectionOf(StoreKey key) {
    for (StateSection section : sections) {
      if (key.kind().startsWith(section.name() + ".")
          && section.kinds().contains(key.kind().substring(section.name().length() + 1))) {
        return section;
      }
    }
    throw new IllegalArgumentException(describe(key) + " is of a kind this Shunt does not know (written by a newer"
        + " Shunt?)");
  }

  private static String describe(StoreKey key) {
    return "The stored " + key.kind() + " " + key.id() + " (account " + key.account() + ", " + key.region() + ")";
  }

  private int rank(StoredItem item) {
    String kind = item.key().kind();
    int base = 0;
    for (StateSection section : sections) {
      if (kind.startsWith(section.name() + ".")) {
        int index = section.kinds().indexOf(kind.substring(section.name().length() + 1));
        if (index >= 0) {
          return base + index;
        }
      }
      base += section.kinds().size();
    }
    throw new StoreException("The store holds items of kind " + kind + ", which this Shunt does not know: it was"
        + " written by a newer Shunt");
  }

  private StateSection section(String kind) {
    for (StateSection section : sections) {
      if (kind.startsWith(section.name() + ".")) {
        return section;
      }
    }
    throw new StoreException("Unknown kind " + kind);
  }
}
