package dev.shunt.backend.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shunt.backend.core.CommonErrors;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks one JSON value against one shape of an AWS model, as the AWS front end does: a value of
 * the wrong JSON type is a {@code SerializationException} at once; a value that breaks a length,
 * range, pattern, enum or required constraint adds a {@link Violations} entry worded as AWS words
 * it. Base64 blobs are decoded here once and replaced in the tree by their bytes.
 */
abstract class ShapeValidator {
  final boolean sensitive;

  ShapeValidator(boolean sensitive) {
    this.sensitive = sensitive;
  }

  /** Returns the value to keep in the tree (the same node unless it was decoded). */
  abstract JsonNode check(JsonNode value, String path, Violations violations);

  /**
   * The value as an audit record keeps it: structure members named as CloudTrail names them,
   * without what the model marks sensitive and without binary values (plaintexts, ciphertexts,
   * data keys), as CloudTrail leaves them out. Only members the model knows are kept.
   */
  JsonNode recorded(JsonNode value) {
    return value;
  }

  /** Whether an audit record may hold a value of this shape at all. */
  final boolean recordable() {
    return !sensitive && !(this instanceof BlobShape);
  }

  /** CloudTrail's member names: the leading capitals lower-cased ({@code KMSKeyId} is {@code kmsKeyId}, {@code ARN} {@code arn}). */
  static String recordName(String member) {
    int upper = 0;
    while (upper < member.length() && Character.isUpperCase(member.charAt(upper))) {
      upper++;
    }
    if (upper == 0) {
      return member;
    }
    // KMSKeyId: the K of Key starts the next word.
    int lowered = upper == member.length() || upper == 1 ? upper : upper - 1;
    return member.substring(0, lowered).toLowerCase(java.util.Locale.ROOT) + member.substring(lowered);
  }

  static String describe(JsonNode value) {
    if (value.isTextual()) {
      return value.textValue();
    }
    if (value.isArray()) {
      List<String> parts = new ArrayList<>(value.size());
      value.forEach(v -> parts.add(describe(v)));
      return parts.toString();
    }
    return value.toString();
  }

  static final class StringShape extends ShapeValidator {
    private final Integer min;
    private final Integer max;
    private final Pattern pattern;
    private final String patternText;
    private final Set<String> enumValues;
    private final String enumText;

    StringShape(boolean sensitive, Integer min, Integer max, Pattern pattern, String patternText,
        Set<String> enumValues, String enumText) {
      super(sensitive);
      this.min = min;
      this.max = max;
      this.pattern = pattern;
      this.patternText = patternText;
      this.enumValues = enumValues;
      this.enumText = enumText;
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (!value.isTextual()) {
        throw CommonErrors.serialization(conversion(value, "a String"));
      }
      String text = value.textValue();
      int length = text.length();
      if (min != null && length < min) {
        violations.add(this, value, path, "Member must have length greater than or equal to " + min);
      }
      if (max != null && length > max) {
        violations.add(this, value, path, "Member must have length less than or equal to " + max);
      }
      if (pattern != null && !pattern.matcher(text).matches()) {
        violations.add(this, value, path, "Member must satisfy regular expression pattern: " + patternText);
      }
      if (enumValues != null && !enumValues.contains(text)) {
        violations.add(this, value, path, "Member must satisfy enum value set: " + enumText);
      }
      return value;
    }
  }

  static final class NumberShape extends ShapeValidator {
    private final boolean integral;
    private final long lowest;
    private final long highest;
    private final String typeName;
    private final Double min;
    private final Double max;

    NumberShape(String type, Double min, Double max) {
      super(false);
      this.integral = type.equals("integer") || type.equals("long");
      this.lowest = type.equals("integer") ? Integer.MIN_VALUE : Long.MIN_VALUE;
      this.highest = type.equals("integer") ? Integer.MAX_VALUE : Long.MAX_VALUE;
      this.typeName = switch (type) {
        case "integer" -> "an Integer";
        case "long" -> "a Long";
        default -> "a Double";
      };
      this.min = min;
      this.max = max;
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (!value.isNumber() || (integral && !value.canConvertToExactIntegral())) {
        throw CommonErrors.serialization(conversion(value, typeName));
      }
      if (integral && (!value.canConvertToLong() || value.longValue() < lowest || value.longValue() > highest)) {
        throw CommonErrors.serialization("NUMBER_VALUE " + value + " is out of range for " + typeName);
      }
      double number = value.doubleValue();
      if (min != null && number < min) {
        violations.add(this, value, path, "Member must have value greater than or equal to " + bound(min));
      }
      if (max != null && number > max) {
        violations.add(this, value, path, "Member must have value less than or equal to " + bound(max));
      }
      return value;
    }

    private static String bound(double bound) {
      return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }
  }

  static final class BooleanShape extends ShapeValidator {
    BooleanShape() {
      super(false);
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (!value.isBoolean()) {
        throw CommonErrors.serialization(conversion(value, "a Boolean"));
      }
      return value;
    }
  }

  static final class TimestampShape extends ShapeValidator {
    TimestampShape() {
      super(false);
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (!value.isNumber()) {
        throw CommonErrors.serialization(conversion(value, "a Date"));
      }
      return value;
    }
  }

  static final class BlobShape extends ShapeValidator {
    private final Integer min;
    private final Integer max;

    BlobShape(boolean sensitive, Integer min, Integer max) {
      super(sensitive);
      this.min = min;
      this.max = max;
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (value.isBinary()) {
        return checkLength((BinaryNode) value, path, violations);
      }
      if (!value.isTextual()) {
        throw CommonErrors.serialization(conversion(value, "a Blob"));
      }
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(value.textValue());
      } catch (IllegalArgumentException e) {
        throw CommonErrors.serialization("Base64 encoded value at '" + path + "' is not valid");
      }
      return checkLength(BinaryNode.valueOf(bytes), path, violations);
    }

    private BinaryNode checkLength(BinaryNode node, String path, Violations violations) {
      int length = node.binaryValue().length;
      if (min != null && length < min) {
        violations.add(this, null, path, "Member must have length greater than or equal to " + min);
      }
      if (max != null && length > max) {
        violations.add(this, null, path, "Member must have length less than or equal to " + max);
      }
      return node;
    }
  }

  static final class ListShape extends ShapeValidator {
    ShapeValidator member;
    private final Integer min;
    private final Integer max;

    ListShape(boolean sensitive, Integer min, Integer max) {
      super(sensitive);
      this.min = min;
      this.max = max;
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (!value.isArray()) {
        throw CommonErrors.serialization(conversion(value, "a List"));
      }
      ArrayNode array = (ArrayNode) value;
      int size = array.size();
      if (min != null && size < min) {
        violations.add(this, value, path, "Member must have length greater than or equal to " + min);
      }
      if (max != null && size > max) {
        violations.add(this, value, path, "Member must have length less than or equal to " + max);
      }
      for (int i = 0; i < size; i++) {
        JsonNode item = array.get(i);
        if (item.isNull()) {
          violations.add(member, null, path + "." + (i + 1) + ".member", "Member must not be null");
          continue;
        }
        JsonNode checked = member.check(item, path + "." + (i + 1) + ".member", violations);
        if (checked != item) {
          array.set(i, checked);
        }
      }
      return value;
    }

    @Override
    JsonNode recorded(JsonNode value) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode(value.size());
      if (member.recordable()) {
        value.forEach(item -> out.add(member.recorded(item)));
      }
      return out;
    }
  }

  static final class MapShape extends ShapeValidator {
    ShapeValidator key;
    ShapeValidator value;
    private final Integer min;
    private final Integer max;

    MapShape(boolean sensitive, Integer min, Integer max) {
      super(sensitive);
      this.min = min;
      this.max = max;
    }

    @Override
    JsonNode check(JsonNode node, String path, Violations violations) {
      if (!node.isObject()) {
        throw CommonErrors.serialization(conversion(node, "a Map"));
      }
      ObjectNode object = (ObjectNode) node;
      int size = object.size();
      if (min != null && size < min) {
        violations.add(this, node, path, "Member must have length greater than or equal to " + min);
      }
      if (max != null && size > max) {
        violations.add(this, node, path, "Member must have length less than or equal to " + max);
      }
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      List<Map.Entry<String, JsonNode>> replaced = null;
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        key.check(object.textNode(field.getKey()), path, violations);
        JsonNode entryValue = field.getValue();
        if (entryValue.isNull()) {
          violations.add(value, null, path + "." + field.getKey(), "Member must not be null");
          continue;
        }
        JsonNode checked = value.check(entryValue, path + "." + field.getKey(), violations);
        if (checked != entryValue) {
          if (replaced == null) {
            replaced = new ArrayList<>();
          }
          replaced.add(Map.entry(field.getKey(), checked));
        }
      }
      if (replaced != null) {
        replaced.forEach(e -> object.set(e.getKey(), e.getValue()));
      }
      return node;
    }

    @Override
    JsonNode recorded(JsonNode node) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      if (value.recordable()) {
        node.fields().forEachRemaining(entry -> out.set(entry.getKey(), value.recorded(entry.getValue())));
      }
      return out;
    }
  }

  static final class StructureShape extends ShapeValidator {
    /** Members in model order: wire name, path segment, validator, required. */
    Member[] members = new Member[0];

    record Member(String name, String pathName, String recordName, ShapeValidator shape, boolean required) {}

    StructureShape() {
      super(false);
    }

    StructureShape(boolean sensitive) {
      super(sensitive);
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      if (!value.isObject()) {
        throw CommonErrors.serialization(conversion(value, "a Structure"));
      }
      ObjectNode object = (ObjectNode) value;
      for (Member member : members) {
        JsonNode field = object.get(member.name);
        String memberPath = path.isEmpty() ? member.pathName : path + "." + member.pathName;
        if (field == null || field.isNull()) {
          if (member.required) {
            violations.add(member.shape, null, memberPath, "Member must not be null", true);
          }
          continue;
        }
        JsonNode checked = member.shape.check(field, memberPath, violations);
        if (checked != field) {
          object.set(member.name, checked);
        }
      }
      return value;
    }

    @Override
    JsonNode recorded(JsonNode value) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      if (!value.isObject()) {
        return out;
      }
      for (Member member : members) {
        JsonNode field = value.get(member.name);
        if (field != null && !field.isNull() && member.shape.recordable()) {
          out.set(member.recordName, member.shape.recorded(field));
        }
      }
      return out;
    }
  }

  /** Accepts anything: shapes this validator does not model (documents, unions of unknowns). */
  static final class AnyShape extends ShapeValidator {
    AnyShape() {
      super(false);
    }

    @Override
    JsonNode check(JsonNode value, String path, Violations violations) {
      return value;
    }
  }

  private static String conversion(JsonNode value, String target) {
    if (value.isObject()) {
      return "Start of structure or map found where not expected.";
    }
    if (value.isArray()) {
      return "Start of list found where not expected.";
    }
    String kind = value.isTextual() ? "STRING_VALUE" : value.isBoolean() ? "BOOLEAN_VALUE"
        : value.isIntegralNumber() ? "NUMBER_VALUE" : value.isNumber() ? "DECIMAL_VALUE" : "VALUE";
    return kind + " can not be converted to " + target;
  }
}
