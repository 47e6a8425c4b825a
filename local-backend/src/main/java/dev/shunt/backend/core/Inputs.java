package dev.shunt.backend.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads members of a request that the service model has already validated, so types are known
 * to be right: these only unwrap (absent and JSON null read as null).
 */
public final class Inputs {
  private Inputs() {}

  public static String string(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node == null || node.isNull() ? null : node.textValue();
  }

  public static Integer integer(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node == null || node.isNull() ? null : node.intValue();
  }

  public static Long longValue(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node == null || node.isNull() ? null : node.longValue();
  }

  public static boolean flag(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node != null && node.booleanValue();
  }

  public static Boolean bool(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node == null || node.isNull() ? null : node.booleanValue();
  }

  /** A blob member, already decoded from base64 by validation. */
  public static byte[] blob(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node instanceof BinaryNode binary ? binary.binaryValue() : null;
  }

  public static ObjectNode object(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    return node instanceof ObjectNode object ? object : null;
  }

  /** A string-to-string map member (empty when absent). */
  public static Map<String, String> stringMap(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    if (node == null || !node.isObject() || node.isEmpty()) {
      return Map.of();
    }
    Map<String, String> map = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      map.put(field.getKey(), field.getValue().textValue());
    }
    return map;
  }

  /** A list-of-strings member (empty when absent). */
  public static List<String> strings(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    if (node == null || !node.isArray()) {
      return List.of();
    }
    List<String> list = new ArrayList<>(node.size());
    node.forEach(item -> list.add(item.textValue()));
    return list;
  }

  /** A list-of-structures member (empty when absent). */
  public static List<ObjectNode> objects(ObjectNode input, String member) {
    JsonNode node = input.get(member);
    if (node == null || !node.isArray()) {
      return List.of();
    }
    List<ObjectNode> list = new ArrayList<>(node.size());
    node.forEach(item -> list.add((ObjectNode) item));
    return list;
  }
}
