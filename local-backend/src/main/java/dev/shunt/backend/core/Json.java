package dev.shunt.backend.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;

/**
 * The backend's JSON: trees read and written with Jackson's streaming parser and generator, under
 * limits a hostile client cannot get around (nesting depth, number and string lengths, duplicate
 * keys, one JSON text per body), and the AWS JSON 1.1 conventions (timestamps as epoch seconds with
 * a fraction). No ObjectMapper: its data-binding machinery would cost the backend a tenth of a
 * second at every start (four hundred classes), for trees it reads and writes the same way.
 */
public final class Json {
  private static final int MAX_DEPTH = 64;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(100)
          .maxStringLength(4 * 1024 * 1024)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(false);

  /** A second JSON value after the first: a body is one JSON text ('{"KeyId":"k"} junk' and '{}{}' are malformed). */
  static final class TrailingContentException extends JsonParseException {
    private static final long serialVersionUID = 1L;

    TrailingContentException(JsonParser parser) {
      super(parser, "Unexpected content after the JSON value");
    }
  }

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
    if (!isUtf8(body)) {
      throw CommonErrors.serialization("Malformed JSON request body: invalid UTF-8");
    }
    JsonNode tree;
    try {
      tree = readTree(body);
    } catch (StreamConstraintsException e) {
      throw CommonErrors.serialization("Malformed JSON request body: nested more than " + MAX_DEPTH
          + " levels deep, or a number or string over the length limit");
    } catch (TrailingContentException e) {
      throw CommonErrors.serialization("Malformed JSON request body: unexpected content after the JSON object");
    } catch (JsonProcessingException e) {
      // Where, never what: Jackson's own message quotes the offending text, which may be a secret.
      JsonLocation at = e.getLocation();
      throw CommonErrors.serialization(at == null ? "Malformed JSON request body"
          : "Malformed JSON request body at line " + at.getLineNr() + ", column " + at.getColumnNr());
    } catch (IOException e) {
      throw CommonErrors.serialization("Unreadable request body");
    }
    if (tree.isMissingNode() || tree.isNull()) {
      return object();
    }
    if (!tree.isObject()) {
      throw CommonErrors.serialization(tree.isArray()
          ? "Start of list found where not expected." : "Expected a JSON object as the request body");
    }
    return (ObjectNode) tree;
  }

  /** One JSON text as a tree; {@link MissingNode} when there is none (only white space). */
  public static JsonNode readTree(byte[] json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      return readTree(parser);
    }
  }

  public static JsonNode readTree(String json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      return readTree(parser);
    }
  }

  public static JsonNode readTree(InputStream json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      return readTree(parser);
    }
  }

  /**
   * The named members of a JSON object, read into a tree; every other member before them is
   * skipped by the tokenizer without being built, and reading stops once they are all read (a large
   * section read only when needed costs little, and nothing at all if it comes last). For trusted
   * documents only (Shunt's own resources): what follows the last member wanted is not checked.
   */
  public static ObjectNode readMembers(byte[] json, java.util.Set<String> names) throws IOException {
    ObjectNode members = NODES.objectNode();
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new JsonParseException(parser, "Expected a JSON object");
      }
      while (members.size() < names.size() && parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        if (names.contains(name)) {
          members.set(name, node(parser));
        } else {
          parser.skipChildren();
        }
      }
    }
    return members;
  }

  private static JsonNode readTree(JsonParser parser) throws IOException {
    if (parser.nextToken() == null) {
      return MissingNode.getInstance();
    }
    JsonNode value = node(parser);
    if (parser.nextToken() != null) {
      throw new TrailingContentException(parser);
    }
    return value;
  }

  /** The value at the parser's current token (its nesting is bounded by the parser's limits). */
  private static JsonNode node(JsonParser parser) throws IOException {
    switch (parser.currentToken()) {
      case START_OBJECT:
        ObjectNode object = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.set(name, node(parser));
        }
        return object;
      case START_ARRAY:
        ArrayNode array = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(node(parser));
        }
        return array;
      case VALUE_STRING:
        return NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT:
        switch (parser.getNumberType()) {
          case INT:
            return NODES.numberNode(parser.getIntValue());
          case LONG:
            return NODES.numberNode(parser.getLongValue());
          default:
            return NODES.numberNode(parser.getBigIntegerValue());
        }
      case VALUE_NUMBER_FLOAT:
        return parser.getNumberType() == JsonParser.NumberType.BIG_DECIMAL
            ? NODES.numberNode(parser.getDecimalValue()) : NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new JsonParseException(parser, "Unexpected token " + parser.currentToken());
    }
  }

  /**
   * Whether the body is well-formed UTF-8 (RFC 3629). Jackson rejects most bad bytes itself but
   * decodes overlong forms ({@code C0 AF} as {@code /}) and sequences past U+10FFFF, which must not
   * reach an operation as text the client never sent. ASCII bodies, the usual case, cost one scan.
   */
  private static boolean isUtf8(byte[] body) {
    for (byte b : body) {
      if (b < 0) {
        try {
          StandardCharsets.UTF_8.newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(body));
          return true;
        } catch (CharacterCodingException e) {
          return false;
        }
      }
    }
    return true;
  }

  /** Writes a tree to a stream as UTF-8 JSON (to a response buffer, without an intermediate array); closes it. */
  public static void write(JsonNode node, OutputStream out) {
    try (JsonGenerator generator = FACTORY.createGenerator(out)) {
      write(generator, node);
    } catch (IOException e) {
      throw new IllegalStateException("JSON tree could not be written", e);
    }
  }

  public static byte[] write(JsonNode node) {
    // Jackson's own builder, on its recycled buffers: one array for the result, as the ObjectMapper did.
    try (ByteArrayBuilder out = new ByteArrayBuilder(FACTORY._getBufferRecycler())) {
      write(node, out);
      byte[] json = out.toByteArray();
      out.release();
      return json;
    }
  }

  /** The tree as JSON text (JsonNode.toString would build a data-binding mapper for it). */
  public static String text(JsonNode node) {
    return new String(write(node), StandardCharsets.UTF_8);
  }

  private static void write(JsonGenerator generator, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT:
        generator.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
          Map.Entry<String, JsonNode> field = fields.next();
          generator.writeFieldName(field.getKey());
          write(generator, field.getValue());
        }
        generator.writeEndObject();
        break;
      case ARRAY:
        generator.writeStartArray();
        for (JsonNode element : node) {
          write(generator, element);
        }
        generator.writeEndArray();
        break;
      case STRING:
        generator.writeString(node.textValue());
        break;
      case NUMBER:
        switch (node.numberType()) {
          case INT:
            generator.writeNumber(node.intValue());
            break;
          case LONG:
            generator.writeNumber(node.longValue());
            break;
          case BIG_INTEGER:
            generator.writeNumber(node.bigIntegerValue());
            break;
          case FLOAT:
            generator.writeNumber(node.floatValue());
            break;
          case BIG_DECIMAL:
            generator.writeNumber(node.decimalValue());
            break;
          default:
            generator.writeNumber(node.doubleValue());
        }
        break;
      case BOOLEAN:
        generator.writeBoolean(node.booleanValue());
        break;
      case BINARY:
        generator.writeBinary(node.binaryValue());
        break;
      case NULL:
      case MISSING:
        generator.writeNull();
        break;
      default:
        throw new IOException("A " + node.getNodeType() + " node has no JSON form here");
    }
  }

  /** AWS JSON timestamps: epoch seconds, milliseconds as the fraction. */
  public static double epochSeconds(Instant instant) {
    return instant.toEpochMilli() / 1000.0;
  }

  /** Puts a timestamp member, or nothing when there is no such time (AWS omits it). */
  public static void putDate(ObjectNode node, String field, Instant instant) {
    if (instant != null) {
      node.put(field, epochSeconds(instant));
    }
  }
}
