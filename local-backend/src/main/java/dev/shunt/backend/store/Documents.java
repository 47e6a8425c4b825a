package dev.shunt.backend.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** What sections share when they load documents. */
public final class Documents {
  private static final Set<String> TAG_FIELDS = Set.of("Key", "Value");

  private Documents() {}

  /**
   * The first field {@code stated} gives that {@code existing} has otherwise (a nested object
   * compared the same way, field by field), or null when they agree: loading a seed twice is a
   * no-op, and a seed that contradicts the state is refused naming the field.
   */
  public static String contradiction(ObjectNode stated, ObjectNode existing) {
    Iterator<Map.Entry<String, JsonNode>> fields = stated.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode theirs = existing.get(field.getKey());
      JsonNode ours = field.getValue();
      if (ours.isObject() && theirs != null && theirs.isObject()) {
        String inner = contradiction((ObjectNode) ours, (ObjectNode) theirs);
        if (inner != null) {
          return field.getKey() + "." + inner;
        }
      } else if (ours.isArray() && theirs != null && theirs.isArray() && holdsObjects(ours)) {
        if (ours.size() != theirs.size()) {
          return field.getKey();
        }
        for (int i = 0; i < ours.size(); i++) {
          String inner = theirs.get(i).isObject() ? contradiction((ObjectNode) ours.get(i), (ObjectNode) theirs.get(i))
              : field.getKey();
          if (inner != null) {
            return field.getKey() + "[" + i + "]." + inner;
          }
        }
      } else if (theirs == null ? !ours.isNull() : !equalValues(ours, theirs)) {
        return field.getKey();
      }
    }
    return null;
  }

  private static boolean holdsObjects(JsonNode array) {
    for (JsonNode element : array) {
      if (!element.isObject()) {
        return false;
      }
    }
    return true;
  }

  private static boolean equalValues(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0;
    }
    if (a.isValueNode() && b.isValueNode()) {
      return a.asText().equals(b.asText());
    }
    return a.equals(b);
  }

  /** Refuses a field the document's kind does not have (a typo would otherwise be silently ignored). */
  public static void onlyFields(ObjectNode document, Set<String> known) {
    document.fieldNames().forEachRemaining(name -> {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown field '" + name + "' (known: " + String.join(", ", known) + ")");
      }
    });
  }

  /** A text field, or {@code fallback} when it is absent or null; refuses a non-text value. */
  public static String text(ObjectNode document, String field, String fallback) {
    JsonNode value = document.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isValueNode()) {
      throw new IllegalArgumentException(field + " must be a single value");
    }
    return value.asText();
  }

  /** A text field that must be there. */
  public static String required(ObjectNode document, String field) {
    String value = text(document, field, null);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " is required");
    }
    return value;
  }

  /**
   * A time a document gives: ISO-8601 ({@code 2026-01-31T12:00:00Z}, with an offset, or a date,
   * taken as its start in UTC), or epoch seconds; null when absent.
   */
  public static Instant date(ObjectNode document, String field) {
    JsonNode value = document.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isNumber()) {
      return Instant.ofEpochMilli((long) (value.asDouble() * 1000));
    }
    String text = value.asText().trim();
    if (value.isValueNode()) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        try {
          return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e2) {
          try {
            return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
          } catch (DateTimeParseException e3) {
            // refused below
          }
        }
      }
    }
    throw new IllegalArgumentException(field + " must be an ISO-8601 date and time such as 2026-01-31T12:00:00Z, not '"
        + text + "'");
  }

  /** Writes a time as ISO-8601 ({@code 2026-01-31T12:00:00Z}); nothing when it is null. */
  public static void putDate(ObjectNode document, String field, Instant instant) {
    if (instant != null) {
      document.put(field, instant.toString());
    }
  }

  /**
   * Tags as AWS lists them ({@code [{Key, Value}]}) or as people write them ({@code {team: core}});
   * null when the document gives none. A key given twice, or a field a tag does not have, is refused.
   */
  public static Map<String, String> tags(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    Map<String, String> tags = new LinkedHashMap<>();
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> tag : node.properties()) {
        if (!tag.getValue().isValueNode()) {
          throw new IllegalArgumentException("Tags: the value of " + tag.getKey() + " must be text");
        }
        tags.put(tag.getKey(), tag.getValue().isNull() ? "" : tag.getValue().asText());
      }
      return tags;
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("Tags must be a list of {Key, Value} (or a mapping of keys to values)");
    }
    for (int i = 0; i < node.size(); i++) {
      if (!node.get(i).isObject()) {
        throw new IllegalArgumentException("Tags[" + i + "] must be a mapping of Key and Value");
      }
      ObjectNode tag = (ObjectNode) node.get(i);
      String key;
      try {
        onlyFields(tag, TAG_FIELDS);
        key = required(tag, "Key");
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Tags[" + i + "]: " + e.getMessage());
      }
      if (tags.put(key, text(tag, "Value", "")) != null) {
        throw new IllegalArgumentException("Tags: the key " + key + " is given twice");
      }
    }
    return tags;
  }
}
