package dev.shunt.backend.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * The one JSON mapper of the backend, with limits a hostile client cannot get around (nesting
 * depth, number and string lengths), and the AWS JSON 1.1 conventions (timestamps as epoch
 * seconds with a fraction).
 */
public final class Json {
  private static final int MAX_DEPTH = 64;
  private static final String[] JACKSON_HINTS = {": enable `", " (start marker", " (not recognized", "`"};

  public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxNumberLength(100)
          .maxStringLength(4 * 1024 * 1024)
          .build())
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build())
      // A body is one JSON text: '{"KeyId":"k"} junk' or '{}{}' is malformed, not '{"KeyId":"k"}'.
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
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
    if (!isUtf8(body)) {
      throw CommonErrors.serialization("Malformed JSON request body: invalid UTF-8");
    }
    JsonNode tree;
    try {
      tree = MAPPER.readTree(body);
    } catch (StreamConstraintsException e) {
      throw CommonErrors.serialization("Malformed JSON request body: nested more than " + MAX_DEPTH
          + " levels deep, or a number or string over the length limit");
    } catch (MismatchedInputException e) {
      // The only mismatch a tree read can meet: FAIL_ON_TRAILING_TOKENS.
      throw CommonErrors.serialization("Malformed JSON request body: unexpected content after the JSON object");
    } catch (JsonProcessingException e) {
      throw CommonErrors.serialization("Malformed JSON request body: " + withoutHints(e.getOriginalMessage()));
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

  /**
   * Jackson's description of a syntax error, cut before the advice it gives about its own API
   * ({@code enable `JsonReadFeature.ALLOW_...`}, {@code Feature 'ALLOW_COMMENTS'}, source
   * locations): a client can do nothing with the names of our parser's settings.
   */
  private static String withoutHints(String message) {
    int end = message.length();
    for (String hint : JACKSON_HINTS) {
      int at = message.indexOf(hint);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    return message.substring(0, end);
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

  /** Writes a tree to a stream as UTF-8 JSON (to a response buffer, without an intermediate array). */
  public static void write(JsonNode node, java.io.OutputStream out) {
    try {
      MAPPER.writeValue(out, node);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("JSON tree could not be written", e);
    }
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

  /** Puts a timestamp member, or nothing when there is no such time (AWS omits it). */
  public static void putDate(ObjectNode node, String field, Instant instant) {
    if (instant != null) {
      node.put(field, epochSeconds(instant));
    }
  }
}
