package dev.shunt.backend.cache;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A request's input written so that two inputs meaning the same give the same text: an object's
 * members in name order (an encryption context's order does not matter to KMS), and every
 * string with its length, so no value can be made to read as another's boundary.
 */
final class CanonicalJson {
  private CanonicalJson() {}

  /** Appends {@code node}, leaving out the top-level member {@code skip} (null: none). */
  static void append(StringBuilder out, JsonNode node, String skip) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>(node.size());
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String name = it.next();
        if (!name.equals(skip)) {
          names.add(name);
        }
      }
      Collections.sort(names);
      out.append('{');
      for (String name : names) {
        appendString(out, name);
        append(out, node.get(name), null);
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (JsonNode element : node) {
        append(out, element, null);
      }
      out.append(']');
    } else if (node.isTextual()) {
      appendString(out, node.textValue());
    } else {
      out.append(node.getNodeType().name().charAt(0)).append(node.asText()).append(';');
    }
  }

  private static void appendString(StringBuilder out, String text) {
    out.append('s').append(text.length()).append(':').append(text);
  }
}
