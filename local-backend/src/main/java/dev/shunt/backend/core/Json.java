package dev.shunt.backend.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * The one JSON mapper of the backend, with limits a hostile client cannot get around (nesting
 * depth, number and string lengths), and the AWS JSON 1.1 conventions (timestamps as epoch
 * seconds with a fraction).
 */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(64)
          .maxNumberLength(100)
          .maxStringLength(4 * 1024 * 1024)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build());
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(false);

  private Json() {}

  public static ObjectNode object() {
    return NODES.objectNode();
  }

  public static ArrayNode array() {
    return NODES.arrayNode();
  }

  /** Parses a request body, which must be one JSON object (an empty body counts as {@code {}}). */
  public static ObjectNode parseRequest(byte[] body) {
    if (body.length == 0) {
      return object();
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw CommonErrors.serialization("Malformed JSON request body: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw CommonErrors.serialization("Unreadable request body");
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return object();
    }
    if (!tree.isObject()) {
      throw CommonErrors.serialization(tree.isArray()
          ? "Start of list found where not expected." : "Expected a JSON object as the request body");
    }
    return (ObjectNode) tree;
  }

  public static byte[] write(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("JSON tree could not be written", e);
    }
  }

  /** AWS JSON timestamps: epoch seconds, milliseconds as the fraction. */
  public static double epochSeconds(Instant instant) {
    return instant.toEpochMilli() / 1000.0;
  }
}
